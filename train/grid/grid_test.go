package grid_test

import (
	"context"
	"math"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/grid"
)

var cube = grid.Grid{Axes: []grid.Axis{
	{Name: "seed", Values: []float64{0, 1}},
	{Name: "width", Values: []float64{10, 20, 40}},
	{Name: "lr", Values: []float64{0.01, 0.05, 0.1, 0.2}},
}}

func TestCellsInCanonicalOrder(t *testing.T) {
	if cube.Len() != 24 {
		t.Fatalf("Len %d, want 24", cube.Len())
	}
	// The last axis varies fastest.
	for i, want := range map[int][]float64{0: {0, 10, 0.01}, 1: {0, 10, 0.05}, 4: {0, 20, 0.01}, 13: {1, 10, 0.05}, 23: {1, 40, 0.2}} {
		c := cube.Cell(i)
		for k := range want {
			if c.Values[k] != want[k] {
				t.Errorf("cell %d: %v, want %v", i, c.Values, want)
			}
		}
	}
	for i := range cube.Len() {
		c := cube.Cell(i)
		if j, ok := cube.Index(c.Values); !ok || j != i || c.Index != i {
			t.Errorf("cell %d: %v indexes back to %d, %v", i, c.Values, j, ok)
		}
	}
	if _, ok := cube.Index([]float64{0, 15, 0.01}); ok {
		t.Error("a value off the grid has an index")
	}
	if got := cube.Name(cube.Cell(13)); got != "lr 0.05 width 10 seed 1" {
		t.Errorf("name of cell 13: %q", got)
	}
	if v, ok := cube.Value(cube.Cell(13), "width"); !ok || v != 10 {
		t.Errorf("width of cell 13: %g, %v", v, ok)
	}
	if _, ok := cube.Value(cube.Cell(13), "scale"); ok {
		t.Error("the grid has no scale axis")
	}
}

func TestShardsPartitionTheGrid(t *testing.T) {
	seen := make([]int, cube.Len())
	for i := range 5 {
		s := grid.Shard{Index: i, Count: 5}
		if err := s.Check(); err != nil {
			t.Fatal(err)
		}
		for c := range cube.Len() {
			if s.Has(c) {
				seen[c]++
			}
		}
	}
	for c, n := range seen {
		if n != 1 {
			t.Errorf("cell %d is in %d shards", c, n)
		}
	}
	for _, bad := range []grid.Shard{{Index: 3, Count: 3}, {Index: -1, Count: 2}, {Index: 1, Count: 0}, {Count: -1}} {
		if bad.Check() == nil {
			t.Errorf("shard %v accepted", bad)
		}
	}
}

// TestPlanStartsTheCostliestFirst: jobs start in decreasing cost, and the
// outcomes come back in canonical order, whatever the order the jobs ran in.
func TestPlanStartsTheCostliestFirst(t *testing.T) {
	g := grid.Grid{Axes: []grid.Axis{{Name: "lr", Values: []float64{0.3, 0.1, 0.2}}}}
	job := func(c grid.Cell) (train.Job, error) {
		return train.Job{Settings: train.Settings{LearningRate: c.Values[0]}}, nil
	}
	p, err := grid.NewPlan(g, grid.Shard{}, job, func(c grid.Cell) float64 { return 1 / c.Values[0] })
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{0.1, 0.2, 0.3} {
		if p.Jobs[i].Settings.LearningRate != want || p.Cells[i].Values[0] != want {
			t.Errorf("job %d has lr %g, want %g", i, p.Jobs[i].Settings.LearningRate, want)
		}
	}
	results := make([]*train.Result, len(p.Jobs))
	for i, j := range p.Jobs {
		results[i] = &train.Result{LearningRate: j.Settings.LearningRate}
	}
	out := p.Outcomes(results)
	for i, o := range out {
		if o.Index != i || o.Result.LearningRate != g.Axes[0].Values[i] {
			t.Errorf("outcome %d: cell %d lr %g", i, o.Index, o.Result.LearningRate)
		}
	}

	// A shard plans its own cells only.
	p, err = grid.NewPlan(cube, grid.Shard{Index: 2, Count: 5}, job, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range p.Cells {
		if c.Index != 2+5*i {
			t.Errorf("shard 2/5: cell %d is %d", i, c.Index)
		}
	}
}

// TestPlanRuns trains a small plan: the outcomes are those of train.Run on
// each cell's job.
func TestPlanRuns(t *testing.T) {
	p := quadraticProblem(t)
	g := grid.Grid{Axes: []grid.Axis{{Name: "lr", Values: []float64{0.01, 0.02}}}}
	plan, err := grid.NewPlan(g, grid.Shard{}, func(c grid.Cell) (train.Job, error) {
		return train.Job{Problem: p, Settings: train.Settings{LearningRate: c.Values[0], Steps: 50}}, nil
	}, func(c grid.Cell) float64 { return c.Values[0] })
	if err != nil {
		t.Fatal(err)
	}
	out, err := plan.Run(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range out {
		want, err := train.Run(context.Background(), p, &train.Settings{LearningRate: o.Values[0], Steps: 50})
		if err != nil {
			t.Fatal(err)
		}
		if o.Index != i || o.Result.TestMSE != want.TestMSE || o.Result.Steps != 50 || o.Result.Status != train.Completed {
			t.Errorf("cell %d (lr %g): test MSE %g, train.Run %g", o.Index, o.Values[0], o.Result.TestMSE, want.TestMSE)
		}
	}
}

func TestSpread(t *testing.T) {
	s := grid.SpreadOf([]train.Status{train.Converged, train.Diverged, train.Completed, train.MaxSteps, train.Converged},
		[]float64{0.3, math.NaN(), 0.1, 0.9, 0.2})
	if s.Seeds != 5 || s.Converged != 2 || s.Completed != 1 || s.Diverged != 1 || s.MaxSteps != 1 || s.Finished() {
		t.Errorf("counts %+v", s)
	}
	// Over the finished runs only: 0.1, 0.2, 0.3.
	if s.Min != 0.1 || s.Median != 0.2 || s.Max != 0.3 || math.Abs(s.Mean-0.2) > 1e-15 {
		t.Errorf("statistics %+v", s)
	}
	even := grid.SpreadOf([]train.Status{train.Converged, train.Converged}, []float64{1, 2})
	if even.Median != 1.5 || !even.Finished() {
		t.Errorf("two runs: %+v", even)
	}
	none := grid.SpreadOf([]train.Status{train.Diverged}, []float64{math.Inf(1)})
	if !math.IsNaN(none.Median) || none.Finished() {
		t.Errorf("no finished run: %+v", none)
	}
}

// quadraticProblem is the blog's task at a size that trains in milliseconds.
func quadraticProblem(t *testing.T) *train.Problem {
	t.Helper()
	arch := graph.Quadratic{Dim: 5, Width: 8}
	data, err := dataset.Generate(random.New(1, random.Data), 20, 5)
	if err != nil {
		t.Fatal(err)
	}
	return &train.Problem{Arch: arch, Data: data, Init: arch.Init(random.New(1, random.Init))}
}

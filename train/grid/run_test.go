package grid_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/grid"
)

// testGrid is a small grid whose runs end in every way: converged, at the
// step cap, completed (label noise) and diverged (lr 1e100: ‖∇L‖² is +Inf),
// with histories and a measured term.
var testGrid = grid.Grid{Axes: []grid.Axis{
	{Name: "seed", Values: []float64{1, 2}},
	{Name: "noise", Values: []float64{0, 1}},
	{Name: "lr", Values: []float64{0.005, 0.02, 0.03, 1e100}},
}}

// testPlan returns the plan of shard of testGrid; observe, if not nil, is
// every run's Observe, told its cell.
func testPlan(t testing.TB, shard grid.Shard, observe func(cell int, step int)) *grid.Plan {
	t.Helper()
	problems := map[float64]*train.Problem{}
	for _, seed := range testGrid.Axes[0].Values {
		arch := graph.Quadratic{Dim: 5, Width: 8}
		data, err := dataset.Generate(random.New(uint64(seed), random.Data), 20, 5)
		if err != nil {
			t.Fatal(err)
		}
		problems[seed] = &train.Problem{Arch: arch, Data: data, Init: arch.Init(random.New(uint64(seed), random.Init))}
	}
	job := func(c grid.Cell) (train.Job, error) {
		seed, sigma, lr := c.Values[0], c.Values[1], c.Values[2]
		st := train.Settings{LearningRate: lr, LabelNoise: sigma, NoiseSeed: uint64(seed), HistoryEvery: 100,
			Measures: []graph.Penalty{regularizer.LabelNoise{Eta: lr}}}
		if sigma > 0 {
			st.Steps = 1500
		} else {
			st.MaxSteps, st.Tol = 1500, 1e-3
		}
		if observe != nil {
			st.Observe = func(step int, _ graph.Params) { observe(c.Index, step) }
		}
		return train.Job{Problem: problems[seed], Settings: st}, nil
	}
	p, err := grid.NewPlan(testGrid, shard, job, func(c grid.Cell) float64 { return 1 / c.Values[2] })
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// reference is the outcomes of the plan of shard trained without a journal.
func reference(t testing.TB, shard grid.Shard) []grid.Outcome {
	t.Helper()
	out, err := testPlan(t, shard, nil).Run(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRunWithResumes stops a grid in the middle of a run (one worker, the
// context cancelled during step 700 of the fifth run), once without and once
// with checkpoints, and resumes it: the journal holds the four runs before,
// the fifth restarts or continues from the step it stopped at, and the
// outcomes are those of a grid never stopped.
func TestRunWithResumes(t *testing.T) {
	want := outcomeBits(t, reference(t, grid.Shard{}))
	for _, every := range []int{0, 500} {
		dir := t.TempDir()
		path := filepath.Join(dir, grid.DefaultJournalName)
		ctx, cancel := context.WithCancel(context.Background())
		var stopCell = -1
		plan := testPlan(t, grid.Shard{}, func(cell, step int) {
			if cell == stopCell && step == 700 {
				cancel()
			}
		})
		stopCell = plan.Cells[4].Index
		j := openJournal(t, path, "map", "test")
		res, err := plan.RunWith(ctx, &grid.RunSettings{Workers: 1, Journal: j, CheckpointEvery: every})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("every %d: error %v, want the interruption", every, err)
		}
		if res.FromJournal != 0 || res.Computed != 4 || j.Len() != 4 || len(res.Outcomes) != testGrid.Len() {
			t.Fatalf("every %d: first part: %d from the journal, %d computed, %d in the journal, %d outcomes",
				every, res.FromJournal, res.Computed, j.Len(), len(res.Outcomes))
		}
		_, statErr := os.Stat(j.CheckpointPath(stopCell))
		if (every > 0) != (statErr == nil) {
			t.Errorf("every %d: checkpoint of the interrupted cell: %v", every, statErr)
		}
		j.Close()

		j = openJournal(t, path, "map", "test")
		res, err = plan.RunWith(context.Background(), &grid.RunSettings{Workers: 2, Journal: j, CheckpointEvery: every})
		if err != nil {
			t.Fatal(err)
		}
		wantContinued := 0
		if every > 0 {
			wantContinued = 1
		}
		if res.FromJournal != 4 || res.Computed != testGrid.Len()-4 || res.Continued != wantContinued {
			t.Errorf("every %d: resumed: %d from the journal, %d computed, %d continued", every, res.FromJournal, res.Computed, res.Continued)
		}
		if got := outcomeBits(t, res.Outcomes); got != want {
			t.Errorf("every %d: the resumed grid differs: %s", every, firstDifference(got, want))
		}
		if left, _ := filepath.Glob(filepath.Join(dir, "*checkpoint*")); len(left) > 0 {
			t.Errorf("every %d: checkpoints left: %v", every, left)
		}
		// Everything is in the journal now: nothing is trained again.
		res, err = plan.RunWith(context.Background(), &grid.RunSettings{Journal: j})
		if err != nil || res.Computed != 0 || res.FromJournal != testGrid.Len() || outcomeBits(t, res.Outcomes) != want {
			t.Errorf("every %d: a finished grid: %d computed, %d from the journal, %v", every, res.Computed, res.FromJournal, err)
		}
	}
}

// TestRunWithDropsStaleCheckpoints: a checkpoint of another run is not
// resumed (the cell starts again), checkpoints of cells in the journal and
// temporary files a kill left are removed.
func TestRunWithDropsStaleCheckpoints(t *testing.T) {
	shard := grid.Shard{Index: 1, Count: 3}
	want := outcomeBits(t, reference(t, shard))
	plan := testPlan(t, shard, nil)
	dir := t.TempDir()
	j := openJournal(t, filepath.Join(dir, "j"), "map", "test")
	done, pending := plan.Cells[0].Index, plan.Cells[1].Index
	r, err := train.Run(context.Background(), plan.Jobs[0].Problem, &plan.Jobs[0].Settings)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(done, r); err != nil {
		t.Fatal(err)
	}
	// A checkpoint of another run: the same settings, another fingerprint.
	other := plan.Jobs[1].Settings
	other.Fingerprint = "another run"
	var saved *train.Checkpoint
	other.CheckpointEvery, other.Checkpoint = 50, func(c *train.Checkpoint) error { saved = c; return nil }
	other.Steps, other.MaxSteps = 60, 0
	if _, err := train.Run(context.Background(), plan.Jobs[1].Problem, &other); err != nil {
		t.Fatal(err)
	}
	stale := []string{j.CheckpointPath(done), filepath.Join(dir, ".j.cell-7.checkpoint.tmp123")}
	for _, p := range append(stale, j.CheckpointPath(pending)) {
		if err := saved.WriteFile(p); err != nil {
			t.Fatal(err)
		}
	}
	res, err := plan.RunWith(context.Background(), &grid.RunSettings{Journal: j, CheckpointEvery: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Continued != 0 || res.FromJournal != 1 || outcomeBits(t, res.Outcomes) != want {
		t.Errorf("%d continued, %d from the journal; outcomes equal: %v", res.Continued, res.FromJournal, outcomeBits(t, res.Outcomes) == want)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.cell-*")); len(left) > 0 {
		t.Errorf("files left: %v", left)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".j.cell-*")); len(left) > 0 {
		t.Errorf("files left: %v", left)
	}
}

// TestRunWithRefuses: a journal with a cell the plan does not hold (another
// shard's), and checkpoints without a journal.
func TestRunWithRefuses(t *testing.T) {
	j := openJournal(t, filepath.Join(t.TempDir(), "j"), "map", "test")
	if err := j.Append(0, &train.Result{Status: train.Converged}); err != nil {
		t.Fatal(err)
	}
	_, err := testPlan(t, grid.Shard{Index: 1, Count: 2}, nil).RunWith(context.Background(), &grid.RunSettings{Journal: j})
	if !errors.Is(err, grid.ErrOtherGrid) || !strings.Contains(err.Error(), "cell 0, which is not in shard 1/2") {
		t.Errorf("another shard's journal: error %v, want ErrOtherGrid", err)
	}
	_, err = testPlan(t, grid.Shard{}, nil).RunWith(context.Background(), &grid.RunSettings{CheckpointEvery: 10})
	if err == nil || !strings.HasPrefix(err.Error(), "grid: ") {
		t.Errorf("checkpoints without a journal: error %v", err)
	}
}

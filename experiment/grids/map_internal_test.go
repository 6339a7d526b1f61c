package grids

import (
	"math"
	"strings"
	"testing"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train/grid"
	"github.com/igr-project/igr/train/plots"
)

// handCells is a map of two rows whose numbers are known: in row 1 the best
// converged cell is lr 0.05, lr 0.09 is better but a seed diverged there, and
// lr 0.1 diverged for every seed; in row 2 the smallest lr reached the step
// cap.
func handCells() (*MapSummary, []MapCell) {
	nan := math.NaN()
	done := func(median float64) grid.Spread {
		return grid.Spread{Seeds: 3, Converged: 3, Min: median / 2, Median: median, Max: median * 2, Mean: median}
	}
	s := &MapSummary{X: grid.Axis{Name: "lr", Values: []float64{0.01, 0.05, 0.09, 0.1}},
		Y: grid.Axis{Name: "width", Values: []float64{1, 2}}, Seeds: 3, Tol: 1e-4, LR: number(0.01), Batch: new(int), Sigma: number(0), Lambda: number(0),
		Reference: &MapReference{Name: "reference", TestMSE: 0.06}}
	cells := []MapCell{
		{X: 0.01, Y: 1, Spread: done(0.5)},
		{X: 0.05, Y: 1, Spread: done(0.05)},
		{X: 0.09, Y: 1, Spread: grid.Spread{Seeds: 3, Converged: 2, Diverged: 1, Min: 0.001, Median: 0.002, Max: 0.003, Mean: 0.002}},
		{X: 0.1, Y: 1, Spread: grid.Spread{Seeds: 3, Diverged: 3, Min: nan, Median: nan, Max: nan, Mean: nan}},
		{X: 0.01, Y: 2, Spread: grid.Spread{Seeds: 3, MaxSteps: 3, Min: nan, Median: nan, Max: nan, Mean: nan}},
		{X: 0.05, Y: 2, Spread: done(0.1)},
		{X: 0.09, Y: 2, Spread: done(0.2)},
		{X: 0.1, Y: 2, Spread: done(0.3)},
	}
	return s, cells
}

func TestSummarizeRows(t *testing.T) {
	s, cells := handCells()
	rows := summarizeRows(s, cells)
	if len(rows) != 2 {
		t.Fatalf("%d rows, want 2", len(rows))
	}
	r := rows[0]
	if r.Y != 1 || r.BestX != 0.05 || r.BestTestMSE != 0.05 || r.FirstDivergedLR != 0.09 || r.SmallestX != 0.01 ||
		r.SmallestXTestMSE != 0.5 || math.Abs(float64(r.SmallestXOverBest)-10) > 1e-12 || r.ReachesReference == nil || !*r.ReachesReference {
		t.Errorf("row 1: %+v", r)
	}
	r = rows[1]
	if r.BestX != 0.05 || r.BestTestMSE != 0.1 || !math.IsNaN(float64(r.FirstDivergedLR)) || r.SmallestX != 0.01 ||
		!math.IsNaN(float64(r.SmallestXOverBest)) || *r.ReachesReference {
		t.Errorf("row 2: %+v", r)
	}
	// Without lr along x there is no diverging learning rate.
	s.X.Name = "scale"
	if r := summarizeRows(s, cells)[0]; !math.IsNaN(float64(r.FirstDivergedLR)) {
		t.Errorf("x is scale: first diverging lr %g", float64(r.FirstDivergedLR))
	}
}

func TestMapFigureMarksCells(t *testing.T) {
	s, cells := handCells()
	s.Rows = summarizeRows(s, cells)
	f, err := MapFigure(s, cells)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := plots.SVG(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"all runs diverged", "some runs diverged", "step cap reached", "first diverging lr",
		"lr (learning rate η)", "width (hidden units m)", "test MSE", "median of 3 seeds"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the heat map does not show %q", want)
		}
	}
	// A map in which every run diverged is still drawn.
	for i := range cells {
		cells[i].Spread = grid.Spread{Seeds: 1, Diverged: 1, Min: math.NaN(), Median: math.NaN(), Max: math.NaN(), Mean: math.NaN()}
	}
	s.Rows = summarizeRows(s, cells)
	if f, err = MapFigure(s, cells); err != nil {
		t.Fatal(err)
	}
	if _, err := plots.PNG(f); err != nil {
		t.Fatal(err)
	}
	if _, err := MapLinesFigure(s, cells); err != nil {
		t.Fatal(err)
	}
}

func number(v float64) *experiment.Number {
	n := experiment.Number(v)
	return &n
}

package grids

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
	"github.com/igr-project/igr/train/plots/plotstest"
)

// The sweep figure: its legend covers no point, the x axis can be read
// to the grid's spacing, and the title gives the tolerance.
func TestSweepFigureLayout(t *testing.T) {
	var rows []experiment.RunRow
	for _, lr := range plotstest.BlogLRs() {
		r := experiment.RunRow{LR: lr, Status: train.Converged, TestMSE: plotstest.BlogTestMSE(lr, 0)}
		if math.IsNaN(r.TestMSE) {
			r.Status, r.TestMSE = train.Diverged, math.Inf(1)
		}
		rows = append(rows, r)
	}
	p, err := SweepFigure(rows, 2.536, 3e-5)
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(p, "converged", "diverged (drawn at top)", "constant predictor 1"); err != nil {
		t.Error(err)
	}
	if want := "to train MSE < 3e-05"; !strings.Contains(p.Title.Text, want) {
		t.Errorf("title %q, want it to say %q", p.Title.Text, want)
	}
	if err := plotstest.CheckAxes(p, 7, 3); err != nil {
		t.Error(err)
	}
}

// The sweep figure over seeds: the same, with the band.
func TestBandFigureLayout(t *testing.T) {
	var cells []MapCell
	for _, lr := range plotstest.BlogLRs() {
		lo, mid, hi := plotstest.BlogTestMSE(lr, -0.005), plotstest.BlogTestMSE(lr, 0), plotstest.BlogTestMSE(lr, 0.005)
		c := MapCell{X: lr, Spread: grid.Spread{Seeds: 5, Converged: 5, Min: math.Min(lo, hi) / 2, Median: mid, Max: math.Max(lo, hi) * 2}}
		if math.IsNaN(lo) || math.IsNaN(mid) || math.IsNaN(hi) {
			c.Spread = grid.Spread{Seeds: 5, Diverged: 5, Min: math.NaN(), Median: math.NaN(), Max: math.NaN()}
		}
		cells = append(cells, c)
	}
	p, err := BandFigure(cells, 2.536, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(p, "median", "min–max", "some seeds diverged", "constant predictor 1 (first seed)"); err != nil {
		t.Error(err)
	}
	if want := fmt.Sprintf("to train MSE < %g, 5 seeds", train.DefaultTol); !strings.Contains(p.Title.Text, want) {
		t.Errorf("title %q, want it to say %q", p.Title.Text, want)
	}
}

// lambdaMap is a map of λ (log-spaced) × lr shaped as the λ maps of docs/maps.md
// map: flat test MSE, a dip just below where each row diverges, and the
// diverged cells of the rows at the same λ.
func lambdaMap() (*MapSummary, []MapCell) {
	var lambdas []float64
	for k := range 25 {
		lambdas = append(lambdas, 1e-4*math.Pow(10, float64(k)/6))
	}
	lrs := []float64{0.001, 0.003, 0.01}
	s := &MapSummary{X: grid.Axis{Name: "lambda", Values: lambdas}, Y: grid.Axis{Name: "lr", Values: lrs}, Seeds: 1,
		Tol: 1e-4, Batch: new(int), Sigma: number(0), ConstantTestMSE: 2.536, Reference: &MapReference{Name: "GD at its best lr 0.096 (reference)", TestMSE: 0.00216}}
	var cells []MapCell
	for i, lr := range lrs {
		edge := []float64{2, 0.4, 0.12}[i]
		for _, l := range lambdas {
			c := MapCell{X: l, Y: lr, Spread: grid.Spread{Seeds: 1, Converged: 1}}
			switch {
			case l > edge:
				c.Spread = grid.Spread{Seeds: 1, Diverged: 1}
				c.Min, c.Median, c.Max = math.NaN(), math.NaN(), math.NaN()
			default:
				m := 0.66 + 2*l
				if l > edge/2 {
					m = 0.02 + 0.6*(edge-l)/edge
				}
				c.Min, c.Median, c.Max = m, m, m
			}
			cells = append(cells, c)
		}
	}
	return s, cells
}

// widthMap is a map of lr × width shaped as the lr × width map of docs/maps.md: ten rows,
// whose edges of divergence move right as the width grows.
func widthMap() (*MapSummary, []MapCell) {
	var lrs []float64
	for i := 1; i <= 40; i++ {
		lrs = append(lrs, 0.01*float64(i))
	}
	widths := []float64{10, 20, 30, 50, 75, 100, 150, 200, 300, 400}
	s := &MapSummary{X: grid.Axis{Name: "lr", Values: lrs}, Y: grid.Axis{Name: "width", Values: widths}, Seeds: 3,
		Tol: 1e-4, Batch: new(int), Sigma: number(0), Lambda: number(0), ConstantTestMSE: 2.536}
	var cells []MapCell
	for _, w := range widths {
		shift := 0.1 * (math.Sqrt(w/100) - 1)
		for _, lr := range lrs {
			m := plotstest.BlogTestMSE(lr, shift)
			c := MapCell{X: lr, Y: w, Spread: grid.Spread{Seeds: 3, Converged: 3, Min: m, Median: m, Max: m}}
			if math.IsNaN(m) {
				c.Spread = grid.Spread{Seeds: 3, Diverged: 3, Min: m, Median: m, Max: m}
			}
			cells = append(cells, c)
		}
	}
	return s, cells
}

// A map's lines: the legend covers nothing, whether it fits in a corner or
// not, and each row's diverged crosses stand apart from the others'.
func TestMapLinesFigureLayout(t *testing.T) {
	for name, m := range map[string]func() (*MapSummary, []MapCell){"lambda × lr": lambdaMap, "lr × width": widthMap} {
		s, cells := m()
		s.Rows = summarizeRows(s, cells)
		p, err := MapLinesFigure(s, cells)
		if err != nil {
			t.Fatal(err)
		}
		var entries []string
		for _, y := range s.Y.Values {
			entries = append(entries, fmt.Sprintf("%s %g", s.Y.Name, y))
		}
		entries = append(entries, "diverged (drawn at top)", "constant predictor 1")
		if s.Reference != nil {
			entries = append(entries, s.Reference.Name)
		}
		if err := plotstest.CheckLegend(p, entries...); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if err := plotstest.CheckAxes(p, 4, 3); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		d := plotstest.Draw(p)
		legend, err := d.Legend(entries...)
		if err != nil {
			t.Fatal(err)
		}
		diverged := 0
		for _, c := range cells {
			if c.Diverged > 0 {
				diverged++
			}
		}
		crosses := d.Crosses(legend)
		if len(crosses) != diverged {
			t.Errorf("%s: %d crosses drawn, want one per cell with diverged runs, %d", name, len(crosses), diverged)
		}
		if err := plotstest.Overlapping(crosses); err != nil {
			t.Errorf("%s: crosses of two rows: %v", name, err)
		}
	}
}

// The heat map of a map: its legend, beside the map, covers none of it.
func TestMapFigureLayout(t *testing.T) {
	s, cells := widthMap()
	s.Rows = summarizeRows(s, cells)
	f, err := MapFigure(s, cells)
	if err != nil {
		t.Fatal(err)
	}
	if err := plotstest.CheckLegend(f, "all runs diverged", "first diverging lr"); err != nil {
		t.Error(err)
	}
}

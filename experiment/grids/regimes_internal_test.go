package grids

import (
	"math"
	"testing"

	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
	"github.com/igr-project/igr/train/regime"
)

// curvatureRows are the runs of a map of two rows and three seeds whose
// curvature is known: the seeds start at sharpness 40, 50 and 60 in every
// cell; row 1's smallest lr converges stable at sharpness 60, 70 and 80 and
// test MSE 1, lr 0.05 is a catapult for two seeds and ends at sharpness 20
// and test MSE 0.05, lr 0.09 diverges; in row 2 one seed of the smallest lr
// is at the edge, so λ_GF comes from the two others.
func curvatureRows() (*MapSummary, []MapRow) {
	s := &MapSummary{X: grid.Axis{Name: "lr", Values: []float64{0.01, 0.05, 0.09}},
		Y: grid.Axis{Name: "width", Values: []float64{1, 2}}, Seeds: 3, TrackSharpness: 10}
	var rows []MapRow
	for _, y := range []float64{1, 2} {
		for seed, init := range []float64{40, 50, 60} {
			small := MapRow{X: 0.01, Y: y, Seed: uint64(seed), Status: train.Converged, Regime: regime.Stable,
				SharpnessInit: init, SharpnessFinal: 60 + 10*float64(seed), TestMSE: 1}
			if y == 2 && seed == 0 {
				small.Regime, small.SharpnessFinal = regime.Edge, 1000
			}
			middle := MapRow{X: 0.05, Y: y, Seed: uint64(seed), Status: train.Converged, Regime: regime.Catapult, SharpnessInit: init,
				SharpnessFinal: 20, TestMSE: 0.05}
			if seed == 2 {
				middle.Regime = regime.Stable
			}
			last := MapRow{X: 0.09, Y: y, Seed: uint64(seed), Status: train.Diverged, Regime: regime.Diverged,
				SharpnessInit: init, SharpnessFinal: math.NaN()}
			rows = append(rows, small, middle, last)
		}
	}
	return s, rows
}

func TestAddCurvature(t *testing.T) {
	s, rows := curvatureRows()
	cells := Cells(rows)
	s.Rows = summarizeRows(s, cells)
	addCurvature(s, rows, cells)
	for i, wantGF := range []float64{70, 75} {
		r := s.Rows[i].RowCurvature
		if r.Lambda0 != 50 || math.Abs(float64(r.TwoOverLambda0)-0.04) > 1e-15 || math.Abs(float64(r.FourOverLambda0)-0.08) > 1e-15 {
			t.Errorf("row %d: λ₀ %g, 2/λ₀ %g, 4/λ₀ %g; want 50, 0.04, 0.08", i, r.Lambda0, r.TwoOverLambda0, r.FourOverLambda0)
		}
		if float64(r.LambdaGF) != wantGF || math.Abs(float64(r.TwoOverLambdaGF)-2/wantGF) > 1e-15 || math.Abs(float64(r.FourOverLambdaGF)-4/wantGF) > 1e-15 ||
			math.Abs(float64(r.FirstDivergedLRTimesLambdaGF)-0.09*wantGF) > 1e-12 {
			t.Errorf("row %d: λ_GF %g, 2/λ_GF %g, 4/λ_GF %g, η_div·λ_GF %g; want %g", i, r.LambdaGF, r.TwoOverLambdaGF, r.FourOverLambdaGF,
				r.FirstDivergedLRTimesLambdaGF, wantGF)
		}
		if math.Abs(float64(r.ThreeOverLambda0)-0.06) > 1e-15 || math.Abs(float64(r.BenefitLRTimesLambda0)-2.5) > 1e-12 ||
			math.Abs(float64(r.TenfoldLRTimesLambda0)-2.5) > 1e-12 {
			t.Errorf("row %d: 3/λ₀ %g, benefit and tenfold lr × λ₀ %g, %g; want 0.06, 2.5, 2.5", i, r.ThreeOverLambda0, r.BenefitLRTimesLambda0, r.TenfoldLRTimesLambda0)
		}
		wantUnstable := 0.05
		if i == 1 {
			wantUnstable = 0.01
		}
		if float64(r.FirstUnstableLR) != wantUnstable || math.Abs(float64(r.FirstDivergedLRTimesLambda0)-4.5) > 1e-12 {
			t.Errorf("row %d: first unstable lr %g, η_div·λ₀ %g; want %g, 4.5", i, r.FirstUnstableLR, r.FirstDivergedLRTimesLambda0, wantUnstable)
		}
		wantCell := CellRegimes{LR: 0.05, Gain: 20, Stable: 1, Catapult: 2}
		if r.BenefitLR != 0.05 || r.TenfoldLR != 0.05 || len(r.Tenfold) != 1 || math.Abs(float64(r.Tenfold[0].Gain-20)) > 1e-12 {
			t.Errorf("row %d: benefit from lr %g, tenfold from %g, cells %+v; want 0.05, 0.05, %+v", i, r.BenefitLR, r.TenfoldLR, r.Tenfold, wantCell)
		} else if got := r.Tenfold[0]; got.Stable != 1 || got.Catapult != 2 || got.Edge+got.Diverged+got.Unclassified != 0 {
			t.Errorf("row %d: tenfold cell %+v, want %+v", i, got, wantCell)
		}
		if r.NearEdgeLR != 0.05 || r.NearEdgeSharpness != 20 || math.Abs(float64(r.NearEdgeRatio)-0.5) > 1e-12 ||
			math.Abs(float64(r.NearEdgeOverGF)-20/wantGF) > 1e-12 {
			t.Errorf("row %d: near the edge lr %g, sharpness %g, ηS/2 %g, over λ_GF %g; want 0.05, 20, 0.5, %g",
				i, r.NearEdgeLR, r.NearEdgeSharpness, r.NearEdgeRatio, r.NearEdgeOverGF, 20/wantGF)
		}
	}
	if c := cells[1]; c.Catapult != 2 || c.Stable != 1 || c.Edge != 0 || c.Unclassified != 0 {
		t.Errorf("lr 0.05, row 1: regimes %+v, want 2 catapults and 1 stable", c.Regimes)
	}
	// Without lr along x, the curvature of a row is not reported.
	s.X.Name = "scale"
	addCurvature(s, rows, cells)
	if !math.IsNaN(float64(s.Rows[0].Lambda0)) || TheoryLines(s) != nil {
		t.Errorf("x is scale: λ₀ %g, lines %v", s.Rows[0].Lambda0, TheoryLines(s))
	}
}

func TestRegimeGrid(t *testing.T) {
	s, rows := curvatureRows()
	cells := Cells(rows)
	// A cell whose runs have no regime (not tracked) stays empty.
	for i := range cells {
		if cells[i].X == 0.01 && cells[i].Y == 1 {
			cells[i].Regimes = Regimes{}
		}
	}
	got, mixed := regimeGrid(s, cells)
	index := func(g regime.Regime) int {
		for i, n := range regimeNames {
			if n == g {
				return i
			}
		}
		return -2
	}
	want := [][]int{{-1, index(regime.Catapult), index(regime.Diverged)}, {index(regime.Stable), index(regime.Catapult), index(regime.Diverged)}}
	wantMixed := [][]bool{{false, true, false}, {true, true, false}}
	for r := range want {
		for c := range want[r] {
			if got[r][c] != want[r][c] || mixed[r][c] != wantMixed[r][c] {
				t.Errorf("row %d, column %d: regime %d (mixed %v), want %d (%v)", r, c, got[r][c], mixed[r][c], want[r][c], wantMixed[r][c])
			}
		}
	}
}

func TestColumnPosition(t *testing.T) {
	linear := []float64{0.01, 0.05, 0.09, 0.1}
	logs := []float64{0.01, 0.1, 1}
	for _, c := range []struct {
		values []float64
		v      float64
		want   float64
	}{
		{linear, 0.01, 0}, {linear, 0.03, 0.5}, {linear, 0.095, 2.5}, {linear, 0.1, 3}, {linear, 0.005, -0.125},
		{linear, 0.2, math.NaN()}, {linear, 0, math.NaN()}, {linear, math.NaN(), math.NaN()},
		{logs, math.Sqrt(0.1 * 1), 1.5}, {logs, 0.01, 0}, {logs, 1e-4, math.NaN()},
	} {
		got := ColumnPosition(c.values, c.v)
		if math.IsNaN(c.want) != math.IsNaN(got) || !math.IsNaN(got) && math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%g among %v: %g, want %g", c.v, c.values, got, c.want)
		}
	}
}

package grids

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"text/tabwriter"

	"gonum.org/v1/plot/vg"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/plots"
	"github.com/igr-project/igr/train/regime"
)

// RowCurvature is what the curvature says of a row of a map whose x is the
// learning rate: where the theory puts the edges of the regimes, and where
// the runs put them. Numbers that do not exist are null.
//
// Every run of a row with the same seed starts from the same parameters, so
// λ₀ is a property of the row. λ_GF approximates the sharpness where
// gradient flow ends by that of the row's smallest learning rate, the
// better the smaller that rate (docs/curvature.md measures how much it
// moves on the blog's problem).
type RowCurvature struct {
	// Lambda0 is the median over the row's runs of sharpness_init, the
	// top eigenvalue of the Hessian at initialization; TwoOverLambda0 is
	// 2/λ₀, the step above which GD is unstable from its first step (the
	// catapult's threshold), FourOverLambda0 4/λ₀, the largest step a
	// catapult survives in the wide two-layer linear network of Lewkowycz
	// et al. (2020), and ThreeOverLambda0 3/λ₀, where on the blog's
	// problem the large step's benefit begins (docs/curvature.md).
	Lambda0          experiment.Number `json:"lambda0"`
	TwoOverLambda0   experiment.Number `json:"two_over_lambda0"`
	ThreeOverLambda0 experiment.Number `json:"three_over_lambda0"`
	FourOverLambda0  experiment.Number `json:"four_over_lambda0"`
	// LambdaGF is the median sharpness_final of the row's smallest
	// learning rate over its runs that converged and stayed stable (every
	// run, where the sharpness was not tracked); TwoOverLambdaGF is 2/λ_GF,
	// the step at which the sharpness a small-step run ends at meets the
	// edge of stability, FourOverLambdaGF 4/λ_GF, below the first
	// diverging learning rate in every row of the blog's maps.
	LambdaGF         experiment.Number `json:"lambda_gf"`
	TwoOverLambdaGF  experiment.Number `json:"two_over_lambda_gf"`
	FourOverLambdaGF experiment.Number `json:"four_over_lambda_gf"`
	// FirstUnstableLR is the smallest learning rate at which some run of
	// the row was not stable (a catapult, at the edge, unclassified or
	// diverged); absent where the sharpness was not tracked.
	FirstUnstableLR experiment.Number `json:"first_unstable_lr"`
	// FirstDivergedLRTimesLambda0 is η_div·λ₀, FirstDivergedLR (the
	// smallest learning rate at which some run diverged) times Lambda0:
	// 2 if GD diverged as soon as it is unstable at initialization, 4 at
	// the wide linear network's catapult limit.
	FirstDivergedLRTimesLambda0 experiment.Number `json:"first_diverged_lr_times_lambda0"`
	// FirstDivergedLRTimesLambdaGF is η_div·λ_GF.
	FirstDivergedLRTimesLambdaGF experiment.Number `json:"first_diverged_lr_times_lambda_gf"`

	// Where the large step's benefit begins: BenefitLR is the smallest
	// learning rate whose median test MSE is at most half the smallest
	// learning rate's, TenfoldLR the smallest at which it is at most a
	// tenth (among cells in which every run finished). Tenfold lists those
	// cells, each with its runs by regime.
	BenefitLR experiment.Number `json:"benefit_lr"`
	TenfoldLR experiment.Number `json:"tenfold_lr"`
	Tenfold   []CellRegimes     `json:"tenfold_cells"`
	// BenefitLRTimesLambda0 and TenfoldLRTimesLambda0 are those learning
	// rates times λ₀: 2 where the benefit begins at 2/λ₀.
	BenefitLRTimesLambda0 experiment.Number `json:"benefit_lr_times_lambda0"`
	TenfoldLRTimesLambda0 experiment.Number `json:"tenfold_lr_times_lambda0"`

	// Where the near-edge runs end: NearEdgeLR is the largest learning rate
	// below FirstDivergedLR (the largest of the row if none diverged) at
	// which every run converged, NearEdgeSharpness the median of its runs'
	// sharpness_final, NearEdgeRatio ηS/2 there (1 is 2/η) and
	// NearEdgeOverGF that sharpness over LambdaGF, the smallest learning
	// rate's: below 1, the large step ends flatter.
	NearEdgeLR        experiment.Number `json:"near_edge_lr"`
	NearEdgeSharpness experiment.Number `json:"near_edge_sharpness"`
	NearEdgeRatio     experiment.Number `json:"near_edge_ratio"`
	NearEdgeOverGF    experiment.Number `json:"near_edge_over_lambda_gf"`
}

// CellRegimes is a cell of a row, its gain (the smallest learning rate's
// median test MSE over the cell's) and its runs by regime.
type CellRegimes struct {
	LR           experiment.Number `json:"lr"`
	Gain         experiment.Number `json:"gain"`
	Stable       int               `json:"stable"`
	Edge         int               `json:"edge"`
	Catapult     int               `json:"catapult"`
	Diverged     int               `json:"diverged"`
	Unclassified int               `json:"unclassified"`
}

// addCurvature fills in the RowCurvature of every row of a map whose x is
// the learning rate, from its runs and cells.
func addCurvature(s *MapSummary, rows []MapRow, cells []MapCell) {
	nan := experiment.Number(math.NaN())
	for i := range s.Rows {
		r := &s.Rows[i]
		r.RowCurvature = RowCurvature{Lambda0: nan, TwoOverLambda0: nan, ThreeOverLambda0: nan, FourOverLambda0: nan, LambdaGF: nan,
			TwoOverLambdaGF: nan, FourOverLambdaGF: nan, FirstUnstableLR: nan, FirstDivergedLRTimesLambda0: nan,
			FirstDivergedLRTimesLambdaGF: nan, BenefitLR: nan, TenfoldLR: nan, Tenfold: []CellRegimes{}, BenefitLRTimesLambda0: nan,
			TenfoldLRTimesLambda0: nan, NearEdgeLR: nan, NearEdgeSharpness: nan, NearEdgeRatio: nan, NearEdgeOverGF: nan}
		if s.X.Name != "lr" {
			continue
		}
		y := float64(r.Y)
		if s.Y.Name == "" {
			y = 0
		}
		var init, final []float64
		smallest := slices.Min(s.X.Values)
		for _, run := range rows {
			if run.Y != y {
				continue
			}
			if finite(run.SharpnessInit) {
				init = append(init, run.SharpnessInit)
			}
			stable := run.Regime == regime.Stable || s.TrackSharpness == 0
			if run.X == smallest && run.Status == train.Converged && stable && finite(run.SharpnessFinal) {
				final = append(final, run.SharpnessFinal)
			}
			if s.TrackSharpness > 0 && run.Regime != "" && run.Regime != regime.Stable {
				r.FirstUnstableLR = minNumber(r.FirstUnstableLR, experiment.Number(run.X))
			}
		}
		if len(init) > 0 {
			r.Lambda0 = experiment.Number(median(init))
			r.TwoOverLambda0, r.ThreeOverLambda0, r.FourOverLambda0 = 2/r.Lambda0, 3/r.Lambda0, 4/r.Lambda0
			r.FirstDivergedLRTimesLambda0 = r.FirstDivergedLR * r.Lambda0
		}
		if len(final) > 0 {
			r.LambdaGF = experiment.Number(median(final))
			r.TwoOverLambdaGF, r.FourOverLambdaGF = 2/r.LambdaGF, 4/r.LambdaGF
			r.FirstDivergedLRTimesLambdaGF = r.FirstDivergedLR * r.LambdaGF
		}
		r.addGains(y, cells)
		r.BenefitLRTimesLambda0, r.TenfoldLRTimesLambda0 = r.BenefitLR*r.Lambda0, r.TenfoldLR*r.Lambda0
		r.addNearEdge(y, rows, cells)
	}
}

// addGains finds, among the cells of row y (in increasing lr), where the
// median test MSE falls to a half and to a tenth of the smallest lr's.
func (r *MapRowSummary) addGains(y float64, cells []MapCell) {
	base := float64(r.SmallestXTestMSE)
	if math.IsNaN(base) {
		return
	}
	for _, c := range rowCells(y, cells) {
		if !c.Finished() {
			continue
		}
		gain := base / c.Median
		if gain >= 2 && math.IsNaN(float64(r.BenefitLR)) {
			r.BenefitLR = experiment.Number(c.X)
		}
		if gain >= 10 {
			r.TenfoldLR = minNumber(r.TenfoldLR, experiment.Number(c.X))
			r.Tenfold = append(r.Tenfold, CellRegimes{LR: experiment.Number(c.X), Gain: experiment.Number(gain), Stable: c.Stable,
				Edge: c.Edge, Catapult: c.Catapult, Diverged: c.Diverged, Unclassified: c.Unclassified})
		}
	}
}

// addNearEdge finds the near-edge cell of row y and where its runs end.
func (r *MapRowSummary) addNearEdge(y float64, rows []MapRow, cells []MapCell) {
	for _, c := range rowCells(y, cells) {
		below := math.IsNaN(float64(r.FirstDivergedLR)) || c.X < float64(r.FirstDivergedLR)
		if below && c.Seeds > 0 && c.Converged == c.Seeds {
			r.NearEdgeLR = experiment.Number(c.X)
		}
	}
	if math.IsNaN(float64(r.NearEdgeLR)) {
		return
	}
	var final []float64
	for _, run := range rows {
		if run.Y == y && run.X == float64(r.NearEdgeLR) && finite(run.SharpnessFinal) {
			final = append(final, run.SharpnessFinal)
		}
	}
	if len(final) == 0 {
		return
	}
	r.NearEdgeSharpness = experiment.Number(median(final))
	r.NearEdgeRatio = r.NearEdgeLR * r.NearEdgeSharpness / 2
	r.NearEdgeOverGF = r.NearEdgeSharpness / r.LambdaGF
}

// rowCells returns the cells of row y, in increasing x.
func rowCells(y float64, cells []MapCell) []MapCell {
	var out []MapCell
	for _, c := range cells {
		if c.Y == y {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b MapCell) int { return cmp.Compare(a.X, b.X) })
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// median is the median of values, which it sorts.
func median(values []float64) float64 {
	slices.Sort(values)
	n := len(values)
	if n%2 == 1 {
		return values[n/2]
	}
	return (values[n/2-1] + values[n/2]) / 2
}

// The regimes of the regime map, in the order of its legend, and their
// colours (Okabe–Ito, as plots.Palette).
var (
	regimeNames  = []regime.Regime{regime.Stable, regime.Edge, regime.Catapult, regime.Diverged, regime.Unclassified}
	regimeColors = []color.Color{
		color.RGBA{86, 180, 233, 255}, // sky blue
		color.RGBA{230, 159, 0, 255},  // orange
		color.RGBA{0, 158, 115, 255},  // green
		color.RGBA{213, 94, 0, 255},   // vermillion
		color.Gray{Y: 190},
	}
)

// counts are a cell's runs by regime, in the order of regimeNames.
func (c MapCell) counts() []int {
	return []int{c.Stable, c.Edge, c.Catapult, c.Diverged, c.Unclassified}
}

// MapRegimesFigure draws the regimes of a map's cells: each cell in the
// colour of the regime most of its runs are in (the first in the legend's
// order on a tie), a dot where its runs are in several, white where none
// has a regime (the sharpness was not tracked, or every run was
// interrupted); and, when x is the learning rate, the theory's lines of
// every row (TheoryLines).
func MapRegimesFigure(s *MapSummary, cells []MapCell) (*plots.CategoryMapFigure, error) {
	g := newMapGrid(s)
	g.Title = fmt.Sprintf("Regime of most %s: %s\n%s", runsNoun(s), axisTitle(s), s.describe())
	c := plots.Categories{
		Grid:      g.Grid,
		Colors:    regimeColors,
		MixedName: "runs in several regimes",
		Lines:     TheoryLines(s),
	}
	for _, r := range regimeNames {
		c.Names = append(c.Names, string(r))
	}
	c.Cell, c.Mixed = regimeGrid(s, cells)
	return plots.CategoryMap(c)
}

// regimeGrid returns, for every row and column of a map, the index in
// regimeNames of the regime of most of the cell's runs (the first on a tie,
// −1 where none has one) and whether its runs are in several.
func regimeGrid(s *MapSummary, cells []MapCell) (regimes [][]int, mixed [][]bool) {
	g := newMapGrid(s)
	regimes, mixed = filled(g, -1), filled(g, false)
	for _, cell := range cells {
		i, j, ok := g.place(cell)
		if !ok {
			continue
		}
		best, kinds := -1, 0
		counts := cell.counts()
		for k, n := range counts {
			if n > 0 {
				kinds++
				if best < 0 || n > counts[best] {
					best = k
				}
			}
		}
		regimes[i][j], mixed[i][j] = best, kinds > 1
	}
	return regimes, mixed
}

// runsNoun names the runs of a cell, for titles.
func runsNoun(s *MapSummary) string {
	if s.Seeds > 1 {
		return fmt.Sprintf("%d seeds", s.Seeds)
	}
	return "runs"
}

// MapCurvatureFigure is the map's heat map of test MSE (MapFigure) with the
// theory's lines of every row drawn over it (TheoryLines): where the large
// step's benefit begins, against where the curvature says the regimes
// change. It has nothing to draw without a line.
func MapCurvatureFigure(s *MapSummary, cells []MapCell) (*plots.HeatMapFigure, error) {
	lines := TheoryLines(s)
	if len(lines) == 0 {
		return nil, plots.ErrNothingToDraw
	}
	f, err := MapFigure(s, cells)
	if err != nil {
		return nil, err
	}
	if err := plots.AddRowLines(f.Map, &f.Legend, len(s.rowValues()), lines); err != nil {
		return nil, err
	}
	return f, nil
}

// TheoryLines are the lines of a map whose x is the learning rate, one
// position per row, λ₀ and λ_GF the row's (RowCurvature): η = 2/λ₀ (long
// dashes), where GD is unstable from its first step; η = 2/λ_GF (short
// dashes), where the sharpness a small step ends at is; and two lines found
// predictive on the blog's maps (docs/curvature.md), η = 3/λ₀ (dash-dot),
// where the benefit of the large step begins, and η = 4/λ_GF (dots), below
// the first diverging learning rate. Each is drawn where it falls between
// the columns (see ColumnPosition) and left out of a row where it falls
// outside the map or does not exist; a solid line is the heat map's first
// diverging learning rate. None when x is not the learning rate.
func TheoryLines(s *MapSummary) []plots.RowLine {
	if s.X.Name != "lr" {
		return nil
	}
	defs := []struct {
		name   string
		value  func(RowCurvature) experiment.Number
		dashes []vg.Length
	}{
		{"η = 2/λ₀", func(r RowCurvature) experiment.Number { return r.TwoOverLambda0 }, []vg.Length{vg.Points(8), vg.Points(3)}},
		{"η = 2/λ_GF", func(r RowCurvature) experiment.Number { return r.TwoOverLambdaGF }, []vg.Length{vg.Points(3), vg.Points(2)}},
		{"η = 3/λ₀", func(r RowCurvature) experiment.Number { return r.ThreeOverLambda0 },
			[]vg.Length{vg.Points(6), vg.Points(2), vg.Points(1), vg.Points(2)}},
		{"η = 4/λ_GF", func(r RowCurvature) experiment.Number { return r.FourOverLambdaGF }, []vg.Length{vg.Points(1), vg.Points(2.5)}},
	}
	var lines []plots.RowLine
	for _, d := range defs {
		l := plots.RowLine{Name: d.name, Dashes: d.dashes, X: make([]float64, len(s.Rows))}
		drawn := false
		for i, r := range s.Rows {
			l.X[i] = ColumnPosition(s.X.Values, float64(d.value(r.RowCurvature)))
			drawn = drawn || !math.IsNaN(l.X[i])
		}
		if drawn {
			lines = append(lines, l)
		}
	}
	return lines
}

// ColumnPosition is where v falls among the columns of a heat map whose
// column c stands for values[c] (increasing): c where v is values[c], and
// between two columns in proportion to v's distance from their values, on
// a log scale when the values span two decades or more. Half a column
// beyond the first and the last is extrapolated so; farther out, and for a
// v that is not a finite positive number, it is NaN.
func ColumnPosition(values []float64, v float64) float64 {
	n := len(values)
	if n == 0 || !(v > 0) || math.IsInf(v, 0) {
		return math.NaN()
	}
	f := func(x float64) float64 { return x }
	if lo, hi := values[0], values[n-1]; lo > 0 && hi/lo >= 100 {
		f = math.Log
	}
	if n == 1 {
		if v == values[0] {
			return 0
		}
		return math.NaN()
	}
	i := 0
	for i < n-2 && v > values[i+1] {
		i++
	}
	pos := float64(i) + (f(v)-f(values[i]))/(f(values[i+1])-f(values[i]))
	if pos < -0.5 || pos > float64(n)-0.5 || math.IsNaN(pos) {
		return math.NaN()
	}
	return pos
}

// writeCurvature prints every row's curvature, when x is the learning rate.
func (s *MapSummary) writeCurvature(w io.Writer) error {
	if s.X.Name != "lr" {
		return nil
	}
	f := func(v experiment.Number) string {
		if math.IsNaN(float64(v)) {
			return "—"
		}
		return fmt.Sprintf("%.4g", float64(v))
	}
	y := s.Y.Name
	if y == "" {
		y = "row"
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "\n%s\tλ₀\t2/λ₀\tλ_GF\t2/λ_GF\tfirst unstable lr\t2× from lr\t(·λ₀)\t10× from lr\t(·λ₀)\tη_div·λ₀\tη_div·λ_GF\tnear-edge lr\tits ηS/2\tits S/λ_GF\n", y)
	for _, r := range s.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f(r.Y), f(r.Lambda0), f(r.TwoOverLambda0), f(r.LambdaGF),
			f(r.TwoOverLambdaGF), f(r.FirstUnstableLR), f(r.BenefitLR), f(r.BenefitLRTimesLambda0), f(r.TenfoldLR), f(r.TenfoldLRTimesLambda0),
			f(r.FirstDivergedLRTimesLambda0), f(r.FirstDivergedLRTimesLambdaGF), f(r.NearEdgeLR), f(r.NearEdgeRatio), f(r.NearEdgeOverGF))
	}
	return tw.Flush()
}

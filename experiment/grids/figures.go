package grids

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/plots"
)

// SweepFigure draws test MSE against learning rate of runs trained to
// training MSE < tol, with the constant predictor's test MSE as a reference
// line (none if NaN).
func SweepFigure(rows []experiment.RunRow, constantTestMSE, tol float64) (*plots.Plot, error) {
	pts := make([]plots.SweepPoint, len(rows))
	for i, r := range rows {
		pts[i] = plots.SweepPoint{LR: r.LR, TestMSE: r.TestMSE, Status: string(r.Status)}
	}
	return plots.Sweep("Test MSE after GD "+toTol(tol), pts,
		plots.Reference{Name: "constant predictor 1", Value: constantTestMSE})
}

// MapFigure draws a map as a heat map: the median test MSE of every cell on a
// log colour scale beside its colour bar; cells in which every run diverged
// are crossed, some diverged marked with a plus, cells that only reached the
// step cap ringed, and, when x is the learning rate, a line left of the
// first diverging learning rate of every row.
func MapFigure(s *MapSummary, cells []MapCell) (*plots.HeatMapFigure, error) {
	g := newMapGrid(s)
	g.Title = fmt.Sprintf("%s: %s\n%s", mapStatistic(s), axisTitle(s), s.describe())
	h := plots.Heat{
		Grid:   g.Grid,
		ZLabel: "test MSE",
		Z:      filled(g, math.NaN()),
		Marks:  filled(g, plots.NoMark),
	}
	if s.X.Name == "lr" {
		h.Edge, h.EdgeName = make([]int, len(g.Rows)), "first diverging lr"
		for i, r := range s.Rows {
			h.Edge[i] = -1
			if c, ok := g.column[float64(r.FirstDivergedLR)]; ok {
				h.Edge[i] = c
			}
		}
	}
	for _, c := range cells {
		i, j, ok := g.place(c)
		if !ok {
			continue
		}
		h.Z[i][j] = c.Median
		switch {
		case c.Diverged > 0 && c.Diverged == c.Seeds:
			h.Marks[i][j] = plots.AllDiverged
		case c.Diverged > 0:
			h.Marks[i][j] = plots.SomeDiverged
		case c.Converged+c.Completed == 0 && c.MaxSteps > 0:
			h.Marks[i][j] = plots.Capped
		}
	}
	return plots.HeatMap(h)
}

// mapGrid lays a map out as its heat maps draw it: row i is the i-th value
// of y (MapSummary.rowValues), column j the j-th value of x. It holds the
// grid the heat maps are drawn on, without a title: the labels of both
// axes and their tick labels (one empty label for the row of a map without
// y); and the row and column of every value.
type mapGrid struct {
	plots.Grid
	column, row map[float64]int
}

func newMapGrid(s *MapSummary) mapGrid {
	ys := s.rowValues()
	g := mapGrid{
		Grid: plots.Grid{XLabel: axisLabel(s.X.Name), YLabel: axisLabel(s.Y.Name),
			Columns: tickLabels(s.X.Values), Rows: tickLabels(ys)},
		column: make(map[float64]int), row: make(map[float64]int)}
	if s.Y.Name == "" {
		g.Rows = []string{""}
	}
	for j, x := range s.X.Values {
		g.column[x] = j
	}
	for i, y := range ys {
		g.row[y] = i
	}
	return g
}

// place returns the row and column of a cell, and false for a cell whose x
// or y is not on the axes.
func (g mapGrid) place(c MapCell) (i, j int, ok bool) {
	i, okY := g.row[c.Y]
	j, okX := g.column[c.X]
	return i, j, okY && okX
}

// filled returns a value per cell of the grid, every one v.
func filled[T any](g mapGrid, v T) [][]T {
	out := make([][]T, len(g.Rows))
	for i := range out {
		out[i] = make([]T, len(g.Columns))
		for j := range out[i] {
			out[i][j] = v
		}
	}
	return out
}

// MapLinesFigure draws a map as curves: the median test MSE against x, one
// curve per row, with the constant predictor's test MSE and, if the map has
// one, the reference sweep's best as reference lines.
func MapLinesFigure(s *MapSummary, cells []MapCell) (*plots.Plot, error) {
	ys := s.rowValues()
	series := make([]plots.SweepSeries, len(ys))
	index := map[float64]int{}
	for i, y := range ys {
		index[y] = i
		if s.Y.Name != "" {
			series[i].Name = fmt.Sprintf("%s %g", s.Y.Name, y)
		}
	}
	finished := "converged"
	if s.Steps > 0 {
		finished = "completed"
	}
	for _, c := range cells {
		i, ok := index[c.Y]
		if !ok {
			continue
		}
		status := finished
		switch {
		case !math.IsNaN(c.Median):
		case c.Diverged > 0:
			status = "diverged"
		default:
			status = "max_steps"
		}
		series[i].Points = append(series[i].Points, plots.SweepPoint{LR: c.X, TestMSE: c.Median, Status: status})
	}
	refs := []plots.Reference{{Name: "constant predictor 1", Value: float64(s.ConstantTestMSE)}}
	if s.Reference != nil {
		refs = append(refs, plots.Reference{Name: s.Reference.Name, Value: float64(s.Reference.TestMSE)})
	}
	p, err := plots.Sweeps(fmt.Sprintf("%s against %s\n%s", mapStatistic(s), s.X.Name, s.describe()), series, refs...)
	if err != nil {
		return nil, err
	}
	p.X.Label.Text = axisLabel(s.X.Name)
	if lo, hi := minMax(s.X.Values); lo > 0 && hi/lo >= 100 {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plots.LogTicks
	}
	return p, nil
}

// toTol says where runs stopped: "to train MSE < 0.0001"; a tolerance of
// 0 means train.DefaultTol.
func toTol(tol float64) string {
	if tol <= 0 {
		tol = train.DefaultTol
	}
	return fmt.Sprintf("to train MSE < %g", tol)
}

// tickLabels labels the values of an axis of a heat map: on a log-spaced
// axis (values over two decades or more) only its powers of ten, if it has
// two or more; otherwise every value.
func tickLabels(values []float64) []string {
	labels := make([]string, len(values))
	powers := 0
	lo, hi := minMax(values)
	for i, v := range values {
		labels[i] = plots.ValueLabel(v)
		if e := math.Log10(v); lo > 0 && hi/lo >= 100 && math.Abs(e-math.Round(e)) < 1e-9 {
			powers++
		}
	}
	if powers < 2 {
		return labels
	}
	for i, v := range values {
		if e := math.Log10(v); math.Abs(e-math.Round(e)) >= 1e-9 {
			labels[i] = ""
		}
	}
	return labels
}

// mapStatistic names what a map's figures show.
func mapStatistic(s *MapSummary) string {
	if s.Seeds > 1 {
		return fmt.Sprintf("Test MSE, median of %d seeds", s.Seeds)
	}
	return "Test MSE"
}

// axisTitle names the axes of a map, "lr × width".
func axisTitle(s *MapSummary) string {
	if s.Y.Name == "" {
		return s.X.Name
	}
	return s.X.Name + " × " + s.Y.Name
}

// axisLabel labels an axis with its hyperparameter's help.
func axisLabel(name string) string {
	for _, h := range experiment.Axes {
		if h.Name == name {
			return name + " (" + h.Help + ")"
		}
	}
	return name
}

func minMax(v []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range v {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	return lo, hi
}

package plots

import (
	"fmt"
	"image/color"
	"math"
	"strconv"
	"unicode/utf8"

	gonumpalette "gonum.org/v1/plot/palette"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Figure is anything Encode and Save can render: a *Plot, a *plot.Plot, or
// a figure of several panels such as a heat map with its colour bar.
type Figure interface {
	Draw(draw.Canvas)
}

var (
	_ Figure = (*plot.Plot)(nil)
	_ Figure = (*HeatMapFigure)(nil)
)

// Mark flags a cell of a heat map.
type Mark int

// The marks of a heat map's cells.
const (
	NoMark       Mark = iota
	AllDiverged       // every run of the cell diverged: a cross
	SomeDiverged      // some runs diverged: a plus
	Capped            // no run finished, some reached the step cap: a ring
)

// Grid is the labelled grid of cells that a heat map (Heat) and a
// categorical heat map (Categories) are drawn on: a title, the labels of
// both axes, and a label per column and per row. Cells are drawn the same
// size whatever the spacing of the values they stand for, and the axes are
// labelled with those values.
type Grid struct {
	Title          string
	XLabel, YLabel string
	// Columns and Rows label the columns (left to right) and the rows
	// (bottom to top); an empty label leaves its column or row unlabelled,
	// and of the others as many are shown as fit. The cells of a grid come
	// as cells[r][c] for row r and column c.
	Columns, Rows []string
}

// checkCells returns an error unless cells has a row per label of g.Rows
// and, in each, a cell per label of g.Columns; the error wraps
// ErrNothingToDraw when there is no cell or the first row does not fit the
// labels. (A function, not a method of Grid: methods cannot have type
// parameters.)
func checkCells[T any](g Grid, cells [][]T) error {
	rows := len(cells)
	if rows == 0 || len(cells[0]) == 0 || len(g.Rows) != rows || len(g.Columns) != len(cells[0]) {
		return fmt.Errorf("%d rows of cells, %d row labels, %d column labels: %w", rows, len(g.Rows), len(g.Columns), ErrNothingToDraw)
	}
	for r := range cells {
		if len(cells[r]) != len(g.Columns) {
			return fmt.Errorf("row %d has %d cells, want %d", r, len(cells[r]), len(g.Columns))
		}
	}
	return nil
}

// Heat is what a heat map shows: a value per cell of a grid, drawn on a log
// colour scale.
type Heat struct {
	Grid
	// Z[r][c] is the value of row r and column c. Values a log scale
	// cannot show (NaN, zero, negative) leave the cell grey.
	Z [][]float64
	// Marks, if not nil, marks cells as Z does.
	Marks [][]Mark
	// Edge, if not nil, gives for every row the column left of which a
	// line is drawn, such as the first diverging learning rate; a
	// negative value draws none on that row. EdgeName labels it.
	Edge     []int
	EdgeName string
	// ZLabel labels the colour bar.
	ZLabel string
}

// HeatMapFigure is a heat map beside its colour bar and legend.
type HeatMapFigure struct {
	Map, Bar *plot.Plot
	Legend   plot.Legend
}

// barWidth is the width of the colour bar's panel.
const barWidth = 1.8 * vg.Inch

// Draw draws the map and, on its right, the colour bar over the height of
// the map's data and the legend under it.
func (f *HeatMapFigure) Draw(c draw.Canvas) {
	left := draw.Crop(c, 0, -barWidth, 0, 0)
	f.Map.Draw(left)
	data := f.Map.DataCanvas(left)
	right := draw.Crop(c, c.Max.X-c.Min.X-barWidth+vg.Points(8), 0, 0, 0)
	bar := right
	bar.Min.Y, bar.Max.Y = data.Min.Y+(data.Max.Y-data.Min.Y)*0.45, data.Max.Y
	bar.Max.X = bar.Min.X + 0.9*vg.Inch
	f.Bar.Draw(bar)
	legend := right
	legend.Max.Y = bar.Min.Y - vg.Points(14)
	f.Legend.Draw(legend)
}

// The colours of cells without a value (the middle of the colour scale is
// a light grey) and of marks.
var (
	emptyCell = color.White
	markColor = color.Black
)

// HeatMap draws h: the cells coloured by log10 of their values on a
// perceptually smooth blue–red scale with a colour bar, marked cells and
// the edge line.
func HeatMap(h Heat) (*HeatMapFigure, error) {
	if err := checkCells(h.Grid, h.Z); err != nil {
		return nil, fmt.Errorf("plots: heat map: %w", err)
	}
	rows, cols := len(h.Rows), len(h.Columns)
	logs := make([][]float64, rows)
	zr := newSpan()
	for r := range h.Z {
		logs[r] = make([]float64, cols)
		for c, v := range h.Z[r] {
			logs[r][c] = math.NaN()
			if usable(v, true) {
				logs[r][c] = math.Log10(v)
				zr.add(logs[r][c])
			}
		}
	}
	if math.IsInf(zr.min, 1) {
		zr = span{-1, 0}
	}
	if zr.max-zr.min < 0.1 {
		zr.min, zr.max = zr.min-0.5, zr.max+0.5
	}
	cm := moreland.SmoothBlueRed()
	cm.SetMin(zr.min)
	cm.SetMax(zr.max)

	p, legend := cellGrid(h.Grid, logs, cm.Palette(256), zr.min, zr.max)
	for _, m := range []struct {
		mark  Mark
		shape draw.GlyphDrawer
		name  string
	}{{AllDiverged, draw.CrossGlyph{}, "all runs diverged"}, {SomeDiverged, draw.PlusGlyph{}, "some runs diverged"},
		{Capped, draw.RingGlyph{}, "step cap reached"}} {
		var pts plotter.XYs
		for r := range h.Marks {
			for c, mk := range h.Marks[r] {
				if mk == m.mark {
					pts = append(pts, plotter.XY{X: float64(c), Y: float64(r)})
				}
			}
		}
		if len(pts) == 0 {
			continue
		}
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, fmt.Errorf("plots: heat map: %w", err)
		}
		// Marks shrink on grids of many cells, so that they stay inside theirs.
		s.GlyphStyle = draw.GlyphStyle{Color: markColor, Radius: vg.Points(math.Min(4, 100/float64(max(cols, rows)))), Shape: m.shape}
		p.Add(s)
		legend.Add(m.name, s)
	}
	if err := addEdge(p, &legend, h); err != nil {
		return nil, err
	}

	bar := plot.New()
	bar.HideX()
	bar.Y.Label.Text = h.ZLabel
	bar.Y.Tick.Marker = log10Ticks{}
	bar.Y.Padding = 0
	bar.Add(&plotter.ColorBar{ColorMap: cm, Vertical: true})
	return &HeatMapFigure{Map: p, Bar: bar, Legend: legend}, nil
}

// addEdge draws the edge line of h on p: on each row, a vertical segment
// left of the edge's column, joined across neighbouring rows.
func addEdge(p *plot.Plot, legend *plot.Legend, h Heat) error {
	var run plotter.XYs
	var lines []plotter.XYs
	for r := range h.Edge {
		e := h.Edge[r]
		if r >= len(h.Z) || e < 0 {
			if len(run) > 0 {
				lines, run = append(lines, run), nil
			}
			continue
		}
		x := float64(e) - 0.5
		run = append(run, plotter.XY{X: x, Y: float64(r) - 0.5}, plotter.XY{X: x, Y: float64(r) + 0.5})
	}
	if len(run) > 0 {
		lines = append(lines, run)
	}
	for i, pts := range lines {
		l, err := plotter.NewLine(pts)
		if err != nil {
			return fmt.Errorf("plots: heat map: %w", err)
		}
		l.LineStyle = draw.LineStyle{Color: markColor, Width: vg.Points(2.5)}
		p.Add(l)
		if i == 0 {
			legend.Add(h.EdgeName, l)
		}
	}
	return nil
}

// indexGrid is a plotter.GridXYZ of values in index space: column c at x = c,
// row r at y = r.
type indexGrid struct{ z [][]float64 }

func (g indexGrid) Dims() (int, int)   { return len(g.z[0]), len(g.z) }
func (g indexGrid) Z(c, r int) float64 { return g.z[r][c] }
func (g indexGrid) X(c int) float64    { return float64(c) }
func (g indexGrid) Y(r int) float64    { return float64(r) }

// indexTicks labels positions 0, 1, … with labels; an empty label leaves
// its position unlabelled. Of the others, every k-th is labelled, k as
// small as lets them fit side by side on a figure's axis.
type indexTicks []string

func (t indexTicks) Ticks(_, _ float64) []plot.Tick {
	labelled, longest := 0, 1
	for _, l := range t {
		if l != "" {
			labelled++
			longest = max(longest, utf8.RuneCountInString(l))
		}
	}
	fit := max(2, 64/(longest+2)) // labels that fit along an axis of a standard figure
	every := (labelled + fit - 1) / fit
	ticks := make([]plot.Tick, len(t))
	k := 0
	for i, l := range t {
		ticks[i].Value = float64(i)
		if l != "" {
			if k%every == 0 {
				ticks[i].Label = l
			}
			k++
		}
	}
	return ticks
}

// log10Ticks marks an axis of log10 values with the values themselves, as
// logTicks marks a log axis.
type log10Ticks struct{}

func (log10Ticks) Ticks(min, max float64) []plot.Tick {
	ticks := logTicks{}.Ticks(math.Pow(10, min), math.Pow(10, max))
	for i := range ticks {
		ticks[i].Value = math.Log10(ticks[i].Value)
	}
	return ticks
}

// ValueLabel writes an axis value briefly, to three significant digits.
func ValueLabel(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

// cellGrid is a plot of g with the cells of z, cell (r, c) at x = c, y = r,
// coloured by pal from zmin to zmax (a NaN cell left empty), its ticks the
// labels of g's columns and rows; and the legend at its top left that the
// map's marks go into.
func cellGrid(g Grid, z [][]float64, pal gonumpalette.Palette, zmin, zmax float64) (*plot.Plot, plot.Legend) {
	p := plot.New()
	p.Title.Text = g.Title
	p.X.Label.Text, p.Y.Label.Text = g.XLabel, g.YLabel
	hm := plotter.NewHeatMap(indexGrid{z: z}, pal)
	hm.Min, hm.Max = zmin, zmax
	hm.NaN = emptyCell
	p.Add(hm)
	p.X.Tick.Marker, p.Y.Tick.Marker = indexTicks(g.Columns), indexTicks(g.Rows)
	p.X.Min, p.X.Max = -0.5, float64(len(g.Columns))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(g.Rows))-0.5
	p.X.Padding, p.Y.Padding = 0, 0

	legend := plot.NewLegend()
	legend.Top, legend.Left = true, true
	legend.TextStyle.Font.Size = vg.Points(9)
	legend.Padding = vg.Points(3) // room between the entries
	return p, legend
}

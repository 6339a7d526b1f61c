package plots

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Categories is what a categorical heat map shows: one of a few named
// categories per cell of a grid, such as the regime of the runs of a map's
// cell.
type Categories struct {
	Grid
	// Names are the categories, in the order of the legend, and Colors
	// their colours (at least two).
	Names  []string
	Colors []color.Color
	// Cell[r][c] indexes Names for row r and column c; a negative value
	// leaves the cell white.
	Cell [][]int
	// Mixed, if not nil, marks cells whose runs fall in several categories
	// (Cell shows the most common) with a dot, named MixedName in the
	// legend.
	Mixed     [][]bool
	MixedName string
	// Lines are drawn over the cells, row by row.
	Lines []RowLine
}

// RowLine is a line drawn over a heat map at a position of its own on every
// row, such as η = 2/λ₀ where λ₀ changes from row to row: on row r, a
// vertical segment across the row at X[r], in units of columns (column c is
// centred on c; fractions fall between columns), joined to the next row's.
// A NaN X[r] draws nothing on row r.
type RowLine struct {
	Name string
	X    []float64
	// Dashes, if not nil, dash the line; Color nil means black.
	Dashes []vg.Length
	Color  color.Color
}

// CategoryMapFigure is a categorical heat map beside its legend.
type CategoryMapFigure struct {
	Map    *plot.Plot
	Legend plot.Legend
}

var _ Figure = (*CategoryMapFigure)(nil)

// Draw draws the map and, on its right, the legend.
func (f *CategoryMapFigure) Draw(c draw.Canvas) {
	left := draw.Crop(c, 0, -barWidth, 0, 0)
	f.Map.Draw(left)
	data := f.Map.DataCanvas(left)
	right := draw.Crop(c, c.Max.X-c.Min.X-barWidth+vg.Points(8), 0, 0, 0)
	right.Max.Y = data.Max.Y
	f.Legend.Draw(right)
}

// CategoryMap draws c: every cell in its category's colour, mixed cells
// dotted, and the row lines.
func CategoryMap(c Categories) (*CategoryMapFigure, error) {
	if err := checkCells(c.Grid, c.Cell); err != nil {
		return nil, fmt.Errorf("plots: category map: %w", err)
	}
	if len(c.Names) < 2 || len(c.Colors) != len(c.Names) {
		return nil, fmt.Errorf("plots: category map: %d categories with %d colours; want two or more, a colour each", len(c.Names), len(c.Colors))
	}
	rows, cols := len(c.Rows), len(c.Columns)
	z := make([][]float64, rows)
	for r := range c.Cell {
		z[r] = make([]float64, cols)
		for col, k := range c.Cell[r] {
			switch {
			case k >= len(c.Names):
				return nil, fmt.Errorf("plots: category map: row %d, column %d: category %d of %d", r, col, k, len(c.Names))
			case k < 0:
				z[r][col] = math.NaN()
			default:
				z[r][col] = float64(k)
			}
		}
	}
	// With Min 0, Max k−1 and k colours, category i takes colour i.
	p, legend := cellGrid(c.Grid, z, palette(c.Colors), 0, float64(len(c.Names)-1))
	for i, name := range c.Names {
		legend.Add(name, swatch{c.Colors[i]})
	}
	var mixed plotter.XYs
	for r := range c.Mixed {
		for col, m := range c.Mixed[r] {
			if m {
				mixed = append(mixed, plotter.XY{X: float64(col), Y: float64(r)})
			}
		}
	}
	if len(mixed) > 0 {
		s, err := plotter.NewScatter(mixed)
		if err != nil {
			return nil, fmt.Errorf("plots: category map: %w", err)
		}
		s.GlyphStyle = draw.GlyphStyle{Color: markColor, Radius: vg.Points(math.Min(2.5, 60/float64(max(cols, rows)))), Shape: draw.CircleGlyph{}}
		p.Add(s)
		legend.Add(c.MixedName, s)
	}
	if err := AddRowLines(p, &legend, rows, c.Lines); err != nil {
		return nil, err
	}
	return &CategoryMapFigure{Map: p, Legend: legend}, nil
}

// AddRowLines draws lines over a heat map of rows rows, p (Heat's or
// Categories'), naming each in legend.
func AddRowLines(p *plot.Plot, legend *plot.Legend, rows int, lines []RowLine) error {
	for _, rl := range lines {
		var run plotter.XYs
		var parts []plotter.XYs
		for r := range rows {
			if r >= len(rl.X) || math.IsNaN(rl.X[r]) || math.IsInf(rl.X[r], 0) {
				if len(run) > 0 {
					parts, run = append(parts, run), nil
				}
				continue
			}
			run = append(run, plotter.XY{X: rl.X[r], Y: float64(r) - 0.5}, plotter.XY{X: rl.X[r], Y: float64(r) + 0.5})
		}
		if len(run) > 0 {
			parts = append(parts, run)
		}
		col := rl.Color
		if col == nil {
			col = markColor
		}
		for i, pts := range parts {
			l, err := plotter.NewLine(pts)
			if err != nil {
				return fmt.Errorf("plots: row line %s: %w", rl.Name, err)
			}
			l.LineStyle = draw.LineStyle{Color: col, Width: vg.Points(2), Dashes: rl.Dashes}
			p.Add(l)
			if i == 0 {
				legend.Add(rl.Name, l)
			}
		}
	}
	return nil
}

// palette is a fixed list of colours as a gonum palette.
type palette []color.Color

func (p palette) Colors() []color.Color { return p }

// swatch is a legend entry's box of a colour.
type swatch struct{ c color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y}}
	c.FillPolygon(s.c, c.ClipPolygonY(pts))
}

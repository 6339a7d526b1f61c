package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plot is a figure of one panel: a gonum/plot plot that lays itself out
// when it is drawn. Its legend goes where it covers none of the data (see
// Draw), its linear axes are marked by LinearTicks and get a margin, so
// that no marker is cut at an edge. Everything of plot.Plot can be set on
// it as on a plot.Plot; data must be added with Add, which records it.
type Plot struct {
	*plot.Plot
	// data are the plotters the legend must not cover.
	data []plot.Plotter
}

var _ Figure = (*Plot)(nil)

// New returns an empty Plot with linear axes marked by LinearTicks and a
// legend in 10-point type, as the axes' numbers.
func New() *Plot {
	p := plot.New()
	p.X.Tick.Marker, p.Y.Tick.Marker = LinearTicks, LinearTicks
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	return &Plot{Plot: p}
}

// Add adds plotters to the plot, as plot.Plot's Add does, and records them
// as data that the legend must not cover.
func (p *Plot) Add(ps ...plot.Plotter) {
	p.Plot.Add(ps...)
	p.data = append(p.data, ps...)
}

// linearMargin is the part of a linear axis's range added at each of its
// ends when the plot is drawn, so that markers at the extremes of the data
// are drawn whole and apart from the axes and the title.
const linearMargin = 0.03

// Draw draws the plot on c. The legend goes in the first corner of the
// data area, among top right, top left, bottom right and bottom left,
// where it covers no data (lines, markers, filled areas); when every
// corner would, it goes outside the data area: between the title and the
// data if it is short, else beside the data on the right. Legend.Top,
// Left, XOffs and YOffs are ignored. Linear axes are drawn with a margin
// of 3% of their range at each end; the labels of log axes are drawn
// centred on the data (see takeLogLabels).
func (p *Plot) Draw(c draw.Canvas) {
	defer widenLinear(&p.X)()
	defer widenLinear(&p.Y)()
	c, drawLabels := p.takeLogLabels(c)
	legend := p.Legend
	pl := p.placeLegend(c)
	if pl.none {
		p.Plot.Draw(c)
		drawLabels(c)
		return
	}
	inner := c
	switch {
	case pl.above > 0 && p.Title.Text != "":
		padding := p.Title.Padding
		p.Title.Padding += pl.above
		defer func() { p.Title.Padding = padding }()
	case pl.above > 0:
		inner.Max.Y -= pl.above
	case pl.right > 0:
		inner.Max.X -= pl.right
	}
	p.Legend = plot.NewLegend() // drawn below, where it was placed
	p.Plot.Draw(inner)
	p.Legend = legend
	drawLabels(inner)
	drawLegend(c, legend, pl)
}

// takeLogLabels takes the labels off log axes, for the plot to be drawn
// without them on the canvas it returns, and returns the function that
// draws them beside the data drawn on that canvas. gonum/plot pads the
// data area as if the label of a log axis were centred at the arithmetic
// middle of the axis's range, near its top or right end, so that a long
// label pushes the data far from the title or from the right edge.
func (p *Plot) takeLogLabels(c draw.Canvas) (draw.Canvas, func(draw.Canvas)) {
	logAxis := func(a *plot.Axis) bool {
		_, linear := a.Scale.(plot.LinearScale)
		return !linear && a.Label.Text != ""
	}
	var draws []func(c, data draw.Canvas)
	if logAxis(&p.Y) {
		label := p.Y.Label
		descent := label.TextStyle.FontExtents().Descent
		height := label.TextStyle.Height(label.Text)
		p.Y.Label.Text = ""
		left := c.Min.X
		c.Min.X += descent + height + label.Padding
		draws = append(draws, func(inner, data draw.Canvas) {
			// Where gonum/plot draws a vertical axis's label, centred on
			// the data.
			sty := label.TextStyle
			sty.Rotation += math.Pi / 2
			inner.FillText(sty, vg.Point{X: left + height - descent, Y: data.Center().Y}, label.Text)
			p.Y.Label.Text = label.Text
		})
	}
	if logAxis(&p.X) {
		label := p.X.Label
		descent := label.TextStyle.FontExtents().Descent
		bottom := c.Min.Y
		p.X.Label.Text = ""
		c.Min.Y += label.TextStyle.Height(label.Text) + label.Padding
		draws = append(draws, func(inner, data draw.Canvas) {
			// Where gonum/plot draws a horizontal axis's label, centred
			// on the data.
			inner.FillText(label.TextStyle, vg.Point{X: data.Center().X, Y: bottom + descent}, label.Text)
			p.X.Label.Text = label.Text
		})
	}
	return c, func(inner draw.Canvas) {
		data := p.DataCanvas(inner) // as drawn, without the labels
		for _, d := range draws {
			d(inner, data)
		}
	}
}

// widenLinear widens a linear axis's range by linearMargin at both ends and
// returns the function that restores it.
func widenLinear(a *plot.Axis) func() {
	if _, ok := a.Scale.(plot.LinearScale); !ok || !(a.Max > a.Min) {
		return func() {}
	}
	lo, hi := a.Min, a.Max
	d := (hi - lo) * linearMargin
	a.Min, a.Max = lo-d, hi+d
	return func() { a.Min, a.Max = lo, hi }
}

// legendBackground is the colour behind a legend, which hides the grid
// lines under it.
var legendBackground = color.White

// drawLegend draws l with its box at pl.box, on a background.
func drawLegend(c draw.Canvas, l plot.Legend, pl placement) {
	// Up to the edges of the data area, for a legend in a corner.
	c.SetColor(legendBackground)
	c.Fill(grow(pl.box, legendGap).Path())
	l.Top, l.Left = true, pl.left
	l.XOffs, l.YOffs = 0, 0
	// Legend.Draw puts the top of its first entry a descent below the top
	// of the canvas it is given.
	area := pl.box
	area.Max.Y += l.TextStyle.FontExtents().Descent
	l.Draw(draw.Canvas{Canvas: c.Canvas, Rectangle: area})
}

// legendGap is the least distance between a legend and the data, and
// between a legend placed in a corner and the edges of the data area.
const legendGap = vg.Length(4)

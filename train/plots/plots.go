package plots

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strconv"

	"github.com/igr-project/igr/internal/atomicfile"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Size of the figures, a column of a two-column paper at 2:1.5.
const (
	Width  = 6 * vg.Inch
	Height = 4.5 * vg.Inch
)

// ErrNothingToDraw is returned for a figure without a single drawable point.
var ErrNothingToDraw = errors.New("nothing to draw")

// Formats are the file formats Save writes.
var Formats = []string{"png", "svg"}

// Palette is the color cycle of the figures (Okabe–Ito, readable with color
// vision deficiencies).
var Palette = []color.Color{
	color.RGBA{0, 114, 178, 255},   // blue
	color.RGBA{213, 94, 0, 255},    // vermillion
	color.RGBA{0, 158, 115, 255},   // green
	color.RGBA{204, 121, 167, 255}, // purple
	color.RGBA{230, 159, 0, 255},   // orange
	color.RGBA{86, 180, 233, 255},  // sky blue
	color.RGBA{0, 0, 0, 255},       // black
}

// margin is the room left free along the right edge of a figure, so that
// nothing drawn touches it.
const margin = vg.Length(4)

// Encode renders f in format ("png", "svg", "pdf", "eps") at the standard
// size, leaving a margin of 4 points along the right edge.
func Encode(f Figure, format string) ([]byte, error) {
	c, err := draw.NewFormattedCanvas(Width, Height, format)
	if err != nil {
		return nil, fmt.Errorf("plots: %w", err)
	}
	Draw(f, c)
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("plots: %w", err)
	}
	return buf.Bytes(), nil
}

// Draw draws f on c as Encode does, leaving the margin along the right
// edge.
func Draw(f Figure, c vg.CanvasSizer) {
	f.Draw(draw.Crop(draw.New(c), 0, -margin, 0, 0))
}

// PNG renders f as PNG bytes at the standard size, as a notebook displays it.
func PNG(f Figure) ([]byte, error) { return Encode(f, "png") }

// SVG renders f as an SVG document at the standard size.
func SVG(f Figure) (string, error) {
	b, err := Encode(f, "svg")
	return string(b), err
}

// Save writes f to base.png and base.svg (see Formats), each atomically.
func Save(f Figure, base string) error {
	for _, format := range Formats {
		b, err := Encode(f, format)
		if err != nil {
			return err
		}
		if err := atomicfile.WriteBytes(base+"."+format, b); err != nil {
			return fmt.Errorf("plots: %s: %w", filepath.Base(base), err)
		}
	}
	return nil
}

// XY is a set of points.
type XY struct {
	X, Y []float64
}

// Data draws the regression data: the target y against the first input x0,
// training and test sets in two colors.
func Data(train, test XY) (*Plot, error) {
	p := New()
	p.Title.Text = "Data: y = x0²"
	p.X.Label.Text = "x0"
	p.Y.Label.Text = "y"
	for i, set := range []struct {
		name string
		xy   XY
	}{{"train", train}, {"test", test}} {
		s, err := plotter.NewScatter(finitePoints(set.xy, false, false))
		if err != nil {
			return nil, fmt.Errorf("plots: data: %w", err)
		}
		s.GlyphStyle.Color = Palette[i]
		s.GlyphStyle.Radius = vg.Points(2)
		if i == 1 {
			s.GlyphStyle.Shape = draw.CrossGlyph{}
		}
		p.Add(s)
		p.Legend.Add(set.name, s)
	}
	p.Add(plotter.NewGrid())
	return p, nil
}

// SweepPoint is one run of a learning-rate sweep.
type SweepPoint struct {
	LR      float64
	TestMSE float64
	// Status is "converged", "diverged", "max_steps", or another status,
	// each drawn with its own marker.
	Status string
}

// Reference is a horizontal line drawn for comparison, such as the error of
// the constant predictor.
type Reference struct {
	Name  string
	Value float64
}

// AddLevel draws a dashed horizontal line at height y from x = from to
// x = to, in color c, named in the legend: a level the data is compared
// with, such as 2/η beside a sharpness.
func (p *Plot) AddLevel(name string, y, from, to float64, c color.Color) error {
	l, err := plotter.NewLine(plotter.XYs{{X: from, Y: y}, {X: to, Y: y}})
	if err != nil {
		return fmt.Errorf("plots: level %s: %w", name, err)
	}
	l.Color = c
	l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

// addReferences draws each reference with a value a log axis can show as a
// level across the x span, in the palette's colors from the fifth on.
func (p *Plot) addReferences(refs []Reference, xr span) error {
	for i, r := range refs {
		if usable(r.Value, true) {
			if err := p.AddLevel(r.Name, r.Value, xr.min, xr.max, Palette[(4+i)%len(Palette)]); err != nil {
				return err
			}
		}
	}
	return nil
}

// Sweep draws test MSE against learning rate on a log y axis. Converged runs
// (and runs that completed a fixed number of steps) are joined by a line; runs that hit the step cap are hollow markers; diverged
// runs, which have no meaningful error, are red crosses along the top edge, so
// the edge of divergence is visible rather than silently dropped.
func Sweep(title string, points []SweepPoint, refs ...Reference) (*Plot, error) {
	return Sweeps(title, []SweepSeries{{Points: points}}, refs...)
}

// newSweepPlot returns an empty figure of ylabel against the learning rate,
// on a log y axis.
func newSweepPlot(title, ylabel string) *Plot {
	p := New()
	p.Title.Text = title
	p.X.Label.Text = "learning rate η"
	p.Y.Label.Text = ylabel
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = logTicks{}
	return p
}

// SweepSeries is one curve of a sweep figure.
type SweepSeries struct {
	// Name labels the series in the legend; it may be empty for a figure
	// of one series.
	Name   string
	Points []SweepPoint
}

// Sweeps draws several sweeps on one figure, as Sweep draws one, each series
// in its own color. The legend names each series once, by its line, and
// each marker of a status once, in black; the diverged runs of each series
// are drawn at a height of their own along the top, so that the crosses of
// different series do not hide each other.
func Sweeps(title string, series []SweepSeries, refs ...Reference) (*Plot, error) {
	p := newSweepPlot(title, "test MSE")

	yr, xr := newSpan(), newSpan()
	diverging := 0 // series with diverged runs
	for _, sr := range series {
		some := false
		for _, pt := range sr.Points {
			xr.add(pt.LR)
			if pt.Status != "diverged" && usable(pt.TestMSE, true) {
				yr.add(pt.TestMSE)
			} else {
				some = true
			}
		}
		if some {
			diverging++
		}
	}
	yr = yr.withReferences(refs)
	edge := yr.max * 2 // diverged runs sit just above everything else
	lift := 1.0        // the ratio between the heights of two series' diverged runs
	if len(series) > 1 && diverging > 1 {
		lift = stackRatio(yr.min/2, edge*1.5, diverging)
	}
	one := len(series) == 1 && series[0].Name == ""
	// The markers of statuses other than converged, in black, each named
	// once after the series.
	statusEntries := map[string]bool{}
	var statusLabels []string
	var statusThumbs []plot.Thumbnailer
	level := 0
	for si, sr := range series {
		groups := map[string]XY{}
		var order []string
		top := edge * math.Pow(lift, float64(level))
		for _, pt := range sr.Points {
			key, y := pt.Status, pt.TestMSE
			if pt.Status == "diverged" || !usable(y, true) {
				key, y = "diverged", top
			}
			if _, ok := groups[key]; !ok {
				order = append(order, key)
			}
			g := groups[key]
			g.X = append(g.X, pt.LR)
			g.Y = append(g.Y, y)
			groups[key] = g
		}
		if _, ok := groups["diverged"]; ok {
			level++
		}
		col := Palette[si%len(Palette)]
		for i, key := range sortStatuses(order) {
			pts := finitePoints(groups[key], false, true)
			if len(pts) == 0 {
				continue
			}
			s, err := plotter.NewScatter(pts)
			if err != nil {
				return nil, fmt.Errorf("plots: sweep: %w", err)
			}
			s.GlyphStyle = statusGlyph(key, col)
			label := key
			switch key {
			case "converged", "completed":
				l, err := plotter.NewLine(pts)
				if err != nil {
					return nil, fmt.Errorf("plots: sweep: %w", err)
				}
				l.Color = col
				p.Add(l)
				if !one {
					p.Legend.Add(sr.Name, l, s)
				}
			case "diverged":
				if one {
					s.GlyphStyle.Color = divergedColor
				}
				label = "diverged (drawn at top)"
			default:
				if one {
					s.GlyphStyle.Color = Palette[(i+2)%len(Palette)]
				}
			}
			p.Add(s)
			switch {
			case one:
				p.Legend.Add(label, s)
			case key != "converged" && key != "completed" && !statusEntries[key]:
				statusEntries[key] = true
				thumb := *s
				thumb.GlyphStyle.Color = color.Black
				statusLabels, statusThumbs = append(statusLabels, label), append(statusThumbs, &thumb)
			}
		}
	}
	for i, label := range statusLabels {
		p.Legend.Add(label, statusThumbs[i])
	}
	if err := p.addReferences(refs, xr); err != nil {
		return nil, err
	}
	p.Y.Min, p.Y.Max = yr.min/2, edge*math.Pow(lift, float64(max(level-1, 0)))*1.5
	p.Y.Tick.Marker = ticksUpTo{logTicks{}, edge}
	p.Add(plotter.NewGrid())
	return p, nil
}

// ticksUpTo marks an axis as Ticker does, up to max: the diverged runs
// drawn above max have no value that an axis could give.
type ticksUpTo struct {
	plot.Ticker
	max float64
}

func (t ticksUpTo) Ticks(min, max float64) []plot.Tick {
	ticks := t.Ticker.Ticks(min, max)
	out := ticks[:0]
	for _, tk := range ticks {
		if tk.Value <= t.max*(1+1e-9) {
			out = append(out, tk)
		}
	}
	return out
}

// divergedColor marks diverged runs on a figure of one series.
var divergedColor = color.RGBA{200, 0, 0, 255}

// statusGlyph is the marker of a run of status key in color col: a dot
// for a run that converged or completed its steps, a cross for one that
// diverged, a ring otherwise.
func statusGlyph(key string, col color.Color) draw.GlyphStyle {
	switch key {
	case "converged", "completed":
		return draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: draw.CircleGlyph{}}
	case "diverged":
		return draw.GlyphStyle{Color: col, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}
	}
	return draw.GlyphStyle{Color: col, Radius: vg.Points(3), Shape: draw.RingGlyph{}}
}

// stackRatio is the ratio between n heights stacked above lo..hi on a log
// axis so that, on a figure of the standard height, neighbours are
// stackGap apart.
func stackRatio(lo, hi float64, n int) float64 {
	dataHeight := 0.75 * Height           // about the data area of a standard figure
	per := float64(stackGap / dataHeight) // part of the axis between two heights
	// The axis spans log(hi/lo) + (n-1)·log(ratio), and log(ratio) is per
	// of it.
	return math.Pow(hi/lo, per/math.Max(1-float64(n-1)*per, 0.25))
}

// stackGap separates the heights of the diverged runs of two series.
const stackGap = vg.Length(8)

// Curve is one line of a loss-curve figure.
type Curve struct {
	Name   string
	Steps  []float64
	Values []float64
	// Color indexes Palette; curves of one run share it.
	Color int
	// Dashed draws the curve dashed, e.g. the test error beside a solid
	// training error.
	Dashed bool
}

// Curves draws values against step with both axes logarithmic. Points that a
// log axis cannot show, step 0 among them, are left out.
func Curves(title, ylabel string, curves []Curve) (*Plot, error) {
	p := New()
	p.Title.Text = title
	p.X.Label.Text = "step"
	p.Y.Label.Text = ylabel
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = logTicks{}, logTicks{}
	drawn := 0
	xr, yr := newSpan(), newSpan()
	for _, c := range curves {
		pts := finitePoints(XY{X: c.Steps, Y: c.Values}, true, true)
		if len(pts) == 0 {
			continue
		}
		for _, pt := range pts {
			xr.add(pt.X)
			yr.add(pt.Y)
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return nil, fmt.Errorf("plots: curves: %w", err)
		}
		l.Color = Palette[c.Color%len(Palette)]
		l.Width = vg.Points(1.2)
		if c.Dashed {
			l.Dashes = []vg.Length{vg.Points(4), vg.Points(2)}
		}
		p.Add(l)
		p.Legend.Add(c.Name, l)
		drawn++
	}
	if drawn == 0 {
		return nil, fmt.Errorf("plots: curves %q: %w", title, ErrNothingToDraw)
	}
	// A log axis needs a positive range; gonum/plot pads a degenerate range
	// (one point) by ±1, which can cross zero.
	p.X.Min, p.X.Max = xr.logRange()
	p.Y.Min, p.Y.Max = yr.logRange()
	p.Add(plotter.NewGrid())
	return p, nil
}

// usable reports whether v can be drawn, on a log axis if log.
func usable(v float64, log bool) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && (!log || v > 0)
}

// finitePoints returns the points of xy that the axes can show.
func finitePoints(xy XY, logX, logY bool) plotter.XYs {
	pts := make(plotter.XYs, 0, len(xy.X))
	for i := range xy.X {
		if usable(xy.X[i], logX) && usable(xy.Y[i], logY) {
			pts = append(pts, plotter.XY{X: xy.X[i], Y: xy.Y[i]})
		}
	}
	return pts
}

// sortStatuses puts converged first and diverged last, keeping the rest in
// order of appearance.
func sortStatuses(keys []string) []string {
	out := make([]string, 0, len(keys))
	rank := func(k string) int {
		switch k {
		case "converged", "completed":
			return 0
		case "diverged":
			return 2
		}
		return 1
	}
	for r := 0; r < 3; r++ {
		for _, k := range keys {
			if rank(k) == r {
				out = append(out, k)
			}
		}
	}
	return out
}

// span is the range of some positive values.
type span struct{ min, max float64 }

func newSpan() span { return span{math.Inf(1), math.Inf(-1)} }

func (s *span) add(v float64) { s.min, s.max = math.Min(s.min, v), math.Max(s.max, v) }

// withReferences is s widened to the values of the references that a log
// axis can show, or the span of 1 alone when it is still empty.
func (s span) withReferences(refs []Reference) span {
	for _, r := range refs {
		if usable(r.Value, true) {
			s.add(r.Value)
		}
	}
	if math.IsInf(s.max, -1) {
		return span{1, 1}
	}
	return s
}

// logRange returns the range for a log axis, widened when it is a single
// value.
func (s span) logRange() (float64, float64) {
	if s.min == s.max {
		return s.min / 2, s.max * 2
	}
	return s.min, s.max
}

// Band summarizes one learning rate of a sweep over several seeds.
type Band struct {
	LR          float64
	Lo, Mid, Hi float64 // test MSE over the seeds that converged: min, median, max
	Runs        int     // seeds trained
	Diverged    int     // seeds that diverged
}

// SweepBand draws the median test MSE against learning rate with the band
// from the smallest to the largest over the seeds, on a log y axis; learning
// rates at which some seed diverged get a red cross along the top edge.
func SweepBand(title string, bands []Band, refs ...Reference) (*Plot, error) {
	p := newSweepPlot(title, "test MSE over seeds")
	yr, xr := newSpan(), newSpan()
	var lo, hi, mid, div plotter.XYs
	for _, b := range bands {
		xr.add(b.LR)
		if usable(b.Lo, true) && usable(b.Hi, true) && usable(b.Mid, true) {
			yr.add(b.Lo)
			yr.add(b.Hi)
			lo = append(lo, plotter.XY{X: b.LR, Y: b.Lo})
			hi = append(hi, plotter.XY{X: b.LR, Y: b.Hi})
			mid = append(mid, plotter.XY{X: b.LR, Y: b.Mid})
		}
	}
	yr = yr.withReferences(refs)
	edge := yr.max * 2
	for _, b := range bands {
		if b.Diverged > 0 {
			div = append(div, plotter.XY{X: b.LR, Y: edge})
		}
	}
	if len(mid) > 0 {
		ring := append(append(plotter.XYs{}, lo...), reversed(hi)...)
		poly, err := plotter.NewPolygon(ring)
		if err != nil {
			return nil, fmt.Errorf("plots: band: %w", err)
		}
		c := Palette[0].(color.RGBA)
		poly.Color = color.NRGBA{c.R, c.G, c.B, 60}
		poly.LineStyle.Width = 0
		p.Add(poly)
		l, s, err := plotter.NewLinePoints(mid)
		if err != nil {
			return nil, fmt.Errorf("plots: band: %w", err)
		}
		l.Color, s.Color, s.Shape, s.Radius = Palette[0], Palette[0], draw.CircleGlyph{}, vg.Points(3)
		p.Add(l, s)
		p.Legend.Add("median", l, s)
		p.Legend.Add("min–max", poly)
	}
	if len(div) > 0 {
		s, err := plotter.NewScatter(div)
		if err != nil {
			return nil, fmt.Errorf("plots: band: %w", err)
		}
		s.GlyphStyle = statusGlyph("diverged", divergedColor)
		p.Add(s)
		p.Legend.Add("some seeds diverged", s)
	}
	if err := p.addReferences(refs, xr); err != nil {
		return nil, err
	}
	p.Y.Min, p.Y.Max = yr.min/2, edge*1.5
	p.Y.Tick.Marker = ticksUpTo{logTicks{}, edge}
	p.Add(plotter.NewGrid())
	return p, nil
}

func reversed(xy plotter.XYs) plotter.XYs {
	out := make(plotter.XYs, len(xy))
	for i, v := range xy {
		out[len(xy)-1-i] = v
	}
	return out
}

// LogTicks marks a log axis as the project's figures do.
var LogTicks plot.Ticker = logTicks{}

// logTicks marks a log axis at the powers of ten, labelled 0.001, 0.01, …,
// 1000 and 1e-6, 1e5 beyond, and, on an axis spanning less than two decades,
// at 2× and 5× too. On an axis of more than maxLogLabels decades only
// every second (third, …) power is labelled, those whose exponent is a
// multiple of two (three, …), so that the labels stay apart.
type logTicks struct{}

// maxLogLabels is the most labels logTicks puts on an axis.
const maxLogLabels = 10

func (logTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.LogTicks{Prec: -1}.Ticks(min, max)
	labelled := 0
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = powerLabel(ticks[i].Value)
			labelled++
		}
	}
	if every := (labelled + maxLogLabels - 1) / maxLogLabels; every > 1 {
		for i := range ticks {
			if e := int(math.Round(math.Log10(ticks[i].Value))); e%every != 0 {
				ticks[i].Label = ""
			}
		}
	}
	if labelled >= 3 {
		return ticks
	}
	var out []plot.Tick
	for e := math.Floor(math.Log10(min)); e <= math.Ceil(math.Log10(max)); e++ {
		for _, m := range []float64{1, 2, 5} {
			v := m * math.Pow(10, e)
			if v >= min && v <= max {
				out = append(out, plot.Tick{Value: v, Label: powerLabel(v)})
			}
		}
	}
	return out
}

// powerLabel writes v, a small multiple of a power of ten, briefly.
func powerLabel(v float64) string {
	e := math.Floor(math.Log10(v) + 1e-9)
	m := math.Round(v / math.Pow(10, e))
	if e >= -3 && e <= 4 {
		return strconv.FormatFloat(m*math.Pow(10, e), 'f', int(math.Max(0, -e)), 64)
	}
	return fmt.Sprintf("%ge%d", m, int(e))
}

package plotstest

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/igr-project/igr/train/plots"
)

// Drawing is what a figure drew, in canvas coordinates (points, origin at
// the bottom left).
type Drawing struct {
	Size  vg.Point
	Texts []Text
	Marks []Mark
}

// Text is a string drawn, with the box of its glyphs: from the baseline's
// descent to its ascent, over its width.
type Text struct {
	String string
	Box    vg.Rectangle
	order  int // position among everything drawn
}

// Mark is a line or a filled shape.
type Mark struct {
	// Segments are the straight pieces of a line, or of the outline of a
	// filled shape; Arcs the boxes of its circular pieces.
	Segments [][2]vg.Point
	Arcs     []vg.Rectangle
	Filled   bool
	Width    vg.Length // of a line
	Color    color.Color
	Box      vg.Rectangle // around everything of the mark
	order    int
}

// Draw draws f at the standard size (plots.Encode's canvas) on a recording
// canvas and returns what was drawn.
func Draw(f plots.Figure) *Drawing {
	rec := &recorder.Canvas{}
	plots.Draw(f, sized{rec})
	d := &Drawing{Size: vg.Point{X: plots.Width, Y: plots.Height}}
	var col color.Color = color.Black
	width := vg.Length(1)
	transformed := false
	var saved []bool
	for i, a := range rec.Actions {
		switch a := a.(type) {
		case *recorder.SetColor:
			col = a.Color
		case *recorder.SetLineWidth:
			width = a.Width
		case *recorder.Push:
			saved = append(saved, transformed)
		case *recorder.Pop:
			if n := len(saved); n > 0 {
				transformed, saved = saved[n-1], saved[:n-1]
			}
		case *recorder.Rotate, *recorder.Translate, *recorder.Scale:
			transformed = true
		case *recorder.FillString:
			if transformed { // a rotated axis label
				continue
			}
			face := font.DefaultCache.Lookup(a.Font, a.Size)
			ext := face.Extents()
			d.Texts = append(d.Texts, Text{String: a.String, order: i, Box: vg.Rectangle{
				Min: vg.Point{X: a.Point.X, Y: a.Point.Y - ext.Descent},
				Max: vg.Point{X: a.Point.X + face.Width(a.String), Y: a.Point.Y + ext.Ascent}}})
		case *recorder.Stroke:
			if !transformed {
				d.Marks = append(d.Marks, markOf(a.Path, false, width, col, i))
			}
		case *recorder.Fill:
			if !transformed {
				d.Marks = append(d.Marks, markOf(a.Path, true, 0, col, i))
			}
		case *recorder.DrawImage:
			d.Marks = append(d.Marks, Mark{Filled: true, Color: col, Box: a.Rectangle, Arcs: []vg.Rectangle{a.Rectangle}, order: i})
		}
	}
	return d
}

// sized gives the recorder the size plots.Encode draws at.
type sized struct{ *recorder.Canvas }

func (sized) Size() (vg.Length, vg.Length) { return plots.Width, plots.Height }

// markOf turns a path into a mark.
func markOf(path vg.Path, filled bool, width vg.Length, col color.Color, order int) Mark {
	m := Mark{Filled: filled, Width: width, Color: col, order: order}
	box := vg.Rectangle{Min: vg.Point{X: math.MaxFloat32, Y: math.MaxFloat32}, Max: vg.Point{X: -math.MaxFloat32, Y: -math.MaxFloat32}}
	extend := func(p vg.Point) {
		box.Min.X, box.Min.Y = min(box.Min.X, p.X), min(box.Min.Y, p.Y)
		box.Max.X, box.Max.Y = max(box.Max.X, p.X), max(box.Max.Y, p.Y)
	}
	var cur, start vg.Point
	for _, c := range path {
		switch c.Type {
		case vg.MoveComp:
			cur, start = c.Pos, c.Pos
			extend(cur)
		case vg.LineComp:
			m.Segments = append(m.Segments, [2]vg.Point{cur, c.Pos})
			cur = c.Pos
			extend(cur)
		case vg.ArcComp:
			r := vg.Rectangle{Min: vg.Point{X: c.Pos.X - c.Radius, Y: c.Pos.Y - c.Radius}, Max: vg.Point{X: c.Pos.X + c.Radius, Y: c.Pos.Y + c.Radius}}
			m.Arcs = append(m.Arcs, r)
			extend(r.Min)
			extend(r.Max)
			end := c.Start + c.Angle
			cur = vg.Point{X: c.Pos.X + c.Radius*vg.Length(math.Cos(end)), Y: c.Pos.Y + c.Radius*vg.Length(math.Sin(end))}
		case vg.CurveComp:
			for _, p := range c.Control {
				extend(p)
			}
			m.Segments = append(m.Segments, [2]vg.Point{cur, c.Pos})
			cur = c.Pos
			extend(cur)
		case vg.CloseComp:
			m.Segments = append(m.Segments, [2]vg.Point{cur, start})
			cur = start
		}
	}
	m.Box = box
	return m
}

// Legend returns the box of the legend whose entries are the texts
// entries, in this order, drawn one after the other: their texts and the
// thumbnails drawn with them. Of several such legends the last drawn is
// taken.
func (d *Drawing) Legend(entries ...string) (vg.Rectangle, error) {
	first, last, err := d.legendTexts(entries)
	if err != nil {
		return vg.Rectangle{}, err
	}
	from, to := d.legendMarks(first, last)
	box := d.Texts[first].Box
	for _, t := range d.Texts[first : last+1] {
		box = union(box, t.Box)
	}
	for _, m := range d.Marks {
		if m.order >= from && m.order <= to {
			box = union(box, m.Box)
		}
	}
	return box, nil
}

// legendTexts finds the entries among the texts: the indexes of the first
// and the last.
func (d *Drawing) legendTexts(entries []string) (int, int, error) {
	if len(entries) == 0 {
		return 0, 0, errors.New("plotstest: a legend of no entries")
	}
	for i := len(d.Texts) - len(entries); i >= 0; i-- {
		match := true
		for j, e := range entries {
			if d.Texts[i+j].String != e {
				match = false
				break
			}
		}
		if match {
			return i, i + len(entries) - 1, nil
		}
	}
	var drawn []string
	for _, t := range d.Texts {
		drawn = append(drawn, strconv.Quote(t.String))
	}
	return 0, 0, fmt.Errorf("plotstest: no legend %q among the texts drawn: %s", entries, strings.Join(drawn, " "))
}

// legendMarks returns the drawing order from which and up to which marks
// are the legend's thumbnails: those drawn between its texts, and, before
// its first text, those in the first entry's row beside the texts.
func (d *Drawing) legendMarks(first, last int) (int, int) {
	texts := d.Texts[first : last+1]
	from, to := texts[0].order, texts[len(texts)-1].order
	// The thumbnails' column, from the entries after the first.
	column := vg.Rectangle{Min: vg.Point{X: math.MaxFloat32}, Max: vg.Point{X: -math.MaxFloat32}}
	for _, m := range d.Marks {
		if m.order > from && m.order < to {
			column.Min.X, column.Max.X = min(column.Min.X, m.Box.Min.X), max(column.Max.X, m.Box.Max.X)
		}
	}
	if column.Min.X > column.Max.X { // one entry: on either side of its text
		column.Min.X, column.Max.X = texts[0].Box.Min.X-40, texts[0].Box.Max.X+40
	}
	row := texts[0].Box
	row.Min.Y -= 2
	row.Max.Y += 2
	for i := len(d.Marks) - 1; i >= 0; i-- {
		m := d.Marks[i]
		if m.order >= from {
			continue
		}
		if m.Box.Min.X < column.Min.X-1 || m.Box.Max.X > column.Max.X+1 || m.Box.Min.Y < row.Min.Y || m.Box.Max.Y > row.Max.Y {
			break
		}
		from = m.order
	}
	return from, to
}

// Covered returns the marks of the data that enter r: every line and
// filled shape except the legend's thumbnails (of the legend of entries),
// grey lines (the grid) and white fills (backgrounds).
func (d *Drawing) Covered(r vg.Rectangle, entries ...string) ([]Mark, error) {
	first, last, err := d.legendTexts(entries)
	if err != nil {
		return nil, err
	}
	from, to := d.legendMarks(first, last)
	var out []Mark
	for _, m := range d.Marks {
		if m.order >= from && m.order <= to || neutral(m) {
			continue
		}
		if m.enters(r) {
			out = append(out, m)
		}
	}
	return out, nil
}

// CheckLegend draws f and returns an error describing the marks of the
// data under the box of its legend, whose entries are entries, or nil if
// there are none.
func CheckLegend(f plots.Figure, entries ...string) error {
	d := Draw(f)
	box, err := d.Legend(entries...)
	if err != nil {
		return err
	}
	// A point of slack: a font's ascent reaches above its tallest glyphs.
	if box.Min.X < -1 || box.Min.Y < -1 || box.Max.X > d.Size.X+1 || box.Max.Y > d.Size.Y+1 {
		return fmt.Errorf("plotstest: the legend %v leaves the canvas %v", box, d.Size)
	}
	covered, err := d.Covered(box, entries...)
	if err != nil {
		return err
	}
	if len(covered) == 0 {
		return nil
	}
	var what []string
	for i, m := range covered {
		if i == 5 {
			what = append(what, fmt.Sprintf("and %d more", len(covered)-5))
			break
		}
		what = append(what, m.String())
	}
	return fmt.Errorf("plotstest: the legend at %v covers %d marks of the data: %s", box, len(covered), strings.Join(what, "; "))
}

func (m Mark) String() string {
	kind := "line"
	if m.Filled {
		kind = "filled shape"
	}
	r, g, b, _ := m.Color.RGBA()
	return fmt.Sprintf("%s in #%02x%02x%02x over %v", kind, r>>8, g>>8, b>>8, m.Box)
}

// neutral reports whether m is a grey line or a white fill.
func neutral(m Mark) bool {
	r, g, b, a := m.Color.RGBA()
	if a == 0 {
		return true
	}
	if m.Filled {
		return r == 0xffff && g == 0xffff && b == 0xffff
	}
	return r == g && g == b && r > 0 && r < 0xffff
}

// enters reports whether any of m lies inside r.
func (m Mark) enters(r vg.Rectangle) bool {
	if !overlap(m.Box, grow(r, m.Width/2)) {
		return false
	}
	for _, a := range m.Arcs {
		if overlap(a, r) {
			return true
		}
	}
	for _, s := range m.Segments {
		if clips(s[0], s[1], grow(r, m.Width/2)) {
			return true
		}
	}
	if m.Filled && len(m.Segments) > 0 {
		// r inside the shape, touching none of its edges.
		return inside(m.Segments, r.Min)
	}
	return false
}

func overlap(a, b vg.Rectangle) bool {
	return a.Min.X <= b.Max.X && b.Min.X <= a.Max.X && a.Min.Y <= b.Max.Y && b.Min.Y <= a.Max.Y
}

func union(a, b vg.Rectangle) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: min(a.Min.X, b.Min.X), Y: min(a.Min.Y, b.Min.Y)},
		Max: vg.Point{X: max(a.Max.X, b.Max.X), Y: max(a.Max.Y, b.Max.Y)}}
}

func grow(r vg.Rectangle, d vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: r.Min.X - d, Y: r.Min.Y - d}, Max: vg.Point{X: r.Max.X + d, Y: r.Max.Y + d}}
}

// clips reports whether the segment a–b has a point in r: it crosses one of
// r's edges or lies inside.
func clips(a, b vg.Point, r vg.Rectangle) bool {
	in := func(p vg.Point) bool { return p.X >= r.Min.X && p.X <= r.Max.X && p.Y >= r.Min.Y && p.Y <= r.Max.Y }
	if in(a) || in(b) {
		return true
	}
	corners := [4]vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
	for i := range corners {
		if crosses(a, b, corners[i], corners[(i+1)%4]) {
			return true
		}
	}
	return false
}

// crosses reports whether the segments p1–p2 and q1–q2 intersect.
func crosses(p1, p2, q1, q2 vg.Point) bool {
	side := func(a, b, c vg.Point) float64 {
		return float64((b.X-a.X)*(c.Y-a.Y) - (b.Y-a.Y)*(c.X-a.X))
	}
	d1, d2 := side(q1, q2, p1), side(q1, q2, p2)
	d3, d4 := side(p1, p2, q1), side(p1, p2, q2)
	return (d1 > 0) != (d2 > 0) && (d3 > 0) != (d4 > 0)
}

// inside reports whether p is inside the closed outline of segments, by
// the even–odd rule.
func inside(segments [][2]vg.Point, p vg.Point) bool {
	in := false
	for _, s := range segments {
		a, b := s[0], s[1]
		if (a.Y > p.Y) != (b.Y > p.Y) && p.X < (b.X-a.X)*(p.Y-a.Y)/(b.Y-a.Y)+a.X {
			in = !in
		}
	}
	return in
}

// XLabels returns the labels of the x axis: the numbers written lowest,
// on one line, left to right.
func (d *Drawing) XLabels() []Text {
	return d.lowestNumbers(func(t Text) vg.Length { return t.Box.Min.Y })
}

// YLabels returns the labels of the y axis: the numbers written leftmost,
// right-aligned in one column.
func (d *Drawing) YLabels() []Text {
	return d.lowestNumbers(func(t Text) vg.Length { return t.Box.Max.X })
}

// lowestNumbers returns the numbers written whose at is the lowest, within
// half a point.
func (d *Drawing) lowestNumbers(at func(Text) vg.Length) []Text {
	nums := d.numbers()
	low := vg.Length(math.MaxFloat32)
	for _, t := range nums {
		low = min(low, at(t))
	}
	var out []Text
	for _, t := range nums {
		if at(t) < low+0.5 {
			out = append(out, t)
		}
	}
	return out
}

func (d *Drawing) numbers() []Text {
	var out []Text
	for _, t := range d.Texts {
		if _, err := strconv.ParseFloat(t.String, 64); err == nil {
			out = append(out, t)
		}
	}
	return out
}

// Crosses returns the boxes of the cross markers drawn outside the box
// outside (a legend's): pairs of straight strokes, one after the other,
// each from corner to corner of the same square of 3 to 10 points.
func (d *Drawing) Crosses(outside vg.Rectangle) []vg.Rectangle {
	var out []vg.Rectangle
	for i := 1; i < len(d.Marks); i++ {
		a, b := d.Marks[i-1], d.Marks[i]
		w, h := a.Box.Max.X-a.Box.Min.X, a.Box.Max.Y-a.Box.Min.Y
		if a.Filled || b.Filled || len(a.Segments) != 1 || len(b.Segments) != 1 || a.Box != b.Box ||
			w < 3 || w > 10 || math.Abs(float64(w-h)) > 0.01 || overlap(a.Box, outside) {
			continue
		}
		out = append(out, a.Box)
		i++
	}
	return out
}

// Overlapping returns an error naming two of boxes that overlap.
func Overlapping(boxes []vg.Rectangle) error {
	for i, a := range boxes {
		for _, b := range boxes[i+1:] {
			if a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y {
				return fmt.Errorf("plotstest: %v and %v overlap", a, b)
			}
		}
	}
	return nil
}

// CheckAxes draws f and returns an error if its x axis has fewer than
// minX labels or its y axis fewer than minY, or if two labels of an axis
// come closer than 2 points.
func CheckAxes(f plots.Figure, minX, minY int) error {
	d := Draw(f)
	var errs []error
	for _, axis := range []struct {
		name   string
		labels []Text
		min    int
	}{{"x", d.XLabels(), minX}, {"y", d.YLabels(), minY}} {
		if len(axis.labels) < axis.min {
			var drawn []string
			for _, t := range axis.labels {
				drawn = append(drawn, t.String)
			}
			errs = append(errs, fmt.Errorf("plotstest: %d labels on the %s axis %q, want %d or more", len(axis.labels), axis.name, drawn, axis.min))
		}
		if err := Apart(axis.labels, 2); err != nil {
			errs = append(errs, fmt.Errorf("%s axis: %w", axis.name, err))
		}
	}
	return errors.Join(errs...)
}

// Apart returns an error if two of the texts overlap or come closer than
// gap.
func Apart(texts []Text, gap vg.Length) error {
	for i := range texts {
		for j := i + 1; j < len(texts); j++ {
			if overlap(grow(texts[i].Box, gap/2), grow(texts[j].Box, gap/2)) {
				return fmt.Errorf("plotstest: labels %q and %q are closer than %v", texts[i].String, texts[j].String, gap)
			}
		}
	}
	return nil
}

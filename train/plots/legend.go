package plots

import (
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// placement is where a legend goes on a canvas.
type placement struct {
	none bool         // the legend has no entries
	box  vg.Rectangle // the legend's entries, thumbnails and texts
	left bool         // thumbnails left of the texts (a legend on the left)
	// above and right, when positive, are the room taken from the plot
	// for the legend between the title and the data, or right of the
	// data.
	above, right vg.Length
}

// The largest legend drawn between the title and the data, as a part of
// the canvas's height; a taller one goes right of the data.
const aboveShare = 0.25

// placeLegend finds where p's legend covers none of its data on c: the
// first free corner of the data area, or else outside it.
func (p *Plot) placeLegend(c draw.Canvas) placement {
	size := p.Legend.Rectangle(c).Size()
	if size.X <= 0 || size.Y <= 0 {
		return placement{none: true}
	}
	da := p.DataCanvas(c)
	occupied := p.occupancy(da)
	in := da.Rectangle
	in.Min.X, in.Min.Y = in.Min.X+legendGap, in.Min.Y+legendGap
	in.Max.X, in.Max.Y = in.Max.X-legendGap, in.Max.Y-legendGap
	for _, corner := range []struct{ top, left bool }{{true, false}, {true, true}, {false, false}, {false, true}} {
		var box vg.Rectangle
		if corner.left {
			box.Min.X, box.Max.X = in.Min.X, in.Min.X+size.X
		} else {
			box.Min.X, box.Max.X = in.Max.X-size.X, in.Max.X
		}
		if corner.top {
			box.Min.Y, box.Max.Y = in.Max.Y-size.Y, in.Max.Y
		} else {
			box.Min.Y, box.Max.Y = in.Min.Y, in.Min.Y+size.Y
		}
		if box.Min.X < in.Min.X || box.Max.X > in.Max.X || box.Min.Y < in.Min.Y || box.Max.Y > in.Max.Y {
			break // the legend is larger than the data area
		}
		if !occupied.covers(grow(box, legendGap)) {
			return placement{box: box, left: corner.left}
		}
	}
	if size.Y <= aboveShare*(c.Max.Y-c.Min.Y) || size.X > (c.Max.X-c.Min.X)/2 {
		// Between the title and the data area: the data area's top moves
		// down by the legend's height and two gaps.
		top := c.Max.Y
		if p.Title.Text != "" {
			top -= p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
		}
		top -= legendGap
		box := vg.Rectangle{Min: vg.Point{X: da.Max.X - size.X, Y: top - size.Y}, Max: vg.Point{X: da.Max.X, Y: top}}
		return placement{box: box, above: size.Y + 2*legendGap}
	}
	// Right of the data area, level with its top.
	right := size.X + 2*legendGap
	box := vg.Rectangle{Min: vg.Point{X: c.Max.X - size.X, Y: da.Max.Y - size.Y}, Max: vg.Point{X: c.Max.X, Y: da.Max.Y}}
	return placement{box: box, left: true, right: right}
}

func grow(r vg.Rectangle, d vg.Length) vg.Rectangle {
	return vg.Rectangle{Min: vg.Point{X: r.Min.X - d, Y: r.Min.Y - d}, Max: vg.Point{X: r.Max.X + d, Y: r.Max.Y + d}}
}

// occupied is what the data of a plot covers on the canvas: line segments
// (with half their width), marker boxes and filled polygons.
type occupied struct {
	segments []segment
	boxes    []vg.Rectangle
	areas    [][]vg.Point
}

type segment struct {
	a, b vg.Point
	half vg.Length // half the line's width
}

// occupancy returns what p's data covers on the data canvas da: lines by
// their segments, scatters by their markers, polygons by their area, and
// other plotters by their glyph boxes or else their data range. Grid lines
// are not data.
func (p *Plot) occupancy(da draw.Canvas) occupied {
	var o occupied
	tx, ty := p.Transforms(&da)
	at := func(xy plotter.XYer, i int) (vg.Point, bool) {
		x, y := xy.XY(i)
		pt := vg.Point{X: tx(x), Y: ty(y)}
		ok := !math.IsNaN(float64(pt.X)) && !math.IsNaN(float64(pt.Y)) && !math.IsInf(float64(pt.X), 0) && !math.IsInf(float64(pt.Y), 0)
		return pt, ok
	}
	for _, d := range p.data {
		switch d := d.(type) {
		case *plotter.Grid:
		case *plotter.Line:
			for i := 1; i < d.Len(); i++ {
				a, ok1 := at(d.XYs, i-1)
				b, ok2 := at(d.XYs, i)
				if ok1 && ok2 {
					o.segments = append(o.segments, segment{a, b, d.LineStyle.Width / 2})
				}
			}
			if d.Len() == 1 {
				if a, ok := at(d.XYs, 0); ok {
					o.segments = append(o.segments, segment{a, a, d.LineStyle.Width / 2})
				}
			}
		case *plotter.Polygon:
			for _, ring := range d.XYs {
				var pts []vg.Point
				for i := range ring {
					if pt, ok := at(ring, i); ok {
						pts = append(pts, pt)
					}
				}
				o.areas = append(o.areas, pts)
			}
		case plot.GlyphBoxer:
			for _, b := range d.GlyphBoxes(p.Plot) {
				o.boxes = append(o.boxes, b.Rectangle.Add(vg.Point{X: da.X(b.X), Y: da.Y(b.Y)}))
			}
		case plot.DataRanger:
			x0, x1, y0, y1 := d.DataRange()
			o.boxes = append(o.boxes, vg.Rectangle{Min: vg.Point{X: tx(x0), Y: ty(y0)}, Max: vg.Point{X: tx(x1), Y: ty(y1)}})
		}
	}
	return o
}

// covers reports whether any of o enters the rectangle r.
func (o occupied) covers(r vg.Rectangle) bool {
	for _, s := range o.segments {
		if segmentEnters(s.a, s.b, grow(r, s.half)) {
			return true
		}
	}
	for _, b := range o.boxes {
		if b.Min.X < r.Max.X && r.Min.X < b.Max.X && b.Min.Y < r.Max.Y && r.Min.Y < b.Max.Y {
			return true
		}
	}
	for _, area := range o.areas {
		if polygonEnters(area, r) {
			return true
		}
	}
	return false
}

// segmentEnters reports whether the segment from a to b has a point inside
// r, by clipping it to r (Liang–Barsky).
func segmentEnters(a, b vg.Point, r vg.Rectangle) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := float64(b.X-a.X), float64(b.Y-a.Y)
	for _, edge := range [4][2]float64{
		{-dx, float64(a.X - r.Min.X)}, {dx, float64(r.Max.X - a.X)},
		{-dy, float64(a.Y - r.Min.Y)}, {dy, float64(r.Max.Y - a.Y)},
	} {
		p, q := edge[0], edge[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = math.Max(t0, t)
		} else {
			t1 = math.Min(t1, t)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

// polygonEnters reports whether the filled polygon pts has a point inside
// r: an edge crosses r, or r lies inside the polygon.
func polygonEnters(pts []vg.Point, r vg.Rectangle) bool {
	if len(pts) == 0 {
		return false
	}
	for i := range pts {
		if segmentEnters(pts[i], pts[(i+1)%len(pts)], r) {
			return true
		}
	}
	// No edge enters r: r is wholly inside or wholly outside.
	x, y := r.Min.X, r.Min.Y
	inside := false
	for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
		a, b := pts[i], pts[j]
		if (a.Y > y) != (b.Y > y) && x < (b.X-a.X)*(y-a.Y)/(b.Y-a.Y)+a.X {
			inside = !inside
		}
	}
	return inside
}

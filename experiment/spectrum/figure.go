package spectrum

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/igr-project/igr/train/plots"
)

// densityBins is the number of bins of the density of a dense spectrum.
const densityBins = 120

// Figure draws a spectrum: of a dense one, the density of all its
// eigenvalues, a histogram with a logarithmic count (the bulk near zero is
// thousands of times the outliers); of the top k, each eigenvalue against
// its index. 2/η is drawn as a line when the summary has it.
func Figure(rows []Row, s *Summary) (*plots.Plot, error) {
	if len(rows) == 0 {
		return nil, plots.ErrNothingToDraw
	}
	p := plots.New()
	values := make(plotter.Values, len(rows))
	for i, r := range rows {
		values[i] = r.Eigenvalue
	}
	var limit plotter.XYs
	if s.Method == "dense" {
		p.Title.Text = fmt.Sprintf("Hessian spectrum at the run's end: all %d eigenvalues", len(rows))
		h, err := plotter.NewHist(values, densityBins)
		if err != nil {
			return nil, fmt.Errorf("spectrum: %w", err)
		}
		h.LogY = true
		h.FillColor = plots.Palette[0]
		h.LineStyle.Width = vg.Points(0.5)
		p.Add(h)
		p.X.Label.Text = "eigenvalue"
		p.Y.Label.Text = "count"
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plots.LogTicks
		if s.TwoOverEta != nil {
			limit = plotter.XYs{{X: float64(*s.TwoOverEta), Y: 0.5}, {X: float64(*s.TwoOverEta), Y: float64(len(rows))}}
		}
	} else {
		p.Title.Text = fmt.Sprintf("Hessian spectrum at the run's end: the top %d eigenvalues", len(rows))
		pts := make(plotter.XYs, len(rows))
		for i, r := range rows {
			pts[i] = plotter.XY{X: float64(r.Index), Y: r.Eigenvalue}
		}
		sc, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, fmt.Errorf("spectrum: %w", err)
		}
		sc.GlyphStyle = draw.GlyphStyle{Color: plots.Palette[0], Radius: vg.Points(2.5), Shape: draw.CircleGlyph{}}
		p.Add(sc)
		p.X.Label.Text = "index (largest first)"
		p.Y.Label.Text = "eigenvalue"
		if s.TwoOverEta != nil {
			limit = plotter.XYs{{X: 1, Y: float64(*s.TwoOverEta)}, {X: float64(len(rows)), Y: float64(*s.TwoOverEta)}}
		}
	}
	if limit != nil && !math.IsInf(limit[0].X, 0) {
		l, err := plotter.NewLine(limit)
		if err != nil {
			return nil, fmt.Errorf("spectrum: %w", err)
		}
		l.Color, l.Dashes = plots.Palette[1], []vg.Length{vg.Points(5), vg.Points(3)}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("2/η = %.4g", float64(*s.TwoOverEta)), l)
	}
	p.Add(plotter.NewGrid())
	return p, nil
}

package central

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/igr-project/igr/train/plots"
)

const timeLabel = "time t = steps × η"

// LossFigure draws GD's loss at every step (gdLoss[k] at t = k·η), GD's
// loss smoothed at the rows, and the central flow's predicted loss and its
// own loss, against t on log–log axes.
func LossFigure(gdLoss []float64, rows []Row, eta float64) (*plots.Plot, error) {
	gd := plots.Curve{Name: "GD", Color: 0}
	for k, l := range gdLoss {
		gd.Steps = append(gd.Steps, float64(k)*eta)
		gd.Values = append(gd.Values, l)
	}
	smooth := plots.Curve{Name: "GD, smoothed", Color: 2}
	pred := plots.Curve{Name: "central flow: predicted loss", Color: 1}
	own := plots.Curve{Name: "central flow: L", Color: 1, Dashed: true}
	for _, r := range rows {
		smooth.Steps, smooth.Values = append(smooth.Steps, r.T), append(smooth.Values, r.GDSmoothed)
		if r.Flow {
			pred.Steps, pred.Values = append(pred.Steps, r.T), append(pred.Values, r.PredictedLoss)
			own.Steps, own.Values = append(own.Steps, r.T), append(own.Values, r.TrainMSE)
		}
	}
	p, err := plots.Curves(fmt.Sprintf("GD (η = %g) and the central flow's predicted loss", eta), "training loss", []plots.Curve{gd, smooth, pred, own})
	if err != nil {
		return nil, err
	}
	p.X.Label.Text = timeLabel
	return p, nil
}

// SharpnessFigure draws GD's and the central flow's sharpness against t,
// with 2/η.
func SharpnessFigure(rows []Row, eta float64) (*plots.Plot, error) {
	if len(rows) == 0 {
		return nil, plots.ErrNothingToDraw
	}
	p := plots.New()
	p.Title.Text = fmt.Sprintf("Sharpness of GD and of the central flow, η = %g", eta)
	p.X.Label.Text = timeLabel
	p.Y.Label.Text = "top eigenvalue of the Hessian of L"
	var gd, cf plotter.XYs
	for _, r := range rows {
		if finite(r.GDSharpness) {
			gd = append(gd, plotter.XY{X: r.T, Y: r.GDSharpness})
		}
		if r.Flow && finite(r.Sharpness) {
			cf = append(cf, plotter.XY{X: r.T, Y: r.Sharpness})
		}
	}
	for i, line := range []struct {
		name string
		pts  plotter.XYs
	}{{"GD", gd}, {"central flow", cf}} {
		if len(line.pts) == 0 {
			continue
		}
		l, err := plotter.NewLine(line.pts)
		if err != nil {
			return nil, fmt.Errorf("central: %w", err)
		}
		l.Color = plots.Palette[i]
		l.Width = vg.Points(1.2)
		p.Add(l)
		p.Legend.Add(line.name, l)
	}
	if err := p.AddLevel("2/η", 2/eta, rows[0].T, rows[len(rows)-1].T, plots.Palette[2]); err != nil {
		return nil, fmt.Errorf("central: %w", err)
	}
	p.Add(plotter.NewGrid())
	return p, nil
}

// DistanceFigure draws the distances of the three flows from GD, relative
// to how far GD moved since the start, against t on log–log axes.
func DistanceFigure(rows []Row, eta float64) (*plots.Plot, error) {
	curves := []plots.Curve{{Name: "central flow", Color: 1}, {Name: "gradient flow of L", Color: 0},
		{Name: "flow of L + (η/4)|grad L|²", Color: 2}}
	for _, r := range rows {
		for i, v := range []float64{r.DistanceGD, r.DistanceGradientFlow, r.DistanceModifiedFlow} {
			curves[i].Steps = append(curves[i].Steps, r.T)
			curves[i].Values = append(curves[i].Values, v)
		}
	}
	p, err := plots.Curves(fmt.Sprintf("Distance of each flow from GD (η = %g)", eta), "|flow − GD| / |GD − GD at start|", curves)
	if err != nil {
		return nil, err
	}
	p.X.Label.Text = timeLabel
	return p, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

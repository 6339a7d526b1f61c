package experiment

import (
	"fmt"

	"gonum.org/v1/plot"

	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/plots"
)

// The standard figures, each drawn from the rows of a table in one call, as
// the experiments draw them into their output folders. plots.PNG and
// plots.SVG turn a figure into bytes or a string for a notebook.

// DataFigure draws y against x0 for the training and test sets.
func DataFigure(d *dataset.Set) (*plot.Plot, error) {
	column := func(x []float64) []float64 {
		out := make([]float64, len(x)/d.Dim)
		for i := range out {
			out[i] = x[i*d.Dim]
		}
		return out
	}
	return plots.Data(plots.XY{X: column(d.Train.X), Y: d.Train.Y}, plots.XY{X: column(d.Test.X), Y: d.Test.Y})
}

// SweepFigure draws test MSE against learning rate, with the constant
// predictor's test MSE as a reference line (none if NaN).
func SweepFigure(rows []RunRow, constantTestMSE float64) (*plot.Plot, error) {
	pts := make([]plots.SweepPoint, len(rows))
	for i, r := range rows {
		pts[i] = plots.SweepPoint{LR: r.LR, TestMSE: r.TestMSE, Status: string(r.Status)}
	}
	return plots.Sweep("Test MSE after GD to train MSE < tol", pts,
		plots.Reference{Name: "constant predictor 1", Value: constantTestMSE})
}

// CurvesFigure draws the training (solid) and test (dashed) MSE along the
// named runs of a history.
func CurvesFigure(title string, history []HistoryRow, runs ...string) (*plot.Plot, error) {
	var curves []plots.Curve
	for i, run := range runs {
		train := plots.Curve{Name: run + " train", Color: i}
		test := plots.Curve{Name: run + " test", Color: i, Dashed: true}
		for _, h := range history {
			if h.Run != run {
				continue
			}
			train.Steps = append(train.Steps, float64(h.Step))
			train.Values = append(train.Values, h.TrainMSE)
			test.Steps = append(test.Steps, float64(h.Step))
			test.Values = append(test.Values, h.TestMSE)
		}
		curves = append(curves, train, test)
	}
	return plots.Curves(title, "MSE", curves)
}

// RegularizerFigure draws the label-noise regularizer recorded along the
// named runs of a history.
func RegularizerFigure(title string, history []HistoryRow, runs ...string) (*plot.Plot, error) {
	var curves []plots.Curve
	for i, run := range runs {
		c := plots.Curve{Name: run, Color: i}
		for _, h := range history {
			if h.Run == run {
				c.Steps = append(c.Steps, float64(h.Step))
				c.Values = append(c.Values, h.LabelNoiseReg)
			}
		}
		curves = append(curves, c)
	}
	return plots.Curves(title, "label-noise regularizer (ησ²/n²) Σ |grad P(x_i)|²", curves)
}

// TrajectoryFigure draws each method's distance from implicit GD against the
// time t, relative to how far implicit GD moved.
func TrajectoryFigure(rows []TrajectoryRow, eta, h float64) (*plot.Plot, error) {
	var curves []plots.Curve
	index := map[string]int{}
	for _, r := range rows {
		i, ok := index[r.Method]
		if !ok {
			i = len(curves)
			index[r.Method] = i
			curves = append(curves, plots.Curve{Name: r.Method, Color: i + 1})
		}
		curves[i].Steps = append(curves[i].Steps, r.T)
		curves[i].Values = append(curves[i].Values, r.Relative)
	}
	p, err := plots.Curves(fmt.Sprintf("Distance from implicit GD (η=%g), small steps h=%g", eta, h),
		"distance / implicit GD's whole move", curves)
	if err != nil {
		return nil, err
	}
	p.X.Label.Text = "time t = steps × step size"
	p.Legend.Top = true
	return p, nil
}

// CompareSweepFigure draws test MSE against η for implicit GD with step η and
// for explicit GD with step h and λ = η/4.
func CompareSweepFigure(rows []SweepCompareRow) (*plot.Plot, error) {
	series := []plots.SweepSeries{{Name: "implicit: GD, step η"}, {}}
	for _, r := range rows {
		k := 0
		if r.Method == MethodExplicitGradNorm {
			k = 1
			series[1].Name = fmt.Sprintf("explicit: GD, step %g, λ = η/4", r.StepSize)
		}
		series[k].Points = append(series[k].Points, plots.SweepPoint{LR: r.Eta, TestMSE: r.TestMSE, Status: string(r.Status)})
	}
	p, err := plots.Sweeps("Implicit vs explicit regularization: test MSE", series)
	if err != nil {
		return nil, err
	}
	p.X.Label.Text = "η (step of implicit GD; λ = η/4 of explicit GD)"
	return p, nil
}

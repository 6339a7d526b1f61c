package compare

import (
	"fmt"

	"github.com/igr-project/igr/train/plots"
)

// TrajectoryFigure draws each method's distance from implicit GD against the
// time t, relative to how far implicit GD moved.
func TrajectoryFigure(rows []TrajectoryRow, eta, h float64) (*plots.Plot, error) {
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
	return p, nil
}

// SweepFigure draws test MSE against η for implicit GD with step η and
// for explicit GD with step h and λ = η/4, and when the rows have them for
// minibatch SGD with step η and explicit GD with step h on the SGD
// regularizer.
func SweepFigure(rows []SweepRow) (*plots.Plot, error) {
	var series []plots.SweepSeries
	index := map[string]int{}
	for _, r := range rows {
		k, ok := index[r.Method]
		if !ok {
			k = len(series)
			index[r.Method] = k
			name := "implicit: GD, step η"
			switch r.Method {
			case MethodExplicitGradNorm:
				name = fmt.Sprintf("explicit: GD, step %g, λ = η/4", r.StepSize)
			case MethodSGD:
				name = "SGD, step η"
			case MethodCentralFlow:
				name = "central flow of GD, step η"
			case MethodExplicitSGD:
				name = fmt.Sprintf("explicit SGD: GD, step %g, (η/4) E‖∇L_B‖²", r.StepSize)
			}
			series = append(series, plots.SweepSeries{Name: name})
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

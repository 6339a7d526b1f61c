package compare

import (
	"fmt"

	"github.com/igr-project/igr/train/plots"
)

// TrajectoryFigure draws each method's distance from implicit GD against the
// time t, relative to how far implicit GD moved.
func TrajectoryFigure(rows []TrajectoryRow, eta, h float64) (*plots.Plot, error) {
	var curves []plots.Curve
	for i, method := range byMethod(rows, func(r TrajectoryRow) string { return r.Method }) {
		c := plots.Curve{Name: method[0].Method, Color: i + 1}
		for _, r := range method {
			c.Steps = append(c.Steps, r.T)
			c.Values = append(c.Values, r.Relative)
		}
		curves = append(curves, c)
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
	for _, method := range byMethod(rows, func(r SweepRow) string { return r.Method }) {
		first := method[0]
		name := "implicit: GD, step η"
		switch first.Method {
		case MethodExplicitGradNorm:
			name = fmt.Sprintf("explicit: GD, step %g, λ = η/4", first.StepSize)
		case MethodSGD:
			name = "SGD, step η"
		case MethodCentralFlow:
			name = "central flow of GD, step η"
		case MethodExplicitSGD:
			name = fmt.Sprintf("explicit SGD: GD, step %g, (η/4) E‖∇L_B‖²", first.StepSize)
		}
		s := plots.SweepSeries{Name: name}
		for _, r := range method {
			s.Points = append(s.Points, plots.SweepPoint{LR: r.Eta, TestMSE: r.TestMSE, Status: string(r.Status)})
		}
		series = append(series, s)
	}
	p, err := plots.Sweeps("Implicit vs explicit regularization: test MSE", series)
	if err != nil {
		return nil, err
	}
	p.X.Label.Text = "η (step of implicit GD; λ = η/4 of explicit GD)"
	return p, nil
}

// byMethod splits rows by their method, the methods in the order they first
// appear and each method's rows in their order.
func byMethod[R any](rows []R, method func(R) string) [][]R {
	var groups [][]R
	index := map[string]int{}
	for _, r := range rows {
		i, ok := index[method(r)]
		if !ok {
			i = len(groups)
			index[method(r)] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], r)
	}
	return groups
}

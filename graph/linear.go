package graph

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// Linear is the linear model
//
//	predict(x) = w·x / Scale,
//
// with w a Dim×1 column. Its mean squared error on inputs X (n×d) is the
// quadratic L(w) = (1/n)‖Xw/s − y‖², s = Scale, whose Hessian
// (2/(n s²)) XᵀX does not depend on w: every curvature quantity of it is
// known in closed form from the data, and gradient descent with step η on it
// converges exactly when η is below 2/λ_max. Init draws w from N(0, 1/Dim).
type Linear struct {
	Dim   int     // input dimension d
	Scale float64 // output divisor; 0 means 1
}

var _ Architecture = Linear{}

// Name returns "linear".
func (l Linear) Name() string { return "linear" }

// Params returns w (Dim×1).
func (l Linear) Params() []ParamSpec { return []ParamSpec{{Name: "w", Rows: l.Dim, Cols: 1}} }

// Init draws w ~ N(0, 1/Dim) entrywise.
func (l Linear) Init(src NormalSource) Params {
	p := ZeroParams(l.Params())
	src.FillNormal(p.Data(0), 0, 1/math.Sqrt(float64(l.Dim)))
	return p
}

// Predict builds x·w / Scale.
func (l Linear) Predict(x *G.Node, params []*G.Node) (*G.Node, error) {
	if len(params) != 1 {
		return nil, fmt.Errorf("graph: linear needs 1 parameter, got %d", len(params))
	}
	out, err := G.Mul(x, params[0])
	if err != nil {
		return nil, fmt.Errorf("graph: linear x·w: %w", err)
	}
	return divideByScale(out, l.Scale)
}

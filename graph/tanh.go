package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// Tanh is a one-hidden-layer network with tanh activation,
//
//	predict(x) = Σ_i b_i tanh(A_i·x) / Scale,
//
// shaped and initialized like Quadratic: A is Dim×Width with Xavier/Glorot
// normal entries, b is a Width×1 column of zeros. It exists to show that
// another architecture trains with the same code.
type Tanh struct {
	Dim   int     // input dimension d
	Width int     // hidden units m
	Scale float64 // output divisor; 0 means 1
}

var _ Architecture = Tanh{}

// Name returns "tanh".
func (t Tanh) Name() string { return "tanh" }

// Params returns A (Dim×Width) and b (Width×1).
func (t Tanh) Params() []ParamSpec {
	return []ParamSpec{{Name: "A", Rows: t.Dim, Cols: t.Width}, {Name: "b", Rows: t.Width, Cols: 1}}
}

// Init draws A ~ N(0, 2/(Dim+Width)) entrywise and sets b = 0.
func (t Tanh) Init(src NormalSource) Params {
	p := ZeroParams(t.Params())
	XavierNormal(src, p.Data(0), t.Dim, t.Width)
	return p
}

// Predict builds tanh(x·A)·b / Scale.
func (t Tanh) Predict(x *G.Node, params []*G.Node) (*G.Node, error) {
	if len(params) != 2 {
		return nil, fmt.Errorf("graph: tanh needs 2 parameters, got %d", len(params))
	}
	h, err := G.Mul(x, params[0])
	if err != nil {
		return nil, fmt.Errorf("graph: tanh x·A: %w", err)
	}
	a, err := G.Tanh(h)
	if err != nil {
		return nil, fmt.Errorf("graph: tanh activation: %w", err)
	}
	out, err := G.Mul(a, params[1])
	if err != nil {
		return nil, fmt.Errorf("graph: tanh output: %w", err)
	}
	return divideByScale(out, t.Scale)
}

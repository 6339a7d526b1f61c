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

// ExampleGradNormSq builds Σ_i ‖∇_θ predict(x_i)‖² in closed form. With
// t = tanh(x·A) and s = Scale, ∂predict(x_i)/∂b_j = t_ij/s and
// ∂predict(x_i)/∂A_kj = b_j (1 − t_ij²) x_ik / s, so
//
//	‖∇_θ predict(x_i)‖² = (Σ_j t_ij² + ‖x_i‖² Σ_j b_j² (1 − t_ij²)²) / s².
func (t Tanh) ExampleGradNormSq(x *G.Node, params []*G.Node) (*G.Node, error) {
	per, err := t.exampleNorms(x, params)
	if err != nil {
		return nil, err
	}
	return sumOverScaleSq(per, t.Scale)
}

// ExampleGradNormSqColumn builds the n×1 column of ‖∇_θ predict(x_i)‖², in
// the closed form of ExampleGradNormSq.
func (t Tanh) ExampleGradNormSqColumn(x *G.Node, params []*G.Node) (*G.Node, error) {
	per, err := t.exampleNorms(x, params)
	if err != nil {
		return nil, err
	}
	return divideByScale(per, t.Scale*t.Scale)
}

// exampleNorms builds the column s² ‖∇_θ predict(x_i)‖².
func (t Tanh) exampleNorms(x *G.Node, params []*G.Node) (*G.Node, error) {
	a, b := params[0], params[1]
	h, err := G.Mul(x, a)
	if err != nil {
		return nil, err
	}
	th, err := G.Tanh(h)
	if err != nil {
		return nil, err
	}
	gradB, err := rowSumsOfSquares(th) // Σ_j t_ij²
	if err != nil {
		return nil, err
	}
	t2, err := G.HadamardProd(th, th)
	if err != nil {
		return nil, err
	}
	deriv, err := G.Sub(Constant(t2, 1, "one"), t2) // 1 − t²
	if err != nil {
		return nil, err
	}
	d2, err := G.HadamardProd(deriv, deriv)
	if err != nil {
		return nil, err
	}
	b2, err := G.HadamardProd(b, b)
	if err != nil {
		return nil, err
	}
	weighted, err := G.Mul(d2, b2) // Σ_j b_j² (1 − t_ij²)²
	if err != nil {
		return nil, err
	}
	return exampleNormColumn(x, gradB, weighted, 1)
}

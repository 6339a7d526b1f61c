package graph

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// OneHidden is a network of one hidden layer whose activation σ is its type
// parameter,
//
//	predict(x) = Σ_i b_i σ(A_i·x) / Scale,
//
// with A a Dim×Width matrix (column i is A_i) and b a Width×1 column. Init
// draws A from the Xavier/Glorot normal distribution N(0, 2/(Dim+Width)) and
// sets b to zero. Quadratic and Tanh are its instances.
//
// The squared norm of the gradient of one example's prediction has a closed
// form: with h = x·A and s = Scale, ∂predict(x_i)/∂b_j = σ(h_ij)/s and
// ∂predict(x_i)/∂A_kj = b_j σ'(h_ij) x_ik / s, so
//
//	‖∇_θ predict(x_i)‖² = (Σ_j σ(h_ij)² + ‖x_i‖² Σ_j b_j² σ'(h_ij)²) / s²,
//
// which ExampleGradNormSq and ExampleGradNormSqColumn build.
type OneHidden[S activation] struct {
	Dim   int     // input dimension d
	Width int     // hidden units m
	Scale float64 // output divisor; 0 means 1
}

var (
	_ Architecture = Quadratic{}
	_ Architecture = Tanh{}
)

// activation is the σ of a OneHidden network.
type activation interface {
	// name is the network's: "quadratic", "tanh".
	name() string
	// apply builds σ(h), elementwise.
	apply(h *G.Node) (*G.Node, error)
	// derivativeSq builds d and returns c with σ'(h)² = c·d elementwise,
	// given a = σ(h).
	derivativeSq(h, a *G.Node) (d *G.Node, c float64, err error)
}

// Name returns the activation's name for the network: "quadratic" or "tanh".
func (n OneHidden[S]) Name() string {
	var act S
	return act.name()
}

// Params returns A (Dim×Width) and b (Width×1).
func (n OneHidden[S]) Params() []ParamSpec {
	return []ParamSpec{{Name: "A", Rows: n.Dim, Cols: n.Width}, {Name: "b", Rows: n.Width, Cols: 1}}
}

// Init draws A ~ N(0, 2/(Dim+Width)) entrywise and sets b = 0.
func (n OneHidden[S]) Init(src NormalSource) Params {
	p := ZeroParams(n.Params())
	XavierNormal(src, p.Data(0), n.Dim, n.Width)
	return p
}

// Predict builds σ(x·A)·b / Scale.
func (n OneHidden[S]) Predict(x *G.Node, params []*G.Node) (*G.Node, error) {
	if len(params) != 2 {
		return nil, fmt.Errorf("graph: %s needs 2 parameters, got %d", n.Name(), len(params))
	}
	_, a, err := n.hidden(x, params[0])
	if err != nil {
		return nil, err
	}
	out, err := G.Mul(a, params[1])
	if err != nil {
		return nil, fmt.Errorf("graph: %s output: %w", n.Name(), err)
	}
	return divideByScale(out, n.Scale)
}

// hidden builds h = x·a, a the first layer's matrix A, and the hidden layer
// σ(h).
func (n OneHidden[S]) hidden(x, a *G.Node) (h, layer *G.Node, err error) {
	var act S
	if h, err = G.Mul(x, a); err != nil {
		return nil, nil, fmt.Errorf("graph: %s x·A: %w", n.Name(), err)
	}
	if layer, err = act.apply(h); err != nil {
		return nil, nil, fmt.Errorf("graph: %s activation: %w", n.Name(), err)
	}
	return h, layer, nil
}

// ExampleGradNormSq builds Σ_i ‖∇_θ predict(x_i)‖² in closed form (see
// OneHidden).
func (n OneHidden[S]) ExampleGradNormSq(x *G.Node, params []*G.Node) (*G.Node, error) {
	per, err := n.exampleNorms(x, params)
	if err != nil {
		return nil, err
	}
	return sumOverScaleSq(per, n.Scale)
}

// ExampleGradNormSqColumn builds the n×1 column of ‖∇_θ predict(x_i)‖², in
// the closed form of ExampleGradNormSq.
func (n OneHidden[S]) ExampleGradNormSqColumn(x *G.Node, params []*G.Node) (*G.Node, error) {
	per, err := n.exampleNorms(x, params)
	if err != nil {
		return nil, err
	}
	return divideByScale(per, n.Scale*n.Scale)
}

// exampleNorms builds the column s² ‖∇_θ predict(x_i)‖², from
// Σ_j σ(h_ij)² and Σ_j b_j² σ'(h_ij)².
func (n OneHidden[S]) exampleNorms(x *G.Node, params []*G.Node) (*G.Node, error) {
	var act S
	h, a, err := n.hidden(x, params[0])
	if err != nil {
		return nil, err
	}
	gradB, err := rowSumsOfSquares(a) // Σ_j σ(h_ij)²
	if err != nil {
		return nil, err
	}
	d, c, err := act.derivativeSq(h, a)
	if err != nil {
		return nil, err
	}
	b2, err := G.HadamardProd(params[1], params[1])
	if err != nil {
		return nil, err
	}
	weighted, err := G.Mul(d, b2) // Σ_j b_j² σ'(h_ij)² / c
	if err != nil {
		return nil, err
	}
	return exampleNormColumn(x, gradB, weighted, c)
}

// exampleNormColumn builds the column gradB_i + c ‖x_i‖² weighted_i.
func exampleNormColumn(x, gradB, weighted *G.Node, c float64) (*G.Node, error) {
	xnorm, err := rowSumsOfSquares(x)
	if err != nil {
		return nil, err
	}
	gradA, err := G.HadamardProd(xnorm, weighted)
	if err != nil {
		return nil, err
	}
	if gradA, err = G.HadamardProd(gradA, Constant(gradA, c, fmt.Sprintf("c%g", c))); err != nil {
		return nil, err
	}
	return G.Add(gradB, gradA)
}

// sumOverScaleSq builds Σ_i per_i / scale².
func sumOverScaleSq(per *G.Node, scale float64) (*G.Node, error) {
	total, err := G.Sum(per)
	if err != nil {
		return nil, err
	}
	if scale == 0 || scale == 1 {
		return total, nil
	}
	return G.HadamardDiv(total, Constant(total, scale*scale, fmt.Sprintf("scale%g^2", scale)))
}

// XavierNormal fills dst, a rows×cols matrix, with the Xavier/Glorot normal
// initialization N(0, 2/(rows+cols)).
func XavierNormal(src NormalSource, dst []float64, rows, cols int) {
	src.FillNormal(dst, 0, math.Sqrt(2/float64(rows+cols)))
}

package graph

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
)

// Quadratic is the blog's one-hidden-layer network with quadratic activation,
//
//	predict(x) = Σ_i b_i (A_i·x)² / Scale,
//
// with A a Dim×Width matrix (column i is A_i) and b a Width×1 column. Init
// draws A from the Xavier/Glorot normal distribution N(0, 2/(Dim+Width)) and
// sets b to zero.
type Quadratic struct {
	Dim   int     // input dimension d
	Width int     // hidden units m
	Scale float64 // output divisor; 0 means 1, the blog's small initialization is 100
}

var _ Architecture = Quadratic{}

// Name returns "quadratic".
func (q Quadratic) Name() string { return "quadratic" }

// Params returns A (Dim×Width) and b (Width×1).
func (q Quadratic) Params() []ParamSpec {
	return []ParamSpec{{Name: "A", Rows: q.Dim, Cols: q.Width}, {Name: "b", Rows: q.Width, Cols: 1}}
}

// Init draws A ~ N(0, 2/(Dim+Width)) entrywise and sets b = 0.
func (q Quadratic) Init(src NormalSource) Params {
	p := ZeroParams(q.Params())
	XavierNormal(src, p.Data(0), q.Dim, q.Width)
	return p
}

// Predict builds ((x·A)⊙(x·A))·b / Scale.
func (q Quadratic) Predict(x *G.Node, params []*G.Node) (*G.Node, error) {
	if len(params) != 2 {
		return nil, fmt.Errorf("graph: quadratic needs 2 parameters, got %d", len(params))
	}
	h, err := G.Mul(x, params[0])
	if err != nil {
		return nil, fmt.Errorf("graph: quadratic x·A: %w", err)
	}
	h2, err := G.HadamardProd(h, h)
	if err != nil {
		return nil, fmt.Errorf("graph: quadratic square: %w", err)
	}
	out, err := G.Mul(h2, params[1])
	if err != nil {
		return nil, fmt.Errorf("graph: quadratic output: %w", err)
	}
	return divideByScale(out, q.Scale)
}

// ExampleGradNormSq builds Σ_i ‖∇_θ predict(x_i)‖² in closed form. With
// h = x·A and s = Scale, ∂predict(x_i)/∂b_j = h_ij²/s and
// ∂predict(x_i)/∂A_kj = 2 b_j h_ij x_ik / s, so
//
//	‖∇_θ predict(x_i)‖² = (Σ_j h_ij⁴ + 4 ‖x_i‖² Σ_j b_j² h_ij²) / s².
func (q Quadratic) ExampleGradNormSq(x *G.Node, params []*G.Node) (*G.Node, error) {
	per, err := q.exampleNorms(x, params)
	if err != nil {
		return nil, err
	}
	return sumOverScaleSq(per, q.Scale)
}

// ExampleGradNormSqColumn builds the n×1 column of ‖∇_θ predict(x_i)‖², in
// the closed form of ExampleGradNormSq.
func (q Quadratic) ExampleGradNormSqColumn(x *G.Node, params []*G.Node) (*G.Node, error) {
	per, err := q.exampleNorms(x, params)
	if err != nil {
		return nil, err
	}
	return divideByScale(per, q.Scale*q.Scale)
}

// exampleNorms builds the column s² ‖∇_θ predict(x_i)‖².
func (q Quadratic) exampleNorms(x *G.Node, params []*G.Node) (*G.Node, error) {
	a, b := params[0], params[1]
	h, err := G.Mul(x, a)
	if err != nil {
		return nil, err
	}
	h2, err := G.HadamardProd(h, h)
	if err != nil {
		return nil, err
	}
	gradB, err := rowSumsOfSquares(h2) // Σ_j h_ij⁴
	if err != nil {
		return nil, err
	}
	b2, err := G.HadamardProd(b, b)
	if err != nil {
		return nil, err
	}
	weighted, err := G.Mul(h2, b2) // Σ_j b_j² h_ij²
	if err != nil {
		return nil, err
	}
	return exampleNormColumn(x, gradB, weighted, 4)
}

// exampleNormColumn builds the column gradB_i + c ‖x_i‖² weighted_i that
// both architectures' closed forms share.
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

// divideByScale divides out by scale unless scale is 0 or 1.
func divideByScale(out *G.Node, scale float64) (*G.Node, error) {
	if scale == 0 || scale == 1 {
		return out, nil
	}
	s := Constant(out, scale, fmt.Sprintf("scale%g", scale))
	r, err := G.HadamardDiv(out, s)
	if err != nil {
		return nil, fmt.Errorf("graph: divide by scale: %w", err)
	}
	return r, nil
}

// XavierNormal fills dst, a rows×cols matrix, with the Xavier/Glorot normal
// initialization N(0, 2/(rows+cols)).
func XavierNormal(src NormalSource, dst []float64, rows, cols int) {
	src.FillNormal(dst, 0, math.Sqrt(2/float64(rows+cols)))
}

package archtest

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/igr-project/igr/graph"
)

// Softplus is predict(x) = Σ_j b_j softplus(A_j·x), A Dim×Width with Xavier
// normal entries, b a Width×1 column of zeros: a smooth network whose
// derivatives of every order are non-zero and which implements none of
// package graph's closed forms.
type Softplus struct{ Dim, Width int }

var _ graph.Architecture = Softplus{}

// Name returns "softplus".
func (s Softplus) Name() string { return "softplus" }

// Params returns A (Dim×Width) and b (Width×1).
func (s Softplus) Params() []graph.ParamSpec {
	return []graph.ParamSpec{{Name: "A", Rows: s.Dim, Cols: s.Width}, {Name: "b", Rows: s.Width, Cols: 1}}
}

// Init draws A ~ N(0, 2/(Dim+Width)) and sets b = 0.
func (s Softplus) Init(src graph.NormalSource) graph.Params {
	p := graph.ZeroParams(s.Params())
	graph.XavierNormal(src, p.Data(0), s.Dim, s.Width)
	return p
}

// Predict builds softplus(x·A)·b.
func (s Softplus) Predict(x *G.Node, params []*G.Node) (*G.Node, error) {
	h, err := G.Mul(x, params[0])
	if err != nil {
		return nil, err
	}
	a, err := G.Softplus(h)
	if err != nil {
		return nil, err
	}
	return G.Mul(a, params[1])
}

// TwoLayerLinear is the two-layer linear network of Lewkowycz, Bahri,
// Dyer, Sohl-Dickstein and Gur-Ari ("The large learning rate phase of deep
// learning: the catapult mechanism", 2020), on one-dimensional inputs:
//
//	predict(x) = x Σ_i u_i v_i / √Width,
//
// u a 1×Width row and v a Width×1 column, both N(0, 1) at initialization.
// On one example x = 1 its neural tangent kernel is
// λ = ‖∇_θ predict‖² = (‖u‖² + ‖v‖²)/Width.
type TwoLayerLinear struct{ Width int }

var _ graph.Architecture = TwoLayerLinear{}

// Name returns "uv".
func (l TwoLayerLinear) Name() string { return "uv" }

// Params returns u (1×Width) and v (Width×1).
func (l TwoLayerLinear) Params() []graph.ParamSpec {
	return []graph.ParamSpec{{Name: "u", Rows: 1, Cols: l.Width}, {Name: "v", Rows: l.Width, Cols: 1}}
}

// Init draws every entry of u and v from N(0, 1).
func (l TwoLayerLinear) Init(src graph.NormalSource) graph.Params {
	p := graph.ZeroParams(l.Params())
	src.FillNormal(p.Data(0), 0, 1)
	src.FillNormal(p.Data(1), 0, 1)
	return p
}

// Predict builds (x·u)·v / √Width.
func (l TwoLayerLinear) Predict(x *G.Node, params []*G.Node) (*G.Node, error) {
	h, err := G.Mul(x, params[0])
	if err != nil {
		return nil, err
	}
	out, err := G.Mul(h, params[1])
	if err != nil {
		return nil, err
	}
	return G.HadamardDiv(out, graph.Constant(out, math.Sqrt(float64(l.Width)), fmt.Sprintf("sqrt%d", l.Width)))
}

// Variety returns the architectures a derivative is checked on: the
// quadratic and tanh networks of package graph, each with and without an
// output scale, and Softplus, all with d inputs and m hidden units.
func Variety(d, m int) []graph.Architecture {
	return []graph.Architecture{
		graph.Quadratic{Dim: d, Width: m},
		graph.Quadratic{Dim: d, Width: m, Scale: 7},
		graph.Tanh{Dim: d, Width: m},
		graph.Tanh{Dim: d, Width: m, Scale: 3},
		Softplus{Dim: d, Width: m},
	}
}

// Label names an architecture in a test's output, with its scale.
func Label(a graph.Architecture) string {
	switch a := a.(type) {
	case graph.Quadratic:
		return fmt.Sprintf("quadratic/scale%g", max(a.Scale, 1))
	case graph.Tanh:
		return fmt.Sprintf("tanh/scale%g", max(a.Scale, 1))
	case graph.Linear:
		return fmt.Sprintf("linear/scale%g", max(a.Scale, 1))
	}
	return a.Name()
}

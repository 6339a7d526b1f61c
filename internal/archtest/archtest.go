package archtest

import (
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

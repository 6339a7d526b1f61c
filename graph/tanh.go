package graph

import (
	G "gorgonia.org/gorgonia"
)

// Tanh is a one-hidden-layer network with tanh activation,
//
//	predict(x) = Σ_i b_i tanh(A_i·x) / Scale,
//
// a OneHidden network shaped and initialized like Quadratic. It exists to
// show that another architecture trains with the same code. Its closed form
// of the per-example gradient norms, with t = tanh(x·A), is
//
//	‖∇_θ predict(x_i)‖² = (Σ_j t_ij² + ‖x_i‖² Σ_j b_j² (1 − t_ij²)²) / s².
type Tanh = OneHidden[tanh]

// tanh is σ(h) = tanh(h), with σ'(h)² = (1 − σ(h)²)².
type tanh struct{}

func (tanh) name() string                     { return "tanh" }
func (tanh) apply(h *G.Node) (*G.Node, error) { return G.Tanh(h) }

func (tanh) derivativeSq(_, t *G.Node) (*G.Node, float64, error) {
	t2, err := G.HadamardProd(t, t)
	if err != nil {
		return nil, 0, err
	}
	deriv, err := G.Sub(Constant(t2, 1, "one"), t2) // 1 − t²
	if err != nil {
		return nil, 0, err
	}
	d2, err := G.HadamardProd(deriv, deriv)
	if err != nil {
		return nil, 0, err
	}
	return d2, 1, nil
}

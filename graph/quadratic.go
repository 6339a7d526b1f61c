package graph

import (
	G "gorgonia.org/gorgonia"
)

// Quadratic is the blog's one-hidden-layer network with quadratic activation,
//
//	predict(x) = Σ_i b_i (A_i·x)² / Scale,
//
// a OneHidden network: A is a Dim×Width matrix (column i is A_i) with
// Xavier/Glorot normal entries, b a Width×1 column of zeros. The blog's small
// initialization is Scale 100. Its closed form of the per-example gradient
// norms is
//
//	‖∇_θ predict(x_i)‖² = (Σ_j h_ij⁴ + 4 ‖x_i‖² Σ_j b_j² h_ij²) / s².
type Quadratic = OneHidden[square]

// square is σ(h) = h², with σ'(h)² = 4h² = 4σ(h).
type square struct{}

func (square) name() string                                        { return "quadratic" }
func (square) apply(h *G.Node) (*G.Node, error)                    { return G.HadamardProd(h, h) }
func (square) derivativeSq(_, a *G.Node) (*G.Node, float64, error) { return a, 4, nil }

package graph

import (
	"fmt"

	gonumgraph "gonum.org/v1/gonum/graph"
	G "gorgonia.org/gorgonia"

	"github.com/igr-project/igr/internal/machine"
)

// GradientOf builds ∇_θ f, one node per parameter shaped like it, as an
// expression of t's graph, where f = build(s) is a scalar that build makes
// from a copy s of t in a scratch graph. t's graph is not differentiated:
// build's scalar is differentiated in the scratch graph (its one call to
// Gorgonia's Grad), and the gradient's expression is copied back into t's
// graph with the scratch copies of t's inputs, targets and parameters bound
// to t's own. The result is an ordinary expression of t's parameters, so a
// later Grad on t's graph (the one NewObjective makes) differentiates
// through it exactly, by automatic differentiation.
//
// This is how the project differentiates more than twice. Gorgonia's Grad
// gives wrong numbers, silently, when called a second time on a graph, so
// every level of differentiation gets a graph of its own. s has the nodes of
// t (X, Y, Params, Loss and Grads = ∇L, which build may use), and build may
// call GradientOf on s in turn: each call adds one level. For example, with
// v and u input nodes holding directions,
//
//	GradientOf(t, func(s) { return v·∇(L + penalties) on s })
//
// is ∇²(L + penalties) v in t's graph, and an Objective built WithoutLoss
// with the penalty u·GradientOf(t, s ↦ v·s.Grads) has Gradient
// ∇_θ(uᵀ ∇²L v), a third derivative. Inputs that build creates (such as v)
// are copied into t's graph as inputs bound to the same values; Gorgonia
// identifies inputs by name, so they must be named distinctly from every
// node of t's graph.
func GradientOf(t *Terms, build func(s *Terms) (*G.Node, error)) ([]*G.Node, error) {
	s, err := copyTerms(t)
	if err != nil {
		return nil, err
	}
	f, err := build(s)
	if err != nil {
		return nil, err
	}
	if f == nil || !f.IsScalar() {
		return nil, fmt.Errorf("graph: GradientOf needs a scalar to differentiate")
	}
	grads, err := gradient(f, s.Params)
	if err != nil {
		return nil, fmt.Errorf("graph: nested gradient on %s: %w", t.Arch.Name(), err)
	}
	bind := map[*G.Node]*G.Node{s.X: t.X, s.Y: t.Y}
	for i, p := range s.Params {
		bind[p] = t.Params[i]
	}
	c, err := machine.CopyInto(t.X.Graph(), grads, bind)
	if err != nil {
		return nil, fmt.Errorf("graph: nested gradient on %s: %w", t.Arch.Name(), err)
	}
	out := make([]*G.Node, len(grads))
	for i, g := range grads {
		out[i] = c.Node(g)
	}
	return out, nil
}

// gradient is Gorgonia's Grad of the scalar f with respect to params, with
// zero, as 0·θ, for every parameter θ that f does not depend on
// differentiably, which Grad refuses (the third derivative of a quadratic
// loss, for example, is zero). It follows the edges Grad follows: a child of
// an op counts when the op's DiffWRT says so. It calls Grad once, on f's
// graph.
func gradient(f *G.Node, params []*G.Node) ([]*G.Node, error) {
	reached := map[int64]bool{}
	stack := []*G.Node{f}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if reached[n.ID()] {
			continue
		}
		reached[n.ID()] = true
		op, ok := n.Op().(G.SDOp)
		if !ok {
			continue
		}
		kids := gonumgraph.NodesOf(f.Graph().From(n.ID()))
		for j, d := range op.DiffWRT(len(kids)) {
			if d {
				stack = append(stack, kids[j].(*G.Node))
			}
		}
	}
	var wrt []*G.Node
	for _, p := range params {
		if reached[p.ID()] {
			wrt = append(wrt, p)
		}
	}
	out := make([]*G.Node, len(params))
	if len(wrt) > 0 {
		grads, err := G.Grad(f, wrt...)
		if err != nil {
			return nil, err
		}
		k := 0
		for i, p := range params {
			if reached[p.ID()] {
				out[i] = grads[k]
				k++
			}
		}
	}
	for i, p := range params {
		if out[i] != nil {
			continue
		}
		// 0·θ rather than a constant: a root of a Machine must be computed
		// from an input, and a later level differentiates it to zero too.
		var err error
		if out[i], err = G.HadamardProd(p, Constant(p, 0, "zero")); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// copyTerms copies t's nodes (the loss, ∇L when t has it, and the inputs,
// targets and parameters, which are copied even when nothing else depends on
// them) into a fresh graph that has not been differentiated.
func copyTerms(t *Terms) (*Terms, error) {
	roots := append([]*G.Node{t.Loss, t.X, t.Y}, t.Grads...)
	roots = append(roots, t.Params...)
	c, err := machine.Copy(roots, machine.Options{})
	if err != nil {
		return nil, fmt.Errorf("graph: copying %s loss: %w", t.Arch.Name(), err)
	}
	s := &Terms{Arch: t.Arch, X: c.Node(t.X), Y: c.Node(t.Y), Loss: c.Node(t.Loss)}
	for _, p := range t.Params {
		s.Params = append(s.Params, c.Node(p))
	}
	for _, g := range t.Grads {
		s.Grads = append(s.Grads, c.Node(g))
	}
	return s, nil
}

// Dot builds Σ_k Σ_j a_kj b_kj, the inner product of two lists of matrices
// of matching shapes (a direction and a gradient, say).
func Dot(a, b []*G.Node) (*G.Node, error) {
	if len(a) != len(b) || len(a) == 0 {
		return nil, fmt.Errorf("graph: inner product of %d and %d matrices", len(a), len(b))
	}
	var total *G.Node
	for i := range a {
		prod, err := G.HadamardProd(a[i], b[i])
		if err != nil {
			return nil, fmt.Errorf("graph: inner product: %w", err)
		}
		s, err := G.Sum(prod)
		if err != nil {
			return nil, fmt.Errorf("graph: inner product: %w", err)
		}
		if total == nil {
			total = s
		} else if total, err = G.Add(total, s); err != nil {
			return nil, fmt.Errorf("graph: inner product: %w", err)
		}
	}
	return total, nil
}

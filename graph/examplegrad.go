package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/igr-project/igr/internal/machine"
)

// ExampleGradients is implemented by architectures that build, as graph ops,
// Σ_i ‖∇_θ predict(x_i)‖², the squared norms of the gradients of every
// example's prediction with respect to all parameters, summed over the rows
// x_i of x. The label-noise regularizer is built from it. Architectures
// without it get GenericExampleGradNormSq, exact too but with one small graph
// per example.
type ExampleGradients interface {
	ExampleGradNormSq(x *G.Node, params []*G.Node) (*G.Node, error)
}

// ExampleGradNormSq builds the scalar Σ_i ‖∇_θ predict(x_i)‖² in the graph of
// x and params: with the architecture's closed form when it implements
// ExampleGradients, otherwise with GenericExampleGradNormSq.
func ExampleGradNormSq(arch Architecture, x *G.Node, params []*G.Node) (*G.Node, error) {
	if eg, ok := arch.(ExampleGradients); ok {
		return eg.ExampleGradNormSq(x, params)
	}
	return GenericExampleGradNormSq(arch, x, params)
}

// GenericExampleGradNormSq builds Σ_i ‖∇_θ predict(x_i)‖² for any
// architecture: each example's prediction is built and differentiated in its
// own scratch graph (Gorgonia differentiates a graph only once), and the
// squared norm of its gradient is copied into the graph of params, bound to
// params. x must be an input node with a value. The graph grows with n, so a
// closed form (ExampleGradients) is much faster for large data sets.
func GenericExampleGradNormSq(arch Architecture, x *G.Node, params []*G.Node) (*G.Node, error) {
	xv, ok := x.Value().(*tensor.Dense)
	if !ok || x.Op() != nil {
		return nil, fmt.Errorf("graph: per-example gradients need the inputs as an input node with a value")
	}
	n, d := xv.Shape()[0], xv.Shape()[1]
	data := Params{xv}.Values(0)
	g := params[0].Graph()
	var total *G.Node
	for i := 0; i < n; i++ {
		scratch := G.NewGraph()
		xi := G.NewMatrix(scratch, x.Dtype(), G.WithShape(1, d), G.WithName(fmt.Sprintf("x%s_row%d", x.Name(), i)),
			G.WithValue(NewMatrixOf(x.Dtype(), 1, d, data[i*d:(i+1)*d])))
		ps := make([]*G.Node, len(params))
		bind := make(map[*G.Node]*G.Node, len(params))
		for j, p := range params {
			ps[j] = G.NewMatrix(scratch, p.Dtype(), G.WithShape(p.Shape()...), G.WithName(p.Name()), G.WithValue(p.Value()))
			bind[ps[j]] = p
		}
		pred, err := arch.Predict(xi, ps)
		if err != nil {
			return nil, err
		}
		out, err := G.Sum(pred)
		if err != nil {
			return nil, fmt.Errorf("graph: example %d: %w", i, err)
		}
		grads, err := G.Grad(out, ps...)
		if err != nil {
			return nil, fmt.Errorf("graph: gradient of example %d: %w", i, err)
		}
		sq, err := SumOfSquares(grads)
		if err != nil {
			return nil, err
		}
		c, err := machine.CopyInto(g, []*G.Node{sq}, bind)
		if err != nil {
			return nil, fmt.Errorf("graph: example %d: %w", i, err)
		}
		if total == nil {
			total = c.Node(sq)
		} else if total, err = G.Add(total, c.Node(sq)); err != nil {
			return nil, fmt.Errorf("graph: example %d: %w", i, err)
		}
	}
	return total, nil
}

// SumOfSquares builds Σ_k Σ_j v_kj², the squared Euclidean norm of all the
// matrices vs together.
func SumOfSquares(vs []*G.Node) (*G.Node, error) {
	var total *G.Node
	for _, v := range vs {
		sq, err := G.HadamardProd(v, v)
		if err != nil {
			return nil, fmt.Errorf("graph: square: %w", err)
		}
		s, err := G.Sum(sq)
		if err != nil {
			return nil, fmt.Errorf("graph: sum: %w", err)
		}
		if total == nil {
			total = s
		} else if total, err = G.Add(total, s); err != nil {
			return nil, fmt.Errorf("graph: add: %w", err)
		}
	}
	if total == nil {
		return nil, fmt.Errorf("graph: sum of squares of nothing")
	}
	return total, nil
}

// ones returns an n×1 constant column of ones of dtype, named by its length.
func ones(dtype tensor.Dtype, n int) *G.Node {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return G.NewConstant(NewMatrixOf(dtype, n, 1, v), G.WithName(fmt.Sprintf("ones%d_%v", n, dtype)))
}

// rowSumsOfSquares builds the n×1 column Σ_j v_ij² of an n×k matrix v.
func rowSumsOfSquares(v *G.Node) (*G.Node, error) {
	sq, err := G.HadamardProd(v, v)
	if err != nil {
		return nil, err
	}
	return G.Mul(sq, ones(v.Dtype(), v.Shape()[1]))
}

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

// ExampleGradientColumns is implemented by architectures that build, as
// graph ops, the n×1 column of ‖∇_θ predict(x_i)‖², one squared norm per row
// x_i of x. Per-example loss gradients (ExampleLossGradNormSq) are built from
// it; architectures without it get the generic construction.
type ExampleGradientColumns interface {
	ExampleGradNormSqColumn(x *G.Node, params []*G.Node) (*G.Node, error)
}

var (
	_ ExampleGradients       = Quadratic{}
	_ ExampleGradientColumns = Quadratic{}
	_ ExampleGradients       = Tanh{}
	_ ExampleGradientColumns = Tanh{}
)

// GenericExampleGradNormSq builds Σ_i ‖∇_θ predict(x_i)‖² for any
// architecture: each example's prediction is built and differentiated in its
// own scratch graph (Gorgonia differentiates a graph only once), and the
// squared norm of its gradient is copied into the graph of params, bound to
// params. x must be an input node with a value; each example reads its row
// of that value in place, so an Objective's SetInputs reaches it. The graph
// grows with n, so a closed form (ExampleGradients) is much faster for large
// data sets.
func GenericExampleGradNormSq(arch Architecture, x *G.Node, params []*G.Node) (*G.Node, error) {
	return perExample(arch, x, nil, params, func(pred, _ *G.Node) (*G.Node, error) { return G.Sum(pred) })
}

// ExampleLossGradNormSq builds Σ_i ‖∇_θ ℓ_i‖², the squared norms of the
// gradients of every example's loss ℓ_i = (predict(x_i) − y_i)², summed over
// the rows of x (n×d) and y (n×1). With the architecture's column of
// ‖∇_θ predict(x_i)‖² (ExampleGradientColumns) it is
// 4 Σ_i (predict(x_i) − y_i)² ‖∇_θ predict(x_i)‖²; otherwise each example's
// loss is differentiated in a graph of its own, as in
// GenericExampleGradNormSq. x and y must be input nodes with values; the
// generic construction reads their rows in place, so that an Objective's
// SetInputs and SetTargets reach it.
func ExampleLossGradNormSq(arch Architecture, x, y *G.Node, params []*G.Node) (*G.Node, error) {
	cols, ok := arch.(ExampleGradientColumns)
	if !ok {
		return GenericExampleLossGradNormSq(arch, x, y, params)
	}
	col, err := cols.ExampleGradNormSqColumn(x, params)
	if err != nil {
		return nil, err
	}
	pred, err := arch.Predict(x, params)
	if err != nil {
		return nil, err
	}
	r2, err := squaredResiduals(pred, y)
	if err != nil {
		return nil, err
	}
	w, err := G.HadamardProd(r2, col)
	if err != nil {
		return nil, fmt.Errorf("graph: weighted example norms: %w", err)
	}
	sum, err := G.Sum(w)
	if err != nil {
		return nil, fmt.Errorf("graph: sum of example norms: %w", err)
	}
	return G.HadamardProd(sum, Constant(sum, 4, "four"))
}

// GenericExampleLossGradNormSq is ExampleLossGradNormSq for any
// architecture: one small graph per example.
func GenericExampleLossGradNormSq(arch Architecture, x, y *G.Node, params []*G.Node) (*G.Node, error) {
	if y == nil {
		return nil, fmt.Errorf("graph: per-example losses need the targets")
	}
	return perExample(arch, x, y, params, func(pred, yi *G.Node) (*G.Node, error) {
		r2, err := squaredResiduals(pred, yi)
		if err != nil {
			return nil, err
		}
		return G.Sum(r2)
	})
}

// squaredResiduals builds the column (pred_i − y_i)² of n×1 matrices pred
// and y.
func squaredResiduals(pred, y *G.Node) (*G.Node, error) {
	r, err := G.Sub(pred, y)
	if err != nil {
		return nil, fmt.Errorf("graph: residual: %w", err)
	}
	r2, err := G.HadamardProd(r, r)
	if err != nil {
		return nil, fmt.Errorf("graph: squared residual: %w", err)
	}
	return r2, nil
}

// perExample builds Σ_i ‖∇_θ f(predict(x_i), y_i)‖² in the graph of params:
// for each row, f of its prediction (and target, when y is not nil) is built
// and differentiated in a scratch graph whose inputs are views of row i of
// x's and y's values, and the squared norm of the gradient is copied into the
// graph of params, bound to params.
func perExample(arch Architecture, x, y *G.Node, params []*G.Node, f func(pred, yi *G.Node) (*G.Node, error)) (*G.Node, error) {
	xv, ok := x.Value().(*tensor.Dense)
	if !ok || x.Op() != nil {
		return nil, fmt.Errorf("graph: per-example gradients need the inputs as an input node with a value")
	}
	var yv *tensor.Dense
	if y != nil {
		if yv, ok = y.Value().(*tensor.Dense); !ok || y.Op() != nil {
			return nil, fmt.Errorf("graph: per-example losses need the targets as an input node with a value")
		}
	}
	n, d := xv.Shape()[0], xv.Shape()[1]
	g := params[0].Graph()
	var total *G.Node
	for i := 0; i < n; i++ {
		scratch := G.NewGraph()
		xi := G.NewMatrix(scratch, x.Dtype(), G.WithShape(1, d), G.WithName(fmt.Sprintf("x%s_row%d", x.Name(), i)),
			G.WithValue(rowView(xv, i)))
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
		var yi *G.Node
		if yv != nil {
			yi = G.NewMatrix(scratch, y.Dtype(), G.WithShape(1, 1), G.WithName(fmt.Sprintf("y%s_row%d", y.Name(), i)),
				G.WithValue(rowView(yv, i)))
		}
		out, err := f(pred, yi)
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

// rowView returns row i of the matrix m as a 1×cols matrix sharing m's
// backing array.
func rowView(m *tensor.Dense, i int) *tensor.Dense {
	cols := m.Shape()[1]
	var backing any
	switch m.Dtype() {
	case tensor.Float32:
		backing = m.Float32s()[i*cols : (i+1)*cols]
	default:
		backing = m.Float64s()[i*cols : (i+1)*cols]
	}
	return tensor.New(tensor.WithShape(1, cols), tensor.WithBacking(backing))
}

// SumOfSquares builds Σ_k Σ_j v_kj², the squared Euclidean norm of all the
// matrices vs together.
func SumOfSquares(vs []*G.Node) (*G.Node, error) {
	if len(vs) == 0 {
		return nil, fmt.Errorf("graph: sum of squares of nothing")
	}
	return Dot(vs, vs)
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

package curvature

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
)

var (
	_ Operator = (*Hessian)(nil)
)

// HessianSettings configure a Hessian. The zero value (or nil) means the
// Hessian of the mean squared error L alone.
type HessianSettings struct {
	// Penalties are added to L: the Hessian is that of L + Σ penalties,
	// differentiated exactly through any gradient a penalty is built from
	// (the Hessian of L + λ‖∇L‖² involves third derivatives of L).
	Penalties []graph.Penalty
}

// penalties are s.Penalties, none for nil settings.
func (s *HessianSettings) penalties() []graph.Penalty {
	if s == nil {
		return nil
	}
	return s.Penalties
}

// Hessian computes exact Hessian-vector products ∇²T(θ) v of the training
// objective T = L + Σ penalties of an architecture on a data set, L the mean
// squared error, at the values its parameters hold when Apply is called.
//
// The product is the gradient of the scalar v·∇T (Pearlmutter, "Fast Exact
// Multiplication by the Hessian", Neural Computation 6, 1994): automatic
// differentiation through the gradient, exact up to rounding. When T has
// penalties, ∇T is built by graph.GradientOf in a graph of its own.
//
// A Hessian is not safe for concurrent use; independent Hessians are.
type Hessian struct {
	o   *graph.Objective
	v   graph.Params // the direction, bound to the graph
	n   int
	out []float64
}

// NewHessian compiles ∇²T v for arch on inputs x (n×d) and targets y (n×1),
// float64, at parameters p (float64; their values are read at every Apply,
// so training p in place moves the Hessian with it).
func NewHessian(arch graph.Architecture, x, y *tensor.Dense, p graph.Params, s *HessianSettings) (*Hessian, error) {
	if err := checkProblem(arch, x, y, p); err != nil {
		return nil, err
	}
	v := graph.ZeroParams(arch.Params())
	o, err := graph.NewObjective(arch, x, y, p, &graph.ObjectiveSettings{
		Penalties: []graph.Penalty{direction{name: "curvature_v", v: v, penalties: s.penalties()}}, WithoutLoss: true})
	if err != nil {
		return nil, fmt.Errorf("curvature: %w", err)
	}
	return &Hessian{o: o, v: v, n: v.Len()}, nil
}

// checkProblem reports mismatched shapes as ErrShape.
func checkProblem(arch graph.Architecture, x, y *tensor.Dense, p graph.Params) error {
	if err := graph.CheckParams(arch, p); err != nil {
		return fmt.Errorf("%w: %w", ErrShape, err)
	}
	if p.Dtype() != tensor.Float64 {
		return fmt.Errorf("%w: parameters must be float64, got %v", ErrShape, p.Dtype())
	}
	if x.Dims() != 2 || y.Dims() != 2 || y.Shape()[1] != 1 || x.Shape()[0] != y.Shape()[0] {
		return fmt.Errorf("%w: inputs %v and targets %v must be n×d and n×1", ErrShape, x.Shape(), y.Shape())
	}
	if d := arch.Params()[0].Rows; x.Shape()[1] != d {
		return fmt.Errorf("%w: inputs have %d columns, %s expects %d", ErrShape, x.Shape()[1], arch.Name(), d)
	}
	return nil
}

// direction is the penalty v·∇T, T = L + Σ penalties, whose gradient is
// ∇²T v. Its input nodes are named name_<parameter>.
type direction struct {
	name      string
	v         graph.Params
	penalties []graph.Penalty
}

func (d direction) Name() string { return d.name + "·∇T" }

func (d direction) Build(t *graph.Terms) (*G.Node, error) {
	grads := t.Grads
	if len(d.penalties) > 0 {
		var err error
		if grads, err = graph.GradientOf(t, d.total); err != nil {
			return nil, err
		}
	}
	return dotInput(d.name, d.v, t.Params, grads)
}

// dotInput builds v·grads, v bound to input nodes of the parameters' graph
// named name_<parameter>.
func dotInput(name string, v graph.Params, params, grads []*G.Node) (*G.Node, error) {
	vs := make([]*G.Node, len(params))
	for i, p := range params {
		vs[i] = G.NewMatrix(p.Graph(), p.Dtype(), G.WithShape(p.Shape()...), G.WithName(name+"_"+p.Name()), G.WithValue(v[i]))
	}
	return graph.Dot(vs, grads)
}

// total builds L + Σ penalties on s.
func (d direction) total(s *graph.Terms) (*G.Node, error) {
	total := s.Loss
	for _, pen := range d.penalties {
		term, err := pen.Build(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", pen.Name(), err)
		}
		if total, err = G.Add(total, term); err != nil {
			return nil, fmt.Errorf("adding %s: %w", pen.Name(), err)
		}
	}
	return total, nil
}

// Len is the number of parameters, the length of the vectors.
func (h *Hessian) Len() int { return h.n }

// Apply sets dst to ∇²T v at the current parameter values; both are flat as
// graph.Params.Flat lays the parameters out.
func (h *Hessian) Apply(dst, v []float64) error {
	if len(dst) != h.n || len(v) != h.n {
		return fmt.Errorf("%w: Hessian-vector product of %d parameters with vectors of %d and %d", ErrShape, h.n, len(v), len(dst))
	}
	h.v.SetFlat(v)
	return run(h.o, dst)
}

// run evaluates o and copies its Gradient into dst.
func run(o *graph.Objective, dst []float64) error {
	if err := o.Run(); err != nil {
		return fmt.Errorf("curvature: %w", err)
	}
	o.FlatGradient(dst)
	return nil
}

// Loss returns the mean squared error L at the parameters of the last Apply.
func (h *Hessian) Loss() float64 { return h.o.Loss() }

// Objective is the compiled objective whose Run computes ∇²T v: its Loss and
// LossGradient are L and ∇L at the parameters of the last Apply, so a
// training step can take its gradient from the same pass
// (graph.Objective.DescendLoss). Its Gradient is the product.
func (h *Hessian) Objective() *graph.Objective { return h.o }

// Close releases the compiled graph.
func (h *Hessian) Close() error { return h.o.Close() }

// ThirdDerivative computes g = ∇_θ(uᵀ ∇²T(θ) v), the gradient of the
// curvature of the training objective T = L + Σ penalties between two
// directions: the third-derivative tensor of T contracted with u and v, as a
// central-flow integrator needs for a few eigenvectors u_i, u_j of ∇²L
// (Cohen, Damian, Talwalkar, Kolter and Lee, "Understanding Optimization in
// Deep Learning with Central Flows", 2024). Three levels of automatic
// differentiation, each in a graph of its own (graph.GradientOf): exact up
// to rounding.
type ThirdDerivative struct {
	o    *graph.Objective
	u, v graph.Params
	n    int
}

// NewThirdDerivative compiles ∇_θ(uᵀ∇²T v) for arch on inputs x (n×d) and
// targets y (n×1) at parameters p (float64, read at every Apply).
func NewThirdDerivative(arch graph.Architecture, x, y *tensor.Dense, p graph.Params, s *HessianSettings) (*ThirdDerivative, error) {
	if err := checkProblem(arch, x, y, p); err != nil {
		return nil, err
	}
	t := &ThirdDerivative{u: graph.ZeroParams(arch.Params()), v: graph.ZeroParams(arch.Params())}
	t.n = t.u.Len()
	inner := direction{name: "curvature_v", v: t.v, penalties: s.penalties()}
	outer := contracted{name: "curvature_u", u: t.u, inner: inner}
	var err error
	if t.o, err = graph.NewObjective(arch, x, y, p, &graph.ObjectiveSettings{Penalties: []graph.Penalty{outer}, WithoutLoss: true}); err != nil {
		return nil, fmt.Errorf("curvature: %w", err)
	}
	return t, nil
}

// contracted is the penalty u·∇(inner), inner a scalar built on a copy of
// the terms: with inner = v·∇T it is uᵀ∇²T v.
type contracted struct {
	name  string
	u     graph.Params
	inner graph.Penalty
}

func (c contracted) Name() string { return c.name + "·∇(" + c.inner.Name() + ")" }

func (c contracted) Build(t *graph.Terms) (*G.Node, error) {
	grads, err := graph.GradientOf(t, c.inner.Build)
	if err != nil {
		return nil, err
	}
	return dotInput(c.name, c.u, t.Params, grads)
}

// Len is the number of parameters, the length of the vectors.
func (t *ThirdDerivative) Len() int { return t.n }

// Apply sets dst to ∇_θ(uᵀ∇²T v) at the current parameter values, and
// returns uᵀ∇²T v.
func (t *ThirdDerivative) Apply(dst, u, v []float64) (float64, error) {
	if len(dst) != t.n || len(u) != t.n || len(v) != t.n {
		return math.NaN(), fmt.Errorf("%w: third derivative of %d parameters with vectors of %d, %d and %d", ErrShape, t.n, len(u), len(v), len(dst))
	}
	t.u.SetFlat(u)
	t.v.SetFlat(v)
	if err := run(t.o, dst); err != nil {
		return math.NaN(), err
	}
	return t.o.Total(), nil
}

// Close releases the compiled graph.
func (t *ThirdDerivative) Close() error { return t.o.Close() }

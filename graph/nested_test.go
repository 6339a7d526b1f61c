package graph_test

import (
	"math"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/gradcheck"
	"github.com/igr-project/igr/internal/random"
)

// inputsLike returns input nodes of g holding the values of p, named
// prefix + the parameter's name.
func inputsLike(g *G.ExprGraph, prefix string, like []*G.Node, p graph.Params) []*G.Node {
	out := make([]*G.Node, len(like))
	for i, n := range like {
		out[i] = G.NewMatrix(g, n.Dtype(), G.WithShape(n.Shape()...), G.WithName(prefix+n.Name()), G.WithValue(p[i]))
	}
	return out
}

// along is the penalty dir·f(t), for a gradient f built on t.
type along struct {
	name string
	dir  graph.Params
	f    func(t *graph.Terms) ([]*G.Node, error)
}

func (a along) Name() string { return a.name }
func (a along) Build(t *graph.Terms) (*G.Node, error) {
	g, err := a.f(t)
	if err != nil {
		return nil, err
	}
	return graph.Dot(inputsLike(t.X.Graph(), a.name+"_", t.Params, a.dir), g)
}

// lossGradient is ∇L rebuilt by GradientOf, one level down.
func lossGradient(t *graph.Terms) ([]*G.Node, error) {
	return graph.GradientOf(t, func(s *graph.Terms) (*G.Node, error) { return s.Loss, nil })
}

func randomDirection(p graph.Params, seed uint64) graph.Params {
	q := p.Clone()
	src := random.New(seed, random.Probe)
	for i := range q {
		src.FillNormal(q.Data(i), 0, 1)
	}
	return q
}

// TestGradientOfRebuildsTheGradient: ∇L built by GradientOf in a graph of
// its own and copied back is the ∇L of the objective, as a measure c·∇L.
func TestGradientOfRebuildsTheGradient(t *testing.T) {
	const n, d, m = 11, 5, 7
	for _, tc := range architectures(d, m) {
		x, y, p := testProblem(tc.arch, n, d)
		c := randomDirection(p, 1)
		direct := along{"direct", c, func(t *graph.Terms) ([]*G.Node, error) { return t.Grads, nil }}
		nested := along{"nested", c, lossGradient}
		o, err := graph.NewObjective(tc.arch, graph.NewMatrix(n, d, x), graph.NewMatrix(n, 1, y), p,
			&graph.ObjectiveSettings{Measures: []graph.Penalty{direct, nested}})
		if err != nil {
			t.Fatal(err)
		}
		if err := o.Run(); err != nil {
			t.Fatal(err)
		}
		var want float64
		for i := range p {
			for j, g := range o.LossGradient(i) {
				want += c.Data(i)[j] * g
			}
		}
		for k, by := range []string{"∇L", "GradientOf"} {
			if got := o.Term(k); math.Abs(got-want) > 1e-13*math.Abs(want) {
				t.Errorf("%s: c·∇L by %s = %.17g, want %.17g", name(tc.arch), by, got, want)
			}
		}
		o.Close()
	}
}

// TestThirdDerivativeMatchesFiniteDifferences builds ∇_θ(uᵀ ∇²L v) by
// differentiating three times, each time in a graph of its own (GradientOf
// nested in GradientOf, then the Objective's Grad), and compares it with
// central differences of uᵀ∇²L v, itself computed by the Objective's
// Hessian-vector product.
func TestThirdDerivativeMatchesFiniteDifferences(t *testing.T) {
	const n, d, m = 11, 4, 5
	for _, tc := range architectures(d, m) {
		t.Run(name(tc.arch), func(t *testing.T) {
			x, y, p := testProblem(tc.arch, n, d)
			u, v := randomDirection(p, 2), randomDirection(p, 3)
			X, Y := graph.NewMatrix(n, d, x), graph.NewMatrix(n, 1, y)
			hvp := along{"v", v, func(t *graph.Terms) ([]*G.Node, error) { return t.Grads, nil }}
			h, err := graph.NewObjective(tc.arch, X, Y, p, &graph.ObjectiveSettings{Penalties: []graph.Penalty{hvp}, WithoutLoss: true})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			// u·∇(v·∇L), with ∇L itself rebuilt one level down.
			third := along{"u", u, func(t *graph.Terms) ([]*G.Node, error) {
				return graph.GradientOf(t, func(s *graph.Terms) (*G.Node, error) {
					return along{"v", v, lossGradient}.Build(s)
				})
			}}
			o, err := graph.NewObjective(tc.arch, X, Y, p, &graph.ObjectiveSettings{Penalties: []graph.Penalty{third}, WithoutLoss: true})
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			theta := p.Flat()
			uHv := func(w []float64) float64 {
				p.SetFlat(w)
				if err := h.Run(); err != nil {
					t.Fatal(err)
				}
				var s float64
				for i := range p {
					for j, g := range h.Gradient(i) {
						s += u.Data(i)[j] * g
					}
				}
				return s
			}
			want := gradcheck.Central(uHv, theta)
			p.SetFlat(theta)
			if err := o.Run(); err != nil {
				t.Fatal(err)
			}
			var got []float64
			for i := range p {
				got = append(got, o.Gradient(i)...)
			}
			if e := gradcheck.RelativeError(got, want); e > gradcheck.Tolerance {
				t.Errorf("∇(uᵀ∇²L v) has relative error %.3g against central differences", e)
			}
			if hv := uHv(theta); math.Abs(o.Total()-hv) > 1e-12*math.Abs(hv) {
				t.Errorf("uᵀ∇²L v = %.17g through three graphs, %.17g through two", o.Total(), hv)
			}
		})
	}
}

// TestDescendLoss: on an objective whose Gradient is not ∇L (a penalty is
// added), DescendLoss steps along ∇L, in the arithmetic of Descend.
func TestDescendLoss(t *testing.T) {
	const n, d, m = 11, 5, 7
	arch := graph.Quadratic{Dim: d, Width: m}
	x, y, p := testProblem(arch, n, d)
	o, err := graph.NewObjective(arch, graph.NewMatrix(n, d, x), graph.NewMatrix(n, 1, y), p,
		&graph.ObjectiveSettings{Penalties: []graph.Penalty{halfGradNorm{}}})
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if err := o.Run(); err != nil {
		t.Fatal(err)
	}
	const lr = 0.01
	var want []float64
	for i := range p {
		for j, g := range o.LossGradient(i) {
			want = append(want, p.Data(i)[j]-lr*g)
		}
	}
	if e := gradcheck.RelativeError(o.Gradient(0), o.LossGradient(0)); e < 1e-3 {
		t.Fatalf("the penalty does not change the gradient (relative %g): the test cannot tell the steps apart", e)
	}
	o.DescendLoss(lr)
	if got := p.Flat(); gradcheck.RelativeError(got, want) > 1e-15 {
		t.Errorf("DescendLoss moved to %v, want %v", got, want)
	}
}

package sharpness

import (
	"errors"
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
)

// HVP computes exact Hessian-vector products of an architecture's mean
// squared error on a data set, at the values its parameters hold.
type HVP struct {
	o *graph.Objective
	v graph.Params // the vector, bound to the graph
	n int
}

// NewHVP compiles ∇²L v for arch on inputs x (n×d) and targets y (n×1) at
// parameters p.
func NewHVP(arch graph.Architecture, x, y *tensor.Dense, p graph.Params) (*HVP, error) {
	v := graph.ZeroParams(arch.Params())
	o, err := graph.NewObjective(arch, x, y, p, &graph.ObjectiveSettings{Penalties: []graph.Penalty{direction{v}}, WithoutLoss: true})
	if err != nil {
		return nil, fmt.Errorf("sharpness: %w", err)
	}
	return &HVP{o: o, v: v, n: v.Len()}, nil
}

// direction is the penalty v·∇L, whose gradient is ∇²L v.
type direction struct{ v graph.Params }

func (direction) Name() string { return "v·∇L" }

func (d direction) Build(t *graph.Terms) (*G.Node, error) {
	var total *G.Node
	for i, g := range t.Grads {
		vi := G.NewMatrix(g.Graph(), d.v[i].Dtype(), G.WithShape(g.Shape()...), G.WithName("v_"+t.Params[i].Name()), G.WithValue(d.v[i]))
		prod, err := G.HadamardProd(g, vi)
		if err != nil {
			return nil, err
		}
		s, err := G.Sum(prod)
		if err != nil {
			return nil, err
		}
		if total == nil {
			total = s
		} else if total, err = G.Add(total, s); err != nil {
			return nil, err
		}
	}
	return total, nil
}

// Len is the number of parameters, the length of the vectors.
func (h *HVP) Len() int { return h.n }

// Apply sets out to ∇²L v, both flat as graph.Params.Flat lays them out.
func (h *HVP) Apply(out, v []float64) error {
	h.v.SetFlat(v)
	if err := h.o.Run(); err != nil {
		return fmt.Errorf("sharpness: %w", err)
	}
	off := 0
	for i := range h.v {
		off += copy(out[off:], h.o.Gradient(i))
	}
	return nil
}

// Loss returns the training MSE at the point of the last Apply.
func (h *HVP) Loss() float64 { return h.o.Loss() }

// Close releases the graph.
func (h *HVP) Close() error { return h.o.Close() }

// ErrNoConvergence is returned when power iteration does not settle.
var ErrNoConvergence = errors.New("sharpness: power iteration did not converge")

// Settings configure Top. The zero value means the defaults given.
type Settings struct {
	// MaxIter bounds the iterations. Zero means 500.
	MaxIter int
	// Tol stops when the eigenvalue estimate changes by less than Tol
	// relative to it. Zero means 1e-8.
	Tol float64
	// Start is the first vector; nil means one with every entry 1. Passing
	// the previous call's vector warm-starts a sequence of measurements.
	Start []float64
}

// Top returns the eigenvalue of largest magnitude of ∇²L, by power iteration,
// and its unit eigenvector.
func Top(h *HVP, s *Settings) (float64, []float64, error) {
	var c Settings
	if s != nil {
		c = *s
	}
	if c.MaxIter == 0 {
		c.MaxIter = 500
	}
	if c.Tol == 0 {
		c.Tol = 1e-8
	}
	v := make([]float64, h.n)
	if c.Start != nil && norm(c.Start) > 0 {
		copy(v, c.Start)
	} else {
		for i := range v {
			v[i] = 1
		}
	}
	scale(v, 1/norm(v))
	hv := make([]float64, h.n)
	lambda := math.NaN()
	for it := 0; it < c.MaxIter; it++ {
		if err := h.Apply(hv, v); err != nil {
			return 0, nil, err
		}
		next := dot(v, hv) // Rayleigh quotient of the unit vector v
		nrm := norm(hv)
		if nrm == 0 || math.IsNaN(nrm) || math.IsInf(nrm, 0) {
			return next, v, nil
		}
		copy(v, hv)
		scale(v, 1/nrm)
		if math.Abs(next-lambda) <= c.Tol*math.Abs(next) {
			return next, v, nil
		}
		lambda = next
	}
	return lambda, v, fmt.Errorf("%w after %d iterations (last estimate %g)", ErrNoConvergence, c.MaxIter, lambda)
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func norm(a []float64) float64 { return math.Sqrt(dot(a, a)) }

func scale(a []float64, c float64) {
	for i := range a {
		a[i] *= c
	}
}

package curvature_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/archtest"
	"github.com/igr-project/igr/internal/gradcheck"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train/curvature"
)

const n, d, m = 9, 4, 5

// architectures are the project's architectures and one defined for tests,
// at sizes where every check runs in milliseconds.
func architectures() []graph.Architecture {
	return append(archtest.Variety(d, m), graph.Linear{Dim: d})
}

func archName(a graph.Architecture) string { return archtest.Label(a) }

// penalties are the objectives T = L + penalty whose curvature is checked:
// L alone, and L plus penalties built from ∇L (so that ∇²T involves third
// derivatives of L) or from per-example gradients.
func penalties() map[string][]graph.Penalty {
	return map[string][]graph.Penalty{
		"L":                 nil,
		"L+grad_norm_reg":   {regularizer.GradientNorm{Lambda: 0.3}},
		"L+label_noise_reg": {regularizer.LabelNoise{Eta: 0.2}},
		"L+both":            {regularizer.GradientNorm{Lambda: 0.1}, regularizer.LabelNoise{Eta: 0.2}},
	}
}

// problem returns data and random parameters, b included, so that every
// derivative is non-trivial.
func problem(arch graph.Architecture, seed uint64) (x, y *tensor.Dense, p graph.Params) {
	return problemOf(arch, n, d, seed)
}

func normals(k int, seed uint64) []float64 {
	v := make([]float64, k)
	random.New(seed, random.Probe).FillNormal(v, 0, 1)
	return v
}

// gradientOf returns w ↦ ∇T(w), T = L + pens, by the Objective whose
// gradient is itself checked against finite differences (packages graph
// and regularizer).
func gradientOf(t *testing.T, arch graph.Architecture, x, y *tensor.Dense, p graph.Params, pens []graph.Penalty) func(w []float64) []float64 {
	o, err := graph.NewObjective(arch, x, y, p, &graph.ObjectiveSettings{Penalties: pens})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return func(w []float64) []float64 {
		p.SetFlat(w)
		if err := o.Run(); err != nil {
			t.Fatal(err)
		}
		var g []float64
		for i := range p {
			g = append(g, o.Gradient(i)...)
		}
		return g
	}
}

// TestHVPMatchesFiniteDifferences compares ∇²T v with central differences
// of ∇T along v, (∇T(θ + εv) − ∇T(θ − εv))/2ε, for every architecture and
// objective.
func TestHVPMatchesFiniteDifferences(t *testing.T) {
	for _, arch := range architectures() {
		for name, pens := range penalties() {
			t.Run(archName(arch)+"/"+name, func(t *testing.T) {
				x, y, p := problem(arch, 1)
				h, err := curvature.NewHessian(arch, x, y, p, &curvature.HessianSettings{Penalties: pens})
				if err != nil {
					t.Fatal(err)
				}
				defer h.Close()
				v := normals(h.Len(), 2)
				got := make([]float64, h.Len())
				if err := h.Apply(got, v); err != nil {
					t.Fatal(err)
				}
				grad := gradientOf(t, arch, x, y, p, pens)
				theta := p.Flat()
				shifted := func(sign float64) []float64 {
					w := append([]float64(nil), theta...)
					floats.AddScaled(w, sign*gradcheck.Step, v)
					return grad(w)
				}
				want := shifted(1)
				floats.Sub(want, shifted(-1))
				floats.Scale(1/(2*gradcheck.Step), want)
				p.SetFlat(theta)
				if e := gradcheck.RelativeError(got, want); e > gradcheck.Tolerance {
					t.Errorf("∇²T v has relative error %.3g against central differences of ∇T", e)
				}
			})
		}
	}
}

// TestThirdDerivativeMatchesFiniteDifferences compares ∇(uᵀ∇²T v) with the
// central-difference gradient of θ ↦ uᵀ∇²T(θ) v, itself computed by the
// Hessian checked above. With the gradient-norm penalty this is a fourth
// derivative of L.
func TestThirdDerivativeMatchesFiniteDifferences(t *testing.T) {
	for _, arch := range architectures() {
		for name, pens := range penalties() {
			if name == "L+both" {
				continue // its parts are checked
			}
			t.Run(archName(arch)+"/"+name, func(t *testing.T) {
				x, y, p := problem(arch, 3)
				s := &curvature.HessianSettings{Penalties: pens}
				h, err := curvature.NewHessian(arch, x, y, p, s)
				if err != nil {
					t.Fatal(err)
				}
				defer h.Close()
				third, err := curvature.NewThirdDerivative(arch, x, y, p, s)
				if err != nil {
					t.Fatal(err)
				}
				defer third.Close()
				k := h.Len()
				u, v := normals(k, 4), normals(k, 5)
				hv := make([]float64, k)
				uHv := func(w []float64) float64 {
					p.SetFlat(w)
					if err := h.Apply(hv, v); err != nil {
						t.Fatal(err)
					}
					return floats.Dot(u, hv)
				}
				theta := p.Flat()
				want := gradcheck.Central(uHv, theta)
				value := uHv(theta)
				got := make([]float64, k)
				curv, err := third.Apply(got, u, v)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(curv-value) > 1e-12*math.Abs(value) {
					t.Errorf("uᵀ∇²T v = %.17g by the third derivative's graph, %.17g by the Hessian's", curv, value)
				}
				if _, ok := arch.(graph.Linear); ok && name == "L" {
					// The loss is quadratic: its third derivative is zero,
					// and the central differences are too.
					if floats.Norm(got, 2) != 0 || floats.Norm(want, 2) > 1e-9 {
						t.Errorf("third derivative of a quadratic: %v, differences %v", got, want)
					}
					return
				}
				if e := gradcheck.RelativeError(got, want); e > gradcheck.Tolerance {
					t.Errorf("∇(uᵀ∇²T v) has relative error %.3g against central differences", e)
				}
			})
		}
	}
}

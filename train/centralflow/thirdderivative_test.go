package centralflow_test

import (
	"gonum.org/v1/gonum/floats"
	"math"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/archtest"
	"github.com/igr-project/igr/internal/gradcheck"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train/centralflow"
	"github.com/igr-project/igr/train/dataset"
)

// thirdDerivativeProblem returns a network on random data at random
// parameters (b included, so that every derivative is non-trivial), and
// three random unit directions.
func thirdDerivativeProblem(t *testing.T, arch graph.Architecture, s *centralflow.NetworkSettings) (*centralflow.Network, []float64, [3][]float64) {
	t.Helper()
	const n = 9
	d := arch.Params()[0].Rows // the input dimension
	src := random.New(21, random.Data)
	x, y := make([]float64, 2*n*d), make([]float64, 2*n)
	src.FillNormal(x, 0, 1)
	src.FillNormal(y, 1, 1)
	data := &dataset.Set{Dim: d, Train: dataset.Split{X: x[:n*d], Y: y[:n]}, Test: dataset.Split{X: x[n*d:], Y: y[n:]}}
	p := graph.ZeroParams(arch.Params())
	for i := range p {
		src.FillNormal(p.Data(i), 0, 0.6)
	}
	net := newNetwork(t, arch, data, p, s)
	var dirs [3][]float64
	for i := range dirs {
		dirs[i] = randomUnit(src, p.Len())
	}
	return net, p.Flat(), dirs
}

func randomUnit(src *random.Normal, n int) []float64 {
	v := make([]float64, n)
	src.FillNormal(v, 0, 1)
	floats.Scale(1/floats.Norm(v, 2), v)
	return v
}

// TestThirdDerivativeMatchesDifferences checks both of the Network's third
// derivatives D³L[u, v, ·], by automatic differentiation and by five-point
// differences, against central differences (gradcheck.Step) of the exact
// Hessian-vector product along u, and their symmetry in the three
// arguments, ⟨D³L[u, v, ·], z⟩ = ⟨D³L[z, v, ·], u⟩ = ⟨D³L[u, z, ·], v⟩, which
// each computes in three different ways, on every architecture.
func TestThirdDerivativeMatchesDifferences(t *testing.T) {
	for _, arch := range archtest.All(4, 5) {
		for _, differences := range []bool{false, true} {
			name := archtest.Label(arch) + "/autodiff"
			if differences {
				name = archtest.Label(arch) + "/differences"
			}
			t.Run(name, func(t *testing.T) { checkThirdDerivative(t, arch, differences) })
		}
	}
}

func checkThirdDerivative(t *testing.T, arch graph.Architecture, differences bool) {
	net, w, dirs := thirdDerivativeProblem(t, arch, &centralflow.NetworkSettings{Differences: differences})
	u, v, z := dirs[0], dirs[1], dirs[2]
	n := len(w)
	g := make([]float64, n)
	if err := net.ThirdDerivative(w, u, v, g); err != nil {
		t.Fatal(err)
	}
	want := make([]float64, n)
	plus, minus, shifted := make([]float64, n), make([]float64, n), make([]float64, n)
	for _, s := range []struct {
		sign float64
		into []float64
	}{{1, plus}, {-1, minus}} {
		for i := range w {
			shifted[i] = w[i] + s.sign*gradcheck.Step*u[i]
		}
		if err := net.HessianVectorProduct(shifted, v, s.into); err != nil {
			t.Fatal(err)
		}
	}
	for i := range want {
		want[i] = (plus[i] - minus[i]) / (2 * gradcheck.Step)
	}
	hv := make([]float64, n)
	if err := net.HessianVectorProduct(w, v, hv); err != nil {
		t.Fatal(err)
	}
	if _, isLinear := arch.(graph.Linear); isLinear {
		// L is quadratic: D³L = 0.
		if s := math.Sqrt(floats.Dot(g, g)); s > 1e-10*math.Sqrt(floats.Dot(hv, hv)) {
			t.Errorf("‖D³L[u, v, ·]‖ = %.3g for a quadratic loss", s)
		}
		return
	}
	if e := gradcheck.RelativeError(g, want); e > gradcheck.Tolerance {
		t.Errorf("D³L[u, v, ·] has relative error %.3g against central differences of ∇²L v", e)
	}
	gzv, guz := make([]float64, n), make([]float64, n)
	if err := net.ThirdDerivative(w, z, v, gzv); err != nil {
		t.Fatal(err)
	}
	if err := net.ThirdDerivative(w, u, z, guz); err != nil {
		t.Fatal(err)
	}
	a, b, c := floats.Dot(g, z), floats.Dot(gzv, u), floats.Dot(guz, v)
	scale := math.Sqrt(floats.Dot(g, g))
	if math.Abs(a-b) > 1e-8*scale || math.Abs(a-c) > 1e-8*scale {
		t.Errorf("D³L is not symmetric: ⟨g(u,v), z⟩ = %.12g, ⟨g(z,v), u⟩ = %.12g, ⟨g(u,z), v⟩ = %.12g", a, b, c)
	}
}

// TestThirdDerivativeAutodiffAgainstDifferences compares the two third
// derivatives of the Network with each other on every architecture, at the
// default difference step: the five-point formula's error, O(h⁴) and
// rounding O(ε/h), stays below 1e-10 of ‖g‖ (5e-13 to 4e-12 measured), and
// both vanish for the linear model, whose loss is quadratic.
func TestThirdDerivativeAutodiffAgainstDifferences(t *testing.T) {
	for _, arch := range archtest.All(4, 5) {
		net, w, dirs := thirdDerivativeProblem(t, arch, nil)
		n := len(w)
		auto, diff := make([]float64, n), make([]float64, n)
		for _, pair := range [][2]int{{0, 1}, {2, 2}} {
			u, v := dirs[pair[0]], dirs[pair[1]]
			if err := net.ThirdDerivative(w, u, v, auto); err != nil {
				t.Fatal(err)
			}
			if err := net.ThirdDerivativeByDifferences(w, u, v, diff); err != nil {
				t.Fatal(err)
			}
			if _, isLinear := arch.(graph.Linear); isLinear {
				hv := make([]float64, n)
				net.HessianVectorProduct(w, v, hv)
				if a, d := math.Sqrt(floats.Dot(auto, auto)), math.Sqrt(floats.Dot(diff, diff)); a > 1e-12*math.Sqrt(floats.Dot(hv, hv)) || d > 1e-10*math.Sqrt(floats.Dot(hv, hv)) {
					t.Errorf("%s: ‖g‖ = %.3g by autodiff, %.3g by differences, for a quadratic loss", archtest.Label(arch), a, d)
				}
				continue
			}
			if e := gradcheck.RelativeError(diff, auto); e > 1e-10 {
				t.Errorf("%s, u%d u%d: differences are %.3g (relative) from automatic differentiation", archtest.Label(arch), pair[0], pair[1], e)
			}
		}
	}
}

// TestThirdDerivativeExactForTheQuadraticNetwork: the quadratic network's
// ∇²L(w + hu)v is a polynomial of degree four in h (the two-layer linear
// network's one of degree two), which the five-point formula differentiates
// exactly whatever the step: a step 100 times larger must give the same
// vector up to rounding.
func TestThirdDerivativeExactForTheQuadraticNetwork(t *testing.T) {
	for _, arch := range []graph.Architecture{graph.Quadratic{Dim: 4, Width: 5}, graph.Quadratic{Dim: 4, Width: 5, Scale: 7}, archtest.TwoLayerLinear{Width: 5}} {
		net, w, dirs := thirdDerivativeProblem(t, arch, nil)
		n := len(w)
		small, large := make([]float64, n), make([]float64, n)
		if err := centralflow.ThirdDerivativeByDifferences(net.HessianVectorProduct, w, dirs[0], dirs[1], small, 1e-3); err != nil {
			t.Fatal(err)
		}
		if err := centralflow.ThirdDerivativeByDifferences(net.HessianVectorProduct, w, dirs[0], dirs[1], large, 0.1); err != nil {
			t.Fatal(err)
		}
		if e := gradcheck.RelativeError(large, small); e > 1e-9 {
			t.Errorf("%s: steps 1e-3 and 0.1 differ by %.3g (relative): not exact", archtest.Label(arch), e)
		}
	}
	// The same steps on tanh do differ: the test can tell.
	net, w, dirs := thirdDerivativeProblem(t, graph.Tanh{Dim: 4, Width: 5}, nil)
	small, large := make([]float64, len(w)), make([]float64, len(w))
	centralflow.ThirdDerivativeByDifferences(net.HessianVectorProduct, w, dirs[0], dirs[1], small, 1e-3)
	centralflow.ThirdDerivativeByDifferences(net.HessianVectorProduct, w, dirs[0], dirs[1], large, 0.1)
	if e := gradcheck.RelativeError(large, small); e < 1e-6 {
		t.Errorf("tanh: steps 1e-3 and 0.1 agree to %.3g", e)
	}
}

// TestThirdDerivativeOfTheRidge checks ThirdDerivativeByDifferences against
// the ridge's closed form, with the ridge's exact Hessian-vector product.
func TestThirdDerivativeOfTheRidge(t *testing.T) {
	r := ridge{a: []float64{1, 2, 3}, b: []float64{0.5, -1, 2}, c: []float64{1, 1, 1}}
	src := random.New(9, random.Init)
	w := randomUnit(src, r.Len())
	u, v := randomUnit(src, r.Len()), randomUnit(src, r.Len())
	got, want := make([]float64, r.Len()), make([]float64, r.Len())
	if err := centralflow.ThirdDerivativeByDifferences(r.HessianVectorProduct, w, u, v, got, 0); err != nil {
		t.Fatal(err)
	}
	r.ThirdDerivative(w, u, v, want)
	if e := gradcheck.RelativeError(got, want); e > 1e-10 {
		t.Errorf("relative error %.3g against the closed form", e)
	}
}

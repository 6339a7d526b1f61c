package sharpness_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
	G "gorgonia.org/gorgonia"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/gradcheck"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train/sharpness"
)

// linear is predict(x) = x·w: its loss (1/n)‖Xw − y‖² has the Hessian
// (2/n) XᵀX whatever w is.
type linear struct{ dim int }

func (l linear) Name() string { return "linear" }
func (l linear) Params() []graph.ParamSpec {
	return []graph.ParamSpec{{Name: "w", Rows: l.dim, Cols: 1}}
}
func (l linear) Init(src graph.NormalSource) graph.Params { return graph.ZeroParams(l.Params()) }
func (l linear) Predict(x *G.Node, p []*G.Node) (*G.Node, error) {
	return G.Mul(x, p[0])
}

const n, d = 40, 6

func data() (x, y []float64) {
	src := random.New(5, random.Data)
	x, y = make([]float64, n*d), make([]float64, n)
	src.FillNormal(x, 0, 1)
	src.FillNormal(y, 0, 1)
	for i := 0; i < n; i++ {
		x[i*d] *= 3 // a clear top eigenvalue
	}
	return x, y
}

func TestKnownHessian(t *testing.T) {
	x, y := data()
	arch := linear{d}
	p := graph.ZeroParams(arch.Params())
	random.New(1, random.Init).FillNormal(p.Data(0), 0, 1)
	h, err := sharpness.NewHVP(arch, graph.NewMatrix(n, d, x), graph.NewMatrix(n, 1, y), p)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	X := mat.NewDense(n, d, x)
	var H mat.SymDense
	H.SymOuterK(2.0/n, X.T())
	v := []float64{1, -2, 0.5, 3, 0, 1}
	got := make([]float64, d)
	if err := h.Apply(got, v); err != nil {
		t.Fatal(err)
	}
	var want mat.VecDense
	want.MulVec(&H, mat.NewVecDense(d, v))
	if e := gradcheck.RelativeError(got, want.RawVector().Data); e > 1e-13 {
		t.Errorf("∇²L v has relative error %g against (2/n)XᵀX v", e)
	}
	var eig mat.EigenSym
	if !eig.Factorize(&H, false) {
		t.Fatal("eigendecomposition failed")
	}
	vals := eig.Values(nil)
	top := vals[len(vals)-1]
	lambda, vec, err := sharpness.Top(h, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(lambda-top) > 1e-7*top {
		t.Errorf("top eigenvalue %.12g, exact %.12g", lambda, top)
	}
	if len(vec) != d {
		t.Errorf("eigenvector of length %d", len(vec))
	}
}

// TestHVPMatchesFiniteDifferences checks ∇²L v against central differences of
// the gradient along v, for the project's architectures.
func TestHVPMatchesFiniteDifferences(t *testing.T) {
	x, y := data()
	for _, arch := range []graph.Architecture{graph.Quadratic{Dim: d, Width: 5}, graph.Quadratic{Dim: d, Width: 5, Scale: 4}, graph.Tanh{Dim: d, Width: 5}} {
		p := graph.ZeroParams(arch.Params())
		src := random.New(2, random.Init)
		for i := range p {
			src.FillNormal(p.Data(i), 0, 0.5)
		}
		h, err := sharpness.NewHVP(arch, graph.NewMatrix(n, d, x), graph.NewMatrix(n, 1, y), p)
		if err != nil {
			t.Fatal(err)
		}
		o, err := graph.NewObjective(arch, graph.NewMatrix(n, d, x), graph.NewMatrix(n, 1, y), p, nil)
		if err != nil {
			t.Fatal(err)
		}
		v := make([]float64, p.Len())
		src.FillNormal(v, 0, 1)
		got := make([]float64, len(v))
		if err := h.Apply(got, v); err != nil {
			t.Fatal(err)
		}
		theta := p.Flat()
		grad := func(sign float64) []float64 {
			shifted := make([]float64, len(theta))
			for i := range theta {
				shifted[i] = theta[i] + sign*gradcheck.Step*v[i]
			}
			p.SetFlat(shifted)
			if err := o.Run(); err != nil {
				t.Fatal(err)
			}
			var g []float64
			for i := range p {
				g = append(g, o.Gradient(i)...)
			}
			return g
		}
		plus, minus := grad(1), grad(-1)
		p.SetFlat(theta)
		want := make([]float64, len(v))
		for i := range want {
			want[i] = (plus[i] - minus[i]) / (2 * gradcheck.Step)
		}
		if e := gradcheck.RelativeError(got, want); e > gradcheck.Tolerance {
			t.Errorf("%s: ∇²L v has relative error %.3g against central differences of ∇L", arch.Name(), e)
		}
		h.Close()
		o.Close()
	}
}

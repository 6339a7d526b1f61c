package graph_test

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"math"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/gradcheck"
	"github.com/igr-project/igr/internal/random"
)

// architectures lists every architecture of the package with a reference
// implementation of its prediction in plain Go, written from its formula.
func architectures(d, m int) []struct {
	arch      graph.Architecture
	reference func(x []float64, p graph.Params) float64
} {
	hidden := func(act func(float64) float64, scale float64) func(x []float64, p graph.Params) float64 {
		return func(x []float64, p graph.Params) float64 {
			a, b := p.Data(0), p.Data(1)
			var out float64
			for i := 0; i < m; i++ {
				var z float64
				for k := 0; k < d; k++ {
					z += a[k*m+i] * x[k]
				}
				out += b[i] * act(z)
			}
			return out / scale
		}
	}
	square := func(z float64) float64 { return z * z }
	linear := func(scale float64) func(x []float64, p graph.Params) float64 {
		return func(x []float64, p graph.Params) float64 {
			var out float64
			for k, w := range p.Data(0) {
				out += w * x[k]
			}
			return out / scale
		}
	}
	return []struct {
		arch      graph.Architecture
		reference func(x []float64, p graph.Params) float64
	}{
		{graph.Quadratic{Dim: d, Width: m}, hidden(square, 1)},
		{graph.Quadratic{Dim: d, Width: m, Scale: 100}, hidden(square, 100)},
		{graph.Tanh{Dim: d, Width: m}, hidden(math.Tanh, 1)},
		{graph.Tanh{Dim: d, Width: m, Scale: 3}, hidden(math.Tanh, 3)},
		{graph.Linear{Dim: d}, linear(1)},
		{graph.Linear{Dim: d, Scale: 4}, linear(4)},
	}
}

// testProblem returns random inputs and targets and random parameters for
// arch (b is drawn too, so that every gradient entry is non-trivial).
func testProblem(arch graph.Architecture, n, d int) (x, y []float64, p graph.Params) {
	src := random.New(7, random.Data)
	x = make([]float64, n*d)
	y = make([]float64, n)
	src.FillNormal(x, 0, 1)
	src.FillNormal(y, 1, 1)
	p = graph.ZeroParams(arch.Params())
	for i := range p {
		src.FillNormal(p.Data(i), 0, 0.5)
	}
	return x, y, p
}

func TestObjectiveLossMatchesReference(t *testing.T) {
	const n, d, m = 9, 4, 6
	for _, tc := range architectures(d, m) {
		t.Run(name(tc.arch), func(t *testing.T) {
			x, y, p := testProblem(tc.arch, n, d)
			o, err := graph.NewObjective(tc.arch, graph.NewMatrix(n, d, x), graph.NewMatrix(n, 1, y), p, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			if err := o.Run(); err != nil {
				t.Fatal(err)
			}
			var want float64
			for i := 0; i < n; i++ {
				r := tc.reference(x[i*d:(i+1)*d], p) - y[i]
				want += r * r / n
			}
			if got := o.Loss(); math.Abs(got-want) > 1e-12*math.Abs(want) {
				t.Errorf("loss = %.17g, reference %.17g", got, want)
			}
		})
	}
}

func TestObjectiveGradientMatchesFiniteDifferences(t *testing.T) {
	const n, d, m = 11, 5, 7
	for _, tc := range architectures(d, m) {
		t.Run(name(tc.arch), func(t *testing.T) {
			x, y, p := testProblem(tc.arch, n, d)
			o, err := graph.NewObjective(tc.arch, graph.NewMatrix(n, d, x), graph.NewMatrix(n, 1, y), p, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			theta := p.Flat()
			loss := func(v []float64) float64 {
				p.SetFlat(v)
				if err := o.Run(); err != nil {
					t.Fatal(err)
				}
				return o.Loss()
			}
			want := gradcheck.Central(loss, theta)
			p.SetFlat(theta)
			if err := o.Run(); err != nil {
				t.Fatal(err)
			}
			got := make([]float64, len(theta))
			o.FlatGradient(got)
			if e := gradcheck.RelativeError(got, want); e > gradcheck.Tolerance {
				t.Errorf("relative error of gradient = %.3g, want < %g", e, gradcheck.Tolerance)
			}
		})
	}
}

func TestObjectiveRejectsMismatchedShapes(t *testing.T) {
	arch := graph.Quadratic{Dim: 3, Width: 2}
	good := arch.Init(random.New(1, random.Init))
	for _, tc := range []struct {
		name string
		x, y int // columns of x, rows of y
		p    graph.Params
	}{
		{"inputs", 4, 5, good},
		{"targets", 3, 4, good},
		{"params", 3, 5, graph.ZeroParams(graph.Quadratic{Dim: 3, Width: 4}.Params())},
		{"missing param", 3, 5, good[:1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := graph.NewObjective(arch, graph.NewMatrix(5, tc.x, nil), graph.NewMatrix(tc.y, 1, nil), tc.p, nil)
			if err == nil {
				t.Fatal("NewObjective accepted mismatched shapes")
			}
		})
	}
}

func TestXavierNormalVariance(t *testing.T) {
	const d, m = 30, 100
	p := graph.Quadratic{Dim: d, Width: m}.Init(random.New(3, random.Init))
	var sum, sq float64
	for _, v := range p.Data(0) {
		sum += v
		sq += v * v
	}
	k := float64(d * m)
	variance := sq/k - (sum/k)*(sum/k)
	want := 2.0 / (d + m)
	// The sample variance of 3000 normals has relative standard deviation
	// sqrt(2/3000) ≈ 2.6%; allow four of them.
	if math.Abs(variance/want-1) > 4*math.Sqrt(2/k) {
		t.Errorf("variance of A = %.5f, want %.5f", variance, want)
	}
	for _, v := range p.Data(1) {
		if v != 0 {
			t.Fatal("b must start at zero")
		}
	}
}

func name(a graph.Architecture) string {
	switch a := a.(type) {
	case graph.Quadratic:
		return fmt.Sprintf("%s/scale%g", a.Name(), max(a.Scale, 1))
	case graph.Tanh:
		return fmt.Sprintf("%s/scale%g", a.Name(), max(a.Scale, 1))
	case graph.Linear:
		return fmt.Sprintf("%s/scale%g", a.Name(), max(a.Scale, 1))
	}
	return a.Name()
}

// TestFloat32AgreesWithFloat64 builds each objective, with a penalty, in
// float32 and in float64: losses and gradients agree to float32 precision,
// and a float32 step stays in float32.
func TestFloat32AgreesWithFloat64(t *testing.T) {
	const n, d, m = 11, 5, 7
	for _, tc := range architectures(d, m) {
		t.Run(name(tc.arch), func(t *testing.T) {
			x, y, p := testProblem(tc.arch, n, d)
			s := &graph.ObjectiveSettings{Penalties: []graph.Penalty{halfGradNorm{}}}
			o64, err := graph.NewObjective(tc.arch, graph.NewMatrix(n, d, x), graph.NewMatrix(n, 1, y), p, s)
			if err != nil {
				t.Fatal(err)
			}
			p32 := p.As(tensor.Float32)
			o32, err := graph.NewObjective(tc.arch, graph.NewMatrix(n, d, x), graph.NewMatrix(n, 1, y), p32, s)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range []*graph.Objective{o64, o32} {
				if err := o.Run(); err != nil {
					t.Fatal(err)
				}
			}
			if rel := math.Abs(o32.Total()-o64.Total()) / o64.Total(); rel > 1e-5 {
				t.Errorf("float32 total %g, float64 %g", o32.Total(), o64.Total())
			}
			for i := range p {
				if e := gradcheck.RelativeError(o32.Gradient(i), o64.Gradient(i)); e > 1e-4 {
					t.Errorf("gradient %d: float32 relative error %g", i, e)
				}
			}
			o32.Descend(0.1)
			if p32.Dtype() != tensor.Float32 || p32.Distance(p.As(tensor.Float32)) == 0 {
				t.Error("Descend did not update the float32 parameters in place")
			}
			o32.Close()
			o64.Close()
		})
	}
}

// halfGradNorm is ½‖∇L‖², a penalty built here so that the float32 test
// differentiates through the gradient too.
type halfGradNorm struct{}

func (halfGradNorm) Name() string { return "half_grad_norm" }
func (halfGradNorm) Build(t *graph.Terms) (*G.Node, error) {
	sq, err := graph.SumOfSquares(t.Grads)
	if err != nil {
		return nil, err
	}
	return G.HadamardProd(sq, graph.Constant(sq, 0.5, "half"))
}

// TestSetInputs feeds an objective other inputs, in order and by rows, and
// requires the loss and gradient of an objective built on them, without an
// allocation.
func TestSetInputs(t *testing.T) {
	const n, d, m = 12, 4, 5
	for _, a := range architectures(d, m) {
		for _, dtype := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			x, y, p64 := testProblem(a.arch, n, d)
			p := p64.As(dtype)
			const b = 5
			rows := []int{11, 0, 6, 3, 9}
			bx := make([]float64, 0, b*d)
			by := make([]float64, 0, b)
			for _, r := range rows {
				bx = append(bx, x[r*d:(r+1)*d]...)
				by = append(by, y[r])
			}
			fresh, err := graph.NewObjective(a.arch, graph.NewMatrix(b, d, bx), graph.NewMatrix(b, 1, by), p, nil)
			if err != nil {
				t.Fatal(err)
			}
			o, err := graph.NewObjective(a.arch, graph.NewMatrix(b, d, x[:b*d]), graph.NewMatrix(b, 1, by), p, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, set := range []func(){func() { o.SetInputs(x, rows) }, func() { o.SetInputs(bx, nil) }} {
				o.SetInputs(x[(n-b)*d:], nil) // something else first
				if allocs := testing.AllocsPerRun(10, set); allocs != 0 {
					t.Errorf("%s %v: SetInputs allocates %g times", name(a.arch), dtype, allocs)
				}
				for _, obj := range []*graph.Objective{o, fresh} {
					if err := obj.Run(); err != nil {
						t.Fatal(err)
					}
				}
				if o.Loss() != fresh.Loss() {
					t.Errorf("%s %v: loss %v after SetInputs, %v on a fresh objective", name(a.arch), dtype, o.Loss(), fresh.Loss())
				}
				for i := range p {
					if e := gradcheck.RelativeError(o.Gradient(i), fresh.Gradient(i)); e != 0 {
						t.Errorf("%s %v: gradient %d differs (relative %g)", name(a.arch), dtype, i, e)
					}
				}
			}
		}
	}
}

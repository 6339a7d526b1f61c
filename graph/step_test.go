package graph_test

import (
	"fmt"
	"testing"

	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/gradcheck"
	"github.com/igr-project/igr/internal/random"
)

// blogProblem is the blog's size: X 200×30, A 30×100, with b drawn too so that
// every gradient entry is non-zero.
func blogProblem(scale float64) (arch graph.Quadratic, x, y []float64, p graph.Params) {
	const n, d, m = 200, 30, 100
	arch = graph.Quadratic{Dim: d, Width: m, Scale: scale}
	src := random.New(11, random.Data)
	x = make([]float64, n*d)
	src.FillNormal(x, 0, 1)
	y = make([]float64, n)
	for i := range y {
		y[i] = x[i*d] * x[i*d]
	}
	p = arch.Init(random.New(11, random.Init))
	src.FillNormal(p.Data(1), 0, 0.1)
	return arch, x, y, p
}

// TestGradientMatchesAnalytic compares the Gorgonia gradient with the one
// derived by hand, at the blog's size, along 20 steps of gradient descent.
func TestGradientMatchesAnalytic(t *testing.T) {
	for _, scale := range []float64{1, 100} {
		arch, x, y, p := blogProblem(scale)
		n, d := len(y), arch.Dim
		h := newAnalytic(n, d, arch.Width, scale, x, y, p.Data(0), p.Data(1))
		o, err := graph.NewObjective(arch, graph.NewMatrix(n, d, x), graph.NewMatrix(n, 1, y), p, nil)
		if err != nil {
			t.Fatal(err)
		}
		for step := 0; step < 20; step++ {
			h.eval()
			copy(p.Data(0), h.a)
			copy(p.Data(1), h.b)
			if err := o.Run(); err != nil {
				t.Fatal(err)
			}
			if rel := (o.Loss() - h.loss) / h.loss; rel > 1e-13 || rel < -1e-13 {
				t.Fatalf("scale %g step %d: loss %v, analytic %v", scale, step, o.Loss(), h.loss)
			}
			got := append(append([]float64(nil), o.Gradient(0)...), o.Gradient(1)...)
			want := append(append([]float64(nil), h.ga...), h.gb...)
			if e := gradcheck.RelativeError(got, want); e > 1e-12 {
				t.Fatalf("scale %g step %d: gradient relative error %.3g", scale, step, e)
			}
			h.step(0.01)
		}
		o.Close()
	}
}

// BenchmarkStep is one full-batch training step of the blog's network on the
// Gorgonia graph: loss, gradient, update.
func BenchmarkStep(b *testing.B) { benchmarkStep(b, tensor.Float64) }

// BenchmarkStepFloat32 is the same step in float32.
func BenchmarkStepFloat32(b *testing.B) { benchmarkStep(b, tensor.Float32) }

func benchmarkStep(b *testing.B, dtype tensor.Dtype) {
	arch, x, y, p := blogProblem(1)
	p = p.As(dtype)
	o, err := graph.NewObjective(arch, graph.NewMatrix(len(y), arch.Dim, x), graph.NewMatrix(len(y), 1, y), p, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := o.Run(); err != nil {
			b.Fatal(err)
		}
		o.Descend(1e-6)
	}
}

// BenchmarkAnalyticStep is the same step written by hand: the limit.
func BenchmarkAnalyticStep(b *testing.B) {
	arch, x, y, p := blogProblem(1)
	h := newAnalytic(len(y), arch.Dim, arch.Width, 1, x, y, p.Data(0), p.Data(1))
	b.ReportAllocs()
	for b.Loop() {
		h.step(1e-6)
	}
}

// BenchmarkBatchStep is one minibatch SGD step of the blog's network: the
// batch's rows written into an objective compiled for B rows (SetInputs,
// SetTargets), loss, gradient, update. B = 200 is the full batch, written in
// the same way, for the ratio within one run.
func BenchmarkBatchStep(b *testing.B) {
	arch, x, y, p := blogProblem(1)
	n := len(y)
	for _, size := range []int{10, 20, 50, n} {
		b.Run(fmt.Sprintf("B=%d", size), func(b *testing.B) {
			o, err := graph.NewObjective(arch, graph.NewMatrix(size, arch.Dim, x[:size*arch.Dim]), graph.NewMatrix(size, 1, y[:size]), p.Clone(), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer o.Close()
			order := make([]int, n)
			random.NewPermutations(1).Permute(order)
			targets := make([]float64, size)
			k := 0
			b.ReportAllocs()
			for b.Loop() {
				rows := order[k*size : (k+1)*size]
				k = (k + 1) % (n / size)
				for i, r := range rows {
					targets[i] = y[r]
				}
				o.SetInputs(x, rows)
				o.SetTargets(targets, nil)
				if err := o.Run(); err != nil {
					b.Fatal(err)
				}
				o.Descend(1e-6)
			}
		})
	}
}

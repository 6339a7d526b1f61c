package graph_test

import (
	"math"
	"testing"

	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/kernel"
)

// TestKernelsFollowTheGonumTrajectory trains the blog's network for 100
// steps of gradient descent with every kernel and requires the losses and
// parameters to stay within rounding of those computed with gonum's pure-Go
// BLAS: the kernels sum in other orders (and the AVX2 kernel with fused
// multiply-adds), so they differ in the last bits and not beyond.
func TestKernelsFollowTheGonumTrajectory(t *testing.T) {
	const steps, lr = 100, 0.02
	for _, dt := range []struct {
		dtype tensor.Dtype
		tol   float64 // relative to the largest magnitude of each quantity
	}{{tensor.Float64, 1e-12}, {tensor.Float32, 1e-5}} {
		trajectory := func(k *kernel.Kernel) ([]float64, graph.Params) {
			defer kernel.SetDefault(kernel.SetDefault(k))
			arch, x, y, p := blogProblem(1)
			p = p.As(dt.dtype)
			o, err := graph.NewObjective(arch, graph.NewMatrix(len(y), arch.Dim, x), graph.NewMatrix(len(y), 1, y), p, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			losses := make([]float64, steps)
			for i := range losses {
				if err := o.Run(); err != nil {
					t.Fatal(err)
				}
				losses[i] = o.Loss()
				o.Descend(lr)
			}
			return losses, p
		}
		gonum, _ := kernel.Lookup(kernel.Gonum)
		wantLoss, wantParams := trajectory(gonum)
		for _, name := range kernel.Available() {
			if name == kernel.Gonum {
				continue
			}
			k, _ := kernel.Lookup(name)
			loss, params := trajectory(k)
			if i := farApart(loss, wantLoss, dt.tol); i >= 0 {
				t.Errorf("%s %v: loss at step %d is %v, with gonum %v", name, dt.dtype, i, loss[i], wantLoss[i])
			}
			for j := range params {
				got, want := params.Values(j), wantParams.Values(j)
				if i := farApart(got, want, dt.tol); i >= 0 {
					t.Errorf("%s %v: parameter %d[%d] is %v after %d steps, with gonum %v", name, dt.dtype, j, i, got[i], steps, want[i])
				}
			}
			if same := farApart(loss, wantLoss, 0) < 0; same && name == kernel.AVX2 {
				t.Errorf("%s %v: bit-identical to gonum; is the kernel used at all?", name, dt.dtype)
			}
		}
	}
}

// farApart returns the first index where a and b differ by more than tol
// times the largest |b|, or -1.
func farApart(a, b []float64, tol float64) int {
	scale := 0.0
	for _, v := range b {
		scale = math.Max(scale, math.Abs(v))
	}
	for i := range b {
		if d := math.Abs(a[i] - b[i]); d > tol*scale || math.IsNaN(a[i]) != math.IsNaN(b[i]) || tol == 0 && a[i] != b[i] {
			return i
		}
	}
	return -1
}

package vek

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/viterin/vek"
	"github.com/viterin/vek/vek32"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/igr-project/igr/internal/kernel"
	_ "github.com/igr-project/igr/internal/kernel/cblas" // OpenBLAS, with -tags openblas
)

// The blog's sizes: n examples of dimension d, m hidden units.
const n, d, m = 200, 30, 100

// operands are the step's: X (n×d), A (d×m), G (n×m), and Xᵀ (d×n) for vek,
// stored once.
type operands struct {
	x, xt, a, g []float64
}

func newOperands() *operands {
	r := rand.New(rand.NewPCG(7, 8))
	normals := func(k int) []float64 {
		v := make([]float64, k)
		for i := range v {
			v[i] = r.NormFloat64()
		}
		return v
	}
	o := &operands{x: normals(n * d), a: normals(d * m), g: normals(n * m)}
	o.xt = make([]float64, d*n)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			o.xt[j*n+i] = o.x[i*d+j]
		}
	}
	return o
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// TestVekComputesTheProducts: what the benchmark times with vek is the
// step's two products, to rounding (gonum's Dgemm the reference).
func TestVekComputesTheProducts(t *testing.T) {
	o := newOperands()
	h, ga := make([]float64, n*m), make([]float64, d*m)
	vek.MatMul_Into(h, o.x, o.a, d)
	vek.MatMul_Into(ga, o.xt, o.g, n)
	wantH, wantGA := make([]float64, n*m), make([]float64, d*m)
	gonum.Implementation{}.Dgemm(blas.NoTrans, blas.NoTrans, n, m, d, 1, o.x, d, o.a, m, 0, wantH, m)
	gonum.Implementation{}.Dgemm(blas.Trans, blas.NoTrans, d, m, n, 1, o.x, d, o.g, m, 0, wantGA, m)
	for _, c := range []struct {
		name      string
		got, want []float64
		k         int
	}{{"X·A", h, wantH, d}, {"Xᵀ·G", ga, wantGA, n}} {
		for i := range c.want {
			if math.Abs(c.got[i]-c.want[i]) > 1e-12*float64(c.k)*(1+math.Abs(c.want[i])) {
				t.Fatalf("%s[%d] = %v, gonum %v", c.name, i, c.got[i], c.want[i])
			}
		}
	}
	h32 := make([]float32, n*m)
	vek32.MatMul_Into(h32, to32(o.x), to32(o.a), d)
	for i := range wantH {
		if math.Abs(float64(h32[i])-wantH[i]) > 1e-4*(1+math.Abs(wantH[i])) {
			t.Fatalf("float32 X·A[%d] = %v, gonum %v", i, h32[i], wantH[i])
		}
	}
}

// BenchmarkStepProducts times X·A and Xᵀ·G, float64 and float32, with vek
// and with every kernel this build has (kernel=avx2, gonum, and openblas
// with -tags openblas), on the same operands.
func BenchmarkStepProducts(b *testing.B) {
	o := newOperands()
	h, ga := make([]float64, n*m), make([]float64, d*m)
	x32, xt32, a32, g32 := to32(o.x), to32(o.xt), to32(o.a), to32(o.g)
	h32, ga32 := make([]float32, n*m), make([]float32, d*m)
	b.Run("vek/float64", func(b *testing.B) {
		for b.Loop() {
			vek.MatMul_Into(h, o.x, o.a, d)
			vek.MatMul_Into(ga, o.xt, o.g, n)
		}
	})
	b.Run("vek/float32", func(b *testing.B) {
		for b.Loop() {
			vek32.MatMul_Into(h32, x32, a32, d)
			vek32.MatMul_Into(ga32, xt32, g32, n)
		}
	})
	for _, name := range kernel.Available() {
		k, err := kernel.Lookup(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("kernel="+name+"/float64", func(b *testing.B) {
			for b.Loop() {
				k.Gemm64(false, false, n, m, d, 1, o.x, d, o.a, m, h, m)
				k.Gemm64(true, false, d, m, n, 1, o.x, d, o.g, m, ga, m)
			}
		})
		b.Run("kernel="+name+"/float32", func(b *testing.B) {
			for b.Loop() {
				k.Gemm32(false, false, n, m, d, 1, x32, d, a32, m, h32, m)
				k.Gemm32(true, false, d, m, n, 1, x32, d, g32, m, ga32, m)
			}
		})
	}
}

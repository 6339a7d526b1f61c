package kernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/igr-project/igr/internal/kernel"
	_ "github.com/igr-project/igr/internal/kernel/cblas"
)

// Tolerances relative to Σ_l |op(A)_il|·|op(B)_lj|, the scale of the rounding
// error any summation order can make in element (i, j).
const (
	tol64 = 1e-12
	tol32 = 1e-5
)

// shapes are the products checked: edge shapes (n = 1, k = 1, m = 1, sizes
// off every tile width) and the shapes the blog's network and its gradients
// multiply.
var shapes = [][3]int{
	{1, 1, 1}, {1, 1, 7}, {7, 1, 1}, {1, 9, 1}, {1, 1, 50},
	{200, 1, 100}, {100, 1, 200}, {200, 100, 1}, {1, 100, 200},
	{200, 100, 30}, {30, 100, 200}, {200, 30, 100},
	{6, 8, 5}, {6, 16, 5}, {5, 7, 3}, {13, 17, 19}, {12, 24, 4}, {31, 33, 2}, {3, 5, 64}, {65, 3, 9},
}

// withRandomShapes returns shapes and count random ones with sides up to 70.
func withRandomShapes(r *rand.Rand, count int) [][3]int {
	out := append([][3]int(nil), shapes...)
	for range count {
		out = append(out, [3]int{1 + r.IntN(70), 1 + r.IntN(70), 1 + r.IntN(70)})
	}
	return out
}

// kernels returns every kernel but gonum's, the reference.
func kernels(t testing.TB) []*kernel.Kernel {
	var ks []*kernel.Kernel
	for _, name := range kernel.Available() {
		if name == kernel.Gonum {
			continue
		}
		k, err := kernel.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k)
	}
	if len(ks) == 0 {
		t.Skipf("no kernel besides gonum on this CPU and build (features %v)", kernel.Features())
	}
	return ks
}

func normals(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

// product is one random instance: op(A) m×k, op(B) k×n, with leading
// dimensions larger than needed (pad) to catch stride mistakes.
type product struct {
	tA, tB            bool
	m, n, k, lda, ldb int
	ldc               int
	a, b              []float64
	alpha             float64
	scale             []float64 // Σ_l |op(A)_il|·|op(B)_lj|·|alpha|
	name              string
	gonumA, gonumB    blas.Transpose
	ar, ac, br, bc    int // stored shapes
}

func newProduct(r *rand.Rand, tA, tB bool, s [3]int, pad int, alpha float64) *product {
	m, n, k := s[0], s[1], s[2]
	p := &product{tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha, gonumA: blas.NoTrans, gonumB: blas.NoTrans}
	p.ar, p.ac, p.br, p.bc = m, k, k, n
	if tA {
		p.ar, p.ac, p.gonumA = k, m, blas.Trans
	}
	if tB {
		p.br, p.bc, p.gonumB = n, k, blas.Trans
	}
	p.lda, p.ldb, p.ldc = p.ac+pad, p.bc+pad, n+pad
	p.a, p.b = normals(r, p.ar*p.lda), normals(r, p.br*p.ldb)
	p.name = fmt.Sprintf("%s%s_m%d_n%d_k%d_pad%d_alpha%g", tr(tA), tr(tB), m, n, k, pad, alpha)
	p.scale = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for l := 0; l < k; l++ {
				s += math.Abs(p.opA(i, l) * p.opB(l, j))
			}
			p.scale[i*n+j] = s * math.Abs(alpha)
		}
	}
	return p
}

func tr(t bool) string {
	if t {
		return "T"
	}
	return "N"
}

func (p *product) opA(i, l int) float64 {
	if p.tA {
		return p.a[l*p.lda+i]
	}
	return p.a[i*p.lda+l]
}

func (p *product) opB(l, j int) float64 {
	if p.tB {
		return p.b[j*p.ldb+l]
	}
	return p.b[l*p.ldb+j]
}

// filled returns a C buffer with a sentinel everywhere: elements outside the
// m×n window (the padding) must keep it, elements inside must be written.
func (p *product) filled() []float64 {
	c := make([]float64, p.m*p.ldc)
	for i := range c {
		c[i] = math.NaN()
	}
	return c
}

func TestGemm64MatchesGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, k := range kernels(t) {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, s := range withRandomShapes(r, 25) {
					for _, pad := range []int{0, 3} {
						for _, alpha := range []float64{1, -0.5} {
							p := newProduct(r, tA, tB, s, pad, alpha)
							want := p.filled()
							gonum.Implementation{}.Dgemm(p.gonumA, p.gonumB, p.m, p.n, p.k, alpha, p.a, p.lda, p.b, p.ldb, 0, want, p.ldc)
							got := p.filled()
							k.Gemm64(tA, tB, p.m, p.n, p.k, alpha, p.a, p.lda, p.b, p.ldb, got, p.ldc)
							check(t, k.Name()+"/"+p.name, p, got, want, tol64)
						}
					}
				}
			}
		}
	}
}

func TestGemm32MatchesGonum(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range kernels(t) {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, s := range withRandomShapes(r, 25) {
					for _, pad := range []int{0, 5} {
						p := newProduct(r, tA, tB, s, pad, 1)
						a, b := to32(p.a), to32(p.b)
						want, got := to32(p.filled()), to32(p.filled())
						gonum.Implementation{}.Sgemm(p.gonumA, p.gonumB, p.m, p.n, p.k, 1, a, p.lda, b, p.ldb, 0, want, p.ldc)
						k.Gemm32(tA, tB, p.m, p.n, p.k, 1, a, p.lda, b, p.ldb, got, p.ldc)
						check(t, k.Name()+"/float32/"+p.name, p, to64(got), to64(want), tol32)
					}
				}
			}
		}
	}
}

// check compares got with want inside the window, relative to the rounding
// scale, and requires the padding to be untouched.
func check(t *testing.T, name string, p *product, got, want []float64, tol float64) {
	t.Helper()
	for i := 0; i < p.m; i++ {
		for j := 0; j < p.ldc; j++ {
			g, w := got[i*p.ldc+j], want[i*p.ldc+j]
			if j >= p.n {
				if !math.IsNaN(g) {
					t.Fatalf("%s: wrote c[%d][%d] = %v outside the %d×%d product", name, i, j, g, p.m, p.n)
				}
				continue
			}
			if s := p.scale[i*p.n+j]; math.IsNaN(g) || math.Abs(g-w) > tol*s+1e-300 {
				t.Fatalf("%s: c[%d][%d] = %v, gonum %v (difference %.3g, scale %.3g)", name, i, j, g, w, g-w, s)
			}
		}
	}
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// TestGemmDeterministic checks that a kernel gives bit-identical results for
// the same product, whatever was computed before (no state, no scheduling).
func TestGemmDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, k := range kernels(t) {
		p := newProduct(r, true, false, [3]int{30, 100, 200}, 0, 1)
		first, again := p.filled(), p.filled()
		k.Gemm64(true, false, p.m, p.n, p.k, 1, p.a, p.lda, p.b, p.ldb, first, p.ldc)
		q := newProduct(r, false, false, [3]int{13, 17, 19}, 0, 1)
		k.Gemm64(false, false, q.m, q.n, q.k, 1, q.a, q.lda, q.b, q.ldb, q.filled(), q.ldc)
		k.Gemm64(true, false, p.m, p.n, p.k, 1, p.a, p.lda, p.b, p.ldb, again, p.ldc)
		for i := range first {
			if math.Float64bits(first[i]) != math.Float64bits(again[i]) {
				t.Fatalf("%s: c[%d] = %v, then %v", k.Name(), i, first[i], again[i])
			}
		}
	}
}

func TestLookup(t *testing.T) {
	if _, err := kernel.Lookup(kernel.Gonum); err != nil {
		t.Fatalf("gonum must always be available: %v", err)
	}
	if _, err := kernel.Lookup("no-such-kernel"); err == nil {
		t.Fatal("Lookup of an unknown name succeeded")
	}
	if got := kernel.Available(); len(got) == 0 || got[len(got)-1] != kernel.Gonum {
		t.Fatalf("kernel.Available() = %v, want gonum last (slowest)", got)
	}
}

// BenchmarkStepProducts multiplies the two large products of one training
// step of the blog's network, X·A (200×30·30×100) and Xᵀ·G (30×200·200×100),
// with every available kernel: the part of a step that is matrix products.
func BenchmarkStepProducts(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	const n, d, m = 200, 30, 100
	x, a, g := normals(r, n*d), normals(r, d*m), normals(r, n*m)
	h, ga := make([]float64, n*m), make([]float64, d*m)
	x32, a32, g32 := to32(x), to32(a), to32(g)
	h32, ga32 := make([]float32, n*m), make([]float32, d*m)
	for _, name := range kernel.Available() {
		k, _ := kernel.Lookup(name)
		b.Run("kernel="+name+"/float64", func(b *testing.B) {
			for b.Loop() {
				k.Gemm64(false, false, n, m, d, 1, x, d, a, m, h, m)
				k.Gemm64(true, false, d, m, n, 1, x, d, g, m, ga, m)
			}
			reportGFLOPS(b, 2*2*n*d*m)
		})
		b.Run("kernel="+name+"/float32", func(b *testing.B) {
			for b.Loop() {
				k.Gemm32(false, false, n, m, d, 1, x32, d, a32, m, h32, m)
				k.Gemm32(true, false, d, m, n, 1, x32, d, g32, m, ga32, m)
			}
			reportGFLOPS(b, 2*2*n*d*m)
		})
	}
}

// BenchmarkKernelPeak is the best a kernel does on this CPU: a product whose
// operands stay in cache (60×256·256×8, float64), in GFLOP/s, the ceiling
// against which BenchmarkStepProducts is read.
func BenchmarkKernelPeak(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 10))
	const m, n, kk = 60, 8, 256
	x, y, c := normals(r, m*kk), normals(r, kk*n), make([]float64, m*n)
	for _, name := range kernel.Available() {
		k, _ := kernel.Lookup(name)
		b.Run("kernel="+name, func(b *testing.B) {
			for b.Loop() {
				k.Gemm64(true, false, m, n, kk, 1, x, m, y, n, c, n)
			}
			reportGFLOPS(b, 2*m*n*kk)
		})
	}
}

func reportGFLOPS(b *testing.B, flops int) {
	b.ReportMetric(float64(flops)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

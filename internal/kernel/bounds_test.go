package kernel_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/igr-project/igr/internal/kernel"
)

// every returns every kernel this build has on this CPU, gonum's included.
func every(t *testing.T) []*kernel.Kernel {
	var ks []*kernel.Kernel
	for _, name := range kernel.Available() {
		k, err := kernel.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		ks = append(ks, k)
	}
	return ks
}

// panics runs f and returns the message it panicked with, or "" when it
// returned.
func panics(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

// gemmCall is one call of Gemm64 and Gemm32 with the slices of the lengths
// given.
type gemmCall struct {
	name             string
	tA, tB           bool
	m, n, k          int
	lda, ldb, ldc    int
	lenA, lenB, lenC int
	want             string // in the panic message, after "kernel: Gemm64: "
}

// TestGemmPanicsOnBadArguments gives every kernel's Gemm64 and Gemm32
// shapes, strides and slices that disagree, and requires a panic that says
// which argument is wrong, before any element of C is written. The first
// case is a 6×8 product into a 4-element C, which the kernels used to write
// past; gonum's Dgemm must refuse every case too, so each is a real error.
func TestGemmPanicsOnBadArguments(t *testing.T) {
	cases := []gemmCall{
		{name: "6×8 product into 4 elements", m: 6, n: 8, k: 5, lda: 5, ldb: 8, ldc: 8, lenA: 30, lenB: 40, lenC: 4, want: "insufficient length of c: 4 elements, C (6×8) with ldc = 8 needs 48"},
		{name: "C one short", m: 6, n: 8, k: 5, lda: 5, ldb: 8, ldc: 9, lenA: 30, lenB: 40, lenC: 52, want: "insufficient length of c: 52 elements"},
		{name: "short A", m: 6, n: 8, k: 5, lda: 5, ldb: 8, ldc: 8, lenA: 29, lenB: 40, lenC: 48, want: "insufficient length of a: 29 elements, the stored A (6×5) with lda = 5 needs 30"},
		{name: "short Aᵀ", tA: true, m: 6, n: 8, k: 5, lda: 7, ldb: 8, ldc: 8, lenA: 33, lenB: 40, lenC: 48, want: "insufficient length of a: 33 elements, the stored A (5×6, transposed) with lda = 7 needs 34"},
		{name: "short B", m: 6, n: 8, k: 5, lda: 5, ldb: 8, ldc: 8, lenA: 30, lenB: 39, lenC: 48, want: "insufficient length of b: 39 elements"},
		{name: "short Bᵀ", tB: true, m: 6, n: 8, k: 5, lda: 5, ldb: 5, ldc: 8, lenA: 30, lenB: 39, lenC: 48, want: "insufficient length of b: 39 elements, the stored B (8×5, transposed) with ldb = 5 needs 40"},
		{name: "vector product, short x", m: 200, n: 1, k: 100, lda: 100, ldb: 1, ldc: 1, lenA: 20000, lenB: 99, lenC: 200, want: "insufficient length of b"},
		{name: "lda below k", m: 6, n: 8, k: 5, lda: 4, ldb: 8, ldc: 8, lenA: 100, lenB: 100, lenC: 100, want: "bad leading dimension of A: lda = 4, the stored A (6×5) has 5 columns"},
		{name: "lda below m for Aᵀ", tA: true, m: 6, n: 8, k: 5, lda: 5, ldb: 8, ldc: 8, lenA: 100, lenB: 100, lenC: 100, want: "bad leading dimension of A: lda = 5"},
		{name: "ldb below n", m: 6, n: 8, k: 5, lda: 5, ldb: 7, ldc: 8, lenA: 100, lenB: 100, lenC: 100, want: "bad leading dimension of B: ldb = 7"},
		{name: "ldb below k for Bᵀ", tB: true, m: 6, n: 8, k: 5, lda: 5, ldb: 4, ldc: 8, lenA: 100, lenB: 100, lenC: 100, want: "bad leading dimension of B: ldb = 4"},
		{name: "ldc below n", m: 6, n: 8, k: 5, lda: 5, ldb: 8, ldc: 7, lenA: 100, lenB: 100, lenC: 100, want: "bad leading dimension of C: ldc = 7"},
		{name: "lda 0 for k = 0", m: 6, n: 8, k: 0, lda: 0, ldb: 8, ldc: 8, lenA: 100, lenB: 100, lenC: 100, want: "bad leading dimension of A: lda = 0"},
		{name: "negative m", m: -1, n: 8, k: 5, lda: 5, ldb: 8, ldc: 8, lenA: 100, lenB: 100, lenC: 100, want: "m < 0"},
		{name: "negative n", m: 6, n: -2, k: 5, lda: 5, ldb: 8, ldc: 8, lenA: 100, lenB: 100, lenC: 100, want: "n < 0"},
		{name: "negative k", m: 6, n: 8, k: -3, lda: 5, ldb: 8, ldc: 8, lenA: 100, lenB: 100, lenC: 100, want: "k < 0"},
	}
	for _, k := range every(t) {
		for _, c := range cases {
			t.Run(k.Name()+"/"+c.name, func(t *testing.T) {
				if msg := panics(func() {
					gonumDgemm(c.tA, c.tB, c.m, c.n, c.k, make([]float64, c.lenA), c.lda, make([]float64, c.lenB), c.ldb, make([]float64, c.lenC), c.ldc)
				}); msg == "" {
					t.Fatalf("gonum's Dgemm accepts the call: the case is not an error")
				}
				a, b, cc := make([]float64, c.lenA), make([]float64, c.lenB), make([]float64, c.lenC+8)
				for i := range cc {
					cc[i] = 7
				}
				msg := panics(func() {
					k.Gemm64(c.tA, c.tB, c.m, c.n, c.k, 1, a, c.lda, b, c.ldb, cc[:c.lenC], c.ldc)
				})
				if want := "kernel: Gemm64: " + c.want; !strings.Contains(msg, want) {
					t.Errorf("Gemm64 panicked with %q, want %q", msg, want)
				}
				for i, v := range cc {
					if v != 7 {
						t.Fatalf("Gemm64 wrote c[%d] = %v before it panicked", i, v)
					}
				}
				a32, b32, c32 := make([]float32, c.lenA), make([]float32, c.lenB), make([]float32, c.lenC)
				msg = panics(func() {
					k.Gemm32(c.tA, c.tB, c.m, c.n, c.k, 1, a32, c.lda, b32, c.ldb, c32, c.ldc)
				})
				if want := "kernel: Gemm32: " + c.want; !strings.Contains(msg, want) {
					t.Errorf("Gemm32 panicked with %q, want %q", msg, want)
				}
			})
		}
	}
}

// gonumDgemm is gonum's Dgemm with beta = 0, the reference for what is an
// error.
func gonumDgemm(tA, tB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	tr := func(t bool) blas.Transpose {
		if t {
			return blas.Trans
		}
		return blas.NoTrans
	}
	gonum.Implementation{}.Dgemm(tr(tA), tr(tB), m, n, k, 1, a, lda, b, ldb, 0, c, ldc)
}

// TestGemmAcceptsExactLengths: the last row of a matrix need not be padded
// to its leading dimension, as in gonum, and an empty product touches
// nothing; every kernel accepts such slices and computes the product.
func TestGemmAcceptsExactLengths(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	for _, k := range every(t) {
		for _, tA := range []bool{false, true} {
			for _, tB := range []bool{false, true} {
				for _, s := range [][3]int{{6, 8, 5}, {200, 1, 100}, {1, 100, 200}, {200, 100, 1}, {7, 13, 3}} {
					p := newProduct(r, tA, tB, s, 3, 1)
					a := p.a[:(p.ar-1)*p.lda+p.ac]
					b := p.b[:(p.br-1)*p.ldb+p.bc]
					want, got := p.filled(), p.filled()
					gonumDgemm(tA, tB, p.m, p.n, p.k, a, p.lda, b, p.ldb, want, p.ldc)
					k.Gemm64(tA, tB, p.m, p.n, p.k, 1, a, p.lda, b, p.ldb, got[:(p.m-1)*p.ldc+p.n], p.ldc)
					check(t, k.Name()+"/exact/"+p.name, p, got, want, tol64)
				}
			}
		}
		// Empty products: nothing to read, nothing to write.
		k.Gemm64(false, false, 0, 5, 3, 1, nil, 3, nil, 5, nil, 5)
		k.Gemm64(false, false, 4, 0, 3, 1, nil, 3, nil, 1, nil, 1)
		c := []float64{7, 7, 7, 7}
		k.Gemm64(false, false, 2, 2, 0, 1, []float64{1}, 1, nil, 2, c, 2) // A: (2−1)·1 + 0 elements
		if c[0] != 0 || c[3] != 0 {
			t.Errorf("%s: a product with k = 0 left C = %v, want zeros", k.Name(), c)
		}
	}
}

// TestElementwisePanicsOnShortOperands: every elementwise entry of every
// kernel refuses operands shorter than what it computes, and says which.
func TestElementwisePanicsOnShortOperands(t *testing.T) {
	for _, k := range every(t) {
		long, short := make([]float64, 10), make([]float64, 9)
		long32, short32 := make([]float32, 10), make([]float32, 9)
		for _, c := range []struct {
			name, want string
			call       func()
		}{
			{"Elementwise64 x", "Elementwise64: insufficient length of x: 9 elements, 10 needed", func() { k.Elementwise64(kernel.Add, 1, long, short, long) }},
			{"Elementwise64 y", "Elementwise64: insufficient length of y", func() { k.Elementwise64(kernel.Mul, 1, long, long, short) }},
			{"Elementwise64 op", "Elementwise64: unknown operation Arith(4)", func() { k.Elementwise64(kernel.Arith(4), 1, long, long, long) }},
			{"Elementwise32 y", "Elementwise32: insufficient length of y", func() { k.Elementwise32(kernel.Div, 1, long32, long32, short32) }},
			{"ElementwiseScalar64 x", "ElementwiseScalar64: insufficient length of x", func() { k.ElementwiseScalar64(kernel.Sub, long, short, 2, true) }},
			{"ElementwiseScalar32 op", "ElementwiseScalar32: unknown operation Arith(-1)", func() { k.ElementwiseScalar32(kernel.Arith(-1), long32, long32, 2, false) }},
			{"OuterHadamard64 dst", "OuterHadamard64: insufficient length of dst: 9 elements, 10 needed", func() { k.OuterHadamard64(1, 2, 5, short, long, long, long, nil, nil) }},
			{"OuterHadamard64 a", "OuterHadamard64: insufficient length of a", func() { k.OuterHadamard64(1, 5, 2, long, short, long, long, nil, nil) }},
			{"OuterHadamard64 u1", "OuterHadamard64: insufficient length of u1: 9 elements, 10 needed", func() { k.OuterHadamard64(1, 10, 1, long, long, short, long, nil, nil) }},
			{"OuterHadamard64 v1", "OuterHadamard64: insufficient length of v1", func() { k.OuterHadamard64(1, 1, 10, long, long, long, short, nil, nil) }},
			{"OuterHadamard64 u2", "OuterHadamard64: insufficient length of u2", func() { k.OuterHadamard64(1, 10, 1, long, long, long, long, short, long) }},
			{"OuterHadamard64 v2 missing", "OuterHadamard64: u2 and v2 must both be nil or both be given", func() { k.OuterHadamard64(1, 10, 1, long, long, long, long, long, nil) }},
			{"OuterHadamard64 m", "OuterHadamard64: m < 0", func() { k.OuterHadamard64(1, -2, -5, long, long, long, long, nil, nil) }},
			{"OuterHadamard32 v2", "OuterHadamard32: insufficient length of v2", func() { k.OuterHadamard32(1, 1, 10, long32, long32, long32, long32, long32, short32) }},
			{"Sum3_64 z", "Sum3_64: insufficient length of z", func() { k.Sum3_64(long, long, long, short) }},
			{"Sum3_32 x", "Sum3_32: insufficient length of x", func() { k.Sum3_32(long32, short32, long32, long32) }},
			{"Descend64 g", "Descend64: insufficient length of g: 9 elements, 10 needed", func() { k.Descend64(long, short, 0.1) }},
			{"Descend32 g", "Descend32: insufficient length of g", func() { k.Descend32(long32, short32, 0.1) }},
		} {
			if msg := panics(c.call); !strings.Contains(msg, "kernel: "+c.want) {
				t.Errorf("%s %s: panicked with %q, want %q", k.Name(), c.name, msg, "kernel: "+c.want)
			}
		}
	}
}

// TestBLASRefusesIllegalTranspose: the BLAS a kernel gives Gorgonia
// refuses a transpose flag that is none, as gonum does.
func TestBLASRefusesIllegalTranspose(t *testing.T) {
	for _, k := range every(t) {
		c := make([]float64, 4)
		msg := panics(func() { k.BLAS().Dgemm('X', blas.NoTrans, 2, 2, 2, 1, c, 2, c, 2, 0, c, 2) })
		if !strings.Contains(msg, "kernel: Dgemm: illegal transpose 'X'") {
			t.Errorf("%s: Dgemm with transpose 'X' panicked with %q", k.Name(), msg)
		}
		if math.Float64bits(c[0]) != 0 {
			t.Errorf("%s: wrote C", k.Name())
		}
	}
}

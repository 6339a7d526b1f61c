package kernel

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas/gonum"
)

// TestGonumKernelMatchesDgemmBitwise: the gonum kernel computes the
// vector-shaped products with level-1 routines in Dgemm's own order, so its
// results are gonum's Dgemm's bit for bit.
func TestGonumKernelMatchesDgemmBitwise(t *testing.T) {
	impl := gonum.Implementation{}
	r := rand.New(rand.NewPCG(3, 4))
	normals := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = r.NormFloat64()
		}
		return v
	}
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			for _, s := range [][3]int{{200, 1, 100}, {100, 1, 200}, {200, 100, 1}, {1, 100, 200}, {1, 1, 50}, {7, 1, 1}, {1, 9, 1}, {1, 1, 1}, {30, 20, 10}} {
				m, n, k := s[0], s[1], s[2]
				a, b := normals(m*k), normals(k*n)
				lda, ldb := k, n
				if tA {
					lda = m
				}
				if tB {
					ldb = k
				}
				want, got := make([]float64, m*n), make([]float64, m*n)
				for i := range got {
					got[i] = 12345 // must be overwritten
				}
				impl.Dgemm(transpose(tA), transpose(tB), m, n, k, 1, a, lda, b, ldb, 0, want, n)
				gonumGemm64(tA, tB, m, n, k, 1, a, lda, b, ldb, got, n)
				for i := range want {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("%v%v %v: c[%d] = %v, Dgemm %v", tA, tB, s, i, got[i], want[i])
					}
				}
				a32, b32 := make([]float32, len(a)), make([]float32, len(b))
				for i := range a {
					a32[i] = float32(a[i])
				}
				for i := range b {
					b32[i] = float32(b[i])
				}
				w32, g32 := make([]float32, m*n), make([]float32, m*n)
				impl.Sgemm(transpose(tA), transpose(tB), m, n, k, 1, a32, lda, b32, ldb, 0, w32, n)
				gonumGemm32(tA, tB, m, n, k, 1, a32, lda, b32, ldb, g32, n)
				for i := range w32 {
					if w32[i] != g32[i] {
						t.Fatalf("float32 %v%v %v: c[%d] = %v, Sgemm %v", tA, tB, s, i, g32[i], w32[i])
					}
				}
			}
		}
	}
}

package kernel_test

import (
	"math/rand/v2"
	"testing"

	"github.com/igr-project/igr/internal/kernel"
)

// BenchmarkStepOps runs, one at a time on the default kernel, the products
// and the elementwise pass of one training step of the blog's network
// (X 200×30, A 30×100, b 100×1): where a step's time goes.
func BenchmarkStepOps(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	k := kernel.Default()
	const n, d, m = 200, 30, 100
	for _, s := range []struct {
		name    string
		tA, tB  bool
		m, n, k int
	}{
		{"X·A", false, false, n, m, d},
		{"Xᵀ·G", true, false, d, m, n},
		{"H²·b", false, false, n, 1, m},
		{"(H²)ᵀ·r", true, false, m, 1, n},
		{"r·bᵀ", false, true, n, m, 1},
	} {
		lda, ldb := s.k, s.n
		if s.tA {
			lda = s.m
		}
		if s.tB {
			ldb = s.k
		}
		x, y, c := normals(r, s.m*s.k), normals(r, s.k*s.n), make([]float64, s.m*s.n)
		b.Run(s.name, func(b *testing.B) {
			for b.Loop() {
				k.Gemm64(s.tA, s.tB, s.m, s.n, s.k, 1, x, lda, y, ldb, c, s.n)
			}
		})
	}
	x, y, c := normals(r, n*m), normals(r, n*m), make([]float64, n*m)
	b.Run("H⊙H", func(b *testing.B) {
		for b.Loop() {
			k.Elementwise64(kernel.Mul, 1, c, x, y)
		}
	})
}

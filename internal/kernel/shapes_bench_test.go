package kernel_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/igr-project/igr/internal/kernel"
)

func BenchmarkShapes(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 8))
	k := kernel.Default()
	for _, s := range []struct {
		tA, tB  bool
		m, n, k int
	}{{false, false, 200, 100, 30}, {true, false, 30, 100, 200}, {false, true, 200, 100, 1}, {false, false, 200, 1, 100}, {true, false, 100, 1, 200}} {
		lda, ldb := s.k, s.n
		if s.tA {
			lda = s.m
		}
		if s.tB {
			ldb = s.k
		}
		x, y, c := normals(r, s.m*s.k), normals(r, s.k*s.n), make([]float64, s.m*s.n)
		b.Run(fmt.Sprintf("%v%v_%dx%dx%d", s.tA, s.tB, s.m, s.n, s.k), func(b *testing.B) {
			for b.Loop() {
				k.Gemm64(s.tA, s.tB, s.m, s.n, s.k, 1, x, lda, y, ldb, c, s.n)
			}
		})
	}
	x, y, c := normals(r, 20000), normals(r, 20000), make([]float64, 20000)
	b.Run("mul20000", func(b *testing.B) {
		for b.Loop() {
			k.Elementwise64(kernel.Mul, 1, c, x, y)
		}
	})
}

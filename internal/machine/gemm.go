package machine

import (
	"gonum.org/v1/gonum/blas"
)

// Vector-shaped matrix products. gonum's pure-Go Dgemm (v0.17.0) works one
// scalar at a time in two degenerate shapes: n == 1 with op(B) not a
// transposed stored B (its inner loop is an AxpyUnitary of length n per
// multiply) and k == 1 with A·Bᵀ (a DotUnitary of length k per element of C).
// 200×100·100×1 then costs ≈190 µs instead of the ≈6 µs of a Dgemv. Grad
// turns every m×1 parameter into exactly such products (H2·b, H2ᵀ·g, g·bᵀ),
// so they are computed here with level-1 BLAS in the same summation order as
// gonum's Dgemm, which keeps results bit-identical to linAlgBinOp on gonum
// (up to the sign of exact zeros and NaN propagation through exact zeros,
// which gonum's Dgemm skips). All other shapes go to Dgemm unchanged; with
// another BLAS (G.Use(netlib...)) these two paths are merely fast, not
// bit-identical to that BLAS's gemm.
//
// a is stored rows×lda (row-major), b likewise with ldb; op(a) is m×k, op(b)
// is k×n, c is m×n with ldc = n.
func gemm64(impl blas.Float64, tA, tB blas.Transpose, m, n, k int, a []float64, lda int, b []float64, ldb int, c []float64) {
	switch {
	case k == 1:
		// outer product: op(a) is a column, op(b) a row, both contiguous
		for i := 0; i < m; i++ {
			ai, row := a[i], c[i*n:i*n+n]
			for j, bj := range b[:n] {
				row[j] = 0 + ai*bj // as Dgemm: 0 + 1·(a_i·b_j)
			}
		}
	case n == 1 && !(tA == blas.NoTrans && tB == blas.Trans):
		// c = Σ_l op(b)_l · op(a)[:,l] in order l = 0..k-1, as Dgemm does;
		// op(b) is contiguous whatever tB.
		clear(c[:m])
		for l := 0; l < k; l++ {
			if tA == blas.NoTrans { // column l of a: stride lda
				impl.Daxpy(m, b[l], a[l:], lda, c, 1)
			} else { // row l of the stored a (k×m)
				impl.Daxpy(m, b[l], a[l*lda:l*lda+m], 1, c, 1)
			}
		}
	default:
		impl.Dgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
	}
}

func gemm32(impl blas.Float32, tA, tB blas.Transpose, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32) {
	switch {
	case k == 1:
		for i := 0; i < m; i++ {
			ai, row := a[i], c[i*n:i*n+n]
			for j, bj := range b[:n] {
				row[j] = 0 + ai*bj
			}
		}
	case n == 1 && !(tA == blas.NoTrans && tB == blas.Trans):
		clear(c[:m])
		for l := 0; l < k; l++ {
			if tA == blas.NoTrans {
				impl.Saxpy(m, b[l], a[l:], lda, c, 1)
			} else {
				impl.Saxpy(m, b[l], a[l*lda:l*lda+m], 1, c, 1)
			}
		}
	default:
		impl.Sgemm(tA, tB, m, n, k, 1, a, lda, b, ldb, 0, c, n)
	}
}

package kernel

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

func init() {
	register(&Kernel{name: Gonum, rank: 0, base: gonumBLAS, elementwise: &goElementwise, gemm64: gonumGemm64, gemm32: gonumGemm32})
}

func transpose(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// at is the index of element i of a vector stored as a column (stride ld)
// or, when row, as a row (stride 1).
func at(row bool, i, ld int) int {
	if row {
		return i
	}
	return i * ld
}

// Vector-shaped products. gonum's pure-Go Dgemm (v0.17.0) works one scalar at
// a time in two degenerate shapes: n == 1 with op(B) not a transposed stored B
// (its inner loop is an AxpyUnitary of length n per multiply) and k == 1 with
// A·Bᵀ (a DotUnitary of length k per element of C). 200×100·100×1 then costs
// ≈190 µs instead of the ≈6 µs of a Dgemv. Gradients of m×1 parameters are
// exactly such products (H2·b, H2ᵀ·g, g·bᵀ), so the gonum kernel computes
// them with level-1 BLAS in the same summation order as gonum's Dgemm, which
// keeps its results bit-identical to gonum's Dgemm (up to the sign of exact
// zeros and NaN propagation through exact zeros, which Dgemm skips).
var (
	gonumGemm64 = gonumGemm(gonum.Implementation{}.Daxpy, gonum.Implementation{}.Dgemm)
	gonumGemm32 = gonumGemm(gonum.Implementation{}.Saxpy, gonum.Implementation{}.Sgemm)
)

// gonumGemm returns the product of the gonum kernel for one precision,
// given gonum's axpy and gemm of that precision.
func gonumGemm[T float](
	axpy func(n int, alpha T, x []T, incX int, y []T, incY int),
	gemm func(tA, tB blas.Transpose, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int),
) func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	return func(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, c []T, ldc int) {
		switch {
		case k == 1 && alpha == 1 && (!tB || ldb == 1):
			// outer product: op(a) is a column, op(b) a row
			incB := 1 // op(b) is the stored row, or the stored column when tB
			if tB {
				incB = ldb
			}
			for i := 0; i < m; i++ {
				ai, row := a[at(tA, i, lda)], c[i*ldc:i*ldc+n]
				for j := range row {
					row[j] = 0 + ai*b[j*incB] // as Dgemm: 0 + 1·(a_i·b_j)
				}
			}
		case n == 1 && alpha == 1 && ldc == 1 && !(!tA && tB):
			// c = Σ_l op(b)_l · op(a)[:,l] in order l = 0..k-1, as Dgemm does
			clear(c[:m])
			for l := 0; l < k; l++ {
				bl := b[at(tB, l, ldb)]
				if !tA { // column l of a: stride lda
					axpy(m, bl, a[l:], lda, c, 1)
				} else { // row l of the stored a (k×m)
					axpy(m, bl, a[l*lda:l*lda+m], 1, c, 1)
				}
			}
		default:
			gemm(transpose(tA), transpose(tB), m, n, k, alpha, a, lda, b, ldb, 0, c, ldc)
		}
	}
}

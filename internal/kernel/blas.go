package kernel

import (
	"fmt"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// FullBLAS is every BLAS routine, the interface gorgonia.Use takes.
type FullBLAS interface {
	blas.Float32
	blas.Float64
	blas.Complex64
	blas.Complex128
}

// BLAS returns a full BLAS whose Dgemm and Sgemm (with beta = 0) are k's
// products and whose other routines are those of the BLAS k comes with:
// gonum's, or OpenBLAS's for the OpenBLAS kernel. Given to gorgonia.Use, it
// makes Gorgonia's own matrix products run on k.
func (k *Kernel) BLAS() FullBLAS { return kernelBLAS{FullBLAS: k.base, k: k} }

type kernelBLAS struct {
	FullBLAS
	k *Kernel
}

func (b kernelBLAS) Dgemm(tA, tB blas.Transpose, m, n, kk int, alpha float64, a []float64, lda int, bb []float64, ldb int, beta float64, c []float64, ldc int) {
	if beta != 0 {
		b.FullBLAS.Dgemm(tA, tB, m, n, kk, alpha, a, lda, bb, ldb, beta, c, ldc)
		return
	}
	b.k.Gemm64(transposed("Dgemm", tA), transposed("Dgemm", tB), m, n, kk, alpha, a, lda, bb, ldb, c, ldc)
}

func (b kernelBLAS) Sgemm(tA, tB blas.Transpose, m, n, kk int, alpha float32, a []float32, lda int, bb []float32, ldb int, beta float32, c []float32, ldc int) {
	if beta != 0 {
		b.FullBLAS.Sgemm(tA, tB, m, n, kk, alpha, a, lda, bb, ldb, beta, c, ldc)
		return
	}
	b.k.Gemm32(transposed("Sgemm", tA), transposed("Sgemm", tB), m, n, kk, alpha, a, lda, bb, ldb, c, ldc)
}

// transposed reports whether t transposes its operand, and panics, as
// gonum does, when t is not a transpose at all.
func transposed(entry string, t blas.Transpose) bool {
	switch t {
	case blas.NoTrans:
		return false
	case blas.Trans, blas.ConjTrans:
		return true
	}
	panic(fmt.Sprintf("kernel: %s: illegal transpose %q", entry, rune(t)))
}

var gonumBLAS FullBLAS = gonum.Implementation{}

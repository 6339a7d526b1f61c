//go:build openblas

package cblas

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
import "C"

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"

	"github.com/igr-project/igr/internal/kernel"
)

func init() {
	C.openblas_set_num_threads(1)
	impl := netlib.Implementation{}
	blas64.Use(impl)
	blas32.Use(impl)
	kernel.Register(kernel.New(kernel.OpenBLAS, 20, impl,
		func(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
			if m == 0 || n == 0 {
				return
			}
			impl.Dgemm(transpose(tA), transpose(tB), m, n, k, alpha, a, lda, b, ldb, 0, c, ldc)
		},
		func(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
			if m == 0 || n == 0 {
				return
			}
			impl.Sgemm(transpose(tA), transpose(tB), m, n, k, alpha, a, lda, b, ldb, 0, c, ldc)
		}))
}

func transpose(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

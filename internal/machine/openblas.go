//go:build openblas

package machine

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
import "C"

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
	G "gorgonia.org/gorgonia"
)

// BLAS names the BLAS the build uses.
const BLAS = "openblas"

// With -tags openblas every matrix product, Gorgonia's and gonum's, goes to
// OpenBLAS through cgo. OpenBLAS runs single-threaded: parallelism comes from
// training several runs at once.
func init() {
	C.openblas_set_num_threads(1)
	impl := netlib.Implementation{}
	G.Use(impl)
	blas64.Use(impl)
	blas32.Use(impl)
}

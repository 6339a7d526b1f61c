package archtest

import (
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/igr-project/igr/internal/random"
)

// LinearSpectrum returns inputs X, rows×len(lambda) row-major, for which the
// mean squared error of graph.Linear (scale 1), L(w) = (1/n)‖Xw − y‖² with
// n = rows, has the Hessian (2/n) XᵀX = V diag(lambda) Vᵀ, whatever the
// targets: X = U S Vᵀ with U rows×d of orthonormal columns, S_ii =
// √(n λ_i / 2), and V a random orthogonal matrix, or the identity when
// rotate is false (a diagonal Hessian). It also returns that Hessian. All
// draws come from seed.
func LinearSpectrum(lambda []float64, rows int, rotate bool, seed uint64) (x []float64, hessian *mat.SymDense) {
	d := len(lambda)
	src := random.New(seed, random.Data)
	u := orthonormal(src, rows, d)
	v := mat.NewDense(d, d, nil)
	for i := range d {
		v.Set(i, i, 1)
	}
	if rotate {
		v = orthonormal(src, d, d)
	}
	s := mat.NewDense(d, d, nil)
	for i, l := range lambda {
		s.Set(i, i, math.Sqrt(float64(rows)*l/2))
	}
	var xs mat.Dense
	xs.Product(u, s, v.T())
	hessian = mat.NewSymDense(d, nil)
	for i := range d {
		for j := i; j < d; j++ {
			var h float64
			for c, l := range lambda {
				h += v.At(i, c) * l * v.At(j, c)
			}
			hessian.SetSym(i, j, h)
		}
	}
	return xs.RawMatrix().Data, hessian
}

// orthonormal returns a rows×cols matrix with orthonormal columns, the Q of
// the QR factorization of a matrix of standard normal entries.
func orthonormal(src *random.Normal, rows, cols int) *mat.Dense {
	a := make([]float64, rows*cols)
	src.FillNormal(a, 0, 1)
	var qr mat.QR
	qr.Factorize(mat.NewDense(rows, cols, a))
	var q mat.Dense
	qr.QTo(&q)
	return mat.DenseCopyOf(q.Slice(0, rows, 0, cols))
}

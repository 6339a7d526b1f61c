package curvature

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// DefaultMaxDense is the default limit on the parameters of a dense Hessian:
// 5,000 parameters make a 200 MB matrix and an eigendecomposition of minutes.
const DefaultMaxDense = 5000

// DenseSettings configure Dense. The zero value (or nil) means the defaults
// given with each field.
type DenseSettings struct {
	// MaxParams refuses operators of more parameters, with ErrTooLarge.
	// Zero means DefaultMaxDense.
	MaxParams int
	// Vectors asks for the eigenvectors too.
	Vectors bool
}

// Spectrum is a dense Hessian and its whole spectrum: the ground truth the
// iterative methods are tested against.
type Spectrum struct {
	// Matrix is the Hessian, column j the product with the j-th unit
	// vector, symmetrized as (H + Hᵀ)/2.
	Matrix *mat.SymDense
	// Values are all the eigenvalues, descending.
	Values []float64
	// Vectors holds, when asked, the unit eigenvector of Values[i] in
	// column i.
	Vectors *mat.Dense
	// Asymmetry is max |H_ij − H_ji| / max |H_ij| of the products before
	// symmetrizing: the rounding of the Hessian-vector products.
	Asymmetry float64
}

// Dense builds the Hessian from n products with the unit vectors and
// computes its eigendecomposition with gonum's mat.EigenSym (LAPACK's
// symmetric QR algorithm).
func Dense(ctx context.Context, op Operator, s *DenseSettings) (*Spectrum, error) {
	cfg := *cmp.Or(s, &DenseSettings{})
	cfg.MaxParams = cmp.Or(cfg.MaxParams, DefaultMaxDense)
	n := op.Len()
	if n > cfg.MaxParams {
		return nil, fmt.Errorf("%w: %d parameters, the limit is %d", ErrTooLarge, n, cfg.MaxParams)
	}
	cols := mat.NewDense(n, n, nil)
	e := make([]float64, n)
	col := make([]float64, n)
	for j := range n {
		if j%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("curvature: %w", err)
			}
		}
		e[j] = 1
		if err := op.Apply(col, e); err != nil {
			return nil, err
		}
		e[j] = 0
		if !finite(col) {
			return nil, fmt.Errorf("%w (column %d of the dense Hessian)", ErrNotFinite, j)
		}
		cols.SetCol(j, col)
	}
	sp := &Spectrum{Matrix: mat.NewSymDense(n, nil)}
	var largest, asym float64
	for i := range n {
		for j := i; j < n; j++ {
			a, b := cols.At(i, j), cols.At(j, i)
			sp.Matrix.SetSym(i, j, (a+b)/2)
			largest = math.Max(largest, math.Max(math.Abs(a), math.Abs(b)))
			asym = math.Max(asym, math.Abs(a-b))
		}
	}
	if largest > 0 {
		sp.Asymmetry = asym / largest
	}
	var eig mat.EigenSym
	if !eig.Factorize(sp.Matrix, cfg.Vectors) {
		return nil, fmt.Errorf("curvature: eigendecomposition of the dense Hessian failed")
	}
	asc := eig.Values(nil)
	sp.Values = slices.Clone(asc)
	slices.Reverse(sp.Values)
	if cfg.Vectors {
		var v mat.Dense
		eig.VectorsTo(&v)
		sp.Vectors = mat.NewDense(n, n, nil)
		for i := range n {
			sp.Vectors.SetCol(i, mat.Col(nil, n-1-i, &v))
		}
	}
	return sp, nil
}

// Trace returns Σ λ_i, the trace of the Hessian.
func (s *Spectrum) Trace() float64 {
	var t float64
	for _, v := range s.Values {
		t += v
	}
	return t
}

package curvature

import "errors"

// The errors of the package, returned wrapped with the details.
var (
	// ErrShape: parameters, data or vectors whose shapes do not fit.
	ErrShape = errors.New("curvature: mismatched shapes")
	// ErrCount: a number of eigenpairs k outside 1…n, n the number of
	// parameters.
	ErrCount = errors.New("curvature: k must be between 1 and the number of parameters")
	// ErrTooLarge: a dense Hessian above the size limit.
	ErrTooLarge = errors.New("curvature: too many parameters for a dense Hessian")
	// ErrNoConvergence: an eigensolver that did not reach its tolerance
	// within its budget of products.
	ErrNoConvergence = errors.New("curvature: eigensolver did not converge")
	// ErrNotFinite: a product Hv with a NaN or an infinity, as at the
	// parameters of a diverged run.
	ErrNotFinite = errors.New("curvature: Hessian-vector product is not finite")
	// ErrSettings: settings that cannot be used.
	ErrSettings = errors.New("curvature: invalid settings")
)

// Operator is a symmetric linear map of ℝⁿ, known by its products: a
// Hessian, or any matrix in tests.
type Operator interface {
	// Len is n, the length of the vectors.
	Len() int
	// Apply sets dst to the product of the operator with v.
	Apply(dst, v []float64) error
}

package gradcheck

import (
	"math"

	"gonum.org/v1/gonum/diff/fd"
)

// Step is the finite-difference step: central differences have truncation
// error O(Step²) and rounding error O(ε/Step), balanced near ε^(1/3) ≈ 6e-6.
const Step = 1e-5

// Tolerance is the relative error every analytic gradient must stay under.
const Tolerance = 1e-6

// Central returns the gradient of f at x by central differences.
func Central(f func(x []float64) float64, x []float64) []float64 {
	return fd.Gradient(nil, f, x, &fd.Settings{Formula: fd.Central, Step: Step})
}

// RelativeError returns ‖got − want‖ / max(‖want‖, tiny), the error of got
// relative to the reference want.
func RelativeError(got, want []float64) float64 {
	var diff, norm float64
	for i := range want {
		d := got[i] - want[i]
		diff += d * d
		norm += want[i] * want[i]
	}
	return math.Sqrt(diff) / math.Max(math.Sqrt(norm), 1e-300)
}

package centralflow

import (
	"fmt"
	"gonum.org/v1/gonum/floats"
)

// HessianVectorProduct sets out to ∇²L(w)v.
type HessianVectorProduct func(w, v, out []float64) error

// DefaultDifferenceStep is the step of ThirdDerivativeByDifferences for unit
// directions: the five-point formula's truncation error is O(h⁴) and its
// rounding error O(ε/h), balanced near ε^(1/5) ≈ 7e-4.
const DefaultDifferenceStep = 1e-3

// ThirdDerivativeByDifferences sets out to ∇_w(uᵀ∇²L(w)v) = D³L(w)[u, v, ·],
// the derivative of h ↦ ∇²L(w + h·u)v at 0, by the five-point central
// difference
//
//	[−H(w+2hu)v + 8H(w+hu)v − 8H(w−hu)v + H(w−2hu)v] / (12h)
//
// of exact Hessian-vector products (four of them). Its truncation error is
// h⁴/30 times the fifth derivative of L along u, and it is exact (up to
// rounding) when ∇²L(w + h·u)v is a polynomial of degree at most four in h:
// for the quadratic network, whose prediction is cubic in the parameters (A
// enters squared, b linearly), L is a polynomial of degree six and ∇²L v one
// of degree four. step ≤ 0 means DefaultDifferenceStep; u is best of unit
// length. out must not alias w, u or v.
func ThirdDerivativeByDifferences(hvp HessianVectorProduct, w, u, v, out []float64, step float64) error {
	n := len(w)
	if len(u) != n || len(v) != n || len(out) != n {
		return fmt.Errorf("centralflow: third derivative of %d parameters with vectors of lengths %d, %d and %d", n, len(u), len(v), len(out))
	}
	if step <= 0 {
		step = DefaultDifferenceStep
	}
	shifted := make([]float64, n)
	hv := make([]float64, n)
	clear(out)
	for _, term := range [4]struct{ shift, weight float64 }{{2, -1}, {1, 8}, {-1, -8}, {-2, 1}} {
		for i := range w {
			shifted[i] = w[i] + term.shift*step*u[i]
		}
		if err := hvp(shifted, v, hv); err != nil {
			return err
		}
		floats.AddScaled(out, term.weight/(12*step), hv)
	}
	return nil
}

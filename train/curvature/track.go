package curvature

import (
	"cmp"
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
)

// DefaultTrackTol is the default tolerance of a Tracker.
const DefaultTrackTol = 1e-3

// TrackSettings configure a Tracker. The zero value (or nil) means the
// defaults given with each field.
type TrackSettings struct {
	// Tol is the relative residual at which an estimate is returned: θ =
	// vᵀHv of a unit vector v with ‖Hv − θv‖ ≤ Tol·|θ|, which puts θ within
	// Tol·|θ| of an eigenvalue of H (Weinstein's bound), and within
	// Tol²·θ²/δ of it when the rest of the spectrum is at least δ away
	// (Kato–Temple). When the warm vector misses the tolerance, the
	// Lanczos method refines the pair from it until its residual is at
	// most Tol·‖H‖. Zero means DefaultTrackTol.
	Tol float64
	// Seed seeds the random start of the first measurement.
	Seed uint64
	// MaxProducts bounds the products of one refinement. Zero means
	// DefaultMaxProducts.
	MaxProducts int
}

// Tracker follows the top eigenpair of an operator that changes slowly, as
// the Hessian along a training run does: each measurement starts from a
// prediction made from the previous ones, and costs one product when that
// prediction is an eigenvector to the tolerance (the Rayleigh quotient
// θ = vᵀHv and the residual ‖Hv − θv‖ come from the same product Hv).
// Otherwise the Lanczos method continues from it, reusing that product.
//
// The prediction for the next measurement, from the vector v of the last
// estimate θ, its product Hv and the vector v′ of the estimate before, is
//
//	v ← normalize(Hv/‖Hv‖ + (v − v′)),
//
// a step of the power method, which shrinks every other component by
// |λ_i/θ| (when θ > 0; v itself otherwise), plus a linear extrapolation of
// the eigenvector's drift along the run. On the blog's network this keeps
// the warm vector within the tolerance for most steps of a run
// (BENCHMARKS.md). Power steps grow components of eigenvalues below −θ: the
// residual then grows, and the Lanczos method, which finds the top of the
// space it builds, takes over; a returned estimate always meets the
// tolerance.
//
// A warm start follows the eigenpair continuously. If another eigenvalue
// overtakes it between two measurements by crossing it (rather than by an
// avoided crossing, which turns the tracked vector and raises its residual),
// the tracker can keep following the old pair: the value returned is then
// within the residual of an eigenvalue, but not of the top one. Measure
// often enough; TestTrackerFollowsTheDenseSpectrum checks a run against the
// dense spectrum at every step.
type Tracker struct {
	op       Operator
	cfg      TrackSettings
	start    []float64 // the prediction the next measurement starts from
	vec      []float64 // the vector of the last estimate
	hv       []float64
	spare    []float64 // the buffer of the next prediction
	products int
}

// NewTracker returns a Tracker of op's top eigenpair.
func NewTracker(op Operator, s *TrackSettings) (*Tracker, error) {
	cfg := *cmp.Or(s, &TrackSettings{})
	cfg.Tol = cmp.Or(cfg.Tol, DefaultTrackTol)
	if !(cfg.Tol > 0) || cfg.Tol >= 1 {
		return nil, fmt.Errorf("%w: tracking tolerance must be in (0, 1), got %g", ErrSettings, cfg.Tol)
	}
	cfg.MaxProducts = cmp.Or(cfg.MaxProducts, DefaultMaxProducts)
	return &Tracker{op: op, cfg: cfg, hv: make([]float64, op.Len())}, nil
}

// Measure returns the top eigenvalue θ of the operator as it is now and the
// residual ‖Hv − θv‖ of its unit vector v, which bounds the error of θ. The
// first measurement, or one after SetVector(nil), starts from a random
// vector. On a product that is not finite it returns ErrNotFinite and keeps
// its state.
func (t *Tracker) Measure(ctx context.Context) (value, residual float64, err error) {
	if t.start != nil {
		if err := t.op.Apply(t.hv, t.start); err != nil {
			return math.NaN(), math.NaN(), err
		}
		t.products++
		if !finite(t.hv) {
			return math.NaN(), math.NaN(), fmt.Errorf("%w (tracked vector)", ErrNotFinite)
		}
		theta := floats.Dot(t.start, t.hv)
		var r2 float64
		for i, h := range t.hv {
			d := h - theta*t.start[i]
			r2 += d * d
		}
		if r := math.Sqrt(r2); r <= t.cfg.Tol*math.Abs(theta) {
			t.predict(theta, t.start, t.hv)
			return theta, r, nil
		}
	}
	settings := &EigenSettings{Tol: t.cfg.Tol, Seed: t.cfg.Seed, MaxProducts: t.cfg.MaxProducts}
	var res *Eigenpairs
	var hy [][]float64
	if t.start != nil {
		res, hy, err = solve(ctx, t.op, 1, true, settings, t.start, append([]float64(nil), t.hv...))
	} else {
		res, hy, err = solve(ctx, t.op, 1, true, settings, nil, nil)
	}
	if res != nil {
		t.products += res.Products
	}
	if err != nil {
		return math.NaN(), math.NaN(), err
	}
	t.predict(res.Values[0], res.Vectors[0], hy[0])
	return res.Values[0], res.Residuals[0], nil
}

// predict makes the start of the next measurement from the estimate θ with
// unit vector v and product hv. It allocates nothing once the buffers exist.
func (t *Tracker) predict(theta float64, v, hv []float64) {
	if len(t.spare) != len(v) {
		t.spare = make([]float64, len(v))
	}
	next := t.spare
	if size := norm(hv); theta > 0 && size > 0 {
		floats.ScaleTo(next, 1/size, hv)
	} else {
		copy(next, v)
	}
	if t.vec != nil {
		sign := 1.0
		if floats.Dot(v, t.vec) < 0 {
			sign = -1
		}
		for i := range next {
			next[i] += v[i] - sign*t.vec[i]
		}
	}
	floats.Scale(1/norm(next), next)
	t.vec = append(t.vec[:0], v...)
	t.spare, t.start = t.start, next
}

// Vector returns the unit vector of the last estimate (nil before the first
// measurement). It belongs to the Tracker.
func (t *Tracker) Vector() []float64 { return t.vec }

// SetVector makes v, normalized, the start of the next measurement, with no
// drift to extrapolate; nil makes it start from a random vector.
func (t *Tracker) SetVector(v []float64) error {
	if v == nil {
		t.start, t.vec = nil, nil
		return nil
	}
	if len(v) != t.op.Len() {
		return fmt.Errorf("%w: vector of %d entries for %d parameters", ErrShape, len(v), t.op.Len())
	}
	norm := floats.Norm(v, 2)
	if !(norm > 0) || math.IsInf(norm, 0) {
		return fmt.Errorf("%w: the warm-start vector has norm %g", ErrSettings, norm)
	}
	t.start = append([]float64(nil), v...)
	floats.Scale(1/norm, t.start)
	t.vec = nil
	return nil
}

// State returns what the next measurement depends on: the start vector and
// the vector of the last estimate, copies, nil before the first
// measurement. Restore puts it back, so that a checkpointed run measures
// after resuming exactly what it would have measured.
func (t *Tracker) State() (start, last []float64) {
	if t.start == nil {
		return nil, nil
	}
	return append([]float64(nil), t.start...), append([]float64(nil), t.vec...)
}

// Restore sets the state State returned.
func (t *Tracker) Restore(start, last []float64) error {
	n := t.op.Len()
	if start == nil {
		t.start, t.vec = nil, nil
		return nil
	}
	if len(start) != n || (last != nil && len(last) != n) {
		return fmt.Errorf("%w: tracker state of %d and %d entries for %d parameters", ErrShape, len(start), len(last), n)
	}
	t.start = append([]float64(nil), start...)
	t.vec = append([]float64(nil), last...)
	if last == nil {
		t.vec = nil
	}
	return nil
}

// Products is the number of operator applications of all measurements.
func (t *Tracker) Products() int { return t.products }

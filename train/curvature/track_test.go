package curvature_test

import (
	"context"
	"math"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/train/curvature"
)

// TestTrackerFollowsTheDenseSpectrum runs gradient descent on a small
// network with a step above 2/λ_max at the start, so that the top
// eigenvalue first falls fast (a catapult) and then moves slowly, and
// measures it at every step with a Tracker on the Hessian bound to the
// trained parameters, stepping along the ∇L of the same products
// (DescendLoss). At every step the estimate θ must be within its residual
// r ≤ Tol·θ of the top eigenvalue λ₁ of the dense Hessian, and within the
// Kato–Temple bound r²/(θ − λ₂).
func TestTrackerFollowsTheDenseSpectrum(t *testing.T) {
	ctx := context.Background()
	arch := graph.Quadratic{Dim: 6, Width: 12}
	x, y, p := problemOf(arch, 30, 6, 21)
	for i := range p.Data(0) {
		p.Data(0)[i] *= 0.6
	}
	h, err := curvature.NewHessian(arch, x, y, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	const tol = 1e-3
	tracker, err := curvature.NewTracker(h, &curvature.TrackSettings{Tol: tol})
	if err != nil {
		t.Fatal(err)
	}
	var first, last, lr float64
	const steps = 60
	for step := range steps {
		theta, r, err := tracker.Measure(ctx)
		if err != nil {
			t.Fatal(err)
		}
		loss := h.Loss()
		sp, err := curvature.Dense(ctx, h, nil)
		if err != nil {
			t.Fatal(err)
		}
		l1, l2 := sp.Values[0], sp.Values[1]
		if step == 0 {
			first = l1
		}
		last = l1
		if r > tol*math.Abs(theta) {
			t.Errorf("step %d: residual %.3g above the tolerance", step, r)
		}
		if math.Abs(theta-l1) > r || theta > l1+1e-12*l1 || l1-theta > r*r/(theta-l2) {
			t.Errorf("step %d: tracked %.12g (residual %.2g), dense top %.12g, next %.6g", step, theta, r, l1, l2)
		}
		if math.IsNaN(loss) || loss > 1e6 {
			t.Fatalf("step %d: the run diverged (loss %g)", step, loss)
		}
		if step == 0 {
			lr = 2.4 / l1 // above 2/λ₀, where a catapult takes the run
		}
		h.Objective().DescendLoss(lr)
	}
	if !(last < 2/lr && first > 2/lr) {
		t.Errorf("the top eigenvalue went from %g to %g with 2/η = %g: the run was not the catapult the test needs", first, last, 2/lr)
	}
	t.Logf("top eigenvalue %.4g → %.4g, 2/η = %.4g, %d products", first, last, 2/lr, tracker.Products())
	if perStep := float64(tracker.Products()) / steps; perStep > 4 {
		t.Errorf("%.2f products per measurement", perStep)
	}
}

// TestTrackerStateRestore: a tracker restored from another's state measures
// exactly what the other does.
func TestTrackerStateRestore(t *testing.T) {
	ctx := context.Background()
	arch := graph.Tanh{Dim: 6, Width: 12}
	x, y, p := problemOf(arch, 30, 6, 5)
	h, err := curvature.NewHessian(arch, x, y, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	a, _ := curvature.NewTracker(h, nil)
	b, _ := curvature.NewTracker(h, nil)
	for range 3 {
		if _, _, err := a.Measure(ctx); err != nil {
			t.Fatal(err)
		}
		h.Objective().DescendLoss(0.05)
	}
	if err := b.Restore(a.State()); err != nil {
		t.Fatal(err)
	}
	for step := range 3 {
		va, ra, errA := a.Measure(ctx)
		vb, rb, errB := b.Measure(ctx)
		if errA != nil || errB != nil || va != vb || ra != rb {
			t.Fatalf("step %d: %v (%v) and %v (%v) after restoring, errors %v %v", step, va, ra, vb, rb, errA, errB)
		}
		h.Objective().DescendLoss(0.05)
	}
}

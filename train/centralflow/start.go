package centralflow

import (
	"context"
	"fmt"
	"gonum.org/v1/gonum/floats"
	"math"
)

// EdgeStart is where a catapult ends: the first iterate of gradient descent
// whose sharpness is at most 2/η.
type EdgeStart struct {
	// Step is the index k of the iterate w_k (0 when w0 is below the edge).
	Step int
	// W is w_k.
	W []float64
	// Sharpness is the sharpness at w_k, Initial the one at w0.
	Sharpness, Initial float64
	// MaxLoss is the largest loss of w_0, …, w_k: the height of the
	// catapult.
	MaxLoss float64
}

// FirstBelowEdge runs gradient descent w ← w − η∇L(w) on l from w0 until
// an iterate's sharpness (the top eigenvalue of ∇²L, warm-started from the
// previous iterate's eigenvector) is at most 2/η, and returns that iterate.
//
// A run whose sharpness starts above 2/η is outside the central flow's
// theory: gradient descent is unstable along the top eigenvector, its
// oscillation grows instead of settling into a cycle around the flow, and
// in networks the loss spikes until the sharpness has fallen below 2/η (the
// catapult of Lewkowycz et al., 2020). New refuses to start there
// (ErrAboveEdge). A caller that wants the flow of such a run starts it
// from FirstBelowEdge's iterate, at time Step (Settings.Start), and
// compares with GD from there on. On a Network the iterates are those of
// train.Run in float64, which computes the same gradient with the same
// graph.
//
// It fails when the loss becomes non-finite or no iterate of the first
// maxSteps is below the edge.
func FirstBelowEdge(ctx context.Context, l Landscape, w0 []float64, eta float64, maxSteps int) (*EdgeStart, error) {
	if !(eta > 0) || math.IsInf(eta, 0) {
		return nil, fmt.Errorf("centralflow: learning rate must be a positive number, got %g", eta)
	}
	if maxSteps < 0 {
		return nil, fmt.Errorf("centralflow: the step cap must be non-negative, got %d", maxSteps)
	}
	if l == nil || len(w0) != l.Len() {
		return nil, fmt.Errorf("centralflow: the initial point must have the landscape's number of parameters")
	}
	w := append([]float64(nil), w0...)
	grad := make([]float64, len(w))
	var warm [][]float64
	res := &EdgeStart{MaxLoss: math.Inf(-1)}
	for k := 0; ; k++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("centralflow: %w", err)
		}
		loss, err := l.Gradient(w, grad)
		if err != nil {
			return nil, fmt.Errorf("centralflow: gradient at GD step %d: %w", k, err)
		}
		if math.IsNaN(loss) || math.IsInf(loss, 0) {
			return nil, fmt.Errorf("centralflow: GD diverged before its sharpness fell below 2/η (loss %g at step %d)", loss, k)
		}
		res.MaxLoss = math.Max(res.MaxLoss, loss)
		vals, vecs, err := l.TopEigenpairs(ctx, w, 1, warm)
		if err != nil {
			return nil, fmt.Errorf("centralflow: sharpness at GD step %d: %w", k, err)
		}
		warm = vecs
		if k == 0 {
			res.Initial = vals[0]
		}
		if vals[0] <= 2/eta {
			res.Step, res.W, res.Sharpness = k, w, vals[0]
			return res, nil
		}
		if k == maxSteps {
			return nil, fmt.Errorf("centralflow: GD's sharpness stayed above 2/η = %.6g for %d steps (%.6g at the last)", 2/eta, maxSteps, vals[0])
		}
		floats.AddScaled(w, -eta, grad)
	}
}

package experiment

import (
	"errors"
	"fmt"
	"math"

	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/plots"
	"github.com/igr-project/igr/train/regime"
	"gonum.org/v1/plot"
)

// EarlySteps is how many of the first steps a run that tracks its
// sharpness records and tracks one by one (train.Settings.HistoryFirst),
// beside the sharpness every K steps: a catapult's rise and fall of the
// loss and of the sharpness happen within them. On the blog's problem
// (seed 0, m = 100) the loss peaks at step 2 or 3 for lr 0.05 to 0.1 and
// the sharpness is below 2/η from step 3 or 4 on, after rising above its
// initial value for a step or two; closer to 2/λ₀ it takes tens of steps.
// Measured on a map of 60 runs (docs/curvature.md), tracking every 10 steps
// and each of the first 100 gives every run the label tracking every step
// gives it, and sharpness_max_ratio within 1% of it; every 10 steps alone
// misses the catapult's peak (ηS/2 up to 40% lower); the first 30 steps
// alone, by up to 5%.
const EarlySteps = 100

// TrackSettings returns st tracking the sharpness every k steps (none for
// k = 0) and at each of the first EarlySteps steps, all of them recorded,
// as every experiment tracks it.
func TrackSettings(st train.Settings, k int) train.Settings {
	if k > 0 {
		st.TrackSharpness, st.HistoryFirst = k, EarlySteps
	}
	return st
}

// RunCurvature is what a run's entry in a summary.json says of its
// curvature: the sharpness (the top eigenvalue of the Hessian of the
// training MSE) at the initial and at the final parameters, and the
// stability threshold 2/η they compare with; for a run that tracked its
// sharpness (SetRegime), its regime and sharpness_max_ratio, the largest
// ηS/2 along it, both left out otherwise.
type RunCurvature struct {
	SharpnessInit     Number  `json:"sharpness_init"`
	SharpnessFinal    Number  `json:"sharpness_final"`
	TwoOverEta        Number  `json:"two_over_eta"`
	Regime            string  `json:"regime,omitempty"`
	SharpnessMaxRatio *Number `json:"sharpness_max_ratio,omitempty"`
}

// CurvatureOf returns the RunCurvature of a run at step size eta whose
// sharpness was init at its start and final at its end.
func CurvatureOf(init, final, eta float64) RunCurvature {
	return RunCurvature{SharpnessInit: Number(init), SharpnessFinal: Number(final), TwoOverEta: Number(2 / eta)}
}

// SetRegime adds the regime of a run that tracked its sharpness and its
// largest ηS/2 (RegimeOf).
func (c *RunCurvature) SetRegime(reg regime.Regime, maxRatio float64) {
	v := Number(maxRatio)
	c.Regime, c.SharpnessMaxRatio = string(reg), &v
}

// RegimeOf labels a run trained with settings st, which tracked its
// sharpness every st.TrackSharpness steps (TrackSettings), by its regime
// (package regime, default thresholds), and returns sharpness_max_ratio,
// the largest ηS/2 along it. The traces are the points of the tracked
// schedule alone — each of the first EarlySteps steps, every
// TrackSharpness-th, the last — with the training MSE on the clean targets
// as the loss; in a run with label noise or minibatches, whose tracked
// points do not compute that MSE, the loss of the early points alone. So
// the label does not depend on how often the run records its history
// otherwise. A run that did not track its sharpness or was interrupted
// gets "" and NaN; a finished run whose traces cannot be classified (a
// sharpness measured at one step only: a run that converged at once, or
// whose Hessian was not finite along the way) is regime.Unclassified.
func RegimeOf(r *train.Result, st *train.Settings) (regime.Regime, float64) {
	k := st.TrackSharpness
	if k <= 0 || r == nil || r.Status == train.Interrupted {
		return "", math.NaN()
	}
	noisy := st.LabelNoise > 0 || st.Batch > 0
	var samples []regime.Sample
	for i, p := range r.History {
		if p.Step < EarlySteps || p.Step%k == 0 || i == len(r.History)-1 {
			loss := p.TrainMSE
			if noisy && p.Step >= EarlySteps {
				loss = math.NaN()
			}
			samples = append(samples, regime.Sample{Step: p.Step, Sharpness: p.Sharpness, Loss: loss})
		}
	}
	c, err := regime.Classify(r.LearningRate, r.Status == train.Diverged, samples, nil)
	switch {
	case errors.Is(err, regime.ErrTrace):
		return regime.Unclassified, maxRatio(r)
	case err != nil:
		return "", math.NaN()
	}
	return c.Regime, c.MaxRatio
}

// maxRatio is the largest ηS/2 over the sharpness in the history of r, all
// of whose points with a sharpness are on the tracked schedule.
func maxRatio(r *train.Result) float64 {
	m := math.NaN()
	for _, p := range r.History {
		if v := r.LearningRate * p.Sharpness / 2; !(v <= m) && !math.IsNaN(v) {
			m = v
		}
	}
	return m
}

// SharpnessFigure draws the sharpness tracked along the named runs of a
// history against the step, beside the stability threshold 2/η of each of
// their learning rates (dashed, once per learning rate, in the colour of
// its first run), the steps on a logarithmic axis so that the first steps,
// where a catapult happens, show, the sharpness on a linear one.
func SharpnessFigure(title string, history []HistoryRow, runs ...string) (*plots.Plot, error) {
	var curves, limits []plots.Curve
	limit := map[float64]int{} // the index in limits of a learning rate's line
	for i, run := range runs {
		c := plots.Curve{Name: run, Color: i}
		var lr float64
		for _, h := range history {
			if h.Run == run && !math.IsNaN(h.Sharpness) {
				c.Steps = append(c.Steps, float64(h.Step))
				c.Values = append(c.Values, h.Sharpness)
				lr = h.LR
			}
		}
		if len(c.Steps) == 0 {
			continue
		}
		curves = append(curves, c)
		first, last := math.Max(c.Steps[0], 1), c.Steps[len(c.Steps)-1]
		if k, ok := limit[lr]; ok {
			limits[k].Steps[0], limits[k].Steps[1] = math.Min(limits[k].Steps[0], first), math.Max(limits[k].Steps[1], last)
			continue
		}
		limit[lr] = len(limits)
		limits = append(limits, plots.Curve{Name: fmt.Sprintf("2/η = %.4g", 2/lr), Color: i, Dashed: true,
			Steps: []float64{first, last}, Values: []float64{2 / lr, 2 / lr}})
	}
	if len(curves) == 0 {
		return nil, plots.ErrNothingToDraw
	}
	p, err := plots.Curves(title, "sharpness (top eigenvalue of the Hessian of L)", append(curves, limits...))
	if err != nil {
		return nil, err
	}
	// Sharpness varies over one or two decades: a linear axis reads better.
	p.Y.Scale, p.Y.Tick.Marker = plot.LinearScale{}, plots.LinearTicks
	return p, nil
}

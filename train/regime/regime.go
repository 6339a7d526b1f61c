package regime

import (
	"cmp"
	"errors"
	"fmt"
	"math"

	"github.com/igr-project/igr/train"
)

// Regime names how a run of gradient descent behaved with respect to its
// stability threshold 2/η.
type Regime string

// The regimes.
const (
	Stable   Regime = "stable"   // the sharpness stayed below 2/η
	Edge     Regime = "edge"     // the sharpness reached 2/η from below and hovered there
	Catapult Regime = "catapult" // above 2/η, a rise and fall of the loss, and below 2/η at the end
	Diverged Regime = "diverged" // the run diverged
	// Unclassified: the traces fit none of the definitions, for example a
	// sharpness above 2/η at the end of a run that did not diverge, or a
	// start above 2/η without a rise of the loss. Result.Reason says which.
	Unclassified Regime = "unclassified"
)

// Defaults of Settings.
const (
	DefaultBand       = 0.1
	DefaultSustain    = 0.5
	DefaultMinSamples = 3
	DefaultRiseFactor = 2
)

// The errors of the package, returned wrapped with the details.
var (
	ErrTrace    = errors.New("regime: unusable trace")
	ErrSettings = errors.New("regime: invalid settings")
)

// Settings are the thresholds of the definitions (see the package
// documentation). The zero value (or nil) means the defaults given with each
// field.
type Settings struct {
	// Band is the half-width of the edge band in the ratio r = ηS/2: the
	// sharpness S is at the edge when |r − 1| ≤ Band. Zero means
	// DefaultBand, 0.1.
	Band float64
	// Sustain is the least fraction of the steps from the first time the
	// sharpness reaches 2/η from below to the end of the run that the
	// longest stretch in the band must cover. Zero means DefaultSustain,
	// one half.
	Sustain float64
	// MinSamples is the least number of consecutive sharpness samples in
	// that stretch. Zero means DefaultMinSamples, 3.
	MinSamples int
	// RiseFactor is the factor by which the loss of a catapult must rise
	// above its lowest value so far, and then fall below that peak. Zero
	// means DefaultRiseFactor, 2.
	RiseFactor float64
}

// Sample is one point of a run's traces: the sharpness S (the top
// eigenvalue of the Hessian of the training loss) and the training loss at
// a step, either NaN when not measured there.
type Sample struct {
	Step            int
	Sharpness, Loss float64
}

// Result is the regime of a run and the numbers it was decided from.
type Result struct {
	Regime Regime
	// MaxRatio is sharpness_max_ratio, max over the run of r = ηS/2; InitRatio
	// and FinalRatio are r at the first and last sharpness samples.
	MaxRatio, InitRatio, FinalRatio float64
	// Reached is the first step at which the sharpness reached 2/η from
	// below (r ≥ 1 after a sample with r < 1), −1 if it never did; EdgeSteps
	// and EdgeFraction are the length in steps of the longest stretch of
	// consecutive samples in the band from then on, and its fraction of the
	// steps from Reached to the last sample.
	Reached, EdgeSteps int
	EdgeFraction       float64
	// LossRise is the largest factor by which the loss rose above its lowest
	// value so far, LossFall the factor by which it fell after that peak
	// (the peak over the lowest loss after it); 1 when the loss never rose.
	LossRise, LossFall float64
	// Reason says in words which definition decided.
	Reason string
}

// Classify labels a run of gradient descent with step eta from its traces,
// the samples in increasing order of step, and whether it diverged. The
// sharpness must have been measured at two steps at least, unless the run
// diverged.
func Classify(eta float64, diverged bool, samples []Sample, s *Settings) (*Result, error) {
	cfg, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	if !(eta > 0) || math.IsInf(eta, 0) {
		return nil, fmt.Errorf("%w: the learning rate must be a positive number, got %g", ErrSettings, eta)
	}
	var steps []int
	var ratio, loss []float64
	for i, p := range samples {
		if i > 0 && p.Step <= samples[i-1].Step {
			return nil, fmt.Errorf("%w: steps must increase, got %d after %d", ErrTrace, p.Step, samples[i-1].Step)
		}
		if !math.IsNaN(p.Sharpness) {
			steps = append(steps, p.Step)
			ratio = append(ratio, eta*p.Sharpness/2)
		}
		if !math.IsNaN(p.Loss) {
			loss = append(loss, p.Loss)
		}
	}
	res := &Result{Reached: -1, MaxRatio: math.NaN(), InitRatio: math.NaN(), FinalRatio: math.NaN(), LossRise: 1, LossFall: 1}
	for _, r := range ratio {
		if !(r <= res.MaxRatio) { // NaN at first
			res.MaxRatio = r
		}
	}
	if len(ratio) > 0 {
		res.InitRatio, res.FinalRatio = ratio[0], ratio[len(ratio)-1]
	}
	res.LossRise, res.LossFall = riseAndFall(loss)
	if diverged {
		res.Regime, res.Reason = Diverged, "the run diverged"
		return res, nil
	}
	if len(ratio) < 2 {
		return nil, fmt.Errorf("%w: the sharpness was measured at %d steps, at least 2 are needed", ErrTrace, len(ratio))
	}
	for _, r := range ratio {
		if math.IsInf(r, 0) {
			return nil, fmt.Errorf("%w: an infinite sharpness in a run that did not diverge", ErrTrace)
		}
	}
	res.edge(steps, ratio, &cfg)
	jumped := false
	for i, below := 1, ratio[0] < 1; i < len(ratio); i++ {
		jumped = jumped || below && ratio[i] > 1+cfg.Band
		below = below || ratio[i] < 1
	}
	switch {
	case res.MaxRatio < 1:
		res.Regime = Stable
		res.Reason = fmt.Sprintf("ηS/2 stayed below 1 (at most %.4g)", res.MaxRatio)
	case res.Reached >= 0 && res.EdgeFraction >= cfg.Sustain && res.EdgeSteps > 0:
		res.Regime = Edge
		res.Reason = fmt.Sprintf("ηS/2 reached 1 from below at step %d and stayed within %g of it for %d steps (%.0f%% of the rest)",
			res.Reached, cfg.Band, res.EdgeSteps, 100*res.EdgeFraction)
	case (res.InitRatio > 1 || jumped) && res.LossRise >= cfg.RiseFactor && res.LossFall >= cfg.RiseFactor && res.FinalRatio < 1:
		res.Regime = Catapult
		start := "started above 1"
		if res.InitRatio <= 1 {
			start = fmt.Sprintf("jumped above %g", 1+cfg.Band)
		}
		res.Reason = fmt.Sprintf("ηS/2 %s, the loss rose %.3g× and fell %.3g×, and ηS/2 ended at %.4g", start, res.LossRise, res.LossFall, res.FinalRatio)
	default:
		res.Regime = Unclassified
		res.Reason = fmt.Sprintf("ηS/2 from %.4g to %.4g (at most %.4g), loss rise %.3g× and fall %.3g×: none of the definitions",
			res.InitRatio, res.FinalRatio, res.MaxRatio, res.LossRise, res.LossFall)
	}
	return res, nil
}

// edge finds the first step at which the ratio reached 1 from below and the
// longest stretch of consecutive samples in the band from there on.
func (res *Result) edge(steps []int, ratio []float64, cfg *Settings) {
	reach := -1
	for i := 1; i < len(ratio) && reach < 0; i++ {
		if ratio[i] >= 1 && minimum(ratio[:i]) < 1 {
			reach = i
		}
	}
	if reach < 0 {
		return
	}
	res.Reached = steps[reach]
	best, start := 0, -1
	for i := reach; i < len(ratio); i++ {
		if math.Abs(ratio[i]-1) > cfg.Band {
			start = -1
			continue
		}
		if start < 0 {
			start = i
		}
		if n := i - start + 1; n >= cfg.MinSamples && steps[i]-steps[start] > best {
			best = steps[i] - steps[start]
		}
	}
	res.EdgeSteps = best
	if span := steps[len(steps)-1] - res.Reached; span > 0 {
		res.EdgeFraction = float64(best) / float64(span)
	}
}

func minimum(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

// riseAndFall returns the largest factor by which the loss rose above its
// running minimum, and the factor by which it fell from that peak to its
// lowest value after it.
func riseAndFall(loss []float64) (rise, fall float64) {
	rise, fall = 1, 1
	low := math.Inf(1)
	peak := -1
	for i, l := range loss {
		low = math.Min(low, l)
		if low > 0 && l/low > rise {
			rise, peak = l/low, i
		}
	}
	if peak >= 0 {
		fall = loss[peak] / minimum(loss[peak:])
	}
	return rise, fall
}

// OfRun classifies a run of package train from its history: the sharpness
// of the points that carry one (Settings.TrackSharpness), the training MSE
// on the clean targets of every point as the loss, its learning rate, and
// whether its status is Diverged.
func OfRun(r *train.Result, s *Settings) (*Result, error) {
	samples := make([]Sample, len(r.History))
	for i, p := range r.History {
		samples[i] = Sample{Step: p.Step, Sharpness: p.Sharpness, Loss: p.TrainMSE}
	}
	return Classify(r.LearningRate, r.Status == train.Diverged, samples, s)
}

func (s *Settings) withDefaults() (Settings, error) {
	c := *cmp.Or(s, &Settings{})
	c.Band = cmp.Or(c.Band, DefaultBand)
	c.Sustain = cmp.Or(c.Sustain, DefaultSustain)
	c.MinSamples = cmp.Or(c.MinSamples, DefaultMinSamples)
	c.RiseFactor = cmp.Or(c.RiseFactor, DefaultRiseFactor)
	switch {
	case !(c.Band > 0 && c.Band < 1):
		return c, fmt.Errorf("%w: the band must be in (0, 1), got %g", ErrSettings, c.Band)
	case !(c.Sustain > 0 && c.Sustain <= 1):
		return c, fmt.Errorf("%w: the sustained fraction must be in (0, 1], got %g", ErrSettings, c.Sustain)
	case c.MinSamples < 1:
		return c, fmt.Errorf("%w: the stretch needs at least one sample, got %d", ErrSettings, c.MinSamples)
	case !(c.RiseFactor > 1) || math.IsInf(c.RiseFactor, 0):
		return c, fmt.Errorf("%w: the rise factor must be a number above 1, got %g", ErrSettings, c.RiseFactor)
	}
	return c, nil
}

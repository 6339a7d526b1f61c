package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train/dataset"
)

// Status says how a run ended.
type Status string

// The ways a run ends.
const (
	Converged Status = "converged" // training MSE fell below the tolerance
	Diverged  Status = "diverged"  // the loss became non-finite or exceeded the bound
	MaxSteps  Status = "max_steps" // the step cap was reached first
	Completed Status = "completed" // a fixed-length run took all its steps
	// Interrupted: the context was cancelled; the result describes the
	// parameters reached. RunAll also reports runs it never started so.
	Interrupted Status = "interrupted"
)

// Defaults for the zero values of Settings.
const (
	DefaultTol             = 1e-4
	DefaultMaxSteps        = 1_000_000
	DefaultDivergenceBound = 1e10
)

// ErrSettings is returned, wrapped, for settings that cannot be run.
var ErrSettings = errors.New("train: invalid settings")

// Problem is what a run trains: an architecture, its data and its initial
// parameters. Runs never modify a Problem, so one Problem can be shared by
// runs in parallel.
type Problem struct {
	Arch graph.Architecture
	Data *dataset.Set
	Init graph.Params
}

// Objective compiles the problem's objective on its training set (see
// graph.NewObjective), bound to parameters p.
func (p *Problem) Objective(params graph.Params, s *graph.ObjectiveSettings) (*graph.Objective, error) {
	d := p.Data
	return graph.NewObjective(p.Arch, d.Train.Inputs(d.Dim), d.Train.Targets(), params, s)
}

// Bound compiles the problem's objective with penalties, on its training
// set, bound to a copy of start, and returns both: an objective whose
// parameters a flow or a step moves without touching start.
func (p *Problem) Bound(start graph.Params, penalties ...graph.Penalty) (*graph.Objective, graph.Params, error) {
	params := start.Clone()
	o, err := p.Objective(params, &graph.ObjectiveSettings{Penalties: penalties})
	if err != nil {
		return nil, nil, fmt.Errorf("train: %w", err)
	}
	return o, params, nil
}

// Settings configure a run. The zero value of every field but LearningRate
// means the documented default.
type Settings struct {
	// LearningRate is the step size η; it must be positive.
	LearningRate float64

	// Tol stops the run, with status Converged, once the training MSE is
	// below it. Zero means DefaultTol. Runs with a fixed number of Steps
	// ignore it.
	Tol float64

	// MaxSteps caps the number of steps of a run without fixed Steps; the
	// run then ends with status MaxSteps. Zero means DefaultMaxSteps.
	MaxSteps int

	// Steps, if positive, makes the run take exactly that many steps (status
	// Completed) unless it diverges. Label-noise runs need it.
	Steps int

	// LabelNoise is σ: when positive, every step trains on the training
	// targets plus fresh N(0, σ²) noise. Reported errors always use the
	// clean targets.
	LabelNoise float64

	// NoiseSeed seeds the label noise.
	NoiseSeed uint64

	// NewNoise returns the generator of label noise for a seed. Nil means the
	// project's own generator, random.New(seed, random.Noise).
	NewNoise func(seed uint64) graph.NormalSource

	// DivergenceBound declares the run diverged when the loss exceeds it.
	// Zero means DefaultDivergenceBound.
	DivergenceBound float64

	// HistoryEvery, if positive, records a Point every that many steps, and
	// at the first and last step.
	HistoryEvery int

	// HistoryFirst, if positive, also records a Point at each of the first
	// HistoryFirst steps (steps 0 to HistoryFirst − 1), and in a run that
	// tracks its sharpness (TrackSharpness) tracks it at each of them: a
	// catapult's rise and fall of the loss and of the sharpness lasts a few
	// steps (package regime), which a sparse history misses. Zero records
	// none beyond HistoryEvery's.
	HistoryFirst int

	// Penalties are added to the training loss: the step descends
	// L + Σ penalties (an explicit regularizer). Stopping and divergence
	// still look at L.
	Penalties []graph.Penalty

	// Measures are recorded beside the loss, at every history point and at
	// the end, on the clean training set; they do not change the run.
	// Penalties are recorded too.
	Measures []graph.Penalty

	// Observe, if not nil, is called with the parameters θ_k at every step
	// k (before its update, and at the final step). It must neither keep nor
	// modify them.
	Observe func(step int, p graph.Params)

	// Checkpoint, if not nil, receives the state of the run at the start of
	// every CheckpointEvery-th step (zero means none) and, when ctx is
	// cancelled, at the step the run stops at, so that a resumed run goes
	// on from there; an error from it stops the run.
	Checkpoint      func(*Checkpoint) error
	CheckpointEvery int

	// Resume, if not nil, continues the run from a checkpoint of it: the
	// result is bit-identical to that of a run never stopped.
	Resume *Checkpoint

	// Fingerprint identifies the run in its checkpoints; a checkpoint
	// resumes only a run with the same fingerprint. The caller makes it
	// from whatever determines the run (see experiment).
	Fingerprint string

	// Batch, if positive and below the number n of training examples,
	// trains by minibatch SGD: every epoch draws a fresh permutation of the
	// training set from BatchSeed's random.Batch stream, cuts it into
	// batches of Batch examples in that order (when Batch does not divide n
	// the last batch of each epoch holds the n mod Batch examples left, so
	// that an epoch visits every example once) and takes one step of size
	// LearningRate per batch, on the batch's mean squared error plus the
	// penalties built on the batch. Label noise is drawn for the batch's
	// examples. A run that stops on convergence checks the training MSE on
	// the whole training set at the start of every epoch; divergence is
	// checked on every batch's loss. Zero, or n, means full-batch gradient
	// descent.
	Batch int

	// BatchSeed seeds the order of the examples of minibatch SGD.
	BatchSeed uint64

	// Dtype is what the run computes in: tensor.Float64 or tensor.Float32.
	// The zero value means Float64. A float32 run converts the data and the
	// initial parameters once and steps in float32 arithmetic, as PyTorch's
	// float32 tensors do.
	Dtype tensor.Dtype

	// Progress, if not nil, is told how many steps were taken, in batches,
	// and when the run ends.
	Progress Progress

	// Sharpness, if true, measures the sharpness, the top eigenvalue λ₁ of
	// the Hessian of the training MSE L (on the clean training set, without
	// penalties), at the initial and at the final parameters:
	// Result.SharpnessInit and SharpnessFinal, by the Lanczos method to a
	// residual of curvature.DefaultTol·λ₁ (package curvature). Gradient
	// descent with step η is stable on a quadratic exactly when λ₁ < 2/η.
	Sharpness bool

	// TrackSharpness, if positive, measures the sharpness every that many
	// steps, at each of the first HistoryFirst steps and at the last step,
	// into Point.Sharpness of a point recorded at each of those steps. Each tracked measurement starts from a
	// prediction made from the previous eigenvectors (curvature.Tracker)
	// and is accurate to SharpnessTol; the first starts from a random
	// vector or, with Sharpness, is the exact SharpnessInit, and with
	// Sharpness the last is SharpnessFinal. In a full-batch float64 run
	// without label noise or penalties, a tracked step takes its update
	// from the pass that computes the first Hessian-vector product, which
	// computes ∇L too, bit for bit as the untracked step does.
	//
	// A point of HistoryEvery gets the sharpness when its step is tracked.
	// A point recorded for the sharpness alone holds only what the step
	// computed anyway, so that tracking adds no evaluation: Loss, and in
	// full-batch runs GradNormSq, and TrainMSE where the step's targets
	// were clean (without label noise, and at the last step of a
	// label-noise run); the other numbers are NaN and Terms nil. With HistoryEvery dividing
	// TrackSharpness every tracked point is a full one.
	//
	// Zero measures nothing along the run, and costs nothing.
	TrackSharpness int

	// SharpnessTol is the relative residual of tracked measurements: each
	// is within SharpnessTol·λ₁ of an eigenvalue (curvature.TrackSettings).
	// Zero means curvature.DefaultTrackTol.
	SharpnessTol float64
}

// Term is the value of a penalty or measure.
type Term struct {
	Name  string
	Value float64
}

// Progress receives a run's progress. It must be safe for concurrent use when
// shared by parallel runs.
type Progress interface {
	// Add counts steps more steps taken.
	Add(steps int)
	// RunDone counts a run that finished: it converged, diverged or took
	// its steps. An interrupted run and one that failed do not count.
	RunDone()
}

// Point is one record of a run's history.
type Point struct {
	Step int
	// Loss is the loss the step descended: the training MSE, on noisy
	// targets in a label-noise run, of the step's batch in minibatch SGD.
	Loss float64
	// TrainMSE and TestMSE are the errors on the clean training and test sets.
	TrainMSE, TestMSE float64
	// GradNormSq is ‖∇L‖² of the loss the step descended in full-batch
	// runs; in minibatch SGD that of the whole clean training set.
	GradNormSq float64
	// Terms are the penalties and measures on the clean training set.
	Terms []Term
	// Sharpness is the top eigenvalue of the Hessian of the training MSE
	// at this step's parameters when it was measured at this step (the
	// steps of Settings.TrackSharpness, the last step, and with
	// Settings.Sharpness the first), NaN otherwise, and NaN where the
	// Hessian is not finite.
	Sharpness float64
}

// Result is the outcome of a run.
type Result struct {
	Status       Status
	LearningRate float64
	// Steps is the number of gradient steps taken.
	Steps int
	// TrainMSE, TestMSE and GradNormSq (‖∇L‖², the gradient of the MSE
	// alone) are measured at the final parameters on the clean targets.
	TrainMSE, TestMSE, GradNormSq float64
	// Terms are the penalties and measures at the final parameters on the
	// clean training set.
	Terms []Term
	// SharpnessInit and SharpnessFinal are the top eigenvalue of the
	// Hessian of the training MSE at the initial and the final parameters
	// (Settings.Sharpness); NaN when not asked, and where the Hessian is
	// not finite (at the final parameters of a diverged run, often).
	SharpnessInit, SharpnessFinal float64
	History                       []Point
	Params                        graph.Params
	Runtime                       time.Duration
}

func (s *Settings) withDefaults() (Settings, error) {
	var c Settings
	if s != nil {
		c = *s
	}
	if !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0) {
		return c, fmt.Errorf("%w: learning rate must be a positive number, got %g", ErrSettings, c.LearningRate)
	}
	if c.Tol == 0 {
		c.Tol = DefaultTol
	}
	if c.MaxSteps == 0 {
		c.MaxSteps = DefaultMaxSteps
	}
	if c.DivergenceBound == 0 {
		c.DivergenceBound = DefaultDivergenceBound
	}
	switch {
	case c.Tol < 0 || math.IsNaN(c.Tol):
		return c, fmt.Errorf("%w: tolerance must be positive, got %g", ErrSettings, c.Tol)
	case c.MaxSteps < 0 || c.Steps < 0 || c.HistoryEvery < 0 || c.HistoryFirst < 0 || c.TrackSharpness < 0:
		return c, fmt.Errorf("%w: step counts must not be negative", ErrSettings)
	case c.Batch < 0:
		return c, fmt.Errorf("%w: batch size must be positive, got %d", ErrSettings, c.Batch)
	case c.LabelNoise < 0 || math.IsNaN(c.LabelNoise) || math.IsInf(c.LabelNoise, 0):
		return c, fmt.Errorf("%w: label noise σ must be a finite number ≥ 0, got %g", ErrSettings, c.LabelNoise)
	case c.LabelNoise > 0 && c.Steps == 0:
		return c, fmt.Errorf("%w: label-noise training needs a fixed number of steps", ErrSettings)
	case !(c.DivergenceBound > 0):
		return c, fmt.Errorf("%w: divergence bound must be positive, got %g", ErrSettings, c.DivergenceBound)
	}
	if c.Dtype == (tensor.Dtype{}) {
		c.Dtype = tensor.Float64
	}
	if err := graph.CheckDtype(c.Dtype); err != nil {
		return c, fmt.Errorf("%w: %w", ErrSettings, err)
	}
	if c.NewNoise == nil {
		c.NewNoise = func(seed uint64) graph.NormalSource { return random.New(seed, random.Noise) }
	}
	return c, nil
}

// progressBatch is how many steps pass between progress reports.
const progressBatch = 100

// Run trains a copy of p.Init by gradient descent as s says. It returns an
// error only when the run cannot be carried out (bad settings, a graph that
// fails); divergence is a Status, not an error. When ctx is cancelled the run
// stops after the step under way with status Interrupted, its result
// measured at the parameters reached; with s.Checkpoint it saves the state
// there, so that resuming continues from the step it stopped at.
func Run(ctx context.Context, p *Problem, s *Settings) (*Result, error) {
	cfg, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	r, err := newRunner(p, &cfg)
	if err != nil {
		return nil, err
	}
	defer r.close()
	res, err := r.run(ctx)
	if cfg.Progress != nil && err == nil && res.Status != Interrupted {
		cfg.Progress.RunDone()
	}
	if err != nil {
		return nil, err
	}
	res.Runtime = time.Since(start)
	return res, nil
}

// runner holds the graphs of one run.
type runner struct {
	cfg       *Settings
	params    graph.Params
	objective *graph.Objective // the loss that is descended, on the (noisy) targets; nil in minibatch SGD
	batches   *batches         // the objectives of minibatch SGD, or nil
	trainEval *graph.Objective // clean training MSE and terms; forward only, but for ∇L in minibatch SGD
	trainLoss *graph.Objective // clean training MSE alone, the convergence check of minibatch SGD
	testEval  *graph.Objective // test MSE, forward only
	clean     []float64        // clean training targets
	noise     []float64
	source    graph.NormalSource
	terms     []graph.Penalty  // penalties and measures, measured by trainEval
	sharpness *sharpnessMeter  // nil unless the run measures sharpness
	ran       *graph.Objective // the objective whose Run computed the last step's ∇L in full-batch runs
}

func newRunner(p *Problem, cfg *Settings) (*runner, error) {
	if p == nil || p.Arch == nil || p.Data == nil {
		return nil, fmt.Errorf("%w: problem needs an architecture and data", ErrSettings)
	}
	r := &runner{cfg: cfg, params: p.Init.As(cfg.Dtype), clean: p.Data.Train.Y}
	d := p.Data
	n := d.Train.Len()
	if cfg.Batch > n {
		return nil, fmt.Errorf("%w: batch size %d exceeds the %d training examples", ErrSettings, cfg.Batch, n)
	}
	var err error
	if cfg.Batch > 0 && cfg.Batch < n {
		if r.batches, err = newBatches(p.Arch, d, cfg.Batch, cfg.BatchSeed, r.params, cfg.Penalties); err != nil {
			return nil, err
		}
	} else if r.objective, err = graph.NewObjective(p.Arch, d.Train.Inputs(d.Dim), d.Train.Targets(), r.params,
		&graph.ObjectiveSettings{Penalties: cfg.Penalties}); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	r.terms = append(append([]graph.Penalty(nil), cfg.Penalties...), cfg.Measures...)
	// Minibatch SGD measures ∇L of the whole training set with trainEval,
	// and checks convergence with a forward pass of the loss alone.
	if r.trainEval, err = graph.NewObjective(p.Arch, d.Train.Inputs(d.Dim), d.Train.Targets(), r.params,
		&graph.ObjectiveSettings{Measures: r.terms, NoGradient: r.batches == nil}); err != nil {
		r.close()
		return nil, fmt.Errorf("train: %w", err)
	}
	if r.batches != nil {
		if r.trainLoss, err = graph.NewEvaluator(p.Arch, d.Train.Inputs(d.Dim), d.Train.Targets(), r.params); err != nil {
			r.close()
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	if r.testEval, err = graph.NewEvaluator(p.Arch, d.Test.Inputs(d.Dim), d.Test.Targets(), r.params); err != nil {
		r.close()
		return nil, fmt.Errorf("train: %w", err)
	}
	if cfg.LabelNoise > 0 {
		r.noise = make([]float64, len(r.clean))
		r.source = cfg.NewNoise(cfg.NoiseSeed)
	}
	if r.sharpness, err = newSharpnessMeter(p, cfg, r.params, r.batches == nil); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

func (r *runner) close() {
	for _, o := range []*graph.Objective{r.objective, r.trainEval, r.trainLoss, r.testEval} {
		if o != nil {
			o.Close()
		}
	}
	if r.batches != nil {
		r.batches.close()
	}
	r.sharpness.close()
}

func (r *runner) run(ctx context.Context) (*Result, error) {
	cfg := r.cfg
	res := &Result{LearningRate: cfg.LearningRate, Params: r.params, SharpnessInit: math.NaN(), SharpnessFinal: math.NaN()}
	limit := cfg.MaxSteps
	if cfg.Steps > 0 {
		limit = cfg.Steps
	}
	lr := cfg.LearningRate
	reported := 0
	interrupted := false
	first := 0
	if cfg.Resume != nil {
		if err := r.restore(cfg.Resume); err != nil {
			return nil, err
		}
		first, reported = cfg.Resume.Step, cfg.Resume.Step
		res.History = append(res.History, cfg.Resume.History...)
		if cfg.Sharpness {
			res.SharpnessInit = cfg.Resume.SharpnessInit
		}
	}
	for step := first; ; step++ {
		// At an interrupt the state is saved before the step's batch and
		// noise are drawn, but handed over only if the run stops there.
		var atInterrupt *Checkpoint
		if cfg.Checkpoint != nil && step > first {
			periodic := cfg.CheckpointEvery > 0 && step%cfg.CheckpointEvery == 0
			if periodic || interrupted {
				c, err := r.snapshot(step, res)
				if err != nil {
					return nil, err
				}
				if periodic {
					if err := cfg.Checkpoint(c); err != nil {
						return nil, fmt.Errorf("train: checkpoint at step %d: %w", step, err)
					}
				} else {
					atInterrupt = c
				}
			}
		}
		o := r.objective
		// The step's targets are noisy but at the last step of a label-noise
		// run, whose loss is the clean training MSE.
		noisy := r.noise != nil && step < limit && !interrupted
		switch {
		case r.batches != nil:
			o = r.batches.feed(step, r.noise, r.source, cfg.LabelNoise)
		case noisy:
			r.source.FillNormal(r.noise, 0, cfg.LabelNoise)
			o.SetTargets(r.clean, r.noise)
		case r.noise != nil:
			o.SetTargets(r.clean, nil)
		}
		// The sharpness at θ_step, before the step's update: exact at the
		// start of a run that asks for it, tracked at the tracked steps.
		sharp := math.NaN()
		measured := false
		if m := r.sharpness; m != nil && (step == 0 && cfg.Sharpness || m.due(step)) {
			var err error
			if step == 0 && cfg.Sharpness {
				sharp, err = m.exact()
				res.SharpnessInit = sharp
			} else {
				sharp, err = m.track()
			}
			if err != nil {
				return nil, err
			}
			measured = true
		}
		fused := measured && r.sharpness.fused
		if fused {
			// The Hessian's objective ran at θ_step: its L and ∇L are the
			// step's, bit for bit.
			o = r.sharpness.objective()
		} else if err := o.Run(); err != nil {
			return nil, fmt.Errorf("train: step %d: %w", step, err)
		}
		r.ran = o
		loss, total := o.Loss(), o.Total()
		if fused {
			total = loss // the objective's total is v·∇L
		}
		diverged := math.IsNaN(total) || math.IsInf(total, 0) || total > cfg.DivergenceBound
		converged := false
		if cfg.Steps == 0 && !diverged {
			if r.batches == nil {
				converged = loss < cfg.Tol
			} else if r.batches.epochStart(step) {
				mse, err := r.evaluate(r.trainLoss)
				if err != nil {
					return nil, err
				}
				converged = mse < cfg.Tol
			}
		}
		switch {
		case diverged:
			res.Status = Diverged
		case converged:
			res.Status = Converged
		case step == limit && cfg.Steps > 0:
			res.Status = Completed
		case step == limit:
			res.Status = MaxSteps
		case interrupted:
			res.Status = Interrupted
		}
		if r.sharpness != nil && res.Status != "" {
			// The last step: exact when asked, else tracked.
			var err error
			switch {
			case cfg.Sharpness && step > 0:
				sharp, err = r.sharpness.exact()
			case !measured:
				sharp, err = r.sharpness.track()
			}
			if err != nil {
				return nil, err
			}
			if cfg.Sharpness {
				res.SharpnessFinal = sharp
			}
			measured = true
		}
		full := step < cfg.HistoryFirst || cfg.HistoryEvery > 0 && (step%cfg.HistoryEvery == 0 || res.Status != "")
		if full {
			pt, err := r.point(o, step, loss)
			if err != nil {
				return nil, err
			}
			if measured {
				pt.Sharpness = sharp
			}
			res.History = append(res.History, pt)
		} else if measured && r.sharpness.every > 0 {
			res.History = append(res.History, r.sharpnessPoint(o, step, loss, sharp, noisy))
		}
		if cfg.Observe != nil {
			cfg.Observe(step, r.params)
		}
		if res.Status != "" {
			res.Steps = step
			if res.Status == Interrupted && atInterrupt != nil {
				if err := cfg.Checkpoint(atInterrupt); err != nil {
					return nil, fmt.Errorf("train: checkpoint at step %d: %w", step, err)
				}
			}
			break
		}
		if fused {
			o.DescendLoss(lr)
		} else {
			o.Descend(lr)
		}
		interrupted = ctx.Err() != nil
		if (step+1)%progressBatch == 0 {
			if cfg.Progress != nil {
				cfg.Progress.Add(step + 1 - reported)
				reported = step + 1
			}
		}
	}
	if cfg.Progress != nil && res.Steps > reported {
		cfg.Progress.Add(res.Steps - reported)
	}
	var err error
	if res.TrainMSE, err = r.evaluate(r.trainEval); err != nil {
		return nil, err
	}
	res.GradNormSq = r.lossGradNormSq()
	res.Terms = r.termValues()
	if res.TestMSE, err = r.evaluate(r.testEval); err != nil {
		return nil, err
	}
	return res, nil
}

// point records the history at step, where loss is the loss just computed
// by o.
func (r *runner) point(o *graph.Objective, step int, loss float64) (Point, error) {
	pt := Point{Step: step, Loss: loss, TrainMSE: loss, Sharpness: math.NaN()}
	if r.batches == nil {
		pt.GradNormSq = o.LossGradNormSq()
	}
	var err error
	if r.noise != nil || r.batches != nil || len(r.terms) > 0 {
		if pt.TrainMSE, err = r.evaluate(r.trainEval); err != nil {
			return pt, err
		}
		pt.Terms = r.termValues()
		if r.batches != nil {
			pt.GradNormSq = r.trainEval.LossGradNormSq()
		}
	}
	pt.TestMSE, err = r.evaluate(r.testEval)
	return pt, err
}

// sharpnessPoint is the point of a step recorded for its sharpness alone:
// what the step computed, nothing more (see Settings.TrackSharpness); noisy
// says its targets were noisy, so that its loss is not the training MSE.
func (r *runner) sharpnessPoint(o *graph.Objective, step int, loss, sharpness float64, noisy bool) Point {
	nan := math.NaN()
	pt := Point{Step: step, Loss: loss, TrainMSE: nan, TestMSE: nan, GradNormSq: nan, Sharpness: sharpness}
	if r.batches == nil {
		pt.GradNormSq = o.LossGradNormSq()
		if !noisy {
			pt.TrainMSE = loss
		}
	}
	return pt
}

// lossGradNormSq returns ‖∇L‖² at the parameters of the last Runs, on the
// clean training set: from the objective of the last step in full-batch runs
// (whose last Run, at the final step, had clean targets), from trainEval in
// minibatch SGD.
func (r *runner) lossGradNormSq() float64 {
	if r.batches == nil {
		return r.ran.LossGradNormSq()
	}
	return r.trainEval.LossGradNormSq()
}

// termValues returns the penalties and measures of the last trainEval Run.
func (r *runner) termValues() []Term {
	if len(r.terms) == 0 {
		return nil
	}
	out := make([]Term, len(r.terms))
	for i, t := range r.terms {
		out[i] = Term{Name: t.Name(), Value: r.trainEval.Term(i)}
	}
	return out
}

func (r *runner) evaluate(o *graph.Objective) (float64, error) {
	if err := o.Run(); err != nil {
		return 0, fmt.Errorf("train: %w", err)
	}
	return o.Loss(), nil
}

package train

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/train/curvature"
)

// sharpnessMeter measures the sharpness of a run, the top eigenvalue of the
// Hessian of the mean squared error on the clean training set, without
// penalties.
type sharpnessMeter struct {
	hessian *curvature.Hessian
	params  graph.Params // the Hessian's parameters, float64
	run     graph.Params // the run's parameters, when params is a copy of them
	tracker *curvature.Tracker
	every   int
	first   int // the first steps, all tracked
	// fused: tracked steps take their update from the Hessian's objective,
	// whose Run computes L and ∇L with the product (a full-batch float64
	// run on clean targets without penalties).
	fused bool
}

// newSharpnessMeter returns the meter of a run that asks for sharpness, or
// nil.
func newSharpnessMeter(p *Problem, cfg *Settings, params graph.Params, fullBatch bool) (*sharpnessMeter, error) {
	if !cfg.Sharpness && cfg.TrackSharpness == 0 {
		return nil, nil
	}
	m := &sharpnessMeter{params: params, every: cfg.TrackSharpness, first: cfg.HistoryFirst}
	if params.Dtype() != tensor.Float64 {
		m.run, m.params = params, params.As(tensor.Float64)
	}
	d := p.Data
	var err error
	if m.hessian, err = curvature.NewHessian(p.Arch, d.Train.Inputs(d.Dim), d.Train.Targets(), m.params, nil); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if m.every > 0 {
		if m.tracker, err = curvature.NewTracker(m.hessian, &curvature.TrackSettings{Tol: cfg.SharpnessTol}); err != nil {
			m.close()
			return nil, fmt.Errorf("%w: %w", ErrSettings, err)
		}
		m.fused = fullBatch && m.run == nil && cfg.LabelNoise == 0 && len(cfg.Penalties) == 0
	}
	return m, nil
}

func (m *sharpnessMeter) close() {
	if m != nil && m.hessian != nil {
		m.hessian.Close()
	}
}

// due reports whether step is one of the tracked ones.
func (m *sharpnessMeter) due(step int) bool {
	return m.every > 0 && (step%m.every == 0 || step < m.first)
}

// sync copies the run's parameters into the Hessian's when they are a copy.
func (m *sharpnessMeter) sync() {
	if m.run != nil {
		m.params.CopyFrom(m.run)
	}
}

// exact returns the sharpness at the run's parameters to
// curvature.DefaultTol, starting from the tracked vector when there is one,
// and makes its vector the tracker's next start. It is NaN at parameters
// where the products are not finite.
func (m *sharpnessMeter) exact() (float64, error) {
	m.sync()
	if !m.params.IsFinite() {
		return math.NaN(), nil
	}
	s := &curvature.EigenSettings{}
	if m.tracker != nil && m.tracker.Vector() != nil {
		s.Start = [][]float64{m.tracker.Vector()}
	}
	// A solve is bounded by its products: it completes even when the run is
	// being interrupted, which happens between steps.
	top, err := curvature.Top(context.Background(), m.hessian, 1, s)
	if errors.Is(err, curvature.ErrNotFinite) {
		return math.NaN(), nil
	}
	if err != nil {
		return math.NaN(), fmt.Errorf("train: sharpness: %w", err)
	}
	if m.tracker != nil {
		if err := m.tracker.SetVector(top.Vectors[0]); err != nil {
			return math.NaN(), fmt.Errorf("train: sharpness: %w", err)
		}
	}
	return top.Values[0], nil
}

// track returns the tracked sharpness at the run's parameters (NaN where
// the products are not finite).
func (m *sharpnessMeter) track() (float64, error) {
	m.sync()
	v, _, err := m.tracker.Measure(context.Background())
	if errors.Is(err, curvature.ErrNotFinite) {
		return math.NaN(), nil
	}
	if err != nil {
		return math.NaN(), fmt.Errorf("train: sharpness: %w", err)
	}
	return v, nil
}

// objective is the objective of the step after a measurement at this
// step: the Hessian's, which computed L and ∇L at the run's parameters,
// when tracked steps are fused, else nil.
func (m *sharpnessMeter) objective() *graph.Objective {
	if m == nil || !m.fused {
		return nil
	}
	return m.hessian.Objective()
}

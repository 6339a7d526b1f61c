package curvature

import (
	"cmp"
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/igr-project/igr/internal/random"
)

// DefaultProbes is the default number of probes of Trace.
const DefaultProbes = 100

// TraceSettings configure Trace. The zero value (or nil) means the defaults
// given with each field.
type TraceSettings struct {
	// Probes is the number of random vectors. Zero means DefaultProbes.
	Probes int
	// Seed seeds the probes (random.Probe stream).
	Seed uint64
}

// TraceEstimate is Hutchinson's estimate of the trace.
type TraceEstimate struct {
	// Trace is the mean of zᵀHz over the probes.
	Trace float64
	// StdErr is the standard error of that mean, s/√M with s the sample
	// standard deviation of the M values zᵀHz; NaN for one probe.
	StdErr float64
	// Probes is M.
	Probes int
}

// Trace estimates the trace of op by Hutchinson's estimator (Hutchinson,
// "A stochastic estimator of the trace of the influence matrix for Laplacian
// smoothing splines", Communications in Statistics – Simulation and
// Computation 19, 1990): for z with independent Rademacher entries (±1 with
// probability ½), E[zᵀHz] = tr H and Var[zᵀHz] = 2(‖H‖_F² − Σ_i H_ii²), the
// smallest variance among probes of independent entries. So the estimate is
// exact, with standard error 0, for a diagonal H, and its error is of the
// order of StdErr otherwise: |Trace − tr H| ≤ 3 StdErr for most seeds once
// the probes are a few dozen (the mean is then nearly normal).
func Trace(ctx context.Context, op Operator, s *TraceSettings) (*TraceEstimate, error) {
	cfg := *cmp.Or(s, &TraceSettings{})
	cfg.Probes = cmp.Or(cfg.Probes, DefaultProbes)
	if cfg.Probes < 0 {
		return nil, fmt.Errorf("%w: the number of probes must be positive, got %d", ErrSettings, cfg.Probes)
	}
	n := op.Len()
	src := random.New(cfg.Seed, random.Probe)
	z := make([]float64, n)
	hz := make([]float64, n)
	// Welford's running mean and sum of squared deviations.
	var mean, m2 float64
	for i := range cfg.Probes {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("curvature: %w", err)
		}
		src.FillSigns(z)
		if err := op.Apply(hz, z); err != nil {
			return nil, err
		}
		q := floats.Dot(z, hz)
		if math.IsNaN(q) || math.IsInf(q, 0) {
			return nil, fmt.Errorf("%w (probe %d)", ErrNotFinite, i)
		}
		d := q - mean
		mean += d / float64(i+1)
		m2 += d * (q - mean)
	}
	est := &TraceEstimate{Trace: mean, Probes: cfg.Probes, StdErr: math.NaN()}
	if cfg.Probes > 1 {
		est.StdErr = math.Sqrt(m2/float64(cfg.Probes-1)) / math.Sqrt(float64(cfg.Probes))
	}
	return est, nil
}

package centralflow

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/floats"

	"gonum.org/v1/gonum/mat"
)

// Landscape is what the flow needs of a loss L at a point w, a flat vector
// of parameters. Implementations may reuse internal buffers between calls but
// must not keep or modify the slices they are given.
type Landscape interface {
	// Len is the number of parameters.
	Len() int

	// Gradient sets grad to ∇L(w) and returns L(w).
	Gradient(w, grad []float64) (float64, error)

	// TopEigenpairs returns the k largest eigenvalues of ∇²L(w), in
	// decreasing order, and orthonormal eigenvectors for them. warm, when
	// not nil, holds starting vectors (the vectors of the previous call, at
	// a nearby w), possibly fewer than k.
	TopEigenpairs(ctx context.Context, w []float64, k int, warm [][]float64) ([]float64, [][]float64, error)

	// ThirdDerivative sets out to ∇_w(uᵀ ∇²L(w) v) = D³L(w)[u, v, ·].
	ThirdDerivative(w, u, v, out []float64) error
}

// HessianVectorProducer is a Landscape that computes Hessian-vector
// products, with which the flow can keep eigenvectors between eigensolves
// (Settings.EigenEvery).
type HessianVectorProducer interface {
	// HessianVectorProduct sets out to ∇²L(w)v.
	HessianVectorProduct(w, v, out []float64) error
}

// TestEvaluator is a Landscape that also knows a held-out loss, reported as
// Point.TestLoss.
type TestEvaluator interface {
	TestLoss(w []float64) (float64, error)
}

// ErrAboveEdge is returned when the flow is asked to start where the
// sharpness exceeds 2/η by more than EdgeSlack.
var ErrAboveEdge = errors.New("centralflow: the sharpness starts above 2/η (a catapult), outside the central flow's theory")

// EdgeSlack is how far above 2/η, relatively, the sharpness may be and
// still count as on the edge. The flow's own sharpness exceeds 2/η by the
// error of the linearization over a substep: on the quadratic network, when
// the flow first meets the edge, by 1.4e-3 with one eigensolve per GD step
// and 1.1e-4 with one per substep, and by 1.4e-4 and 1.7e-5 in the thirty
// steps after, less and less as the flow slows down.
// With the slack a flow restarted from its own point is not refused, nor
// given more substeps; gradient descent's own sharpness at the edge
// oscillates a percent or so around 2/η.
const EdgeSlack = 1e-2

// Defaults of Settings, after the authors' code.
const (
	DefaultSubsteps      = 4
	DefaultTrackAbove    = 1.5
	DefaultCriticalAbove = 1.95
	DefaultMaxTracked    = 16
)

// Settings configure the flow. The zero value of every field but
// LearningRate means the documented default.
type Settings struct {
	// LearningRate is the step η of the gradient descent the flow models; it
	// must be positive.
	LearningRate float64

	// Substeps is the number of Euler substeps per unit of time (one GD
	// step) while the sharpness S is at most 2/η; above, the step is tied to
	// the sharpness: max(Substeps, ⌈2ηS/(1 + EdgeSlack)⌉) substeps per
	// unit, so that dt·η·S ≤ ½(1 + EdgeSlack) and the Euler step of the gradient-flow
	// part stays stable with room to spare (Euler is stable up to dt·η·S =
	// 2), as the authors' stable flow ties its step. Zero means
	// DefaultSubsteps (4, as the authors' central flow).
	Substeps int

	// TrackAbove: every eigenvalue above TrackAbove/η is tracked (the
	// number of eigenpairs computed grows until the smallest is below).
	// Zero means DefaultTrackAbove (1.5).
	TrackAbove float64

	// CriticalAbove: tracked eigenvalues above CriticalAbove/η enter the
	// inner problem. Zero means DefaultCriticalAbove (1.95).
	CriticalAbove float64

	// MaxTracked bounds the number of tracked eigenpairs. Zero means
	// DefaultMaxTracked (16).
	MaxTracked int

	// EigenEvery is the number of substeps between eigensolves. At the
	// substeps in between, the tracked eigenvectors are kept and their
	// eigenvalues estimated by the Rayleigh quotients u_iᵀ∇²L(w)u_i, one
	// Hessian-vector product each (which needs a HessianVectorProducer), as
	// the authors' code does between its eigensolves; a Rayleigh quotient
	// never exceeds the top eigenvalue, so the flow may overshoot 2/η a
	// little more. Points are always measured with a fresh eigensolve. Zero
	// means Substeps, one eigensolve per unit of time (per GD step) as in
	// the authors' code, when the landscape is a HessianVectorProducer, and
	// 1 otherwise.
	EigenEvery int

	// Inner configures the inner problem's solver; nil means its defaults.
	Inner *InnerSettings

	// Start is the time, in GD steps, of the initial point, for example k
	// when the flow starts from GD's k-th iterate. Zero means 0.
	Start float64

	// AboveEdge lets the flow start where the sharpness exceeds 2/η by
	// more than EdgeSlack. Without it New refuses with ErrAboveEdge. Above the edge the first
	// substep's inner problem pulls every eigenvalue down to 2/η at once,
	// by a Σ that no oscillation of GD explains: the theory does not cover
	// it (see FirstBelowEdge).
	AboveEdge bool
}

// Point is the state of the flow at one time.
type Point struct {
	// T is the time in GD steps (gradient flow's time is T·η).
	T float64
	// Loss is L(w(T)), the training loss; TestLoss the held-out loss when
	// the Landscape is a TestEvaluator, NaN otherwise.
	Loss, TestLoss float64
	// GradNormSq is ‖∇L(w(T))‖².
	GradNormSq float64
	// Sharpness is the largest eigenvalue of ∇²L(w(T)); Eigenvalues are all
	// the tracked ones, in decreasing order.
	Sharpness   float64
	Eigenvalues []float64
	// Critical is the number of eigenvalues in the inner problem, k.
	Critical int
	// X is Σ in the basis of the critical eigenvectors, k×k (nil when k = 0):
	// Σ = U X Uᵀ.
	X *mat.SymDense
	// SigmaTrace is tr Σ = tr X.
	SigmaTrace float64
	// PredictedLoss is the central flow's prediction of GD's time-averaged
	// loss, L + ½⟨Σ, ∇²L⟩ = L + ½ Σ_i X_ii λ_i, which is L + tr Σ/η when the
	// critical eigenvalues sit at 2/η.
	PredictedLoss float64
}

// Stats count the work of an Integrator.
type Stats struct {
	Substeps          int // Euler substeps taken
	Gradients         int // evaluations of L and ∇L
	Eigensolves       int // calls of TopEigenpairs
	RayleighQuotients int // eigenvalues estimated from kept vectors (EigenEvery)
	ThirdDerivatives  int // vectors g_ij computed
	InnerSolves       int // inner problems solved (k ≥ 1)
	InnerIterations   int // their interior-point iterations
	// MaxSharpness is the largest sharpness met at any substep, MaxCritical
	// the largest number of critical eigenvalues.
	MaxSharpness float64
	MaxCritical  int
}

// Integrator follows the central flow of a Landscape from a point, with
// Euler's method, as the authors discretize it: at each substep the tracked
// eigenpairs are recomputed (warm-started from the previous substep's), the
// third derivatives g_ij of the critical ones are computed, the inner problem
// of the substep's length is solved for X, and w moves by dt·dw/dt.
//
// An Integrator is not safe for concurrent use.
type Integrator struct {
	l   Landscape
	cfg Settings
	eta float64
	w   []float64
	t   float64

	tracked    int
	vectors    [][]float64
	sinceSolve int         // evaluations since the last eigensolve
	cur        *evaluation // the evaluation at w, nil when w moved
	stats      Stats
}

// evaluation is what the flow computed at one point.
type evaluation struct {
	fresh  bool // eigenpairs from an eigensolve, not Rayleigh quotients
	loss   float64
	grad   []float64
	values []float64
	vecs   [][]float64
	crit   int
	g      [][]float64 // g_ij over pairs i ≤ j of critical eigenvectors
	// The inner problem, solved for one dt.
	dt  float64
	sol *InnerSolution
}

// New returns an Integrator of the central flow of l from w0 (copied), at
// time s.Start; ctx bounds the first evaluation. It evaluates the flow at w0
// and returns ErrAboveEdge (wrapped) when the sharpness there exceeds 2/η
// by more than EdgeSlack, unless s.AboveEdge.
func New(ctx context.Context, l Landscape, w0 []float64, s *Settings) (*Integrator, error) {
	c := *cmp.Or(s, &Settings{})
	if !(c.LearningRate > 0) || math.IsInf(c.LearningRate, 0) {
		return nil, fmt.Errorf("centralflow: learning rate must be a positive number, got %g", c.LearningRate)
	}
	c.Substeps = cmp.Or(c.Substeps, DefaultSubsteps)
	c.TrackAbove = cmp.Or(c.TrackAbove, DefaultTrackAbove)
	c.CriticalAbove = cmp.Or(c.CriticalAbove, DefaultCriticalAbove)
	c.MaxTracked = cmp.Or(c.MaxTracked, DefaultMaxTracked)
	if _, ok := l.(HessianVectorProducer); c.EigenEvery == 0 && ok {
		c.EigenEvery = c.Substeps
	} else if c.EigenEvery == 0 {
		c.EigenEvery = 1
	}
	switch {
	case c.Substeps < 0:
		return nil, fmt.Errorf("centralflow: substeps must be positive, got %d", c.Substeps)
	case c.EigenEvery < 0:
		return nil, fmt.Errorf("centralflow: EigenEvery must be positive, got %d", c.EigenEvery)
	case c.MaxTracked < 0:
		return nil, fmt.Errorf("centralflow: the number of tracked eigenpairs must be positive, got %d", c.MaxTracked)
	case !(c.TrackAbove > 0 && c.TrackAbove <= c.CriticalAbove && c.CriticalAbove <= 2):
		return nil, fmt.Errorf("centralflow: thresholds must satisfy 0 < TrackAbove ≤ CriticalAbove ≤ 2, got %g and %g", c.TrackAbove, c.CriticalAbove)
	case math.IsNaN(c.Start) || math.IsInf(c.Start, 0):
		return nil, fmt.Errorf("centralflow: start time must be finite, got %g", c.Start)
	}
	if l == nil {
		return nil, fmt.Errorf("centralflow: no landscape")
	}
	if _, ok := l.(HessianVectorProducer); c.EigenEvery > 1 && !ok {
		return nil, fmt.Errorf("centralflow: EigenEvery = %d needs a landscape with Hessian-vector products", c.EigenEvery)
	}
	if n := l.Len(); len(w0) != n || n == 0 {
		return nil, fmt.Errorf("centralflow: the initial point has %d parameters, the landscape %d", len(w0), n)
	}
	for _, v := range w0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("centralflow: the initial point has a non-finite entry %g", v)
		}
	}
	in := &Integrator{l: l, cfg: c, eta: c.LearningRate, w: append([]float64(nil), w0...), t: c.Start, tracked: 1}
	ev, err := in.evaluate(ctx, true)
	if err != nil {
		return nil, err
	}
	if edge := 2 / in.eta; ev.values[0] > edge*(1+EdgeSlack) && !c.AboveEdge {
		return nil, fmt.Errorf("%w: sharpness %.6g > 2/η = %.6g at t = %g; FirstBelowEdge finds GD's first iterate below 2/η", ErrAboveEdge, ev.values[0], edge, c.Start)
	}
	return in, nil
}

// T returns the current time, in GD steps.
func (in *Integrator) T() float64 { return in.t }

// W returns the current parameters. The slice belongs to the Integrator and
// changes with Advance.
func (in *Integrator) W() []float64 { return in.w }

// Stats returns the work done so far.
func (in *Integrator) Stats() Stats { return in.stats }

// substeps returns the number of substeps per unit of time at sharpness s:
// max(Substeps, ⌈2ηS/(1 + EdgeSlack)⌉).
func (in *Integrator) substeps(s float64) int {
	return max(in.cfg.Substeps, int(math.Ceil(2*in.eta*s/(1+EdgeSlack))))
}

// Advance moves the flow forward by duration (in GD steps, non-negative), in
// Euler substeps of length 1/substeps, the last one shortened to end exactly
// at T() + duration.
func (in *Integrator) Advance(ctx context.Context, duration float64) error {
	if !(duration >= 0) || math.IsInf(duration, 0) {
		return fmt.Errorf("centralflow: cannot advance by %g", duration)
	}
	end := in.t + duration
	for end-in.t > 1e-12*math.Max(1, math.Abs(end)) {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("centralflow: %w", err)
		}
		ev, err := in.evaluate(ctx, false)
		if err != nil {
			return err
		}
		dt := math.Min(1/float64(in.substeps(ev.values[0])), end-in.t)
		if err := in.solve(ev, dt); err != nil {
			return err
		}
		v := make([]float64, len(in.w))
		var x *mat.SymDense
		if ev.sol != nil {
			x = ev.sol.X
		}
		velocity(v, in.eta, ev.grad, x, ev.g)
		floats.AddScaled(in.w, dt, v)
		in.t += dt
		if end-in.t <= 1e-12*math.Max(1, math.Abs(end)) {
			in.t = end
		}
		in.cur = nil
		in.stats.Substeps++
	}
	return nil
}

// Point measures the flow at the current time. Σ is the solution of the
// inner problem for the next substep's length.
func (in *Integrator) Point(ctx context.Context) (Point, error) {
	ev, err := in.evaluate(ctx, true)
	if err != nil {
		return Point{}, err
	}
	if err := in.solve(ev, 1/float64(in.substeps(ev.values[0]))); err != nil {
		return Point{}, err
	}
	p := Point{T: in.t, Loss: ev.loss, TestLoss: math.NaN(), GradNormSq: floats.Dot(ev.grad, ev.grad),
		Sharpness: ev.values[0], Eigenvalues: append([]float64(nil), ev.values...), Critical: ev.crit,
		PredictedLoss: ev.loss}
	if ev.sol != nil {
		p.X = mat.NewSymDense(ev.crit, nil)
		p.X.CopySym(ev.sol.X)
		for i := 0; i < ev.crit; i++ {
			p.SigmaTrace += p.X.At(i, i)
			p.PredictedLoss += p.X.At(i, i) * ev.values[i] / 2
		}
	}
	if te, ok := in.l.(TestEvaluator); ok {
		if p.TestLoss, err = te.TestLoss(in.w); err != nil {
			return Point{}, fmt.Errorf("centralflow: test loss at t = %g: %w", in.t, err)
		}
	}
	return p, nil
}

// evaluate computes, or returns the cached, loss, gradient, tracked
// eigenpairs and third derivatives at the current w. The eigenpairs come
// from an eigensolve when fresh is asked, every EigenEvery evaluations, and
// whenever no vectors are kept; otherwise from the Rayleigh quotients of the
// kept vectors.
func (in *Integrator) evaluate(ctx context.Context, fresh bool) (*evaluation, error) {
	if in.cur != nil && (in.cur.fresh || !fresh) {
		return in.cur, nil
	}
	n := len(in.w)
	ev := &evaluation{grad: make([]float64, n)}
	var err error
	if ev.loss, err = in.l.Gradient(in.w, ev.grad); err != nil {
		return nil, fmt.Errorf("centralflow: gradient at t = %g: %w", in.t, err)
	}
	in.stats.Gradients++
	if math.IsNaN(ev.loss) || math.IsInf(ev.loss, 0) {
		return nil, fmt.Errorf("centralflow: the loss is %g at t = %g", ev.loss, in.t)
	}
	hvp, _ := in.l.(HessianVectorProducer)
	ev.fresh = fresh || hvp == nil || in.sinceSolve >= in.cfg.EigenEvery || len(in.vectors) < min(in.tracked, n)
	if ev.fresh {
		if err := in.eigensolve(ctx, ev); err != nil {
			return nil, err
		}
		in.sinceSolve = 0
	} else if err := in.rayleigh(hvp, ev); err != nil {
		return nil, err
	}
	in.sinceSolve++
	in.stats.MaxSharpness = math.Max(in.stats.MaxSharpness, ev.values[0])
	crit := in.cfg.CriticalAbove / in.eta
	for ev.crit < len(ev.values) && ev.values[ev.crit] > crit {
		ev.crit++
	}
	in.stats.MaxCritical = max(in.stats.MaxCritical, ev.crit)
	pr := pairs{ev.crit}
	ev.g = make([][]float64, pr.len())
	for i := 0; i < ev.crit; i++ {
		for j := i; j < ev.crit; j++ {
			g := make([]float64, n)
			if err := in.l.ThirdDerivative(in.w, ev.vecs[i], ev.vecs[j], g); err != nil {
				return nil, fmt.Errorf("centralflow: third derivative at t = %g: %w", in.t, err)
			}
			in.stats.ThirdDerivatives++
			ev.g[pr.index(i, j)] = g
		}
	}
	in.cur = ev
	return ev, nil
}

// eigensolve sets ev's eigenpairs to the tracked top eigenpairs, growing
// their number while the smallest is above TrackAbove/η.
func (in *Integrator) eigensolve(ctx context.Context, ev *evaluation) error {
	n := len(in.w)
	track := in.cfg.TrackAbove / in.eta
	for {
		k := min(in.tracked, n)
		vals, vecs, err := in.l.TopEigenpairs(ctx, in.w, k, in.vectors)
		in.stats.Eigensolves++
		if err != nil {
			return fmt.Errorf("centralflow: eigenpairs at t = %g: %w", in.t, err)
		}
		if len(vals) != k || len(vecs) != k {
			return fmt.Errorf("centralflow: asked for %d eigenpairs, got %d values and %d vectors", k, len(vals), len(vecs))
		}
		ev.values, ev.vecs = vals, vecs
		in.vectors = vecs
		if vals[k-1] <= track || k >= min(in.cfg.MaxTracked, n) {
			return nil
		}
		in.tracked = k + 1
	}
}

// rayleigh sets ev's eigenpairs to the kept vectors and their Rayleigh
// quotients u_iᵀ∇²L(w)u_i, in decreasing order.
func (in *Integrator) rayleigh(hvp HessianVectorProducer, ev *evaluation) error {
	k := len(in.vectors)
	hu := make([]float64, len(in.w))
	order := make([]int, k)
	quot := make([]float64, k)
	for i, u := range in.vectors {
		if err := hvp.HessianVectorProduct(in.w, u, hu); err != nil {
			return fmt.Errorf("centralflow: Rayleigh quotient at t = %g: %w", in.t, err)
		}
		quot[i], order[i] = floats.Dot(u, hu)/floats.Dot(u, u), i
		in.stats.RayleighQuotients++
	}
	sort.SliceStable(order, func(a, b int) bool { return quot[order[a]] > quot[order[b]] })
	ev.values, ev.vecs = make([]float64, k), make([][]float64, k)
	for j, i := range order {
		ev.values[j], ev.vecs[j] = quot[i], in.vectors[i]
	}
	in.vectors = ev.vecs
	return nil
}

// solve solves the inner problem of ev for a substep of length dt, unless it
// is solved for that dt already.
func (in *Integrator) solve(ev *evaluation, dt float64) error {
	if ev.crit == 0 || (ev.sol != nil && ev.dt == dt) {
		return nil
	}
	a, b := innerProblem(in.eta, dt, ev.values[:ev.crit], ev.grad, ev.g)
	sol, err := SolveInner(a, b, in.cfg.Inner)
	if err != nil {
		return fmt.Errorf("centralflow: inner problem at t = %g with %d critical eigenvalues: %w", in.t, ev.crit, err)
	}
	in.stats.InnerSolves++
	in.stats.InnerIterations += sol.Iterations
	ev.sol, ev.dt = sol, dt
	return nil
}

// Result is what Run computed.
type Result struct {
	// Points are the flow's states at the requested times.
	Points []Point
	// W is the final point.
	W     []float64
	Stats Stats
}

// Run integrates the central flow of l from w0 (at time s.Start) and
// measures it at each of times (in GD steps, increasing, none before
// s.Start). observe, when not nil, is called at each of them with the point
// and the parameters there (which it must neither keep nor modify); an error
// from it stops the run.
func Run(ctx context.Context, l Landscape, w0 []float64, times []float64, s *Settings, observe func(Point, []float64) error) (*Result, error) {
	in, err := New(ctx, l, w0, s)
	if err != nil {
		return nil, err
	}
	if len(times) == 0 {
		return nil, fmt.Errorf("centralflow: no times to report")
	}
	for i, t := range times {
		if math.IsNaN(t) || math.IsInf(t, 0) || t < in.t || (i > 0 && t <= times[i-1]) {
			return nil, fmt.Errorf("centralflow: times must increase from the start %g, got %g at position %d", in.t, t, i)
		}
	}
	res := &Result{}
	for _, t := range times {
		if err := in.Advance(ctx, t-in.t); err != nil {
			return nil, err
		}
		p, err := in.Point(ctx)
		if err != nil {
			return nil, err
		}
		res.Points = append(res.Points, p)
		if observe != nil {
			if err := observe(p, in.w); err != nil {
				return nil, err
			}
		}
	}
	res.W = append([]float64(nil), in.w...)
	res.Stats = in.Stats()
	return res, nil
}

package experiment

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
)

// The methods of Compare, as named in compare.csv.
const (
	MethodImplicit           = "implicit"            // GD with step η on L
	MethodExplicitGradNorm   = "explicit_gradnorm"   // GD with step h on L + (η/4)‖∇L‖²
	MethodExplicitLabelNoise = "explicit_labelnoise" // GD with step h on L + (ησ²/n²)Σ‖∇P(x_i)‖²
	MethodPlainSmallStep     = "plain_small_step"    // GD with step h on L
	MethodLabelNoise         = "label_noise"         // label-noise GD with step h
	MethodSGD                = "sgd"                 // minibatch SGD with step η, batches of B
	MethodExplicitSGD        = "explicit_sgd"        // GD with step h on L + (η/4) E_B‖∇L_B‖²
)

// CompareSettings configure Compare and CompareSweep. Zero values mean the
// defaults given.
type CompareSettings struct {
	Config

	// Eta is the step η of implicit GD and the target step of the explicit
	// regularizers (λ = η/4). Zero means 0.09, near the blog's edge of
	// divergence.
	Eta float64

	// H is the small step of the explicit and small-step runs. Zero means
	// 0.01.
	H float64

	// Sigma is the label noise's standard deviation. Zero means 1.
	Sigma float64

	// NoiseSteps is the length of the label-noise run. Zero means 100,000.
	NoiseSteps int

	// HistoryEvery is the interval of the recorded history of the small-step
	// runs; implicit GD records at about the same times t. Zero means 100.
	HistoryEvery int

	// MaxPoints bounds the matched times in trajectory.csv. Zero means 2000.
	MaxPoints int

	// LRs is the grid of CompareSweep. Nil means BlogGrid.
	LRs []float64

	// Batch, if positive, adds minibatch SGD and its explicit regularizer
	// to the methods: sgd, SGD with step η and batches of Batch examples,
	// and explicit_sgd, GD with step h on L + regularizer.SGD{η, Batch}.
	// Every run then records the SGD regularizer and its Γ term.
	Batch int
}

func (s *CompareSettings) withDefaults() (CompareSettings, error) {
	var c CompareSettings
	if s != nil {
		c = *s
	}
	c.Eta = defaultFloat(c.Eta, 0.09)
	c.H = defaultFloat(c.H, 0.01)
	c.Sigma = defaultFloat(c.Sigma, 1)
	c.NoiseSteps = defaultInt(c.NoiseSteps, 100_000)
	c.HistoryEvery = defaultInt(c.HistoryEvery, 100)
	c.MaxPoints = defaultInt(c.MaxPoints, 2000)
	for _, v := range []struct {
		name string
		v    float64
	}{{"η", c.Eta}, {"h", c.H}, {"σ", c.Sigma}, {"noise steps", float64(c.NoiseSteps)},
		{"history interval", float64(c.HistoryEvery)}, {"trajectory points", float64(c.MaxPoints)}} {
		if !(v.v > 0) || math.IsInf(v.v, 0) {
			return c, fmt.Errorf("%w: %s must be positive, got %g", ErrConfig, v.name, v.v)
		}
	}
	return c, nil
}

// CompareRow is one method of Compare: a row of compare.csv.
type CompareRow struct {
	Method   string
	StepSize float64
	Status   train.Status
	Steps    int
	// Time is steps × step size, the time of the gradient flow the run
	// approximates.
	Time       float64
	TrainMSE   float64
	TestMSE    float64
	GradNormSq float64
	// GradNormReg is (η/4)‖∇L‖² and LabelNoiseReg (ησ²/n²)Σ‖∇P(x_i)‖² at
	// the final parameters, for the target step η; with a batch size B,
	// SGDReg is (η/4) E_B‖∇L_B‖² and SGDNoiseReg its Γ term (NaN without).
	GradNormReg   float64
	LabelNoiseReg float64
	SGDReg        float64
	SGDNoiseReg   float64
	// DistanceFromImplicit is ‖θ − θ_implicit‖ at the end of both runs.
	DistanceFromImplicit float64
}

// TrajectoryRow is the distance between a small-step run and implicit GD at a
// matched time t: a row of trajectory.csv.
type TrajectoryRow struct {
	Method string
	// T is the time; ImplicitStep = T/η is the step of implicit GD and
	// Step = T/h the (fractional) step of the method at that time.
	T            float64
	ImplicitStep int
	Step         float64
	// Distance is ‖θ_method(T) − θ_implicit(T)‖, the method's parameters
	// interpolated linearly between its steps; Relative divides it by how
	// far implicit GD moved over its whole run, ‖θ_implicit(end) − θ₀‖.
	Distance float64
	Relative float64
}

// CompareResult is what Compare computed.
type CompareResult struct {
	Rows       []CompareRow
	Trajectory []TrajectoryRow
	History    []HistoryRow
	Out        string
	Settings   CompareSettings
}

// The column sets of Compare's tables; with a batch size compare.csv has
// CompareSGDColumns.
var (
	CompareColumns    = slices.Clip(compareTable.names[:len(compareTable.names)-2])
	CompareSGDColumns = compareTable.names
	TrajectoryColumns = trajectoryTable.names
)

// Compare trains one data set and one initialization five ways — implicit GD
// with step η, GD with a small step h on L + (η/4)‖∇L‖², on L + the
// label-noise regularizer and on L alone, and label-noise GD with step h —
// and with a Batch two more, minibatch SGD with step η and GD with step h on
// L + the SGD regularizer; it writes data.csv, compare.csv, trajectory.csv
// (the distance of each run but label-noise GD from implicit GD at matched
// times t), history.csv, summary.json and the figures trajectory and curves
// (and with a Batch sgd_regularizer, the SGD regularizer's Γ term beside the
// label-noise regularizer along the runs) to s.Out.
func Compare(ctx context.Context, s *CompareSettings) (*CompareResult, error) {
	start := time.Now()
	c, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	// Four small-step runs after implicit GD (six with a batch size), each
	// recording the regularizers, and implicit GD's trajectory.
	runs := 4
	if c.Batch > 0 {
		runs = 6
	}
	setup, err := c.Config.resolve(Footprint{Runs: runs, Graph: 2 * RegularizedGraph, Snapshots: c.MaxPoints})
	if err != nil {
		return nil, err
	}
	if err := setup.checkBatch(c.Batch); err != nil {
		return nil, err
	}
	out, err := openOutput(setup)
	if err != nil {
		return nil, err
	}
	measures := append([]graph.Penalty{regularizer.ForStep(c.Eta), regularizer.LabelNoise{Eta: c.Eta, Sigma: c.Sigma}},
		sgdMeasures(c.Eta, c.Batch)...)

	// Implicit GD first: the others are compared with its trajectory.
	implicit := setup.settings(c.Eta)
	implicit.Measures = measures
	// Record implicit GD at about the times the small-step runs record.
	implicit.HistoryEvery = max(1, int(math.Round(float64(c.HistoryEvery)*c.H/c.Eta)))
	path := newTrajectory(c.MaxPoints)
	implicit.Observe = path.observe
	first, stop := runAll(ctx, setup, "compare: implicit", []train.Job{{Problem: setup.Problem, Settings: implicit}})
	if stop != nil && !interrupted(stop) {
		return nil, stop
	}
	ref := first[0]
	path.finish(ref.Params)

	// The label-noise run is the longest: it starts first, then the
	// explicit SGD run, whose steps cost most.
	methods := []string{MethodLabelNoise, MethodExplicitGradNorm, MethodExplicitLabelNoise, MethodPlainSmallStep}
	if c.Batch > 0 {
		methods = slices.Insert(methods, 1, MethodExplicitSGD)
		methods = append(methods, MethodSGD)
	}
	trackers := make([]*tracker, len(methods))
	jobs := make([]train.Job, len(methods))
	for i, m := range methods {
		step := c.H
		if m == MethodSGD {
			step = c.Eta
		}
		st := setup.settings(step)
		st.Measures = measures
		st.HistoryEvery = c.HistoryEvery
		switch m {
		case MethodExplicitGradNorm:
			st.Penalties = []graph.Penalty{regularizer.ForStep(c.Eta)}
		case MethodExplicitLabelNoise:
			st.Penalties = []graph.Penalty{regularizer.LabelNoise{Eta: c.Eta, Sigma: c.Sigma}}
		case MethodExplicitSGD:
			st.Penalties = []graph.Penalty{regularizer.SGD{Eta: c.Eta, Batch: c.Batch}}
		case MethodLabelNoise:
			st.LabelNoise, st.Steps = c.Sigma, c.NoiseSteps
		case MethodSGD:
			st.Batch, st.HistoryEvery = c.Batch, implicit.HistoryEvery
		}
		if m != MethodLabelNoise {
			trackers[i] = path.track(m, c.Eta, step)
			st.Observe = trackers[i].observe
		}
		jobs[i] = train.Job{Problem: setup.Problem, Settings: st}
	}
	results, stop := runAll(ctx, setup, "compare", jobs, methods...)
	if stop != nil && !interrupted(stop) {
		return nil, stop
	}
	byMethod := map[string]*train.Result{MethodImplicit: ref}
	for i, m := range methods {
		byMethod[m] = results[i]
	}

	res := &CompareResult{Out: setup.Out, Settings: c}
	rowOrder := []string{MethodImplicit, MethodExplicitGradNorm, MethodExplicitLabelNoise, MethodPlainSmallStep, MethodLabelNoise}
	if c.Batch > 0 {
		rowOrder = append(rowOrder, MethodSGD, MethodExplicitSGD)
	}
	for _, m := range rowOrder {
		r := byMethod[m]
		step := c.H
		if m == MethodImplicit || m == MethodSGD {
			step = c.Eta
		}
		row := CompareRow{Method: m, StepSize: step, Status: r.Status, Steps: r.Steps, Time: float64(r.Steps) * step,
			TrainMSE: r.TrainMSE, TestMSE: r.TestMSE, GradNormSq: r.GradNormSq,
			GradNormReg: termValue(r.Terms, measures[0].Name()), LabelNoiseReg: termValue(r.Terms, measures[1].Name()),
			SGDReg: termValue(r.Terms, regularizer.SGD{}.Name()), SGDNoiseReg: termValue(r.Terms, regularizer.SGDNoise{}.Name()),
			DistanceFromImplicit: distance(r.Params, ref.Params)}
		res.Rows = append(res.Rows, row)
		res.History = append(res.History, historyRows(m, r)...)
	}
	for _, t := range trackers {
		if t != nil {
			res.Trajectory = append(res.Trajectory, t.rows...)
		}
	}

	if err := writeTable(out.path("compare.csv"), columnsFor(c.Batch, CompareColumns, CompareSGDColumns), compareTable.cols, res.Rows); err != nil {
		return nil, err
	}
	if err := trajectoryTable.write(out.path("trajectory.csv"), res.Trajectory); err != nil {
		return nil, err
	}
	if err := writeHistory(out.path("history.csv"), c.Batch, res.History); err != nil {
		return nil, err
	}
	if err := out.saveFigure("trajectory")(TrajectoryFigure(res.Trajectory, c.Eta, c.H)); err != nil {
		return nil, err
	}
	curves := []string{MethodImplicit, MethodExplicitGradNorm, MethodPlainSmallStep, MethodLabelNoise}
	if c.Batch > 0 {
		curves = append(curves, MethodSGD, MethodExplicitSGD)
	}
	if err := out.saveFigure("curves")(CurvesFigure(fmt.Sprintf("Implicit (η=%g) vs explicit (h=%g)", c.Eta, c.H), res.History,
		curves...)); err != nil {
		return nil, err
	}
	if c.Batch > 0 {
		var terms []TermCurve
		for _, m := range []string{MethodSGD, MethodLabelNoise, MethodImplicit} {
			terms = append(terms, TermCurve{m, "sgd_noise_reg"}, TermCurve{m, "label_noise_reg"})
		}
		if err := out.saveFigure("sgd_regularizer")(TermsFigure(
			fmt.Sprintf("SGD's Γ term (η=%g, B=%d) and the label-noise regularizer (σ=%g)", c.Eta, c.Batch, c.Sigma),
			"regularizer", res.History, terms...)); err != nil {
			return nil, err
		}
	}
	sum := compareSummary{Eta: Number(c.Eta), H: Number(c.H), Sigma: Number(c.Sigma), Batch: c.Batch, Seed: setup.Seed, Interrupted: stop != nil,
		ComputedBy: computedBy(), WallSeconds: Number(wallSeconds(start))}
	for _, r := range res.Rows {
		sum.Methods = append(sum.Methods, methodSummary{Method: r.Method, Status: string(r.Status), Steps: r.Steps,
			Time: Number(r.Time), TestMSE: Number(r.TestMSE), TrainMSE: Number(r.TrainMSE),
			Distance: Number(r.DistanceFromImplicit)})
	}
	sum.Trajectory = summarizeTrajectory(res.Trajectory)
	if err := out.writeJSON("summary.json", sum); err != nil {
		return nil, err
	}
	return res, stop
}

// distance is ‖p − q‖, or NaN when a run never started.
func distance(p, q graph.Params) float64 {
	if p == nil || q == nil {
		return math.NaN()
	}
	return p.Distance(q)
}

// termValue returns the value of the named term, or NaN.
func termValue(terms []train.Term, name string) float64 {
	for _, t := range terms {
		if t.Name == name {
			return t.Value
		}
	}
	return math.NaN()
}

type compareSummary struct {
	Eta         Number              `json:"eta"`
	H           Number              `json:"h"`
	Sigma       Number              `json:"sigma"`
	Batch       int                 `json:"batch,omitempty"`
	Seed        uint64              `json:"seed"`
	Methods     []methodSummary     `json:"methods"`
	Trajectory  []trajectorySummary `json:"trajectory"`
	WallSeconds Number              `json:"wall_seconds"`
	Interrupted bool                `json:"interrupted"`
	ComputedBy
}

type methodSummary struct {
	Method   string `json:"method"`
	Status   string `json:"status"`
	Steps    int    `json:"steps"`
	Time     Number `json:"time"`
	TrainMSE Number `json:"train_mse"`
	TestMSE  Number `json:"test_mse"`
	Distance Number `json:"distance_from_implicit"`
}

// trajectorySummary says how close a method stayed to implicit GD.
type trajectorySummary struct {
	Method string `json:"method"`
	// MaxRelative is the largest relative distance over the matched times;
	// Final is the relative distance at the last matched time, EndT.
	MaxRelative Number `json:"max_relative_distance"`
	Final       Number `json:"final_relative_distance"`
	EndT        Number `json:"end_t"`
	// Within10 is the last time up to which the relative distance stayed
	// below 10%.
	Within10 Number `json:"time_within_10_percent"`
}

func summarizeTrajectory(rows []TrajectoryRow) []trajectorySummary {
	var out []trajectorySummary
	exceeded := map[string]bool{}
	index := map[string]int{}
	for _, r := range rows {
		i, ok := index[r.Method]
		if !ok {
			i = len(out)
			index[r.Method] = i
			out = append(out, trajectorySummary{Method: r.Method})
		}
		s := &out[i]
		s.MaxRelative = Number(math.Max(float64(s.MaxRelative), r.Relative))
		s.Final, s.EndT = Number(r.Relative), Number(r.T)
		if !(r.Relative < 0.1) {
			exceeded[r.Method] = true
		}
		if !exceeded[r.Method] {
			s.Within10 = Number(r.T)
		}
	}
	return out
}

// WriteTable prints one line per method.
func (r *CompareResult) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	sgd := r.Settings.Batch > 0
	fmt.Fprintf(tw, "method\tstep\tstatus\tsteps\ttime t\ttrain MSE\ttest MSE\t‖∇L‖²\t(η/4)‖∇L‖²\tlabel-noise reg")
	if sgd {
		fmt.Fprintf(tw, "\tSGD reg\tSGD Γ term")
	}
	fmt.Fprintf(tw, "\t‖θ−θ_implicit‖\n")
	for _, x := range r.Rows {
		fmt.Fprintf(tw, "%s\t%g\t%s\t%d\t%.4g\t%.3g\t%.4g\t%.3g\t%.3g\t%.3g", x.Method, x.StepSize, x.Status, x.Steps,
			x.Time, x.TrainMSE, x.TestMSE, x.GradNormSq, x.GradNormReg, x.LabelNoiseReg)
		if sgd {
			fmt.Fprintf(tw, "\t%.3g\t%.3g", x.SGDReg, x.SGDNoiseReg)
		}
		fmt.Fprintf(tw, "\t%.4g\n", x.DistanceFromImplicit)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, s := range summarizeTrajectory(r.Trajectory) {
		fmt.Fprintf(w, "%s vs implicit: relative distance ≤ %.3g up to t = %.4g, at most %.3g, %.3g at t = %.4g\n",
			s.Method, 0.1, float64(s.Within10), float64(s.MaxRelative), float64(s.Final), float64(s.EndT))
	}
	return nil
}

// trajectory stores implicit GD's parameters at a bounded set of steps: every
// stride-th step, the stride doubling whenever the store is full.
type trajectory struct {
	max    int
	stride int
	steps  []int
	params [][]float64
	moved  float64
}

func newTrajectory(max int) *trajectory { return &trajectory{max: max, stride: 1} }

func (tr *trajectory) observe(step int, p graph.Params) {
	if step%tr.stride != 0 {
		return
	}
	if len(tr.steps) == tr.max {
		keep := 0
		for i, s := range tr.steps {
			if s%(2*tr.stride) == 0 {
				tr.steps[keep], tr.params[keep] = tr.steps[i], tr.params[i]
				keep++
			}
		}
		tr.steps, tr.params = tr.steps[:keep], tr.params[:keep]
		tr.stride *= 2
		if step%tr.stride != 0 {
			return
		}
	}
	tr.steps = append(tr.steps, step)
	tr.params = append(tr.params, p.Flat())
}

// finish records the final parameters of the run: moved is ‖θ_end − θ₀‖,
// the scale of relative distances (NaN when the run did not move).
func (tr *trajectory) finish(final graph.Params) {
	tr.moved = math.NaN()
	if final == nil || len(tr.params) == 0 {
		return
	}
	start := tr.params[0]
	var s float64
	for i, v := range final.Flat() {
		s += (v - start[i]) * (v - start[i])
	}
	if s > 0 {
		tr.moved = math.Sqrt(s)
	}
}

// track returns a tracker that measures a run with step h against the stored
// trajectory of implicit GD with step eta.
func (tr *trajectory) track(method string, eta, h float64) *tracker {
	return &tracker{path: tr, method: method, eta: eta, h: h}
}

// tracker computes, while a small-step run goes, its distance from implicit
// GD at the stored times t = k·η, interpolating its parameters linearly
// between its steps j·h ≤ t ≤ (j+1)·h.
type tracker struct {
	path       *trajectory
	method     string
	eta, h     float64
	next       int       // index of the next stored implicit step to match
	prev, curr []float64 // θ_{j−1} and θ_j of the run
	rows       []TrajectoryRow
}

func (t *tracker) observe(step int, p graph.Params) {
	t.prev, t.curr = t.curr, p.Flat()
	for t.next < len(t.path.steps) {
		k := t.path.steps[t.next]
		at := float64(k) * t.eta / t.h // the run's fractional step at t = k·η
		if at > float64(step)+1e-9 {
			return
		}
		theta := t.curr
		if frac := float64(step) - at; frac > 1e-9 && t.prev != nil {
			theta = make([]float64, len(t.curr))
			for i := range theta {
				theta[i] = t.curr[i] - frac*(t.curr[i]-t.prev[i])
			}
		}
		ref := t.path.params[t.next]
		var dist float64
		for i := range ref {
			dist += (theta[i] - ref[i]) * (theta[i] - ref[i])
		}
		rel := math.Sqrt(dist) / t.path.moved
		t.rows = append(t.rows, TrajectoryRow{Method: t.method, T: float64(k) * t.eta, ImplicitStep: k, Step: at,
			Distance: math.Sqrt(dist), Relative: rel})
		t.next++
	}
}

var (
	compareTable = newTable([]column[CompareRow]{
		stringColumn("method", func(r *CompareRow) *string { return &r.Method }),
		floatColumn("step_size", func(r *CompareRow) *float64 { return &r.StepSize }),
		{"status", func(r *CompareRow) string { return string(r.Status) },
			func(r *CompareRow, s string) error { r.Status = train.Status(s); return nil }},
		intColumn("steps", func(r *CompareRow) *int { return &r.Steps }),
		floatColumn("time", func(r *CompareRow) *float64 { return &r.Time }),
		floatColumn("train_mse", func(r *CompareRow) *float64 { return &r.TrainMSE }),
		floatColumn("test_mse", func(r *CompareRow) *float64 { return &r.TestMSE }),
		floatColumn("grad_norm_sq", func(r *CompareRow) *float64 { return &r.GradNormSq }),
		floatColumn("grad_norm_reg", func(r *CompareRow) *float64 { return &r.GradNormReg }),
		floatColumn("label_noise_reg", func(r *CompareRow) *float64 { return &r.LabelNoiseReg }),
		floatColumn("distance_from_implicit", func(r *CompareRow) *float64 { return &r.DistanceFromImplicit }),
		floatColumn("sgd_reg", func(r *CompareRow) *float64 { return &r.SGDReg }),
		floatColumn("sgd_noise_reg", func(r *CompareRow) *float64 { return &r.SGDNoiseReg }),
	})
	trajectoryTable = newTable([]column[TrajectoryRow]{
		stringColumn("method", func(r *TrajectoryRow) *string { return &r.Method }),
		floatColumn("t", func(r *TrajectoryRow) *float64 { return &r.T }),
		intColumn("implicit_step", func(r *TrajectoryRow) *int { return &r.ImplicitStep }),
		floatColumn("step", func(r *TrajectoryRow) *float64 { return &r.Step }),
		floatColumn("distance", func(r *TrajectoryRow) *float64 { return &r.Distance }),
		floatColumn("relative_distance", func(r *TrajectoryRow) *float64 { return &r.Relative }),
	})
)

// ReadCompare reads compare.csv.
func ReadCompare(path string) ([]CompareRow, error) { return compareTable.read(path) }

// ReadTrajectory reads trajectory.csv.
func ReadTrajectory(path string) ([]TrajectoryRow, error) { return trajectoryTable.read(path) }

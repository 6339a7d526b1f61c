package compare

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"text/tabwriter"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/experiment/central"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/tidycsv"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/plots"
	"github.com/igr-project/igr/train/regime"
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
	MethodCentralFlow        = "central_flow"        // the central flow of GD with step η, to implicit GD's time
)

func init() {
	experiment.Declare(
		&experiment.Param{Name: "eta", Usage: "step η of implicit GD; the explicit regularizers use λ = η/4 and η σ²/n²", Range: experiment.Positive},
		&experiment.Param{Name: "h", Usage: "small step of the explicit, plain and label-noise runs", Range: experiment.Positive},
		&experiment.Param{Name: "sweep", Usage: "instead: test MSE against η for implicit GD and for explicit GD at step h with λ = η/4, for every η of -lrs"},
		&experiment.Param{Name: "central", Usage: "with -sweep, also follow the central flow at every η, to implicit GD's time (about ten times the sweep's cost on the blog's problem)"},
		&experiment.Param{Name: "central-steps", Usage: "cap on the central flow's length in GD steps: it is followed to implicit GD's own time, at most this",
			Whole: true, Range: experiment.Positive},
	)
}

// Settings configure Compare. Zero values mean the defaults given.
type Settings struct {
	experiment.Config

	// Eta is the step η of implicit GD and the target step of the explicit
	// regularizers (λ = η/4). Zero means 0.09, near the blog's edge of
	// divergence.
	Eta float64 `igr:"eta" default:"0.09"`

	// H is the small step of the explicit and small-step runs. Zero means
	// 0.01.
	H float64 `igr:"h" default:"0.01"`

	// Sigma is the label noise's standard deviation. Zero means 1.
	Sigma float64 `igr:"sigma,positive" default:"1" usage:"standard deviation of the label noise"`

	// NoiseSteps is the length of the label-noise run. Zero means 100,000.
	NoiseSteps int `igr:"noise-steps" default:"100000"`

	// HistoryEvery is the interval of the recorded history of the small-step
	// runs; implicit GD records at about the same times t. Zero means 100.
	HistoryEvery int `igr:"history-every" default:"100" usage:"record the small-step runs every this many steps"`

	// MaxPoints bounds the matched times in trajectory.csv. Zero means 2000.
	MaxPoints int

	// CentralSteps caps the central flow's length in GD steps: it is
	// followed to implicit GD's own time, at most this. Zero means 3000.
	CentralSteps int `igr:"central-steps" default:"3000"`

	// Sweep, if set, compares over the η of LRs instead (see Sweep).
	Sweep bool `igr:"sweep"`

	// Central, with Sweep, adds the central flow at every η, followed to
	// implicit GD's time (at most CentralSteps): a method whose cost is
	// about ten times the rest of the sweep's on the blog's problem.
	Central bool `igr:"central"`

	// LRs is the grid of η of the sweep. Nil means BlogGrid.
	LRs []float64 `igr:"lrs" default:"0.001:0.15:0.005"`

	// Batch, if positive, adds minibatch SGD and its explicit regularizer
	// to the methods: sgd, SGD with step η and batches of Batch examples,
	// and explicit_sgd, GD with step h on L + regularizer.SGD{η, Batch}.
	// Every run then records the SGD regularizer and its Γ term.
	Batch int "igr:\"batch\" usage:\"add minibatch SGD with batches of `B` examples: methods sgd (step η) and explicit_sgd (step h on L + (η/4) E_B‖∇L_B‖²)\""

	// TrackSharpness, if positive, tracks the sharpness of every method
	// every that many steps (experiment.TrackSettings) into history.csv,
	// labels each method's regime in summary.json and draws the figure
	// sharpness (of the methods of the curves figure). Compare alone, not
	// its Sweep.
	TrackSharpness int `igr:"track-sharpness"`
}

// Row is one method of Compare: a row of compare.csv.
type Row struct {
	Method   string       `csv:"method"`
	StepSize float64      `csv:"step_size"`
	Status   train.Status `csv:"status"`
	Steps    int          `csv:"steps"`
	// Time is steps × step size, the time of the gradient flow the run
	// approximates.
	Time       float64 `csv:"time"`
	TrainMSE   float64 `csv:"train_mse"`
	TestMSE    float64 `csv:"test_mse"`
	GradNormSq float64 `csv:"grad_norm_sq"`
	// GradNormReg is (η/4)‖∇L‖² and LabelNoiseReg (ησ²/n²)Σ‖∇P(x_i)‖² at
	// the final parameters, for the target step η.
	GradNormReg   float64 `csv:"grad_norm_reg"`
	LabelNoiseReg float64 `csv:"label_noise_reg"`
	// DistanceFromImplicit is ‖θ − θ_implicit‖ at the end of both runs.
	DistanceFromImplicit float64 `csv:"distance_from_implicit"`
	// With a batch size B, SGDReg is (η/4) E_B‖∇L_B‖² and SGDNoiseReg its
	// Γ term (NaN without).
	SGDReg      float64 `csv:"sgd_reg"`
	SGDNoiseReg float64 `csv:"sgd_noise_reg"`
	// SharpnessInit and SharpnessFinal are the top eigenvalue of the
	// Hessian of the training MSE at the initial and final parameters.
	SharpnessInit  float64 `csv:"sharpness_init"`
	SharpnessFinal float64 `csv:"sharpness_final"`
}

var compareTable = tidycsv.SchemaOf[Row]()

// The column sets of compare.csv; with a batch size it has SGDColumns. The
// sharpness columns, added later, come last.
var (
	columns    = compareTable.Names()
	sharpness  = []string{"sharpness_init", "sharpness_final"}
	base       = slices.Clip(columns[:len(columns)-4])
	Columns    = slices.Concat(base, sharpness)
	SGDColumns = slices.Concat(base, []string{"sgd_reg", "sgd_noise_reg"}, sharpness)
)

// Result is what Compare computed.
type Result struct {
	Rows       []Row
	Trajectory []TrajectoryRow
	History    []experiment.HistoryRow
	Out        string
	Settings   Settings

	summary summary
	regimes []regime.Regime
	ratios  []float64 // sharpness_max_ratio of each row's run
}

// Compare trains one data set and one initialization five ways — implicit GD
// with step η, GD with a small step h on L + (η/4)‖∇L‖², on L + the
// label-noise regularizer and on L alone, and label-noise GD with step h —
// and with a Batch two more, minibatch SGD with step η and GD with step h on
// L + the SGD regularizer — and follows the central flow of implicit GD to
// its time (central_flow; see centralflow.go); it writes data.csv, compare.csv, trajectory.csv
// (the distance of each run but label-noise GD from implicit GD at matched
// times t), history.csv, summary.json and the figures trajectory and curves
// (and with a Batch sgd_regularizer, the SGD regularizer's Γ term beside the
// label-noise regularizer along the runs) to its folder, out/compare by
// default.
//
// With Sweep it trains, instead, for every η of LRs, implicit GD with step η
// and explicit GD with the small step h on L + (η/4)‖∇L‖² — and with a Batch
// minibatch SGD with step η and explicit GD with step h on L + the SGD
// regularizer — all from the same data and initialization to the
// tolerance, then the central flow of implicit GD at every η that did not
// diverge, to implicit GD's time (at most CentralSteps), and writes data.csv, compare_sweep.csv, compare_sweep.json (the
// headline numbers of each method) and the figure compare_sweep (test MSE
// against η, a curve per method) to its folder, out/compare-sweep by
// default. Its result is then a *SweepResult.
var Compare = &experiment.Experiment[*Settings, *experiment.Setup, experiment.Result]{
	Name:    "compare",
	Summary: "implicit (large-step GD) vs explicit (regularized small-step GD) regularization, side by side",
	Usage:   "[-eta η] [-h h] [-noise-steps N] [-batch B] [-sweep [-lrs FROM:TO:STEP]] [-out DIR] [flags]   (help: -help)",
	DefaultFolder: func(c *Settings) string {
		if c.Sweep {
			return "out/compare-sweep"
		}
		return "out/compare"
	},
	Prepare: func(c *Settings) (*experiment.Prepared[*experiment.Setup], error) {
		// One sweep: implicit and explicit GD at every η (and SGD and its
		// explicit regularizer). One comparison: four small-step runs after
		// implicit GD (six with a batch size), each recording the
		// regularizers, and implicit GD's trajectory.
		if c.MaxPoints == 0 {
			c.MaxPoints = 2000
		}
		work := train.Footprint{Runs: 4, Graph: 2 * train.RegularizedGraph, Snapshots: c.MaxPoints}
		if c.Batch > 0 {
			work.Runs = 6
		}
		if c.Sweep {
			work = train.Footprint{Runs: len(sweepMethods(c.Batch)) * len(c.LRs), Graph: central.Graph}
		}
		if c.Sweep && c.TrackSharpness > 0 {
			return nil, fmt.Errorf("%w: -track-sharpness tracks the methods of compare, not of compare -sweep", experiment.ErrConfig)
		}
		p, err := experiment.PrepareSetup(&c.Config, work)
		if err != nil {
			return nil, err
		}
		return p, p.State.CheckBatch(c.Batch)
	},
	Execute: func(ctx context.Context, c *Settings, setup *experiment.Setup, env *experiment.Env) (experiment.Result, error) {
		if c.Sweep {
			return sweep(ctx, c, setup, env)
		}
		return compare(ctx, c, setup, env)
	},
}

func compare(ctx context.Context, c *Settings, setup *experiment.Setup, env *experiment.Env) (experiment.Result, error) {
	measures := append([]graph.Penalty{regularizer.ForStep(c.Eta), regularizer.LabelNoise{Eta: c.Eta, Sigma: c.Sigma}},
		sgdMeasures(c.Eta, c.Batch)...)

	// Implicit GD first: the others are compared with its trajectory.
	implicit := setup.Settings(c.Eta)
	implicit.Measures = measures
	// Record implicit GD at about the times the small-step runs record.
	implicit.HistoryEvery = max(1, int(math.Round(float64(c.HistoryEvery)*c.H/c.Eta)))
	implicit = experiment.TrackSettings(implicit, c.TrackSharpness)
	path := newTrajectory(c.MaxPoints)
	implicit.Observe = path.observe
	first, stop := env.Train(ctx, "compare: implicit", setup.Workers, experiment.Job{Name: MethodImplicit, Job: train.Job{Problem: setup.Problem, Settings: implicit}})
	if stop != nil && first == nil {
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
	jobs := make([]experiment.Job, len(methods))
	for i, m := range methods {
		step := c.H
		if m == MethodSGD {
			step = c.Eta
		}
		st := setup.Settings(step)
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
		st = experiment.TrackSettings(st, c.TrackSharpness)
		jobs[i] = experiment.Job{Name: m, Job: train.Job{Problem: setup.Problem, Settings: st}}
	}
	// Interrupted, the context is done and the other runs never start:
	// they are reported interrupted.
	results, stop := env.Train(ctx, "compare", setup.Workers, jobs...)
	if stop != nil && results == nil {
		return nil, stop
	}
	byMethod := map[string]*train.Result{MethodImplicit: ref}
	settings := map[string]*train.Settings{MethodImplicit: &implicit}
	for i, m := range methods {
		byMethod[m], settings[m] = results[i], &jobs[i].Settings
	}
	// The central flow of implicit GD, to its time, once the others are
	// done.
	var cf *centralFlow
	if stop == nil {
		if cf, stop = followCentral(ctx, c, setup, ref, path, measures, env); stop != nil && ctx.Err() == nil {
			return nil, stop
		}
	}

	res := &Result{Out: env.Dir, Settings: *c}
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
		row := Row{Method: m, StepSize: step, Status: r.Status, Steps: r.Steps, Time: float64(r.Steps) * step,
			TrainMSE: r.TrainMSE, TestMSE: r.TestMSE, GradNormSq: r.GradNormSq,
			GradNormReg: experiment.TermValue(r.Terms, measures[0].Name()), LabelNoiseReg: experiment.TermValue(r.Terms, measures[1].Name()),
			SGDReg: experiment.TermValue(r.Terms, regularizer.SGD{}.Name()), SGDNoiseReg: experiment.TermValue(r.Terms, regularizer.SGDNoise{}.Name()),
			DistanceFromImplicit: distance(r.Params, ref.Params), SharpnessInit: r.SharpnessInit, SharpnessFinal: r.SharpnessFinal}
		res.Rows = append(res.Rows, row)
		reg, ratio := experiment.RegimeOf(r, settings[m])
		res.regimes, res.ratios = append(res.regimes, reg), append(res.ratios, ratio)
		res.History = append(res.History, experiment.HistoryRows(m, r)...)
	}
	for _, t := range trackers {
		if t != nil {
			res.Trajectory = append(res.Trajectory, t.rows...)
		}
	}
	if cf != nil {
		// The central flow is no run of GD: it has no regime.
		res.Rows = append(res.Rows, cf.row)
		res.regimes, res.ratios = append(res.regimes, ""), append(res.ratios, math.NaN())
		res.Trajectory = append(res.Trajectory, cf.trajectory...)
		res.History = append(res.History, cf.history...)
	}
	res.summary = summary{Eta: experiment.Number(c.Eta), H: experiment.Number(c.H), Sigma: experiment.Number(c.Sigma), Batch: c.Batch,
		Seed: setup.Seed, Interrupted: stop != nil, ComputedBy: experiment.Provenance(), WallSeconds: experiment.Number(env.WallSeconds())}
	for i, r := range res.Rows {
		m := methodSummary{Method: r.Method, Status: string(r.Status), Steps: r.Steps,
			Time: experiment.Number(r.Time), TestMSE: experiment.Number(r.TestMSE), TrainMSE: experiment.Number(r.TrainMSE),
			Distance:     experiment.Number(r.DistanceFromImplicit),
			RunCurvature: experiment.CurvatureOf(r.SharpnessInit, r.SharpnessFinal, r.StepSize)}
		if c.TrackSharpness > 0 && res.regimes[i] != "" {
			m.SetRegime(res.regimes[i], res.ratios[i])
		}
		res.summary.Methods = append(res.summary.Methods, m)
	}
	res.summary.Trajectory = summarizeTrajectory(res.Trajectory)
	if cf != nil {
		res.summary.CentralFlow = &cf.info
	}
	return res, stop
}

// sgdMeasures returns the SGD regularizer and its Γ term for step lr and
// batches of batch, to record along runs with a batch size; nil for batch 0.
func sgdMeasures(lr float64, batch int) []graph.Penalty {
	if batch == 0 {
		return nil
	}
	return []graph.Penalty{regularizer.SGD{Eta: lr, Batch: batch}, regularizer.SGDNoise{Eta: lr, Batch: batch}}
}

// Files are compare.csv, trajectory.csv, history.csv, the trajectory and
// curves figures (and with a batch size the SGD regularizer's) and
// summary.json.
func (r *Result) Files() []experiment.File {
	c := &r.Settings
	curves := []string{MethodImplicit, MethodExplicitGradNorm, MethodPlainSmallStep, MethodLabelNoise, MethodCentralFlow}
	if c.Batch > 0 {
		curves = append(curves, MethodSGD, MethodExplicitSGD)
	}
	files := []experiment.File{
		{Name: "compare.csv", Write: func(path string) error {
			return compareTable.WriteColumns(path, experiment.ColumnsFor(c.Batch, Columns, SGDColumns), r.Rows)
		}},
		experiment.TableFile("trajectory.csv", r.Trajectory),
		experiment.HistoryFile(c.Batch, c.TrackSharpness > 0, r.History),
		experiment.FigureFile("trajectory", func() (*plots.Plot, error) { return TrajectoryFigure(r.Trajectory, c.Eta, c.H) }),
		experiment.FigureFile("curves", func() (*plots.Plot, error) {
			return experiment.CurvesFigure(fmt.Sprintf("Implicit (η=%g) vs explicit (h=%g)", c.Eta, c.H), r.History, curves...)
		}),
	}
	if c.Batch > 0 {
		var terms []experiment.TermCurve
		for _, m := range []string{MethodSGD, MethodLabelNoise, MethodImplicit} {
			terms = append(terms, experiment.TermCurve{Run: m, Term: "sgd_noise_reg"}, experiment.TermCurve{Run: m, Term: "label_noise_reg"})
		}
		files = append(files, experiment.FigureFile("sgd_regularizer", func() (*plots.Plot, error) {
			return experiment.TermsFigure(fmt.Sprintf("SGD's Γ term (η=%g, B=%d) and the label-noise regularizer (σ=%g)", c.Eta, c.Batch, c.Sigma),
				"regularizer", r.History, terms...)
		}))
	}
	if c.TrackSharpness > 0 {
		files = append(files, experiment.FigureFile("sharpness", func() (*plots.Plot, error) {
			return experiment.SharpnessFigure(fmt.Sprintf("Sharpness along the methods (η=%g, h=%g)", c.Eta, c.H), r.History, curves...)
		}))
	}
	return append(files, experiment.JSONFile("summary.json", r.summary))
}

// distance is ‖p − q‖, or NaN when a run never started.
func distance(p, q graph.Params) float64 {
	if p == nil || q == nil {
		return math.NaN()
	}
	return p.Distance(q)
}

type summary struct {
	Eta         experiment.Number   `json:"eta"`
	H           experiment.Number   `json:"h"`
	Sigma       experiment.Number   `json:"sigma"`
	Batch       int                 `json:"batch,omitempty"`
	Seed        uint64              `json:"seed"`
	Methods     []methodSummary     `json:"methods"`
	Trajectory  []trajectorySummary `json:"trajectory"`
	CentralFlow *centralInfo        `json:"central_flow,omitempty"`
	WallSeconds experiment.Number   `json:"wall_seconds"`
	Interrupted bool                `json:"interrupted"`
	experiment.ComputedBy
}

type methodSummary struct {
	Method   string            `json:"method"`
	Status   string            `json:"status"`
	Steps    int               `json:"steps"`
	Time     experiment.Number `json:"time"`
	TrainMSE experiment.Number `json:"train_mse"`
	TestMSE  experiment.Number `json:"test_mse"`
	Distance experiment.Number `json:"distance_from_implicit"`
	experiment.RunCurvature
}

// WriteTable prints one line per method.
func (r *Result) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	sgd := r.Settings.Batch > 0
	fmt.Fprintf(tw, "method\tstep\tstatus\tsteps\ttime t\ttrain MSE\ttest MSE\t‖∇L‖²\t(η/4)‖∇L‖²\tlabel-noise reg")
	if sgd {
		fmt.Fprintf(tw, "\tSGD reg\tSGD Γ term")
	}
	fmt.Fprintf(tw, "\t‖θ−θ_implicit‖\tsharpness init\tfinal\t2/step")
	tracked := r.Settings.TrackSharpness > 0
	if tracked {
		fmt.Fprintf(tw, "\tregime\tmax ηS/2")
	}
	fmt.Fprintln(tw)
	for i, x := range r.Rows {
		fmt.Fprintf(tw, "%s\t%g\t%s\t%d\t%.4g\t%.3g\t%.4g\t%.3g\t%.3g\t%.3g", x.Method, x.StepSize, x.Status, x.Steps,
			x.Time, x.TrainMSE, x.TestMSE, x.GradNormSq, x.GradNormReg, x.LabelNoiseReg)
		if sgd {
			fmt.Fprintf(tw, "\t%.3g\t%.3g", x.SGDReg, x.SGDNoiseReg)
		}
		fmt.Fprintf(tw, "\t%.4g\t%.4g\t%.4g\t%.4g", x.DistanceFromImplicit, x.SharpnessInit, x.SharpnessFinal, 2/x.StepSize)
		if tracked {
			fmt.Fprintf(tw, "\t%s\t%.3g", r.regimes[i], r.ratios[i])
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if cf := r.summary.CentralFlow; cf != nil {
		fmt.Fprintf(w, "central_flow: %s; followed to GD step %d in %.1f s\n", cf.Note, cf.Horizon, float64(cf.Seconds))
	}
	for _, s := range summarizeTrajectory(r.Trajectory) {
		fmt.Fprintf(w, "%s vs implicit: relative distance ≤ %.3g up to t = %.4g, at most %.3g, %.3g at t = %.4g\n",
			s.Method, 0.1, float64(s.Within10), float64(s.MaxRelative), float64(s.Final), float64(s.EndT))
	}
	return nil
}

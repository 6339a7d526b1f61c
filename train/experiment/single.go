package experiment

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/atomicfile"
	"github.com/igr-project/igr/internal/progress"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
)

// TrainSettings configure Train.
type TrainSettings struct {
	Config
	// LR is the learning rate; it must be positive.
	LR float64
	// Steps, if positive, runs exactly that many steps instead of stopping
	// at the tolerance.
	Steps int
	// HistoryEvery is the interval of the recorded history. Zero means 10,
	// or one epoch (⌈n/Batch⌉ steps) of minibatch SGD if that is longer.
	HistoryEvery int
	// Sigma, if positive, trains with label noise of that standard
	// deviation; it needs Steps.
	Sigma float64
	// Lambda, if positive, trains on L + λ‖∇L‖², the explicit
	// gradient-norm regularizer (λ = η/4 is backward error analysis's for
	// step η).
	Lambda float64
	// Batch, if positive, trains by minibatch SGD with batches of Batch
	// examples (train.Settings.Batch) and records the SGD regularizer
	// (η/4) E_B‖∇L_B‖² and its Γ term along the run, with η = LR.
	Batch int
	// Checkpoint, if set, is the file the run's state is saved to every
	// CheckpointEvery steps (zero means 10,000).
	Checkpoint      string
	CheckpointEvery int
	// Resume, if set, is a checkpoint file of this very run to continue
	// from; the result is bit-identical to that of a run never stopped.
	Resume string
}

// RunsResult is what Train and Noise computed: one or more runs on one
// problem.
type RunsResult struct {
	Runs    []RunRow
	History []HistoryRow
	// Params are the final parameters of each run, nil for a run never
	// started.
	Params      []graph.Params
	Out         string
	WallSeconds float64
}

// runsSummary is the summary.json of Train and Noise.
type runsSummary struct {
	Runs        []runSummary `json:"runs"`
	WallSeconds Number       `json:"wall_seconds"`
	Seed        uint64       `json:"seed"`
	N           int          `json:"n"`
	Dim         int          `json:"dim"`
	Width       int          `json:"width"`
	Arch        string       `json:"arch"`
	Batch       int          `json:"batch,omitempty"`
	Interrupted bool         `json:"interrupted"`
	ComputedBy
}

type runSummary struct {
	Run        string `json:"run"`
	LR         Number `json:"lr"`
	LabelNoise Number `json:"label_noise"`
	Status     string `json:"status"`
	Steps      int    `json:"steps"`
	TrainMSE   Number `json:"train_mse"`
	TestMSE    Number `json:"test_mse"`
	GradNormSq Number `json:"grad_norm_sq"`
	// SGDReg is there for runs with a batch size.
	SGDReg *Number `json:"sgd_reg,omitempty"`
}

// Train trains one model at one learning rate and writes data.csv, runs.csv,
// history.csv, summary.json, the curves figure and the final parameters to
// s.Out: params_<name>.csv for each parameter of the architecture
// (params_A.csv and params_b.csv for the quadratic network), a matrix of its
// shape in the format of Config.InitFile. With a Batch it trains by
// minibatch SGD, and runs.csv and summary.json report sgd_reg, the SGD
// regularizer at the final parameters.
func Train(ctx context.Context, s *TrainSettings) (*RunsResult, error) {
	var c TrainSettings
	if s != nil {
		c = *s
	}
	spec := runSpec{Config: c.Config, LR: c.LR, Steps: c.Steps, Sigma: c.Sigma, Lambda: c.Lambda, Batch: c.Batch}
	if err := spec.check(); err != nil {
		return nil, err
	}
	if c.CheckpointEvery < 0 {
		return nil, fmt.Errorf("%w: steps must not be negative", ErrConfig)
	}
	// With a batch size the run records the SGD regularizer, built from ∇L.
	work := Footprint{Graph: PlainGraph}
	if c.Batch > 0 || c.Lambda > 0 {
		work.Graph = RegularizedGraph
	}
	setup, err := c.Config.resolve(work)
	if err != nil {
		return nil, err
	}
	if err := setup.checkBatch(c.Batch); err != nil {
		return nil, err
	}
	st := spec.settings(setup)
	st.Measures = sgdMeasures(c.LR, c.Batch)
	st.HistoryEvery = defaultInt(c.HistoryEvery, max(10, epochSteps(setup, c.Batch)))
	st.Fingerprint = fingerprint(setup, &st)
	if c.Resume != "" {
		if st.Resume, err = train.ReadCheckpoint(c.Resume); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
		if st.Resume.Fingerprint != st.Fingerprint {
			return nil, fmt.Errorf("%w: %s was saved by another run (settings, data or initialization differ)", ErrConfig, c.Resume)
		}
	}
	if c.Checkpoint != "" {
		st.CheckpointEvery = defaultInt(c.CheckpointEvery, 10_000)
		path := c.Checkpoint
		st.Checkpoint = func(ck *train.Checkpoint) error { return ck.WriteFile(path) }
	}
	name, title := RunGD, fmt.Sprintf("GD at lr %g", c.LR)
	if c.Batch > 0 {
		name, title = RunSGD, fmt.Sprintf("SGD at lr %g, batches of %d", c.LR, c.Batch)
	}
	if c.Lambda > 0 {
		title += fmt.Sprintf(" on L + %g‖∇L‖²", c.Lambda)
	}
	res, stop := runJobs(ctx, setup, "train", []namedJob{{name, train.Job{Problem: setup.Problem, Settings: st}}}, title)
	if res == nil {
		return nil, stop
	}
	if p := res.Params[0]; p != nil {
		if err := writeParams(setup.Out, setup.Problem.Arch, p); err != nil {
			return nil, err
		}
	}
	return res, stop
}

// epochSteps is the number of steps of an epoch of minibatch SGD with
// batches of batch on the setup's training set, or 0 for batch 0.
func epochSteps(setup *Setup, batch int) int {
	if batch == 0 {
		return 0
	}
	n := setup.Data().Train.Len()
	return (n + batch - 1) / batch
}

// ParamsFile names the file of a parameter of the final parameters Train
// writes: params_<name>.csv.
func ParamsFile(name string) string { return "params_" + name + ".csv" }

// writeParams writes each parameter of p to dir/params_<name>.csv, a matrix
// of its shape, as Config.InitFile reads the first layer.
func writeParams(dir string, arch graph.Architecture, p graph.Params) error {
	for i, spec := range arch.Params() {
		values := p.Values(i)
		path := filepath.Join(dir, ParamsFile(spec.Name))
		if err := atomicfile.WriteFile(path, func(w io.Writer) error { return dataset.WriteMatrix(w, values, spec.Cols) }); err != nil {
			return fmt.Errorf("experiment: %w", err)
		}
	}
	return nil
}

// NoiseSettings configure Noise.
type NoiseSettings struct {
	Config
	// LR is the learning rate. Zero means 0.03.
	LR float64
	// Sigma is the standard deviation of the label noise. Zero means 1.
	Sigma float64
	// Steps is the number of steps. Zero means 100,000.
	Steps int
	// HistoryEvery is the interval of the recorded history. Zero means
	// Steps/1000.
	HistoryEvery int
	// Batch, if positive, makes both runs minibatch SGD with batches of
	// Batch examples, label noise drawn for each batch's examples, and
	// records the SGD regularizer and its Γ term along them.
	Batch int
}

// Noise trains with label noise for a fixed number of steps and, beside it,
// plain GD at the same learning rate to the tolerance, and writes data.csv,
// runs.csv (runs label_noise and plain), history.csv, summary.json and the
// curves and regularizer figures to s.Out. With a Batch both runs are
// minibatch SGD.
func Noise(ctx context.Context, s *NoiseSettings) (*RunsResult, error) {
	var c NoiseSettings
	if s != nil {
		c = *s
	}
	c.LR = defaultFloat(c.LR, 0.03)
	c.Sigma = defaultFloat(c.Sigma, 1)
	c.Steps = defaultInt(c.Steps, 100_000)
	switch {
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return nil, fmt.Errorf("%w: learning rate must be a positive number, got %g", ErrConfig, c.LR)
	case !(c.Sigma > 0) || math.IsInf(c.Sigma, 0):
		return nil, fmt.Errorf("%w: label noise σ must be a positive number, got %g", ErrConfig, c.Sigma)
	case c.Steps < 0 || c.HistoryEvery < 0:
		return nil, fmt.Errorf("%w: steps must be positive", ErrConfig)
	}
	// Both runs record the label-noise regularizer.
	setup, err := c.Config.resolve(Footprint{Runs: 2, Graph: RegularizedGraph})
	if err != nil {
		return nil, err
	}
	if err := setup.checkBatch(c.Batch); err != nil {
		return nil, err
	}
	noisy := setup.settings(c.LR)
	noisy.LabelNoise, noisy.Steps = c.Sigma, c.Steps
	noisy.HistoryEvery = defaultInt(c.HistoryEvery, max(1, c.Steps/1000))
	plain := setup.settings(c.LR)
	plain.HistoryEvery = defaultInt(c.HistoryEvery, max(10, epochSteps(setup, c.Batch)))
	// The label-noise regularizer, recorded along both runs, and with a
	// batch the SGD regularizer and its Γ term.
	noisy.Measures = append([]graph.Penalty{regularizer.LabelNoise{Eta: c.LR, Sigma: c.Sigma}}, sgdMeasures(c.LR, c.Batch)...)
	plain.Measures = noisy.Measures
	noisy.Batch, plain.Batch = c.Batch, c.Batch
	title := fmt.Sprintf("Label noise σ=%g vs plain GD, lr %g", c.Sigma, c.LR)
	if c.Batch > 0 {
		title = fmt.Sprintf("Label noise σ=%g vs plain SGD, lr %g, batches of %d", c.Sigma, c.LR, c.Batch)
	}
	return runJobs(ctx, setup, "noise", []namedJob{
		{RunLabelNoise, train.Job{Problem: setup.Problem, Settings: noisy}},
		{RunPlain, train.Job{Problem: setup.Problem, Settings: plain}},
	}, title)
}

type namedJob struct {
	name string
	job  train.Job
}

// runJobs runs named jobs in parallel and writes their outputs.
func runJobs(ctx context.Context, setup *Setup, label string, named []namedJob, title string) (*RunsResult, error) {
	start := time.Now()
	out, err := openOutput(setup)
	if err != nil {
		return nil, err
	}
	jobs := make([]train.Job, len(named))
	names := make([]string, len(named))
	for i, n := range named {
		jobs[i], names[i] = n.job, n.name
	}
	results, stop := runAll(ctx, setup, label, jobs, names...)
	if stop != nil && !interrupted(stop) {
		return nil, stop
	}
	res := &RunsResult{Out: setup.Out}
	batch := named[0].job.Settings.Batch // the same for every job
	sum := runsSummary{Seed: setup.Seed, N: setup.N, Dim: setup.Dim, Width: setup.Width, Arch: setup.Arch, Batch: batch,
		Interrupted: stop != nil, ComputedBy: computedBy()}
	for i, n := range named {
		r := runRow(n.name, setup.Seed, setup.Scale, n.job.Settings.LabelNoise, results[i])
		r.Batch = batch
		res.Runs = append(res.Runs, r)
		res.History = append(res.History, historyRows(n.name, results[i])...)
		res.Params = append(res.Params, results[i].Params)
		rs := runSummary{Run: r.Run, LR: Number(r.LR), LabelNoise: Number(r.LabelNoise),
			Status: string(r.Status), Steps: r.Steps, TrainMSE: Number(r.TrainMSE), TestMSE: Number(r.TestMSE), GradNormSq: Number(r.GradNormSq)}
		if batch > 0 {
			v := Number(r.SGDReg)
			rs.SGDReg = &v
		}
		sum.Runs = append(sum.Runs, rs)
	}
	if err := WriteRuns(out.path("runs.csv"), columnsFor(batch, RunsColumns, RunsSGDColumns), res.Runs); err != nil {
		return nil, err
	}
	if err := writeHistory(out.path("history.csv"), batch, res.History); err != nil {
		return nil, err
	}
	if err := out.saveFigure("curves")(CurvesFigure(title, res.History, names...)); err != nil {
		return nil, err
	}
	if err := out.saveFigure("regularizer")(RegularizerFigure("Label-noise regularizer along the runs", res.History, names...)); err != nil {
		return nil, err
	}
	if batch > 0 {
		var curves []TermCurve
		for _, name := range names {
			curves = append(curves, TermCurve{name, "label_noise_reg"}, TermCurve{name, "sgd_noise_reg"})
		}
		if err := out.saveFigure("sgd_regularizer")(TermsFigure(fmt.Sprintf("Regularizers of batch noise (B=%d) and label noise", batch),
			"regularizer", res.History, curves...)); err != nil {
			return nil, err
		}
	}
	res.WallSeconds = wallSeconds(start)
	sum.WallSeconds = Number(res.WallSeconds)
	if err := out.writeJSON("summary.json", sum); err != nil {
		return nil, err
	}
	return res, stop
}

// startProgress reports the progress of jobs to w, or returns nil when w is
// nil. names[i], if given, names jobs[i]: when some jobs stop on convergence
// and others take a fixed number of steps, the reports show the fixed runs'
// own progress under their names ("label noise 23k/100k").
func startProgress(w io.Writer, label string, jobs []train.Job, names ...string) *progress.Reporter {
	if w == nil {
		return nil
	}
	var total int64
	for _, j := range jobs {
		if j.Settings.Steps == 0 {
			total = 0
			break
		}
		total += int64(j.Settings.Steps)
	}
	rep := progress.New(w, label, len(jobs), total)
	for i := range jobs {
		jobs[i].Settings.Progress = rep
		if steps := jobs[i].Settings.Steps; total == 0 && steps > 0 {
			name := fmt.Sprintf("run %d", i+1)
			if i < len(names) && names[i] != "" {
				name = strings.ReplaceAll(names[i], "_", " ")
			}
			jobs[i].Settings.Progress = rep.Track(name, int64(steps))
		}
	}
	return rep
}

// WriteTable prints one line per run.
func (r *RunsResult) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	sgd := len(r.Runs) > 0 && r.Runs[0].Batch > 0
	fmt.Fprintf(tw, "run\tlr\tlabel noise\tstatus\tsteps\ttrain MSE\ttest MSE\t‖∇L‖²")
	if sgd {
		fmt.Fprintf(tw, "\tbatch\tSGD reg")
	}
	fmt.Fprintln(tw)
	for _, x := range r.Runs {
		fmt.Fprintf(tw, "%s\t%g\t%g\t%s\t%d\t%.4g\t%.4g\t%.3g", x.Run, x.LR, x.LabelNoise, x.Status, x.Steps, x.TrainMSE, x.TestMSE, x.GradNormSq)
		if sgd {
			fmt.Fprintf(tw, "\t%d\t%.3g", x.Batch, x.SGDReg)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// WriteTable prints one line per learning rate.
func (r *SweepResult) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "lr\tstatus\tsteps\ttrain MSE\ttest MSE\n")
	for _, x := range r.Rows {
		fmt.Fprintf(tw, "%g\t%s\t%d\t%.3g\t%.4g\n", x.LR, x.Status, x.Steps, x.TrainMSE, x.TestMSE)
	}
	return tw.Flush()
}

func defaultInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func defaultFloat(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// Headline holds the numbers a learning-rate sweep is read for.
type Headline struct {
	// ConstantTestMSE is the test MSE of the predictor that always says 1.
	ConstantTestMSE Number `json:"constant_test_mse"`
	// BestLR is the converged learning rate with the least test MSE,
	// BestTestMSE that error.
	BestLR      Number `json:"best_lr"`
	BestTestMSE Number `json:"best_test_mse"`
	// FirstDivergedLR is the smallest learning rate that diverged,
	// LastConvergedLR the largest that converged.
	FirstDivergedLR Number `json:"first_diverged_lr"`
	LastConvergedLR Number `json:"last_converged_lr"`
}

// headline reads the headline numbers off a sweep.
func headline(setup *Setup, rows []RunRow) Headline { return headlineOf(setup.Data().Test, rows) }

// headlineOf reads the headline numbers off a sweep on the test set test.
func headlineOf(test dataset.Split, rows []RunRow) Headline {
	nan := Number(math.NaN())
	h := Headline{ConstantTestMSE: Number(dataset.ConstantMSE(test, 1)),
		BestLR: nan, BestTestMSE: nan, FirstDivergedLR: nan, LastConvergedLR: nan}
	for _, r := range rows {
		switch r.Status {
		case train.Converged:
			if math.IsNaN(float64(h.BestTestMSE)) || r.TestMSE < float64(h.BestTestMSE) {
				h.BestLR, h.BestTestMSE = Number(r.LR), Number(r.TestMSE)
			}
			if math.IsNaN(float64(h.LastConvergedLR)) || r.LR > float64(h.LastConvergedLR) {
				h.LastConvergedLR = Number(r.LR)
			}
		case train.Diverged:
			if math.IsNaN(float64(h.FirstDivergedLR)) || r.LR < float64(h.FirstDivergedLR) {
				h.FirstDivergedLR = Number(r.LR)
			}
		}
	}
	return h
}

package experiment

import (
	"context"

	"fmt"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/igr-project/igr/internal/progress"
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
	// HistoryEvery is the interval of the recorded history. Zero means 10.
	HistoryEvery int
	// Sigma, if positive, trains with label noise of that standard
	// deviation; it needs Steps.
	Sigma float64
	// Lambda, if positive, trains on L + λ‖∇L‖², the explicit
	// gradient-norm regularizer (λ = η/4 is backward error analysis's for
	// step η).
	Lambda float64
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
	Runs        []RunRow
	History     []HistoryRow
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
}

// Train trains one model at one learning rate and writes data.csv, runs.csv,
// history.csv, summary.json and the curves figure to s.Out.
func Train(ctx context.Context, s *TrainSettings) (*RunsResult, error) {
	var c TrainSettings
	if s != nil {
		c = *s
	}
	spec := runSpec{Config: c.Config, LR: c.LR, Steps: c.Steps, Sigma: c.Sigma, Lambda: c.Lambda, HistoryEvery: defaultInt(c.HistoryEvery, 10)}
	if err := spec.check(); err != nil {
		return nil, err
	}
	if c.CheckpointEvery < 0 {
		return nil, fmt.Errorf("%w: steps must not be negative", ErrConfig)
	}
	setup, err := c.Config.resolve(Footprint{Graph: PlainGraph})
	if err != nil {
		return nil, err
	}
	st := spec.settings(setup)
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
	title := fmt.Sprintf("GD at lr %g", c.LR)
	if c.Lambda > 0 {
		title += fmt.Sprintf(" on L + %g‖∇L‖²", c.Lambda)
	}
	return runJobs(ctx, setup, "train", []namedJob{{"gd", train.Job{Problem: setup.Problem, Settings: st}}}, title)
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
}

// Noise trains with label noise for a fixed number of steps and, beside it,
// plain GD at the same learning rate to the tolerance, and writes data.csv,
// runs.csv (runs label_noise and plain), history.csv, summary.json and the
// curves figure to s.Out.
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
	noisy := setup.settings(c.LR)
	noisy.LabelNoise, noisy.Steps = c.Sigma, c.Steps
	noisy.HistoryEvery = defaultInt(c.HistoryEvery, max(1, c.Steps/1000))
	plain := setup.settings(c.LR)
	plain.HistoryEvery = defaultInt(c.HistoryEvery, 10)
	// The label-noise regularizer, recorded along both runs.
	noisy.Measures = []graph.Penalty{regularizer.LabelNoise{Eta: c.LR, Sigma: c.Sigma}}
	plain.Measures = noisy.Measures
	return runJobs(ctx, setup, "noise", []namedJob{
		{RunLabelNoise, train.Job{Problem: setup.Problem, Settings: noisy}},
		{RunPlain, train.Job{Problem: setup.Problem, Settings: plain}},
	}, fmt.Sprintf("Label noise σ=%g vs plain GD, lr %g", c.Sigma, c.LR))
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
	sum := runsSummary{Seed: setup.Seed, N: setup.N, Dim: setup.Dim, Width: setup.Width, Arch: setup.Arch, Interrupted: stop != nil, ComputedBy: computedBy()}
	for i, n := range named {
		r := runRow(n.name, setup.Seed, setup.Scale, n.job.Settings.LabelNoise, results[i])
		res.Runs = append(res.Runs, r)
		res.History = append(res.History, historyRows(n.name, results[i])...)
		sum.Runs = append(sum.Runs, runSummary{Run: r.Run, LR: Number(r.LR), LabelNoise: Number(r.LabelNoise),
			Status: string(r.Status), Steps: r.Steps, TrainMSE: Number(r.TrainMSE), TestMSE: Number(r.TestMSE), GradNormSq: Number(r.GradNormSq)})
	}
	if err := WriteRuns(out.path("runs.csv"), RunsColumns, res.Runs); err != nil {
		return nil, err
	}
	if err := WriteHistory(out.path("history.csv"), res.History); err != nil {
		return nil, err
	}
	if err := out.saveFigure("curves")(CurvesFigure(title, res.History, names...)); err != nil {
		return nil, err
	}
	if err := out.saveFigure("regularizer")(RegularizerFigure("Label-noise regularizer along the runs", res.History, names...)); err != nil {
		return nil, err
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
	fmt.Fprintf(tw, "run\tlr\tlabel noise\tstatus\tsteps\ttrain MSE\ttest MSE\t‖∇L‖²\n")
	for _, x := range r.Runs {
		fmt.Fprintf(tw, "%s\t%g\t%g\t%s\t%d\t%.4g\t%.4g\t%.3g\n", x.Run, x.LR, x.LabelNoise, x.Status, x.Steps, x.TrainMSE, x.TestMSE, x.GradNormSq)
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

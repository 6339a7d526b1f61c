package experiment

import (
	"context"

	"encoding/json"
	"fmt"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"io"
	"math"
	"os"
	"text/tabwriter"
	"time"

	"github.com/igr-project/igr/train"
)

// ReproduceSettings configure Reproduce. Zero values mean the blog's choices.
type ReproduceSettings struct {
	Config

	// LRs is the learning-rate grid of the sweep. Nil means BlogGrid.
	LRs []float64

	// SmallLR is the learning rate of the blog's first run, 0.01.
	SmallLR float64

	// NoiseLR is the learning rate of the label-noise run, 0.03; plain GD
	// runs at it too, for comparison.
	NoiseLR float64

	// NoiseSigma is the standard deviation of the label noise, 1.
	NoiseSigma float64

	// NoiseSteps is the length of the label-noise run, 100,000.
	NoiseSteps int

	// SmallInitScale is the output divisor of the small-initialization run,
	// 100; it trains at SmallLR.
	SmallInitScale float64

	// HistoryEvery is the interval of the recorded history of the runs that
	// stop on convergence. Zero means 10; the label-noise run records every
	// NoiseSteps/1000 steps.
	HistoryEvery int

	// Seeds, if more than 1, runs the sweep for that many data and
	// initialization seeds, Seed, Seed+1, …; the sweep figure shows the
	// spread and sweep_bands.csv has it. The other numbers are Seed's.
	Seeds int
}

func (s *ReproduceSettings) withDefaults() ReproduceSettings {
	var c ReproduceSettings
	if s != nil {
		c = *s
	}
	if c.SmallLR == 0 {
		c.SmallLR = 0.01
	}
	if c.NoiseLR == 0 {
		c.NoiseLR = 0.03
	}
	if c.NoiseSigma == 0 {
		c.NoiseSigma = 1
	}
	if c.NoiseSteps == 0 {
		c.NoiseSteps = 100_000
	}
	if c.SmallInitScale == 0 {
		c.SmallInitScale = 100
	}
	if c.HistoryEvery == 0 {
		c.HistoryEvery = 10
	}
	return c
}

// Summary holds the headline numbers of Reproduce, written to summary.json.
// Numbers that do not exist (no run diverged, say) are null.
type Summary struct {
	Headline
	SmallLR             Number `json:"small_lr"`
	SmallLRTestMSE      Number `json:"small_lr_test_mse"`
	NoiseLR             Number `json:"noise_lr"`
	PlainNoiseLRTestMSE Number `json:"plain_noise_lr_test_mse"`
	LabelNoiseTestMSE   Number `json:"label_noise_test_mse"`
	LabelNoiseSteps     int    `json:"label_noise_steps"`
	SmallInitScale      Number `json:"small_init_scale"`
	SmallInitTestMSE    Number `json:"small_init_test_mse"`
	SmallInitStatus     string `json:"small_init_status"`
	TotalSteps          int    `json:"total_steps"`
	Seeds               int    `json:"seeds"`
	WallSeconds         Number `json:"wall_seconds"`
	MicrosecondsPerStep Number `json:"cpu_microseconds_per_step"`
	PeakRSSMB           Number `json:"peak_rss_mb"`
	ComputedBy
	RNG         string  `json:"rng"`
	Dtype       string  `json:"dtype"`
	Workers     int     `json:"workers"`
	Seed        uint64  `json:"seed"`
	N           int     `json:"n"`
	Dim         int     `json:"dim"`
	Width       int     `json:"width"`
	Arch        string  `json:"arch"`
	Checks      []Check `json:"checks"`
	Interrupted bool    `json:"interrupted"`
}

// Check is one claim of the blog, tested on this run's numbers.
type Check struct {
	Claim string `json:"claim"`
	Holds bool   `json:"holds"`
}

// Blog holds the blog's numbers (seed 0, PyTorch, float32), printed beside
// the run's.
var Blog = struct {
	ConstantTestMSE, SmallLRTestMSE, BestTestMSE, FirstDivergedLR, LabelNoiseTestMSE, SmallInitTestMSE float64
	BestLR                                                                                             string
}{1.97, 0.40, 0.002, 0.101, 0.01, 0.00, "0.08–0.09"}

// ReproduceResult is what Reproduce computed.
type ReproduceResult struct {
	Summary Summary
	Sweep   []RunRow
	Runs    []RunRow
	History []HistoryRow
	Out     string
}

// The names of Reproduce's single runs in runs.csv and history.csv.
const (
	RunSmallLR    = "small_lr"
	RunPlain      = "plain"
	RunLabelNoise = "label_noise"
	RunSmallInit  = "small_init"
	RunSweep      = "sweep"
)

// The names of Train's run in runs.csv and history.csv: full-batch GD, or
// minibatch SGD with a batch size.
const (
	RunGD  = "gd"
	RunSGD = "sgd"
)

// Reproduce runs every experiment of the blog post on one data set and one
// initialization and writes the results to s.Out: data.csv, sweep.csv,
// runs.csv, history.csv, summary.json and the figures data, sweep and curves
// (PNG and SVG).
func Reproduce(ctx context.Context, s *ReproduceSettings) (*ReproduceResult, error) {
	start := time.Now()
	cfg := s.withDefaults()
	// Label-noise and plain GD record the label-noise regularizer.
	sweep, err := newSweepRun(runSpec{Config: cfg.Config, HistoryEvery: cfg.HistoryEvery}, cfg.LRs, cfg.Seeds, Shard{},
		Footprint{Runs: 4, Graph: RegularizedGraph})
	if err != nil {
		return nil, err
	}
	setup := sweep.setup
	switch {
	case !(cfg.SmallLR > 0) || !(cfg.NoiseLR > 0) || !(cfg.SmallInitScale > 0):
		return nil, fmt.Errorf("%w: learning rates and scale must be positive", ErrConfig)
	case cfg.NoiseSteps < 0 || cfg.HistoryEvery < 0 || !(cfg.NoiseSigma > 0):
		return nil, fmt.Errorf("%w: label noise needs σ > 0 and steps > 0", ErrConfig)
	}
	out, err := openOutput(setup)
	if err != nil {
		return nil, err
	}

	// The single runs come first, longest first, then the sweep from the
	// smallest learning rate (the slowest) up, so that the workers finish
	// together.
	single := []struct {
		name string
		job  train.Job
	}{
		{RunSmallInit, train.Job{Problem: setup.WithScale(cfg.SmallInitScale), Settings: setup.settings(cfg.SmallLR)}},
		{RunLabelNoise, train.Job{Problem: setup.Problem, Settings: setup.settings(cfg.NoiseLR)}},
		{RunPlain, train.Job{Problem: setup.Problem, Settings: setup.settings(cfg.NoiseLR)}},
		{RunSmallLR, train.Job{Problem: setup.Problem, Settings: setup.settings(cfg.SmallLR)}},
	}
	single[1].job.Settings.LabelNoise = cfg.NoiseSigma
	single[1].job.Settings.Steps = cfg.NoiseSteps
	// The label-noise regularizer, recorded along label-noise and plain GD.
	reg := []graph.Penalty{regularizer.LabelNoise{Eta: cfg.NoiseLR, Sigma: cfg.NoiseSigma}}
	single[1].job.Settings.Measures, single[2].job.Settings.Measures = reg, reg
	jobs := make([]train.Job, 0, len(single)+sweep.grid.Len())
	names := make([]string, 0, len(single))
	for _, r := range single {
		r.job.Settings.HistoryEvery = cfg.HistoryEvery
		if r.name == RunLabelNoise {
			r.job.Settings.HistoryEvery = max(1, cfg.NoiseSteps/1000)
		}
		jobs = append(jobs, r.job)
		names = append(names, r.name)
	}
	plan, err := sweep.plan()
	if err != nil {
		return nil, err
	}
	jobs = append(jobs, plan.Jobs...)
	results, stop := runAll(ctx, setup, "reproduce", jobs, names...)
	if stop != nil && !interrupted(stop) {
		return nil, stop
	}

	res := &ReproduceResult{Out: setup.Out}
	var cpu time.Duration
	for i, r := range single {
		scale, noise := setup.Scale, 0.0
		if r.name == RunSmallInit {
			scale = cfg.SmallInitScale
		}
		if r.name == RunLabelNoise {
			noise = cfg.NoiseSigma
		}
		res.Runs = append(res.Runs, runRow(r.name, setup.Seed, scale, noise, results[i]))
		res.History = append(res.History, historyRows(r.name, results[i])...)
	}
	sweepRows, sweepHistory := sweep.collect(plan, results[len(single):])
	res.Sweep = runRows(sweepRows)
	res.History = append(res.History, sweepHistory...)
	for _, r := range results {
		cpu += r.Runtime
	}
	res.Summary = summarize(setup, &cfg, res)
	res.Summary.Interrupted = stop != nil
	res.Summary.TotalSteps = 0
	for _, r := range results {
		res.Summary.TotalSteps += r.Steps
	}
	res.Summary.MicrosecondsPerStep = Number(float64(cpu.Microseconds()) / float64(max(1, res.Summary.TotalSteps)))

	if err := out.writeSweepFigures(sweepRows, sweep.seeds(), float64(res.Summary.ConstantTestMSE)); err != nil {
		return nil, err
	}
	if err := WriteRuns(out.path("runs.csv"), RunsColumns, res.Runs); err != nil {
		return nil, err
	}
	if err := WriteHistory(out.path("history.csv"), res.History); err != nil {
		return nil, err
	}
	title := fmt.Sprintf("Label noise vs plain GD (lr %g) and small init", cfg.NoiseLR)
	if err := out.saveFigure("curves")(CurvesFigure(title, res.History, RunLabelNoise, RunPlain, RunSmallInit)); err != nil {
		return nil, err
	}
	regTitle := fmt.Sprintf("Label-noise regularizer along label-noise and plain GD (lr %g)", cfg.NoiseLR)
	if err := out.saveFigure("regularizer")(RegularizerFigure(regTitle, res.History, RunLabelNoise, RunPlain)); err != nil {
		return nil, err
	}
	res.Summary.WallSeconds = Number(wallSeconds(start))
	res.Summary.PeakRSSMB = Number(peakRSSMB())
	res.Summary.ComputedBy = computedBy()
	res.Summary.RNG, res.Summary.Dtype = setup.RNG, setup.Dtype
	if err := out.writeJSON("summary.json", res.Summary); err != nil {
		return nil, err
	}
	return res, stop
}

func summarize(setup *Setup, cfg *ReproduceSettings, res *ReproduceResult) Summary {
	s := Summary{
		Headline:        headline(setup, res.Sweep[:len(res.Sweep)/max(1, cfg.Seeds)]),
		Seeds:           max(1, cfg.Seeds),
		SmallLR:         Number(cfg.SmallLR),
		NoiseLR:         Number(cfg.NoiseLR),
		LabelNoiseSteps: cfg.NoiseSteps,
		SmallInitScale:  Number(cfg.SmallInitScale),
		Workers:         setup.Workers, Seed: setup.Seed, N: setup.N, Dim: setup.Dim, Width: setup.Width, Arch: setup.Arch,
	}
	for _, r := range res.Runs {
		switch r.Run {
		case RunSmallLR:
			s.SmallLRTestMSE = Number(r.TestMSE)
		case RunPlain:
			s.PlainNoiseLRTestMSE = Number(r.TestMSE)
		case RunLabelNoise:
			s.LabelNoiseTestMSE = Number(r.TestMSE)
		case RunSmallInit:
			s.SmallInitTestMSE = Number(r.TestMSE)
			s.SmallInitStatus = string(r.Status)
		}
	}
	s.Checks = []Check{
		{fmt.Sprintf("GD at lr %g reaches test MSE ≥ 0.05", cfg.SmallLR), s.SmallLRTestMSE >= 0.05},
		{"the best converged lr of the grid gives ≥ 10× less test MSE than lr " + fmt.Sprint(cfg.SmallLR),
			s.BestTestMSE*10 <= s.SmallLRTestMSE},
		{"some lr of the grid diverges", !math.IsNaN(float64(s.FirstDivergedLR))},
		{fmt.Sprintf("label noise at lr %g beats plain GD at lr %g", cfg.NoiseLR, cfg.NoiseLR), s.LabelNoiseTestMSE < s.PlainNoiseLRTestMSE},
		{fmt.Sprintf("small initialization (scale %g) gives ≥ 10× less test MSE than plain GD at lr %g", cfg.SmallInitScale, cfg.SmallLR),
			s.SmallInitTestMSE*10 <= s.SmallLRTestMSE},
	}
	return s
}

// ReadSummary reads the summary.json that Reproduce writes.
func ReadSummary(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("experiment: %s: %w", path, err)
	}
	return &s, nil
}

// WriteTable prints the headline numbers beside the blog's, and the checks.
func (r *ReproduceResult) WriteTable(w io.Writer) error { return r.Summary.WriteTable(w) }

// WriteTable prints the headline numbers beside the blog's, and the checks.
func (s *Summary) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	f := func(v Number) string {
		if math.IsNaN(float64(v)) {
			return "—"
		}
		return fmt.Sprintf("%.4g", float64(v))
	}
	fmt.Fprintf(tw, "quantity\tigr\tblog\n")
	fmt.Fprintf(tw, "test MSE, constant predictor 1\t%s\t%.2f\n", f(s.ConstantTestMSE), Blog.ConstantTestMSE)
	fmt.Fprintf(tw, "test MSE, GD lr %g\t%s\t%.2f\n", float64(s.SmallLR), f(s.SmallLRTestMSE), Blog.SmallLRTestMSE)
	fmt.Fprintf(tw, "best converged lr of the grid\t%s\t%s\n", f(s.BestLR), Blog.BestLR)
	fmt.Fprintf(tw, "test MSE at the best lr\t%s\t≈%.3f\n", f(s.BestTestMSE), Blog.BestTestMSE)
	fmt.Fprintf(tw, "first diverging lr of the grid\t%s\t%.3f\n", f(s.FirstDivergedLR), Blog.FirstDivergedLR)
	fmt.Fprintf(tw, "test MSE, GD lr %g\t%s\t%.2f\n", float64(s.NoiseLR), f(s.PlainNoiseLRTestMSE), Blog.SmallLRTestMSE)
	fmt.Fprintf(tw, "test MSE, label noise lr %g, %d steps\t%s\t%.2f\n", float64(s.NoiseLR), s.LabelNoiseSteps, f(s.LabelNoiseTestMSE), Blog.LabelNoiseTestMSE)
	fmt.Fprintf(tw, "test MSE, small init (scale %g) lr %g\t%s\t%.2f\n", float64(s.SmallInitScale), float64(s.SmallLR), f(s.SmallInitTestMSE), Blog.SmallInitTestMSE)
	fmt.Fprintf(tw, "gradient steps, all runs\t%d\t\n", s.TotalSteps)
	fmt.Fprintf(tw, "wall time (%d workers, %s kernel)\t%.1f s\t\n", s.Workers, s.Kernel, float64(s.WallSeconds))
	fmt.Fprintf(tw, "peak memory\t%.0f MB\t\n", float64(s.PeakRSSMB))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	for _, c := range s.Checks {
		mark := "yes"
		if !c.Holds {
			mark = "NO "
		}
		if _, err := fmt.Fprintf(w, "[%s] %s\n", mark, c.Claim); err != nil {
			return err
		}
	}
	return nil
}

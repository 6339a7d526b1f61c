package reproduce

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/experiment/grids"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/sysmem"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/plots"
)

func init() {
	experiment.Declare(
		&experiment.Param{Name: "small-lr", Usage: "learning rate of the first run and of the small-initialization run", Range: experiment.Positive},
		&experiment.Param{Name: "noise-lr", Usage: "learning rate of the label-noise run (and of plain GD beside it)", Range: experiment.Positive},
		&experiment.Param{Name: "small-init-scale", Usage: "output divisor of the small-initialization run", Range: experiment.Positive},
	)
}

// Settings configure Reproduce. Zero values mean the blog's choices.
type Settings struct {
	experiment.Config

	// LRs is the learning-rate grid of the sweep. Nil means BlogGrid.
	LRs []float64 `igr:"lrs" default:"0.001:0.15:0.005"`

	// SmallLR is the learning rate of the blog's first run, 0.01.
	SmallLR float64 `igr:"small-lr" default:"0.01"`

	// NoiseLR is the learning rate of the label-noise run, 0.03; plain GD
	// runs at it too, for comparison.
	NoiseLR float64 `igr:"noise-lr" default:"0.03"`

	// NoiseSigma is the standard deviation of the label noise, 1.
	NoiseSigma float64 `igr:"sigma,positive" default:"1" usage:"standard deviation of the label noise"`

	// NoiseSteps is the length of the label-noise run, 100,000.
	NoiseSteps int `igr:"noise-steps" default:"100000"`

	// SmallInitScale is the output divisor of the small-initialization run,
	// 100; it trains at SmallLR.
	SmallInitScale float64 `igr:"small-init-scale" default:"100"`

	// HistoryEvery is the interval of the recorded history of the runs that
	// stop on convergence. Zero means 10; the label-noise run records every
	// NoiseSteps/1000 steps.
	HistoryEvery int `igr:"history-every" default:"10"`

	// Seeds, if more than 1, runs the sweep for that many data and
	// initialization seeds, Seed, Seed+1, …; the sweep figure shows the
	// spread, sweep_bands.csv has it, and summary.json has each seed's
	// numbers and theirs over the seeds. The other runs and numbers are
	// Seed's.
	Seeds int `igr:"seeds" default:"1" usage:"run the sweep for this many seeds (-seed, -seed+1, …) and draw the spread"`
}

// Summary holds the headline numbers of Reproduce, written to summary.json:
// the headlines of the sweep and of the blog's single runs (GD at a small
// learning rate, label noise, small initialization), what the runs cost and
// how they were configured. Numbers that do not exist (no run diverged, say) are
// null. The headline of the sweep, and every other number, is Seed's; over
// several seeds, SweepPerSeed and SweepOverSeeds give the sweep's headline
// for each seed and over them.
type Summary struct {
	experiment.Headline
	SweepPerSeed   []grids.SeedHeadline `json:"sweep_per_seed,omitempty"`
	SweepOverSeeds *grids.SeedsHeadline `json:"sweep_over_seeds,omitempty"`
	SmallLRHeadline
	LabelNoiseHeadline
	SmallInitHeadline
	TotalSteps          int               `json:"total_steps"`
	Seeds               int               `json:"seeds"`
	WallSeconds         experiment.Number `json:"wall_seconds"`
	MicrosecondsPerStep experiment.Number `json:"cpu_microseconds_per_step"`
	PeakRSSMB           experiment.Number `json:"peak_rss_mb"`
	experiment.GridRuns
	experiment.ComputedBy
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

// SmallLRHeadline is the blog's first run: GD at a small learning rate and
// the test MSE it ends at.
type SmallLRHeadline struct {
	SmallLR        experiment.Number `json:"small_lr"`
	SmallLRTestMSE experiment.Number `json:"small_lr_test_mse"`
}

// LabelNoiseHeadline is the label-noise experiment: the test MSE of GD with
// label noise, run for a fixed number of steps, and of plain GD at the same
// learning rate.
type LabelNoiseHeadline struct {
	NoiseLR             experiment.Number `json:"noise_lr"`
	PlainNoiseLRTestMSE experiment.Number `json:"plain_noise_lr_test_mse"`
	LabelNoiseTestMSE   experiment.Number `json:"label_noise_test_mse"`
	LabelNoiseSteps     int               `json:"label_noise_steps"`
}

// SmallInitHeadline is the small-initialization experiment: the output
// divisor, and the test MSE and status GD ends with at the small learning
// rate.
type SmallInitHeadline struct {
	SmallInitScale   experiment.Number `json:"small_init_scale"`
	SmallInitTestMSE experiment.Number `json:"small_init_test_mse"`
	SmallInitStatus  string            `json:"small_init_status"`
}

// Result is what Reproduce computed.
type Result struct {
	Summary Summary
	Sweep   []experiment.RunRow
	Runs    []experiment.RunRow
	History []experiment.HistoryRow
	Out     string

	sweepFiles []experiment.File
}

// The names of Reproduce's single runs in runs.csv and history.csv.
const (
	RunSmallLR    = "small_lr"
	RunPlain      = "plain"
	RunLabelNoise = "label_noise"
	RunSmallInit  = "small_init"
)

// Reproduce runs every experiment of the blog post on one data set and one
// initialization and writes the results to its folder: data.csv, sweep.csv,
// runs.csv, history.csv, summary.json and the figures data, sweep, curves
// and regularizer (PNG and SVG).
var Reproduce = &experiment.Experiment[*Settings, *grids.Run, *Result]{
	Name:    "reproduce",
	Summary: "run every experiment of the blog post and write its numbers and figures",
	Usage:   "[-out DIR] [-seed N] [-lrs FROM:TO:STEP] [-noise-steps N] [flags]",
	Prepare: func(c *Settings) (*experiment.Prepared[*grids.Run], error) {
		// Label-noise and plain GD record the label-noise regularizer.
		sweep, err := grids.NewSweep(experiment.RunSpec{Config: c.Config, HistoryEvery: c.HistoryEvery}, c.LRs, c.Seeds,
			experiment.Shard{}, train.Footprint{Runs: 4, Graph: train.RegularizedGraph})
		if err != nil {
			return nil, err
		}
		return &experiment.Prepared[*grids.Run]{Data: sweep.Setup().Data(), Identity: sweep.Identity(), State: sweep}, nil
	},
	Execute: execute,
}

func execute(ctx context.Context, c *Settings, sweep *grids.Run, env *experiment.Env) (*Result, error) {
	setup := sweep.Setup()
	// The single runs come first, longest first, then the sweep from the
	// smallest learning rate (the slowest) up, so that the workers finish
	// together.
	single := []experiment.Job{
		{Name: RunSmallInit, Job: train.Job{Problem: setup.WithScale(c.SmallInitScale), Settings: setup.Settings(c.SmallLR)}},
		{Name: RunLabelNoise, Job: train.Job{Problem: setup.Problem, Settings: setup.Settings(c.NoiseLR)}},
		{Name: RunPlain, Job: train.Job{Problem: setup.Problem, Settings: setup.Settings(c.NoiseLR)}},
		{Name: RunSmallLR, Job: train.Job{Problem: setup.Problem, Settings: setup.Settings(c.SmallLR)}},
	}
	single[1].Settings.LabelNoise = c.NoiseSigma
	single[1].Settings.Steps = c.NoiseSteps
	// The label-noise regularizer, recorded along label-noise and plain GD.
	reg := []graph.Penalty{regularizer.LabelNoise{Eta: c.NoiseLR, Sigma: c.NoiseSigma}}
	single[1].Settings.Measures, single[2].Settings.Measures = reg, reg
	for i := range single {
		single[i].Settings.HistoryEvery = c.HistoryEvery
		if single[i].Name == RunLabelNoise {
			single[i].Settings.HistoryEvery = max(1, c.NoiseSteps/1000)
		}
	}
	plan, err := sweep.Plan()
	if err != nil {
		return nil, err
	}
	jobs := single
	for _, j := range plan.Jobs {
		jobs = append(jobs, experiment.Job{Job: j})
	}
	all, names, err := experiment.JobPlan(jobs)
	if err != nil {
		return nil, err
	}
	outcomes, stop := env.Grid(ctx, "reproduce", setup.Workers, all, names...)
	if stop != nil && outcomes == nil {
		return nil, stop
	}
	results := make([]*train.Result, len(outcomes))
	for i, o := range outcomes {
		results[i] = o.Result
	}

	res := &Result{Out: env.Dir}
	var cpu time.Duration
	for i, r := range single {
		scale, noise := setup.Scale, 0.0
		if r.Name == RunSmallInit {
			scale = c.SmallInitScale
		}
		if r.Name == RunLabelNoise {
			noise = c.NoiseSigma
		}
		res.Runs = append(res.Runs, experiment.RunRowOf(r.Name, setup.Seed, scale, noise, results[i]))
		res.History = append(res.History, experiment.HistoryRows(r.Name, results[i])...)
	}
	sweepRows, sweepHistory := sweep.Collect(plan.Outcomes(results[len(single):]))
	res.Sweep = grids.RunRows(sweepRows)
	res.History = append(res.History, sweepHistory...)
	headlines, sweepFiles := grids.SweepOutputs(sweepRows, sweep.Seeds(), setup.Tol, setup.Data().Test)
	res.sweepFiles = sweepFiles
	res.Summary = summarize(c, setup, res, headlines)
	res.Summary.Interrupted = stop != nil
	for _, r := range results {
		cpu += r.Runtime
		res.Summary.TotalSteps += r.Steps
	}
	res.Summary.MicrosecondsPerStep = experiment.Number(float64(cpu.Microseconds()) / float64(max(1, res.Summary.TotalSteps)))
	res.Summary.WallSeconds = experiment.Number(env.WallSeconds())
	res.Summary.PeakRSSMB = experiment.Number(sysmem.PeakRSSMB())
	res.Summary.GridRuns = env.GridRuns()
	res.Summary.ComputedBy = experiment.Provenance()
	return res, stop
}

// summarize reads the headline numbers and checks the blog's claims.
func summarize(c *Settings, setup *experiment.Setup, res *Result, sweep grids.Headlines) Summary {
	s := Summary{
		Seeds:              max(1, c.Seeds),
		SmallLRHeadline:    SmallLRHeadline{SmallLR: experiment.Number(c.SmallLR)},
		LabelNoiseHeadline: LabelNoiseHeadline{NoiseLR: experiment.Number(c.NoiseLR), LabelNoiseSteps: c.NoiseSteps},
		SmallInitHeadline:  SmallInitHeadline{SmallInitScale: experiment.Number(c.SmallInitScale)},
		RNG:                setup.RNG, Dtype: setup.Dtype,
		Workers: setup.Workers, Seed: setup.Seed, N: setup.N, Dim: setup.Dim, Width: setup.Width, Arch: setup.Arch,
	}
	if sweep.Headline != nil {
		s.Headline = *sweep.Headline
	} else {
		s.Headline = sweep.PerSeed[0].Headline
		s.SweepPerSeed, s.SweepOverSeeds = sweep.PerSeed, sweep.OverSeeds
	}
	for _, r := range res.Runs {
		switch r.Run {
		case RunSmallLR:
			s.SmallLRTestMSE = experiment.Number(r.TestMSE)
		case RunPlain:
			s.PlainNoiseLRTestMSE = experiment.Number(r.TestMSE)
		case RunLabelNoise:
			s.LabelNoiseTestMSE = experiment.Number(r.TestMSE)
		case RunSmallInit:
			s.SmallInitTestMSE = experiment.Number(r.TestMSE)
			s.SmallInitStatus = string(r.Status)
		}
	}
	s.Checks = checks(c, &s)
	return s
}

// Files are sweep.csv (and over several seeds sweep_bands.csv) and the
// sweep figure, runs.csv, history.csv, the curves and regularizer figures,
// and summary.json.
func (r *Result) Files() []experiment.File {
	title := fmt.Sprintf("Label noise vs plain GD (lr %g) and small init", float64(r.Summary.NoiseLR))
	regTitle := fmt.Sprintf("Label-noise regularizer along label-noise and plain GD (lr %g)", float64(r.Summary.NoiseLR))
	return append(r.sweepFiles,
		experiment.RunsFile("runs.csv", experiment.RunsColumns, r.Runs),
		experiment.HistoryFile(0, false, r.History),
		experiment.FigureFile("curves", func() (*plots.Plot, error) {
			return experiment.CurvesFigure(title, r.History, RunLabelNoise, RunPlain, RunSmallInit)
		}),
		experiment.FigureFile("regularizer", func() (*plots.Plot, error) {
			return experiment.RegularizerFigure(regTitle, r.History, RunLabelNoise, RunPlain)
		}),
		experiment.JSONFile("summary.json", r.Summary),
	)
}

// ReadSummary reads the summary.json that Reproduce writes.
func ReadSummary(path string) (*Summary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reproduce: %w", err)
	}
	var s Summary
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("reproduce: %s: %w", path, err)
	}
	return &s, nil
}

// WriteTable prints the headline numbers beside the blog's, and the checks.
func (r *Result) WriteTable(w io.Writer) error { return r.Summary.WriteTable(w) }

// WriteTable prints the headline numbers beside the blog's, and the checks.
func (s *Summary) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	f := func(v experiment.Number) string { return experiment.FormatNumber(v, "%.4g") }
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
	if s.RunsFromJournal > 0 {
		fmt.Fprintf(tw, "runs taken from the journal, trained now\t%d, %d\t\n", s.RunsFromJournal, s.RunsComputed)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if o := s.SweepOverSeeds; o != nil {
		fmt.Fprintf(w, "\nseed %d above; over the %d seeds of the sweep: best lr %s (median test MSE %s), first lr where a seed diverges %s\n",
			s.Seed, s.Seeds, f(o.BestLR), f(o.BestMedianTestMSE), f(o.FirstDivergedLR))
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

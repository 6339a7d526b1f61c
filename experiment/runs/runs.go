package runs

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/atomicfile"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/plots"
	"github.com/igr-project/igr/train/regime"
)

// The names of the runs in runs.csv and history.csv: Train's full-batch GD
// or minibatch SGD; Noise's label-noise and plain runs.
const (
	RunGD         = "gd"
	RunSGD        = "sgd"
	RunLabelNoise = "label_noise"
	RunPlain      = "plain"
)

// TrainSettings configure Train: one run as RunSpec says, and its
// checkpoints.
type TrainSettings struct {
	experiment.RunSpec
	// Checkpoint, if set, is the file the run's state is saved to every
	// CheckpointEvery steps (zero means 10,000) and when it is interrupted.
	Checkpoint      string `igr:"checkpoint"`
	CheckpointEvery int    `igr:"checkpoint-every" default:"10000"`
	// Resume, if set, is a checkpoint file of this very run to continue
	// from; the result is bit-identical to that of a run never stopped.
	Resume string `igr:"resume"`
}

// Result is what Train and Noise computed: one or more runs on one
// problem.
type Result struct {
	Runs    []experiment.RunRow
	History []experiment.HistoryRow
	// Params are the final parameters of each run, nil for a run never
	// started.
	Params      []graph.Params
	Out         string
	WallSeconds float64

	arch    graph.Architecture
	title   string
	names   []string
	batch   int
	tracked bool // the runs track their sharpness
	regimes []regime.Regime
	ratios  []float64 // sharpness_max_ratio of each run
	seed    uint64
	sizes   [3]int // n, dim, width
	name    string // the architecture's
}

// summary is the summary.json of Train and Noise.
type summary struct {
	Runs        []runSummary      `json:"runs"`
	WallSeconds experiment.Number `json:"wall_seconds"`
	Seed        uint64            `json:"seed"`
	N           int               `json:"n"`
	Dim         int               `json:"dim"`
	Width       int               `json:"width"`
	Arch        string            `json:"arch"`
	Batch       int               `json:"batch,omitempty"`
	Interrupted bool              `json:"interrupted"`
	experiment.ComputedBy
}

type runSummary struct {
	Run        string            `json:"run"`
	LR         experiment.Number `json:"lr"`
	LabelNoise experiment.Number `json:"label_noise"`
	Status     string            `json:"status"`
	Steps      int               `json:"steps"`
	TrainMSE   experiment.Number `json:"train_mse"`
	TestMSE    experiment.Number `json:"test_mse"`
	GradNormSq experiment.Number `json:"grad_norm_sq"`
	// SGDReg is there for runs with a batch size.
	SGDReg *experiment.Number `json:"sgd_reg,omitempty"`
	experiment.RunCurvature
}

// trainRun is what Train prepared: the setup and the run's settings.
type trainRun struct {
	setup *experiment.Setup
	st    train.Settings
}

// Train trains one model at one learning rate and writes data.csv, runs.csv,
// history.csv, summary.json, the curves figure and the final parameters to
// its folder: params_<name>.csv for each parameter of the architecture
// (params_A.csv and params_b.csv for the quadratic network), a matrix of its
// shape (experiment.ParamsFile); the folder is an -init of every parameter
// (experiment.ReadParams). With a Batch it trains by
// minibatch SGD, and runs.csv and summary.json report sgd_reg, the SGD
// regularizer at the final parameters.
var Train = &experiment.Experiment[*TrainSettings, *trainRun, *Result]{
	Name:    "train",
	Summary: "train by gradient descent, or minibatch SGD with -batch, at one learning rate",
	Usage:   "-lr η [-steps N] [-batch B] [-out DIR] [flags]",
	Prepare: func(c *TrainSettings) (*experiment.Prepared[*trainRun], error) {
		if err := c.RunSpec.Check(); err != nil {
			return nil, err
		}
		setup, err := c.ResolveFor(train.Footprint{Graph: c.RunSpec.Graph()})
		if err != nil {
			return nil, err
		}
		if err := setup.CheckBatch(c.Batch); err != nil {
			return nil, err
		}
		st := c.RunSpec.Settings(setup)
		// With a batch size the run records the SGD regularizer.
		st.Measures = sgdMeasures(c.LR, c.Batch)
		if st.HistoryEvery == 0 {
			st.HistoryEvery = max(10, setup.EpochSteps(c.Batch))
		}
		st.Fingerprint = experiment.RunFingerprint(setup, &st)
		if c.Resume != "" {
			if st.Resume, err = train.ReadCheckpoint(c.Resume); err != nil {
				return nil, fmt.Errorf("%w: -resume: %w", experiment.ErrConfig, err)
			}
			if st.Resume.Fingerprint != st.Fingerprint {
				return nil, fmt.Errorf("%w: -resume %s was saved by another run (settings, data or initialization differ)", experiment.ErrConfig, c.Resume)
			}
		}
		if c.Checkpoint != "" {
			st.CheckpointEvery = c.CheckpointEvery
			path := c.Checkpoint
			st.Checkpoint = func(ck *train.Checkpoint) error { return ck.WriteFile(path) }
		}
		return &experiment.Prepared[*trainRun]{Data: setup.Data(), Identity: experiment.SetupIdentity(setup), State: &trainRun{setup, st}}, nil
	},
	Execute: func(ctx context.Context, c *TrainSettings, p *trainRun, env *experiment.Env) (*Result, error) {
		name, title := RunGD, fmt.Sprintf("GD at lr %g", c.LR)
		if c.Batch > 0 {
			name, title = RunSGD, fmt.Sprintf("SGD at lr %g, batches of %d", c.LR, c.Batch)
		}
		if c.Lambda > 0 {
			title += fmt.Sprintf(" on L + %g‖∇L‖²", c.Lambda)
		}
		return run(ctx, env, p.setup, title, experiment.Job{Name: name, Job: train.Job{Problem: p.setup.Problem, Settings: p.st}})
	},
}

// sgdMeasures returns the SGD regularizer and its Γ term for step lr and
// batches of batch, to record along runs with a batch size; nil for batch 0.
func sgdMeasures(lr float64, batch int) []graph.Penalty {
	if batch == 0 {
		return nil
	}
	return []graph.Penalty{regularizer.SGD{Eta: lr, Batch: batch}, regularizer.SGDNoise{Eta: lr, Batch: batch}}
}

// NoiseSettings configure Noise.
type NoiseSettings struct {
	experiment.Config
	// LR is the learning rate. Zero means 0.03.
	LR float64 `igr:"lr" default:"0.03"`
	// Sigma is the standard deviation of the label noise. Zero means 1.
	Sigma float64 `igr:"sigma,positive" default:"1"`
	// Steps is the number of steps of the label-noise run. Zero means
	// 100,000.
	Steps int `igr:"steps" default:"100000" usage:"steps of the label-noise run"`
	// HistoryEvery is the interval of the recorded history. Zero means
	// Steps/1000 for the label-noise run, and 10 (or one epoch of SGD if
	// longer) for the plain run.
	HistoryEvery int `igr:"history-every"`
	// Batch, if positive, makes both runs minibatch SGD with batches of
	// Batch examples, label noise drawn for each batch's examples, and
	// records the SGD regularizer and its Γ term along them.
	Batch int `igr:"batch"`
	// TrackSharpness, if positive, tracks the sharpness of both runs every
	// that many steps (experiment.TrackSettings).
	TrackSharpness int `igr:"track-sharpness"`
}

// Noise trains with label noise for a fixed number of steps and, beside it,
// plain GD at the same learning rate to the tolerance, and writes data.csv,
// runs.csv (runs label_noise and plain), history.csv, summary.json and the
// curves and regularizer figures to its folder. With a Batch both runs are
// minibatch SGD.
var Noise = &experiment.Experiment[*NoiseSettings, *experiment.Setup, *Result]{
	Name:    "noise",
	Summary: "train with label noise for a fixed number of steps, beside plain GD",
	Usage:   "[-lr η] [-sigma σ] [-steps N] [-batch B] [-out DIR] [flags]",
	Prepare: func(c *NoiseSettings) (*experiment.Prepared[*experiment.Setup], error) {
		// Both runs record the label-noise regularizer.
		p, err := experiment.PrepareSetup(&c.Config, train.Footprint{Runs: 2, Graph: train.RegularizedGraph})
		if err != nil {
			return nil, err
		}
		return p, p.State.CheckBatch(c.Batch)
	},
	Execute: func(ctx context.Context, c *NoiseSettings, setup *experiment.Setup, env *experiment.Env) (*Result, error) {
		noisy := setup.Settings(c.LR)
		noisy.LabelNoise, noisy.Steps, noisy.Batch = c.Sigma, c.Steps, c.Batch
		noisy.HistoryEvery = defaultInt(c.HistoryEvery, max(1, c.Steps/1000))
		plain := setup.Settings(c.LR)
		plain.Batch = c.Batch
		plain.HistoryEvery = defaultInt(c.HistoryEvery, max(10, setup.EpochSteps(c.Batch)))
		// The label-noise regularizer, recorded along both runs, and with a
		// batch the SGD regularizer and its Γ term.
		noisy.Measures = append([]graph.Penalty{regularizer.LabelNoise{Eta: c.LR, Sigma: c.Sigma}}, sgdMeasures(c.LR, c.Batch)...)
		plain.Measures = noisy.Measures
		noisy, plain = experiment.TrackSettings(noisy, c.TrackSharpness), experiment.TrackSettings(plain, c.TrackSharpness)
		title := fmt.Sprintf("Label noise σ=%g vs plain GD, lr %g", c.Sigma, c.LR)
		if c.Batch > 0 {
			title = fmt.Sprintf("Label noise σ=%g vs plain SGD, lr %g, batches of %d", c.Sigma, c.LR, c.Batch)
		}
		return run(ctx, env, setup, title,
			experiment.Job{Name: RunLabelNoise, Job: train.Job{Problem: setup.Problem, Settings: noisy}},
			experiment.Job{Name: RunPlain, Job: train.Job{Problem: setup.Problem, Settings: plain}})
	},
}

func defaultInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// run runs named jobs in parallel and collects their result.
func run(ctx context.Context, env *experiment.Env, setup *experiment.Setup, title string, jobs ...experiment.Job) (*Result, error) {
	label := "train"
	if len(jobs) > 1 {
		label = "noise"
	}
	results, stop := env.Train(ctx, label, setup.Workers, jobs...)
	if stop != nil && results == nil {
		return nil, stop
	}
	batch := jobs[0].Settings.Batch // the same for every job
	tracked := jobs[0].Settings.TrackSharpness > 0
	res := &Result{Out: env.Dir, arch: setup.Problem.Arch, title: title, batch: batch, tracked: tracked, seed: setup.Seed,
		sizes: [3]int{setup.N, setup.Dim, setup.Width}, name: setup.Arch}
	for i, j := range jobs {
		r := experiment.RunRowOf(j.Name, setup.Seed, setup.Scale, j.Settings.LabelNoise, results[i])
		r.Batch = batch
		res.Runs = append(res.Runs, r)
		reg, ratio := experiment.RegimeOf(results[i], &j.Settings)
		res.regimes, res.ratios = append(res.regimes, reg), append(res.ratios, ratio)
		res.History = append(res.History, experiment.HistoryRows(j.Name, results[i])...)
		res.Params = append(res.Params, results[i].Params)
		res.names = append(res.names, j.Name)
	}
	res.WallSeconds = env.WallSeconds()
	return res, stop
}

// Files are runs.csv, history.csv, summary.json, the curves figure, the
// label-noise regularizer's figure (and with a batch size the SGD
// regularizer's), and for Train's single run its final parameters.
func (r *Result) Files() []experiment.File {
	files := []experiment.File{
		experiment.RunsFile("runs.csv", experiment.ColumnsFor(r.batch, experiment.RunsColumns, experiment.RunsSGDColumns), r.Runs),
		experiment.HistoryFile(r.batch, r.tracked, r.History),
		experiment.FigureFile("curves", func() (*plots.Plot, error) { return experiment.CurvesFigure(r.title, r.History, r.names...) }),
		experiment.FigureFile("regularizer", func() (*plots.Plot, error) {
			return experiment.RegularizerFigure("Label-noise regularizer along the runs", r.History, r.names...)
		}),
	}
	if r.batch > 0 {
		var curves []experiment.TermCurve
		for _, name := range r.names {
			curves = append(curves, experiment.TermCurve{Run: name, Term: "label_noise_reg"}, experiment.TermCurve{Run: name, Term: "sgd_noise_reg"})
		}
		files = append(files, experiment.FigureFile("sgd_regularizer", func() (*plots.Plot, error) {
			return experiment.TermsFigure(fmt.Sprintf("Regularizers of batch noise (B=%d) and label noise", r.batch), "regularizer", r.History, curves...)
		}))
	}
	if r.tracked {
		files = append(files, experiment.FigureFile("sharpness", func() (*plots.Plot, error) {
			return experiment.SharpnessFigure("Sharpness along the runs: "+r.title, r.History, r.names...)
		}))
	}
	files = append(files, experiment.JSONFile("summary.json", r.summary()))
	if len(r.Params) == 1 && r.Params[0] != nil {
		for i, spec := range r.arch.Params() {
			values := r.Params[0].Values(i)
			files = append(files, experiment.File{Name: experiment.ParamsFile(spec.Name), Write: func(path string) error {
				return atomicfile.WriteFile(path, func(w io.Writer) error { return dataset.WriteMatrix(w, values, spec.Cols) })
			}})
		}
	}
	return files
}

// summary is summary.json.
func (r *Result) summary() summary {
	s := summary{Seed: r.seed, N: r.sizes[0], Dim: r.sizes[1], Width: r.sizes[2], Arch: r.name, Batch: r.batch,
		WallSeconds: experiment.Number(r.WallSeconds), ComputedBy: experiment.Provenance()}
	for i, x := range r.Runs {
		s.Interrupted = s.Interrupted || x.Status == train.Interrupted
		rs := runSummary{Run: x.Run, LR: experiment.Number(x.LR), LabelNoise: experiment.Number(x.LabelNoise),
			Status: string(x.Status), Steps: x.Steps, TrainMSE: experiment.Number(x.TrainMSE), TestMSE: experiment.Number(x.TestMSE),
			GradNormSq:   experiment.Number(x.GradNormSq),
			RunCurvature: experiment.CurvatureOf(x.SharpnessInit, x.SharpnessFinal, x.LR)}
		if r.batch > 0 {
			v := experiment.Number(x.SGDReg)
			rs.SGDReg = &v
		}
		if r.tracked {
			rs.SetRegime(r.regimes[i], r.ratios[i])
		}
		s.Runs = append(s.Runs, rs)
	}
	return s
}

// Warnings say which runs diverged: a result, not a failure (the command
// exits 0), but one whose final parameters are not a trained network.
func (r *Result) Warnings() []string {
	var out []string
	for _, x := range r.Runs {
		if x.Status != train.Diverged {
			continue
		}
		w := fmt.Sprintf("%s diverged after %d steps at lr %g (training MSE %.3g)", x.Run, x.Steps, x.LR, x.TrainMSE)
		if len(r.Runs) == 1 {
			w += "; the parameters written are those it diverged to"
		}
		out = append(out, w)
	}
	return out
}

// WriteTable prints one line per run.
func (r *Result) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	sgd := len(r.Runs) > 0 && r.Runs[0].Batch > 0
	fmt.Fprintf(tw, "run\tlr\tlabel noise\tstatus\tsteps\ttrain MSE\ttest MSE\t‖∇L‖²")
	if sgd {
		fmt.Fprintf(tw, "\tbatch\tSGD reg")
	}
	fmt.Fprintf(tw, "\tsharpness init\tfinal\t2/η")
	if r.tracked {
		fmt.Fprintf(tw, "\tregime\tmax ηS/2")
	}
	fmt.Fprintln(tw)
	for i, x := range r.Runs {
		fmt.Fprintf(tw, "%s\t%g\t%g\t%s\t%d\t%.4g\t%.4g\t%.3g", x.Run, x.LR, x.LabelNoise, x.Status, x.Steps, x.TrainMSE, x.TestMSE, x.GradNormSq)
		if sgd {
			fmt.Fprintf(tw, "\t%d\t%.3g", x.Batch, x.SGDReg)
		}
		fmt.Fprintf(tw, "\t%.4g\t%.4g\t%.4g", x.SharpnessInit, x.SharpnessFinal, 2/x.LR)
		if r.tracked {
			fmt.Fprintf(tw, "\t%s\t%.3g", r.regimes[i], r.ratios[i])
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

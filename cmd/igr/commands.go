package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/igr-project/igr/train/experiment"
	"github.com/igr-project/igr/train/grid"
)

// common holds the flags every command shares.
type common struct {
	fs        *flag.FlagSet
	cfg       *experiment.Config
	quiet     bool
	maxMemory string
}

// configFlags defines the flags every command shares on fs, bound to c.
func configFlags(fs *flag.FlagSet, c *experiment.Config) *common {
	cm := &common{fs: fs, cfg: c}
	fs.StringVar(&c.Out, "out", "out", "output `folder`; everything the run writes goes there")
	fs.Uint64Var(&c.Seed, "seed", 0, "seed of the data, the initialization, the label noise and the order of minibatches")
	fs.IntVar(&c.N, "n", experiment.DefaultN, "training examples; the test set has as many")
	fs.IntVar(&c.Dim, "dim", 0, "input dimension d (default 30, or the data file's)")
	fs.IntVar(&c.Width, "width", 0, "hidden units m (default 100, or the init file's)")
	fs.Float64Var(&c.Scale, "scale", 1, "divide the network's output by this (the blog's small initialization is 100)")
	fs.StringVar(&c.Arch, "arch", "quadratic", "architecture: quadratic or tanh")
	fs.StringVar(&c.RNG, "rng", "igr", "random generator: igr, or torch for PyTorch's CPU generator number for number")
	fs.StringVar(&c.Dtype, "dtype", "float64", "what training computes in: float64 or float32")
	fs.StringVar(&c.DataFile, "data", "", "CSV `file` with header x0,…,x{d-1},y[,split] to use instead of generated data")
	fs.StringVar(&c.InitFile, "init", "", "CSV `file` of the first-layer matrix A, d rows × m columns, no header (igr train writes params_A.csv so); the other parameters start at 0")
	fs.Float64Var(&c.Tol, "tol", 1e-4, "stop when the training MSE is below this")
	fs.IntVar(&c.MaxSteps, "max-steps", 1_000_000, "cap on the steps of a run that stops on convergence")
	fs.IntVar(&c.Workers, "workers", 0, "runs trained in parallel (0 or absent: one per core)")
	fs.StringVar(&cm.maxMemory, "max-memory", "", "refuse runs estimated to need more memory than this `size` (16G, 512M; default: what this machine has available)")
	fs.BoolVar(&cm.quiet, "quiet", false, "do not report progress on standard error")
	return cm
}

// check validates the shared flags and sets where progress goes; extra are
// the command's own flags that must be positive.
func (cm *common) check(env *environment, extra ...flagValue) error {
	c := cm.cfg
	if err := checkPositive(append(extra, flagValue{"scale", c.Scale}, flagValue{"tol", c.Tol}, flagValue{"n", float64(c.N)},
		flagValue{"max-steps", float64(c.MaxSteps)})...); err != nil {
		return err
	}
	// -dim and -width default to the data's or the initialization's shape:
	// only an absent flag means that.
	if err := cm.positiveIfGiven("dim", "width"); err != nil {
		return err
	}
	if c.Workers < 0 {
		return usageError{fmt.Errorf("-workers must be positive (or 0 for one per core), got %d", c.Workers)}
	}
	if c.Out == "" {
		return usageError{fmt.Errorf("-out must name a folder")}
	}
	if cm.given("max-memory") {
		var err error
		if c.MaxMemory, err = experiment.ParseBytes(cm.maxMemory); err != nil {
			return usageError{fmt.Errorf("-max-memory %q is not a positive size such as 16G, 512M or 2000000000", cm.maxMemory)}
		}
	}
	if !cm.quiet {
		c.Log = env.stderr
	}
	return nil
}

// given reports whether the flag name was set on the command line.
func (cm *common) given(name string) bool {
	set := false
	cm.fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// positiveIfGiven returns a usage error if one of the named numeric flags
// was given on the command line with a value that is not positive. Their
// zero default means "not set" (the default of the library), which an
// explicit 0 must not be taken for.
func (cm *common) positiveIfGiven(names ...string) error {
	var err error
	cm.fs.Visit(func(f *flag.Flag) {
		for _, name := range names {
			if f.Name != name || err != nil {
				continue
			}
			if v, perr := strconv.ParseFloat(f.Value.String(), 64); perr != nil || !(v > 0) {
				err = usageError{fmt.Errorf("-%s must be positive, got %s", name, f.Value)}
			}
		}
	})
	return err
}

// checkPositive returns a usage error unless every named flag value is
// positive; flags left at a zero default are the library's to fill.
func checkPositive(values ...flagValue) error {
	for _, f := range values {
		if !(f.value > 0) {
			return usageError{fmt.Errorf("-%s must be positive, got %g", f.name, f.value)}
		}
	}
	return nil
}

// batchFlag defines -batch on fs, bound to b; positiveIfGiven checks it,
// and the library checks it against the number of training examples.
func batchFlag(fs *flag.FlagSet, b *int, help string) {
	fs.IntVar(b, "batch", 0, "minibatch SGD with batches of `B` examples, a fresh order every epoch (default: full batch)"+help)
}

// flagValue is a flag's name and numeric value.
type flagValue struct {
	name  string
	value float64
}

var reproduceCmd = &command{
	name:    "reproduce",
	summary: "run every experiment of the blog post and write its numbers and figures",
	usage:   "[-out DIR] [-seed N] [-lrs FROM:TO:STEP] [-noise-steps N] [flags]",
	setup: func(fs *flag.FlagSet, env *environment) func(context.Context) error {
		s := &experiment.ReproduceSettings{}
		flags := configFlags(fs, &s.Config)
		lrs := fs.String("lrs", experiment.BlogGrid, "learning-rate grid FROM:TO:STEP, or a comma-separated list")
		fs.Float64Var(&s.SmallLR, "small-lr", 0.01, "learning rate of the first run and of the small-initialization run")
		fs.Float64Var(&s.NoiseLR, "noise-lr", 0.03, "learning rate of the label-noise run (and of plain GD beside it)")
		fs.Float64Var(&s.NoiseSigma, "sigma", 1, "standard deviation of the label noise")
		fs.IntVar(&s.NoiseSteps, "noise-steps", 100_000, "steps of the label-noise run")
		fs.Float64Var(&s.SmallInitScale, "small-init-scale", 100, "output divisor of the small-initialization run")
		fs.IntVar(&s.Seeds, "seeds", 1, "run the sweep for this many seeds (-seed, -seed+1, …) and draw the spread")
		return func(ctx context.Context) error {
			if err := flags.check(env, flagValue{"small-lr", s.SmallLR}, flagValue{"noise-lr", s.NoiseLR}, flagValue{"sigma", s.NoiseSigma},
				flagValue{"noise-steps", float64(s.NoiseSteps)}, flagValue{"small-init-scale", s.SmallInitScale}, flagValue{"seeds", float64(s.Seeds)}); err != nil {
				return err
			}
			var err error
			if s.LRs, err = experiment.ParseGrid(*lrs); err != nil {
				return err
			}
			res, err := experiment.Reproduce(ctx, s)
			if err != nil {
				return err
			}
			return env.report(res.Out, res)
		}
	},
}

var trainCmd = &command{
	name:    "train",
	summary: "train by gradient descent, or minibatch SGD with -batch, at one learning rate",
	usage:   "-lr η [-steps N] [-batch B] [-out DIR] [flags]",
	setup: func(fs *flag.FlagSet, env *environment) func(context.Context) error {
		s := &experiment.TrainSettings{}
		flags := configFlags(fs, &s.Config)
		fs.Float64Var(&s.LR, "lr", 0.01, "learning rate η")
		fs.IntVar(&s.Steps, "steps", 0, "take exactly this many steps instead of stopping at -tol")
		fs.IntVar(&s.HistoryEvery, "history-every", 0, "record the loss every this many steps (default 10, or one epoch of -batch if longer)")
		fs.Float64Var(&s.Sigma, "sigma", 0, "train with label noise of this standard deviation (needs -steps)")
		fs.Float64Var(&s.Lambda, "lambda", 0, "train on L + λ‖∇L‖², the explicit gradient-norm regularizer (λ = η/4 for step η)")
		batchFlag(fs, &s.Batch, "; runs.csv and summary.json then report sgd_reg, (η/4) E_B‖∇L_B‖² with η = -lr")
		fs.StringVar(&s.Checkpoint, "checkpoint", "", "save the run's state to this `file` every -checkpoint-every steps")
		fs.IntVar(&s.CheckpointEvery, "checkpoint-every", 10_000, "steps between checkpoints")
		fs.StringVar(&s.Resume, "resume", "", "continue the run saved in this checkpoint `file` (same flags)")
		return func(ctx context.Context) error {
			if err := flags.check(env, flagValue{"lr", s.LR}, flagValue{"checkpoint-every", float64(s.CheckpointEvery)}); err != nil {
				return err
			}
			if err := flags.positiveIfGiven("steps", "history-every", "batch"); err != nil {
				return err
			}
			if s.Sigma < 0 {
				return usageError{fmt.Errorf("-sigma must not be negative, got %g", s.Sigma)}
			}
			if s.Lambda < 0 {
				return usageError{fmt.Errorf("-lambda must not be negative, got %g", s.Lambda)}
			}
			if s.Sigma > 0 && s.Steps == 0 {
				return usageError{fmt.Errorf("-sigma needs -steps: label-noise training runs a fixed number of steps")}
			}
			res, err := experiment.Train(ctx, s)
			if err != nil {
				return err
			}
			return env.report(res.Out, res)
		}
	},
}

var sweepCmd = &command{
	name:    "sweep",
	summary: "train at every learning rate of a grid, in parallel",
	usage:   "[-lrs FROM:TO:STEP] [-batch B] [-out DIR] [flags]",
	setup: func(fs *flag.FlagSet, env *environment) func(context.Context) error {
		s := &experiment.SweepSettings{}
		flags := configFlags(fs, &s.Config)
		lrs := fs.String("lrs", experiment.BlogGrid, "learning-rate grid FROM:TO:STEP, or a comma-separated list")
		fs.IntVar(&s.HistoryEvery, "history-every", 0, "record every run's loss every this many steps in history.csv (0: no history)")
		fs.IntVar(&s.Seeds, "seeds", 1, "train every learning rate for this many seeds (-seed, -seed+1, …) and draw the spread")
		shard := fs.String("shard", "", "train only shard `i/N` of the grid (default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX with -shards)")
		shards := fs.Int("shards", 0, "number of shards, with Kubernetes' JOB_COMPLETION_INDEX")
		batchFlag(fs, &s.Batch, "")
		return func(ctx context.Context) error {
			if err := flags.check(env, flagValue{"seeds", float64(s.Seeds)}); err != nil {
				return err
			}
			if err := flags.positiveIfGiven("shards", "batch"); err != nil {
				return err
			}
			var err error
			if s.Shard, err = resolveShard(*shard, *shards, os.Getenv); err != nil {
				return err
			}
			if s.HistoryEvery < 0 {
				return usageError{fmt.Errorf("-history-every must not be negative, got %d", s.HistoryEvery)}
			}
			if s.LRs, err = experiment.ParseGrid(*lrs); err != nil {
				return err
			}
			res, err := experiment.Sweep(ctx, s)
			if err != nil {
				return err
			}
			return env.reportGrid(s.Shard, len(res.Rows), res.Out, res)
		}
	},
}

var noiseCmd = &command{
	name:    "noise",
	summary: "train with label noise for a fixed number of steps, beside plain GD",
	usage:   "[-lr η] [-sigma σ] [-steps N] [-batch B] [-out DIR] [flags]",
	setup: func(fs *flag.FlagSet, env *environment) func(context.Context) error {
		s := &experiment.NoiseSettings{}
		flags := configFlags(fs, &s.Config)
		fs.Float64Var(&s.LR, "lr", 0.03, "learning rate η")
		fs.Float64Var(&s.Sigma, "sigma", 1, "standard deviation of the label noise")
		fs.IntVar(&s.Steps, "steps", 100_000, "steps of the label-noise run")
		fs.IntVar(&s.HistoryEvery, "history-every", 0, "record the loss every this many steps (default steps/1000)")
		batchFlag(fs, &s.Batch, "; both runs, label noise drawn for each batch")
		return func(ctx context.Context) error {
			if err := flags.check(env, flagValue{"lr", s.LR}, flagValue{"sigma", s.Sigma}, flagValue{"steps", float64(s.Steps)}); err != nil {
				return err
			}
			if err := flags.positiveIfGiven("history-every", "batch"); err != nil {
				return err
			}
			res, err := experiment.Noise(ctx, s)
			if err != nil {
				return err
			}
			return env.report(res.Out, res)
		}
	},
}

var compareCmd = &command{
	name:    "compare",
	summary: "implicit (large-step GD) vs explicit (regularized small-step GD) regularization, side by side",
	usage:   "[-eta η] [-h h] [-noise-steps N] [-batch B] [-sweep [-lrs FROM:TO:STEP]] [-out DIR] [flags]   (help: -help)",
	setup: func(fs *flag.FlagSet, env *environment) func(context.Context) error {
		s := &experiment.CompareSettings{}
		flags := configFlags(fs, &s.Config)
		fs.Float64Var(&s.Eta, "eta", 0.09, "step η of implicit GD; the explicit regularizers use λ = η/4 and η σ²/n²")
		fs.Float64Var(&s.H, "h", 0.01, "small step of the explicit, plain and label-noise runs")
		fs.Float64Var(&s.Sigma, "sigma", 1, "standard deviation of the label noise")
		fs.IntVar(&s.NoiseSteps, "noise-steps", 100_000, "steps of label-noise GD")
		fs.IntVar(&s.HistoryEvery, "history-every", 100, "record the small-step runs every this many steps")
		sweep := fs.Bool("sweep", false, "instead: test MSE against η for implicit GD and for explicit GD at step h with λ = η/4")
		lrs := fs.String("lrs", experiment.BlogGrid, "grid of η for -sweep: FROM:TO:STEP or a comma-separated list")
		fs.IntVar(&s.Batch, "batch", 0, "add minibatch SGD with batches of `B` examples: methods sgd (step η) and explicit_sgd (step h on L + (η/4) E_B‖∇L_B‖²)")
		return func(ctx context.Context) error {
			if err := flags.check(env, flagValue{"eta", s.Eta}, flagValue{"h", s.H}, flagValue{"sigma", s.Sigma},
				flagValue{"noise-steps", float64(s.NoiseSteps)}, flagValue{"history-every", float64(s.HistoryEvery)}); err != nil {
				return err
			}
			if err := flags.positiveIfGiven("batch"); err != nil {
				return err
			}
			if *sweep {
				var err error
				if s.LRs, err = experiment.ParseGrid(*lrs); err != nil {
					return err
				}
				res, err := experiment.CompareSweep(ctx, s)
				if err != nil {
					return err
				}
				return env.report(res.Out, res)
			}
			res, err := experiment.Compare(ctx, s)
			if err != nil {
				return err
			}
			return env.report(res.Out, res)
		}
	},
}

var verifyCmd = &command{
	name:    "verify",
	summary: "check backward error analysis: one GD step against the flows of L and of L + (η/4)‖∇L‖²",
	usage:   "[-etas LIST] [-substeps N] [-out DIR] [flags]",
	setup: func(fs *flag.FlagSet, env *environment) func(context.Context) error {
		s := &experiment.VerifySettings{}
		flags := configFlags(fs, &s.Config)
		etas := fs.String("etas", "", "step sizes, FROM:TO:STEP or a comma-separated list (default 1e-3 to 1e-1, four per decade)")
		fs.IntVar(&s.Substeps, "substeps", 32, "RK4 steps over each time η (the flows are also integrated with twice as many)")
		fs.IntVar(&s.WarmupSteps, "warmup-steps", 20, "GD steps at lr 0.01 from the initialization to the point θ₀")
		return func(ctx context.Context) error {
			if err := flags.check(env, flagValue{"substeps", float64(s.Substeps)}, flagValue{"warmup-steps", float64(s.WarmupSteps)}); err != nil {
				return err
			}
			if flags.given("etas") {
				var err error
				if s.Etas, err = experiment.ParseGrid(*etas); err != nil {
					return err
				}
			}
			res, err := experiment.Verify(ctx, s)
			if err != nil {
				return err
			}
			return env.report(res.Out, res)
		}
	},
}

var sharpnessCmd = &command{
	name:    "sharpness",
	summary: "the top eigenvalue of the Hessian along GD, beside 2/η",
	usage:   "[-lr η] [-every K] [-steps N] [-out DIR] [flags]",
	setup: func(fs *flag.FlagSet, env *environment) func(context.Context) error {
		s := &experiment.SharpnessSettings{}
		flags := configFlags(fs, &s.Config)
		fs.Float64Var(&s.LR, "lr", 0.09, "learning rate η")
		fs.IntVar(&s.Every, "every", 10, "measure every this many steps")
		fs.IntVar(&s.Steps, "steps", 0, "take exactly this many steps instead of stopping at -tol")
		return func(ctx context.Context) error {
			if err := flags.check(env, flagValue{"lr", s.LR}, flagValue{"every", float64(s.Every)}); err != nil {
				return err
			}
			if err := flags.positiveIfGiven("steps"); err != nil {
				return err
			}
			res, err := experiment.Sharpness(ctx, s)
			if err != nil {
				return err
			}
			return env.report(res.Out, res)
		}
	},
}

var flowCmd = &command{
	name:    "flow",
	summary: "GD against the gradient flows of L and of L + (η/4)‖∇L‖², at matched times",
	usage:   "[-lr η] [-steps N] [-substeps N] [-out DIR] [flags]",
	setup: func(fs *flag.FlagSet, env *environment) func(context.Context) error {
		s := &experiment.FlowSettings{}
		flags := configFlags(fs, &s.Config)
		fs.Float64Var(&s.LR, "lr", 0.05, "learning rate η of GD")
		fs.IntVar(&s.Steps, "steps", 500, "GD steps")
		fs.IntVar(&s.Substeps, "substeps", 8, "RK4 steps of the flows per GD step")
		fs.IntVar(&s.Every, "every", 1, "record every this many steps")
		return func(ctx context.Context) error {
			if err := flags.check(env, flagValue{"lr", s.LR}, flagValue{"steps", float64(s.Steps)},
				flagValue{"substeps", float64(s.Substeps)}, flagValue{"every", float64(s.Every)}); err != nil {
				return err
			}
			res, err := experiment.Flow(ctx, s)
			if err != nil {
				return err
			}
			return env.report(res.Out, res)
		}
	},
}

var mapCmd = &command{
	name:    "map",
	summary: "train on a grid of two hyperparameters (and seeds), in parallel, and draw the test MSE as a heat map",
	usage:   "-x AXIS=VALUES [-y AXIS=VALUES] [-seeds K] [-lr η] [-steps N] [-batch B] [-out DIR] [flags]",
	setup: func(fs *flag.FlagSet, env *environment) func(context.Context) error {
		s := &experiment.MapSettings{}
		flags := configFlags(fs, &s.Config)
		axes := strings.Join(experiment.HyperparameterNames(), ", ")
		var described []string
		for _, h := range experiment.Hyperparameters {
			described = append(described, h.Name+" ("+h.Help+")")
		}
		x := fs.String("x", "", "axis of the columns, `AXIS=VALUES`: AXIS one of "+strings.Join(described, ", ")+
			"; VALUES FROM:TO:STEP, log:FROM:TO:N (N log-spaced values) or a comma-separated list. "+
			"sigma trains label-noise GD for a fixed -steps; lambda trains GD at step -lr on L + λ‖∇L‖²; batch trains minibatch SGD")
		y := fs.String("y", "", "axis of the rows, `AXIS=VALUES` as -x (none: a map of one row)")
		fs.Float64Var(&s.LR, "lr", 0.01, "learning rate η of every run, unless lr is an axis")
		fs.IntVar(&s.Steps, "steps", 0, "take exactly this many steps in every run instead of stopping at -tol (the sigma axis needs it)")
		fs.Float64Var(&s.Sigma, "sigma", 0, "label noise σ of every run, unless sigma is an axis (needs -steps)")
		fs.Float64Var(&s.Lambda, "lambda", 0, "train every run on L + λ‖∇L‖², unless lambda is an axis")
		batchFlag(fs, &s.Batch, ", in every run unless batch is an axis")
		fs.IntVar(&s.Seeds, "seeds", 1, "train every cell for this many seeds (-seed, -seed+1, …) and draw the median")
		fs.StringVar(&s.Reference, "reference", "", "output `folder` of a sweep on the same configuration: its best test MSE is drawn and every row's best compared with it")
		shard := fs.String("shard", "", "train only shard `i/N` of the grid (default: from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX with -shards)")
		shards := fs.Int("shards", 0, "number of shards, with Kubernetes' JOB_COMPLETION_INDEX")
		return func(ctx context.Context) error {
			if err := flags.check(env, flagValue{"lr", s.LR}, flagValue{"seeds", float64(s.Seeds)}); err != nil {
				return err
			}
			if err := flags.positiveIfGiven("steps", "batch"); err != nil {
				return err
			}
			if s.Sigma < 0 || s.Lambda < 0 {
				return usageError{fmt.Errorf("-sigma and -lambda must not be negative")}
			}
			if *x == "" {
				return usageError{fmt.Errorf("map needs an axis: -x AXIS=VALUES (AXIS one of %s)", axes)}
			}
			var err error
			if s.X, err = parseAxis("-x", *x); err != nil {
				return err
			}
			if *y != "" {
				if s.Y, err = parseAxis("-y", *y); err != nil {
					return err
				}
			}
			// A flag and an axis of the same name cannot both set it.
			for _, a := range []string{s.X.Name, s.Y.Name} {
				if a != "" && flags.given(a) {
					return usageError{fmt.Errorf("-%s is given and %s is an axis of the map: drop one", a, a)}
				}
			}
			if s.Shard, err = resolveShard(*shard, *shards, os.Getenv); err != nil {
				return err
			}
			res, err := experiment.Map(ctx, s)
			if err != nil {
				return err
			}
			return env.reportGrid(s.Shard, len(res.Rows), res.Out, res)
		}
	},
}

// parseAxis parses an axis of a map, AXIS=VALUES.
func parseAxis(flagName, s string) (grid.Axis, error) {
	name, values, ok := strings.Cut(s, "=")
	if !ok {
		return grid.Axis{}, usageError{fmt.Errorf("%s %q is not AXIS=VALUES (AXIS one of %s)", flagName, s, strings.Join(experiment.HyperparameterNames(), ", "))}
	}
	name = strings.TrimSpace(name)
	a := grid.Axis{Name: name}
	var err error
	if a.Values, err = grid.ParseValues(values); err != nil {
		return a, usageError{fmt.Errorf("%s %s: %w", flagName, name, err)}
	}
	return a, nil
}

// resolveShard returns the shard a sweep trains: the -shard flag, else a Slurm
// job array's task (SLURM_ARRAY_TASK_ID counted from SLURM_ARRAY_TASK_MIN, of
// SLURM_ARRAY_TASK_COUNT), else a Kubernetes Indexed Job's
// JOB_COMPLETION_INDEX of -shards; the whole grid when none is given.
func resolveShard(flagValue string, shards int, getenv func(string) string) (experiment.Shard, error) {
	parse := func(what, index, count string) (experiment.Shard, error) {
		i, err1 := strconv.Atoi(strings.TrimSpace(index))
		n, err2 := strconv.Atoi(strings.TrimSpace(count))
		if err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
			return experiment.Shard{}, usageError{fmt.Errorf("%s: shard %q of %q is not i of N with 0 ≤ i < N", what, index, count)}
		}
		return experiment.Shard{Index: i, Count: n}, nil
	}
	switch {
	case flagValue != "":
		i, n, ok := strings.Cut(flagValue, "/")
		if !ok {
			return experiment.Shard{}, usageError{fmt.Errorf("-shard %q is not i/N", flagValue)}
		}
		return parse("-shard", i, n)
	case getenv("SLURM_ARRAY_TASK_ID") != "":
		id, err := strconv.Atoi(getenv("SLURM_ARRAY_TASK_ID"))
		if err != nil {
			return experiment.Shard{}, usageError{fmt.Errorf("SLURM_ARRAY_TASK_ID %q is not a number", getenv("SLURM_ARRAY_TASK_ID"))}
		}
		if lo := getenv("SLURM_ARRAY_TASK_MIN"); lo != "" {
			m, err := strconv.Atoi(lo)
			if err != nil {
				return experiment.Shard{}, usageError{fmt.Errorf("SLURM_ARRAY_TASK_MIN %q is not a number", lo)}
			}
			id -= m
		}
		return parse("Slurm job array", strconv.Itoa(id), getenv("SLURM_ARRAY_TASK_COUNT"))
	case getenv("JOB_COMPLETION_INDEX") != "":
		if shards < 1 {
			return experiment.Shard{}, usageError{fmt.Errorf("JOB_COMPLETION_INDEX is set: give the number of shards with -shards")}
		}
		return parse("Kubernetes Indexed Job", getenv("JOB_COMPLETION_INDEX"), strconv.Itoa(shards))
	case shards > 0:
		return experiment.Shard{}, usageError{fmt.Errorf("-shards needs JOB_COMPLETION_INDEX, or use -shard i/N")}
	}
	return experiment.Shard{}, nil
}

var mergeCmd = &command{
	name:      "merge",
	summary:   "combine the folders of a sharded sweep or map into the outputs of a single machine",
	usage:     "-out DIR [-quiet] SHARD_DIR...",
	takesArgs: true,
	setup: func(fs *flag.FlagSet, env *environment) func(context.Context) error {
		s := &experiment.MergeSettings{}
		fs.StringVar(&s.Out, "out", "out", "output `folder`")
		fs.Bool("quiet", false, "accepted as by every command; merge reports no progress")
		return func(ctx context.Context) error {
			s.Dirs = fs.Args()
			if s.Out == "" {
				return usageError{fmt.Errorf("-out must name a folder")}
			}
			if len(s.Dirs) == 0 {
				return usageError{fmt.Errorf("merge needs the folders of the shards")}
			}
			res, err := experiment.Merge(ctx, s)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.stdout, "Merged %d shards of a %s, %d runs, into %s\n\n", len(s.Dirs), res.Kind, res.Runs(), s.Out)
			return res.WriteTable(env.stdout)
		}
	},
}

// reportGrid reports a sweep or a map: the report of a whole grid, or where
// a shard's runs went.
func (env *environment) reportGrid(shard experiment.Shard, runs int, dir string, table interface{ WriteTable(io.Writer) error }) error {
	if shard.Whole() {
		return env.report(dir, table)
	}
	_, err := fmt.Fprintf(env.stdout, "Shard %s: %d runs in %s; combine the shards with igr merge\n", shard, runs, dir)
	return err
}

// report prints where a command's results went and their table.
func (env *environment) report(dir string, table interface{ WriteTable(io.Writer) error }) error {
	fmt.Fprintf(env.stdout, "Results in %s\n\n", dir)
	return table.WriteTable(env.stdout)
}

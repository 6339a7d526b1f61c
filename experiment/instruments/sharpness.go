package instruments

import (
	"context"
	"fmt"
	"io"
	"math"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/plots"
	"github.com/igr-project/igr/train/regime"
)

// SharpnessSettings configure Sharpness. Zero values mean the defaults given.
type SharpnessSettings struct {
	experiment.Config
	// LR is the step η. Zero means 0.09.
	LR float64 `igr:"lr" default:"0.09"`
	// Every is the interval, in steps, of the measurements. Zero means 10.
	Every int `igr:"every" default:"10" usage:"measure every this many steps (and at each of the first 100)"`
	// Steps, if positive, runs exactly that many steps instead of stopping
	// at the tolerance.
	Steps int `igr:"steps"`
}

// SharpnessRow is one measurement of Sharpness: a row of sharpness.csv.
type SharpnessRow struct {
	Step     int     `csv:"step"`
	T        float64 `csv:"t"` // steps × η
	TrainMSE float64 `csv:"train_mse"`
	// Sharpness is the top eigenvalue of ∇²L at the step.
	Sharpness float64 `csv:"sharpness"`
	// TwoOverEta is 2/η, the stability limit of GD on a quadratic.
	TwoOverEta float64 `csv:"two_over_eta"`
}

// SharpnessResult is what Sharpness computed.
type SharpnessResult struct {
	Rows   []SharpnessRow
	Status train.Status
	Steps  int
	Out    string
	// Regime is the run's regime (experiment.RegimeOf) and MaxRatio the
	// largest ηS/2 along it.
	Regime   regime.Regime
	MaxRatio float64

	lr   float64
	seed uint64
	wall float64
}

// Sharpness trains by GD with step η and measures, every Every steps, the
// top eigenvalue of the training loss's Hessian (train.Settings.TrackSharpness:
// exact at both ends by the Lanczos method of package curvature, tracked in
// between from the previous eigenvector to a relative residual of 1e-3). It
// measures each of the first experiment.EarlySteps steps too, and labels
// the run's regime from the traces. It writes data.csv, sharpness.csv,
// summary.json and the figure sharpness (with 2/η beside it) to its folder.
var Sharpness = &experiment.Experiment[*SharpnessSettings, *experiment.Setup, *SharpnessResult]{
	Name:    "sharpness",
	Summary: "the top eigenvalue of the Hessian along GD, beside 2/η",
	Usage:   "[-lr η] [-every K] [-steps N] [-out DIR] [flags]",
	Prepare: experiment.ConfigPrepare[*SharpnessSettings](train.Footprint{}),
	Execute: runSharpness,
}

// runSharpness trains and measures.
func runSharpness(ctx context.Context, c *SharpnessSettings, setup *experiment.Setup, env *experiment.Env) (*SharpnessResult, error) {
	st := experiment.TrackSettings(setup.Settings(c.LR), c.Every)
	st.Steps = c.Steps
	runs, stop := env.Train(ctx, "sharpness", 1, experiment.Job{Job: train.Job{Problem: setup.Problem, Settings: st}})
	if stop != nil && runs == nil {
		return nil, stop
	}
	r := runs[0]
	res := &SharpnessResult{Out: env.Dir, lr: c.LR, seed: setup.Seed, Status: r.Status, Steps: r.Steps}
	for _, p := range r.History {
		if !math.IsNaN(p.Sharpness) {
			res.Rows = append(res.Rows, SharpnessRow{Step: p.Step, T: float64(p.Step) * c.LR, TrainMSE: p.TrainMSE,
				Sharpness: p.Sharpness, TwoOverEta: 2 / c.LR})
		}
	}
	res.Regime, res.MaxRatio = experiment.RegimeOf(r, &st)
	res.wall = env.WallSeconds()
	return res, stop
}

// Files are sharpness.csv, the figure sharpness and summary.json.
func (r *SharpnessResult) Files() []experiment.File {
	maxSharp := math.Inf(-1)
	for _, x := range r.Rows {
		maxSharp = math.Max(maxSharp, x.Sharpness)
	}
	first, last := math.NaN(), math.NaN()
	if n := len(r.Rows); n > 0 {
		first, last = r.Rows[0].Sharpness, r.Rows[n-1].Sharpness
	}
	sum := struct {
		LR experiment.Number `json:"lr"`
		experiment.RunCurvature
		MaxSharpness experiment.Number `json:"max_sharpness"`
		Status       string            `json:"status"`
		Steps        int               `json:"steps"`
		Seed         uint64            `json:"seed"`
		WallSeconds  experiment.Number `json:"wall_seconds"`
		Interrupted  bool              `json:"interrupted"`
		experiment.ComputedBy
	}{experiment.Number(r.lr), experiment.CurvatureOf(first, last, r.lr), experiment.Number(maxSharp),
		string(r.Status), r.Steps, r.seed, experiment.Number(r.wall), r.Status == train.Interrupted, experiment.Provenance()}
	sum.SetRegime(r.Regime, r.MaxRatio)
	return []experiment.File{
		experiment.TableFile("sharpness.csv", r.Rows),
		experiment.FigureFile("sharpness", func() (*plots.Plot, error) { return SharpnessFigure(r.Rows, r.lr) }),
		experiment.JSONFile("summary.json", sum),
	}
}

// SharpnessFigure draws the top Hessian eigenvalue along GD and 2/η
// (experiment.SharpnessFigure).
func SharpnessFigure(rows []SharpnessRow, lr float64) (*plots.Plot, error) {
	history := make([]experiment.HistoryRow, len(rows))
	for i, r := range rows {
		history[i] = experiment.HistoryRow{Run: "GD", LR: lr, Step: r.Step, TrainMSE: r.TrainMSE, Sharpness: r.Sharpness}
	}
	return experiment.SharpnessFigure(fmt.Sprintf("Sharpness along GD, η = %g", lr), history, "GD")
}

// WriteTable prints the measurements (at most experiment.ConsoleRows of
// them) and how GD ended.
func (r *SharpnessResult) WriteTable(w io.Writer) error {
	err := experiment.WriteSeries(w, "step\ttrain MSE\tsharpness\t2/η", len(r.Rows), func(i int) string {
		x := r.Rows[i]
		return fmt.Sprintf("%d\t%.4g\t%.4g\t%.4g", x.Step, x.TrainMSE, x.Sharpness, x.TwoOverEta)
	}, "sharpness.csv")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "\nGD %s after %d steps; regime %s, largest ηS/2 %.4g\n", r.Status, r.Steps, r.Regime, r.MaxRatio)
	return err
}

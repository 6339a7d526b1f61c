package instruments

import (
	"context"
	"fmt"
	"io"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/plots"
	"github.com/igr-project/igr/train/sharpness"
)

// SharpnessSettings configure Sharpness. Zero values mean the defaults given.
type SharpnessSettings struct {
	experiment.Config
	// LR is the step η. Zero means 0.09.
	LR float64 `igr:"lr" default:"0.09"`
	// Every is the interval, in steps, of the measurements. Zero means 10.
	Every int `igr:"every" default:"10" usage:"measure every this many steps"`
	// Steps, if positive, runs exactly that many steps instead of stopping
	// at the tolerance.
	Steps int `igr:"steps"`
}

// SharpnessRow is one measurement of Sharpness: a row of sharpness.csv.
type SharpnessRow struct {
	Step     int     `csv:"step"`
	T        float64 `csv:"t"` // steps × η
	TrainMSE float64 `csv:"train_mse"`
	// Sharpness is the eigenvalue of largest magnitude of ∇²L at the step.
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

	lr   float64
	seed uint64
	wall float64
}

// Sharpness trains by GD with step η and measures, every Every steps, the top
// eigenvalue of the training loss's Hessian by power iteration on exact
// Hessian-vector products. It writes data.csv, sharpness.csv, summary.json
// and the figure sharpness (with 2/η beside it) to its folder.
var Sharpness = &experiment.Experiment[*SharpnessSettings, *experiment.Setup, *SharpnessResult]{
	Name:    "sharpness",
	Summary: "the top eigenvalue of the Hessian along GD, beside 2/η",
	Usage:   "[-lr η] [-every K] [-steps N] [-out DIR] [flags]",
	Prepare: experiment.ConfigPrepare[*SharpnessSettings](train.Footprint{Graph: train.RegularizedGraph}),
	Execute: runSharpness,
}

// runSharpness trains and measures.
func runSharpness(ctx context.Context, c *SharpnessSettings, setup *experiment.Setup, env *experiment.Env) (*SharpnessResult, error) {
	d := setup.Data()
	at := setup.Problem.Init.Clone() // the point the HVP is bound to
	hvp, err := sharpness.NewHVP(setup.Problem.Arch, d.Train.Inputs(d.Dim), d.Train.Targets(), at)
	if err != nil {
		return nil, fmt.Errorf("instruments: %w", err)
	}
	defer hvp.Close()
	res := &SharpnessResult{Out: env.Dir, lr: c.LR, seed: setup.Seed}
	var vec []float64
	var measureErr error
	st := setup.Settings(c.LR)
	st.Steps = c.Steps
	st.Observe = func(step int, p graph.Params) {
		if step%c.Every != 0 || measureErr != nil {
			return
		}
		at.CopyFrom(p)
		var lambda float64
		lambda, vec, measureErr = sharpness.Top(hvp, &sharpness.Settings{Start: vec, MaxIter: 1000, Tol: 1e-6})
		if measureErr != nil {
			return
		}
		res.Rows = append(res.Rows, SharpnessRow{Step: step, T: float64(step) * c.LR, TrainMSE: hvp.Loss(),
			Sharpness: lambda, TwoOverEta: 2 / c.LR})
	}
	runs, stop := env.Train(ctx, "sharpness", 1, experiment.Job{Job: train.Job{Problem: setup.Problem, Settings: st}})
	if stop != nil && runs == nil {
		return nil, stop
	}
	if measureErr != nil {
		return nil, fmt.Errorf("instruments: %w", measureErr)
	}
	res.Status, res.Steps = runs[0].Status, runs[0].Steps
	res.wall = env.WallSeconds()
	return res, stop
}

// Files are sharpness.csv, the figure sharpness and summary.json.
func (r *SharpnessResult) Files() []experiment.File {
	maxSharp := math.Inf(-1)
	for _, x := range r.Rows {
		maxSharp = math.Max(maxSharp, x.Sharpness)
	}
	sum := struct {
		LR           experiment.Number `json:"lr"`
		TwoOverEta   experiment.Number `json:"two_over_eta"`
		MaxSharpness experiment.Number `json:"max_sharpness"`
		Status       string            `json:"status"`
		Steps        int               `json:"steps"`
		Seed         uint64            `json:"seed"`
		WallSeconds  experiment.Number `json:"wall_seconds"`
		Interrupted  bool              `json:"interrupted"`
		experiment.ComputedBy
	}{experiment.Number(r.lr), experiment.Number(2 / r.lr), experiment.Number(maxSharp), string(r.Status), r.Steps, r.seed,
		experiment.Number(r.wall), r.Status == train.Interrupted, experiment.Provenance()}
	return []experiment.File{
		experiment.TableFile("sharpness.csv", r.Rows),
		experiment.FigureFile("sharpness", func() (*plots.Plot, error) { return SharpnessFigure(r.Rows, r.lr) }),
		experiment.JSONFile("summary.json", sum),
	}
}

// SharpnessFigure draws the top Hessian eigenvalue along GD and 2/η.
func SharpnessFigure(rows []SharpnessRow, lr float64) (*plots.Plot, error) {
	if len(rows) == 0 {
		return nil, plots.ErrNothingToDraw
	}
	p := plots.New()
	p.Title.Text = fmt.Sprintf("Sharpness along GD, η = %g", lr)
	p.X.Label.Text = "step"
	p.Y.Label.Text = "top eigenvalue of the Hessian of L"
	pts := make(plotter.XYs, 0, len(rows))
	for _, r := range rows {
		if !math.IsNaN(r.Sharpness) && !math.IsInf(r.Sharpness, 0) {
			pts = append(pts, plotter.XY{X: float64(r.Step), Y: r.Sharpness})
		}
	}
	l, err := plotter.NewLine(pts)
	if err != nil {
		return nil, fmt.Errorf("instruments: %w", err)
	}
	l.Color = plots.Palette[0]
	p.Add(l)
	p.Legend.Add("sharpness", l)
	limit, err := plotter.NewLine(plotter.XYs{{X: float64(rows[0].Step), Y: 2 / lr}, {X: float64(rows[len(rows)-1].Step), Y: 2 / lr}})
	if err != nil {
		return nil, fmt.Errorf("instruments: %w", err)
	}
	limit.Color = plots.Palette[1]
	limit.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(limit)
	p.Legend.Add("2/η", limit)
	p.Add(plotter.NewGrid())
	return p, nil
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
	_, err = fmt.Fprintf(w, "\nGD %s after %d steps\n", r.Status, r.Steps)
	return err
}

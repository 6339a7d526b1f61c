package instruments

import (
	"context"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"gonum.org/v1/gonum/stat"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/flow"
	"github.com/igr-project/igr/train/plots"
)

// VerifySettings configure Verify. Zero values mean the defaults given.
type VerifySettings struct {
	experiment.Config

	// Etas are the step sizes; nil means 1e-3 to 1e-1, four per decade.
	Etas []float64 `igr:"etas"`

	// Substeps is the number of RK4 steps over each time η; the flows are
	// also integrated with twice as many, and the difference is reported as
	// the integration error. Zero means 32.
	Substeps int `igr:"substeps" default:"32" usage:"RK4 steps over each time η (the flows are also integrated with twice as many)"`

	// WarmupSteps gradient steps at WarmupLR from the initialization, with
	// the Config's settings (its dtype among them), give the point θ₀ (at
	// the initialization itself b = 0, where half the gradient vanishes).
	// Zero means 20 steps at 0.01.
	WarmupSteps int     `igr:"warmup-steps" default:"20"`
	WarmupLR    float64 `igr:"warmup-lr" default:"0.01"`
}

// VerifyRow is one step size of Verify: a row of verify.csv.
type VerifyRow struct {
	Eta float64 `csv:"eta"`
	// Plain is ‖θ_GD − θ_flow(L)‖ after one step of size η, Modified the same
	// for the flow of L̃ = L + (η/4)‖∇L‖².
	Plain    float64 `csv:"gd_vs_flow"`
	Modified float64 `csv:"gd_vs_modified_flow"`
	// PlainIntegration and ModifiedIntegration bound the integration error:
	// the distance between the flows integrated with Substeps and with
	// twice as many RK4 steps.
	PlainIntegration    float64 `csv:"integration_error_flow"`
	ModifiedIntegration float64 `csv:"integration_error_modified_flow"`
}

// VerifyResult is what Verify computed.
type VerifyResult struct {
	Rows []VerifyRow
	// SlopePlain and SlopeModified are the least-squares slopes of log error
	// against log η: backward error analysis predicts 2 and 3.
	SlopePlain, SlopeModified float64
	Out                       string

	substeps, warmup int
	seed             uint64
	wall             float64
}

// Verify checks the blog's derivation numerically. From a fixed θ₀ it
// compares, for each η, one gradient step θ₀ − η∇L(θ₀) with the gradient flow
// of L and with the gradient flow of L̃ = L + (η/4)‖∇L‖², each over time η,
// and fits the slopes of the two errors against η on log–log axes. It writes
// data.csv, verify.csv, summary.json (slope_plain_flow, slope_modified_flow)
// and the figure verify to its folder.
var Verify = &experiment.Experiment[*VerifySettings, *experiment.Setup, *VerifyResult]{
	Name:    "verify",
	Summary: "check backward error analysis: one GD step against the flows of L and of L + (η/4)‖∇L‖²",
	Usage:   "[-etas LIST] [-substeps N] [-out DIR] [flags]",
	Prepare: func(c *VerifySettings) (*experiment.Prepared[*experiment.Setup], error) {
		if c.Etas == nil {
			for k := 0; k <= 8; k++ {
				c.Etas = append(c.Etas, math.Pow(10, -3+float64(k)/4))
			}
		}
		if len(c.Etas) < 2 {
			return nil, fmt.Errorf("%w: -etas: verify fits a slope and needs two or more step sizes", experiment.ErrConfig)
		}
		// The flows of L and of L̃ hold a graph each, and one step size's
		// graphs may outlive it until the garbage collector runs.
		return experiment.PrepareSetup(&c.Config, train.Footprint{Graph: 2 * train.RegularizedGraph})
	},
	Execute: func(ctx context.Context, c *VerifySettings, setup *experiment.Setup, env *experiment.Env) (*VerifyResult, error) {
		warmup := setup.Settings(c.WarmupLR)
		warmup.Steps = c.WarmupSteps
		warm, err := train.Run(ctx, setup.Problem, &warmup)
		if err != nil {
			return nil, fmt.Errorf("instruments: %w", err)
		}
		theta0 := warm.Params
		res := &VerifyResult{Out: env.Dir, substeps: c.Substeps, warmup: c.WarmupSteps, seed: setup.Seed}
		var stop error
		for _, eta := range c.Etas {
			if stop = ctx.Err(); stop != nil {
				break
			}
			row, err := verifyStep(setup, theta0, eta, c.Substeps)
			if err != nil {
				return nil, err
			}
			res.Rows = append(res.Rows, row)
		}
		var logEta, logPlain, logMod []float64
		for _, r := range res.Rows {
			logEta = append(logEta, math.Log(r.Eta))
			logPlain = append(logPlain, math.Log(r.Plain))
			logMod = append(logMod, math.Log(r.Modified))
		}
		res.SlopePlain, res.SlopeModified = math.NaN(), math.NaN()
		if len(res.Rows) > 1 {
			_, res.SlopePlain = stat.LinearRegression(logEta, logPlain, nil, false)
			_, res.SlopeModified = stat.LinearRegression(logEta, logMod, nil, false)
		}
		res.wall = env.WallSeconds()
		return res, stop
	},
}

// Files are verify.csv, the figure verify and summary.json.
func (r *VerifyResult) Files() []experiment.File {
	sum := struct {
		SlopePlain    experiment.Number `json:"slope_plain_flow"`
		SlopeModified experiment.Number `json:"slope_modified_flow"`
		Substeps      int               `json:"substeps"`
		WarmupSteps   int               `json:"warmup_steps"`
		Seed          uint64            `json:"seed"`
		WallSeconds   experiment.Number `json:"wall_seconds"`
		experiment.ComputedBy
	}{experiment.Number(r.SlopePlain), experiment.Number(r.SlopeModified), r.substeps, r.warmup, r.seed,
		experiment.Number(r.wall), experiment.Provenance()}
	return []experiment.File{
		experiment.TableFile("verify.csv", r.Rows),
		experiment.FigureFile("verify", func() (*plots.Plot, error) { return VerifyFigure(r.Rows) }),
		experiment.JSONFile("summary.json", sum),
	}
}

// verifyStep measures one step size.
func verifyStep(setup *experiment.Setup, theta0 graph.Params, eta float64, substeps int) (VerifyRow, error) {
	row := VerifyRow{Eta: eta}
	// objective returns an objective bound to its own copy of θ₀.
	objective := func(pens ...graph.Penalty) (*graph.Objective, graph.Params, error) {
		return setup.Problem.Bound(theta0, pens...)
	}
	// One gradient step.
	o, gd, err := objective()
	if err != nil {
		return row, err
	}
	defer o.Close()
	if err := o.Run(); err != nil {
		return row, err
	}
	o.Descend(eta)
	// The flows of L and of L̃, each with substeps and twice as many.
	for k, pens := range [][]graph.Penalty{nil, {regularizer.ForStep(eta)}} {
		var ends [2]graph.Params
		for j, n := range []int{substeps, 2 * substeps} {
			fo, p, err := objective(pens...)
			if err != nil {
				return row, err
			}
			err = flow.New(fo, p).Advance(eta, n)
			fo.Close()
			if err != nil {
				return row, err
			}
			ends[j] = p
		}
		dist, integ := gd.Distance(ends[1]), ends[0].Distance(ends[1])
		if k == 0 {
			row.Plain, row.PlainIntegration = dist, integ
		} else {
			row.Modified, row.ModifiedIntegration = dist, integ
		}
	}
	return row, nil
}

// VerifyFigure draws the distance of one gradient step from the flows of L
// and of L̃ against η, on log–log axes, with the integration error.
func VerifyFigure(rows []VerifyRow) (*plots.Plot, error) {
	curves := []plots.Curve{{Name: "GD step to flow of L", Color: 0}, {Name: "GD step to flow of L + (η/4)|grad L|²", Color: 1},
		{Name: "integration error", Color: 6, Dashed: true}}
	for _, r := range rows {
		for i, v := range []float64{r.Plain, r.Modified, r.ModifiedIntegration} {
			curves[i].Steps = append(curves[i].Steps, r.Eta)
			curves[i].Values = append(curves[i].Values, v)
		}
	}
	p, err := plots.Curves("One GD step against gradient flows over time η", "distance", curves)
	if err != nil {
		return nil, err
	}
	p.X.Label.Text = "step size η"
	return p, nil
}

// WriteTable prints the errors and the fitted slopes.
func (r *VerifyResult) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "η\t‖GD − flow L‖\t‖GD − flow L̃‖\tintegration error\n")
	for _, x := range r.Rows {
		fmt.Fprintf(tw, "%.4g\t%.4g\t%.4g\t%.2g\n", x.Eta, x.Plain, x.Modified, math.Max(x.PlainIntegration, x.ModifiedIntegration))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nslope of log error against log η: flow of L %.3f (theory 2), flow of L̃ %.3f (theory 3)\n",
		r.SlopePlain, r.SlopeModified)
	return err
}

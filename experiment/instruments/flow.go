package instruments

import (
	"context"
	"fmt"
	"io"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/flow"
	"github.com/igr-project/igr/train/plots"
)

// FlowSettings configure Flow. Zero values mean the defaults given.
type FlowSettings struct {
	experiment.Config
	// LR is the step η of GD. Zero means 0.05.
	LR float64 `igr:"lr" default:"0.05"`
	// Steps is the number of GD steps. Zero means 500.
	Steps int `igr:"steps" default:"500" usage:"GD steps"`
	// Substeps is the number of RK4 steps per GD step. Zero means 8.
	Substeps int `igr:"substeps" default:"8" usage:"RK4 steps of the flows per GD step"`
	// Every is the interval, in GD steps, of the rows. Zero means 1.
	Every int `igr:"every" default:"1" usage:"record every this many steps"`
}

// FlowRow compares GD with the flows at one time: a row of flow.csv.
type FlowRow struct {
	Step int     `csv:"step"`
	T    float64 `csv:"t"` // steps × η
	// Plain is ‖θ_GD − θ_flow(L)‖ and Modified ‖θ_GD − θ_flow(L̃)‖ at t.
	Plain    float64 `csv:"gd_vs_flow"`
	Modified float64 `csv:"gd_vs_modified_flow"`
	// The training MSE of GD and of both flows at t.
	GDTrainMSE       float64 `csv:"gd_train_mse"`
	FlowTrainMSE     float64 `csv:"flow_train_mse"`
	ModifiedTrainMSE float64 `csv:"modified_flow_train_mse"`
}

// FlowResult is what Flow computed.
type FlowResult struct {
	Rows []FlowRow
	Out  string

	lr          float64
	steps       int
	substeps    int
	seed        uint64
	interrupted bool
	wall        float64
}

// Flow runs GD with step η from the initialization and, from the same point,
// the gradient flows of L and of L̃ = L + (η/4)‖∇L‖², and records the distance
// from the GD iterates to each flow at the matched times t = steps × η. It
// writes data.csv, flow.csv, summary.json and the figure flow to its folder.
var Flow = &experiment.Experiment[*FlowSettings, *experiment.Setup, *FlowResult]{
	Name:    "flow",
	Summary: "GD against the gradient flows of L and of L + (η/4)‖∇L‖², at matched times",
	Usage:   "[-lr η] [-steps N] [-substeps N] [-out DIR] [flags]",
	Prepare: experiment.ConfigPrepare[*FlowSettings](train.Footprint{Graph: train.RegularizedGraph}),
	Execute: runFlow,
}

// runFlow steps GD and integrates both flows in lockstep.
func runFlow(ctx context.Context, c *FlowSettings, setup *experiment.Setup, env *experiment.Env) (*FlowResult, error) {
	bound := func(pens ...graph.Penalty) (*graph.Objective, graph.Params, error) {
		return setup.Problem.Bound(setup.Problem.Init, pens...)
	}
	gdObj, gd, err := bound()
	if err != nil {
		return nil, err
	}
	defer gdObj.Close()
	plainObj, plain, err := bound()
	if err != nil {
		return nil, err
	}
	defer plainObj.Close()
	modObj, mod, err := bound(regularizer.ForStep(c.LR))
	if err != nil {
		return nil, err
	}
	defer modObj.Close()
	plainFlow, modFlow := flow.New(plainObj, plain), flow.New(modObj, mod)
	rep := experiment.StartProgress(env.Log, "flow", []train.Job{{Settings: train.Settings{Steps: c.Steps}}})
	res := &FlowResult{Out: env.Dir, lr: c.LR, steps: c.Steps, substeps: c.Substeps, seed: setup.Seed}
	interrupted := false
	for step := 0; step <= c.Steps; step++ {
		if err := gdObj.Run(); err != nil {
			rep.Stop()
			return nil, err
		}
		if step%c.Every == 0 || step == c.Steps {
			row := FlowRow{Step: step, T: float64(step) * c.LR, Plain: gd.Distance(plain), Modified: gd.Distance(mod),
				GDTrainMSE: gdObj.Loss()}
			for _, o := range []struct {
				obj  *graph.Objective
				into *float64
			}{{plainObj, &row.FlowTrainMSE}, {modObj, &row.ModifiedTrainMSE}} {
				if err := o.obj.Run(); err != nil {
					rep.Stop()
					return nil, err
				}
				*o.into = o.obj.Loss()
			}
			res.Rows = append(res.Rows, row)
		}
		if step == c.Steps || interrupted {
			break
		}
		gdObj.Descend(c.LR)
		if err := plainFlow.Advance(c.LR, c.Substeps); err != nil {
			rep.Stop()
			return nil, err
		}
		if err := modFlow.Advance(c.LR, c.Substeps); err != nil {
			rep.Stop()
			return nil, err
		}
		rep.Add(1)
		interrupted = ctx.Err() != nil
	}
	rep.RunDone()
	rep.Stop()
	res.interrupted, res.wall = interrupted, env.WallSeconds()
	if interrupted {
		return res, fmt.Errorf("instruments: %w", ctx.Err())
	}
	return res, nil
}

// Files are flow.csv, the figure flow and summary.json.
func (r *FlowResult) Files() []experiment.File {
	sum := struct {
		LR          experiment.Number `json:"lr"`
		Steps       int               `json:"steps"`
		Substeps    int               `json:"substeps"`
		FinalPlain  experiment.Number `json:"final_gd_vs_flow"`
		FinalMod    experiment.Number `json:"final_gd_vs_modified_flow"`
		Seed        uint64            `json:"seed"`
		WallSeconds experiment.Number `json:"wall_seconds"`
		Interrupted bool              `json:"interrupted"`
		experiment.ComputedBy
	}{LR: experiment.Number(r.lr), Steps: r.steps, Substeps: r.substeps, Seed: r.seed, Interrupted: r.interrupted,
		WallSeconds: experiment.Number(r.wall), ComputedBy: experiment.Provenance()}
	if n := len(r.Rows); n > 0 {
		sum.FinalPlain, sum.FinalMod = experiment.Number(r.Rows[n-1].Plain), experiment.Number(r.Rows[n-1].Modified)
	}
	return []experiment.File{
		experiment.TableFile("flow.csv", r.Rows),
		experiment.FigureFile("flow", func() (*plots.Plot, error) { return FlowFigure(r.Rows, r.lr) }),
		experiment.JSONFile("summary.json", sum),
	}
}

// FlowFigure draws the distance from GD to the flows of L and of L̃ against
// the time t.
func FlowFigure(rows []FlowRow, lr float64) (*plots.Plot, error) {
	curves := []plots.Curve{{Name: "GD to flow of L", Color: 0}, {Name: "GD to flow of L + (η/4)|grad L|²", Color: 1}}
	for _, r := range rows {
		curves[0].Steps = append(curves[0].Steps, r.T)
		curves[0].Values = append(curves[0].Values, r.Plain)
		curves[1].Steps = append(curves[1].Steps, r.T)
		curves[1].Values = append(curves[1].Values, r.Modified)
	}
	p, err := plots.Curves(fmt.Sprintf("GD with η = %g against gradient flows", lr), "distance", curves)
	if err != nil {
		return nil, err
	}
	p.X.Label.Text = "time t = steps × η"
	p.Y.Label.Text = "distance between parameters"
	return p, nil
}

// WriteTable prints at most experiment.ConsoleRows of the rows.
func (r *FlowResult) WriteTable(w io.Writer) error {
	return experiment.WriteSeries(w, "step\tt\t‖GD − flow L‖\t‖GD − flow L̃‖\tGD train MSE", len(r.Rows), func(i int) string {
		x := r.Rows[i]
		return fmt.Sprintf("%d\t%.4g\t%.4g\t%.4g\t%.4g", x.Step, x.T, x.Plain, x.Modified, x.GDTrainMSE)
	}, "flow.csv")
}

package experiment

import (
	"context"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/flow"
	"github.com/igr-project/igr/train/plots"
	"github.com/igr-project/igr/train/sharpness"
)

// SharpnessSettings configure Sharpness. Zero values mean the defaults given.
type SharpnessSettings struct {
	Config
	// LR is the step η. Zero means 0.09.
	LR float64
	// Every is the interval, in steps, of the measurements. Zero means 10.
	Every int
	// Steps, if positive, runs exactly that many steps instead of stopping
	// at the tolerance.
	Steps int
}

// SharpnessRow is one measurement of Sharpness: a row of sharpness.csv.
type SharpnessRow struct {
	Step     int
	T        float64 // steps × η
	TrainMSE float64
	// Sharpness is the eigenvalue of largest magnitude of ∇²L at the step.
	Sharpness float64
	// TwoOverEta is 2/η, the stability limit of GD on a quadratic.
	TwoOverEta float64
}

// SharpnessResult is what Sharpness computed.
type SharpnessResult struct {
	Rows   []SharpnessRow
	Status train.Status
	Steps  int
	Out    string
}

// SharpnessColumns are the columns of sharpness.csv.
var SharpnessColumns = sharpnessTable.names

var sharpnessTable = newTable([]column[SharpnessRow]{
	intColumn("step", func(r *SharpnessRow) *int { return &r.Step }),
	floatColumn("t", func(r *SharpnessRow) *float64 { return &r.T }),
	floatColumn("train_mse", func(r *SharpnessRow) *float64 { return &r.TrainMSE }),
	floatColumn("sharpness", func(r *SharpnessRow) *float64 { return &r.Sharpness }),
	floatColumn("two_over_eta", func(r *SharpnessRow) *float64 { return &r.TwoOverEta }),
})

// ReadSharpness reads sharpness.csv.
func ReadSharpness(path string) ([]SharpnessRow, error) { return sharpnessTable.read(path) }

// Sharpness trains by GD with step η and measures, every Every steps, the top
// eigenvalue of the training loss's Hessian by power iteration on exact
// Hessian-vector products. It writes data.csv, sharpness.csv, summary.json
// and the figure sharpness (with 2/η beside it) to s.Out.
func Sharpness(ctx context.Context, s *SharpnessSettings) (*SharpnessResult, error) {
	start := time.Now()
	var c SharpnessSettings
	if s != nil {
		c = *s
	}
	c.LR = defaultFloat(c.LR, 0.09)
	c.Every = defaultInt(c.Every, 10)
	if !(c.LR > 0) || math.IsInf(c.LR, 0) || c.Every < 0 || c.Steps < 0 {
		return nil, fmt.Errorf("%w: sharpness needs a positive learning rate and interval", ErrConfig)
	}
	setup, out, err := begin(c.Config, Footprint{Graph: RegularizedGraph})
	if err != nil {
		return nil, err
	}
	d := setup.Data()
	at := setup.Problem.Init.Clone() // the point the HVP is bound to
	hvp, err := sharpness.NewHVP(setup.Problem.Arch, d.Train.Inputs(d.Dim), d.Train.Targets(), at)
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	defer hvp.Close()
	res := &SharpnessResult{Out: setup.Out}
	var vec []float64
	var measureErr error
	st := setup.settings(c.LR)
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
	runs, stop := runAll(ctx, setup, "sharpness", []train.Job{{Problem: setup.Problem, Settings: st}})
	if stop != nil && !interrupted(stop) {
		return nil, stop
	}
	if measureErr != nil {
		return nil, fmt.Errorf("experiment: %w", measureErr)
	}
	res.Status, res.Steps = runs[0].Status, runs[0].Steps
	if err := sharpnessTable.write(out.path("sharpness.csv"), res.Rows); err != nil {
		return nil, err
	}
	if err := out.saveFigure("sharpness")(SharpnessFigure(res.Rows, c.LR)); err != nil {
		return nil, err
	}
	maxSharp := math.Inf(-1)
	for _, r := range res.Rows {
		maxSharp = math.Max(maxSharp, r.Sharpness)
	}
	sum := struct {
		LR           Number `json:"lr"`
		TwoOverEta   Number `json:"two_over_eta"`
		MaxSharpness Number `json:"max_sharpness"`
		Status       string `json:"status"`
		Steps        int    `json:"steps"`
		Seed         uint64 `json:"seed"`
		WallSeconds  Number `json:"wall_seconds"`
		Interrupted  bool   `json:"interrupted"`
		ComputedBy
	}{Number(c.LR), Number(2 / c.LR), Number(maxSharp), string(res.Status), res.Steps, setup.Seed,
		Number(wallSeconds(start)), stop != nil, computedBy()}
	if err := out.writeJSON("summary.json", sum); err != nil {
		return nil, err
	}
	return res, stop
}

// SharpnessFigure draws the top Hessian eigenvalue along GD and 2/η.
func SharpnessFigure(rows []SharpnessRow, lr float64) (*plot.Plot, error) {
	if len(rows) == 0 {
		return nil, plots.ErrNothingToDraw
	}
	p := plot.New()
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
		return nil, fmt.Errorf("experiment: %w", err)
	}
	l.Color = plots.Palette[0]
	p.Add(l)
	p.Legend.Add("sharpness", l)
	limit, err := plotter.NewLine(plotter.XYs{{X: float64(rows[0].Step), Y: 2 / lr}, {X: float64(rows[len(rows)-1].Step), Y: 2 / lr}})
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	limit.Color = plots.Palette[1]
	limit.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
	p.Add(limit)
	p.Legend.Add("2/η", limit)
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	return p, nil
}

// WriteTable prints the measurements.
func (r *SharpnessResult) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "step\ttrain MSE\tsharpness\t2/η\n")
	for _, x := range r.Rows {
		fmt.Fprintf(tw, "%d\t%.4g\t%.4g\t%.4g\n", x.Step, x.TrainMSE, x.Sharpness, x.TwoOverEta)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nGD %s after %d steps\n", r.Status, r.Steps)
	return err
}

// FlowSettings configure Flow. Zero values mean the defaults given.
type FlowSettings struct {
	Config
	// LR is the step η of GD. Zero means 0.05.
	LR float64
	// Steps is the number of GD steps. Zero means 500.
	Steps int
	// Substeps is the number of RK4 steps per GD step. Zero means 8.
	Substeps int
	// Every is the interval, in GD steps, of the rows. Zero means 1.
	Every int
}

// FlowRow compares GD with the flows at one time: a row of flow.csv.
type FlowRow struct {
	Step int
	T    float64 // steps × η
	// Plain is ‖θ_GD − θ_flow(L)‖ and Modified ‖θ_GD − θ_flow(L̃)‖ at t.
	Plain, Modified float64
	// The training MSE of GD and of both flows at t.
	GDTrainMSE, FlowTrainMSE, ModifiedTrainMSE float64
}

// FlowResult is what Flow computed.
type FlowResult struct {
	Rows []FlowRow
	Out  string
}

// FlowColumns are the columns of flow.csv.
var FlowColumns = flowTable.names

var flowTable = newTable([]column[FlowRow]{
	intColumn("step", func(r *FlowRow) *int { return &r.Step }),
	floatColumn("t", func(r *FlowRow) *float64 { return &r.T }),
	floatColumn("gd_vs_flow", func(r *FlowRow) *float64 { return &r.Plain }),
	floatColumn("gd_vs_modified_flow", func(r *FlowRow) *float64 { return &r.Modified }),
	floatColumn("gd_train_mse", func(r *FlowRow) *float64 { return &r.GDTrainMSE }),
	floatColumn("flow_train_mse", func(r *FlowRow) *float64 { return &r.FlowTrainMSE }),
	floatColumn("modified_flow_train_mse", func(r *FlowRow) *float64 { return &r.ModifiedTrainMSE }),
})

// ReadFlow reads flow.csv.
func ReadFlow(path string) ([]FlowRow, error) { return flowTable.read(path) }

// Flow runs GD with step η from the initialization and, from the same point,
// the gradient flows of L and of L̃ = L + (η/4)‖∇L‖², and records the distance
// from the GD iterates to each flow at the matched times t = steps × η. It
// writes data.csv, flow.csv, summary.json and the figure flow to s.Out.
func Flow(ctx context.Context, s *FlowSettings) (*FlowResult, error) {
	start := time.Now()
	var c FlowSettings
	if s != nil {
		c = *s
	}
	c.LR = defaultFloat(c.LR, 0.05)
	c.Steps = defaultInt(c.Steps, 500)
	c.Substeps = defaultInt(c.Substeps, 8)
	c.Every = defaultInt(c.Every, 1)
	if !(c.LR > 0) || math.IsInf(c.LR, 0) || c.Steps < 0 || c.Substeps < 0 || c.Every < 0 {
		return nil, fmt.Errorf("%w: flow needs a positive learning rate, steps, substeps and interval", ErrConfig)
	}
	setup, out, err := begin(c.Config, Footprint{Graph: RegularizedGraph})
	if err != nil {
		return nil, err
	}
	d := setup.Data()
	bound := func(pens ...graph.Penalty) (*graph.Objective, graph.Params, error) {
		p := setup.Problem.Init.Clone()
		o, err := graph.NewObjective(setup.Problem.Arch, d.Train.Inputs(d.Dim), d.Train.Targets(), p,
			&graph.ObjectiveSettings{Penalties: pens})
		if err != nil {
			return nil, nil, fmt.Errorf("experiment: %w", err)
		}
		return o, p, nil
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
	rep := startProgress(setup.Log, "flow", []train.Job{{Settings: train.Settings{Steps: c.Steps}}})
	res := &FlowResult{Out: setup.Out}
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
	if err := flowTable.write(out.path("flow.csv"), res.Rows); err != nil {
		return nil, err
	}
	if err := out.saveFigure("flow")(FlowFigure(res.Rows, c.LR)); err != nil {
		return nil, err
	}
	sum := struct {
		LR          Number `json:"lr"`
		Steps       int    `json:"steps"`
		Substeps    int    `json:"substeps"`
		FinalPlain  Number `json:"final_gd_vs_flow"`
		FinalMod    Number `json:"final_gd_vs_modified_flow"`
		Seed        uint64 `json:"seed"`
		WallSeconds Number `json:"wall_seconds"`
		Interrupted bool   `json:"interrupted"`
		ComputedBy
	}{LR: Number(c.LR), Steps: c.Steps, Substeps: c.Substeps, Seed: setup.Seed, Interrupted: interrupted,
		WallSeconds: Number(wallSeconds(start)), ComputedBy: computedBy()}
	if n := len(res.Rows); n > 0 {
		sum.FinalPlain, sum.FinalMod = Number(res.Rows[n-1].Plain), Number(res.Rows[n-1].Modified)
	}
	if err := out.writeJSON("summary.json", sum); err != nil {
		return nil, err
	}
	if interrupted {
		return res, fmt.Errorf("experiment: interrupted; what was computed is in %s: %w", setup.Out, ctx.Err())
	}
	return res, nil
}

// FlowFigure draws the distance from GD to the flows of L and of L̃ against
// the time t.
func FlowFigure(rows []FlowRow, lr float64) (*plot.Plot, error) {
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

// WriteTable prints every tenth row.
func (r *FlowResult) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "step\tt\t‖GD − flow L‖\t‖GD − flow L̃‖\tGD train MSE\n")
	stride := max(1, len(r.Rows)/10)
	for i, x := range r.Rows {
		if i%stride == 0 || i == len(r.Rows)-1 {
			fmt.Fprintf(tw, "%d\t%.4g\t%.4g\t%.4g\t%.4g\n", x.Step, x.T, x.Plain, x.Modified, x.GDTrainMSE)
		}
	}
	return tw.Flush()
}

package experiment

import (
	"context"
	"fmt"
	"io"
	"math"
	"text/tabwriter"
	"time"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/flow"
	"github.com/igr-project/igr/train/plots"
)

// VerifySettings configure Verify. Zero values mean the defaults given.
type VerifySettings struct {
	Config

	// Etas are the step sizes; nil means 1e-3 to 1e-1, four per decade.
	Etas []float64

	// Substeps is the number of RK4 steps over each time η; the flows are
	// also integrated with twice as many, and the difference is reported as
	// the integration error. Zero means 32.
	Substeps int

	// WarmupSteps gradient steps at WarmupLR from the initialization give
	// the point θ₀ (at the initialization itself b = 0, where half the
	// gradient vanishes). Zero means 20 steps at 0.01.
	WarmupSteps int
	WarmupLR    float64
}

// VerifyRow is one step size of Verify: a row of verify.csv.
type VerifyRow struct {
	Eta float64
	// Plain is ‖θ_GD − θ_flow(L)‖ after one step of size η, Modified the same
	// for the flow of L̃ = L + (η/4)‖∇L‖².
	Plain, Modified float64
	// PlainIntegration and ModifiedIntegration bound the integration error:
	// the distance between the flows integrated with Substeps and with
	// twice as many RK4 steps.
	PlainIntegration, ModifiedIntegration float64
}

// VerifyResult is what Verify computed.
type VerifyResult struct {
	Rows []VerifyRow
	// SlopePlain and SlopeModified are the least-squares slopes of log error
	// against log η: backward error analysis predicts 2 and 3.
	SlopePlain, SlopeModified float64
	Out                       string
}

// VerifyColumns are the columns of verify.csv.
var VerifyColumns = verifyTable.names

var verifyTable = newTable([]column[VerifyRow]{
	floatColumn("eta", func(r *VerifyRow) *float64 { return &r.Eta }),
	floatColumn("gd_vs_flow", func(r *VerifyRow) *float64 { return &r.Plain }),
	floatColumn("gd_vs_modified_flow", func(r *VerifyRow) *float64 { return &r.Modified }),
	floatColumn("integration_error_flow", func(r *VerifyRow) *float64 { return &r.PlainIntegration }),
	floatColumn("integration_error_modified_flow", func(r *VerifyRow) *float64 { return &r.ModifiedIntegration }),
})

// ReadVerify reads verify.csv.
func ReadVerify(path string) ([]VerifyRow, error) { return verifyTable.read(path) }

// Verify checks the blog's derivation numerically. From a fixed θ₀ it
// compares, for each η, one gradient step θ₀ − η∇L(θ₀) with the gradient flow
// of L and with the gradient flow of L̃ = L + (η/4)‖∇L‖², each over time η,
// and fits the slopes of the two errors against η on log–log axes. It writes
// data.csv, verify.csv, summary.json (slope_plain_flow, slope_modified_flow)
// and the figure verify to s.Out.
func Verify(ctx context.Context, s *VerifySettings) (*VerifyResult, error) {
	start := time.Now()
	var c VerifySettings
	if s != nil {
		c = *s
	}
	if c.Etas == nil {
		for k := 0; k <= 8; k++ {
			c.Etas = append(c.Etas, math.Pow(10, -3+float64(k)/4))
		}
	}
	c.Substeps = defaultInt(c.Substeps, 32)
	c.WarmupSteps = defaultInt(c.WarmupSteps, 20)
	c.WarmupLR = defaultFloat(c.WarmupLR, 0.01)
	if len(c.Etas) < 2 || c.Substeps < 0 || c.WarmupSteps < 0 || !(c.WarmupLR > 0) {
		return nil, fmt.Errorf("%w: verify needs two or more step sizes and positive substeps and warm-up", ErrConfig)
	}
	for _, eta := range c.Etas {
		if !(eta > 0) || math.IsInf(eta, 0) {
			return nil, fmt.Errorf("%w: step size must be positive, got %g", ErrConfig, eta)
		}
	}
	// The flows of L and of L̃ hold a graph each, and one step size's graphs
	// may outlive it until the garbage collector runs.
	setup, out, err := begin(c.Config, Footprint{Graph: 2 * RegularizedGraph})
	if err != nil {
		return nil, err
	}
	warm, err := train.Run(ctx, setup.Problem, &train.Settings{LearningRate: c.WarmupLR, Steps: c.WarmupSteps})
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	theta0 := warm.Params
	res := &VerifyResult{Out: setup.Out}
	for _, eta := range c.Etas {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("experiment: %w", err)
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
	_, res.SlopePlain = stat.LinearRegression(logEta, logPlain, nil, false)
	_, res.SlopeModified = stat.LinearRegression(logEta, logMod, nil, false)

	if err := verifyTable.write(out.path("verify.csv"), res.Rows); err != nil {
		return nil, err
	}
	if err := out.saveFigure("verify")(VerifyFigure(res.Rows)); err != nil {
		return nil, err
	}
	sum := struct {
		SlopePlain    Number `json:"slope_plain_flow"`
		SlopeModified Number `json:"slope_modified_flow"`
		Substeps      int    `json:"substeps"`
		WarmupSteps   int    `json:"warmup_steps"`
		Seed          uint64 `json:"seed"`
		WallSeconds   Number `json:"wall_seconds"`
		ComputedBy
	}{Number(res.SlopePlain), Number(res.SlopeModified), c.Substeps, c.WarmupSteps, setup.Seed,
		Number(wallSeconds(start)), computedBy()}
	if err := out.writeJSON("summary.json", sum); err != nil {
		return nil, err
	}
	return res, nil
}

// verifyStep measures one step size.
func verifyStep(setup *Setup, theta0 graph.Params, eta float64, substeps int) (VerifyRow, error) {
	row := VerifyRow{Eta: eta}
	d := setup.Data()
	// objective returns an objective bound to its own copy of θ₀.
	objective := func(pens ...graph.Penalty) (*graph.Objective, graph.Params, error) {
		p := theta0.Clone()
		o, err := graph.NewObjective(setup.Problem.Arch, d.Train.Inputs(d.Dim), d.Train.Targets(), p,
			&graph.ObjectiveSettings{Penalties: pens})
		if err != nil {
			return nil, nil, fmt.Errorf("experiment: %w", err)
		}
		return o, p, nil
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
func VerifyFigure(rows []VerifyRow) (*plot.Plot, error) {
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

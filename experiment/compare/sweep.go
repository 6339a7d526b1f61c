package compare

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
	"github.com/igr-project/igr/train/plots"
)

// SweepRow is one run of Compare with Sweep: a row of compare_sweep.csv.
type SweepRow struct {
	Method     string       `csv:"method"`    // MethodImplicit, MethodExplicitGradNorm, MethodCentralFlow, and with a batch size MethodSGD or MethodExplicitSGD
	Eta        float64      `csv:"eta"`       // the step η of implicit GD, the target step of λ = η/4
	StepSize   float64      `csv:"step_size"` // η for implicit GD and the central flow, h for explicit GD
	Status     train.Status `csv:"status"`
	Steps      int          `csv:"steps"`
	Time       float64      `csv:"time"` // steps × step size
	TrainMSE   float64      `csv:"train_mse"`
	TestMSE    float64      `csv:"test_mse"`
	GradNormSq float64      `csv:"grad_norm_sq"`
	// SharpnessInit and SharpnessFinal are the top eigenvalue of the
	// Hessian of the training MSE at the initial and final parameters.
	SharpnessInit  float64 `csv:"sharpness_init"`
	SharpnessFinal float64 `csv:"sharpness_final"`
}

// SweepResult is what Compare computed with Sweep.
type SweepResult struct {
	Rows []SweepRow
	Out  string

	summary sweepSummary
}

// sweepSummary is compare_sweep.json: the headline of each method.
type sweepSummary struct {
	H           experiment.Number    `json:"h"`
	Seed        uint64               `json:"seed"`
	Batch       int                  `json:"batch,omitempty"`
	Implicit    experiment.Headline  `json:"implicit"`
	Explicit    experiment.Headline  `json:"explicit"`
	SGD         *experiment.Headline `json:"sgd,omitempty"`
	ExplicitSGD *experiment.Headline `json:"explicit_sgd,omitempty"`
	// CentralFlow is the central flow's headline: its runs count as
	// converged when its training MSE at implicit GD's time is below the
	// tolerance. CentralSteps is the cap on its length, CentralSeconds the
	// time all its runs took.
	CentralFlow    *experiment.Headline `json:"central_flow,omitempty"`
	CentralSteps   int                  `json:"central_steps,omitempty"`
	CentralSeconds experiment.Number    `json:"central_flow_seconds,omitempty"`
	WallSeconds    experiment.Number    `json:"wall_seconds"`
	Interrupted    bool                 `json:"interrupted"`
	experiment.GridRuns
	experiment.ComputedBy
}

// sweepMethods are the methods of a sweep, in the order of its rows.
func sweepMethods(batch int) []string {
	methods := []string{MethodImplicit, MethodExplicitGradNorm}
	if batch > 0 {
		methods = append(methods, MethodSGD, MethodExplicitSGD)
	}
	return methods
}

// sweep is Compare with Sweep: a grid of the methods × η, all from the
// same data and initialization; the explicit runs, which cost more, start
// first.
func sweep(ctx context.Context, c *Settings, setup *experiment.Setup, env *experiment.Env) (experiment.Result, error) {
	etas := c.LRs
	methods := sweepMethods(c.Batch)
	indices := make([]float64, len(methods))
	for i := range indices {
		indices[i] = float64(i)
	}
	g := grid.Grid{Axes: []grid.Axis{{Name: "method", Values: indices}, {Name: "eta", Values: etas}}}
	spec := func(cell grid.Cell) experiment.RunSpec {
		r := experiment.RunSpec{Config: setup.Config}
		r.LR = cell.Values[1]
		switch methods[int(cell.Values[0])] {
		case MethodExplicitGradNorm:
			r.LR, r.Lambda = c.H, cell.Values[1]/4
		case MethodExplicitSGD:
			r.LR = c.H
		case MethodSGD:
			r.Batch = c.Batch
		}
		return r
	}
	explicitSGD := func(cell grid.Cell) bool { return methods[int(cell.Values[0])] == MethodExplicitSGD }
	plan, err := grid.NewPlan(g, experiment.Shard{}, func(cell grid.Cell) (train.Job, error) {
		st := spec(cell).Settings(setup)
		if explicitSGD(cell) {
			st.Penalties = []graph.Penalty{regularizer.SGD{Eta: cell.Values[1], Batch: c.Batch}}
		}
		return train.Job{Problem: setup.Problem, Settings: st}, nil
	}, func(cell grid.Cell) float64 {
		if explicitSGD(cell) {
			return 3 * spec(cell).Cost(setup) // differentiating through the gradient
		}
		return spec(cell).Cost(setup)
	})
	if err != nil {
		return nil, err
	}
	outcomes, stop := env.Grid(ctx, "compare sweep", setup.Workers, plan)
	if stop != nil && outcomes == nil {
		return nil, stop
	}
	res := &SweepResult{Out: env.Dir}
	implicit := map[float64]SweepRow{}
	for _, o := range outcomes {
		r, eta := o.Result, o.Values[1]
		run := spec(o.Cell)
		row := SweepRow{Method: methods[int(o.Values[0])], Eta: eta, StepSize: run.LR, Status: r.Status,
			Steps: r.Steps, Time: float64(r.Steps) * run.LR, TrainMSE: r.TrainMSE, TestMSE: r.TestMSE, GradNormSq: r.GradNormSq,
			SharpnessInit: r.SharpnessInit, SharpnessFinal: r.SharpnessFinal}
		res.Rows = append(res.Rows, row)
		if row.Method == MethodImplicit {
			implicit[eta] = row
		}
	}
	// The central flow at every η, to implicit GD's time.
	var centralSeconds float64
	if stop == nil && c.Central {
		begin := time.Now()
		var cf []SweepRow
		cf, stop = sweepCentral(ctx, c, setup, etas, implicit, env)
		if stop != nil && ctx.Err() == nil {
			return nil, stop
		}
		centralSeconds = time.Since(begin).Seconds()
		res.Rows = append(res.Rows, cf...)
	}
	sum := sweepSummary{H: experiment.Number(c.H), Seed: setup.Seed, Batch: c.Batch, WallSeconds: experiment.Number(env.WallSeconds()),
		Interrupted: stop != nil, GridRuns: env.GridRuns(), ComputedBy: experiment.Provenance()}
	rowsOf := map[string][]experiment.RunRow{}
	for _, r := range res.Rows {
		status := r.Status
		if r.Method == MethodCentralFlow && status == train.Completed && implicit[r.Eta].Status == train.Converged {
			status = train.Converged // followed to converged implicit GD's time
		}
		rowsOf[r.Method] = append(rowsOf[r.Method], experiment.RunRow{LR: r.Eta, Status: status, TestMSE: r.TestMSE})
	}
	test := setup.Data().Test
	sum.Implicit, sum.Explicit = experiment.HeadlineOf(test, rowsOf[MethodImplicit]), experiment.HeadlineOf(test, rowsOf[MethodExplicitGradNorm])
	if rows := rowsOf[MethodCentralFlow]; rows != nil {
		h := experiment.HeadlineOf(test, rows)
		sum.CentralFlow = &h
		sum.CentralSteps, sum.CentralSeconds = c.CentralSteps, experiment.Number(centralSeconds)
	}
	if c.Batch > 0 {
		sgd, explicit := experiment.HeadlineOf(test, rowsOf[MethodSGD]), experiment.HeadlineOf(test, rowsOf[MethodExplicitSGD])
		sum.SGD, sum.ExplicitSGD = &sgd, &explicit
	}
	res.summary = sum
	return res, stop
}

// Files are compare_sweep.csv, the figure compare_sweep and
// compare_sweep.json.
func (r *SweepResult) Files() []experiment.File {
	return []experiment.File{
		experiment.TableFile("compare_sweep.csv", r.Rows),
		experiment.FigureFile("compare_sweep", func() (*plots.Plot, error) { return SweepFigure(r.Rows) }),
		experiment.JSONFile("compare_sweep.json", r.summary),
	}
}

// WriteTable prints the methods side by side, one line per η.
func (r *SweepResult) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var methods []string
	rows := map[string][]SweepRow{}
	for _, x := range r.Rows {
		if rows[x.Method] == nil {
			methods = append(methods, x.Method)
		}
		rows[x.Method] = append(rows[x.Method], x)
	}
	fmt.Fprintf(tw, "η")
	for _, m := range methods {
		fmt.Fprintf(tw, "\t%s status\tsteps\ttest MSE", m)
	}
	fmt.Fprintln(tw)
	if len(methods) == 0 {
		return tw.Flush()
	}
	for i, first := range rows[methods[0]] {
		fmt.Fprintf(tw, "%g", first.Eta)
		for _, m := range methods {
			x := rows[m][i]
			fmt.Fprintf(tw, "\t%s\t%d\t%.4g", x.Status, x.Steps, x.TestMSE)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

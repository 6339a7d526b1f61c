package experiment

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
)

// SweepCompareRow is one run of CompareSweep: a row of compare_sweep.csv.
type SweepCompareRow struct {
	Method     string  // MethodImplicit, MethodExplicitGradNorm, and with a batch size MethodSGD or MethodExplicitSGD
	Eta        float64 // the step η of implicit GD, the target step of λ = η/4
	StepSize   float64 // η for implicit GD, h for explicit GD
	Status     train.Status
	Steps      int
	Time       float64 // steps × step size
	TrainMSE   float64
	TestMSE    float64
	GradNormSq float64
}

// SweepCompareColumns are the columns of compare_sweep.csv.
var SweepCompareColumns = sweepCompareTable.names

var sweepCompareTable = newTable([]column[SweepCompareRow]{
	stringColumn("method", func(r *SweepCompareRow) *string { return &r.Method }),
	floatColumn("eta", func(r *SweepCompareRow) *float64 { return &r.Eta }),
	floatColumn("step_size", func(r *SweepCompareRow) *float64 { return &r.StepSize }),
	{"status", func(r *SweepCompareRow) string { return string(r.Status) },
		func(r *SweepCompareRow, s string) error { r.Status = train.Status(s); return nil }},
	intColumn("steps", func(r *SweepCompareRow) *int { return &r.Steps }),
	floatColumn("time", func(r *SweepCompareRow) *float64 { return &r.Time }),
	floatColumn("train_mse", func(r *SweepCompareRow) *float64 { return &r.TrainMSE }),
	floatColumn("test_mse", func(r *SweepCompareRow) *float64 { return &r.TestMSE }),
	floatColumn("grad_norm_sq", func(r *SweepCompareRow) *float64 { return &r.GradNormSq }),
})

// ReadSweepCompare reads compare_sweep.csv.
func ReadSweepCompare(path string) ([]SweepCompareRow, error) {
	return sweepCompareTable.read(path)
}

// SweepCompareResult is what CompareSweep computed.
type SweepCompareResult struct {
	Rows []SweepCompareRow
	Out  string
}

// CompareSweep trains, for every η of the grid, implicit GD with step η and
// explicit GD with the small step h on L + (η/4)‖∇L‖² — and with a Batch
// minibatch SGD with step η and explicit GD with step h on L + the SGD
// regularizer — all from the same data and initialization to the tolerance,
// and writes data.csv, compare_sweep.csv, compare_sweep.json (the headline
// numbers of each method) and the figure compare_sweep (test MSE against η,
// a curve per method) to s.Out. None of these names collide with Compare's,
// so both can share one folder.
func CompareSweep(ctx context.Context, s *CompareSettings) (*SweepCompareResult, error) {
	start := time.Now()
	c, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	etas := c.LRs
	if etas == nil {
		if etas, err = ParseGrid(BlogGrid); err != nil {
			return nil, err
		}
	}
	// The methods, in the order of the rows.
	methods := []string{MethodImplicit, MethodExplicitGradNorm}
	if c.Batch > 0 {
		methods = append(methods, MethodSGD, MethodExplicitSGD)
	}
	setup, err := c.Config.resolve(Footprint{Runs: len(methods) * len(etas), Graph: RegularizedGraph})
	if err != nil {
		return nil, err
	}
	if err := setup.checkBatch(c.Batch); err != nil {
		return nil, err
	}
	out, err := openOutput(setup)
	if err != nil {
		return nil, err
	}
	// A grid of the methods × η; the explicit runs, which cost more, start
	// first.
	indices := make([]float64, len(methods))
	for i := range indices {
		indices[i] = float64(i)
	}
	g := grid.Grid{Axes: []grid.Axis{{Name: "method", Values: indices}, {Name: "eta", Values: etas}}}
	spec := func(cell grid.Cell) runSpec {
		r := runSpec{Config: setup.Config, LR: cell.Values[1]}
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
	plan, err := grid.NewPlan(g, Shard{}, func(cell grid.Cell) (train.Job, error) {
		st := spec(cell).settings(setup)
		if explicitSGD(cell) {
			st.Penalties = []graph.Penalty{regularizer.SGD{Eta: cell.Values[1], Batch: c.Batch}}
		}
		return train.Job{Problem: setup.Problem, Settings: st}, nil
	}, func(cell grid.Cell) float64 {
		if explicitSGD(cell) {
			return 3 * spec(cell).cost(setup) // differentiating through the gradient
		}
		return spec(cell).cost(setup)
	})
	if err != nil {
		return nil, err
	}
	results, stop := runAll(ctx, setup, "compare sweep", plan.Jobs)
	if stop != nil && !interrupted(stop) {
		return nil, stop
	}
	res := &SweepCompareResult{Out: setup.Out}
	for _, o := range plan.Outcomes(results) {
		r, eta := o.Result, o.Values[1]
		run := spec(o.Cell)
		res.Rows = append(res.Rows, SweepCompareRow{Method: methods[int(o.Values[0])], Eta: eta, StepSize: run.LR, Status: r.Status,
			Steps: r.Steps, Time: float64(r.Steps) * run.LR, TrainMSE: r.TrainMSE, TestMSE: r.TestMSE, GradNormSq: r.GradNormSq})
	}
	if err := sweepCompareTable.write(out.path("compare_sweep.csv"), res.Rows); err != nil {
		return nil, err
	}
	if err := out.saveFigure("compare_sweep")(CompareSweepFigure(res.Rows)); err != nil {
		return nil, err
	}
	sum := struct {
		H           Number    `json:"h"`
		Seed        uint64    `json:"seed"`
		Batch       int       `json:"batch,omitempty"`
		Implicit    Headline  `json:"implicit"`
		Explicit    Headline  `json:"explicit"`
		SGD         *Headline `json:"sgd,omitempty"`
		ExplicitSGD *Headline `json:"explicit_sgd,omitempty"`
		WallSeconds Number    `json:"wall_seconds"`
		Interrupted bool      `json:"interrupted"`
		ComputedBy
	}{H: Number(c.H), Seed: setup.Seed, Batch: c.Batch, WallSeconds: Number(wallSeconds(start)), Interrupted: stop != nil, ComputedBy: computedBy()}
	byMethod := map[string][]RunRow{}
	for _, r := range res.Rows {
		byMethod[r.Method] = append(byMethod[r.Method], RunRow{LR: r.Eta, Status: r.Status, TestMSE: r.TestMSE})
	}
	sum.Implicit, sum.Explicit = headline(setup, byMethod[MethodImplicit]), headline(setup, byMethod[MethodExplicitGradNorm])
	if c.Batch > 0 {
		sgd, explicit := headline(setup, byMethod[MethodSGD]), headline(setup, byMethod[MethodExplicitSGD])
		sum.SGD, sum.ExplicitSGD = &sgd, &explicit
	}
	if err := out.writeJSON("compare_sweep.json", sum); err != nil {
		return nil, err
	}
	return res, stop
}

// WriteTable prints the methods side by side, one line per η.
func (r *SweepCompareResult) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var methods []string
	rows := map[string][]SweepCompareRow{}
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

package experiment

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
)

// SweepCompareRow is one run of CompareSweep: a row of compare_sweep.csv.
type SweepCompareRow struct {
	Method     string  // MethodImplicit or MethodExplicitGradNorm
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
// explicit GD with the small step h on L + (η/4)‖∇L‖², both from the same
// data and initialization to the tolerance, and writes data.csv,
// compare_sweep.csv, compare_sweep.json (the headline numbers of both) and
// the figure compare_sweep (test MSE against η, both curves) to s.Out. None
// of these names collide with Compare's, so both can share one folder.
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
	setup, err := c.Config.resolve(Footprint{Runs: 2 * len(etas), Graph: RegularizedGraph})
	if err != nil {
		return nil, err
	}
	out, err := openOutput(setup)
	if err != nil {
		return nil, err
	}
	// A grid of the two methods × η; the explicit runs, which cost more,
	// start first.
	methods := []string{MethodImplicit, MethodExplicitGradNorm}
	g := grid.Grid{Axes: []grid.Axis{{Name: "method", Values: []float64{0, 1}}, {Name: "eta", Values: etas}}}
	spec := func(cell grid.Cell) runSpec {
		r := runSpec{Config: setup.Config, LR: cell.Values[1]}
		if methods[int(cell.Values[0])] == MethodExplicitGradNorm {
			r.LR, r.Lambda = c.H, cell.Values[1]/4
		}
		return r
	}
	plan, err := grid.NewPlan(g, Shard{}, func(cell grid.Cell) (train.Job, error) {
		return train.Job{Problem: setup.Problem, Settings: spec(cell).settings(setup)}, nil
	}, func(cell grid.Cell) float64 { return spec(cell).cost(setup) })
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
		H           Number   `json:"h"`
		Seed        uint64   `json:"seed"`
		Implicit    Headline `json:"implicit"`
		Explicit    Headline `json:"explicit"`
		WallSeconds Number   `json:"wall_seconds"`
		Interrupted bool     `json:"interrupted"`
		ComputedBy
	}{H: Number(c.H), Seed: setup.Seed, WallSeconds: Number(wallSeconds(start)), Interrupted: stop != nil, ComputedBy: computedBy()}
	var imp, exp []RunRow
	for _, r := range res.Rows {
		row := RunRow{LR: r.Eta, Status: r.Status, TestMSE: r.TestMSE}
		if r.Method == MethodImplicit {
			imp = append(imp, row)
		} else {
			exp = append(exp, row)
		}
	}
	sum.Implicit, sum.Explicit = headline(setup, imp), headline(setup, exp)
	if err := out.writeJSON("compare_sweep.json", sum); err != nil {
		return nil, err
	}
	return res, stop
}

// WriteTable prints implicit and explicit GD side by side, one line per η.
func (r *SweepCompareResult) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "η\timplicit status\tsteps\ttest MSE\texplicit status\tsteps\ttest MSE\n")
	half := len(r.Rows) / 2
	for i := 0; i < half; i++ {
		a, b := r.Rows[i], r.Rows[half+i]
		fmt.Fprintf(tw, "%g\t%s\t%d\t%.4g\t%s\t%d\t%.4g\n", a.Eta, a.Status, a.Steps, a.TestMSE, b.Status, b.Steps, b.TestMSE)
	}
	return tw.Flush()
}

package grids

import (
	"context"
	"errors"
	"fmt"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
)

// Run is a grid of runs on its way to an output folder: the one runner
// under Sweep and Map, and under Reproduce's sweep.
type Run struct {
	kind   string // "sweep" or "map": the name of its table, kind.csv
	layout Layout
	grid   grid.Grid
	shard  experiment.Shard // the cells this run trains
	cells  *cells
	setup  *experiment.Setup // of the first cell; its data set is data.csv
	// identity fingerprints every cell's run: a grid's configuration.
	identity string
}

// newRun checks the grid's axes, refuses a grid whose runs would not fit
// in memory — work says what else the command trains beside the shard's
// cells (see cells.checkMemory) — and resolves its first cell.
func newRun(kind string, l Layout, g grid.Grid, base experiment.RunSpec, shard experiment.Shard, work train.Footprint) (*Run, error) {
	if err := shard.Check(); err != nil {
		return nil, fmt.Errorf("%w: %w", experiment.ErrConfig, err)
	}
	cs, err := newCells(g, base)
	if err != nil {
		return nil, err
	}
	for i := range g.Len() {
		if shard.Has(i) {
			work.Runs++
		}
	}
	if err := cs.checkMemory(work); err != nil {
		return nil, err
	}
	setup, err := cs.first()
	if err != nil {
		return nil, err
	}
	r := &Run{kind: kind, layout: l, grid: g, shard: shard, cells: cs, setup: setup}
	if r.identity, err = cs.fingerprint(); err != nil {
		return nil, err
	}
	return r, nil
}

// NewSweep returns the grid of a sweep: k seeds (k < 1 means 1) × the
// learning rates lrs (nil means BlogGrid), each run the base run (its
// configuration, history interval and batch size) at the cell's learning
// rate and seed, to train the cells of shard beside what work says.
func NewSweep(base experiment.RunSpec, lrs []float64, k int, shard experiment.Shard, work train.Footprint) (*Run, error) {
	if lrs == nil {
		var err error
		if lrs, err = experiment.ParseGrid(experiment.BlogGrid); err != nil {
			return nil, err
		}
	}
	seeds, err := experiment.SeedValues(base.Seed, k)
	if err != nil {
		return nil, err
	}
	return newRun("sweep", SweepLayout, SweepLayout.Grid(lrs, nil, seeds), base, shard, work)
}

// Tracked reports whether the grid's runs track their sharpness, and so
// have a regime.
func (r *Run) Tracked() bool { return r.cells.base.TrackSharpness > 0 }

// Setup is the setup of the grid's first cell, whose data set its folder
// shows.
func (r *Run) Setup() *experiment.Setup { return r.setup }

// Identity fingerprints every cell's run.
func (r *Run) Identity() string { return r.identity }

// Seeds is the number of seeds of the grid: the values of its seed axis.
func (r *Run) Seeds() int {
	if k := r.grid.Axis("seed"); k >= 0 {
		return len(r.grid.Axes[k].Values)
	}
	return 1
}

// Plan returns the plan of the cells of the shard; every cell's run is
// checked.
func (r *Run) Plan() (*grid.Plan, error) {
	plan, err := grid.NewPlan(r.grid, r.shard, r.cells.job, r.cells.cost)
	if err != nil && !errors.Is(err, experiment.ErrConfig) {
		err = fmt.Errorf("%w: %w", experiment.ErrConfig, err)
	}
	return plan, err
}

// Train trains a plan of the grid, resumably (see experiment.Env.Grid),
// and returns the rows and history of its cells in canonical order. stop
// is the interruption, if any: the rows of the runs it cut short say so.
func (r *Run) Train(ctx context.Context, env *experiment.Env, plan *grid.Plan, label string) (rows []MapRow, history []experiment.HistoryRow, stop error) {
	outcomes, stop := env.Grid(ctx, label, r.setup.Workers, plan)
	if stop != nil && outcomes == nil {
		return nil, nil, stop
	}
	rows, history = r.Collect(outcomes)
	return rows, history, stop
}

// Collect returns the rows and history of trained cells of the grid, in
// the order given.
func (r *Run) Collect(outcomes []grid.Outcome) (rows []MapRow, history []experiment.HistoryRow) {
	for _, o := range outcomes {
		row := r.layout.mapRow(r.grid, o)
		rows = append(rows, row)
		history = append(history, experiment.HistoryRows(runName(r.Seeds(), row.Seed), o.Result)...)
	}
	return rows, history
}

// runName names the history of a sweep's runs for seed, in a sweep over
// seeds seeds: "sweep" for one seed, "sweep_seed<N>" for several.
func runName(seeds int, seed uint64) string {
	if seeds == 1 {
		return RunSweep
	}
	return fmt.Sprintf("%s_seed%d", RunSweep, seed)
}

// RunSweep names the runs of a sweep in history.csv.
const RunSweep = "sweep"

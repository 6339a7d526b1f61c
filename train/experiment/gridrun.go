package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
)

// Shard selects part of a grid of runs; see grid.Shard.
type Shard = grid.Shard

// gridRun is a grid of runs on its way to an output folder: the one runner
// under Sweep and Map (and, for their cells, Reproduce and CompareSweep).
type gridRun struct {
	kind   string // "sweep" or "map": the name of its table, kind.csv
	layout Layout
	grid   grid.Grid
	shard  Shard // the cells this run trains
	runs   *cellRuns
	setup  *Setup // of the first cell; its data set is data.csv
}

// newGridRun checks the grid's axes, refuses a grid whose runs would not fit
// in memory — work says what else the command trains beside the shard's
// cells (see cellRuns.checkMemory) — and resolves its first cell.
func newGridRun(kind string, l Layout, g grid.Grid, base runSpec, shard Shard, work Footprint) (*gridRun, error) {
	if err := shard.Check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	runs, err := newCellRuns(g, base)
	if err != nil {
		return nil, err
	}
	for i := range g.Len() {
		if shard.Has(i) {
			work.Runs++
		}
	}
	if err := runs.checkMemory(work); err != nil {
		return nil, err
	}
	setup, err := runs.first()
	if err != nil {
		return nil, err
	}
	return &gridRun{kind: kind, layout: l, grid: g, shard: shard, runs: runs, setup: setup}, nil
}

// start plans the cells of the shard, checking every one, then opens the
// output folder with the first cell's data set and trains them (see train).
func (r *gridRun) start(ctx context.Context, label string) (out *folder, rows []MapRow, history []HistoryRow, stop error, err error) {
	plan, err := r.plan()
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if out, err = openOutput(r.setup); err != nil {
		return nil, nil, nil, nil, err
	}
	rows, history, stop, err = r.train(ctx, plan, label)
	return out, rows, history, stop, err
}

// seeds is the number of seeds of the grid: the values of its seed axis.
func (r *gridRun) seeds() int {
	if k := r.grid.Axis("seed"); k >= 0 {
		return len(r.grid.Axes[k].Values)
	}
	return 1
}

// train trains a plan of the grid and returns the rows and history of its
// cells in canonical order. stop is the interruption, if any: the rows of
// the runs it cut short say so, and the caller writes them before returning
// it.
func (r *gridRun) train(ctx context.Context, plan *grid.Plan, label string) (rows []MapRow, history []HistoryRow, stop error, err error) {
	announce(r.setup.Log, label, plan, r.runs.base.Steps, defaultInt(r.setup.MaxSteps, train.DefaultMaxSteps), r.setup.Workers)
	results, stop := runAll(ctx, r.setup, label, plan.Jobs)
	if stop != nil && !interrupted(stop) {
		return nil, nil, nil, stop
	}
	rows, history = r.collect(plan, results)
	return rows, history, stop, nil
}

// plan returns the plan of the cells of the shard; every cell's run is
// checked.
func (r *gridRun) plan() (*grid.Plan, error) {
	plan, err := grid.NewPlan(r.grid, r.shard, r.runs.job, r.runs.cost)
	if err != nil && !errors.Is(err, ErrConfig) {
		err = fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return plan, err
}

// collect returns the rows and history of a plan's results (in the order of
// its jobs), in canonical order.
func (r *gridRun) collect(plan *grid.Plan, results []*train.Result) (rows []MapRow, history []HistoryRow) {
	for _, o := range plan.Outcomes(results) {
		row := r.layout.mapRow(r.grid, o)
		rows = append(rows, row)
		history = append(history, historyRows(runName(r.seeds(), row.Seed), o.Result)...)
	}
	return rows, history
}

// shardFile is shard.json: what a shard computed and of which grid, so that
// Merge can check that its inputs fit together and finish as the
// single-machine run does.
type shardFile struct {
	Kind         string      `json:"kind"`
	Shard        string      `json:"shard"`
	Index        int         `json:"index"`
	Count        int         `json:"count"`
	Fingerprint  string      `json:"fingerprint"`
	Layout       Layout      `json:"layout"`
	Axes         []grid.Axis `json:"axes"`
	HistoryEvery int         `json:"history_every"`
	// Spec is what the kind's outputs need of the whole grid's
	// configuration (a SweepSummary or a MapSummary without results).
	Spec        json.RawMessage `json:"spec"`
	Interrupted bool            `json:"interrupted"`
}

// writeShard writes a shard's outputs: its rows (kind.csv), its history and
// shard.json.
func (r *gridRun) writeShard(f *folder, historyEvery int, spec any, rows []MapRow, history []HistoryRow, stopped bool) error {
	shard := r.shard
	fp, err := r.runs.fingerprint()
	if err != nil {
		return err
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("experiment: shard.json: %w", err)
	}
	sf := shardFile{Kind: r.kind, Shard: shard.String(), Index: shard.Index, Count: shard.Count, Fingerprint: fp,
		Layout: r.layout, Axes: r.grid.Axes, HistoryEvery: historyEvery, Spec: b, Interrupted: stopped}
	if err := r.layout.rowTable().write(f.path(r.kind+".csv"), rows); err != nil {
		return err
	}
	if historyEvery > 0 {
		if err := WriteHistory(f.path("history.csv"), history); err != nil {
			return err
		}
	}
	return f.writeJSON("shard.json", sf)
}

// readShard reads a shard folder's shard.json.
func readShard(dir string) (*shardFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, "shard.json"))
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not the output of a sharded sweep or map: %w", ErrConfig, dir, err)
	}
	var sf shardFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return nil, fmt.Errorf("%w: %s/shard.json: %w", ErrConfig, dir, err)
	}
	if sf.Kind != "sweep" && sf.Kind != "map" {
		return nil, fmt.Errorf("%w: %s/shard.json: unknown kind %q", ErrConfig, dir, sf.Kind)
	}
	return &sf, nil
}

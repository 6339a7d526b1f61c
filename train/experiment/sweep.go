package experiment

import (
	"context"
	"fmt"
	"time"

	"github.com/igr-project/igr/train/dataset"
)

// SweepSettings configure Sweep.
type SweepSettings struct {
	Config
	// LRs is the grid of learning rates. Nil means BlogGrid.
	LRs []float64
	// HistoryEvery, if positive, records every run's history in
	// history.csv.
	HistoryEvery int
	// Seeds, if more than 1, trains every learning rate for that many
	// data and initialization seeds, Seed, Seed+1, …, and writes the
	// spread over them to sweep_bands.csv and the sweep figure.
	Seeds int
	// Shard, if its Count is positive, trains only that shard's cells of
	// the grid; Merge combines the shards' folders.
	Shard Shard
	// Batch, if positive, trains every cell by minibatch SGD with batches
	// of Batch examples; summary.json names it.
	Batch int
}

// SweepResult is what Sweep computed.
type SweepResult struct {
	Rows    []RunRow
	Summary SweepSummary
	Out     string
	// WallSeconds is the run's wall time, also written to timing.json with
	// the kernel that computed it.
	WallSeconds float64
}

// SweepSummary is the summary.json of Sweep. It holds no timing, so that the
// same sweep gives the same bytes on one machine or merged from shards; the
// wall time and the kernel that computed the runs are in timing.json.
type SweepSummary struct {
	Headline
	TotalSteps  int    `json:"total_steps"`
	Seed        uint64 `json:"seed"`
	N           int    `json:"n"`
	Dim         int    `json:"dim"`
	Width       int    `json:"width"`
	Seeds       int    `json:"seeds"`
	Scale       Number `json:"scale"`
	Arch        string `json:"arch"`
	Batch       int    `json:"batch,omitempty"`
	Interrupted bool   `json:"interrupted"`
}

// Sweep trains one model per learning rate (and seed), in parallel, and
// writes data.csv, sweep.csv, summary.json, timing.json, the sweep figure and,
// with HistoryEvery, history.csv to s.Out. With a Shard it trains only the
// shard's cells and writes data.csv, sweep.csv, history.csv, timing.json and
// shard.json, for Merge.
func Sweep(ctx context.Context, s *SweepSettings) (*SweepResult, error) {
	start := time.Now()
	var c SweepSettings
	if s != nil {
		c = *s
	}
	if c.HistoryEvery < 0 {
		return nil, fmt.Errorf("%w: history interval must not be negative", ErrConfig)
	}
	run, err := newSweepRun(runSpec{Config: c.Config, HistoryEvery: c.HistoryEvery, Batch: c.Batch}, c.LRs, c.Seeds, c.Shard,
		Footprint{Graph: PlainGraph})
	if err != nil {
		return nil, err
	}
	setup := run.setup
	out, rows, history, stop, err := run.start(ctx, "sweep")
	if err != nil {
		return nil, err
	}
	res := &SweepResult{Out: setup.Out, Rows: runRows(rows)}
	spec := SweepSummary{Seed: setup.Seed, Seeds: run.seeds(), N: setup.N, Dim: setup.Dim, Width: setup.Width,
		Scale: Number(setup.Scale), Arch: setup.Arch, Batch: c.Batch}
	if c.Shard.Whole() {
		res.Summary, err = out.finishSweep(spec, c.HistoryEvery, setup.Data().Test, rows, history, stop != nil)
	} else {
		err = run.writeShard(out, c.HistoryEvery, spec, rows, history, stop != nil)
	}
	if err != nil {
		return nil, err
	}
	res.WallSeconds = wallSeconds(start)
	timing := struct {
		WallSeconds float64 `json:"wall_seconds"`
		ComputedBy
	}{res.WallSeconds, computedBy()}
	if err := out.writeJSON("timing.json", timing); err != nil {
		return nil, err
	}
	return res, stop
}

// newSweepRun returns the grid of a sweep: k seeds (k < 1 means 1) × the
// learning rates lrs (nil means BlogGrid), each run the base run (its
// configuration, history interval and batch size) at the cell's learning
// rate and seed, to train the cells of shard beside what work says (see
// newGridRun).
func newSweepRun(base runSpec, lrs []float64, k int, shard Shard, work Footprint) (*gridRun, error) {
	if k < 0 {
		return nil, fmt.Errorf("%w: the number of seeds must be positive, got %d", ErrConfig, k)
	}
	if lrs == nil {
		var err error
		if lrs, err = ParseGrid(BlogGrid); err != nil {
			return nil, err
		}
	}
	seeds, err := seedValues(base.Seed, k)
	if err != nil {
		return nil, err
	}
	return newGridRun("sweep", SweepLayout, SweepLayout.Grid(lrs, nil, seeds), base, shard, work)
}

// finishSweep writes the outputs of a whole sweep: sweep.csv (and over
// several seeds sweep_bands.csv), the sweep figure, history.csv and
// summary.json. spec is the summary without results. Sweep and Merge both
// end here, so that they write the same bytes.
func (f *folder) finishSweep(spec SweepSummary, historyEvery int, test dataset.Split, rows []MapRow, history []HistoryRow, stopped bool) (SweepSummary, error) {
	sum := spec
	perSeed := len(rows) / max(1, spec.Seeds)
	sum.Headline = headlineOf(test, runRows(rows[:perSeed]))
	sum.Interrupted = stopped
	sum.TotalSteps = 0
	for _, r := range rows {
		sum.TotalSteps += r.Steps
	}
	if err := f.writeSweepFigures(rows, spec.Seeds, float64(sum.ConstantTestMSE)); err != nil {
		return sum, err
	}
	if historyEvery > 0 {
		if err := WriteHistory(f.path("history.csv"), history); err != nil {
			return sum, err
		}
	}
	return sum, f.writeJSON("summary.json", sum)
}

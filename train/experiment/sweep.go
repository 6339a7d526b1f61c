package experiment

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/igr-project/igr/train"
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
}

// Shard selects part of a grid: the cells Index, Index+Count,
// Index+2·Count, … of the grid in its canonical order (seed by seed, the
// learning rates of each seed in order). The zero Shard is the whole grid.
// Cells go round-robin so that every shard gets small and large learning
// rates alike.
type Shard struct {
	Index, Count int
}

// Whole reports whether the shard is the whole grid.
func (s Shard) Whole() bool { return s.Count <= 1 }

// Has reports whether the shard holds cell c of the grid.
func (s Shard) Has(c int) bool { return s.Whole() || c%s.Count == s.Index }

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

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
	Interrupted bool   `json:"interrupted"`
}

// shardFile is shard.json: what a shard computed and of which grid, so that
// Merge can check that its inputs fit together.
type shardFile struct {
	Shard        string       `json:"shard"`
	Index        int          `json:"index"`
	Count        int          `json:"count"`
	Fingerprint  string       `json:"fingerprint"`
	LRs          []float64    `json:"lrs"`
	Seeds        []uint64     `json:"seeds"`
	HistoryEvery int          `json:"history_every"`
	Summary      SweepSummary `json:"summary"` // of the whole grid's configuration; results left out
	Interrupted  bool         `json:"interrupted"`
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
	if c.Shard.Count < 0 || c.Shard.Index < 0 || c.Shard.Count > 0 && c.Shard.Index >= c.Shard.Count {
		return nil, fmt.Errorf("%w: shard %s: want i/N with 0 ≤ i < N", ErrConfig, c.Shard)
	}
	lrs := c.LRs
	if lrs == nil {
		var err error
		if lrs, err = ParseGrid(BlogGrid); err != nil {
			return nil, err
		}
	}
	for _, lr := range lrs {
		if !(lr > 0) || math.IsInf(lr, 0) {
			return nil, fmt.Errorf("%w: learning rate must be a positive number, got %g", ErrConfig, lr)
		}
	}
	shards := max(c.Shard.Count, 1)
	runs := (max(c.Seeds, 1)*len(lrs) + shards - 1) / shards // the shard's cells
	setups, err := seedSetups(c.Config, c.Seeds, Footprint{Runs: runs, Graph: PlainGraph})
	if err != nil {
		return nil, err
	}
	setup := setups[0]
	out, err := openOutput(setup)
	if err != nil {
		return nil, err
	}
	all := sweepJobs(setups, lrs, c.HistoryEvery)
	var jobs []train.Job
	var cells []int
	for i, j := range all {
		if c.Shard.Has(i) {
			jobs = append(jobs, j)
			cells = append(cells, i)
		}
	}
	results, stop := runAll(ctx, setup, "sweep", jobs)
	if stop != nil && !interrupted(stop) {
		return nil, stop
	}
	res := &SweepResult{Out: setup.Out}
	var history []HistoryRow
	for k, r := range results {
		seed := setups[cells[k]/len(lrs)]
		res.Rows = append(res.Rows, sweepRows(seed.Seed, seed.Scale, []*train.Result{r})...)
		history = append(history, historyRows(sweepRunName(setups, cells[k]/len(lrs)), r)...)
	}
	grid := sweepGrid{setup: setup, seeds: len(setups), historyEvery: c.HistoryEvery}
	if c.Shard.Whole() {
		res.Summary, err = out.finishSweep(grid, setup.Data().Test, res.Rows, history, stop != nil)
	} else {
		err = out.writeShard(c, setups, lrs, res.Rows, history, stop != nil)
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

// sweepGrid is what the outputs of a whole sweep need to know of it.
type sweepGrid struct {
	setup        *Setup
	seeds        int
	historyEvery int
}

// finishSweep writes the outputs of a whole sweep: sweep.csv (and over
// several seeds sweep_bands.csv), the sweep figure, history.csv and
// summary.json. Sweep and Merge both end here, so that they write the same
// bytes.
func (f *folder) finishSweep(g sweepGrid, test dataset.Split, rows []RunRow, history []HistoryRow, stopped bool) (SweepSummary, error) {
	s := g.setup
	perSeed := len(rows) / max(1, g.seeds)
	sum := SweepSummary{Headline: headlineOf(test, rows[:perSeed]), Seed: s.Seed, Seeds: g.seeds,
		N: s.N, Dim: s.Dim, Width: s.Width, Scale: Number(s.Scale), Arch: s.Arch, Interrupted: stopped}
	for _, r := range rows {
		sum.TotalSteps += r.Steps
	}
	if err := f.writeSweepFigures(rows, g.seeds, float64(sum.ConstantTestMSE)); err != nil {
		return sum, err
	}
	if g.historyEvery > 0 {
		if err := WriteHistory(f.path("history.csv"), history); err != nil {
			return sum, err
		}
	}
	return sum, f.writeJSON("summary.json", sum)
}

// writeShard writes a shard's outputs: its rows, its history and shard.json.
func (f *folder) writeShard(c SweepSettings, setups []*Setup, lrs []float64, rows []RunRow, history []HistoryRow, stopped bool) error {
	s := setups[0]
	sf := shardFile{Shard: c.Shard.String(), Index: c.Shard.Index, Count: c.Shard.Count, LRs: lrs, HistoryEvery: c.HistoryEvery,
		Fingerprint: gridFingerprint(setups, lrs, c.HistoryEvery), Interrupted: stopped,
		Summary: SweepSummary{Seed: s.Seed, Seeds: len(setups), N: s.N, Dim: s.Dim, Width: s.Width, Scale: Number(s.Scale), Arch: s.Arch}}
	for _, x := range setups {
		sf.Seeds = append(sf.Seeds, x.Seed)
	}
	if err := WriteRuns(f.path("sweep.csv"), SweepColumns, rows); err != nil {
		return err
	}
	if c.HistoryEvery > 0 {
		if err := WriteHistory(f.path("history.csv"), history); err != nil {
			return err
		}
	}
	return f.writeJSON("shard.json", sf)
}

// gridFingerprint identifies a grid by what determines its results.
func gridFingerprint(setups []*Setup, lrs []float64, historyEvery int) string {
	var parts string
	for _, s := range setups {
		st := s.settings(0)
		st.HistoryEvery = historyEvery
		parts += fingerprint(s, &st)
	}
	return fmt.Sprintf("%s/%v", parts, lrs)
}

// readShard reads a shard folder's shard.json.
func readShard(dir string) (*shardFile, error) {
	b, err := os.ReadFile(dir + "/shard.json")
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not the output of a sharded sweep: %w", ErrConfig, dir, err)
	}
	var sf shardFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return nil, fmt.Errorf("%w: %s/shard.json: %w", ErrConfig, dir, err)
	}
	return &sf, nil
}

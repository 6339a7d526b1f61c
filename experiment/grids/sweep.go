package grids

import (
	"context"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/plots"
)

// SweepSettings configure Sweep.
type SweepSettings struct {
	experiment.Config
	// LRs is the grid of learning rates. Nil means BlogGrid.
	LRs []float64 `igr:"lrs" default:"0.001:0.15:0.005"`
	// HistoryEvery, if positive, records every run's history in
	// history.csv.
	HistoryEvery int `igr:"history-every"`
	// Seeds, if more than 1, trains every learning rate for that many
	// data and initialization seeds, Seed, Seed+1, …, and writes the
	// spread over them to sweep_bands.csv and the sweep figure, and each
	// seed's numbers and theirs over the seeds to summary.json.
	Seeds int `igr:"seeds" default:"1"`
	// Shard, if its Count is positive, trains only that shard's cells of
	// the grid; Merge combines the shards' folders.
	Shard experiment.Shard `igr:"shard"`
	// Batch, if positive, trains every cell by minibatch SGD with batches
	// of Batch examples; summary.json names it.
	Batch int `igr:"batch"`
	// TrackSharpness is the interval in steps at which every run tracks
	// its sharpness, from which sweep.csv reads its regime and
	// sharpness_max_ratio (experiment.TrackSettings). Zero means
	// DefaultTrackSharpness.
	TrackSharpness int `igr:"track-sharpness" default:"10"`
}

// DefaultTrackSharpness is the interval at which the runs of sweeps and maps
// track their sharpness unless told otherwise. Every 10 steps, and each of
// the first experiment.EarlySteps steps, labels every run of a 60-run map
// of the blog's problem as tracking every step does, for 1.7× the
// processor time of the map without any sharpness against 3.4× for every
// step (docs/curvature.md).
const DefaultTrackSharpness = 10

// SweepResult is what Sweep computed.
type SweepResult struct {
	Rows []experiment.RunRow
	// Summary is summary.json; empty for a shard.
	Summary SweepSummary
	Out     string
	// WallSeconds is the run's wall time, also written to timing.json with
	// the kernel that computed it.
	WallSeconds float64

	shard   experiment.Shard
	resumed string
	files   []experiment.File
}

// SweepSummary is the summary.json of Sweep. It holds no timing, so that the
// same sweep gives the same bytes on one machine or merged from shards; the
// wall time and the kernel that computed the runs are in timing.json.
//
// A sweep of one seed has the Headline of its runs. A sweep over several
// seeds has, instead, each seed's headline (PerSeed) and the headline of
// the runs summarized over the seeds (OverSeeds).
type SweepSummary struct {
	Headlines
	TotalSteps int               `json:"total_steps"`
	Seed       uint64            `json:"seed"`
	N          int               `json:"n"`
	Dim        int               `json:"dim"`
	Width      int               `json:"width"`
	Seeds      int               `json:"seeds"`
	Scale      experiment.Number `json:"scale"`
	Arch       string            `json:"arch"`
	Batch      int               `json:"batch,omitempty"`
	Tol        experiment.Number `json:"tol"` // the training MSE the runs were trained to
	// TrackSharpness is the interval at which the runs tracked their
	// sharpness; 0 (absent) when they did not.
	TrackSharpness int  `json:"track_sharpness,omitempty"`
	Interrupted    bool `json:"interrupted"`
}

// Headlines are what a sweep is read for: the Headline of its runs over one
// seed, or, over several seeds, each seed's headline and the headline of the
// runs summarized over the seeds.
type Headlines struct {
	*experiment.Headline
	PerSeed   []SeedHeadline `json:"per_seed,omitempty"`
	OverSeeds *SeedsHeadline `json:"over_seeds,omitempty"`
}

// SeedHeadline is the headline of the runs of one seed of a sweep.
type SeedHeadline struct {
	Seed uint64 `json:"seed"`
	experiment.Headline
}

// SeedsHeadline is the headline of a sweep over several seeds, read off its
// bands: each learning rate's runs summarized over the seeds.
type SeedsHeadline struct {
	// BestLR is the learning rate with the least median test MSE among
	// those at which every seed converged; BestMedianTestMSE that median.
	BestLR            experiment.Number `json:"best_lr"`
	BestMedianTestMSE experiment.Number `json:"best_median_test_mse"`
	// BestLRMin and BestLRMax bound the seeds' own best learning rates.
	BestLRMin experiment.Number `json:"best_lr_min"`
	BestLRMax experiment.Number `json:"best_lr_max"`
	// FirstDivergedLR is the smallest learning rate at which some seed
	// diverged, FirstAllDivergedLR the smallest at which every seed did.
	FirstDivergedLR    experiment.Number `json:"first_diverged_lr"`
	FirstAllDivergedLR experiment.Number `json:"first_all_diverged_lr"`
	// LastConvergedLR is the largest learning rate at which every seed
	// converged.
	LastConvergedLR experiment.Number `json:"last_converged_lr"`
}

// sweepRun is what Sweep prepared.
type sweepRun struct{ run *Run }

// Sweep trains one model per learning rate (and seed), in parallel, and
// writes data.csv, sweep.csv, summary.json, timing.json, the sweep figure and,
// with HistoryEvery, history.csv to its folder. With a Shard it trains only
// the shard's cells and writes data.csv, sweep.csv, history.csv, timing.json
// and shard.json, for Merge.
var Sweep = &experiment.Experiment[*SweepSettings, *Run, *SweepResult]{
	Name:    "sweep",
	Summary: "train at every learning rate of a grid, in parallel",
	Usage:   "[-lrs FROM:TO:STEP] [-batch B] [-out DIR] [flags]",
	Prepare: func(c *SweepSettings) (*experiment.Prepared[*Run], error) {
		base := experiment.RunSpec{Config: c.Config, HistoryEvery: c.HistoryEvery, TrackSharpness: c.TrackSharpness}
		base.Batch = c.Batch
		run, err := NewSweep(base, c.LRs, c.Seeds, c.Shard, train.Footprint{Graph: train.PlainGraph})
		if err != nil {
			return nil, err
		}
		return &experiment.Prepared[*Run]{Data: run.Setup().Data(), Identity: run.Identity(), State: run}, nil
	},
	Execute: func(ctx context.Context, c *SweepSettings, run *Run, env *experiment.Env) (*SweepResult, error) {
		plan, err := run.Plan()
		if err != nil {
			return nil, err
		}
		rows, history, stop := run.Train(ctx, env, plan, "sweep")
		if rows == nil && stop != nil {
			return nil, stop
		}
		setup := run.Setup()
		res := &SweepResult{Out: env.Dir, Rows: RunRows(rows), shard: c.Shard}
		spec := SweepSummary{Seed: setup.Seed, Seeds: run.Seeds(), N: setup.N, Dim: setup.Dim, Width: setup.Width,
			Scale: experiment.Number(setup.Scale), Arch: setup.Arch, Batch: c.Batch, Tol: experiment.Number(setup.Tol),
			TrackSharpness: c.TrackSharpness}
		if c.Shard.Whole() {
			res.Summary, res.files = finishSweep(spec, c.HistoryEvery, setup.Data().Test, rows, history, stop != nil)
		} else if res.files, err = run.shardFiles(c.HistoryEvery, spec, rows, history, stop != nil); err != nil {
			return nil, err
		}
		res.WallSeconds, res.resumed = env.WallSeconds(), env.Resumed()
		res.files = append(res.files, experiment.JSONFile("timing.json", struct {
			WallSeconds     float64 `json:"wall_seconds"`
			RunsFromJournal int64   `json:"runs_from_journal"`
			RunsComputed    int64   `json:"runs_computed"`
			experiment.ComputedBy
		}{res.WallSeconds, env.FromJournal.Load(), env.Computed.Load(), experiment.Provenance()}))
		return res, stop
	},
}

// finishSweep returns the summary and the files of a whole sweep: sweep.csv
// (and over several seeds sweep_bands.csv), the sweep figure, history.csv
// and summary.json. spec is the summary without results. Sweep and Merge
// both end here, so that they write the same bytes.
func finishSweep(spec SweepSummary, historyEvery int, test dataset.Split, rows []MapRow, history []experiment.HistoryRow, stopped bool) (SweepSummary, []experiment.File) {
	sum := spec
	sum.Interrupted = stopped
	sum.TotalSteps = 0
	for _, r := range rows {
		sum.TotalSteps += r.Steps
	}
	var files []experiment.File
	sum.Headlines, files = SweepOutputs(rows, spec.Seeds, float64(spec.Tol), test)
	if historyEvery > 0 {
		files = append(files, experiment.HistoryFile(0, spec.TrackSharpness > 0, history))
	}
	return sum, append(files, experiment.JSONFile("summary.json", sum))
}

// SweepOutputs reads the headlines off the rows of a sweep over seeds seeds,
// trained to training MSE < tol, whose first seed's test set is test, and
// returns them with the sweep's table and figure: sweep.csv (and over
// several seeds sweep_bands.csv) and the sweep figure.
func SweepOutputs(rows []MapRow, seeds int, tol float64, test dataset.Split) (Headlines, []experiment.File) {
	var h Headlines
	files := []experiment.File{SweepLayout.rowsFile("sweep.csv", rows)}
	if seeds <= 1 {
		one := experiment.HeadlineOf(test, RunRows(rows))
		h.Headline = &one
		return h, append(files, experiment.FigureFile("sweep", func() (*plots.Plot, error) {
			return SweepFigure(RunRows(rows), float64(one.ConstantTestMSE), tol)
		}))
	}
	bands := Cells(rows)
	h.PerSeed, h.OverSeeds = perSeed(test, rows), overSeeds(bands)
	for _, s := range h.PerSeed {
		h.OverSeeds.BestLRMin = minNumber(h.OverSeeds.BestLRMin, s.BestLR)
		h.OverSeeds.BestLRMax = -minNumber(-h.OverSeeds.BestLRMax, -s.BestLR)
	}
	constant := float64(h.PerSeed[0].ConstantTestMSE)
	return h, append(files, SweepLayout.cellsFile("sweep_bands.csv", bands),
		experiment.FigureFile("sweep", func() (*plots.Plot, error) { return BandFigure(bands, constant, tol) }))
}

// perSeed returns the headline of every seed's runs, in the order of the
// seeds. The test set of each seed is its own: the constant predictor's
// test MSE is given only for the first seed, whose test set is test.
func perSeed(test dataset.Split, rows []MapRow) []SeedHeadline {
	var out []SeedHeadline
	index := map[uint64]int{}
	bySeed := map[uint64][]experiment.RunRow{}
	for _, r := range RunRows(rows) {
		if _, ok := index[r.Seed]; !ok {
			index[r.Seed] = len(out)
			out = append(out, SeedHeadline{Seed: r.Seed})
		}
		bySeed[r.Seed] = append(bySeed[r.Seed], r)
	}
	for i := range out {
		out[i].Headline = experiment.HeadlineOf(test, bySeed[out[i].Seed])
		if i > 0 {
			out[i].ConstantTestMSE = experiment.Number(math.NaN())
		}
	}
	return out
}

// overSeeds reads the headline of a sweep over seeds off its bands.
func overSeeds(bands []MapCell) *SeedsHeadline {
	nan := experiment.Number(math.NaN())
	h := &SeedsHeadline{BestLR: nan, BestMedianTestMSE: nan, BestLRMin: nan, BestLRMax: nan,
		FirstDivergedLR: nan, FirstAllDivergedLR: nan, LastConvergedLR: nan}
	for _, b := range bands {
		lr := experiment.Number(b.X)
		if b.Converged == b.Seeds && b.Seeds > 0 {
			if math.IsNaN(float64(h.BestMedianTestMSE)) || b.Median < float64(h.BestMedianTestMSE) {
				h.BestLR, h.BestMedianTestMSE = lr, experiment.Number(b.Median)
			}
			h.LastConvergedLR = -minNumber(-h.LastConvergedLR, -lr)
		}
		if b.Diverged > 0 {
			h.FirstDivergedLR = minNumber(h.FirstDivergedLR, lr)
		}
		if b.Diverged == b.Seeds && b.Seeds > 0 {
			h.FirstAllDivergedLR = minNumber(h.FirstAllDivergedLR, lr)
		}
	}
	return h
}

// minNumber is the lesser of a and b, where NaN means "none yet".
func minNumber(a, b experiment.Number) experiment.Number {
	switch {
	case math.IsNaN(float64(b)):
		return a
	case math.IsNaN(float64(a)) || b < a:
		return b
	}
	return a
}

// Files are what Sweep writes: see Sweep.
func (r *SweepResult) Files() []experiment.File { return r.files }

// WriteTable prints one line per run, with the seed of each over several
// seeds, and the learning rates the sweep is read for.
func (r *SweepResult) WriteTable(w io.Writer) error {
	if err := writeResumed(w, r.resumed); err != nil {
		return err
	}
	if !r.shard.Whole() {
		return writeShard(w, r.shard, len(r.Rows))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	seeds := r.Summary.Seeds > 1
	if seeds {
		fmt.Fprintf(tw, "seed\t")
	}
	fmt.Fprintf(tw, "lr\tstatus\tsteps\ttrain MSE\ttest MSE\n")
	for _, x := range r.Rows {
		if seeds {
			fmt.Fprintf(tw, "%d\t", x.Seed)
		}
		fmt.Fprintf(tw, "%g\t%s\t%d\t%.3g\t%.4g\n", x.LR, x.Status, x.Steps, x.TrainMSE, x.TestMSE)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return r.Summary.writeHeadline(w)
}

// writeHeadline prints the best and the first diverging learning rate: of
// the sweep, or of each seed and over the seeds.
func (s *SweepSummary) writeHeadline(w io.Writer) error {
	lr := func(v experiment.Number) string {
		if math.IsNaN(float64(v)) {
			return "none"
		}
		return fmt.Sprintf("%g", float64(v))
	}
	mse := func(v experiment.Number) string {
		if math.IsNaN(float64(v)) {
			return "—"
		}
		return fmt.Sprintf("%.4g", float64(v))
	}
	switch {
	case s.Headline != nil:
		_, err := fmt.Fprintf(w, "\nbest lr %s (test MSE %s); first diverging lr %s\n", lr(s.BestLR), mse(s.BestTestMSE), lr(s.FirstDivergedLR))
		return err
	case s.OverSeeds != nil:
		fmt.Fprintln(w)
		for _, p := range s.PerSeed {
			fmt.Fprintf(w, "seed %d: best lr %s (test MSE %s); first diverging lr %s\n", p.Seed, lr(p.BestLR), mse(p.BestTestMSE), lr(p.FirstDivergedLR))
		}
		o := s.OverSeeds
		_, err := fmt.Fprintf(w, "over %d seeds: best lr %s (median test MSE %s; the seeds' best from %s to %s); first lr where a seed diverges %s, where all do %s\n",
			s.Seeds, lr(o.BestLR), mse(o.BestMedianTestMSE), lr(o.BestLRMin), lr(o.BestLRMax), lr(o.FirstDivergedLR), lr(o.FirstAllDivergedLR))
		return err
	}
	return nil
}

package experiment

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/igr-project/igr/internal/atomicfile"
	"github.com/igr-project/igr/train/dataset"
)

// MergeSettings configure Merge.
type MergeSettings struct {
	// Out is the folder to write; empty means "out".
	Out string
	// Dirs are the output folders of the shards of one sweep.
	Dirs []string
}

// Merge combines the output folders of the shards of one sweep (Sweep with a
// Shard) into the outputs a single-machine Sweep writes — data.csv,
// sweep.csv, sweep_bands.csv over several seeds, history.csv, summary.json and
// the figures — byte for byte. Shards of different sweeps, cells missing or
// computed twice are reported by name and nothing is written.
func Merge(ctx context.Context, s *MergeSettings) (*SweepResult, error) {
	var c MergeSettings
	if s != nil {
		c = *s
	}
	if c.Out == "" {
		c.Out = "out"
	}
	if len(c.Dirs) == 0 {
		return nil, fmt.Errorf("%w: merge needs the folders of the shards", ErrConfig)
	}
	shards := make([]*shardFile, len(c.Dirs))
	for i, d := range c.Dirs {
		sf, err := readShard(d)
		if err != nil {
			return nil, err
		}
		if i > 0 && (sf.Fingerprint != shards[0].Fingerprint || sf.Count != shards[0].Count) {
			return nil, fmt.Errorf("%w: %s and %s are shards of different sweeps", ErrConfig, c.Dirs[0], d)
		}
		shards[i] = sf
	}
	first := shards[0]

	// Every cell of the grid, by name, in canonical order.
	cellName := func(lr float64, seed uint64) string { return fmt.Sprintf("lr %g seed %d", lr, seed) }
	var order []string
	for _, seed := range first.Seeds {
		for _, lr := range first.LRs {
			order = append(order, cellName(lr, seed))
		}
	}
	rows := map[string]RunRow{}
	from := map[string]string{}
	var duplicated []string
	for i, d := range c.Dirs {
		rs, err := ReadRuns(filepath.Join(d, "sweep.csv"))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrConfig, err)
		}
		for _, r := range rs {
			name := cellName(r.LR, r.Seed)
			if prev, ok := from[name]; ok {
				duplicated = append(duplicated, fmt.Sprintf("%s (in %s and %s)", name, prev, c.Dirs[i]))
				continue
			}
			rows[name], from[name] = r, d
		}
	}
	var missing []string
	merged := make([]RunRow, 0, len(order))
	for _, name := range order {
		r, ok := rows[name]
		if !ok {
			missing = append(missing, name)
			continue
		}
		merged = append(merged, r)
	}
	if len(missing)+len(duplicated) > 0 || len(rows) != len(order) {
		var problems []string
		if len(missing) > 0 {
			problems = append(problems, fmt.Sprintf("%d cells missing: %s", len(missing), list(missing)))
		}
		if len(duplicated) > 0 {
			problems = append(problems, fmt.Sprintf("%d cells computed twice: %s", len(duplicated), list(duplicated)))
		}
		if len(rows) != len(order)-len(missing) {
			problems = append(problems, "cells outside the grid")
		}
		return nil, fmt.Errorf("%w: cannot merge: %s", ErrConfig, strings.Join(problems, "; "))
	}

	// The data set: the same in every shard.
	data, err := os.ReadFile(filepath.Join(c.Dirs[0], "data.csv"))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	for _, d := range c.Dirs[1:] {
		other, err := os.ReadFile(filepath.Join(d, "data.csv"))
		if err != nil || !bytes.Equal(other, data) {
			return nil, fmt.Errorf("%w: %s and %s trained on different data", ErrConfig, c.Dirs[0], d)
		}
	}
	set, err := dataset.ReadCSV(bytes.NewReader(data), "data.csv", 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}

	var history []HistoryRow
	if first.HistoryEvery > 0 {
		rank := map[string]int{}
		for k, seed := range first.Seeds {
			for i, lr := range first.LRs {
				rank[fmt.Sprintf("%s %g", runName(len(first.Seeds), seed), lr)] = k*len(first.LRs) + i
			}
		}
		for _, d := range c.Dirs {
			h, err := ReadHistory(filepath.Join(d, "history.csv"))
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrConfig, err)
			}
			history = append(history, h...)
		}
		sort.SliceStable(history, func(i, j int) bool {
			return rank[fmt.Sprintf("%s %g", history[i].Run, history[i].LR)] < rank[fmt.Sprintf("%s %g", history[j].Run, history[j].LR)]
		})
	}

	out, err := newFolder(c.Out)
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteBytes(out.path("data.csv"), data); err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	if err := out.saveFigure("data")(DataFigure(set)); err != nil {
		return nil, err
	}
	sm := first.Summary
	setup := &Setup{Config: Config{Seed: sm.Seed, N: sm.N, Dim: sm.Dim, Width: sm.Width, Scale: float64(sm.Scale), Arch: sm.Arch, Out: c.Out}}
	interruptedShard := false
	for _, sf := range shards {
		interruptedShard = interruptedShard || sf.Interrupted
	}
	res := &SweepResult{Rows: merged, Out: c.Out}
	g := sweepGrid{setup: setup, seeds: len(first.Seeds), historyEvery: first.HistoryEvery}
	if res.Summary, err = out.finishSweep(g, set.Test, merged, history, interruptedShard); err != nil {
		return nil, err
	}
	return res, nil
}

// list names at most ten items.
func list(items []string) string {
	if len(items) > 10 {
		return strings.Join(items[:10], ", ") + fmt.Sprintf(", … (%d more)", len(items)-10)
	}
	return strings.Join(items, ", ")
}

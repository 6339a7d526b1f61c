package grids

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/grid"
)

// MergeSettings configure Merge.
type MergeSettings struct {
	experiment.Output
	// Dirs are the output folders of the shards of one sweep or map.
	Dirs []string
}

// MergeResult is what Merge wrote: the result of the sweep or of the map
// whose shards it combined.
type MergeResult struct {
	Kind   string // "sweep" or "map"
	Shards int
	Sweep  *SweepResult
	Map    *MapResult
}

// Runs is the number of runs merged.
func (r *MergeResult) Runs() int {
	if r.Map != nil {
		return len(r.Map.Rows)
	}
	return len(r.Sweep.Rows)
}

// Files are the files of the sweep or map merged.
func (r *MergeResult) Files() []experiment.File {
	if r.Map != nil {
		return r.Map.Files()
	}
	return r.Sweep.Files()
}

// WriteTable says what was merged and prints the merged sweep's or map's
// table.
func (r *MergeResult) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "Merged %d shards of a %s, %d runs\n\n", r.Shards, r.Kind, r.Runs())
	if r.Map != nil {
		return r.Map.WriteTable(w)
	}
	return r.Sweep.WriteTable(w)
}

// merging is what Merge read of its shards.
type merging struct {
	first   *shardFile
	rows    []MapRow
	history []experiment.HistoryRow
	set     *dataset.Set
	stopped bool
}

// Merge combines the output folders of the shards of one sweep (Sweep with a
// Shard) or map (Map with a Shard) into the outputs a single machine writes —
// data.csv, the tables, summary.json and the figures — byte for byte. Shards
// of different grids, cells missing or computed twice are reported by name
// and nothing is written.
var Merge = &experiment.Experiment[*MergeSettings, *merging, *MergeResult]{
	Name:    "merge",
	Summary: "combine the folders of a sharded sweep or map into the outputs of a single machine",
	Usage:   "-out DIR [-quiet] SHARD_DIR...",
	Args: func(c *MergeSettings, dirs []string) error {
		c.Dirs = dirs
		return nil
	},
	Prepare: func(c *MergeSettings) (*experiment.Prepared[*merging], error) {
		if len(c.Dirs) == 0 {
			return nil, fmt.Errorf("%w: merge needs the folders of the shards", experiment.ErrConfig)
		}
		shards := make([]*shardFile, len(c.Dirs))
		for i, d := range c.Dirs {
			sf, err := readShard(d)
			if err != nil {
				return nil, err
			}
			if i > 0 && (sf.Kind != shards[0].Kind || sf.Fingerprint != shards[0].Fingerprint || sf.Count != shards[0].Count) {
				return nil, fmt.Errorf("%w: %s and %s are shards of different grids", experiment.ErrConfig, c.Dirs[0], d)
			}
			shards[i] = sf
		}
		m := &merging{first: shards[0]}
		g := grid.Grid{Axes: m.first.Axes}
		var err error
		if m.rows, err = mergeRows(c.Dirs, m.first, g); err != nil {
			return nil, err
		}
		// The data set: the same in every shard.
		data, err := os.ReadFile(filepath.Join(c.Dirs[0], "data.csv"))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", experiment.ErrConfig, err)
		}
		for _, d := range c.Dirs[1:] {
			other, err := os.ReadFile(filepath.Join(d, "data.csv"))
			if err != nil || !bytes.Equal(other, data) {
				return nil, fmt.Errorf("%w: %s and %s trained on different data", experiment.ErrConfig, c.Dirs[0], d)
			}
		}
		if m.set, err = dataset.ReadCSV(bytes.NewReader(data), "data.csv", 0); err != nil {
			return nil, fmt.Errorf("%w: %w", experiment.ErrConfig, err)
		}
		if m.first.HistoryEvery > 0 {
			if m.history, err = mergeHistory(c.Dirs, g); err != nil {
				return nil, err
			}
		}
		for _, sf := range shards {
			m.stopped = m.stopped || sf.Interrupted
		}
		return &experiment.Prepared[*merging]{Data: m.set, Identity: m.first.Fingerprint, State: m}, nil
	},
	Execute: func(ctx context.Context, c *MergeSettings, m *merging, env *experiment.Env) (*MergeResult, error) {
		res := &MergeResult{Kind: m.first.Kind, Shards: len(c.Dirs)}
		switch m.first.Kind {
		case "sweep":
			var spec SweepSummary
			if err := json.Unmarshal(m.first.Spec, &spec); err != nil {
				return nil, fmt.Errorf("%w: shard.json: %w", experiment.ErrConfig, err)
			}
			res.Sweep = &SweepResult{Rows: RunRows(m.rows), Out: env.Dir}
			res.Sweep.Summary, res.Sweep.files = finishSweep(spec, m.first.HistoryEvery, m.set.Test, m.rows, m.history, m.stopped)
		case "map":
			var spec MapSummary
			if err := json.Unmarshal(m.first.Spec, &spec); err != nil {
				return nil, fmt.Errorf("%w: shard.json: %w", experiment.ErrConfig, err)
			}
			res.Map = finishMap(spec, m.set.Test, m.rows, m.stopped)
			res.Map.Out = env.Dir
		}
		return res, nil
	},
}

// mergeRows reads the rows of every shard and returns them in the grid's
// canonical order, or an error naming the cells missing or computed twice.
func mergeRows(dirs []string, first *shardFile, g grid.Grid) ([]MapRow, error) {
	cells := make([]*MapRow, g.Len())
	from := make([]string, g.Len())
	var duplicated []string
	outside := 0
	for _, d := range dirs {
		rs, err := first.Layout.ReadRows(filepath.Join(d, first.Kind+".csv"))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", experiment.ErrConfig, err)
		}
		for _, r := range rs {
			i, ok := g.Index(first.Layout.values(r, g))
			switch {
			case !ok:
				outside++
			case cells[i] != nil:
				duplicated = append(duplicated, fmt.Sprintf("%s (in %s and %s)", g.Name(g.Cell(i)), from[i], d))
			default:
				cells[i], from[i] = &r, d
			}
		}
	}
	var missing []string
	rows := make([]MapRow, 0, len(cells))
	for i, r := range cells {
		if r == nil {
			missing = append(missing, g.Name(g.Cell(i)))
			continue
		}
		rows = append(rows, *r)
	}
	var problems []string
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("%d cells missing: %s", len(missing), list(missing)))
	}
	if len(duplicated) > 0 {
		problems = append(problems, fmt.Sprintf("%d cells computed twice: %s", len(duplicated), list(duplicated)))
	}
	if outside > 0 {
		problems = append(problems, fmt.Sprintf("%d cells outside the grid", outside))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: cannot merge: %s", experiment.ErrConfig, strings.Join(problems, "; "))
	}
	return rows, nil
}

// mergeHistory reads the history of every shard of a sweep and orders it as
// the sweep does: by cell, each run's points in order.
func mergeHistory(dirs []string, g grid.Grid) ([]experiment.HistoryRow, error) {
	seeds := g.Axes[g.Axis("seed")].Values
	rank := map[string]int{}
	for i := range g.Len() {
		c := g.Cell(i)
		seed, _ := g.Value(c, "seed")
		lr, _ := g.Value(c, "lr")
		rank[fmt.Sprintf("%s %g", runName(len(seeds), uint64(seed)), lr)] = i
	}
	var history []experiment.HistoryRow
	for _, d := range dirs {
		h, err := experiment.ReadHistory(filepath.Join(d, "history.csv"))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", experiment.ErrConfig, err)
		}
		history = append(history, h...)
	}
	sort.SliceStable(history, func(i, j int) bool {
		return rank[fmt.Sprintf("%s %g", history[i].Run, history[i].LR)] < rank[fmt.Sprintf("%s %g", history[j].Run, history[j].LR)]
	})
	return history, nil
}

// list names at most ten items.
func list(items []string) string {
	if len(items) > 10 {
		return strings.Join(items[:10], ", ") + fmt.Sprintf(", … (%d more)", len(items)-10)
	}
	return strings.Join(items, ", ")
}

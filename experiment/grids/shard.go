package grids

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/train/grid"
)

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

// shardFiles are a shard's outputs: its rows (kind.csv), its history and
// shard.json.
func (r *Run) shardFiles(historyEvery int, spec any, rows []MapRow, history []experiment.HistoryRow, stopped bool) ([]experiment.File, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, fmt.Errorf("grids: shard.json: %w", err)
	}
	shard := r.shard
	sf := shardFile{Kind: r.kind, Shard: shard.String(), Index: shard.Index, Count: shard.Count, Fingerprint: r.identity,
		Layout: r.layout, Axes: r.grid.Axes, HistoryEvery: historyEvery, Spec: b, Interrupted: stopped}
	files := []experiment.File{r.layout.rowsFile(r.kind+".csv", rows)}
	if historyEvery > 0 {
		files = append(files, experiment.HistoryFile(0, r.Tracked(), history))
	}
	return append(files, experiment.JSONFile("shard.json", sf)), nil
}

// readShard reads a shard folder's shard.json.
func readShard(dir string) (*shardFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, "shard.json"))
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not the output of a sharded sweep or map: %w", experiment.ErrConfig, dir, err)
	}
	var sf shardFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return nil, fmt.Errorf("%w: %s/shard.json: %w", experiment.ErrConfig, dir, err)
	}
	if sf.Kind != "sweep" && sf.Kind != "map" {
		return nil, fmt.Errorf("%w: %s/shard.json: unknown kind %q", experiment.ErrConfig, dir, sf.Kind)
	}
	return &sf, nil
}

// writeShard says what a shard computed, and what to do with it.
func writeShard(w io.Writer, shard experiment.Shard, runs int) error {
	_, err := fmt.Fprintf(w, "Shard %s: %d runs; combine the shards with igr merge\n", shard, runs)
	return err
}

// writeResumed says how many runs a grid took from its journal, if any.
func writeResumed(w io.Writer, resumed string) error {
	if resumed == "" {
		return nil
	}
	_, err := fmt.Fprintf(w, "(%s)\n\n", resumed)
	return err
}

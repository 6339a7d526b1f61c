package grid

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/igr-project/igr/train"
)

// RunSettings configure Plan.RunWith. The zero value trains every cell of
// the plan on GOMAXPROCS workers and keeps nothing on disk.
type RunSettings struct {
	// Workers is the number of runs trained at once; zero means GOMAXPROCS.
	Workers int

	// Journal, if not nil, is the journal of the plan's grid and shard:
	// its cells are not trained again, and every run that finishes is
	// appended to it before it counts as done.
	Journal *Journal

	// CheckpointEvery, if positive, saves the state of every run beside the
	// journal (see Journal.CheckpointPath) every that many steps and when
	// the run is interrupted, and a cell with such a checkpoint continues
	// from it rather than from the start; the file goes once the cell is in
	// the journal. It needs a Journal, and overrides the Checkpoint,
	// CheckpointEvery and Resume of the jobs' settings; a job without a
	// Fingerprint gets the journal's and its cell's. Zero means no
	// checkpoints: an unfinished run starts again from its first step.
	CheckpointEvery int
}

// RunResult is what Plan.RunWith did.
type RunResult struct {
	// Outcomes are the plan's cells in canonical order: those of the
	// journal (with Params nil), then those trained now, and on an
	// interruption the runs cut short, with status Interrupted.
	Outcomes []Outcome
	// FromJournal cells were taken from the journal and Computed trained
	// to their end now; Continued of these went on from a checkpoint.
	FromJournal, Computed, Continued int
}

// RunWith trains the cells of the plan that s.Journal does not hold and
// returns every cell's outcome. The runs are deterministic, so the outcomes
// are those of a run that was never stopped, whatever the interruptions,
// the number of workers and the shards, bit for bit but for Runtime and
// Params. On an error or an interruption it returns what was done with it;
// every finished run is in the journal.
func (p *Plan) RunWith(ctx context.Context, s *RunSettings) (*RunResult, error) {
	var cfg RunSettings
	if s != nil {
		cfg = *s
	}
	j := cfg.Journal
	switch {
	case cfg.CheckpointEvery < 0:
		return nil, fmt.Errorf("grid: CheckpointEvery must not be negative, got %d", cfg.CheckpointEvery)
	case cfg.CheckpointEvery > 0 && j == nil:
		return nil, errors.New("grid: checkpoints of runs need a journal")
	}
	if j != nil {
		if err := p.checkJournal(j); err != nil {
			return nil, err
		}
	}
	res := &RunResult{}
	results := make([]*train.Result, len(p.Cells))
	var todo []int // positions in p.Cells
	for i, c := range p.Cells {
		if r, ok := j.lookup(c.Index); ok {
			results[i] = r
			res.FromJournal++
		} else {
			todo = append(todo, i)
		}
	}
	jobs := make([]train.Job, len(todo))
	for k, i := range todo {
		jobs[k] = p.Jobs[i]
		if cfg.CheckpointEvery > 0 {
			if j.checkpoint(p.Cells[i].Index, &jobs[k].Settings, cfg.CheckpointEvery) {
				res.Continued++
			}
		}
	}
	var computed atomic.Int64
	done := func(k int, r *train.Result) error {
		if r.Status == train.Interrupted {
			return nil
		}
		cell := p.Cells[todo[k]].Index
		if j != nil {
			if err := j.Append(cell, r); err != nil {
				return err
			}
			if cfg.CheckpointEvery > 0 {
				j.removeCheckpoint(cell)
			}
		}
		computed.Add(1)
		return nil
	}
	var trained []*train.Result
	var err error
	if len(jobs) > 0 {
		workers := cfg.Workers
		if workers <= 0 {
			workers = runtime.GOMAXPROCS(0)
		}
		trained, err = train.RunAllFunc(ctx, jobs, workers, done)
		if err != nil && trained == nil {
			return nil, fmt.Errorf("grid: %w", err)
		}
	}
	for k, r := range trained {
		results[todo[k]] = r
	}
	res.Computed = int(computed.Load())
	res.Outcomes = p.Outcomes(results)
	return res, err
}

// checkJournal checks that every cell of j is one of the plan's, and removes
// what a kill may have left of checkpoints of cells j holds.
func (p *Plan) checkJournal(j *Journal) error {
	in := make(map[int]bool, len(p.Cells))
	for _, c := range p.Cells {
		in[c.Index] = true
	}
	for _, cell := range j.Cells() {
		if !in[cell] {
			what := "this grid"
			if !p.Shard.Whole() {
				what = "shard " + p.Shard.String() + " of this grid"
			}
			return fmt.Errorf("%w: %s holds cell %d, which is not in %s", ErrOtherGrid, j.path, cell, what)
		}
		j.removeCheckpoint(cell)
	}
	j.removeStaleTemporaries()
	return nil
}

// lookup is Result on a journal that may be nil.
func (j *Journal) lookup(cell int) (*train.Result, bool) {
	if j == nil {
		return nil, false
	}
	return j.Result(cell)
}

// CheckpointPath is the file RunWith saves the state of a cell's run in,
// beside the journal.
func (j *Journal) CheckpointPath(cell int) string {
	return j.path + ".cell-" + strconv.Itoa(cell) + ".checkpoint"
}

// checkpoint sets up the checkpoints of a cell's run in st, every steps
// steps, and reports whether it continues from one. A checkpoint that cannot
// be read or is of another run is removed, and the run starts again.
func (j *Journal) checkpoint(cell int, st *train.Settings, every int) bool {
	path := j.CheckpointPath(cell)
	if st.Fingerprint == "" {
		st.Fingerprint = j.kind + " " + j.fingerprint + " cell " + strconv.Itoa(cell)
	}
	st.CheckpointEvery = every
	st.Checkpoint = func(c *train.Checkpoint) error { return c.WriteFile(path) }
	st.Resume = nil
	c, err := train.ReadCheckpoint(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return false
	case err != nil || c.Fingerprint != st.Fingerprint:
		os.Remove(path)
		return false
	}
	st.Resume = c
	return true
}

func (j *Journal) removeCheckpoint(cell int) {
	os.Remove(j.CheckpointPath(cell))
}

// removeStaleTemporaries removes the temporary files that a kill during the
// writing of a checkpoint leaves (see atomicfile).
func (j *Journal) removeStaleTemporaries() {
	dir, base := filepath.Split(j.path)
	if dir == "" {
		dir = "."
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, "."+base+".cell-") && strings.Contains(name, ".checkpoint.tmp") {
			os.Remove(filepath.Join(dir, name))
		}
	}
}

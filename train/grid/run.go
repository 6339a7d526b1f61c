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
	"sync"
	"sync/atomic"
	"time"

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
	// Outcomes are the plan's cells in canonical order, those taken from
	// the journal with Params nil. After an interruption the runs cut
	// short and those never started are among them with status
	// Interrupted, as train.RunAll reports them.
	Outcomes []Outcome
	// FromJournal cells were taken from the journal and Computed trained
	// to their end now. Continued runs went on from a checkpoint (their
	// Settings.Progress, if any, hears of the steps taken now only).
	FromJournal, Computed, Continued int
	// JournalWait is the time the workers spent handing their records to
	// the journal, summed over them: what the journal cost them.
	JournalWait time.Duration
}

// RunWith trains the cells of the plan that s.Journal does not hold and
// returns every cell's outcome. The runs are deterministic, so the outcomes
// are those of a grid that was never stopped, whatever the interruptions,
// the number of workers and the shards, bit for bit but for Runtime and
// Params.
//
// A run is appended to the journal as it ends. Its worker goes on to the
// next run while the record is written and synced; the records of the runs
// that end within a SyncInterval share one write and one sync, and RunWith
// returns only once every record is on disk, also on an error or an
// interruption. So a kill at any instant loses only the runs under way and
// those that ended within the last SyncInterval, and neither a slow disk
// nor the syncs stall the workers.
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
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	rec := &recorder{j: j, wait: waitForEachRecord, checkpoints: cfg.CheckpointEvery > 0}
	var computed atomic.Int64
	done := func(k int, r *train.Result) error {
		if r.Status == train.Interrupted {
			return nil
		}
		if err := rec.record(p.Cells[todo[k]].Index, r); err != nil {
			return err
		}
		computed.Add(1)
		return nil
	}
	var trained []*train.Result
	var err error
	if len(jobs) > 0 {
		trained, err = train.RunAllFunc(ctx, jobs, workers, done)
	}
	if ferr := rec.finish(); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil && trained == nil && len(jobs) > 0 {
		return nil, fmt.Errorf("grid: %w", err)
	}
	for k, r := range trained {
		results[todo[k]] = r
	}
	res.Computed = int(computed.Load())
	res.JournalWait = time.Duration(rec.waited.Load())
	res.Outcomes = p.Outcomes(results)
	return res, err
}

// waitForEachRecord makes every worker wait until the record of its run is
// on disk before it starts the next: the design the benchmarks compare with.
var waitForEachRecord = false

// recorder appends the runs of RunWith to the journal as they end. A worker
// goes on to its next run while its record waits to be written (with wait,
// the design the benchmarks compare with, it waits until its record is on
// disk); the checkpoint of a run goes once its record is on disk.
type recorder struct {
	j           *Journal // nil: nothing is recorded
	wait        bool
	checkpoints bool

	waited atomic.Int64 // nanoseconds the workers spent in record

	mu    sync.Mutex
	stale []queuedCell // cells whose checkpoints go once their record is on disk
}

type queuedCell struct {
	seq  int64
	cell int
}

func (r *recorder) record(cell int, res *train.Result) error {
	if r.j == nil {
		return nil
	}
	start := time.Now()
	defer func() { r.waited.Add(int64(time.Since(start))) }()
	seq, err := r.j.enqueue(cell, res)
	if err != nil {
		return err
	}
	if r.wait {
		if err := r.j.waitSynced(seq); err != nil {
			return err
		}
	}
	if r.checkpoints {
		r.mu.Lock()
		r.stale = append(r.stale, queuedCell{seq, cell})
		r.mu.Unlock()
		r.removeCheckpoints()
	}
	return nil
}

// finish waits until every record is on disk.
func (r *recorder) finish() error {
	if r.j == nil {
		return nil
	}
	r.j.mu.Lock()
	last := r.j.queued
	r.j.mu.Unlock()
	err := r.j.waitSynced(last)
	r.removeCheckpoints()
	return err
}

// removeCheckpoints removes the checkpoints of the runs whose records are
// on disk.
func (r *recorder) removeCheckpoints() {
	r.j.mu.Lock()
	synced := r.j.synced
	r.j.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	kept := r.stale[:0]
	for _, q := range r.stale {
		if q.seq <= synced {
			r.j.removeCheckpoint(q.cell)
		} else {
			kept = append(kept, q)
		}
	}
	r.stale = kept
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

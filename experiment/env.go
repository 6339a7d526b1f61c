package experiment

import (
	"context"
	"fmt"
	"io"
	"math"
	"strings"
	"sync/atomic"
	"time"

	"github.com/igr-project/igr/internal/progress"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
)

// Env is what the pipeline gives an experiment's Execute: the output folder,
// where progress goes, and runners of training jobs that report progress
// and count the runs that finish, for the message of an interruption.
type Env struct {
	Dir    string
	Log    io.Writer
	Folder *Folder
	// Start is when the experiment started.
	Start time.Time

	done, total atomic.Int64
	// FromJournal and Computed count the runs of grids taken from their
	// journal and trained now (see Grid).
	FromJournal, Computed atomic.Int64
}

// Job is a training job with a name for progress reports ("label_noise");
// the name may be empty.
type Job struct {
	Name string
	train.Job
}

// Train runs jobs on workers goroutines (0 means GOMAXPROCS), with progress
// reported to the Log under label. When ctx is cancelled it returns the
// results, those of unfinished runs with status interrupted, and an error
// wrapping ctx's: the experiment writes its outputs, marked interrupted, and
// returns that error.
func (e *Env) Train(ctx context.Context, label string, workers int, jobs ...Job) ([]*train.Result, error) {
	plain := make([]train.Job, len(jobs))
	names := make([]string, len(jobs))
	for i, j := range jobs {
		plain[i], names[i] = j.Job, j.Name
	}
	rep := StartProgress(e.Log, label, plain, names...)
	results, err := train.RunAll(ctx, plain, workers)
	rep.Stop()
	e.Count(results, len(jobs))
	switch {
	case err == nil:
		return results, nil
	case ctx.Err() != nil:
		return results, fmt.Errorf("experiment: %w", ctx.Err())
	}
	return nil, fmt.Errorf("experiment: %w", err)
}

// Count adds total runs to the experiment's, of which those results that
// finished (not interrupted) count as done.
func (e *Env) Count(results []*train.Result, total int) {
	e.total.Add(int64(total))
	for _, r := range results {
		if r != nil && r.Status != train.Interrupted {
			e.done.Add(1)
		}
	}
}

// WallSeconds is the time since the experiment started, in seconds to a
// tenth.
func (e *Env) WallSeconds() float64 { return math.Round(time.Since(e.Start).Seconds()*10) / 10 }

// GridRuns counts the runs of an experiment's grids, in its summary.json,
// by where their results come from: the journal of an earlier run into the
// folder, or training now.
type GridRuns struct {
	RunsFromJournal int64 `json:"runs_from_journal"`
	RunsComputed    int64 `json:"runs_computed"`
}

// GridRuns returns the counts of the runs of the grids run so far.
func (e *Env) GridRuns() GridRuns {
	return GridRuns{RunsFromJournal: e.FromJournal.Load(), RunsComputed: e.Computed.Load()}
}

// Resumed says, for a result's console table, how many runs of its grids
// were taken from their journal and how many trained now; empty when none
// came from a journal.
func (e *Env) Resumed() string {
	if e.FromJournal.Load() == 0 {
		return ""
	}
	runs := "runs"
	if e.FromJournal.Load() == 1 {
		runs = "run"
	}
	return fmt.Sprintf("%d %s taken from the journal of an earlier run into %s, %d trained now", e.FromJournal.Load(), runs, e.Dir, e.Computed.Load())
}

// interruption is the error of an experiment that stop interrupted.
func (e *Env) interruption(stop error) error {
	return &InterruptedError{Done: int(e.done.Load()), Total: int(e.total.Load()), Dir: e.Dir, Err: stop}
}

// StartProgress reports the progress of jobs to w, or returns nil when w is
// nil. names[i], if given, names jobs[i]: when some jobs stop on convergence
// and others take a fixed number of steps, the reports show the fixed runs'
// own progress under their names ("label noise 23k/100k").
func StartProgress(w io.Writer, label string, jobs []train.Job, names ...string) *progress.Reporter {
	if w == nil || len(jobs) == 0 {
		return nil
	}
	var total int64
	for _, j := range jobs {
		if j.Settings.Steps == 0 {
			total = 0
			break
		}
		total += int64(j.Settings.Steps)
	}
	rep := progress.New(w, label, len(jobs), total)
	for i := range jobs {
		jobs[i].Settings.Progress = rep
		if steps := jobs[i].Settings.Steps; total == 0 && steps > 0 {
			name := fmt.Sprintf("run %d", i+1)
			if i < len(names) && names[i] != "" {
				name = strings.ReplaceAll(names[i], "_", " ")
			}
			jobs[i].Settings.Progress = rep.Track(name, int64(steps))
		}
	}
	return rep
}

// JournalFile is the journal of a grid's runs in its output folder (see
// Env.Grid), and the files beside it, JournalFile.cell-<i>.checkpoint, the
// states of its long runs under way.
const JournalFile = grid.DefaultJournalName

// GridCheckpointEvery is how often, in steps, a run of a grid saves its
// state beside the journal, so that a grid killed in the middle of a long
// run continues that run when resumed. A run shorter than this saves none.
const GridCheckpointEvery = 10_000

// Grid trains the cells of a plan, resumably: every run that ends is
// recorded in the folder's journal as it ends (synced to disk within
// grid.SyncInterval, so that a kill at any instant loses at most the runs
// under way and those that ended within it), a run longer than
// GridCheckpointEvery steps saves its state beside the journal, and the
// cells the journal already holds — an earlier run of the same command and
// configuration into the same folder, killed or interrupted — are taken
// from it rather than trained again, as are the runs under way continued
// from their states. The outcomes are those of a grid never stopped, bit
// for bit (Params aside: those taken from the journal have none), in the
// plan's canonical order; after an interruption the cells not finished
// are among them with status interrupted.
//
// names, if given, name the plan's jobs, in the order of plan.Jobs, for
// the progress of runs of fixed length (see StartProgress).
func (e *Env) Grid(ctx context.Context, label string, workers int, plan *grid.Plan, names ...string) ([]grid.Outcome, error) {
	j, err := grid.OpenJournal(e.Folder.Path(JournalFile), e.Folder.manifest.Command, e.Folder.manifest.Configuration)
	if err != nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	e.Folder.record(JournalFile)
	held := map[int]bool{}
	for _, c := range j.Cells() {
		held[c] = true
	}
	var todo []train.Job
	var todoNames []string
	for i, c := range plan.Cells {
		if !held[c.Index] {
			todo = append(todo, plan.Jobs[i])
			if i < len(names) {
				todoNames = append(todoNames, names[i])
			}
		}
	}
	e.announce(label, plan, len(plan.Cells)-len(todo), workers)
	// The plan's jobs report to the progress of the runs still to train.
	rep := StartProgress(e.Log, label, todo, todoNames...)
	for i, k := 0, 0; i < len(plan.Cells); i++ {
		if !held[plan.Cells[i].Index] {
			plan.Jobs[i].Settings.Progress = todo[k].Settings.Progress
			k++
		}
	}
	res, err := plan.RunWith(ctx, &grid.RunSettings{Workers: workers, Journal: j, CheckpointEvery: GridCheckpointEvery})
	rep.Stop()
	if cerr := j.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("experiment: %w", cerr)
	}
	if res == nil {
		return nil, fmt.Errorf("experiment: %w", err)
	}
	results := make([]*train.Result, len(res.Outcomes))
	for i, o := range res.Outcomes {
		results[i] = o.Result
	}
	e.Count(results, len(results))
	e.FromJournal.Add(int64(res.FromJournal))
	e.Computed.Add(int64(res.Computed))
	switch {
	case err == nil:
		return res.Outcomes, nil
	case ctx.Err() != nil:
		return res.Outcomes, fmt.Errorf("experiment: %w", ctx.Err())
	}
	return nil, fmt.Errorf("experiment: %w", err)
}

// announce prints the work of a plan before it starts: the grid, the runs,
// how many of them the journal holds, and the steps the others take at
// most (or exactly, when every run has a fixed number).
func (e *Env) announce(label string, plan *grid.Plan, held, workers int) {
	if e.Log == nil {
		return
	}
	var dims []string
	for k := len(plan.Grid.Axes) - 1; k >= 0; k-- {
		if a := plan.Grid.Axes[k]; a.Name != JobAxis {
			dims = append(dims, fmt.Sprintf("%d %s", len(a.Values), a.Name))
		}
	}
	runs := fmt.Sprintf("%d runs", len(plan.Jobs))
	if len(dims) > 0 {
		runs = strings.Join(dims, " × ") + " = " + runs
	}
	if !plan.Shard.Whole() {
		runs = fmt.Sprintf("shard %s: %d of %d runs", plan.Shard, len(plan.Jobs), plan.Grid.Len())
	}
	if held > 0 {
		runs += fmt.Sprintf(", %d of them finished earlier (in the journal of %s)", held, e.Dir)
	}
	// steps is the length of every run, 0 unless all have the same fixed one.
	steps, most := 0, 0
	if len(plan.Jobs) > 0 {
		steps = plan.Jobs[0].Settings.Steps
	}
	for _, j := range plan.Jobs {
		if j.Settings.Steps != steps {
			steps = 0
		}
		most = max(most, j.Settings.MaxSteps)
	}
	left := int64(len(plan.Jobs) - held)
	work := fmt.Sprintf("at most %d steps (%d per run)", left*int64(most), most)
	switch {
	case left == 0:
		work = "nothing left to train"
	case steps > 0:
		work = fmt.Sprintf("%d steps (%d per run)", left*int64(steps), steps)
	}
	fmt.Fprintf(e.Log, "igr: %s: %s on %d workers, %s\n", label, runs, workers, work)
}

// JobAxis is the axis of a grid whose cells are a list of jobs, in order
// (see JobPlan).
const JobAxis = "job"

// JobPlan returns the plan of a list of jobs as a grid of one axis, JobAxis,
// the jobs in their order: so that any list of runs can be trained
// resumably by Grid.
func JobPlan(jobs []Job) (*grid.Plan, []string, error) {
	index := make([]float64, len(jobs))
	names := make([]string, len(jobs))
	for i, j := range jobs {
		index[i], names[i] = float64(i), j.Name
	}
	g := grid.Grid{Axes: []grid.Axis{{Name: JobAxis, Values: index}}}
	plan, err := grid.NewPlan(g, grid.Shard{}, func(c grid.Cell) (train.Job, error) { return jobs[c.Index].Job, nil }, nil)
	return plan, names, err
}

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

// interruption is the error of an experiment that stop interrupted.
func (e *Env) interruption(stop error) error {
	return &InterruptedError{Done: int(e.done.Load()), Total: int(e.total.Load()), Dir: e.Dir, Err: stop}
}

// StartProgress reports the progress of jobs to w, or returns nil when w is
// nil. names[i], if given, names jobs[i]: when some jobs stop on convergence
// and others take a fixed number of steps, the reports show the fixed runs'
// own progress under their names ("label noise 23k/100k").
func StartProgress(w io.Writer, label string, jobs []train.Job, names ...string) *progress.Reporter {
	if w == nil {
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

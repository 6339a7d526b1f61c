package train

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
)

// Job is one run of RunAll.
type Job struct {
	Problem  *Problem
	Settings Settings
}

// RunAll runs the jobs on workers goroutines (0 means GOMAXPROCS) and returns
// their results in the order of jobs. Jobs are started in order, so put the
// longest first for the best balance. Each job is independent, so the results
// are the same for any number of workers.
//
// When ctx is cancelled, running jobs end with status Interrupted, jobs not
// started get a result with status Interrupted and no parameters, and the
// error wraps ctx's. The first error of a job cancels the others; the results
// of the jobs that finished are returned with it.
func RunAll(parent context.Context, jobs []Job, workers int) ([]*Result, error) {
	return RunAllFunc(parent, jobs, workers, nil)
}

// RunAllFunc is RunAll that also calls done, if not nil, with the index and
// result of every job that Run returned without an error (interrupted ones
// included), from the worker that ran it, as soon as the job ends: several
// workers may call it at once. An error from done counts as the job's own
// error.
func RunAllFunc(parent context.Context, jobs []Job, workers int, done func(i int, r *Result) error) ([]*Result, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(jobs))
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	results := make([]*Result, len(jobs))
	errs := make([]error, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = Run(ctx, jobs[i].Problem, &jobs[i].Settings)
				if errs[i] == nil && done != nil {
					errs[i] = done(i, results[i])
				}
				if errs[i] != nil {
					cancel()
				}
			}
		}()
	}
feed:
	for i := range jobs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return results, fmt.Errorf("train: run %d (lr %g): %w", i, jobs[i].Settings.LearningRate, err)
		}
	}
	if err := parent.Err(); err != nil {
		for i, r := range results {
			if r == nil {
				nan := math.NaN()
				results[i] = &Result{Status: Interrupted, LearningRate: jobs[i].Settings.LearningRate,
					TrainMSE: nan, TestMSE: nan, GradNormSq: nan, SharpnessInit: nan, SharpnessFinal: nan}
			}
		}
		return results, fmt.Errorf("train: %w", err)
	}
	return results, nil
}

// Sweep trains p once per learning rate, with the other settings from s, in
// parallel on workers goroutines (0 means GOMAXPROCS). Results are in the
// order of lrs.
func Sweep(ctx context.Context, p *Problem, lrs []float64, s *Settings, workers int) ([]*Result, error) {
	var base Settings
	if s != nil {
		base = *s
	}
	jobs := make([]Job, len(lrs))
	for i, lr := range lrs {
		jobs[i] = Job{Problem: p, Settings: base}
		jobs[i].Settings.LearningRate = lr
	}
	return RunAll(ctx, jobs, workers)
}

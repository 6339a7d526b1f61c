package train_test

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
)

// smallProblem is the blog's task at a size that trains in milliseconds.
func smallProblem(t testing.TB, arch graph.Architecture, seed uint64) *train.Problem {
	t.Helper()
	dim := arch.Params()[0].Rows
	data, err := dataset.Generate(random.New(seed, random.Data), 20, dim)
	if err != nil {
		t.Fatal(err)
	}
	return &train.Problem{Arch: arch, Data: data, Init: arch.Init(random.New(seed, random.Init))}
}

var quadratic = graph.Quadratic{Dim: 5, Width: 8}

// sameRun is reflect.DeepEqual for results, with a NaN in the sharpness
// or in a point (not measured, or not finite) equal to a NaN in the same
// place, which DeepEqual never finds equal.
func sameRun(a, b *train.Result) bool {
	return reflect.DeepEqual(withoutNaN(a), withoutNaN(b))
}

// withoutNaN returns a copy of r in which a NaN sharpness, and a NaN in a
// point, is -MaxFloat64, a value no measurement takes.
func withoutNaN(r *train.Result) *train.Result {
	c := *r
	c.SharpnessInit, c.SharpnessFinal = notNaN(c.SharpnessInit), notNaN(c.SharpnessFinal)
	c.History = historyWithoutNaN(r.History)
	return &c
}

func historyWithoutNaN(h []train.Point) []train.Point {
	out := append([]train.Point(nil), h...)
	for i := range out {
		p := &out[i]
		p.Loss, p.TrainMSE, p.TestMSE, p.GradNormSq = notNaN(p.Loss), notNaN(p.TrainMSE), notNaN(p.TestMSE), notNaN(p.GradNormSq)
		p.Sharpness = notNaN(p.Sharpness)
	}
	return out
}

func notNaN(v float64) float64 {
	if math.IsNaN(v) {
		return -math.MaxFloat64
	}
	return v
}

func run(t *testing.T, p *train.Problem, s train.Settings) *train.Result {
	t.Helper()
	r, err := train.Run(context.Background(), p, &s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestStopsAtFirstStepBelowTolerance(t *testing.T) {
	p := smallProblem(t, quadratic, 1)
	const tol = 1e-3
	r := run(t, p, train.Settings{LearningRate: 0.02, Tol: tol})
	if r.Status != train.Converged || !(r.TrainMSE < tol) {
		t.Fatalf("status %s, train MSE %g; want converged below %g", r.Status, r.TrainMSE, tol)
	}
	if r.Steps < 2 {
		t.Fatalf("converged after %d steps; the test needs a longer run", r.Steps)
	}
	before := run(t, p, train.Settings{LearningRate: 0.02, Steps: r.Steps - 1})
	if before.TrainMSE < tol {
		t.Errorf("after %d steps train MSE is already %g < %g, but the run went on to %d", r.Steps-1, before.TrainMSE, tol, r.Steps)
	}
}

func TestOneStepIsGradientDescent(t *testing.T) {
	for _, arch := range []graph.Architecture{quadratic, graph.Tanh{Dim: 5, Width: 8}} {
		t.Run(arch.Name(), func(t *testing.T) {
			p := smallProblem(t, arch, 2)
			// b starts at zero; take one step first so that every
			// gradient entry is non-zero.
			p.Init = run(t, p, train.Settings{LearningRate: 0.05, Steps: 1}).Params
			const lr = 0.05
			o, err := graph.NewObjective(arch, p.Data.Train.Inputs(p.Data.Dim), p.Data.Train.Targets(), p.Init, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer o.Close()
			if err := o.Run(); err != nil {
				t.Fatal(err)
			}
			r := run(t, p, train.Settings{LearningRate: lr, Steps: 1})
			for i := range p.Init {
				g := o.Gradient(i)
				for j, v := range r.Params.Data(i) {
					// The product rounded, as the step rounds it: arm64
					// would otherwise fuse it with the difference.
					if want := p.Init.Data(i)[j] - float64(lr*g[j]); v != want {
						t.Fatalf("param %d[%d] = %g after one step, want θ − η∇L = %g", i, j, v, want)
					}
				}
			}
		})
	}
}

func TestDivergenceIsAStatus(t *testing.T) {
	p := smallProblem(t, quadratic, 3)
	r := run(t, p, train.Settings{LearningRate: 5})
	if r.Status != train.Diverged {
		t.Fatalf("lr 5: status %s after %d steps, want diverged", r.Status, r.Steps)
	}
	if r.Steps > 100 {
		t.Errorf("divergence detected only after %d steps", r.Steps)
	}
	// A bound below the initial loss declares divergence at once.
	r = run(t, p, train.Settings{LearningRate: 0.01, DivergenceBound: 1e-9})
	if r.Status != train.Diverged || r.Steps != 0 {
		t.Errorf("bound below the initial loss: status %s after %d steps, want diverged after 0", r.Status, r.Steps)
	}
}

func TestMaxSteps(t *testing.T) {
	p := smallProblem(t, quadratic, 4)
	r := run(t, p, train.Settings{LearningRate: 1e-4, MaxSteps: 7})
	if r.Status != train.MaxSteps || r.Steps != 7 {
		t.Errorf("status %s after %d steps, want max_steps after 7", r.Status, r.Steps)
	}
}

func TestLabelNoise(t *testing.T) {
	p := smallProblem(t, quadratic, 5)
	s := train.Settings{LearningRate: 0.01, LabelNoise: 1, Steps: 40, NoiseSeed: 9, HistoryEvery: 10}
	a := run(t, p, s)
	if a.Status != train.Completed || a.Steps != 40 {
		t.Fatalf("status %s after %d steps, want completed after 40", a.Status, a.Steps)
	}
	b := run(t, p, s)
	if a.Params.Distance(b.Params) != 0 {
		t.Error("two label-noise runs with one seed differ")
	}
	s.NoiseSeed = 10
	if c := run(t, p, s); a.Params.Distance(c.Params) == 0 {
		t.Error("label-noise runs with different seeds are identical")
	}
	plain := run(t, p, train.Settings{LearningRate: 0.01, Steps: 40})
	if a.Params.Distance(plain.Params) == 0 {
		t.Error("label noise changed nothing")
	}
	// The noisy loss is measured on noisy targets: with σ = 1 it is near
	// 1 + train MSE, well above the clean training error.
	for _, pt := range a.History[:len(a.History)-1] {
		if !(pt.Loss > pt.TrainMSE) {
			t.Errorf("step %d: noisy loss %g not above clean train MSE %g", pt.Step, pt.Loss, pt.TrainMSE)
		}
	}
	// The last point and the result are measured on clean targets.
	last := a.History[len(a.History)-1]
	if last.Step != 40 || last.Loss != a.TrainMSE || last.TrainMSE != a.TrainMSE {
		t.Errorf("last history point %+v does not match the clean result (train MSE %g)", last, a.TrainMSE)
	}
}

func TestHistoryInterval(t *testing.T) {
	p := smallProblem(t, quadratic, 6)
	r := run(t, p, train.Settings{LearningRate: 0.01, Steps: 25, HistoryEvery: 10})
	var steps []int
	for _, pt := range r.History {
		steps = append(steps, pt.Step)
	}
	want := []int{0, 10, 20, 25}
	if len(steps) != len(want) {
		t.Fatalf("history at steps %v, want %v", steps, want)
	}
	for i := range want {
		if steps[i] != want[i] {
			t.Fatalf("history at steps %v, want %v", steps, want)
		}
	}
	if r.History[3].TestMSE != r.TestMSE || r.History[3].GradNormSq != r.GradNormSq {
		t.Errorf("last history point %+v disagrees with the result %+v", r.History[3], r)
	}
}

// TestHistoryFirst: HistoryFirst records every one of the first steps as a
// full point, beside HistoryEvery's points and without it, and changes
// nothing of the run; each early point holds the loss the step computed,
// which the next point's parameters must lower on this stable run.
func TestHistoryFirst(t *testing.T) {
	p := smallProblem(t, quadratic, 6)
	plain := run(t, p, train.Settings{LearningRate: 0.01, Steps: 25, HistoryEvery: 10})
	for _, tc := range []struct {
		every int
		want  []int
	}{{10, []int{0, 1, 2, 3, 4, 10, 20, 25}}, {0, []int{0, 1, 2, 3, 4}}} {
		r := run(t, p, train.Settings{LearningRate: 0.01, Steps: 25, HistoryEvery: tc.every, HistoryFirst: 5})
		var steps []int
		for _, pt := range r.History {
			steps = append(steps, pt.Step)
			if math.IsNaN(pt.TestMSE) || math.IsNaN(pt.TrainMSE) {
				t.Errorf("every %d, step %d: %+v is not a full point", tc.every, pt.Step, pt)
			}
		}
		if !reflect.DeepEqual(steps, tc.want) {
			t.Errorf("every %d: history at steps %v, want %v", tc.every, steps, tc.want)
		}
		for i := 1; i < 5; i++ {
			if !(r.History[i].Loss < r.History[i-1].Loss) {
				t.Errorf("every %d: loss %g at step %d after %g: not the steps' losses", tc.every, r.History[i].Loss, i, r.History[i-1].Loss)
			}
		}
		if r.Params.Distance(plain.Params) != 0 || r.TestMSE != plain.TestMSE {
			t.Errorf("every %d: HistoryFirst changed the run", tc.every)
		}
	}
	if _, err := train.Run(context.Background(), p, &train.Settings{LearningRate: 0.01, HistoryFirst: -1}); !errors.Is(err, train.ErrSettings) {
		t.Errorf("HistoryFirst -1: %v, want ErrSettings", err)
	}
}

func TestParallelEqualsSerial(t *testing.T) {
	p := smallProblem(t, quadratic, 7)
	lrs := []float64{0.005, 0.02, 0.05, 0.1, 0.5, 3}
	s := &train.Settings{LabelNoise: 0.5, Steps: 30, NoiseSeed: 3}
	serial, err := train.Sweep(context.Background(), p, lrs, s, 1)
	if err != nil {
		t.Fatal(err)
	}
	parallel, err := train.Sweep(context.Background(), p, lrs, s, 4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range lrs {
		a, b := serial[i], parallel[i]
		if a.LearningRate != lrs[i] || b.LearningRate != lrs[i] {
			t.Fatalf("result %d is for lr %g/%g, want %g", i, a.LearningRate, b.LearningRate, lrs[i])
		}
		same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
		if a.Status != b.Status || a.Steps != b.Steps || !same(a.TestMSE, b.TestMSE) || !same(a.TrainMSE, b.TrainMSE) {
			t.Errorf("lr %g: serial %s/%d/%g, parallel %s/%d/%g", lrs[i], a.Status, a.Steps, a.TestMSE, b.Status, b.Steps, b.TestMSE)
		}
	}
}

func TestBadSettings(t *testing.T) {
	p := smallProblem(t, quadratic, 8)
	for name, s := range map[string]train.Settings{
		"zero lr":             {},
		"negative lr":         {LearningRate: -0.1},
		"NaN lr":              {LearningRate: math.NaN()},
		"noise without steps": {LearningRate: 0.1, LabelNoise: 1},
		"negative tol":        {LearningRate: 0.1, Tol: -1},
		"negative noise":      {LearningRate: 0.1, LabelNoise: -1, Steps: 3},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := train.Run(context.Background(), p, &s)
			if !errors.Is(err, train.ErrSettings) {
				t.Errorf("error %v, want ErrSettings", err)
			}
		})
	}
}

func TestCancelledContextInterruptsRun(t *testing.T) {
	p := smallProblem(t, quadratic, 9)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := train.Run(ctx, p, &train.Settings{LearningRate: 1e-5, Steps: 10_000, LabelNoise: 1, HistoryEvery: 50})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != train.Interrupted || r.Steps != 1 {
		t.Errorf("status %s after %d steps, want interrupted after the first step", r.Status, r.Steps)
	}
	if math.IsNaN(r.TestMSE) || r.History[len(r.History)-1].Step != r.Steps {
		t.Errorf("interrupted result not measured at the parameters reached: %+v", r)
	}
}

// runCounter counts what a run reports to its Progress.
type runCounter struct{ steps, done atomic.Int64 }

func (c *runCounter) Add(steps int) { c.steps.Add(int64(steps)) }
func (c *runCounter) RunDone()      { c.done.Add(1) }

func TestProgressCountsOnlyFinishedRuns(t *testing.T) {
	p := smallProblem(t, quadratic, 9)
	var c runCounter
	if _, err := train.Run(context.Background(), p, &train.Settings{LearningRate: 0.01, Steps: 30, Progress: &c}); err != nil {
		t.Fatal(err)
	}
	if c.done.Load() != 1 || c.steps.Load() != 30 {
		t.Fatalf("a finished run of 30 steps reported %d runs done and %d steps", c.done.Load(), c.steps.Load())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := train.Run(ctx, p, &train.Settings{LearningRate: 0.01, Steps: 30, Progress: &c})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != train.Interrupted || c.done.Load() != 1 {
		t.Errorf("an interrupted run (%s) counted as done: %d runs done", r.Status, c.done.Load())
	}
}

func TestRunAllReportsUnstartedJobsInterrupted(t *testing.T) {
	p := smallProblem(t, quadratic, 10)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := train.Sweep(ctx, p, []float64{0.01, 0.02, 0.03, 0.04, 0.05}, &train.Settings{Steps: 5000}, 1)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	for i, r := range res {
		if r == nil || r.Status != train.Interrupted || r.LearningRate != []float64{0.01, 0.02, 0.03, 0.04, 0.05}[i] {
			t.Errorf("result %d: %+v, want an interrupted result for its learning rate", i, r)
			continue
		}
		// A run that never started measured nothing: every number NaN, none 0.
		if r.Steps == 0 {
			for name, v := range map[string]float64{"train MSE": r.TrainMSE, "test MSE": r.TestMSE, "‖∇L‖²": r.GradNormSq, "initial sharpness": r.SharpnessInit, "final sharpness": r.SharpnessFinal} {
				if !math.IsNaN(v) {
					t.Errorf("result %d, never started: %s %g, want NaN", i, name, v)
				}
			}
		}
	}
}

// TestRunAllFuncReportsEachJob: done sees every job once, with the result
// RunAll returns for it; an error from done stops the other jobs and comes
// back wrapped.
func TestRunAllFuncReportsEachJob(t *testing.T) {
	p := smallProblem(t, quadratic, 12)
	jobs := make([]train.Job, 6)
	for i := range jobs {
		jobs[i] = train.Job{Problem: p, Settings: train.Settings{LearningRate: 0.01 * float64(i+1), Steps: 40}}
	}
	var mu sync.Mutex
	seen := map[int]*train.Result{}
	res, err := train.RunAllFunc(context.Background(), jobs, 3, func(i int, r *train.Result) error {
		mu.Lock()
		defer mu.Unlock()
		if seen[i] != nil {
			t.Errorf("job %d reported twice", i)
		}
		seen[i] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if seen[i] != r || r.LearningRate != jobs[i].Settings.LearningRate {
			t.Errorf("job %d: done saw %p, RunAll returned %p", i, seen[i], r)
		}
	}

	boom := errors.New("disk full")
	res, err = train.RunAllFunc(context.Background(), jobs, 1, func(i int, r *train.Result) error {
		if i == 1 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "train: run 1") {
		t.Errorf("error %v, want run 1's error from done", err)
	}
	if res[0] == nil || res[0].Status != train.Completed {
		t.Errorf("job 0 ended before the error: %+v", res[0])
	}
	// Jobs that a worker takes after the error run on the cancelled context.
	for i, r := range res[2:] {
		if r != nil && r.Status != train.Interrupted {
			t.Errorf("job %d after done failed on job 1 of a single worker: %s", i+2, r.Status)
		}
	}
}

package train_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
)

// blogProblem is the blog's problem: n = 200, d = 30, m = 100.
func blogProblem(b *testing.B) *train.Problem {
	arch := graph.Quadratic{Dim: 30, Width: 100}
	data, err := dataset.Generate(random.New(0, random.Data), 200, 30)
	if err != nil {
		b.Fatal(err)
	}
	return &train.Problem{Arch: arch, Data: data, Init: arch.Init(random.New(0, random.Init))}
}

// BenchmarkSweep trains 8 learning rates for 250 steps each, on one worker
// and on every core; steps/s is the throughput, and the ratio of the two
// sub-benchmarks' steps/s is the speed-up from parallel runs.
func BenchmarkSweep(b *testing.B) {
	p := blogProblem(b)
	lrs := []float64{0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08}
	const steps = 250
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := train.Sweep(context.Background(), p, lrs, &train.Settings{Steps: steps}, workers); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(lrs)*steps*b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

// BenchmarkLabelNoiseRun is one 20,000-step label-noise run; heap-growth/op
// is how much the live heap grew from the first to the last 1000 steps, which
// must stay near zero: a long run does not accumulate memory.
func BenchmarkLabelNoiseRun(b *testing.B) {
	p := blogProblem(b)
	const steps = 20_000
	var growth float64
	for b.Loop() {
		var first, last runtime.MemStats
		observe := func(step int, _ graph.Params) {
			switch step {
			case 1000:
				runtime.GC()
				runtime.ReadMemStats(&first)
			case steps:
				runtime.GC()
				runtime.ReadMemStats(&last)
			}
		}
		s := &train.Settings{LearningRate: 0.03, LabelNoise: 1, Steps: steps, Observe: observe}
		if _, err := train.Run(context.Background(), p, s); err != nil {
			b.Fatal(err)
		}
		growth = float64(last.HeapAlloc) - float64(first.HeapAlloc)
	}
	b.ReportMetric(growth, "heap-growth-B")
	b.ReportMetric(float64(steps*b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkSGDRun trains the blog's problem for 20,000 steps by minibatch
// SGD with batches of B, and by full-batch GD (B=200), to a tolerance it
// never reaches, so that the whole set's training MSE is checked once per
// epoch as a real run does; µs/step is the cost of a step, that check and
// the compilation of the run's graphs included.
func BenchmarkSGDRun(b *testing.B) {
	p := blogProblem(b)
	const steps = 20_000
	for _, batch := range []int{10, 20, 50, 200} {
		b.Run(fmt.Sprintf("B=%d", batch), func(b *testing.B) {
			s := &train.Settings{LearningRate: 0.001, Batch: batch, Tol: 1e-300, MaxSteps: steps}
			b.ReportAllocs()
			for b.Loop() {
				r, err := train.Run(context.Background(), p, s)
				if err != nil || r.Steps != steps {
					b.Fatalf("%v after %d steps: %v", r.Status, r.Steps, err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(steps*b.N), "µs/step")
		})
	}
}

// BenchmarkTrackSharpness is a run of the blog's network (n = 200, d = 30,
// m = 100, float64) at lr 0.01 (the sharpness rises slowly) and at lr 0.09
// (above 2/λ₀: a catapult in the first tens of steps, then a slow drift),
// with the sharpness tracked every step, every 10 steps, and not at all
// (plain, TrackSharpness 0: the reference); exact-ends is the plain run
// with Settings.Sharpness, the exact measurements at both ends; experiments
// is a run as igr sweep and map make it: exact at both ends, tracked every
// 10 steps and at each of the first 100 (HistoryFirst). Each runs
// 250 and 1,250 steps: the difference of the two times over 1,000 steps is
// the cost of a step after the first 250 (setup and the transient of the
// first steps excluded), and a run's time minus its steps at that cost is
// its fixed cost (the graphs, the first and last measurements). µs/step is
// the whole run's time over its steps, cpu-µs/step the same in processor
// time of the process (user and system, garbage collection included), which
// a shared machine disturbs less than the wall clock.
func BenchmarkTrackSharpness(b *testing.B) {
	p := blogProblem(b)
	for _, lr := range []float64{0.01, 0.09} {
		for _, c := range []struct {
			name         string
			every, first int
			exact        bool
		}{{"plain", 0, 0, false}, {"every=10", 10, 0, false}, {"every=1", 1, 0, false}, {"exact-ends", 0, 0, true}, {"experiments", 10, 100, true}} {
			for _, steps := range []int{250, 1250} {
				b.Run(fmt.Sprintf("lr=%g/%s/steps=%d", lr, c.name, steps), func(b *testing.B) {
					s := &train.Settings{LearningRate: lr, Steps: steps, TrackSharpness: c.every, Sharpness: c.exact, HistoryFirst: c.first}
					b.ReportAllocs()
					cpu := cpuTime()
					for b.Loop() {
						r, err := train.Run(context.Background(), p, s)
						if err != nil || r.Status != train.Completed {
							b.Fatalf("%v after %d steps: %v", r.Status, r.Steps, err)
						}
					}
					b.ReportMetric(b.Elapsed().Seconds()*1e6/float64(steps*b.N), "µs/step")
					b.ReportMetric((cpuTime()-cpu).Seconds()*1e6/float64(steps*b.N), "cpu-µs/step")
				})
			}
		}
	}
}

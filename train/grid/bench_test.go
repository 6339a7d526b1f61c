package grid_test

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/grid"
)

// BenchmarkJournal trains a grid of short runs of the blog's problem (n =
// 200, d = 30, m = 100): 15 learning rates × 2 seeds, each run a fixed
// number of steps (250, as BenchmarkSweep of package train, and 2,000, about
// the mean run of the blog's sweep), on every core, three ways: without a
// journal; with one,
// as RunWith keeps it (a worker goes on to its next run while the record of
// the last is written and synced); and with one where every worker waits
// until its record is synced. Each grid has a new journal. Every iteration
// trains the grid the three ways in turns, the first of them rotating, so
// that they see the same machine; it reports the median steps/s of each
// and the median of the paired costs, (time with − time without) / time
// without, in percent. As the machine's noise can hide a cost of 1 or 2%,
// it also reports what the workers spent waiting for the journal
// (RunResult.JournalWait), as a share of their time, and the paired cost in
// the process's CPU time (user and system, where it can be measured): the
// two parts of the cost, each less exposed to the noise.
func BenchmarkJournal(b *testing.B) {
	arch := graph.Quadratic{Dim: 30, Width: 100}
	problems := make([]*train.Problem, 2)
	for seed := range problems {
		data, err := dataset.Generate(random.New(uint64(seed), random.Data), 200, 30)
		if err != nil {
			b.Fatal(err)
		}
		problems[seed] = &train.Problem{Arch: arch, Data: data, Init: arch.Init(random.New(uint64(seed), random.Init))}
	}
	g := grid.Grid{Axes: []grid.Axis{
		{Name: "seed", Values: []float64{0, 1}},
		{Name: "lr", Values: []float64{0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.035, 0.04, 0.045, 0.05, 0.055, 0.06, 0.065, 0.07, 0.075}},
	}}
	for _, steps := range []int{250, 2000} {
		plan, err := grid.NewPlan(g, grid.Shard{}, func(c grid.Cell) (train.Job, error) {
			return train.Job{Problem: problems[int(c.Values[0])], Settings: train.Settings{LearningRate: c.Values[1], Steps: steps}}, nil
		}, nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("steps=%d", steps), func(b *testing.B) {
			dir := b.TempDir()
			grids := 0
			var waited, cpu [3][]float64
			// trainGrid trains the grid as way says and returns the seconds it took.
			trainGrid := func(way int) float64 {
				s := &grid.RunSettings{Workers: runtime.GOMAXPROCS(0)}
				defer grid.SetWaitForEachRecord(grid.SetWaitForEachRecord(way == waitEach))
				start, startCPU := time.Now(), processCPU()
				if way != without {
					grids++
					j, err := grid.OpenJournal(filepath.Join(dir, fmt.Sprint(grids)), "bench", "")
					if err != nil {
						b.Fatal(err)
					}
					defer j.Close()
					s.Journal = j
				}
				res, err := plan.RunWith(context.Background(), s)
				if err != nil || res.Computed != g.Len() {
					b.Fatalf("%v, %d runs", err, res.Computed)
				}
				took := time.Since(start).Seconds()
				waited[way] = append(waited[way], 100*res.JournalWait.Seconds()/(took*float64(s.Workers)))
				cpu[way] = append(cpu[way], (processCPU() - startCPU).Seconds())
				return took
			}
			var secs, cost, cpuCost [3][]float64
			for b.Loop() {
				var t [3]float64
				first := len(secs[0]) % 3
				for k := range 3 {
					way := (first + k) % 3
					t[way] = trainGrid(way)
				}
				n := len(secs[0])
				for way := range 3 {
					secs[way] = append(secs[way], t[way])
					cost[way] = append(cost[way], 100*(t[way]-t[without])/t[without])
					cpuCost[way] = append(cpuCost[way], 100*(cpu[way][n]-cpu[without][n])/cpu[without][n])
				}
			}
			total := float64(g.Len() * steps)
			b.ReportMetric(total/median(secs[without]), "steps/s")
			b.ReportMetric(total/median(secs[pipelined]), "steps/s-journal")
			b.ReportMetric(median(cost[pipelined]), "%-journal")
			b.ReportMetric(median(waited[pipelined]), "%-journal-waited")
			b.ReportMetric(median(cpuCost[pipelined]), "%-journal-cpu")
			b.ReportMetric(total/median(secs[waitEach]), "steps/s-wait-each")
			b.ReportMetric(median(cost[waitEach]), "%-wait-each")
			b.ReportMetric(median(waited[waitEach]), "%-wait-each-waited")
			b.ReportMetric(median(cpuCost[waitEach]), "%-wait-each-cpu")
		})
	}
}

// The ways BenchmarkJournal trains a grid.
const (
	without   = iota // no journal
	pipelined        // a journal, as RunWith keeps it
	waitEach         // a journal, every worker waiting for its record
)

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// BenchmarkAppend appends records of runs with a history of 20 points to a
// journal, one at a time: ns/op is the latency of a record's write and sync.
func BenchmarkAppend(b *testing.B) {
	j, err := grid.OpenJournal(filepath.Join(b.TempDir(), "j"), "bench", "")
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	r := &train.Result{Status: train.Converged, LearningRate: 0.01, Steps: 2000, TrainMSE: 1e-4, TestMSE: 0.4, GradNormSq: 1e-6}
	for step := range 20 {
		r.History = append(r.History, train.Point{Step: 100 * step, Loss: 1, TrainMSE: 1, TestMSE: 1, GradNormSq: 1})
	}
	cell := 0
	for b.Loop() {
		if err := j.Append(cell, r); err != nil {
			b.Fatal(err)
		}
		cell++
	}
}

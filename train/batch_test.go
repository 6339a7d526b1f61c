package train_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
)

// sgdReference trains p by minibatch SGD written out step by step: the
// permutations of random.NewPermutations(seed), batches cut in their order,
// a fresh objective per batch, θ ← θ − η ∇L_B by hand.
func sgdReference(t *testing.T, p *train.Problem, lr float64, batch, steps int, seed uint64, sigma float64, noiseSeed uint64) graph.Params {
	t.Helper()
	d := p.Data
	n := d.Train.Len()
	params := p.Init.Clone()
	perm := random.NewPermutations(seed)
	noise := random.New(noiseSeed, random.Noise)
	order := make([]int, n)
	perEpoch := (n + batch - 1) / batch
	for step := 0; step < steps; step++ {
		k := step % perEpoch
		if k == 0 {
			perm.Permute(order)
		}
		rows := order[k*batch : min((k+1)*batch, n)]
		var x, y []float64
		for _, r := range rows {
			x = append(x, d.Train.X[r*d.Dim:(r+1)*d.Dim]...)
			y = append(y, d.Train.Y[r])
		}
		if sigma > 0 {
			z := make([]float64, len(rows))
			noise.FillNormal(z, 0, sigma)
			for i := range y {
				y[i] += z[i]
			}
		}
		o, err := graph.NewObjective(p.Arch, graph.NewMatrix(len(rows), d.Dim, x), graph.NewMatrix(len(rows), 1, y), params, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := o.Run(); err != nil {
			t.Fatal(err)
		}
		for i := range params {
			w, g := params.Data(i), o.Gradient(i)
			for j := range w {
				w[j] -= float64(lr * g[j]) // the product rounded, as the kernel's step rounds it (no fused multiply-subtract on arm64)
			}
		}
		o.Close()
	}
	return params
}

// TestSGDIsStepsOnShuffledBatches requires Run with a batch size to take the
// steps of the reference, bit for bit: batches that divide the training set
// and batches that leave a smaller last one, with and without label noise.
func TestSGDIsStepsOnShuffledBatches(t *testing.T) {
	for _, arch := range []graph.Architecture{quadratic, graph.Tanh{Dim: 5, Width: 8}} {
		p := smallProblem(t, arch, 12)
		// 20 examples: batches of 5 divide them, batches of 6 leave 2.
		for _, batch := range []int{1, 5, 6} {
			for _, sigma := range []float64{0, 0.5} {
				const steps, lr = 11, 0.05
				got := run(t, p, train.Settings{LearningRate: lr, Steps: steps, Batch: batch, BatchSeed: 3, LabelNoise: sigma, NoiseSeed: 4})
				want := sgdReference(t, p, lr, batch, steps, 3, sigma, 4)
				if dist := got.Params.Distance(want); dist != 0 {
					t.Errorf("%s, batches of %d, σ = %g: %g away from the reference SGD", arch.Name(), batch, sigma, dist)
				}
			}
		}
	}
}

// TestBatchOfAllIsGradientDescent: batches of n, the whole training set, are
// full-batch gradient descent, bit for bit, and SGD with smaller batches is
// not.
func TestBatchOfAllIsGradientDescent(t *testing.T) {
	p := smallProblem(t, quadratic, 13)
	n := p.Data.Train.Len()
	for _, s := range []train.Settings{
		{LearningRate: 0.05, Tol: 1e-3, HistoryEvery: 7},
		{LearningRate: 0.05, Steps: 40, LabelNoise: 1, HistoryEvery: 5, Measures: []graph.Penalty{regularizer.LabelNoise{Eta: 0.05}}},
		{LearningRate: 0.02, Steps: 30, Penalties: []graph.Penalty{regularizer.ForStep(0.1)}},
	} {
		gd := run(t, p, s)
		s.Batch, s.BatchSeed = n, 5
		all := run(t, p, s)
		gd.Runtime, all.Runtime = 0, 0
		if !sameRun(gd, all) {
			t.Errorf("batches of all %d examples differ from gradient descent: %s/%d test %v vs %s/%d test %v",
				n, all.Status, all.Steps, all.TestMSE, gd.Status, gd.Steps, gd.TestMSE)
		}
		s.Batch = n - 1
		if sgd := run(t, p, s); sgd.Params.Distance(gd.Params) == 0 {
			t.Errorf("batches of %d gave gradient descent's parameters", n-1)
		}
	}
}

// TestSGDChecksConvergenceOncePerEpoch: a run to the tolerance stops at the
// start of the first epoch at which the training MSE on the whole set is
// below it, and reports the measures of the whole set.
func TestSGDChecksConvergenceOncePerEpoch(t *testing.T) {
	p := smallProblem(t, quadratic, 14)
	const tol = 2e-3
	// 20 examples in batches of 6: epochs of 4 steps.
	const batch, perEpoch = 6, 4
	reg := regularizer.SGD{Eta: 0.02, Batch: batch}
	r := run(t, p, train.Settings{LearningRate: 0.02, Tol: tol, Batch: batch, BatchSeed: 1, HistoryEvery: perEpoch,
		Measures: []graph.Penalty{reg}})
	if r.Status != train.Converged || r.Steps%perEpoch != 0 || !(r.TrainMSE < tol) {
		t.Fatalf("status %s after %d steps, train MSE %g: want converged at an epoch's start below %g", r.Status, r.Steps, r.TrainMSE, tol)
	}
	if len(r.History) < 3 {
		t.Fatalf("converged after %d steps: the test needs a longer run", r.Steps)
	}
	for _, pt := range r.History[:len(r.History)-1] {
		if pt.TrainMSE < tol {
			t.Errorf("at the start of the epoch at step %d the training MSE was %g < %g, but the run went on", pt.Step, pt.TrainMSE, tol)
		}
	}
	// The result is measured on the whole training set.
	full, err := graph.NewObjective(p.Arch, p.Data.Train.Inputs(p.Data.Dim), p.Data.Train.Targets(), r.Params,
		&graph.ObjectiveSettings{Measures: []graph.Penalty{reg}})
	if err != nil {
		t.Fatal(err)
	}
	defer full.Close()
	if err := full.Run(); err != nil {
		t.Fatal(err)
	}
	if r.TrainMSE != full.Loss() || r.GradNormSq != full.LossGradNormSq() || r.Terms[0].Value != full.Term(0) {
		t.Errorf("result train MSE %v, ‖∇L‖² %v, %s %v; on the whole set %v, %v, %v",
			r.TrainMSE, r.GradNormSq, reg.Name(), r.Terms[0].Value, full.Loss(), full.LossGradNormSq(), full.Term(0))
	}
	last := r.History[len(r.History)-1]
	if last.GradNormSq != r.GradNormSq || last.TrainMSE != r.TrainMSE {
		t.Errorf("last history point %+v disagrees with the result", last)
	}
}

func TestSGDIsDeterministicAndParallelEqualsSerial(t *testing.T) {
	p := smallProblem(t, quadratic, 15)
	var jobs []train.Job
	for _, batch := range []int{1, 3, 7, 20} {
		for _, lr := range []float64{0.01, 0.05, 2} {
			jobs = append(jobs, train.Job{Problem: p, Settings: train.Settings{LearningRate: lr, Batch: batch, BatchSeed: 2, MaxSteps: 300, HistoryEvery: 9}})
		}
	}
	serial, err := train.RunAll(context.Background(), jobs, 1)
	if err != nil {
		t.Fatal(err)
	}
	parallel, err := train.RunAll(context.Background(), jobs, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range jobs {
		serial[i].Runtime, parallel[i].Runtime = 0, 0
		if !sameRun(serial[i], parallel[i]) && !sameNaN(serial[i], parallel[i]) {
			t.Errorf("job %d: serial %s/%d, parallel %s/%d", i, serial[i].Status, serial[i].Steps, parallel[i].Status, parallel[i].Steps)
		}
	}
	s := jobs[4].Settings
	s.BatchSeed = 3
	if other := run(t, p, s); other.Params.Distance(serial[4].Params) == 0 {
		t.Error("two batch seeds gave the same run")
	}
}

// sameNaN reports whether two results of diverged runs agree but for NaNs,
// which DeepEqual never finds equal.
func sameNaN(a, b *train.Result) bool {
	return a.Status == train.Diverged && a.Status == b.Status && a.Steps == b.Steps && math.IsNaN(a.TestMSE) == math.IsNaN(b.TestMSE)
}

func TestBadBatch(t *testing.T) {
	p := smallProblem(t, quadratic, 16)
	for _, b := range []int{-1, 21} {
		if _, err := train.Run(context.Background(), p, &train.Settings{LearningRate: 0.1, Batch: b}); !errors.Is(err, train.ErrSettings) {
			t.Errorf("batch %d: error %v, want ErrSettings", b, err)
		}
	}
}

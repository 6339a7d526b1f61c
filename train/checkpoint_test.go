package train_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/torchrand"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
)

func TestResumeIsBitIdentical(t *testing.T) {
	p := smallProblem(t, quadratic, 11)
	for name, noise := range map[string]func(uint64) graph.NormalSource{
		"igr":   nil,
		"torch": func(s uint64) graph.NormalSource { return torchrand.NewFloat64(s) },
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ck.json")
			base := train.Settings{LearningRate: 0.02, LabelNoise: 1, Steps: 300, HistoryEvery: 25, NoiseSeed: 4, NewNoise: noise,
				Measures: []graph.Penalty{regularizer.LabelNoise{Eta: 0.02}}, Fingerprint: "run-a"}
			full := run(t, p, base)

			c := checkpointAt200(t, p, base, path)
			resumed := base
			resumed.Resume = c
			rest := run(t, p, resumed)
			if rest.Status != full.Status || rest.Steps != full.Steps || rest.Params.Distance(full.Params) != 0 ||
				rest.TestMSE != full.TestMSE || !reflect.DeepEqual(historyWithoutNaN(rest.History), historyWithoutNaN(full.History)) {
				t.Errorf("resumed run differs from the uninterrupted one: %s/%d test %v vs %s/%d test %v, distance %g",
					rest.Status, rest.Steps, rest.TestMSE, full.Status, full.Steps, full.TestMSE, rest.Params.Distance(full.Params))
			}
			other := base
			other.Fingerprint = "run-b"
			other.Resume = c
			if _, err := train.Run(context.Background(), p, &other); !errors.Is(err, train.ErrCheckpoint) {
				t.Errorf("resuming another run: error %v, want ErrCheckpoint", err)
			}
		})
	}
}

// TestSGDResumeIsBitIdentical stops minibatch SGD runs after a checkpoint at
// the start of an epoch (batches of 5 of 20 examples: epochs of 4 steps) and
// in the middle of one (batches of 7: epochs of 3 steps, the last batch of
// 6), resumes them, and requires the uninterrupted runs.
func TestSGDResumeIsBitIdentical(t *testing.T) {
	p := smallProblem(t, quadratic, 17)
	for _, batch := range []int{5, 7} {
		for _, sigma := range []float64{0, 1} {
			path := filepath.Join(t.TempDir(), "ck.json")
			base := train.Settings{LearningRate: 0.02, Batch: batch, BatchSeed: 6, LabelNoise: sigma, NoiseSeed: 4, Steps: 300,
				HistoryEvery: 25, Measures: []graph.Penalty{regularizer.SGD{Eta: 0.02, Batch: batch}}, Fingerprint: "sgd"}
			full := run(t, p, base)
			c := checkpointAt200(t, p, base, path)
			if c.Order == nil || c.Batches == nil {
				t.Fatal("the checkpoint of an SGD run has no order of the epoch")
			}
			checkResumes(t, p, base, c, full, fmt.Sprintf("batches of %d, σ = %g", batch, sigma))
			// A checkpoint of SGD resumes neither gradient descent nor a
			// run whose order is not a permutation.
			gd := base
			gd.Batch, gd.Resume = 0, c
			if _, err := train.Run(context.Background(), p, &gd); !errors.Is(err, train.ErrCheckpoint) {
				t.Errorf("resuming gradient descent from SGD's checkpoint: error %v, want ErrCheckpoint", err)
			}
			broken := *c
			broken.Order = append([]int{0}, c.Order[1:]...)
			broken.Order[1] = 0
			resumed := base
			resumed.Resume = &broken
			if _, err := train.Run(context.Background(), p, &resumed); !errors.Is(err, train.ErrCheckpoint) {
				t.Errorf("resuming with an order that is not a permutation: error %v, want ErrCheckpoint", err)
			}
		}
	}
}

// checkpointAt200 runs base checkpointed every 100 steps to path and stops
// it after the checkpoint at step 200, as a kill would, and returns that
// checkpoint read back. (The interrupt that stops the run saves the state of
// step 201 too; the helper keeps the periodic checkpoint, which a kill
// leaves.)
func checkpointAt200(t *testing.T, p *train.Problem, base train.Settings, path string) *train.Checkpoint {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	first := base
	first.CheckpointEvery = 100
	first.Checkpoint = func(c *train.Checkpoint) error {
		if c.Step%100 != 0 {
			return nil
		}
		if err := c.WriteFile(path); err != nil {
			return err
		}
		if c.Step == 200 {
			cancel()
		}
		return nil
	}
	stopped, err := train.Run(ctx, p, &first)
	if err != nil {
		t.Fatal(err)
	}
	if stopped.Status != train.Interrupted {
		t.Fatalf("first part ended %s after %d steps", stopped.Status, stopped.Steps)
	}
	c, err := train.ReadCheckpoint(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Step != 200 {
		t.Fatalf("checkpoint at step %d, want 200", c.Step)
	}
	return c
}

// TestInterruptSavesWhereTheRunStops cancels runs between two periodic
// checkpoints (every 100 steps; the context is cancelled during step 138,
// so the run stops at the start of step 139): the state is saved at 139,
// not at 100, and resuming from it gives the uninterrupted run bit for bit.
// The SGD run (batches of 7 of 20 examples: epochs of 3 steps) stops in the
// middle of an epoch and has no periodic checkpoints at all.
func TestInterruptSavesWhereTheRunStops(t *testing.T) {
	p := smallProblem(t, quadratic, 23)
	for name, tc := range map[string]struct {
		settings train.Settings
		every    int
	}{
		"gd, label noise":  {train.Settings{LabelNoise: 1, NoiseSeed: 4}, 100},
		"sgd, label noise": {train.Settings{Batch: 7, BatchSeed: 6, LabelNoise: 1, NoiseSeed: 4}, 0},
	} {
		t.Run(name, func(t *testing.T) {
			base := tc.settings
			base.LearningRate, base.Steps, base.HistoryEvery, base.Fingerprint = 0.02, 300, 25, "run-a"
			base.Measures = []graph.Penalty{regularizer.LabelNoise{Eta: 0.02}}
			full := run(t, p, base)

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			first := base
			first.CheckpointEvery = tc.every
			var saved []int
			path := filepath.Join(t.TempDir(), "ck.json")
			first.Checkpoint = func(c *train.Checkpoint) error {
				saved = append(saved, c.Step)
				return c.WriteFile(path)
			}
			first.Observe = func(step int, _ graph.Params) {
				if step == 138 {
					cancel()
				}
			}
			stopped, err := train.Run(ctx, p, &first)
			if err != nil {
				t.Fatal(err)
			}
			if stopped.Status != train.Interrupted || stopped.Steps != 139 {
				t.Fatalf("stopped %s at step %d, want interrupted at 139", stopped.Status, stopped.Steps)
			}
			want := []int{100, 139}
			if tc.every == 0 {
				want = want[1:]
			}
			if !reflect.DeepEqual(saved, want) {
				t.Fatalf("checkpoints at steps %v, want %v", saved, want)
			}
			c, err := train.ReadCheckpoint(path)
			if err != nil {
				t.Fatal(err)
			}
			checkResumes(t, p, base, c, full, fmt.Sprintf("resumed at step %d", c.Step))
		})
	}
}

// checkResumes resumes base from c and requires the result of full, the
// uninterrupted run, Runtime aside.
func checkResumes(t *testing.T, p *train.Problem, base train.Settings, c *train.Checkpoint, full *train.Result, what string) {
	t.Helper()
	resumed := base
	resumed.Resume = c
	rest := run(t, p, resumed)
	full.Runtime, rest.Runtime = 0, 0
	if !sameRun(rest, full) {
		t.Errorf("%s: the resumed run differs from the uninterrupted one (distance %g)", what, rest.Params.Distance(full.Params))
	}
}

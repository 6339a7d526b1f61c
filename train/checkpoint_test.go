package train_test

import (
	"context"
	"errors"
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

			// The same run, checkpointed every 100 steps and stopped after
			// the checkpoint at step 200, as an interrupt would.
			ctx, cancel := context.WithCancel(context.Background())
			first := base
			first.CheckpointEvery = 100
			first.Checkpoint = func(c *train.Checkpoint) error {
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
			resumed := base
			resumed.Resume = c
			rest := run(t, p, resumed)
			if rest.Status != full.Status || rest.Steps != full.Steps || rest.Params.Distance(full.Params) != 0 ||
				rest.TestMSE != full.TestMSE || !reflect.DeepEqual(rest.History, full.History) {
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

package train_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/curvature"
)

// denseTop returns the top eigenvalue of the Hessian of the clean training
// MSE of p at params, from the dense Hessian: the ground truth.
func denseTop(t *testing.T, p *train.Problem, params graph.Params) float64 {
	t.Helper()
	d := p.Data
	h, err := curvature.NewHessian(p.Arch, d.Train.Inputs(d.Dim), d.Train.Targets(), params.As(tensor.Float64), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	sp, err := curvature.Dense(context.Background(), h, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sp.Values[0]
}

// TestSharpnessAtStartAndEnd: Sharpness reports the top eigenvalue of the
// Hessian at the initial and final parameters, as the dense spectrum gives
// it; without it both are NaN and no point carries a sharpness.
func TestSharpnessAtStartAndEnd(t *testing.T) {
	p := smallProblem(t, quadratic, 3)
	s := train.Settings{LearningRate: 0.02, Steps: 150, HistoryEvery: 50}
	plain := run(t, p, s)
	if !math.IsNaN(plain.SharpnessInit) || !math.IsNaN(plain.SharpnessFinal) {
		t.Errorf("sharpness %g → %g reported without being asked", plain.SharpnessInit, plain.SharpnessFinal)
	}
	for _, pt := range plain.History {
		if !math.IsNaN(pt.Sharpness) {
			t.Errorf("step %d has sharpness %g without tracking", pt.Step, pt.Sharpness)
		}
	}
	s.Sharpness = true
	r := run(t, p, s)
	if r.Params.Distance(plain.Params) != 0 {
		t.Error("measuring the sharpness changed the run")
	}
	for _, c := range []struct {
		name string
		got  float64
		at   graph.Params
	}{{"initial", r.SharpnessInit, p.Init}, {"final", r.SharpnessFinal, r.Params}} {
		want := denseTop(t, p, c.at)
		if math.Abs(c.got-want) > 1e-9*want {
			t.Errorf("%s sharpness %.15g, dense %.15g", c.name, c.got, want)
		}
	}
	if r.SharpnessInit == r.SharpnessFinal {
		t.Error("the sharpness did not change along the run: the test cannot tell start from end")
	}
}

// TestTrackedSharpness runs gradient descent on every path a step can take
// (full batch in float64, where tracked steps take their update from the
// Hessian's pass; with a penalty; with label noise; minibatch SGD; float32)
// with the sharpness tracked every step, and every 7 steps with the exact
// sharpness at both ends. The tracked run must be the untracked one, bit for
// bit, and every tracked value within its tolerance of the top eigenvalue
// of the dense Hessian of the clean training MSE at that step's parameters.
func TestTrackedSharpness(t *testing.T) {
	p := smallProblem(t, quadratic, 3)
	const lr, steps = 0.05, 40
	for _, tc := range []struct {
		name string
		s    train.Settings
	}{
		{"gradient descent", train.Settings{}},
		{"penalty", train.Settings{Penalties: []graph.Penalty{regularizer.ForStep(lr)}}},
		{"label noise", train.Settings{LabelNoise: 0.5, NoiseSeed: 2}},
		{"sgd", train.Settings{Batch: 7, BatchSeed: 2}},
		{"float32", train.Settings{Dtype: tensor.Float32}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, every := range []int{1, 7} {
				s := tc.s
				s.LearningRate, s.Steps, s.HistoryEvery = lr, steps, 20
				plain := run(t, p, s)
				var at []graph.Params
				s.TrackSharpness = every
				s.Sharpness = every == 7
				s.Observe = func(step int, q graph.Params) { at = append(at, q.Clone()) }
				r := run(t, p, s)
				if r.Params.Distance(plain.Params) != 0 || r.Status != plain.Status || r.TestMSE != plain.TestMSE {
					t.Fatalf("every %d: tracking changed the run (distance %g)", every, r.Params.Distance(plain.Params))
				}
				tracked := 0
				for _, pt := range r.History {
					full := pt.Step%s.HistoryEvery == 0 || pt.Step == steps
					if full == math.IsNaN(pt.TestMSE) || !full && (pt.Terms != nil || math.IsNaN(pt.Loss)) {
						t.Errorf("every %d, step %d: test MSE %g, loss %g, terms %v: a full point is a point of HistoryEvery",
							every, pt.Step, pt.TestMSE, pt.Loss, pt.Terms)
					}
					wantTracked := pt.Step%every == 0 || pt.Step == steps
					if math.IsNaN(pt.Sharpness) {
						if wantTracked {
							t.Errorf("every %d: no sharpness at step %d", every, pt.Step)
						}
						continue
					}
					tracked++
					want := denseTop(t, p, at[pt.Step])
					if math.Abs(pt.Sharpness-want) > curvature.DefaultTrackTol*want {
						t.Errorf("every %d, step %d: tracked %.12g, dense %.12g", every, pt.Step, pt.Sharpness, want)
					}
				}
				if wantPoints := (steps+every-1)/every + 1; tracked != wantPoints {
					t.Errorf("every %d: %d tracked points, want %d", every, tracked, wantPoints)
				}
				if s.Sharpness && (r.History[0].Sharpness != r.SharpnessInit || r.History[len(r.History)-1].Sharpness != r.SharpnessFinal) {
					t.Errorf("every %d: the first and last points (%g, %g) are not the run's sharpness (%g, %g)", every,
						r.History[0].Sharpness, r.History[len(r.History)-1].Sharpness, r.SharpnessInit, r.SharpnessFinal)
				}
			}
		})
	}
}

// TestTrackedResumeIsBitIdentical: a tracked run stopped after a checkpoint
// and resumed measures what the uninterrupted run measures, bit for bit.
func TestTrackedResumeIsBitIdentical(t *testing.T) {
	p := smallProblem(t, quadratic, 4)
	path := filepath.Join(t.TempDir(), "ck.json")
	base := train.Settings{LearningRate: 0.03, Steps: 300, HistoryEvery: 50, TrackSharpness: 3, Sharpness: true, Fingerprint: "tracked"}
	full := run(t, p, base)
	c := checkpointAt200(t, p, base, path)
	if c.Tracker[0] == nil || math.IsNaN(c.SharpnessInit) {
		t.Fatal("the checkpoint holds no sharpness state")
	}
	resumed := base
	resumed.Resume = c
	rest := run(t, p, resumed)
	full.Runtime, rest.Runtime = 0, 0
	if !sameRun(rest, full) {
		t.Errorf("the resumed tracked run differs from the uninterrupted one")
	}
}

func TestBadSharpnessSettings(t *testing.T) {
	p := smallProblem(t, quadratic, 4)
	for _, s := range []train.Settings{
		{LearningRate: 0.1, TrackSharpness: -1},
		{LearningRate: 0.1, TrackSharpness: 2, SharpnessTol: 1.5},
	} {
		if _, err := train.Run(context.Background(), p, &s); !errors.Is(err, train.ErrSettings) {
			t.Errorf("%+v: error %v, want ErrSettings", s, err)
		}
	}
}

// TestTrackedFirstSteps: with HistoryFirst, a tracked run measures the
// sharpness at each of its first steps too, each within the tracking
// tolerance of the dense Hessian's top eigenvalue at that step, and
// nowhere else but every TrackSharpness steps and at the last.
func TestTrackedFirstSteps(t *testing.T) {
	p := smallProblem(t, quadratic, 5)
	var at []graph.Params
	s := train.Settings{LearningRate: 0.05, Steps: 25, TrackSharpness: 10, HistoryFirst: 5,
		Observe: func(_ int, q graph.Params) { at = append(at, q.Clone()) }}
	r := run(t, p, s)
	var tracked []int
	for _, pt := range r.History {
		if math.IsNaN(pt.Sharpness) {
			continue
		}
		tracked = append(tracked, pt.Step)
		if want := denseTop(t, p, at[pt.Step]); math.Abs(pt.Sharpness-want) > curvature.DefaultTrackTol*want {
			t.Errorf("step %d: tracked %.12g, dense %.12g", pt.Step, pt.Sharpness, want)
		}
	}
	if want := []int{0, 1, 2, 3, 4, 10, 20, 25}; !slices.Equal(tracked, want) {
		t.Errorf("sharpness at steps %v, want %v", tracked, want)
	}
}

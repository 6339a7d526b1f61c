package central

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/floats"
	"gorgonia.org/tensor"

	"github.com/igr-project/igr/experiment"
	// The parameters substeps and every are those of igr flow, declared by
	// package instruments.
	_ "github.com/igr-project/igr/experiment/instruments"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/centralflow"
	"github.com/igr-project/igr/train/flow"
	"github.com/igr-project/igr/train/regime"
)

func init() {
	experiment.Declare(
		&experiment.Param{Name: "euler-substeps", Usage: "Euler substeps of the central flow per GD step at and below the edge (more above it, tied to the sharpness)",
			Whole: true, Range: experiment.Positive},
		&experiment.Param{Name: "window", Usage: "smooth GD's loss over this many steps (an even number), centred, to compare with the central flow's predicted loss",
			Whole: true, Range: evenPositive},
	)
}

// evenPositive is the range of window: a positive even number.
func evenPositive(v float64) error {
	if !(v > 0) || math.Mod(v, 2) != 0 {
		return fmt.Errorf("must be a positive even number, got %g", v)
	}
	return nil
}

// Settings configure Central. Zero values mean the defaults given.
type Settings struct {
	experiment.Config
	// LR is the step η of GD. Zero means 0.038, where GD on the blog's
	// problem (seed 0) reaches 2/η from below.
	LR float64 `igr:"lr" default:"0.038"`
	// Steps is the number of GD steps; the flows are followed to the same
	// time. Zero means 500.
	Steps int `igr:"steps" default:"500" usage:"GD steps; the flows are followed to the same time t = steps·η"`
	// Every is the interval of the rows, in GD steps. Zero means 5.
	Every int `igr:"every" default:"5" usage:"a row of central.csv, and GD's sharpness, every this many steps"`
	// Substeps is the number of RK4 steps of gradient flow and of the
	// modified flow per GD step. Zero means 4.
	Substeps int `igr:"substeps" default:"4" usage:"RK4 steps of gradient flow and of the modified flow per GD step"`
	// EulerSubsteps is the central flow's number of Euler substeps per GD
	// step at and below the edge (centralflow.Settings.Substeps). Zero means
	// 4, as the authors' code.
	EulerSubsteps int `igr:"euler-substeps" default:"4"`
	// Window is the number of steps GD's loss is smoothed over. Zero means
	// 20.
	Window int `igr:"window" default:"20"`
}

// Central follows GD with step η, the central flow, gradient flow and the
// modified flow of L + (η/4)‖∇L‖² side by side (see the package
// documentation). It writes data.csv, central.csv, summary.json and the
// figures central_loss, central_sharpness and central_distance.
var Central = &experiment.Experiment[*Settings, *experiment.Setup, *Result]{
	Name:    "central",
	Summary: "the central flow of GD at the edge of stability, beside GD, gradient flow and the flow of L + (η/4)‖∇L‖²",
	Usage:   "[-lr η] [-steps N] [-every K] [-substeps N] [-euler-substeps N] [-window W] [-out DIR] [flags]",
	Prepare: func(c *Settings) (*experiment.Prepared[*experiment.Setup], error) {
		if c.Dtype == "float32" {
			return nil, fmt.Errorf("%w: -dtype float32: the central flow computes in float64", experiment.ErrConfig)
		}
		// The landscape's graphs (the loss, its Hessian-vector product and
		// third derivative, the test error) and the two flows' (L and L̃).
		setup, err := c.ResolveFor(train.Footprint{Graph: Graph + train.PlainGraph + train.RegularizedGraph})
		if err != nil {
			return nil, err
		}
		return &experiment.Prepared[*experiment.Setup]{Data: setup.Data(), Identity: experiment.SetupIdentity(setup), State: setup}, nil
	},
	Execute: run,
}

// clock accumulates the time spent in one part of the work.
type clock struct {
	total time.Duration
	since time.Time
}

func (c *clock) start() { c.since = time.Now() }
func (c *clock) stop()  { c.total += time.Since(c.since) }

// MarshalJSON writes the time spent, in seconds.
func (c clock) MarshalJSON() ([]byte, error) { return json.Marshal(c.total.Seconds()) }

// clocks are the parts of the work timed, in summary.json's cost.
type clocks struct {
	GD          clock `json:"gd_seconds"`
	GDSharpness clock `json:"gd_sharpness_seconds"`
	Central     clock `json:"central_flow_seconds"`
	Gradient    clock `json:"gradient_flow_seconds"`
	Modified    clock `json:"modified_flow_seconds"`
}

// run steps GD and follows the flows in lockstep.
func run(ctx context.Context, c *Settings, setup *experiment.Setup, env *experiment.Env) (*Result, error) {
	p := setup.Problem
	net, err := NewNetwork(p)
	if err != nil {
		return nil, err
	}
	defer net.Close()
	w := p.Init.As(tensor.Float64).Flat()
	eta := c.LR
	res := &Result{Out: env.Dir, settings: *c, seed: setup.Seed}

	// Finding the start is mostly the eigensolves of GD's sharpness.
	var times clocks
	times.GDSharpness.start()
	start, err := FindStart(ctx, net, w, eta, c.Steps)
	times.GDSharpness.stop()
	if err != nil {
		return nil, err
	}
	res.Start = start
	if start.Catapult() && env.Log != nil {
		fmt.Fprintf(env.Log, "igr: central: %s\n", start.Note(eta))
	}

	// The two gradient flows, bound to parameters of their own.
	bound := func(pens ...graph.Penalty) (*graph.Objective, graph.Params, error) {
		return p.Bound(p.Init.As(tensor.Float64), pens...)
	}
	gfObj, gf, err := bound()
	if err != nil {
		return nil, err
	}
	defer gfObj.Close()
	mfObj, mf, err := bound(regularizer.ForStep(eta))
	if err != nil {
		return nil, err
	}
	defer mfObj.Close()
	gfFlow, mfFlow := flow.New(gfObj, gf), flow.New(mfObj, mf)

	half := c.Window / 2
	grad := make([]float64, len(w))
	var wStart []float64
	var cf *centralflow.Integrator
	var warm [][]float64
	rep := experiment.StartProgress(env.Log, "central", []train.Job{{Settings: train.Settings{Steps: c.Steps}}})
	defer rep.Stop()
	var interrupted error
	for k := 0; k <= c.Steps+half; k++ {
		if err := ctx.Err(); err != nil && k <= c.Steps {
			interrupted = err
			break
		}
		times.GD.start()
		loss, err := net.Gradient(w, grad)
		times.GD.stop()
		if err != nil {
			return nil, fmt.Errorf("central: %w", err)
		}
		res.gdLoss = append(res.gdLoss, loss)
		if math.IsNaN(loss) || math.IsInf(loss, 0) || loss > train.DefaultDivergenceBound {
			if k <= c.Steps {
				res.Diverged = true
			}
			break
		}
		if k <= c.Steps {
			if k == start.Step {
				wStart = append([]float64(nil), w...)
				gf.SetFlat(w)
				mf.SetFlat(w)
				times.Central.start()
				cf, err = centralflow.New(ctx, net, w, &centralflow.Settings{LearningRate: eta, Start: float64(k), Substeps: c.EulerSubsteps})
				times.Central.stop()
				if err != nil {
					return nil, fmt.Errorf("central: %w", err)
				}
			}
			if k == start.Step || k%c.Every == 0 || k == c.Steps {
				row, err := res.measure(ctx, k, w, wStart, cf, net, gf, mf, &warm, &times)
				if err != nil {
					if ctx.Err() != nil {
						interrupted = ctx.Err()
						break
					}
					return nil, err
				}
				res.samples = append(res.samples, row)
			}
			res.Steps = k
		}
		if k == c.Steps+half {
			break
		}
		times.GD.start()
		floats.AddScaled(w, -eta, grad)
		times.GD.stop()
		if k >= start.Step && k < c.Steps {
			times.Gradient.start()
			err := gfFlow.Advance(eta, c.Substeps)
			times.Gradient.stop()
			if err == nil {
				times.Modified.start()
				err = mfFlow.Advance(eta, c.Substeps)
				times.Modified.stop()
			}
			if err != nil {
				return nil, fmt.Errorf("central: %w", err)
			}
		}
		if k < c.Steps {
			rep.Add(1)
		}
	}
	rep.RunDone()
	rep.Stop()
	if cf != nil {
		res.Stats = cf.Stats()
	}
	res.finish(&times, env.WallSeconds(), interrupted != nil)
	if interrupted != nil {
		return res, fmt.Errorf("central: %w", interrupted)
	}
	return res, nil
}

// measure makes the row of step k: GD's sharpness and test error at w, and,
// from the start on, the central flow advanced to time k and the distances
// of the three flows from w.
func (r *Result) measure(ctx context.Context, k int, w, wStart []float64, cf *centralflow.Integrator, net *centralflow.Network,
	gf, mf graph.Params, warm *[][]float64, times *clocks) (Row, error) {
	eta := r.settings.LR
	row := Row{Step: k, T: float64(k) * eta, GDLoss: r.gdLoss[k]}
	times.GDSharpness.start()
	vals, vecs, err := net.TopEigenpairs(ctx, w, 1, *warm)
	times.GDSharpness.stop()
	if err != nil {
		return row, fmt.Errorf("central: GD's sharpness at step %d: %w", k, err)
	}
	*warm = vecs
	row.GDSharpness = vals[0]
	if row.GDTestMSE, err = net.TestLoss(w); err != nil {
		return row, fmt.Errorf("central: %w", err)
	}
	if cf == nil {
		return row, nil
	}
	times.Central.start()
	err = cf.Advance(ctx, float64(k)-cf.T())
	var pt centralflow.Point
	if err == nil {
		pt, err = cf.Point(ctx)
	}
	times.Central.stop()
	if err != nil {
		return row, fmt.Errorf("central: %w", err)
	}
	row.Flow = true
	row.TrainMSE, row.TestMSE, row.Sharpness = pt.Loss, pt.TestLoss, pt.Sharpness
	row.Critical, row.SigmaTrace, row.PredictedLoss = pt.Critical, pt.SigmaTrace, pt.PredictedLoss
	row.Moved = distance(w, wStart)
	row.AbsCentral, row.AbsGradient, row.AbsModified = distance(w, cf.W()), distance(w, gf.Flat()), distance(w, mf.Flat())
	row.DistanceGD, row.DistanceGradientFlow, row.DistanceModifiedFlow = 0, 0, 0
	if row.Moved > 0 {
		row.DistanceGD, row.DistanceGradientFlow, row.DistanceModifiedFlow = row.AbsCentral/row.Moved, row.AbsGradient/row.Moved, row.AbsModified/row.Moved
	}
	return row, nil
}

// distance is ‖a − b‖.
func distance(a, b []float64) float64 { return floats.Distance(a, b, 2) }

// classify labels GD's run by package regime from its losses and the
// sharpness of the rows.
func classify(eta float64, diverged bool, losses []float64, rows []Row) (*regime.Result, error) {
	samples := make([]regime.Sample, len(losses))
	for k, l := range losses {
		samples[k] = regime.Sample{Step: k, Sharpness: math.NaN(), Loss: l}
	}
	for _, r := range rows {
		samples[r.Step].Sharpness = r.GDSharpness
	}
	return regime.Classify(eta, diverged, samples, nil)
}

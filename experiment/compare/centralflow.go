package compare

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"gonum.org/v1/gonum/floats"
	"gorgonia.org/tensor"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/experiment/central"
	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/centralflow"
)

// The central flow as a method of Compare. It models implicit GD itself
// (Cohen et al., ICLR 2025; package experiment/central), with GD's step η:
// it starts from the initialization, or, when GD starts above 2/η (a
// catapult, outside the flow's theory), from GD's first iterate below 2/η,
// and is followed to implicit GD's own time — its number of steps — at
// most CentralSteps units of time (GD steps). Its status is completed when
// it reached implicit GD's time, max_steps when the cap stopped it first;
// diverged when implicit GD diverged, and max_steps with no numbers when
// GD's sharpness did not fall below 2/η within the horizon. In the
// headline of a sweep (compare_sweep.json) a completed run counts as
// converged when implicit GD converged: it ends at that time.

// centralInfo is what summary.json says of the central flow's start and
// cost.
type centralInfo struct {
	// Horizon is the time the flow was followed to, in GD steps.
	Horizon int `json:"horizon_steps"`
	// StartStep is GD's step the flow started from (0: the initialization);
	// Catapult says GD started above 2/η, outside the theory; Note says so
	// in words.
	StartStep int    `json:"start_step"`
	Catapult  bool   `json:"catapult"`
	Note      string `json:"note"`
	// Seconds is the time the flow took.
	Seconds experiment.Number `json:"seconds"`
}

// centralFlow is the central flow's outcome in Compare: its row, its
// trajectory against implicit GD, its history at the matched times.
type centralFlow struct {
	row        Row
	trajectory []TrajectoryRow
	history    []experiment.HistoryRow
	info       centralInfo
}

// centralStatus is the status of a flow followed to horizon of the
// implicit run's steps.
func centralStatus(horizon, steps int) train.Status {
	if horizon < steps {
		return train.MaxSteps
	}
	return train.Completed
}

// followCentral follows the central flow of implicit GD (ref) to its time,
// measuring its distance from implicit GD's stored trajectory and, at the
// end, from implicit GD's final parameters.
func followCentral(ctx context.Context, c *Settings, setup *experiment.Setup, ref *train.Result, path *trajectory, measures []graph.Penalty, env *experiment.Env) (*centralFlow, error) {
	nan := math.NaN()
	out := &centralFlow{row: Row{Method: MethodCentralFlow, StepSize: c.Eta, Status: train.Diverged, Time: nan, TrainMSE: nan,
		TestMSE: nan, GradNormSq: nan, GradNormReg: nan, LabelNoiseReg: nan, SGDReg: nan, SGDNoiseReg: nan, DistanceFromImplicit: nan,
		SharpnessInit: nan, SharpnessFinal: nan}}
	if ref.Status == train.Diverged || ref.Status == train.Interrupted {
		out.row.Status = ref.Status
		out.info.Note = "implicit GD " + string(ref.Status) + ": no central flow"
		return out, nil
	}
	horizon := min(ref.Steps, c.CentralSteps)
	out.info.Horizon = horizon
	rep := experiment.StartProgress(env.Log, "compare: central flow", []train.Job{{Settings: train.Settings{Steps: horizon}}})
	defer rep.Stop()
	index := map[int]int{}
	for i, k := range path.steps {
		index[k] = i
	}
	begin, last := time.Now(), 0
	f, err := central.Follow(ctx, setup.Problem, c.Eta, horizon, path.steps, func(k int, pt centralflow.Point, w []float64) error {
		rep.Add(k - last)
		last = k
		out.history = append(out.history, experiment.HistoryRow{Run: MethodCentralFlow, LR: c.Eta, Step: k, Loss: pt.Loss,
			TrainMSE: pt.Loss, TestMSE: pt.TestLoss, GradNormSq: pt.GradNormSq, LabelNoiseReg: nan, SGDReg: nan, SGDNoiseReg: nan})
		i, ok := index[k]
		if !ok {
			return nil
		}
		d := floats.Distance(w, path.params[i], 2)
		out.trajectory = append(out.trajectory, TrajectoryRow{Method: MethodCentralFlow, T: float64(k) * c.Eta, ImplicitStep: k,
			Step: float64(k), Distance: d, Relative: d / path.moved})
		return nil
	})
	rep.RunDone()
	out.info.Seconds = experiment.Number(time.Since(begin).Seconds())
	if errors.Is(err, central.ErrNoStart) {
		out.row.Status = train.MaxSteps
		out.info.Note = err.Error()
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	out.info.StartStep, out.info.Catapult, out.info.Note = f.Start.Step, f.Start.Catapult(), f.Start.Note(c.Eta)
	final := paramsLike(ref.Params, f.W)
	terms, err := measureTerms(setup, final, measures)
	if err != nil {
		return nil, err
	}
	r := &out.row
	r.Status = centralStatus(horizon, ref.Steps)
	r.Steps, r.Time = horizon, float64(horizon)*c.Eta
	r.TrainMSE, r.TestMSE, r.GradNormSq = f.Final.Loss, f.Final.TestLoss, f.Final.GradNormSq
	// The flow's sharpness where it started (GD's, at the start: the
	// initialization's or, after a catapult, the first iterate's below
	// 2/η) and where it ended.
	r.SharpnessInit, r.SharpnessFinal = f.Start.Sharpness, f.Final.Sharpness
	r.GradNormReg, r.LabelNoiseReg = experiment.TermValue(terms, measures[0].Name()), experiment.TermValue(terms, measures[1].Name())
	r.SGDReg, r.SGDNoiseReg = experiment.TermValue(terms, regularizer.SGD{}.Name()), experiment.TermValue(terms, regularizer.SGDNoise{}.Name())
	r.DistanceFromImplicit = distance(final, ref.Params.As(tensor.Float64))
	return out, nil
}

// measureTerms evaluates the measures at p, on the clean training set.
func measureTerms(setup *experiment.Setup, p graph.Params, measures []graph.Penalty) ([]train.Term, error) {
	o, err := setup.Problem.Objective(p, &graph.ObjectiveSettings{NoGradient: true, Measures: measures})
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	defer o.Close()
	if err := o.Run(); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	terms := make([]train.Term, len(measures))
	for i, m := range measures {
		terms[i] = train.Term{Name: m.Name(), Value: o.Term(i)}
	}
	return terms, nil
}

// paramsLike returns w laid out as like, in float64.
func paramsLike(like graph.Params, w []float64) graph.Params {
	p := like.As(tensor.Float64)
	p.SetFlat(w)
	return p
}

// sweepCentral follows, for every η of a sweep whose implicit run did not
// diverge, the central flow to implicit GD's own time (at most
// CentralSteps), on the workers, and returns its rows in the order of etas.
func sweepCentral(ctx context.Context, c *Settings, setup *experiment.Setup, etas []float64, implicit map[float64]SweepRow, env *experiment.Env) ([]SweepRow, error) {
	nan := math.NaN()
	rows := make([]SweepRow, len(etas))
	var jobs []train.Job
	var todo []int
	for i, eta := range etas {
		ref := implicit[eta]
		rows[i] = SweepRow{Method: MethodCentralFlow, Eta: eta, StepSize: eta, Status: ref.Status, Time: nan, TrainMSE: nan, TestMSE: nan, GradNormSq: nan}
		if ref.Status == train.Diverged || ref.Status == train.Interrupted {
			continue
		}
		horizon := min(ref.Steps, c.CentralSteps)
		rows[i].Steps, rows[i].Time = horizon, float64(horizon)*eta
		jobs = append(jobs, train.Job{Settings: train.Settings{Steps: horizon}})
		todo = append(todo, i)
	}
	rep := experiment.StartProgress(env.Log, "compare sweep: central flow", jobs)
	defer rep.Stop()
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
		next  = make(chan int)
	)
	for range max(1, min(setup.Workers, len(todo))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				i := todo[j]
				r := &rows[i]
				horizon := r.Steps
				var every []int
				for k := 10; k < horizon; k += 10 {
					every = append(every, k)
				}
				last := 0
				prog := jobs[j].Settings.Progress
				f, err := central.Follow(ctx, setup.Problem, r.Eta, horizon, every, func(k int, _ centralflow.Point, _ []float64) error {
					if prog != nil {
						prog.Add(k - last)
					}
					last = k
					return nil
				})
				if prog != nil {
					prog.RunDone()
				}
				switch {
				case errors.Is(err, central.ErrNoStart):
					r.Status = train.MaxSteps
				case err != nil:
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("compare: central flow at η = %g: %w", r.Eta, err)
					}
					mu.Unlock()
				default:
					r.Status = centralStatus(horizon, implicit[r.Eta].Steps)
					r.TrainMSE, r.TestMSE, r.GradNormSq = f.Final.Loss, f.Final.TestLoss, f.Final.GradNormSq
					// The flow's sharpness where it started (GD's, at the start: the
					// initialization's or, after a catapult, the first iterate's below
					// 2/η) and where it ended.
					r.SharpnessInit, r.SharpnessFinal = f.Start.Sharpness, f.Final.Sharpness
				}
			}
		}()
	}
	for j := range todo {
		if ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	if ctx.Err() != nil {
		for _, i := range todo {
			if math.IsNaN(rows[i].TestMSE) {
				rows[i].Status = train.Interrupted
			}
		}
		return rows, fmt.Errorf("compare: %w", ctx.Err())
	}
	return rows, first
}

package compare

import (
	"math"

	"github.com/igr-project/igr/experiment"
	"github.com/igr-project/igr/graph"
)

// TrajectoryRow is the distance between a small-step run and implicit GD at a
// matched time t: a row of trajectory.csv.
type TrajectoryRow struct {
	Method string `csv:"method"`
	// T is the time; ImplicitStep = T/η is the step of implicit GD and
	// Step = T/h the (fractional) step of the method at that time.
	T            float64 `csv:"t"`
	ImplicitStep int     `csv:"implicit_step"`
	Step         float64 `csv:"step"`
	// Distance is ‖θ_method(T) − θ_implicit(T)‖, the method's parameters
	// interpolated linearly between its steps; Relative divides it by how
	// far implicit GD moved over its whole run, ‖θ_implicit(end) − θ₀‖.
	Distance float64 `csv:"distance"`
	Relative float64 `csv:"relative_distance"`
}

// trajectory stores implicit GD's parameters at a bounded set of steps: every
// stride-th step, the stride doubling whenever the store is full.
type trajectory struct {
	max    int
	stride int
	steps  []int
	params [][]float64
	moved  float64
}

func newTrajectory(max int) *trajectory { return &trajectory{max: max, stride: 1} }

func (tr *trajectory) observe(step int, p graph.Params) {
	if step%tr.stride != 0 {
		return
	}
	if len(tr.steps) == tr.max {
		keep := 0
		for i, s := range tr.steps {
			if s%(2*tr.stride) == 0 {
				tr.steps[keep], tr.params[keep] = tr.steps[i], tr.params[i]
				keep++
			}
		}
		tr.steps, tr.params = tr.steps[:keep], tr.params[:keep]
		tr.stride *= 2
		if step%tr.stride != 0 {
			return
		}
	}
	tr.steps = append(tr.steps, step)
	tr.params = append(tr.params, p.Flat())
}

// finish records the final parameters of the run: moved is ‖θ_end − θ₀‖,
// the scale of relative distances (NaN when the run did not move).
func (tr *trajectory) finish(final graph.Params) {
	tr.moved = math.NaN()
	if final == nil || len(tr.params) == 0 {
		return
	}
	start := tr.params[0]
	var s float64
	for i, v := range final.Flat() {
		s += (v - start[i]) * (v - start[i])
	}
	if s > 0 {
		tr.moved = math.Sqrt(s)
	}
}

// track returns a tracker that measures a run with step h against the stored
// trajectory of implicit GD with step eta.
func (tr *trajectory) track(method string, eta, h float64) *tracker {
	return &tracker{path: tr, method: method, eta: eta, h: h}
}

// tracker computes, while a small-step run goes, its distance from implicit
// GD at the stored times t = k·η, interpolating its parameters linearly
// between its steps j·h ≤ t ≤ (j+1)·h.
type tracker struct {
	path       *trajectory
	method     string
	eta, h     float64
	next       int       // index of the next stored implicit step to match
	prev, curr []float64 // θ_{j−1} and θ_j of the run
	rows       []TrajectoryRow
}

func (t *tracker) observe(step int, p graph.Params) {
	t.prev, t.curr = t.curr, p.Flat()
	for t.next < len(t.path.steps) {
		k := t.path.steps[t.next]
		at := float64(k) * t.eta / t.h // the run's fractional step at t = k·η
		if at > float64(step)+1e-9 {
			return
		}
		theta := t.curr
		if frac := float64(step) - at; frac > 1e-9 && t.prev != nil {
			theta = make([]float64, len(t.curr))
			for i := range theta {
				theta[i] = t.curr[i] - frac*(t.curr[i]-t.prev[i])
			}
		}
		ref := t.path.params[t.next]
		var dist float64
		for i := range ref {
			dist += (theta[i] - ref[i]) * (theta[i] - ref[i])
		}
		rel := math.Sqrt(dist) / t.path.moved
		t.rows = append(t.rows, TrajectoryRow{Method: t.method, T: float64(k) * t.eta, ImplicitStep: k, Step: at,
			Distance: math.Sqrt(dist), Relative: rel})
		t.next++
	}
}

// trajectorySummary says how close a method stayed to implicit GD.
type trajectorySummary struct {
	Method string `json:"method"`
	// MaxRelative is the largest relative distance over the matched times;
	// Final is the relative distance at the last matched time, EndT.
	MaxRelative experiment.Number `json:"max_relative_distance"`
	Final       experiment.Number `json:"final_relative_distance"`
	EndT        experiment.Number `json:"end_t"`
	// Within10 is the last time up to which the relative distance stayed
	// below 10%.
	Within10 experiment.Number `json:"time_within_10_percent"`
}

func summarizeTrajectory(rows []TrajectoryRow) []trajectorySummary {
	var out []trajectorySummary
	for _, method := range byMethod(rows, func(r TrajectoryRow) string { return r.Method }) {
		s := trajectorySummary{Method: method[0].Method}
		exceeded := false
		for _, r := range method {
			s.MaxRelative = experiment.Number(math.Max(float64(s.MaxRelative), r.Relative))
			s.Final, s.EndT = experiment.Number(r.Relative), experiment.Number(r.T)
			exceeded = exceeded || !(r.Relative < 0.1)
			if !exceeded {
				s.Within10 = experiment.Number(r.T)
			}
		}
		out = append(out, s)
	}
	return out
}

package flow

import (
	"fmt"

	"github.com/igr-project/igr/graph"
)

// Integrator follows the gradient flow of an Objective bound to parameters p.
type Integrator struct {
	o                  *graph.Objective
	p                  graph.Params
	theta, tmp, k, acc []float64
}

// New returns an integrator of the flow of o, which must be bound to p.
func New(o *graph.Objective, p graph.Params) *Integrator {
	n := p.Len()
	return &Integrator{o: o, p: p, theta: make([]float64, n), tmp: make([]float64, n),
		k: make([]float64, n), acc: make([]float64, n)}
}

// Advance moves p along the flow for time t in substeps equal RK4 steps.
func (in *Integrator) Advance(t float64, substeps int) error {
	if substeps <= 0 {
		return fmt.Errorf("flow: substeps must be positive, got %d", substeps)
	}
	dt := t / float64(substeps)
	copy(in.theta, in.p.Flat())
	for s := 0; s < substeps; s++ {
		if err := in.step(dt); err != nil {
			return err
		}
	}
	in.p.SetFlat(in.theta)
	return nil
}

// step is one RK4 step of size dt from in.theta:
//
//	k1 = −∇F(θ), k2 = −∇F(θ + dt/2 k1), k3 = −∇F(θ + dt/2 k2), k4 = −∇F(θ + dt k3),
//	θ ← θ + dt/6 (k1 + 2k2 + 2k3 + k4).
func (in *Integrator) step(dt float64) error {
	clear(in.acc)
	weights := [4]float64{1, 2, 2, 1}
	offsets := [4]float64{0, dt / 2, dt / 2, dt}
	clear(in.k)
	for stage := 0; stage < 4; stage++ {
		for i, v := range in.theta {
			in.tmp[i] = v + offsets[stage]*in.k[i]
		}
		if err := in.gradient(in.tmp, in.k); err != nil {
			return err
		}
		for i := range in.k {
			in.k[i] = -in.k[i]
			in.acc[i] += weights[stage] * in.k[i]
		}
	}
	for i := range in.theta {
		in.theta[i] += dt / 6 * in.acc[i]
	}
	return nil
}

// gradient sets g to ∇F at theta.
func (in *Integrator) gradient(theta, g []float64) error {
	in.p.SetFlat(theta)
	if err := in.o.Run(); err != nil {
		return fmt.Errorf("flow: %w", err)
	}
	in.o.FlatGradient(g)
	return nil
}

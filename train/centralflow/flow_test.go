package centralflow_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train/centralflow"
	"github.com/igr-project/igr/train/flow"
)

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// TestRidgeReachesAndHoldsTheEdge follows one ridge from x = 0: the
// sharpness a + b·y rises as a + b·η·c·t until it meets 2/η at
// t* = (2/η − a)/(η·b·c), and the central flow holds it there with
// σ² = 2c/b and y fixed, predicting the loss −c·y + σ²λ/2. The Euler steps
// are exact on this problem (the velocity is constant below the edge, and
// the inner problem's linearization is exact), so the numbers are checked to
// rounding.
func TestRidgeReachesAndHoldsTheEdge(t *testing.T) {
	const eta, a, b, c = 0.1, 10.0, 1.0, 1.0
	r := ridge{a: []float64{a}, b: []float64{b}, c: []float64{c}}
	edge := 2 / eta
	tStar := (edge - a) / (eta * b * c) // 100
	times := []float64{50, tStar, 150, 300}
	res, err := centralflow.Run(context.Background(), r, []float64{0, 0}, times, &centralflow.Settings{LearningRate: eta}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Points {
		y := eta * c * math.Min(p.T, tStar)
		sharp := a + b*y
		sigma, crit := 0.0, 0
		if p.T >= tStar {
			sigma, crit = 2*c/b, 1
		}
		if !near(p.Sharpness, sharp, 1e-12) || p.Critical != crit || !near(p.SigmaTrace, sigma, 1e-9) {
			t.Errorf("t = %g: sharpness %.15g, critical %d, tr Σ %.15g; want %.15g, %d, %.15g", p.T, p.Sharpness, p.Critical, p.SigmaTrace, sharp, crit, sigma)
		}
		if want := -c*y + sigma*sharp/2; !near(p.PredictedLoss, want, 1e-9) || !near(p.Loss, -c*y, 1e-12) {
			t.Errorf("t = %g: loss %.15g, predicted %.15g; want %.15g, %.15g", p.T, p.Loss, p.PredictedLoss, -c*y, want)
		}
		if !math.IsNaN(p.TestLoss) {
			t.Errorf("t = %g: test loss %g without a test set", p.T, p.TestLoss)
		}
	}
	if !near(res.W[1], eta*c*tStar, 1e-12) || res.W[0] != 0 {
		t.Errorf("final point %v, want (0, %g)", res.W, eta*c*tStar)
	}
	if res.Stats.MaxSharpness > edge*(1+1e-12) {
		t.Errorf("sharpness reached %.15g, above 2/η = %g", res.Stats.MaxSharpness, edge)
	}
}

// TestRidgeTwoCritical holds two ridges at the edge at once, both
// eigenvalues at 2/η (a degenerate pair whose eigenvectors the solver
// returns in any rotation, so that the third derivatives couple them): each
// y_i stays where its sharpness met the edge exactly when Σ's diagonal on x_i
// is 2c_i/b_i, so tr Σ = Σ 2c_i/b_i.
func TestRidgeTwoCritical(t *testing.T) {
	const eta = 0.1
	r := ridge{a: []float64{10, 12}, b: []float64{1, 2}, c: []float64{1, 0.5}}
	// Ridge 0 meets 2/η = 20 at y0 = 10, t = 100; ridge 1 at y1 = 4, t = 80.
	res, err := centralflow.Run(context.Background(), r, make([]float64, 4), []float64{90, 150}, &centralflow.Settings{LearningRate: eta}, nil)
	if err != nil {
		t.Fatal(err)
	}
	at90, at150 := res.Points[0], res.Points[1]
	if at90.Critical != 1 || !near(at90.SigmaTrace, 2*0.5/2, 1e-9) {
		t.Errorf("t = 90: %d critical, tr Σ %g; want 1 and 0.5", at90.Critical, at90.SigmaTrace)
	}
	if at150.Critical != 2 || !near(at150.SigmaTrace, 2*1.0/1+2*0.5/2, 1e-9) {
		t.Errorf("t = 150: %d critical, tr Σ %g; want 2 and 2.5", at150.Critical, at150.SigmaTrace)
	}
	if !near(res.W[2], 10, 1e-9) || !near(res.W[3], 4, 1e-9) || res.W[0] != 0 || res.W[1] != 0 {
		t.Errorf("final point %v, want (0, 0, 10, 4)", res.W)
	}
	if want := -10 - 2 + 2.5*20/2; !near(at150.PredictedLoss, want, 1e-9) {
		t.Errorf("predicted loss %.15g, want %g", at150.PredictedLoss, want)
	}
}

// TestBelowTheEdgeIsGradientFlow runs the central flow of the quadratic
// network at a step η whose 2/η the sharpness never approaches: Σ stays 0
// and the flow is gradient flow, here compared with train/flow's RK4
// integrator at matched times (central-flow time t is gradient-flow time
// t·η). Euler's method is first order: the distance to the RK4 solution
// must fall in proportion to the substep.
func TestBelowTheEdgeIsGradientFlow(t *testing.T) {
	arch, data, p := smallProblem(t, 40, 5, 10, 1)
	net := newNetwork(t, arch, data, p, nil)
	const eta, horizon = 0.01, 20.0 // sharpness 33 → 64 along the way; 2/η = 200
	ref := p.Clone()
	obj, err := graph.NewObjective(arch, data.Train.Inputs(data.Dim), data.Train.Targets(), ref, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	if err := flow.New(obj, ref).Advance(horizon*eta, 400); err != nil {
		t.Fatal(err)
	}
	moved := ref.Distance(p)
	var dists []float64
	for _, substeps := range []int{4, 8, 16} {
		res, err := centralflow.Run(context.Background(), net, p.Flat(), []float64{horizon / 2, horizon}, &centralflow.Settings{LearningRate: eta, Substeps: substeps}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, pt := range res.Points {
			if pt.Critical != 0 || pt.SigmaTrace != 0 || pt.X != nil || pt.PredictedLoss != pt.Loss {
				t.Errorf("%d substeps, t = %g: critical %d, tr Σ %g, predicted %g vs loss %g: Σ is not 0", substeps, pt.T, pt.Critical, pt.SigmaTrace, pt.PredictedLoss, pt.Loss)
			}
		}
		if res.Stats.InnerSolves != 0 || res.Stats.ThirdDerivatives != 0 {
			t.Errorf("%d substeps: %d inner problems and %d third derivatives below the edge", substeps, res.Stats.InnerSolves, res.Stats.ThirdDerivatives)
		}
		want := ref.Flat()
		var d float64
		for i := range want {
			d += (res.W[i] - want[i]) * (res.W[i] - want[i])
		}
		dists = append(dists, math.Sqrt(d))
	}
	if dists[2] > 0.01*moved {
		t.Errorf("16 substeps: %.3g from gradient flow, %.2g%% of the distance travelled", dists[2], 100*dists[2]/moved)
	}
	for i := 1; i < len(dists); i++ {
		if r := dists[i-1] / dists[i]; r < 1.8 || r > 2.2 {
			t.Errorf("halving the substep divided the distance to gradient flow by %.3g, want ≈ 2 (first order): %v", r, dists)
		}
	}
}

// TestEdgeOfStabilityOnNetwork runs the central flow of the blog's network,
// at a small size, at a step where gradient descent reaches 2/η from below
// (sharpness 33 at the start, 64 along gradient flow; 2/η = 57): the flow
// meets the edge and stays on it, with Σ ≠ 0 and the predicted loss
// L + tr Σ/η above the loss. Its true sharpness, measured at every substep
// by an eigensolve of its own, never exceeds 2/η by more than the error of
// linearizing the eigenvalues over a substep (the inner problem is solved to
// 1e-10): when the flow first meets the edge (t ≈ 4), 1.4e-3 relative with
// the default one eigensolve per GD step (Rayleigh quotients of the kept
// vectors in between) and 1.1e-4 with one per substep; from t = 10 to 40,
// 1.4e-4 and 1.7e-5 (measured; the bounds are twice that). The two
// eigensolve frequencies give the same flow within 1e-3 of the distance it
// travels.
func TestEdgeOfStabilityOnNetwork(t *testing.T) {
	arch, data, p := smallProblem(t, 40, 5, 10, 1)
	const eta = 0.035
	const horizon = 40.0
	var times []float64
	for s := 2.0; s <= horizon; s += 2 {
		times = append(times, s)
	}
	edge := 2 / eta
	var finals [][]float64
	for _, c := range []struct {
		every        int
		first, later float64 // bounds of the relative excess over 2/η
	}{{0, 2e-3, 3e-4}, {1, 2e-4, 3e-5}} {
		probe := &sharpnessProbe{Network: newNetwork(t, arch, data, p, nil)}
		laterMax := 0.0
		res, err := centralflow.Run(context.Background(), probe, p.Flat(), times, &centralflow.Settings{LearningRate: eta, EigenEvery: c.every},
			func(pt centralflow.Point, _ []float64) error {
				if pt.T == 10 {
					probe.max, laterMax = 0, probe.max
				}
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		laterMax, firstMax := probe.max, laterMax
		if excess := firstMax/edge - 1; excess > c.first {
			t.Errorf("eigensolve every %d substeps: the sharpness reached %.10g before t = 10, %.3g above 2/η relative", c.every, firstMax, excess)
		}
		if excess := laterMax/edge - 1; excess > c.later {
			t.Errorf("eigensolve every %d substeps: the sharpness reached %.10g after t = 10, %.3g above 2/η relative", c.every, laterMax, excess)
		}
		if res.Stats.Substeps != 4*int(horizon) {
			t.Errorf("%d substeps for %g units of time, want 4 per unit at and below the edge", res.Stats.Substeps, horizon)
		}
		if res.Stats.MaxCritical < 1 {
			t.Fatalf("the flow never reached the edge (sharpness at most %g, 2/η = %g)", res.Stats.MaxSharpness, edge)
		}
		last := res.Points[len(res.Points)-1]
		if last.Critical != 1 || !(last.SigmaTrace > 0) || !(last.PredictedLoss > last.Loss) || math.Abs(last.Sharpness/edge-1) > 1e-5 {
			t.Errorf("t = %g: critical %d, tr Σ %g, predicted %g, loss %g, sharpness %.8g: not at the edge", last.T, last.Critical, last.SigmaTrace, last.PredictedLoss, last.Loss, last.Sharpness)
		}
		if want := last.Loss + last.SigmaTrace/eta; math.Abs(last.PredictedLoss-want) > 1e-5*want {
			t.Errorf("predicted loss %.10g, L + tr Σ/η = %.10g", last.PredictedLoss, want)
		}
		for _, pt := range res.Points {
			if math.IsNaN(pt.TestLoss) || pt.TestLoss <= 0 {
				t.Errorf("t = %g: test loss %g", pt.T, pt.TestLoss)
			}
		}
		if first := res.Points[0]; !(last.Loss < first.Loss) {
			t.Errorf("the loss went from %g to %g", first.Loss, last.Loss)
		}
		finals = append(finals, res.W)
	}
	w0 := p.Flat()
	if d, moved := distance(finals[0], finals[1]), distance(finals[1], w0); d > 1e-3*moved {
		t.Errorf("eigensolves per GD step and per substep end %.3g apart, %.3g of the distance travelled", d, d/moved)
	}
}

func distance(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s)
}

// TestAboveTheEdgeIsRefused starts where the sharpness exceeds 2/η.
func TestAboveTheEdgeIsRefused(t *testing.T) {
	r := ridge{a: []float64{30}, b: []float64{1}, c: []float64{1}}
	_, err := centralflow.New(context.Background(), r, []float64{0, 0}, &centralflow.Settings{LearningRate: 0.1})
	if !errors.Is(err, centralflow.ErrAboveEdge) {
		t.Fatalf("error %v, want ErrAboveEdge", err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "centralflow: ") {
		t.Errorf("error %q is not one line prefixed centralflow:", msg)
	}
	in, err := centralflow.New(context.Background(), r, []float64{0, 0}, &centralflow.Settings{LearningRate: 0.1, AboveEdge: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Advance(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	// The first substep pulls the sharpness to 2/η in one go.
	if p, err := in.Point(context.Background()); err != nil || !near(p.Sharpness, 20, 1e-12) {
		t.Errorf("after one step above the edge: sharpness %g (error %v), want 2/η = 20", p.Sharpness, err)
	}
}

// TestBadInput checks one-line errors for malformed settings and shapes.
func TestBadInput(t *testing.T) {
	r := ridge{a: []float64{10}, b: []float64{1}, c: []float64{1}}
	w0 := []float64{0, 0}
	cases := []struct {
		name string
		run  func() error
	}{
		{"η = 0", func() error {
			_, err := centralflow.New(context.Background(), r, w0, &centralflow.Settings{})
			return err
		}},
		{"η < 0", func() error {
			_, err := centralflow.New(context.Background(), r, w0, &centralflow.Settings{LearningRate: -1})
			return err
		}},
		{"η = +Inf", func() error {
			_, err := centralflow.New(context.Background(), r, w0, &centralflow.Settings{LearningRate: math.Inf(1)})
			return err
		}},
		{"nil settings", func() error { _, err := centralflow.New(context.Background(), r, w0, nil); return err }},
		{"negative substeps", func() error {
			_, err := centralflow.New(context.Background(), r, w0, &centralflow.Settings{LearningRate: 0.1, Substeps: -1})
			return err
		}},
		{"negative MaxTracked", func() error {
			_, err := centralflow.New(context.Background(), r, w0, &centralflow.Settings{LearningRate: 0.1, MaxTracked: -1})
			return err
		}},
		{"thresholds out of order", func() error {
			_, err := centralflow.New(context.Background(), r, w0, &centralflow.Settings{LearningRate: 0.1, TrackAbove: 1.9, CriticalAbove: 1.5})
			return err
		}},
		{"critical threshold above 2", func() error {
			_, err := centralflow.New(context.Background(), r, w0, &centralflow.Settings{LearningRate: 0.1, CriticalAbove: 2.5})
			return err
		}},
		{"w0 too short", func() error {
			_, err := centralflow.New(context.Background(), r, []float64{0}, &centralflow.Settings{LearningRate: 0.1})
			return err
		}},
		{"NaN in w0", func() error {
			_, err := centralflow.New(context.Background(), r, []float64{math.NaN(), 0}, &centralflow.Settings{LearningRate: 0.1})
			return err
		}},
		{"EigenEvery without Hessian-vector products", func() error {
			_, err := centralflow.New(context.Background(), struct{ centralflow.Landscape }{r}, w0, &centralflow.Settings{LearningRate: 0.1, EigenEvery: 4})
			return err
		}},
		{"negative EigenEvery", func() error {
			_, err := centralflow.New(context.Background(), r, w0, &centralflow.Settings{LearningRate: 0.1, EigenEvery: -1})
			return err
		}},
		{"no times", func() error {
			_, err := centralflow.Run(context.Background(), r, w0, nil, &centralflow.Settings{LearningRate: 0.1}, nil)
			return err
		}},
		{"times not increasing", func() error {
			_, err := centralflow.Run(context.Background(), r, w0, []float64{2, 1}, &centralflow.Settings{LearningRate: 0.1}, nil)
			return err
		}},
		{"times before the start", func() error {
			_, err := centralflow.Run(context.Background(), r, w0, []float64{1}, &centralflow.Settings{LearningRate: 0.1, Start: 5}, nil)
			return err
		}},
		{"negative duration", func() error {
			in, err := centralflow.New(context.Background(), r, w0, &centralflow.Settings{LearningRate: 0.1})
			if err != nil {
				return nil
			}
			return in.Advance(context.Background(), -1)
		}},
		{"cancelled", func() error {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := centralflow.Run(ctx, r, w0, []float64{1}, &centralflow.Settings{LearningRate: 0.1}, nil)
			return err
		}},
		{"third derivative of mismatched vectors", func() error {
			return centralflow.ThirdDerivativeByDifferences(func(w, v, out []float64) error { return nil }, w0, []float64{1}, w0, w0, 0)
		}},
		{"FirstBelowEdge with η = 0", func() error {
			_, err := centralflow.FirstBelowEdge(context.Background(), r, w0, 0, 10)
			return err
		}},
		{"FirstBelowEdge with a short w0", func() error {
			_, err := centralflow.FirstBelowEdge(context.Background(), r, []float64{1}, 0.1, 10)
			return err
		}},
	}
	arch, data, p := smallProblem(t, 10, 3, 4, 2)
	net := newNetwork(t, arch, data, p, nil)
	cases = append(cases, []struct {
		name string
		run  func() error
	}{
		{"network without an architecture", func() error { _, err := centralflow.NewNetwork(nil, data, p, nil); return err }},
		{"network of mismatched parameters", func() error {
			_, err := centralflow.NewNetwork(graph.Quadratic{Dim: 3, Width: 5}, data, p, nil)
			return err
		}},
		{"network in float32", func() error {
			_, err := centralflow.NewNetwork(arch, data, p.As(tensor.Float32), nil)
			return err
		}},
		{"network with inputs of another dimension", func() error {
			_, err := centralflow.NewNetwork(graph.Quadratic{Dim: 2, Width: 4}, data, graph.Quadratic{Dim: 2, Width: 4}.Init(random.New(1, random.Init)), nil)
			return err
		}},
		{"gradient of a short vector", func() error { _, err := net.Gradient([]float64{1}, make([]float64, net.Len())); return err }},
		{"gradient into a short vector", func() error { _, err := net.Gradient(p.Flat(), []float64{1}); return err }},
		{"Hessian-vector product of a short vector", func() error {
			return net.HessianVectorProduct(p.Flat(), []float64{1}, make([]float64, net.Len()))
		}},
	}...)
	for _, c := range cases {
		err := c.run()
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "centralflow: ") {
			t.Errorf("%s: error %q is not one line prefixed centralflow:", c.name, msg)
		}
	}
}

// TestEulerFirstOrderOnTheEdge integrates the flow of the small quadratic
// network across its meeting with the edge (t ≈ 4) and on it, with 4, 8 and
// 16 substeps per unit of time: the Euler discretization, inner problem
// included, is first order, so the gap between successive halvings of the
// substep must itself halve. The log gives the gaps relative to the distance
// travelled.
func TestEulerFirstOrderOnTheEdge(t *testing.T) {
	arch, data, p := smallProblem(t, 40, 5, 10, 1)
	const eta, horizon = 0.035, 20.0
	var finals [][]float64
	for _, substeps := range []int{4, 8, 16} {
		net := newNetwork(t, arch, data, p, nil)
		res, err := centralflow.Run(context.Background(), net, p.Flat(), []float64{horizon}, &centralflow.Settings{LearningRate: eta, Substeps: substeps}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Points[0].Critical != 1 {
			t.Fatalf("%d substeps: the flow is not on the edge at t = %g", substeps, horizon)
		}
		finals = append(finals, res.W)
	}
	moved := distance(finals[2], p.Flat())
	d48, d816 := distance(finals[0], finals[1]), distance(finals[1], finals[2])
	t.Logf("|w4 − w8| = %.3g, |w8 − w16| = %.3g of the distance travelled %.3g", d48/moved, d816/moved, moved)
	if r := d48 / d816; r < 1.6 || r > 2.5 {
		t.Errorf("the gaps between 4, 8 and 16 substeps are %.3g and %.3g, ratio %.3g; first order gives 2", d48, d816, r)
	}
}

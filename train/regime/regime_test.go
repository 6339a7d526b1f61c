package regime_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/archtest"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/regime"
)

func runAndClassify(t *testing.T, p *train.Problem, s train.Settings) (*train.Result, *regime.Result) {
	t.Helper()
	r, err := train.Run(context.Background(), p, &s)
	if err != nil {
		t.Fatal(err)
	}
	c, err := regime.OfRun(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("η = %.4g: %s after %d steps, %s: %s", s.LearningRate, r.Status, r.Steps, c.Regime, c.Reason)
	return r, c
}

// TestQuadraticLoss: on L(w) = (1/n)‖Xw − y‖² with Hessian eigenvalues
// chosen (archtest.LinearSpectrum), gradient descent run by train.Run is
// stable exactly when η < 2/λ_max and diverges above. The labels follow, the
// measured sharpness is λ_max, and sharpness_max_ratio is ηλ_max/2.
func TestQuadraticLoss(t *testing.T) {
	lambda := []float64{10, 4, 2.5, 1, 0.5}
	const rows = 40
	xs, _ := archtest.LinearSpectrum(lambda, rows, true, 3)
	arch := graph.Linear{Dim: len(lambda)}
	target := []float64{1, -2, 0.5, 3, -1}
	ys := make([]float64, rows)
	for i := range ys {
		for j, w := range target {
			ys[i] += xs[i*len(lambda)+j] * w
		}
	}
	data := &dataset.Set{Dim: len(lambda), Train: dataset.Split{X: xs, Y: ys}, Test: dataset.Split{X: xs, Y: ys}}
	p := &train.Problem{Arch: arch, Data: data, Init: arch.Init(random.New(1, random.Init))}
	const lmax = 10.0
	for _, c := range []float64{0.5, 0.9, 0.99, 1.01, 1.1, 1.5} {
		eta := c * 2 / lmax
		r, got := runAndClassify(t, p, train.Settings{LearningRate: eta, MaxSteps: 20000, TrackSharpness: 5, Sharpness: true})
		want, status := regime.Stable, train.Converged
		if c > 1 {
			want, status = regime.Diverged, train.Diverged
		}
		if got.Regime != want || r.Status != status {
			t.Errorf("η = %g × 2/λ_max: %s (%s), run %s; want %s, %s", c, got.Regime, got.Reason, r.Status, want, status)
		}
		if math.Abs(r.SharpnessInit-lmax) > 1e-9*lmax || math.Abs(r.SharpnessFinal-lmax) > 1e-9*lmax {
			t.Errorf("η = %g × 2/λ_max: sharpness %.15g → %.15g, want %g", c, r.SharpnessInit, r.SharpnessFinal, lmax)
		}
		if math.Abs(got.MaxRatio-c) > 1e-3*c {
			t.Errorf("η = %g × 2/λ_max: sharpness_max_ratio %.6g, want %g", c, got.MaxRatio, c)
		}
	}
}

// uvProblem is the two-layer linear network of Lewkowycz et al. on one
// example x = 1, y = 0, with its tangent kernel λ₀ = (‖u‖² + ‖v‖²)/m and
// output f₀ at initialization.
func uvProblem(width int, seed uint64) (p *train.Problem, lambda0, f0 float64) {
	arch := archtest.TwoLayerLinear{Width: width}
	one := dataset.Split{X: []float64{1}, Y: []float64{0}}
	init := arch.Init(random.New(seed, random.Init))
	u, v := init.Data(0), init.Data(1)
	for i := range u {
		lambda0 += u[i]*u[i] + v[i]*v[i]
		f0 += u[i] * v[i]
	}
	lambda0 /= float64(width)
	f0 /= math.Sqrt(float64(width))
	return &train.Problem{Arch: arch, Data: &dataset.Set{Dim: 1, Train: one, Test: one}, Init: init}, lambda0, f0
}

// TestCatapultWindow: on the two-layer linear network with the loss
// (f − y)², whose Hessian at initialization is 2∇f∇fᵀ + 2(f − y)∇²f, so
// that its top eigenvalue is S₀ = 2λ₀ up to 2|f₀|/√m, Lewkowycz et al.'s
// analysis (for the loss ½(f − y)², whose step is twice this one's) gives:
// stable for ηλ₀ < 1, a catapult for 1 < ηλ₀ < 2 — the loss grows, λ falls
// until the step is stable, and the run converges with ηS/2 < 1 — and
// divergence for ηλ₀ > 2. train.Run at steps inside each window gets each
// label.
func TestCatapultWindow(t *testing.T) {
	const width = 100
	p, lambda0, f0 := uvProblem(width, 1)
	for _, tc := range []struct {
		c    float64 // ηλ₀
		want regime.Regime
	}{{0.7, regime.Stable}, {1.2, regime.Catapult}, {1.5, regime.Catapult}, {1.8, regime.Catapult}, {2.2, regime.Diverged}} {
		eta := tc.c / lambda0
		r, got := runAndClassify(t, p, train.Settings{LearningRate: eta, MaxSteps: 10000, TrackSharpness: 1, Sharpness: true})
		if got.Regime != tc.want {
			t.Errorf("ηλ₀ = %g: %s (%s), want %s", tc.c, got.Regime, got.Reason, tc.want)
		}
		if bound := 2 * math.Abs(f0) / math.Sqrt(width); math.Abs(r.SharpnessInit-2*lambda0) > bound {
			t.Errorf("S₀ = %.6g, 2λ₀ = %.6g: more than 2|f₀|/√m = %.3g apart", r.SharpnessInit, 2*lambda0, bound)
		}
		if tc.want == regime.Catapult && !(got.LossRise > 10 && r.SharpnessFinal < 2/eta) {
			t.Errorf("ηλ₀ = %g: loss rose only %.3g×, final sharpness %.4g against 2/η = %.4g", tc.c, got.LossRise, r.SharpnessFinal, 2/eta)
		}
	}
}

// TestEdgeOfStability: a small network of the blog's family (n = 40,
// d = 5, m = 20) starts with sharpness S₀ ≈ 31.6 and gradient flow (lr
// 0.002) ends at S_GF ≈ 68.7; at η = 0.0371, 2/η = 53.9 lies between, so
// the sharpness must rise to 2/η and, since gradient descent cannot
// converge where S > 2/η, stay there (Cohen et al.): the label is edge, and
// the run still converges.
func TestEdgeOfStability(t *testing.T) {
	arch := graph.Quadratic{Dim: 5, Width: 20}
	data, err := dataset.Generate(random.New(1, random.Data), 40, 5)
	if err != nil {
		t.Fatal(err)
	}
	p := &train.Problem{Arch: arch, Data: data, Init: arch.Init(random.New(1, random.Init))}
	const eta = 0.0371
	r, got := runAndClassify(t, p, train.Settings{LearningRate: eta, MaxSteps: 20000, TrackSharpness: 5, Sharpness: true})
	if !(r.SharpnessInit < 2/eta) || r.Status != train.Converged {
		t.Fatalf("S₀ = %.4g, 2/η = %.4g, run %s: not the setting of the test", r.SharpnessInit, 2/eta, r.Status)
	}
	if got.Regime != regime.Edge {
		t.Errorf("%s (%s), want edge", got.Regime, got.Reason)
	}
	if math.Abs(got.FinalRatio-1) > 0.02 {
		t.Errorf("ηS/2 ended at %.4g, not at the edge", got.FinalRatio)
	}
	// The premise: gradient flow would end sharper than 2/η.
	flow, err := train.Run(context.Background(), p, &train.Settings{LearningRate: 0.002, MaxSteps: 100000, Sharpness: true})
	if err != nil {
		t.Fatal(err)
	}
	if !(flow.SharpnessFinal > 2/eta) {
		t.Errorf("gradient flow ends at sharpness %.4g, below 2/η = %.4g", flow.SharpnessFinal, 2/eta)
	}
}

// TestDefinitions exercises each rule on traces written for it: precedence,
// the thresholds, and the cases no definition covers.
func TestDefinitions(t *testing.T) {
	trace := func(ratios, losses []float64) []regime.Sample {
		s := make([]regime.Sample, len(ratios))
		for i := range ratios {
			s[i] = regime.Sample{Step: 10 * i, Sharpness: 2 * ratios[i], Loss: losses[i]} // η = 1: r = S/2
		}
		return s
	}
	falling := []float64{1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1}
	spike := []float64{1, 3, 9, 2, 0.5, 0.3, 0.2, 0.1}
	for _, tc := range []struct {
		name         string
		ratios, loss []float64
		diverged     bool
		want         regime.Regime
	}{
		{"below", []float64{0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99}, falling, false, regime.Stable},
		{"edge", []float64{0.5, 0.8, 1.05, 0.96, 1.03, 0.98, 1.02, 0.99}, falling, false, regime.Edge},
		{"edge after a catapult", []float64{1.5, 0.5, 0.8, 1.05, 0.96, 1.03, 0.98, 1.01}, spike, false, regime.Edge},
		{"brief touch", []float64{0.5, 0.8, 1.02, 0.7, 0.6, 0.6, 0.6, 0.6}, falling, false, regime.Unclassified},
		{"catapult from above", []float64{1.5, 1.4, 1.2, 0.8, 0.6, 0.5, 0.5, 0.5}, spike, false, regime.Catapult},
		{"catapult by a jump", []float64{0.8, 1.3, 1.2, 0.8, 0.6, 0.5, 0.5, 0.5}, spike, false, regime.Catapult},
		{"above without a spike", []float64{1.5, 1.4, 1.2, 0.8, 0.6, 0.5, 0.5, 0.5}, falling, false, regime.Unclassified},
		{"ends above", []float64{1.5, 1.4, 1.3, 1.3, 1.3, 1.3, 1.3, 1.3}, spike, false, regime.Unclassified},
		{"diverged", []float64{0.5, 2, 8, 30, 100, 300, 1000, 3000}, spike, true, regime.Diverged},
	} {
		got, err := regime.Classify(1, tc.diverged, trace(tc.ratios, tc.loss), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Regime != tc.want || got.Reason == "" {
			t.Errorf("%s: %s (%s), want %s", tc.name, got.Regime, got.Reason, tc.want)
		}
		if want := slicesMax(tc.ratios); got.MaxRatio != want {
			t.Errorf("%s: max ratio %g, want %g", tc.name, got.MaxRatio, want)
		}
	}
	// A narrower band moves the edge run out of it.
	got, err := regime.Classify(1, false, trace([]float64{0.5, 0.8, 1.05, 0.96, 1.03, 0.98, 1.02, 0.99}, falling), &regime.Settings{Band: 0.01})
	if err != nil || got.Regime == regime.Edge {
		t.Errorf("a band of 1%%: %v (%v)", got, err)
	}
}

func slicesMax(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

func TestBadInput(t *testing.T) {
	ok := []regime.Sample{{Step: 0, Sharpness: 1, Loss: 1}, {Step: 5, Sharpness: 1, Loss: 1}}
	for _, tc := range []struct {
		name    string
		eta     float64
		samples []regime.Sample
		s       *regime.Settings
		want    error
	}{
		{"zero step", 0, ok, nil, regime.ErrSettings},
		{"band of 1", 1, ok, &regime.Settings{Band: 1}, regime.ErrSettings},
		{"rise factor below 1", 1, ok, &regime.Settings{RiseFactor: 0.5}, regime.ErrSettings},
		{"one sharpness", 1, []regime.Sample{{Step: 0, Sharpness: 1, Loss: 1}, {Step: 5, Sharpness: math.NaN(), Loss: 1}}, nil, regime.ErrTrace},
		{"steps out of order", 1, []regime.Sample{{Step: 5, Sharpness: 1, Loss: 1}, {Step: 0, Sharpness: 1, Loss: 1}}, nil, regime.ErrTrace},
	} {
		_, err := regime.Classify(tc.eta, false, tc.samples, tc.s)
		if !errors.Is(err, tc.want) || !strings.HasPrefix(err.Error(), "regime: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line wrapping %v", tc.name, err, tc.want)
		}
	}
}

package regularizer

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/igr-project/igr/graph"
)

var (
	_ graph.Penalty = GradientNorm{}
	_ graph.Penalty = LabelNoise{}
	_ graph.Penalty = SGD{}
	_ graph.Penalty = SGDNoise{}
)

// GradientNorm is the penalty λ‖∇_θ L‖², summed over all parameters.
type GradientNorm struct {
	Lambda float64
}

// ForStep returns the gradient-norm penalty that backward error analysis
// attributes to gradient descent with step eta: λ = eta/4.
func ForStep(eta float64) GradientNorm { return GradientNorm{Lambda: eta / 4} }

// Name returns "grad_norm_reg".
func (GradientNorm) Name() string { return "grad_norm_reg" }

// Build returns λ Σ_p Σ_j (∂L/∂θ_pj)².
func (r GradientNorm) Build(t *graph.Terms) (*G.Node, error) {
	if err := checkCoefficient("λ", r.Lambda); err != nil {
		return nil, err
	}
	sq, err := graph.SumOfSquares(t.Grads)
	if err != nil {
		return nil, fmt.Errorf("regularizer: %w", err)
	}
	return scale(sq, r.Lambda)
}

// LabelNoise is the penalty (Eta σ²/n²) Σ_i ‖∇_θ P(X_i)‖² over the n
// training examples, the implicit regularizer of label-noise gradient descent
// with step Eta and noise of standard deviation Sigma.
type LabelNoise struct {
	Eta float64
	// Sigma is the standard deviation of the label noise; 0 means 1.
	Sigma float64
}

// Name returns "label_noise_reg".
func (LabelNoise) Name() string { return "label_noise_reg" }

// Coefficient returns Eta σ²/n² for n examples.
func (r LabelNoise) Coefficient(n int) float64 {
	sigma := r.Sigma
	if sigma == 0 {
		sigma = 1
	}
	return r.Eta * sigma * sigma / float64(n*n)
}

// Build returns (Eta σ²/n²) Σ_i ‖∇_θ P(X_i)‖².
func (r LabelNoise) Build(t *graph.Terms) (*G.Node, error) {
	if err := checkCoefficient("η", r.Eta); err != nil {
		return nil, err
	}
	if err := checkCoefficient("σ", r.Sigma); err != nil {
		return nil, err
	}
	sum, err := graph.ExampleGradNormSq(t.Arch, t.X, t.Params)
	if err != nil {
		return nil, fmt.Errorf("regularizer: %w", err)
	}
	return scale(sum, r.Coefficient(t.N()))
}

func checkCoefficient(name string, v float64) error {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("regularizer: %s must be a finite number ≥ 0, got %g", name, v)
	}
	return nil
}

// scale multiplies the scalar v by c.
func scale(v *G.Node, c float64) (*G.Node, error) {
	out, err := G.HadamardProd(v, graph.Constant(v, c, fmt.Sprintf("coef%v", c)))
	if err != nil {
		return nil, fmt.Errorf("regularizer: %w", err)
	}
	return out, nil
}

// SGD is the implicit regularizer of minibatch SGD with step Eta and batches
// of Batch out of the n training examples, drawn without replacement as
// random reshuffling draws them (Smith, Dherin, Barrett and De, "On the
// Origin of Implicit Regularization in Stochastic Gradient Descent", 2021):
//
//	(η/4) E_B ‖∇L_B‖² = (η/4) (‖∇L‖² + (n − B)/(B(n − 1)) Γ),
//	Γ = (1/n) Σ_i ‖∇ℓ_i − ∇L‖²,
//
// with ℓ_i = (P(x_i) − y_i)² and L_B the mean loss of a batch. Since ∇L is the
// mean of the ∇ℓ_i, Γ = (1/n) Σ_i ‖∇ℓ_i‖² − ‖∇L‖², and the penalty is built
// as (η/4) ((1 − c) ‖∇L‖² + (c/n) Σ_i ‖∇ℓ_i‖²), c = (n − B)/(B(n − 1)), from
// the per-example loss gradients of graph.ExampleLossGradNormSq: exact for
// any architecture. n is the number of examples of the objective it is built
// on. With B = n it is GradientNorm{η/4}.
//
// When B does not divide n, the batches training takes are not all of B
// examples: an epoch of package train is ⌊n/B⌋ batches of B and one of the
// r = n mod B examples left. The penalty is then the expectation over the
// batches actually taken, the mean over an epoch's ⌈n/B⌉ steps of
// (η/4) E‖∇L_batch‖²: the same formula with c = EpochCoefficient(n, B), the
// mean of the steps' (n − b)/(b(n − 1)).
type SGD struct {
	Eta   float64
	Batch int
}

// Name returns "sgd_reg".
func (SGD) Name() string { return "sgd_reg" }

// Build returns (η/4) E_B ‖∇L_B‖².
func (r SGD) Build(t *graph.Terms) (*G.Node, error) {
	return buildSGD(t, r.Eta, r.Batch, false)
}

// SGDNoise is the part of the SGD regularizer that the sampling of batches
// adds to gradient descent's (η/4)‖∇L‖²: (η/4) c Γ with c =
// EpochCoefficient(n, B), which is (n − B)/(B(n − 1)) when B divides n, so
// that SGD{η, B} = GradientNorm{η/4} + SGDNoise{η, B}. It is the counterpart
// of LabelNoise, the part that label noise adds. Its fields are SGD's.
type SGDNoise SGD

// Name returns "sgd_noise_reg".
func (SGDNoise) Name() string { return "sgd_noise_reg" }

// Build returns (η/4) c Γ.
func (r SGDNoise) Build(t *graph.Terms) (*G.Node, error) {
	return buildSGD(t, r.Eta, r.Batch, true)
}

// BatchCoefficient returns (n − B)/(B(n − 1)), the weight of Γ in
// E_B‖∇L_B‖² for batches of b out of n examples drawn without replacement:
// 0 for b = n.
func BatchCoefficient(n, b int) float64 {
	if b >= n {
		return 0
	}
	return float64(n-b) / (float64(b) * float64(n-1))
}

// EpochCoefficient returns the weight of Γ in the mean of E‖∇L_batch‖²
// over the steps of an epoch of random reshuffling with batches of b out of
// n examples: BatchCoefficient(n, b) when b divides n, else
// (q·BatchCoefficient(n, b) + BatchCoefficient(n, r))/(q + 1) for the q =
// ⌊n/b⌋ batches of b and the last of r = n mod b examples. Each step's batch
// is a uniformly random subset of its size, so its E‖∇L_batch‖² is
// ‖∇L‖² + BatchCoefficient(n, size)·Γ. It is NaN for b < 1.
func EpochCoefficient(n, b int) float64 {
	if b < 1 {
		return math.NaN()
	}
	q, r := n/b, n%b
	if b >= n || r == 0 {
		return BatchCoefficient(n, b)
	}
	return (float64(q)*BatchCoefficient(n, b) + BatchCoefficient(n, r)) / float64(q+1)
}

// buildSGD builds (η/4)((1 − c)‖∇L‖² + (c/n) Σ_i‖∇ℓ_i‖²), or with noiseOnly
// (η/4) c ((1/n) Σ_i‖∇ℓ_i‖² − ‖∇L‖²).
func buildSGD(t *graph.Terms, eta float64, batch int, noiseOnly bool) (*G.Node, error) {
	if err := checkCoefficient("η", eta); err != nil {
		return nil, err
	}
	n := t.N()
	if batch < 1 || batch > n {
		return nil, fmt.Errorf("regularizer: batch size must be between 1 and the %d examples, got %d", n, batch)
	}
	sq, err := graph.SumOfSquares(t.Grads)
	if err != nil {
		return nil, fmt.Errorf("regularizer: %w", err)
	}
	c := EpochCoefficient(n, batch)
	if c == 0 {
		if noiseOnly {
			return scale(sq, 0)
		}
		return scale(sq, eta/4)
	}
	per, err := graph.ExampleLossGradNormSq(t.Arch, t.X, t.Y, t.Params)
	if err != nil {
		return nil, fmt.Errorf("regularizer: %w", err)
	}
	gradTerm, err := scale(sq, eta/4*(1-c))
	if noiseOnly {
		gradTerm, err = scale(sq, eta/4*c)
	}
	if err != nil {
		return nil, err
	}
	exampleTerm, err := scale(per, eta/4*c/float64(n))
	if err != nil {
		return nil, err
	}
	var out *G.Node
	if noiseOnly {
		out, err = G.Sub(exampleTerm, gradTerm)
	} else {
		out, err = G.Add(gradTerm, exampleTerm)
	}
	if err != nil {
		return nil, fmt.Errorf("regularizer: %w", err)
	}
	return out, nil
}

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

package centralflow

import (
	"context"
	"errors"
	"fmt"
	"gonum.org/v1/gonum/floats"
	"math"

	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/train/curvature"
	"github.com/igr-project/igr/train/dataset"
)

// NetworkSettings configure a Network. The zero value (or nil) means the
// defaults given with each field.
type NetworkSettings struct {
	// Eigen configures the eigensolver, curvature.Top; its Start is
	// replaced by the flow's warm start. Nil means curvature's defaults
	// (residuals below 1e-10·‖∇²L‖).
	Eigen *curvature.EigenSettings

	// Differences computes the third derivatives g_ij by
	// ThirdDerivativeByDifferences of exact Hessian-vector products (four
	// per g_ij) instead of by automatic differentiation
	// (curvature.ThirdDerivative, exact). False means automatic
	// differentiation.
	Differences bool
}

// Network is the training mean squared error L of an architecture on a data
// set, as the flow sees it: L and ∇L from the architecture's graph; exact
// Hessian-vector products (curvature.Hessian) and the top eigenpairs by the
// Lanczos method warm-started from the previous ones (curvature.Top); the
// third derivatives g_ij by automatic differentiation
// (curvature.ThirdDerivative) or by differences. It evaluates the test MSE
// too when the data set has a test split.
//
// A Network is not safe for concurrent use.
type Network struct {
	arch  graph.Architecture
	cfg   NetworkSettings
	p     graph.Params // bound to every graph below
	obj   *graph.Objective
	hess  *curvature.Hessian
	third *curvature.ThirdDerivative // nil with Differences
	test  *graph.Objective           // nil without a test split
	n     int

	products int // Hessian-vector products spent on eigenpairs
}

var (
	_ Landscape     = (*Network)(nil)
	_ TestEvaluator = (*Network)(nil)
)

// NewNetwork compiles the graphs of arch on data at parameters p (copied;
// float64). s may be nil.
func NewNetwork(arch graph.Architecture, data *dataset.Set, p graph.Params, s *NetworkSettings) (*Network, error) {
	var cfg NetworkSettings
	if s != nil {
		cfg = *s
	}
	if arch == nil || data == nil {
		return nil, fmt.Errorf("centralflow: a network needs an architecture and a data set")
	}
	if err := graph.CheckParams(arch, p); err != nil {
		return nil, fmt.Errorf("centralflow: %w", err)
	}
	if p.Dtype() != tensor.Float64 {
		return nil, fmt.Errorf("centralflow: the flow computes in float64, got parameters of %v", p.Dtype())
	}
	if data.Train.Len() == 0 {
		return nil, fmt.Errorf("centralflow: the data set has no training examples")
	}
	net := &Network{arch: arch, cfg: cfg, p: p.Clone(), n: p.Len()}
	x, y := data.Train.Inputs(data.Dim), data.Train.Targets()
	var err error
	if net.obj, err = graph.NewObjective(arch, x, y, net.p, nil); err != nil {
		return nil, fmt.Errorf("centralflow: %w", err)
	}
	if net.hess, err = curvature.NewHessian(arch, x, y, net.p, nil); err != nil {
		net.Close()
		return nil, fmt.Errorf("centralflow: %w", err)
	}
	if !cfg.Differences {
		if net.third, err = curvature.NewThirdDerivative(arch, x, y, net.p, nil); err != nil {
			net.Close()
			return nil, fmt.Errorf("centralflow: %w", err)
		}
	}
	if data.Test.Len() > 0 {
		if net.test, err = graph.NewEvaluator(arch, data.Test.Inputs(data.Dim), data.Test.Targets(), net.p); err != nil {
			net.Close()
			return nil, fmt.Errorf("centralflow: %w", err)
		}
	}
	return net, nil
}

// Len is the number of parameters.
func (net *Network) Len() int { return net.n }

// set binds the graphs to w.
func (net *Network) set(w []float64) error {
	if len(w) != net.n {
		return fmt.Errorf("centralflow: %s has %d parameters, got a vector of %d", net.arch.Name(), net.n, len(w))
	}
	net.p.SetFlat(w)
	return nil
}

// Gradient sets grad to ∇L(w) and returns the training MSE L(w).
func (net *Network) Gradient(w, grad []float64) (float64, error) {
	if err := net.set(w); err != nil {
		return 0, err
	}
	if len(grad) != net.n {
		return 0, fmt.Errorf("centralflow: gradient of %d parameters into a vector of %d", net.n, len(grad))
	}
	if err := net.obj.Run(); err != nil {
		return 0, fmt.Errorf("centralflow: %w", err)
	}
	net.obj.FlatGradient(grad)
	return net.obj.Loss(), nil
}

// HessianVectorProduct sets out to ∇²L(w)v, exactly.
func (net *Network) HessianVectorProduct(w, v, out []float64) error {
	if err := net.set(w); err != nil {
		return err
	}
	if err := net.hess.Apply(out, v); err != nil {
		return fmt.Errorf("centralflow: %w", err)
	}
	return nil
}

// TopEigenpairs returns the k largest eigenpairs of ∇²L(w) by curvature.Top,
// started from warm.
func (net *Network) TopEigenpairs(ctx context.Context, w []float64, k int, warm [][]float64) ([]float64, [][]float64, error) {
	if err := net.set(w); err != nil {
		return nil, nil, err
	}
	var es curvature.EigenSettings
	if net.cfg.Eigen != nil {
		es = *net.cfg.Eigen
	}
	es.Start = warm
	if len(warm) > k {
		es.Start = warm[:k]
	}
	pairs, err := curvature.Top(ctx, net.hess, k, &es)
	if pairs != nil {
		net.products += pairs.Products
	}
	if err != nil {
		return nil, nil, fmt.Errorf("centralflow: %w", err)
	}
	return pairs.Values, pairs.Vectors, nil
}

// EigenProducts is the number of Hessian-vector products TopEigenpairs has
// spent so far.
func (net *Network) EigenProducts() int { return net.products }

// ThirdDerivative sets out to ∇_w(uᵀ∇²L(w)v): by automatic differentiation,
// or with NetworkSettings.Differences by ThirdDerivativeByDifferences of
// exact Hessian-vector products, with step DefaultDifferenceStep/‖u‖.
func (net *Network) ThirdDerivative(w, u, v, out []float64) error {
	if net.cfg.Differences {
		return net.ThirdDerivativeByDifferences(w, u, v, out)
	}
	if err := net.set(w); err != nil {
		return err
	}
	if _, err := net.third.Apply(out, u, v); err != nil {
		return fmt.Errorf("centralflow: %w", err)
	}
	return nil
}

// ThirdDerivativeByDifferences sets out to ∇_w(uᵀ∇²L(w)v) by
// ThirdDerivativeByDifferences of exact Hessian-vector products, with step
// DefaultDifferenceStep/‖u‖, whatever the settings.
func (net *Network) ThirdDerivativeByDifferences(w, u, v, out []float64) error {
	nu := math.Sqrt(floats.Dot(u, u))
	if nu == 0 {
		clear(out)
		return nil
	}
	return ThirdDerivativeByDifferences(net.HessianVectorProduct, w, u, v, out, DefaultDifferenceStep/nu)
}

// TestLoss returns the test MSE at w, NaN when the data set has no test
// split.
func (net *Network) TestLoss(w []float64) (float64, error) {
	if net.test == nil {
		return math.NaN(), nil
	}
	if err := net.set(w); err != nil {
		return 0, err
	}
	if err := net.test.Run(); err != nil {
		return 0, fmt.Errorf("centralflow: %w", err)
	}
	return net.test.Loss(), nil
}

// Close releases the graphs.
func (net *Network) Close() error {
	var errs []error
	if net.obj != nil {
		errs = append(errs, net.obj.Close())
	}
	if net.hess != nil {
		errs = append(errs, net.hess.Close())
	}
	if net.third != nil {
		errs = append(errs, net.third.Close())
	}
	if net.test != nil {
		errs = append(errs, net.test.Close())
	}
	return errors.Join(errs...)
}

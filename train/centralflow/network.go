package centralflow

import (
	"errors"
	"fmt"
	"math"

	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/train/dataset"
	"github.com/igr-project/igr/train/sharpness"
)

// Network is the training mean squared error of an architecture on a data
// set, as the flow sees it: L and ∇L from the architecture's graph, exact
// Hessian-vector products by automatic differentiation through the gradient
// (package sharpness), and the third derivatives g_ij by
// ThirdDerivativeByDifferences of those products. It evaluates the test MSE
// too when the data set has a test split.
//
// A Network is not safe for concurrent use.
type Network struct {
	arch graph.Architecture
	p    graph.Params // bound to every graph below
	obj  *graph.Objective
	hvp  *sharpness.HVP
	test *graph.Objective // nil without a test split
	n    int
}

var _ TestEvaluator = (*Network)(nil)

// NewNetwork compiles the graphs of arch on data at parameters p (copied;
// float64).
func NewNetwork(arch graph.Architecture, data *dataset.Set, p graph.Params) (*Network, error) {
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
	net := &Network{arch: arch, p: p.Clone(), n: p.Len()}
	x, y := data.Train.Inputs(data.Dim), data.Train.Targets()
	var err error
	if net.obj, err = graph.NewObjective(arch, x, y, net.p, nil); err != nil {
		return nil, fmt.Errorf("centralflow: %w", err)
	}
	if net.hvp, err = sharpness.NewHVP(arch, x, y, net.p); err != nil {
		net.Close()
		return nil, fmt.Errorf("centralflow: %w", err)
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
	off := 0
	for i := range net.p {
		off += copy(grad[off:], net.obj.Gradient(i))
	}
	return net.obj.Loss(), nil
}

// HessianVectorProduct sets out to ∇²L(w)v, exactly.
func (net *Network) HessianVectorProduct(w, v, out []float64) error {
	if err := net.set(w); err != nil {
		return err
	}
	if len(v) != net.n || len(out) != net.n {
		return fmt.Errorf("centralflow: Hessian-vector product of %d parameters with vectors of %d and %d", net.n, len(v), len(out))
	}
	if err := net.hvp.Apply(out, v); err != nil {
		return fmt.Errorf("centralflow: %w", err)
	}
	return nil
}

// ThirdDerivative sets out to ∇_w(uᵀ∇²L(w)v) by ThirdDerivativeByDifferences
// of exact Hessian-vector products, with step DefaultDifferenceStep/‖u‖.
func (net *Network) ThirdDerivative(w, u, v, out []float64) error {
	nu := math.Sqrt(dot(u, u))
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
	if net.hvp != nil {
		errs = append(errs, net.hvp.Close())
	}
	if net.test != nil {
		errs = append(errs, net.test.Close())
	}
	return errors.Join(errs...)
}

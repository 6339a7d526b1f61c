package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/igr-project/igr/internal/machine"
)

// Objective is the mean squared error of an architecture's predictions on a
// data set, (1/n) Σ_i (predict(x_i) − y_i)², compiled with Gorgonia into a tape
// machine, optionally together with its gradient with respect to the
// parameters. It is bound to a Params: Run evaluates at whatever values the
// Params hold at that moment.
//
// An Objective is not safe for concurrent use; independent Objectives are.
type Objective struct {
	arch    Architecture
	g       *G.ExprGraph
	x, y    *G.Node
	params  []*G.Node
	pred    *G.Node
	loss    *G.Node
	grads   []*G.Node
	machine *machine.Machine
	targets []float64

	// Values of the last Run.
	lossValue float64
	gradData  [][]float64
}

// NewObjective compiles the mean squared error of arch on inputs x (n×d) and
// targets y (n×1) at parameters p, and its gradient. The targets are copied:
// Targets gives the copy, which label-noise training overwrites. The graph
// runs on a machine.Machine: only what the loss and its gradient need, with
// reused buffers, on the calling goroutine.
func NewObjective(arch Architecture, x, y *tensor.Dense, p Params) (*Objective, error) {
	return newObjective(arch, x, y, p, true)
}

// NewEvaluator is NewObjective without the gradient: a forward pass only, for
// measuring the error on a test set.
func NewEvaluator(arch Architecture, x, y *tensor.Dense, p Params) (*Objective, error) {
	return newObjective(arch, x, y, p, false)
}

func newObjective(arch Architecture, x, y *tensor.Dense, p Params, withGrad bool) (*Objective, error) {
	if err := CheckParams(arch, p); err != nil {
		return nil, err
	}
	if x.Dims() != 2 || y.Dims() != 2 || y.Shape()[1] != 1 || x.Shape()[0] != y.Shape()[0] {
		return nil, fmt.Errorf("graph: inputs %v and targets %v must be n×d and n×1", x.Shape(), y.Shape())
	}
	if d := arch.Params()[0].Rows; x.Shape()[1] != d {
		return nil, fmt.Errorf("graph: inputs have %d columns, %s expects %d", x.Shape()[1], arch.Name(), d)
	}
	n := x.Shape()[0]
	o := &Objective{arch: arch, g: G.NewGraph()}
	o.targets = append([]float64(nil), y.Data().([]float64)...)
	// The graph gets its own copy of the inputs: a tape machine writes to the
	// tensors bound to its graph, so sharing one between graphs run in
	// parallel would race.
	o.x = G.NewMatrix(o.g, tensor.Float64, G.WithShape(x.Shape()...), G.WithName("x"), G.WithValue(x.Clone().(*tensor.Dense)))
	o.y = G.NewMatrix(o.g, tensor.Float64, G.WithShape(n, 1), G.WithName("y"), G.WithValue(NewMatrix(n, 1, o.targets)))
	specs := arch.Params()
	o.params = make([]*G.Node, len(specs))
	for i, s := range specs {
		o.params[i] = G.NewMatrix(o.g, tensor.Float64, G.WithShape(s.Rows, s.Cols), G.WithName(s.Name), G.WithValue(p[i]))
	}
	var err error
	if o.pred, err = arch.Predict(o.x, o.params); err != nil {
		return nil, err
	}
	if sh := o.pred.Shape(); len(sh) != 2 || sh[0] != n || sh[1] != 1 {
		return nil, fmt.Errorf("graph: %s predictions have shape %v, want %d×1", arch.Name(), sh, n)
	}
	if o.loss, err = MeanSquaredError(o.pred, o.y); err != nil {
		return nil, err
	}
	if withGrad {
		if o.grads, err = G.Grad(o.loss, o.params...); err != nil {
			return nil, fmt.Errorf("graph: gradient of %s loss: %w", arch.Name(), err)
		}
	}
	if o.machine, err = machine.New(append([]*G.Node{o.loss}, o.grads...)...); err != nil {
		return nil, fmt.Errorf("graph: compiling %s: %w", arch.Name(), err)
	}
	o.gradData = make([][]float64, len(o.grads))
	return o, nil
}

// MeanSquaredError builds (1/n) Σ_i (pred_i − y_i)² for n×1 matrices pred and y.
func MeanSquaredError(pred, y *G.Node) (*G.Node, error) {
	r, err := G.Sub(pred, y)
	if err != nil {
		return nil, fmt.Errorf("graph: residual: %w", err)
	}
	r2, err := G.HadamardProd(r, r)
	if err != nil {
		return nil, fmt.Errorf("graph: squared residual: %w", err)
	}
	s, err := G.Sum(r2)
	if err != nil {
		return nil, fmt.Errorf("graph: sum of squares: %w", err)
	}
	mse, err := G.HadamardDiv(s, G.NewConstant(float64(pred.Shape()[0]), G.WithName("n")))
	if err != nil {
		return nil, fmt.Errorf("graph: mean: %w", err)
	}
	return mse, nil
}

// Run evaluates the loss, and the gradient if the Objective has one, at the
// current parameter values.
func (o *Objective) Run() error {
	if err := o.machine.Run(); err != nil {
		return fmt.Errorf("graph: evaluating %s: %w", o.arch.Name(), err)
	}
	var err error
	if o.lossValue, err = o.machine.Scalar(o.loss); err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	for i, g := range o.grads {
		d, err := o.machine.Dense(g)
		if err != nil {
			return fmt.Errorf("graph: %w", err)
		}
		o.gradData[i] = d.Float64s()
	}
	return nil
}

// Loss returns the mean squared error computed by the last Run.
func (o *Objective) Loss() float64 { return o.lossValue }

// Gradient returns the gradient with respect to parameter i computed by the
// last Run. The slice belongs to the Objective and is valid until the next Run.
func (o *Objective) Gradient(i int) []float64 { return o.gradData[i] }

// NumParams is the number of parameter matrices.
func (o *Objective) NumParams() int { return len(o.params) }

// Targets returns the Objective's own copy of the targets; writing to it
// changes the targets of the next Run.
func (o *Objective) Targets() []float64 { return o.targets }

// Graph returns the expression graph, for inspection.
func (o *Objective) Graph() *G.ExprGraph { return o.g }

// Close releases the tape machine.
func (o *Objective) Close() error { return o.machine.Close() }

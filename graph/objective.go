package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/igr-project/igr/internal/kernel"
	"github.com/igr-project/igr/internal/machine"
)

// Objective is the mean squared error of an architecture's predictions on a
// data set, L = (1/n) Σ_i (predict(x_i) − y_i)², plus optional penalties,
// compiled with Gorgonia, together with the gradient of the total with
// respect to the parameters. It is bound to a Params: Run evaluates at
// whatever values the Params hold at that moment.
//
// An Objective is not safe for concurrent use; independent Objectives are.
type Objective struct {
	arch      Architecture
	loss      *G.Node   // L
	lossGrads []*G.Node // ∇L
	total     *G.Node   // L + Σ penalties
	grads     []*G.Node // ∇(L + Σ penalties)
	terms     []*G.Node // penalties, then measures
	machine   *machine.Machine
	kernel    *kernel.Kernel // the kernel the machine runs on, for Descend
	params    Params
	inputs    *tensor.Dense // the Objective's own inputs, of the params' dtype
	targets   *tensor.Dense // the Objective's own targets, of the params' dtype

	// Values of the last Run: the gradients as the machine computed them,
	// and float64 views made on demand (the buffers themselves for float64,
	// copies for float32), so that a training step converts nothing.
	lossValue, totalValue    float64
	termValues               []float64
	gradDense, lossGradDense []*tensor.Dense
	grads64, lossGrads64     [][]float64
	converted                bool // whether grads64 and lossGrads64 are of the last Run
}

// ObjectiveSettings configure an Objective. The zero value (or nil) means the
// mean squared error and its gradient.
type ObjectiveSettings struct {
	// Penalties are added to the loss: Gradient is the gradient of
	// L + Σ penalties.
	Penalties []Penalty

	// Measures are computed beside the loss and not added to it.
	Measures []Penalty

	// NoGradient skips the gradient of the total: a forward pass, for
	// measuring errors. Penalties and measures built from ∇L still get it.
	NoGradient bool

	// WithoutLoss leaves the loss out of the total: Total is Σ penalties and
	// Gradient its gradient. A penalty v·∇L then makes Gradient the exact
	// Hessian-vector product ∇²L v.
	WithoutLoss bool
}

// Penalty is a scalar term built from an Objective's graph: a regularizer
// added to the loss, or a quantity measured beside it.
type Penalty interface {
	// Name identifies the term in outputs.
	Name() string
	// Build returns the term, a scalar node of t's graph.
	Build(t *Terms) (*G.Node, error)
}

// Terms are the nodes a Penalty can build from. They live in a graph that
// has not been differentiated yet, so a penalty may use Grads (∇L) and still
// be differentiated itself: the gradient of λ‖∇L‖² is exact, by automatic
// differentiation through the gradient.
type Terms struct {
	Arch   Architecture
	X, Y   *G.Node   // inputs n×d, targets n×1
	Params []*G.Node // in the order of Arch.Params
	Loss   *G.Node   // the mean squared error L
	Grads  []*G.Node // ∇L, one node per parameter, shaped like it
}

// N is the number of examples.
func (t *Terms) N() int { return t.X.Shape()[0] }

// NewObjective compiles the mean squared error of arch on inputs x (n×d) and
// targets y (n×1), float64, at parameters p, with the penalties and measures
// of s, and the gradient. The graph computes in the dtype of p (float64 or
// float32); x and y are copied into it, SetTargets changes the copy of the
// targets, as label-noise training does, and SetInputs the copy of the
// inputs, as minibatch training does. The graph runs on a
// machine.Machine: only what the requested values need, with reused buffers,
// on the calling goroutine.
//
// Gorgonia's Grad returns wrong numbers, silently, when called a second time
// on a graph whose nodes it already differentiated. So when a penalty or a
// measure needs ∇L, the loss is differentiated in a scratch graph, the loss
// and ∇L are copied into a fresh graph (machine.Copy), the terms are added
// there, and Grad is called once more on the fresh graph.
func NewObjective(arch Architecture, x, y *tensor.Dense, p Params, s *ObjectiveSettings) (*Objective, error) {
	var cfg ObjectiveSettings
	if s != nil {
		cfg = *s
	}
	if err := CheckParams(arch, p); err != nil {
		return nil, err
	}
	dtype := p.Dtype()
	if err := CheckDtype(dtype); err != nil {
		return nil, err
	}
	if x.Dims() != 2 || y.Dims() != 2 || y.Shape()[1] != 1 || x.Shape()[0] != y.Shape()[0] {
		return nil, fmt.Errorf("graph: inputs %v and targets %v must be n×d and n×1", x.Shape(), y.Shape())
	}
	if d := arch.Params()[0].Rows; x.Shape()[1] != d {
		return nil, fmt.Errorf("graph: inputs have %d columns, %s expects %d", x.Shape()[1], arch.Name(), d)
	}
	o := &Objective{arch: arch, params: p, kernel: kernel.Default()}
	n := x.Shape()[0]
	o.targets = NewMatrixOf(dtype, n, 1, append([]float64(nil), y.Float64s()...))
	// The graph gets its own copy of the inputs: a tape machine writes to the
	// tensors bound to its graph, so sharing one between graphs run in
	// parallel would race.
	o.inputs = NewMatrixOf(dtype, n, x.Shape()[1], append([]float64(nil), x.Float64s()...))
	t, err := buildLoss(arch, o.inputs, o.targets, p)
	if err != nil {
		return nil, err
	}
	terms := len(cfg.Penalties) + len(cfg.Measures)
	if cfg.WithoutLoss && len(cfg.Penalties) == 0 {
		return nil, fmt.Errorf("graph: an objective without the loss needs a penalty")
	}
	if terms == 0 {
		o.loss, o.total = t.Loss, t.Loss
		if !cfg.NoGradient {
			if o.grads, err = gradient(t.Loss, t.Params); err != nil {
				return nil, fmt.Errorf("graph: gradient of %s loss: %w", arch.Name(), err)
			}
			o.lossGrads = o.grads
		}
	} else if err := o.buildTerms(t, &cfg); err != nil {
		return nil, err
	}
	roots := append([]*G.Node{o.loss, o.total}, o.terms...)
	roots = append(roots, o.lossGrads...)
	if o.machine, err = machine.New(append(roots, o.grads...)...); err != nil {
		return nil, fmt.Errorf("graph: compiling %s: %w", arch.Name(), err)
	}
	o.termValues = make([]float64, len(o.terms))
	o.grads64 = make([][]float64, len(o.grads))
	o.lossGrads64 = make([][]float64, len(o.lossGrads))
	o.gradDense = make([]*tensor.Dense, len(o.grads))
	o.lossGradDense = make([]*tensor.Dense, len(o.lossGrads))
	return o, nil
}

// NewEvaluator is NewObjective without the gradient: a forward pass only, for
// measuring the error on a test set.
func NewEvaluator(arch Architecture, x, y *tensor.Dense, p Params) (*Objective, error) {
	return NewObjective(arch, x, y, p, &ObjectiveSettings{NoGradient: true})
}

// buildLoss builds the predictions and the loss of arch in a new graph.
func buildLoss(arch Architecture, x, y *tensor.Dense, p Params) (*Terms, error) {
	g := G.NewGraph()
	n := x.Shape()[0]
	dtype := x.Dtype()
	t := &Terms{Arch: arch}
	t.X = G.NewMatrix(g, dtype, G.WithShape(x.Shape()...), G.WithName("x"), G.WithValue(x))
	t.Y = G.NewMatrix(g, dtype, G.WithShape(n, 1), G.WithName("y"), G.WithValue(y))
	specs := arch.Params()
	t.Params = make([]*G.Node, len(specs))
	for i, s := range specs {
		t.Params[i] = G.NewMatrix(g, dtype, G.WithShape(s.Rows, s.Cols), G.WithName(s.Name), G.WithValue(p[i]))
	}
	pred, err := arch.Predict(t.X, t.Params)
	if err != nil {
		return nil, err
	}
	if sh := pred.Shape(); len(sh) != 2 || sh[0] != n || sh[1] != 1 {
		return nil, fmt.Errorf("graph: %s predictions have shape %v, want %d×1", arch.Name(), sh, n)
	}
	if t.Loss, err = MeanSquaredError(pred, t.Y); err != nil {
		return nil, err
	}
	return t, nil
}

// buildTerms differentiates the loss of t in its (scratch) graph, copies the
// loss and ∇L into a fresh graph, builds the penalties and measures there and
// differentiates the total once.
func (o *Objective) buildTerms(t *Terms, cfg *ObjectiveSettings) error {
	name := o.arch.Name()
	grads, err := gradient(t.Loss, t.Params)
	if err != nil {
		return fmt.Errorf("graph: gradient of %s loss: %w", name, err)
	}
	t.Grads = grads
	fresh, err := copyTerms(t)
	if err != nil {
		return err
	}
	o.loss, o.lossGrads, o.total = fresh.Loss, fresh.Grads, fresh.Loss
	if cfg.WithoutLoss {
		o.total = nil
	}
	for i, pen := range append(append([]Penalty(nil), cfg.Penalties...), cfg.Measures...) {
		term, err := pen.Build(fresh)
		if err != nil {
			return fmt.Errorf("graph: %s on %s: %w", pen.Name(), name, err)
		}
		if !term.IsScalar() {
			return fmt.Errorf("graph: %s on %s is not a scalar but %v", pen.Name(), name, term.Shape())
		}
		o.terms = append(o.terms, term)
		switch {
		case i >= len(cfg.Penalties):
		case o.total == nil:
			o.total = term
		default:
			if o.total, err = G.Add(o.total, term); err != nil {
				return fmt.Errorf("graph: adding %s: %w", pen.Name(), err)
			}
		}
	}
	switch {
	case cfg.NoGradient:
	case len(cfg.Penalties) == 0:
		o.grads = o.lossGrads
	default:
		if o.grads, err = gradient(o.total, fresh.Params); err != nil {
			return fmt.Errorf("graph: gradient of %s loss with penalties: %w", name, err)
		}
	}
	return nil
}

// Run evaluates the loss, the terms and the gradients at the current
// parameter values.
func (o *Objective) Run() error {
	if err := o.machine.Run(); err != nil {
		return fmt.Errorf("graph: evaluating %s: %w", o.arch.Name(), err)
	}
	var err error
	if o.lossValue, err = o.machine.Scalar(o.loss); err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	if o.totalValue, err = o.machine.Scalar(o.total); err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	for i, t := range o.terms {
		if o.termValues[i], err = o.machine.Scalar(t); err != nil {
			return fmt.Errorf("graph: %w", err)
		}
	}
	o.converted = false
	if err := o.read(o.grads, o.gradDense); err != nil {
		return err
	}
	return o.read(o.lossGrads, o.lossGradDense)
}

// read fetches the tensors that nodes computed.
func (o *Objective) read(nodes []*G.Node, dense []*tensor.Dense) error {
	for i, g := range nodes {
		d, err := o.machine.Dense(g)
		if err != nil {
			return fmt.Errorf("graph: %w", err)
		}
		dense[i] = d
	}
	return nil
}

// convert makes the float64 views of the last Run's gradients.
func (o *Objective) convert() {
	if o.converted {
		return
	}
	o.converted = true
	for _, v := range []struct {
		dense []*tensor.Dense
		into  [][]float64
	}{{o.gradDense, o.grads64}, {o.lossGradDense, o.lossGrads64}} {
		for i, d := range v.dense {
			if d.Dtype() != tensor.Float32 {
				v.into[i] = d.Float64s()
				continue
			}
			f := d.Float32s()
			if len(v.into[i]) != len(f) {
				v.into[i] = make([]float64, len(f))
			}
			for j, x := range f {
				v.into[i][j] = float64(x)
			}
		}
	}
}

// Descend takes a gradient step, θ ← θ − lr·Gradient, on the parameters the
// Objective is bound to, in their dtype's arithmetic: lr·g rounded, then the
// difference rounded.
func (o *Objective) Descend(lr float64) { o.descend(o.gradDense, lr) }

// DescendLoss takes a gradient step on the loss alone, θ ← θ − lr·∇L, with
// the LossGradient of the last Run, in the arithmetic of Descend. It differs
// from Descend when the Objective has penalties or is built WithoutLoss: an
// Objective of the Hessian-vector product ∇²L v (WithoutLoss, penalty v·∇L)
// computes ∇L in the same Run, so a gradient-descent step can be taken from
// it. It panics on an Objective without gradients.
func (o *Objective) DescendLoss(lr float64) { o.descend(o.lossGradDense, lr) }

func (o *Objective) descend(grads []*tensor.Dense, lr float64) {
	for i, p := range o.params {
		g := grads[i]
		if p.Dtype() == tensor.Float32 {
			o.kernel.Descend32(p.Float32s(), g.Float32s(), float32(lr))
		} else {
			o.kernel.Descend64(p.Float64s(), g.Float64s(), lr)
		}
	}
}

// SetTargets sets the targets of the next Run to clean + noise (noise may be
// nil), rounded to the Objective's dtype as PyTorch adds float32 tensors.
func (o *Objective) SetTargets(clean, noise []float64) {
	if o.targets.Dtype() == tensor.Float32 {
		y := o.targets.Float32s()
		for i, c := range clean {
			y[i] = float32(c)
			if noise != nil {
				y[i] += float32(noise[i])
			}
		}
		return
	}
	y := o.targets.Float64s()
	for i, c := range clean {
		y[i] = c
		if noise != nil {
			y[i] += noise[i]
		}
	}
}

// SetInputs sets the inputs of the next Run: row i becomes row rows[i] of x,
// a row-major matrix with the Objective's d columns, rounded to the
// Objective's dtype; with rows nil, x holds the n rows in order. It writes
// into the tensor the graph reads and allocates nothing, so that minibatch
// training feeds each batch to one compiled graph. It panics when the rows
// do not fit.
func (o *Objective) SetInputs(x []float64, rows []int) {
	n, d := o.inputs.Shape()[0], o.inputs.Shape()[1]
	if rows == nil && len(x) != n*d || rows != nil && len(rows) != n {
		panic(fmt.Sprintf("graph: SetInputs of %d values for %d rows on an objective of %d×%d inputs", len(x), len(rows), n, d))
	}
	row := func(i int) []float64 {
		if rows == nil {
			return x[i*d : (i+1)*d]
		}
		return x[rows[i]*d : (rows[i]+1)*d]
	}
	if o.inputs.Dtype() == tensor.Float32 {
		dst := o.inputs.Float32s()
		for i := range n {
			for j, v := range row(i) {
				dst[i*d+j] = float32(v)
			}
		}
		return
	}
	dst := o.inputs.Float64s()
	for i := range n {
		copy(dst[i*d:(i+1)*d], row(i))
	}
}

// Loss returns the mean squared error computed by the last Run.
func (o *Objective) Loss() float64 { return o.lossValue }

// Total returns the loss plus the penalties computed by the last Run.
func (o *Objective) Total() float64 { return o.totalValue }

// Term returns the value of penalty i, or of measure i − len(Penalties),
// computed by the last Run.
func (o *Objective) Term(i int) float64 { return o.termValues[i] }

// NumTerms is the number of penalties and measures.
func (o *Objective) NumTerms() int { return len(o.terms) }

// Gradient returns the gradient of the total with respect to parameter i
// computed by the last Run: the direction a gradient step descends. The slice
// belongs to the Objective and is valid until the next Run.
func (o *Objective) Gradient(i int) []float64 {
	o.convert()
	return o.grads64[i]
}

// FlatGradient copies the Gradient of every parameter, computed by the last
// Run, into dst, one after the other as Params.Flat lays the parameters out.
// dst must hold Params.Len values.
func (o *Objective) FlatGradient(dst []float64) {
	o.convert()
	off := 0
	for _, g := range o.grads64 {
		off += copy(dst[off:], g)
	}
}

// LossGradient returns ∇L, the gradient of the mean squared error alone, with
// respect to parameter i; it is Gradient when there are no penalties. Nil for
// an Objective without gradients.
func (o *Objective) LossGradient(i int) []float64 {
	if i >= len(o.lossGrads64) {
		return nil
	}
	o.convert()
	return o.lossGrads64[i]
}

// LossGradNormSq returns ‖∇L‖² computed by the last Run.
func (o *Objective) LossGradNormSq() float64 {
	o.convert()
	var s float64
	for _, g := range o.lossGrads64 {
		for _, v := range g {
			s += v * v
		}
	}
	return s
}

// NumParams is the number of parameter matrices.
func (o *Objective) NumParams() int { return len(o.arch.Params()) }

// Close releases the tape machine.
func (o *Objective) Close() error { return o.machine.Close() }

// MeanSquaredError builds (1/n) Σ_i (pred_i − y_i)² for n×1 matrices pred and y.
func MeanSquaredError(pred, y *G.Node) (*G.Node, error) {
	r2, err := squaredResiduals(pred, y)
	if err != nil {
		return nil, err
	}
	s, err := G.Sum(r2)
	if err != nil {
		return nil, fmt.Errorf("graph: sum of squares: %w", err)
	}
	mse, err := G.HadamardDiv(s, Constant(s, float64(pred.Shape()[0]), fmt.Sprintf("n%d", pred.Shape()[0])))
	if err != nil {
		return nil, fmt.Errorf("graph: mean: %w", err)
	}
	return mse, nil
}

// String lists the ops one Run of the objective executes.
func (o *Objective) String() string { return o.machine.String() }

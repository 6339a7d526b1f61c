package machine

import (
	"fmt"
	"hash"
	"reflect"

	"gonum.org/v1/gonum/graph"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/igr-project/igr/internal/kernel"
)

// Options selects what Copy changes on the way.
type Options struct {
	// Reuse wraps every op that implements gorgonia.UsePreallocDoer so that
	// it writes into an output buffer it owns.
	Reuse bool
	// Kernels replaces every 2-D float matrix product by a gemmOp and the
	// elementwise arithmetic on float tensors by an elementwiseOp, both run
	// on the default kernel (package kernel).
	Kernels bool
}

// Copied is the result of Copy: a new graph and the map from the old graph's
// nodes to their copies (only nodes the roots depend on).
type Copied struct {
	Graph *G.ExprGraph
	nodes map[*G.Node]*G.Node
	o     Options
}

// Node returns the copy of old, or nil if old is not in the copy.
func (r *Copied) Node(old *G.Node) *G.Node { return r.nodes[old] }

// Copy copies the subgraph that roots depend on into a fresh graph,
// re-applying each node's op (replaced as opt says) to the copied children.
// Input nodes become fresh input nodes bound to the same values, so updating
// a parameter's backing array in place is seen by both graphs; constants
// become fresh constants. Names are kept: Gorgonia identifies inputs and
// constants by name, so distinct ones must be named distinctly.
//
// With zero Options the copy is an ordinary graph that can be differentiated
// once more (Gorgonia's Grad can be called only once per graph, see
// package graph). With Reuse or Gemm, call it after the last Grad: wrapped
// ops are meant to be executed, not differentiated again.
func Copy(roots []*G.Node, opt Options) (*Copied, error) {
	return copyInto(G.NewGraph(), roots, nil, opt)
}

// CopyInto copies the subgraph that roots depend on into dst, an existing
// graph, with zero Options. Nodes that are keys of bind are not copied: the
// copy uses their values in bind, nodes of dst, instead. This is how an
// expression differentiated in a scratch graph joins a larger graph, for
// example a per-example gradient built on a model's parameter nodes.
func CopyInto(dst *G.ExprGraph, roots []*G.Node, bind map[*G.Node]*G.Node) (*Copied, error) {
	return copyInto(dst, roots, bind, Options{})
}

func copyInto(dst *G.ExprGraph, roots []*G.Node, bind map[*G.Node]*G.Node, opt Options) (*Copied, error) {
	if len(roots) == 0 {
		return nil, fmt.Errorf("machine: no roots to copy")
	}
	r := &Copied{Graph: dst, nodes: make(map[*G.Node]*G.Node, len(bind)), o: opt}
	for k, v := range bind {
		r.nodes[k] = v
	}
	for _, n := range roots {
		if _, err := r.copy(n); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func children(n *G.Node) []*G.Node {
	ns := graph.NodesOf(n.Graph().From(n.ID()))
	out := make([]*G.Node, len(ns))
	for i, c := range ns {
		out[i] = c.(*G.Node)
	}
	return out
}

func (r *Copied) copy(n *G.Node) (*G.Node, error) {
	if c, ok := r.nodes[n]; ok {
		return c, nil
	}
	var c *G.Node
	op := n.Op()
	switch {
	case op == nil: // input
		v := n.Value()
		if v == nil {
			return nil, fmt.Errorf("machine: input %v has no value", n)
		}
		sh := n.Shape()
		if sh.IsScalar() {
			c = G.NewScalar(r.Graph, n.Dtype(), G.WithName(n.Name()), G.WithValue(v))
		} else {
			c = G.NewTensor(r.Graph, n.Dtype(), sh.Dims(), G.WithShape(sh...), G.WithName(n.Name()), G.WithValue(v))
		}
	case isConstant(n):
		c = G.NewConstant(n.Value(), G.WithName(n.Name()), G.In(r.Graph))
	default:
		kids := children(n)
		newKids := make([]*G.Node, len(kids))
		for i, k := range kids {
			var err error
			if newKids[i], err = r.copy(k); err != nil {
				return nil, err
			}
		}
		newOp := replaceOp(op, n, newKids, r.o)
		var err error
		if c, err = G.ApplyOp(newOp, newKids...); err != nil {
			return nil, fmt.Errorf("machine: re-applying %v: %w", op, err)
		}
	}
	r.nodes[n] = c
	return c, nil
}

func isConstant(n *G.Node) bool {
	_, ok := n.Op().(interface{ Value() G.Value })
	return ok && len(children(n)) == 0
}

func replaceOp(op G.Op, n *G.Node, kids []*G.Node, opt Options) G.Op {
	dt := n.Dtype()
	if opt.Kernels && (dt == tensor.Float64 || dt == tensor.Float32) {
		if ta, tb, ok := isMatMul(op); ok && len(kids) == 2 && kids[0].Dims() == 2 && kids[1].Dims() == 2 {
			return &gemmOp{reuseOp: newReuseOp(op, op.(G.UsePreallocDoer), dt, n.Shape()), transA: ta, transB: tb, alpha: 1, kernel: kernel.Default()}
		}
		if arith, ok := isArithmetic(op); ok && len(kids) == 2 && !n.Shape().IsScalar() {
			return &elementwiseOp{reuseOp: newReuseOp(op, op.(G.UsePreallocDoer), dt, n.Shape()), arith: arith, alpha: 1, kernel: kernel.Default()}
		}
	}
	if opt.Reuse {
		if pd, ok := op.(G.UsePreallocDoer); ok {
			return newReuseOp(op, pd, n.Dtype(), n.Shape())
		}
	}
	return op
}

// isMatMul reports whether op is Gorgonia's (unexported) linAlgBinOp with the
// matMul operator, and its transposition flags. Reading unexported fields
// through reflect is allowed (only Interface() on them is not).
func isMatMul(op G.Op) (transA, transB, ok bool) {
	v, ok := gorgoniaStruct(op, "linAlgBinOp")
	if !ok {
		return false, false, false
	}
	return matMulFlags(v)
}

// matMulFlags reads the fields of a linAlgBinOp as Gorgonia v0.9.18 lays it
// out: āBinaryOperator (matMulOperator is 0), transA, transB. Any other
// layout, as a new Gorgonia might have, is not recognized, and the op stays
// Gorgonia's own.
func matMulFlags(v reflect.Value) (transA, transB, ok bool) {
	operator, ok1 := uintField(v, "āBinaryOperator")
	transA, ok2 := boolField(v, "transA")
	transB, ok3 := boolField(v, "transB")
	if !ok1 || !ok2 || !ok3 || operator != 0 {
		return false, false, false
	}
	return transA, transB, true
}

// isArithmetic reports whether op is Gorgonia's (unexported) elemBinOp for
// +, −, × or ÷, and which.
func isArithmetic(op G.Op) (kernel.Arith, bool) {
	v, ok := gorgoniaStruct(op, "elemBinOp")
	if !ok {
		return 0, false
	}
	return arithmeticOperator(v)
}

// arithmeticOperator reads the operator of an elemBinOp as Gorgonia v0.9.18
// lays it out: its field ʘBinaryOperator holds a scalarBinOp or a tBinOp,
// whose field ʘBinaryOperatorType is add, sub, mul or div for 0..3
// (operatorPointwise_binary_const.go). Any other layout is not recognized.
func arithmeticOperator(v reflect.Value) (kernel.Arith, bool) {
	bin, ok := field(v, "ʘBinaryOperator")
	if !ok {
		return 0, false
	}
	if bin.Kind() == reflect.Interface {
		bin = bin.Elem()
	}
	t, ok := uintField(bin, "ʘBinaryOperatorType")
	if !ok || t > 3 {
		return 0, false
	}
	return kernel.Add + kernel.Arith(t), true
}

// gorgoniaStruct returns op as a struct value when it is Gorgonia's type
// named name.
func gorgoniaStruct(op G.Op, name string) (reflect.Value, bool) {
	v := reflect.ValueOf(op)
	if v.Kind() != reflect.Struct || v.Type().Name() != name || v.Type().PkgPath() != "gorgonia.org/gorgonia" {
		return reflect.Value{}, false
	}
	return v, true
}

// field returns the field name of the struct v, if v is a struct that has
// it. Unlike FieldByName it never panics.
func field(v reflect.Value, name string) (reflect.Value, bool) {
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	sf, ok := v.Type().FieldByName(name)
	if !ok {
		return reflect.Value{}, false
	}
	f, err := v.FieldByIndexErr(sf.Index) // a nil embedded pointer is an error, not a panic
	return f, err == nil && f.IsValid()
}

// uintField returns the unsigned integer field name of the struct v.
func uintField(v reflect.Value, name string) (uint64, bool) {
	f, ok := field(v, name)
	if !ok || !f.CanUint() {
		return 0, false
	}
	return f.Uint(), true
}

// intField returns the signed integer field name of the struct v.
func intField(v reflect.Value, name string) (int64, bool) {
	f, ok := field(v, name)
	if !ok || !f.CanInt() {
		return 0, false
	}
	return f.Int(), true
}

// boolField returns the boolean field name of the struct v.
func boolField(v reflect.Value, name string) (bool, bool) {
	f, ok := field(v, name)
	if !ok || f.Kind() != reflect.Bool {
		return false, false
	}
	return f.Bool(), true
}

func newBuffer(dt tensor.Dtype, sh tensor.Shape) G.Value {
	if sh.IsScalar() {
		switch dt {
		case tensor.Float64:
			return G.NewF64(0)
		case tensor.Float32:
			return G.NewF32(0)
		}
		return nil // let the wrapper adopt a copy of the first result
	}
	return tensor.New(tensor.Of(dt), tensor.WithShape(sh...))
}

// ---------------------------------------------------------------------------
// reuseOp

// reuseOp wraps an op that implements UsePreallocDoer. It owns one output
// buffer, allocated when the graph is rewritten, and every Do writes into it
// through the inner op's UsePreallocDo.
//
// It reports CallsExtern() == false, so the compiler emits no Alloc
// instruction for it (an Alloc after Reset allocates every run), and
// OverwritesInput() == -1, so the machine never runs it unsafely in place.
//
// Not every UsePreallocDo overwrites its buffer: sliceIncrOp's adds into the
// slice of prealloc it addresses and leaves the rest alone, i.e. it assumes a
// zeroed buffer. Ops not known to overwrite (see overwritesPrealloc) get their
// buffer zeroed before each call, which is what a fresh allocation would give.
type reuseOp struct {
	G.Op
	pd    G.UsePreallocDoer
	out   G.Value
	shape tensor.Shape
	zero  bool // clear out before each UsePreallocDo
}

func newReuseOp(op G.Op, pd G.UsePreallocDoer, dt tensor.Dtype, sh tensor.Shape) *reuseOp {
	return &reuseOp{Op: op, pd: pd, out: newBuffer(dt, sh), shape: sh.Clone(), zero: !overwritesPrealloc(op)}
}

// overwritesPrealloc lists the ops whose UsePreallocDo is checked to write
// every element of prealloc without reading it: elemBinOp and linAlgBinOp
// (tensor ops WithReuse; GEMM with beta = 0) and repeatOp (Memset/copy).
func overwritesPrealloc(op G.Op) bool {
	t := reflect.TypeOf(op)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() != "gorgonia.org/gorgonia" {
		return false
	}
	switch t.Name() {
	case "elemBinOp", "linAlgBinOp", "repeatOp":
		return true
	}
	return false
}

func (o *reuseOp) Do(in ...G.Value) (G.Value, error) {
	if d, ok := o.out.(*tensor.Dense); ok && (!d.Shape().Eq(o.shape) || d.IsMaterializable()) {
		// someone reshaped or transposed our buffer in place: start afresh
		o.out = newBuffer(d.Dtype(), o.shape)
	}
	if o.out != nil {
		if o.zero {
			switch v := o.out.(type) {
			case *tensor.Dense:
				v.Zero()
			case *G.F64:
				*v = 0
			case *G.F32:
				*v = 0
			}
		}
		v, err := o.pd.UsePreallocDo(o.out, in...)
		if err == nil {
			if v == o.out {
				return v, nil
			}
			// the op computed elsewhere (scalar ops do): copy into the buffer
			return G.Copy(o.out, v)
		}
		// fall through: compute fresh and copy
	}
	v, err := o.Op.Do(in...)
	if err != nil {
		return nil, err
	}
	if o.out == nil {
		// no buffer could be made up front: adopt a private copy
		if o.out, err = G.CloneValue(v); err != nil {
			return nil, err
		}
		return o.out, nil
	}
	return G.Copy(o.out, v)
}

func (o *reuseOp) CallsExtern() bool    { return false }
func (o *reuseOp) OverwritesInput() int { return -1 }
func (o *reuseOp) ReturnsPtr() bool     { return true }
func (o *reuseOp) String() string       { return o.Op.String() + "↺" }
func (o *reuseOp) WriteHash(h hash.Hash) {
	o.Op.WriteHash(h)
	h.Write([]byte("reuse"))
}
func (o *reuseOp) Hashcode() uint32 { return o.Op.Hashcode() ^ 0x5eed }

// DiffWRT and SymDiff delegate to the wrapped op when it is an SDOp.
func (o *reuseOp) DiffWRT(i int) []bool {
	if sd, ok := o.Op.(G.SDOp); ok {
		return sd.DiffWRT(i)
	}
	return make([]bool, i)
}
func (o *reuseOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	if sd, ok := o.Op.(G.SDOp); ok {
		return sd.SymDiff(in, out, grad)
	}
	return nil, fmt.Errorf("%v is not differentiable", o.Op)
}

// ---------------------------------------------------------------------------
// gemmOp

// gemmOp is C = op(A)·op(B) for 2-D float64/float32 tensors through the
// kernel that was the default when the graph was rewritten, into the buffer
// of its reuseOp; views and unusual layouts go through the wrapped op.
// The reuseOp keeps the original linAlgBinOp for type, shape, hashing and
// symbolic differentiation. Unlike linAlgBinOp the kernel does not transpose
// its inputs' metadata in place (linAlgBinOp calls a.T() and defers a.T() on
// the input tensors, which allocates and mutates shared inputs).
type gemmOp struct {
	*reuseOp       // wraps the original linAlgBinOp
	transA, transB bool
	alpha          float64 // C = alpha·op(A)·op(B); 1 unless a rewrite folded a scale in
	kernel         *kernel.Kernel
}

func (o *gemmOp) Do(in ...G.Value) (G.Value, error) {
	a, ok1 := in[0].(*tensor.Dense)
	b, ok2 := in[1].(*tensor.Dense)
	c := o.out.(*tensor.Dense)
	if !ok1 || !ok2 || !plain(a) || !plain(b) {
		// views or unusual layouts: let Gorgonia do it
		v, err := o.reuseOp.Do(in...)
		if err != nil {
			return nil, err
		}
		return scale(o.kernel, v, o.alpha), nil
	}
	as, bs := a.Shape(), b.Shape()
	m, k := as[0], as[1]
	if o.transA {
		m, k = k, m
	}
	kb, n := bs[0], bs[1]
	if o.transB {
		kb, n = n, kb
	}
	if k != kb {
		return nil, fmt.Errorf("machine: gemm inner dimensions %v %v (trans %v %v)", as, bs, o.transA, o.transB)
	}
	// Float64s/Float32s, not Data(): Dense.Data() builds an interface through
	// reflect and allocates twice per call.
	switch a.Dtype() {
	case tensor.Float64:
		o.kernel.Gemm64(o.transA, o.transB, m, n, k, o.alpha, a.Float64s(), as[1], b.Float64s(), bs[1], c.Float64s(), n)
	case tensor.Float32:
		o.kernel.Gemm32(o.transA, o.transB, m, n, k, float32(o.alpha), a.Float32s(), as[1], b.Float32s(), bs[1], c.Float32s(), n)
	default:
		return nil, fmt.Errorf("machine: gemm of dtype %v", a.Dtype())
	}
	return c, nil
}

// plain reports a row-major, contiguous, non-transposed, non-view 2-D tensor.
func plain(t *tensor.Dense) bool {
	return t.Dims() == 2 && !t.IsView() && t.DataOrder().IsRowMajor() && !t.IsMaterializable() && t.DataOrder().IsContiguous()
}

func (o *gemmOp) String() string { return o.Op.String() + "(gemm)" }
func (o *gemmOp) WriteHash(h hash.Hash) {
	o.Op.WriteHash(h)
	h.Write([]byte("gemm"))
}
func (o *gemmOp) Hashcode() uint32 { return o.Op.Hashcode() ^ 0x6e33 }

// ---------------------------------------------------------------------------
// elementwiseOp

// elementwiseOp is x ∘ y for ∘ one of + − × ÷, on float tensors of one
// length or a tensor and a scalar, computed by the kernel into the buffer of
// its reuseOp; anything else (views, other dtypes) goes through the wrapped
// Gorgonia op. Every element is one correctly rounded operation, so the
// result is Gorgonia's bit for bit.
type elementwiseOp struct {
	*reuseOp
	arith  kernel.Arith
	alpha  float64 // the result is multiplied by alpha; 1 unless a rewrite folded a scale in
	kernel *kernel.Kernel
}

func (o *elementwiseOp) Do(in ...G.Value) (G.Value, error) {
	if v, ok := o.fast(in); ok {
		return v, nil
	}
	v, err := o.reuseOp.Do(in...)
	if err != nil {
		return nil, err
	}
	return scale(o.kernel, v, o.alpha), nil
}

// fast computes the op on the kernel when the operands allow it.
func (o *elementwiseOp) fast(in []G.Value) (G.Value, bool) {
	c, ok := o.out.(*tensor.Dense)
	if !ok || len(in) != 2 || !plainFloat(c) {
		return nil, false
	}
	x, xDense := in[0].(*tensor.Dense)
	y, yDense := in[1].(*tensor.Dense)
	switch {
	case xDense && yDense && plainFloat(x) && plainFloat(y) && x.Dtype() == c.Dtype() && y.Dtype() == c.Dtype() &&
		x.Len() == c.Len() && y.Len() == c.Len():
		if c.Dtype() == tensor.Float64 {
			o.kernel.Elementwise64(o.arith, o.alpha, c.Float64s(), x.Float64s(), y.Float64s())
		} else {
			o.kernel.Elementwise32(o.arith, float32(o.alpha), c.Float32s(), x.Float32s(), y.Float32s())
		}
		return c, true
	case xDense && !yDense && plainFloat(x) && x.Dtype() == c.Dtype() && x.Len() == c.Len():
		if o.scalar(c, x, in[1], false) {
			return scale(o.kernel, c, o.alpha), true
		}
	case yDense && !xDense && plainFloat(y) && y.Dtype() == c.Dtype() && y.Len() == c.Len():
		if o.scalar(c, y, in[0], true) {
			return scale(o.kernel, c, o.alpha), true
		}
	}
	return nil, false
}

// scalar computes c = x ∘ s (or s ∘ x) when s is a scalar of c's dtype.
func (o *elementwiseOp) scalar(c, x *tensor.Dense, s G.Value, first bool) bool {
	switch v := s.(type) {
	case *G.F64:
		if c.Dtype() == tensor.Float64 {
			o.kernel.ElementwiseScalar64(o.arith, c.Float64s(), x.Float64s(), float64(*v), first)
			return true
		}
	case *G.F32:
		if c.Dtype() == tensor.Float32 {
			o.kernel.ElementwiseScalar32(o.arith, c.Float32s(), x.Float32s(), float32(*v), first)
			return true
		}
	}
	return false
}

// scale multiplies v in place by alpha (nothing to do for 1) and returns it.
func scale(k *kernel.Kernel, v G.Value, alpha float64) G.Value {
	if alpha == 1 {
		return v
	}
	switch t := v.(type) {
	case *tensor.Dense:
		if t.Dtype() == tensor.Float64 {
			x := t.Float64s()
			k.ElementwiseScalar64(kernel.Mul, x, x, alpha, false)
		} else if t.Dtype() == tensor.Float32 {
			x := t.Float32s()
			k.ElementwiseScalar32(kernel.Mul, x, x, float32(alpha), false)
		}
	case *G.F64:
		*t *= G.F64(alpha)
	case *G.F32:
		*t *= G.F32(alpha)
	}
	return v
}

func (o *elementwiseOp) String() string { return o.reuseOp.Op.String() + "(kernel)" }
func (o *elementwiseOp) WriteHash(h hash.Hash) {
	o.reuseOp.WriteHash(h)
	h.Write([]byte("kernel"))
}
func (o *elementwiseOp) Hashcode() uint32 { return o.reuseOp.Hashcode() ^ 0x7a11 }

// plainFloat reports a contiguous, non-view float64 or float32 tensor.
func plainFloat(t *tensor.Dense) bool {
	dt := t.Dtype()
	return (dt == tensor.Float64 || dt == tensor.Float32) && !t.IsView() && !t.IsMaterializable() && t.DataOrder().IsContiguous()
}

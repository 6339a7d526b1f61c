package machine

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/igr-project/igr/internal/kernel"
)

// Rewrites of a compiled program that remove passes over memory. Each keeps
// the result bit for bit: it computes the same correctly rounded operations
// in the same order, only without storing what nothing else reads.
//
//   - An elementwise product with an outer product, a ⊙ (u·vᵀ), the form
//     backpropagation gives the gradient of a matrix–vector product, or with
//     a sum of two, a ⊙ (u1·v1ᵀ + u2·v2ᵀ), becomes one outerHadamardOp: the
//     outer products are never stored.
//   - (x + y) + z, when nothing else reads x + y, becomes one sum3Op.
//   - x + x, which backpropagation writes for the derivative of x⊙x,
//     becomes a factor 2 on the op that computes x when nothing else reads
//     x: 2·y is exactly y + y.
//   - Steps whose values nothing reads are dropped.
//
// Then buffers are shared among values whose lifetimes do not overlap, which
// keeps the memory a step touches small enough to stay in cache.

// rewrite applies the rewrites above to p; roots are the positions read
// after a run.
func (p *program) rewrite(roots map[int]bool) {
	p.fuseOuterProducts()
	p.foldDoubling(roots)
	p.fuseSums(roots)
	p.dropUnused(roots)
	p.shareBuffers(roots)
}

// producers maps a position to the index of the step computing it.
func (p *program) producers() map[int]int {
	m := make(map[int]int, len(p.steps))
	for i, s := range p.steps {
		m[s.out] = i
	}
	return m
}

// readers counts the steps that read each position (a step that reads a
// position twice counts once per argument).
func (p *program) readers() map[int]int {
	m := make(map[int]int)
	for _, s := range p.steps {
		for _, a := range s.args {
			m[a]++
		}
	}
	return m
}

// outerFactors returns the positions of u and v when step s is an outer
// product u·vᵀ (a matrix product with inner dimension 1 whose factors are
// stored contiguously), and the product's alpha.
func outerFactors(s *step) (u, v int, alpha float64, ok bool) {
	g, isGemm := s.op.(*gemmOp)
	if !isGemm || len(s.args) != 2 {
		return 0, 0, 0, false
	}
	kids := children(s.node)
	as, bs := kids[0].Shape(), kids[1].Shape()
	if len(as) != 2 || len(bs) != 2 {
		return 0, 0, 0, false
	}
	// op(A) is m×1 and op(B) is 1×n: either way each is one stored row or
	// column, contiguous.
	k := as[1]
	if g.transA {
		k = as[0]
	}
	if k != 1 {
		return 0, 0, 0, false
	}
	return s.args[0], s.args[1], g.alpha, true
}

// fuseOuterProducts turns every elementwise product with an outer product,
// or with the sum of two, into an outerHadamardOp. The steps computing the
// outer products stay for other readers; dropUnused removes them when none
// is left.
func (p *program) fuseOuterProducts() {
	prod := p.producers()
	// outers returns the factors of the outer products whose sum (or
	// which, alone) position pos holds.
	var outers func(pos int) (factors []int, ok bool)
	outers = func(pos int) (factors []int, ok bool) {
		j, computed := prod[pos]
		if !computed {
			return nil, false
		}
		if u, v, alpha, isOuter := outerFactors(&p.steps[j]); isOuter {
			return []int{u, v}, alpha == 1
		}
		t := &p.steps[j]
		if e, isSum := t.op.(*elementwiseOp); isSum && e.arith == kernel.Add && e.alpha == 1 && len(t.args) == 2 {
			first, ok1 := outers(t.args[0])
			second, ok2 := outers(t.args[1])
			if ok1 && ok2 && len(first) == 2 && len(second) == 2 {
				return append(first, second...), true
			}
		}
		return nil, false
	}
	for i := range p.steps {
		s := &p.steps[i]
		e, ok := s.op.(*elementwiseOp)
		if !ok || e.arith != kernel.Mul || len(s.args) != 2 || !sameShapes(s.node) {
			continue
		}
		for side := 0; side < 2; side++ {
			factors, ok := outers(s.args[side])
			if !ok {
				continue
			}
			s.op = &outerHadamardOp{out: e.out, alpha: e.alpha, kernel: e.kernel, shape: s.node.Shape().Clone(), terms: len(factors) / 2}
			s.args = append([]int{s.args[1-side]}, factors...)
			s.in = make([]G.Value, len(s.args))
			break
		}
	}
}

// sameShapes reports whether n and its children are matrices of one shape.
func sameShapes(n *G.Node) bool {
	sh := n.Shape()
	if len(sh) != 2 {
		return false
	}
	for _, k := range children(n) {
		if !k.Shape().Eq(sh) {
			return false
		}
	}
	return true
}

// fuseSums turns (x + y) + z into one sum3Op when nothing else reads x + y.
func (p *program) fuseSums(roots map[int]bool) {
	prod, readers := p.producers(), p.readers()
	isSum := func(s *step) (*elementwiseOp, bool) {
		e, ok := s.op.(*elementwiseOp)
		return e, ok && e.arith == kernel.Add && e.alpha == 1 && len(s.args) == 2 && sameShapes(s.node)
	}
	for i := range p.steps {
		s := &p.steps[i]
		e, ok := isSum(s)
		if !ok {
			continue
		}
		for side := 0; side < 2; side++ {
			xy := s.args[side]
			j, computed := prod[xy]
			if !computed || roots[xy] || readers[xy] != 1 {
				continue
			}
			if _, inner := isSum(&p.steps[j]); !inner {
				continue
			}
			// Addition commutes exactly: z + (x + y) = (x + y) + z.
			s.op = &sum3Op{out: e.out, kernel: e.kernel}
			s.args = []int{p.steps[j].args[0], p.steps[j].args[1], s.args[1-side]}
			s.in = make([]G.Value, 3)
			readers[xy] = 0
			break
		}
	}
}

// scalable is an op that can multiply its result by a constant for free.
type scalable interface{ scaleBy(alpha float64) }

func (o *gemmOp) scaleBy(alpha float64)          { o.alpha *= alpha }
func (o *elementwiseOp) scaleBy(alpha float64)   { o.alpha *= alpha }
func (o *outerHadamardOp) scaleBy(alpha float64) { o.alpha *= alpha }

// foldDoubling replaces x + x by a factor 2 on the step computing x, when
// x + x is the only reader of x.
func (p *program) foldDoubling(roots map[int]bool) {
	prod, readers := p.producers(), p.readers()
	alias := make(map[int]int) // position of a dropped x + x → position of x
	for i := range p.steps {
		s := &p.steps[i]
		for j, a := range s.args {
			if to, ok := alias[a]; ok {
				s.args[j] = to
			}
		}
		e, ok := s.op.(*elementwiseOp)
		if !ok || e.arith != kernel.Add || len(s.args) != 2 || s.args[0] != s.args[1] || roots[s.out] {
			continue
		}
		x := s.args[0]
		j, computed := prod[x]
		if !computed || roots[x] || readers[x] != 2 {
			continue
		}
		sc, ok := p.steps[j].op.(scalable)
		if !ok {
			continue
		}
		sc.scaleBy(2 * e.alpha)
		alias[s.out] = x
		s.op = nil // dropped below
	}
	kept := p.steps[:0]
	for _, s := range p.steps {
		if s.op != nil {
			kept = append(kept, s)
		}
	}
	p.steps = kept
	for n, pos := range p.index {
		if to, ok := alias[pos]; ok {
			p.index[n] = to
		}
	}
}

// dropUnused removes the steps whose values no step and no root reads.
func (p *program) dropUnused(roots map[int]bool) {
	for {
		readers := p.readers()
		kept := p.steps[:0]
		for _, s := range p.steps {
			if readers[s.out] > 0 || roots[s.out] {
				kept = append(kept, s)
			}
		}
		if len(kept) == len(p.steps) {
			return
		}
		p.steps = kept
	}
}

// ---------------------------------------------------------------------------
// outerHadamardOp

// outerHadamardOp computes alpha·(a ⊙ u·vᵀ) from a (m×n) and the factors u
// (m values) and v (n values) of an outer product, into its buffer.
type outerHadamardOp struct {
	out    G.Value
	alpha  float64
	kernel *kernel.Kernel
	shape  tensor.Shape
	terms  int // outer products summed: 1 or 2
}

// Its arguments are a, u1, v1 and, for a sum of two, u2, v2.
func (o *outerHadamardOp) Do(in ...G.Value) (G.Value, error) {
	c, ok := o.out.(*tensor.Dense)
	if !ok || (len(in) != 3 && len(in) != 5) {
		return nil, fmt.Errorf("machine: outer-Hadamard needs a buffer and 3 or 5 arguments")
	}
	var vals [5]*tensor.Dense
	if err := denseArgs(vals[:len(in)], in, c.Dtype()); err != nil {
		return nil, err
	}
	m, n := o.shape[0], o.shape[1]
	if c.Dtype() == tensor.Float64 {
		var u2, v2 []float64
		if len(in) == 5 {
			u2, v2 = vals[3].Float64s(), vals[4].Float64s()
		}
		o.kernel.OuterHadamard64(o.alpha, m, n, c.Float64s(), vals[0].Float64s(), vals[1].Float64s(), vals[2].Float64s(), u2, v2)
	} else {
		var u2, v2 []float32
		if len(in) == 5 {
			u2, v2 = vals[3].Float32s(), vals[4].Float32s()
		}
		o.kernel.OuterHadamard32(float32(o.alpha), m, n, c.Float32s(), vals[0].Float32s(), vals[1].Float32s(), vals[2].Float32s(), u2, v2)
	}
	return c, nil
}

func (o *outerHadamardOp) String() string {
	if o.terms == 2 {
		return fmt.Sprintf("%g·(a ⊙ (u·vᵀ + u·vᵀ))", o.alpha)
	}
	return fmt.Sprintf("%g·(a ⊙ u·vᵀ)", o.alpha)
}

// denseArgs puts the values in into vals as contiguous tensors of dtype.
func denseArgs(vals []*tensor.Dense, in []G.Value, dtype tensor.Dtype) error {
	for i, v := range in {
		d, ok := v.(*tensor.Dense)
		if !ok || d.Dtype() != dtype {
			return fmt.Errorf("machine: argument %d is %T, want a %v tensor", i, v, dtype)
		}
		if !plainFloat(d) {
			d = d.Materialize().(*tensor.Dense)
		}
		vals[i] = d
	}
	return nil
}

// ---------------------------------------------------------------------------
// sum3Op

// sum3Op computes (x + y) + z for tensors of one shape into its buffer.
type sum3Op struct {
	out    G.Value
	kernel *kernel.Kernel
}

func (o *sum3Op) Do(in ...G.Value) (G.Value, error) {
	c, ok := o.out.(*tensor.Dense)
	if !ok || len(in) != 3 {
		return nil, fmt.Errorf("machine: sum of three needs a buffer and 3 arguments")
	}
	var vals [3]*tensor.Dense
	if err := denseArgs(vals[:], in, c.Dtype()); err != nil {
		return nil, err
	}
	if c.Dtype() == tensor.Float64 {
		o.kernel.Sum3_64(c.Float64s(), vals[0].Float64s(), vals[1].Float64s(), vals[2].Float64s())
	} else {
		o.kernel.Sum3_32(c.Float32s(), vals[0].Float32s(), vals[1].Float32s(), vals[2].Float32s())
	}
	return c, nil
}

func (o *sum3Op) String() string      { return "(x + y) + z" }
func (o *sum3Op) buffer() G.Value     { return o.out }
func (o *sum3Op) setBuffer(v G.Value) { o.out = v }

// ---------------------------------------------------------------------------
// Buffer sharing

// buffered is an op that writes its result into a buffer it owns.
type buffered interface {
	buffer() G.Value
	setBuffer(G.Value)
}

func (o *reuseOp) buffer() G.Value             { return o.out }
func (o *reuseOp) setBuffer(v G.Value)         { o.out = v }
func (o *outerHadamardOp) buffer() G.Value     { return o.out }
func (o *outerHadamardOp) setBuffer(v G.Value) { o.out = v }

// shareBuffers lets steps whose values are no longer needed pass their
// buffers on to later steps of the same dtype and shape, the way registers
// are allocated: a run then touches a few buffers instead of one per node.
// A value is needed until its last reader has run, or to the end for roots;
// the value of a step that owns no buffer may be a view of its arguments
// (Reshape is), so its arguments are needed as long as it is.
func (p *program) shareBuffers(roots map[int]bool) {
	const forever = int(^uint(0) >> 1)
	last := make(map[int]int) // position → index of the last step needing it
	for pos := range roots {
		last[pos] = forever
	}
	for i := len(p.steps) - 1; i >= 0; i-- {
		s := &p.steps[i]
		until := i
		if _, owns := s.op.(buffered); !owns {
			until = max(i, last[s.out])
		}
		for _, a := range s.args {
			if last[a] < until {
				last[a] = until
			}
		}
	}
	owner := make(map[int]buffered) // position → the op whose buffer holds it
	free := make(map[string][]G.Value)
	for i := range p.steps {
		s := &p.steps[i]
		if b, owns := s.op.(buffered); owns {
			if key, ok := bufferKey(b.buffer()); ok && len(free[key]) > 0 {
				pool := free[key]
				b.setBuffer(pool[len(pool)-1])
				free[key] = pool[:len(pool)-1]
			}
			owner[s.out] = b
		}
		for _, a := range s.args {
			b, owned := owner[a]
			if !owned || last[a] != i {
				continue
			}
			if key, ok := bufferKey(b.buffer()); ok {
				free[key] = append(free[key], b.buffer())
			}
			delete(owner, a)
		}
	}
}

// bufferKey identifies the buffers that can stand in for each other: dense
// tensors of one dtype and shape.
func bufferKey(v G.Value) (string, bool) {
	d, ok := v.(*tensor.Dense)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%v%v", d.Dtype(), d.Shape()), true
}

package machine

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// program evaluates a graph's nodes in Gorgonia's topological order, on the
// calling goroutine: each node's op is called with the values of its
// children, as Gorgonia's tape machine does, without the tape machine's
// registers, logging and per-instruction lookups.
//
// Nodes that do not depend on any input are evaluated once, when the program
// is compiled (constant folding): the seeds of backpropagation (1/n,
// Repeat(1/n) into the shape of the residual, …) and the sizes of tensors
// whose shapes are known. Every other node is a step, run every time.
type program struct {
	values []G.Value // the value of every node, by position in the order
	index  map[*G.Node]int
	steps  []step
	// kept marks the positions whose value after a run is their node's:
	// the roots, the inputs and what was folded at compile time. Any other
	// position's buffer may have been passed on to later steps, or its
	// step fused into another or dropped (fuse.go).
	kept map[int]bool
}

// operation is what a step runs: a Gorgonia op, or an op of this package
// that does the work of several (see fuse.go).
type operation interface {
	Do(...G.Value) (G.Value, error)
	String() string
}

// step computes one node from the values of its children.
type step struct {
	node *G.Node
	op   operation
	args []int     // positions of the children
	in   []G.Value // the argument list, reused across runs
	out  int
}

// compile orders g, folds what does not depend on an input and rewrites the
// rest (fuse.go); roots are the nodes whose values are read after a run.
func compile(g *G.ExprGraph, roots []*G.Node) (*program, error) {
	sorted, err := G.Sort(g)
	if err != nil {
		return nil, fmt.Errorf("machine: %w", err)
	}
	// Sort puts the roots first; evaluation goes from the inputs.
	nodes := make([]*G.Node, len(sorted))
	for i, n := range sorted {
		nodes[len(sorted)-1-i] = n
	}
	p := &program{values: make([]G.Value, len(nodes)), index: make(map[*G.Node]int, len(nodes)), kept: make(map[int]bool)}
	constant := make([]bool, len(nodes))
	for i, n := range nodes {
		p.index[n] = i
		op := n.Op()
		switch {
		case op == nil: // input: its value is shared with the caller
			if p.values[i] = n.Value(); p.values[i] == nil {
				return nil, fmt.Errorf("machine: input %v has no value", n)
			}
			p.kept[i] = true
			continue
		case isConstant(n):
			p.values[i] = op.(interface{ Value() G.Value }).Value()
			constant[i], p.kept[i] = true, true
			continue
		}
		kids := children(n)
		s := step{node: n, op: op, args: make([]int, len(kids)), in: make([]G.Value, len(kids)), out: i}
		folds := true
		for j, k := range kids {
			pos, ok := p.index[k]
			if !ok {
				return nil, fmt.Errorf("machine: %v is used by %v before it is computed", k, n)
			}
			s.args[j] = pos
			folds = folds && constant[pos]
		}
		if v, ok := staticSize(n, kids); ok {
			p.values[i], constant[i], p.kept[i] = v, true, true
			continue
		}
		if folds {
			v, err := s.run(p.values)
			if err != nil {
				return nil, err
			}
			p.values[i], constant[i], p.kept[i] = v, true, true
			continue
		}
		p.steps = append(p.steps, s)
	}
	read := make(map[int]bool, len(roots))
	for _, r := range roots {
		pos, ok := p.index[r]
		if !ok {
			return nil, fmt.Errorf("machine: root %v is not in the graph", r)
		}
		read[pos] = true
		p.kept[pos] = true
	}
	p.rewrite(read)
	return p, nil
}

// run evaluates the step once on values.
func (s *step) run(values []G.Value) (G.Value, error) {
	for j, a := range s.args {
		s.in[j] = values[a]
	}
	v, err := s.op.Do(s.in...)
	if err != nil {
		return nil, fmt.Errorf("machine: %v: %w", s.node, err)
	}
	return v, nil
}

// Run evaluates every step once.
func (p *program) Run() error {
	for i := range p.steps {
		s := &p.steps[i]
		v, err := s.run(p.values)
		if err != nil {
			return err
		}
		p.values[s.out] = v
	}
	return nil
}

// value returns the value of n after the last Run. It is an error to ask
// for a node that is not in the program, or whose value is not kept: a
// position that is not a root may hold another value by the end of a run.
func (p *program) value(n *G.Node) (G.Value, error) {
	i, ok := p.index[n]
	switch {
	case !ok:
		return nil, fmt.Errorf("machine: %v is not computed by this machine", n)
	case !p.kept[i]:
		return nil, fmt.Errorf("machine: the value of %v is not kept: only the roots given to New are "+
			"(other values' buffers are reused by later ops, or fused away); pass it to New to read it", n)
	case p.values[i] == nil:
		return nil, fmt.Errorf("machine: %v has no value; was Run called?", n)
	}
	return p.values[i], nil
}

// staticSize returns the value of a SizeOf node, which depends only on the
// static shape of its child.
func staticSize(n *G.Node, kids []*G.Node) (G.Value, bool) {
	v, ok := gorgoniaStruct(n.Op(), "sizeOp")
	if !ok || len(kids) != 1 {
		return nil, false
	}
	// Gorgonia v0.9.18's sizeOp has a field axis; without it (another
	// version) the size is left to the op.
	a, ok := intField(v, "axis")
	sh := kids[0].Shape()
	axis := int(a)
	if !ok || sh.IsScalar() || axis < 0 || axis >= len(sh) {
		return nil, false
	}
	switch kids[0].Dtype() {
	case tensor.Float64:
		return G.NewF64(float64(sh[axis])), true
	case tensor.Float32:
		return G.NewF32(float32(sh[axis])), true
	}
	return nil, false
}

// String lists the steps of a run, one per line: the op, its arguments'
// positions and the shape computed.
func (p *program) String() string {
	var b strings.Builder
	for _, s := range p.steps {
		fmt.Fprintf(&b, "%3d = %v %v %v\n", s.out, s.op, s.args, s.node.Shape())
	}
	return b.String()
}

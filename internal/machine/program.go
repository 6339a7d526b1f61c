package machine

import (
	"fmt"
	"reflect"
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
	p := &program{values: make([]G.Value, len(nodes)), index: make(map[*G.Node]int, len(nodes))}
	constant := make([]bool, len(nodes))
	for i, n := range nodes {
		p.index[n] = i
		op := n.Op()
		switch {
		case op == nil: // input: its value is shared with the caller
			if p.values[i] = n.Value(); p.values[i] == nil {
				return nil, fmt.Errorf("machine: input %v has no value", n)
			}
			continue
		case isConstant(n):
			p.values[i] = op.(interface{ Value() G.Value }).Value()
			constant[i] = true
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
			p.values[i], constant[i] = v, true
			continue
		}
		if folds {
			v, err := s.run(p.values)
			if err != nil {
				return nil, err
			}
			p.values[i], constant[i] = v, true
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

// value returns the value of n after the last Run, or nil when n is not in
// the program.
func (p *program) value(n *G.Node) G.Value {
	i, ok := p.index[n]
	if !ok {
		return nil
	}
	return p.values[i]
}

// staticSize returns the value of a SizeOf node, which depends only on the
// static shape of its child.
func staticSize(n *G.Node, kids []*G.Node) (G.Value, bool) {
	v := reflect.ValueOf(n.Op())
	if v.Kind() != reflect.Struct || v.Type().Name() != "sizeOp" || v.Type().PkgPath() != "gorgonia.org/gorgonia" || len(kids) != 1 {
		return nil, false
	}
	sh := kids[0].Shape()
	axis := int(v.FieldByName("axis").Int())
	if sh.IsScalar() || axis >= len(sh) {
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

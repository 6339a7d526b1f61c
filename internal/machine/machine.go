package machine

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Machine evaluates some roots of a differentiated graph over and over: their
// subgraph copied with Reuse and Kernels, compiled into a program, run on
// the calling goroutine.
//
// The original graph is neither modified nor run. Its input nodes' values are
// shared, so writing to a parameter's backing array is seen by the next Run.
// A Machine is not safe for concurrent use; independent Machines are.
type Machine struct {
	copied *Copied
	prog   *program
}

// New compiles a Machine for roots, nodes of one graph on which every Grad has
// already been called.
func New(roots ...*G.Node) (*Machine, error) {
	c, err := Copy(roots, Options{Reuse: true, Kernels: true})
	if err != nil {
		return nil, err
	}
	copies := make([]*G.Node, len(roots))
	for i, r := range roots {
		copies[i] = c.Node(r)
	}
	p, err := compile(c.Graph, copies)
	if err != nil {
		return nil, err
	}
	return &Machine{copied: c, prog: p}, nil
}

// Run evaluates the roots once.
func (m *Machine) Run() error { return m.prog.Run() }

// Value returns the value the last Run computed for root, one of the nodes
// New was given (or an input or constant they depend on). It is the
// machine's own buffer, overwritten by the next Run. Any other node is an
// error, not a value: its buffer may be shared with values computed after
// it, or its op fused into another.
func (m *Machine) Value(root *G.Node) (G.Value, error) {
	n := m.copied.Node(root)
	if n == nil {
		return nil, fmt.Errorf("machine: %v is not a root of this machine", root)
	}
	return m.prog.value(n)
}

// Scalar returns the float64 value of a scalar root.
func (m *Machine) Scalar(root *G.Node) (float64, error) {
	v, err := m.Value(root)
	if err != nil {
		return 0, err
	}
	switch s := v.(type) {
	case *G.F64:
		return float64(*s), nil
	case *G.F32:
		return float64(*s), nil
	}
	return 0, fmt.Errorf("machine: %v is %T, not a scalar", root, v)
}

// Dense returns the tensor value of a root.
func (m *Machine) Dense(root *G.Node) (*tensor.Dense, error) {
	v, err := m.Value(root)
	if err != nil {
		return nil, err
	}
	d, ok := v.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("machine: %v is %T, not a tensor", root, v)
	}
	return d, nil
}

// Close releases the machine; it holds nothing that needs it today.
func (m *Machine) Close() error { return nil }

// String lists what a Run computes, one op per line, for reading what a
// graph costs.
func (m *Machine) String() string { return m.prog.String() }

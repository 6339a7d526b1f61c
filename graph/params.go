package graph

import (
	"math"

	"gorgonia.org/tensor"
)

// Params holds the values of an architecture's parameters, one float64 matrix
// each, in the order of Architecture.Params. Training updates the backing
// arrays in place, so every graph bound to a Params sees the new values.
type Params []*tensor.Dense

// NewMatrix returns a rows×cols float64 matrix backed by data, or by zeros
// when data is nil.
func NewMatrix(rows, cols int, data []float64) *tensor.Dense {
	if data == nil {
		data = make([]float64, rows*cols)
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(data))
}

// ZeroParams returns parameters of the shapes specs gives, all zero.
func ZeroParams(specs []ParamSpec) Params {
	p := make(Params, len(specs))
	for i, s := range specs {
		p[i] = NewMatrix(s.Rows, s.Cols, nil)
	}
	return p
}

// Data returns the backing array of parameter i.
func (p Params) Data(i int) []float64 { return p[i].Data().([]float64) }

// Len is the total number of entries.
func (p Params) Len() int {
	n := 0
	for _, t := range p {
		n += t.Shape().TotalSize()
	}
	return n
}

// Clone returns a deep copy.
func (p Params) Clone() Params {
	q := make(Params, len(p))
	for i := range p {
		q[i] = NewMatrix(p[i].Shape()[0], p[i].Shape()[1], append([]float64(nil), p.Data(i)...))
	}
	return q
}

// CopyFrom overwrites p's values with q's; both must have the same shapes.
func (p Params) CopyFrom(q Params) {
	for i := range p {
		copy(p.Data(i), q.Data(i))
	}
}

// Flat returns all entries in one new slice, parameter after parameter,
// each row-major.
func (p Params) Flat() []float64 {
	out := make([]float64, 0, p.Len())
	for i := range p {
		out = append(out, p.Data(i)...)
	}
	return out
}

// SetFlat overwrites p's values from a slice laid out as Flat returns it.
func (p Params) SetFlat(v []float64) {
	off := 0
	for i := range p {
		off += copy(p.Data(i), v[off:])
	}
}

// Distance returns the Euclidean distance between p and q.
func (p Params) Distance(q Params) float64 {
	var s float64
	for i := range p {
		a, b := p.Data(i), q.Data(i)
		for j := range a {
			d := a[j] - b[j]
			s += d * d
		}
	}
	return math.Sqrt(s)
}

// IsFinite reports whether every entry is finite.
func (p Params) IsFinite() bool {
	for i := range p {
		for _, v := range p.Data(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}

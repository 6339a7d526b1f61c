package graph

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Params holds the values of an architecture's parameters, one matrix each,
// in the order of Architecture.Params. Architectures initialize them in
// float64; As converts them to float32 for training in single precision.
// Training updates the backing arrays in place, so every graph bound to a
// Params sees the new values.
type Params []*tensor.Dense

// NewMatrix returns a rows×cols float64 matrix backed by data, or by zeros
// when data is nil.
func NewMatrix(rows, cols int, data []float64) *tensor.Dense {
	if data == nil {
		data = make([]float64, rows*cols)
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(data))
}

// NewMatrixOf returns a rows×cols matrix of dtype (Float64 or Float32) with
// the values of data, or zeros when data is nil. A float64 matrix shares
// data; a float32 one holds rounded copies.
func NewMatrixOf(dtype tensor.Dtype, rows, cols int, data []float64) *tensor.Dense {
	if dtype != tensor.Float32 {
		return NewMatrix(rows, cols, data)
	}
	v := make([]float32, rows*cols)
	for i := range data {
		v[i] = float32(data[i])
	}
	return tensor.New(tensor.WithShape(rows, cols), tensor.WithBacking(v))
}

// CheckDtype reports whether the project computes in dtype.
func CheckDtype(dtype tensor.Dtype) error {
	if dtype != tensor.Float64 && dtype != tensor.Float32 {
		return fmt.Errorf("graph: unsupported dtype %v (want float64 or float32)", dtype)
	}
	return nil
}

// Constant returns a scalar constant of the dtype of like, for building terms
// that work in float64 and float32 graphs alike.
func Constant(like *G.Node, v float64, name string) *G.Node {
	if like.Dtype() == tensor.Float32 {
		return G.NewConstant(float32(v), G.WithName(name+"f32"))
	}
	return G.NewConstant(v, G.WithName(name))
}

// ZeroParams returns float64 parameters of the shapes specs gives, all zero.
func ZeroParams(specs []ParamSpec) Params {
	p := make(Params, len(specs))
	for i, s := range specs {
		p[i] = NewMatrix(s.Rows, s.Cols, nil)
	}
	return p
}

// Dtype is the element type of the parameters.
func (p Params) Dtype() tensor.Dtype {
	if len(p) == 0 {
		return tensor.Float64
	}
	return p[0].Dtype()
}

// Data returns the backing array of parameter i, which must be float64.
func (p Params) Data(i int) []float64 { return p[i].Float64s() }

// Values returns the entries of parameter i as float64: the backing array for
// float64 parameters, a converted copy for float32 ones.
func (p Params) Values(i int) []float64 {
	if p[i].Dtype() == tensor.Float32 {
		f := p[i].Float32s()
		out := make([]float64, len(f))
		for j, v := range f {
			out[j] = float64(v)
		}
		return out
	}
	return p[i].Float64s()
}

// Len is the total number of entries.
func (p Params) Len() int {
	n := 0
	for _, t := range p {
		n += t.Shape().TotalSize()
	}
	return n
}

// As returns a copy of p in dtype (Float64 or Float32).
func (p Params) As(dtype tensor.Dtype) Params {
	q := make(Params, len(p))
	for i := range p {
		q[i] = NewMatrixOf(dtype, p[i].Shape()[0], p[i].Shape()[1], append([]float64(nil), p.Values(i)...))
	}
	return q
}

// Clone returns a deep copy, of the same dtype.
func (p Params) Clone() Params { return p.As(p.Dtype()) }

// CopyFrom overwrites p's values with q's; both must have the same shapes.
func (p Params) CopyFrom(q Params) {
	for i := range p {
		setValues(p[i], q.Values(i))
	}
}

// Flat returns all entries as float64 in one new slice, parameter after
// parameter, each row-major.
func (p Params) Flat() []float64 {
	out := make([]float64, 0, p.Len())
	for i := range p {
		out = append(out, p.Values(i)...)
	}
	return out
}

// SetFlat overwrites p's values from a slice laid out as Flat returns it.
func (p Params) SetFlat(v []float64) {
	off := 0
	for i := range p {
		n := p[i].Shape().TotalSize()
		setValues(p[i], v[off:off+n])
		off += n
	}
}

// setValues writes v into t's backing array, rounding for float32.
func setValues(t *tensor.Dense, v []float64) {
	if t.Dtype() == tensor.Float32 {
		f := t.Float32s()
		for j := range f {
			f[j] = float32(v[j])
		}
		return
	}
	copy(t.Float64s(), v)
}

// Distance returns the Euclidean distance between p and q.
func (p Params) Distance(q Params) float64 {
	var s float64
	for i := range p {
		a, b := p.Values(i), q.Values(i)
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
		for _, v := range p.Values(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}

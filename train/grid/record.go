package grid

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/igr-project/igr/train"
)

// The fields of a journal's cell record are listed once, in result, point
// and term below, and the same lines encode, decode and describe them: a
// field added to train.Result or train.Point is one line there. The
// description is the record's schema, kept in the journal's header, so that
// a journal written with other fields is refused rather than misread.

// coder encodes, decodes or describes the fields of a record, in the order
// they are visited.
type coder struct {
	mode   coderMode
	buf    []byte // encode: appended to; decode: read from the front
	schema strings.Builder
	err    error
}

type coderMode int

const (
	encoding coderMode = iota
	decoding
	describing
)

// errShort is the decoding error of a record that ends too early or holds a
// count larger than its bytes.
var errShort = errors.New("record ends early")

// result visits the fields of r that a journal keeps: all but Params.
func (c *coder) result(r *train.Result) {
	c.string("status", (*string)(&r.Status))
	c.float("learning_rate", &r.LearningRate)
	c.int("steps", &r.Steps)
	c.measurements(&r.TrainMSE, &r.TestMSE, &r.GradNormSq, &r.Terms)
	list(c, "history", &r.History, c.point)
	c.duration("runtime", &r.Runtime)
	c.float("sharpness_init", &r.SharpnessInit)
	c.float("sharpness_final", &r.SharpnessFinal)
}

func (c *coder) point(p *train.Point) {
	c.int("step", &p.Step)
	c.float("loss", &p.Loss)
	c.measurements(&p.TrainMSE, &p.TestMSE, &p.GradNormSq, &p.Terms)
	c.float("sharpness", &p.Sharpness)
}

// measurements visits what a result and a history point both record: the
// training and test MSE, ‖∇L‖² and the terms.
func (c *coder) measurements(trainMSE, testMSE, gradNormSq *float64, terms *[]train.Term) {
	c.float("train_mse", trainMSE)
	c.float("test_mse", testMSE)
	c.float("grad_norm_sq", gradNormSq)
	list(c, "terms", terms, c.term)
}

func (c *coder) term(t *train.Term) {
	c.string("name", &t.Name)
	c.float("value", &t.Value)
}

// schemaOf returns the description of the fields a record holds.
func schemaOf() string {
	c := &coder{mode: describing}
	c.result(new(train.Result))
	return c.schema.String()
}

// float carries the IEEE 754 bits of *v, little-endian: every value comes
// back bit for bit, NaN payloads and signed zeros included.
func (c *coder) float(name string, v *float64) {
	switch c.mode {
	case encoding:
		c.buf = binary.LittleEndian.AppendUint64(c.buf, math.Float64bits(*v))
	case decoding:
		if c.err == nil && len(c.buf) < 8 {
			c.err = errShort
		}
		if c.err != nil {
			return
		}
		*v = math.Float64frombits(binary.LittleEndian.Uint64(c.buf))
		c.buf = c.buf[8:]
	case describing:
		c.describe(name, "f64")
	}
}

func (c *coder) int(name string, v *int) {
	x := int64(*v)
	c.varint(name, &x)
	*v = int(x)
}

func (c *coder) duration(name string, v *time.Duration) {
	x := int64(*v)
	c.varint(name, &x)
	*v = time.Duration(x)
}

func (c *coder) varint(name string, v *int64) {
	switch c.mode {
	case encoding:
		c.buf = binary.AppendVarint(c.buf, *v)
	case decoding:
		if c.err != nil {
			return
		}
		x, n := binary.Varint(c.buf)
		if n <= 0 {
			c.err = errShort
			return
		}
		*v, c.buf = x, c.buf[n:]
	case describing:
		c.describe(name, "int")
	}
}

// count carries a length, or -1 for a nil slice, as n+1.
func (c *coder) count(n *int) {
	switch c.mode {
	case encoding:
		c.buf = binary.AppendUvarint(c.buf, uint64(*n+1))
	case decoding:
		if c.err != nil {
			return
		}
		x, k := binary.Uvarint(c.buf)
		// Every element takes at least one byte: a larger count is a
		// broken record, not an allocation to make.
		if k <= 0 || x > uint64(len(c.buf)-k)+1 {
			c.err = errShort
			return
		}
		*n, c.buf = int(x)-1, c.buf[k:]
	}
}

func (c *coder) string(name string, s *string) {
	switch c.mode {
	case encoding:
		n := len(*s)
		c.count(&n)
		c.buf = append(c.buf, *s...)
	case decoding:
		var n int
		c.count(&n)
		if c.err != nil {
			return
		}
		if n < 0 || n > len(c.buf) {
			c.err = errShort
			return
		}
		*s, c.buf = string(c.buf[:n]), c.buf[n:]
	case describing:
		c.describe(name, "str")
	}
}

// list carries a slice, nil and empty apart, each element by each.
func list[T any](c *coder, name string, s *[]T, each func(*T)) {
	switch c.mode {
	case encoding:
		n := len(*s)
		if *s == nil {
			n = -1
		}
		c.count(&n)
		for i := range *s {
			each(&(*s)[i])
		}
	case decoding:
		n := -1
		c.count(&n)
		if c.err != nil || n < 0 {
			*s = nil
			return
		}
		*s = make([]T, n)
		for i := range *s {
			each(&(*s)[i])
		}
	case describing:
		c.describe(name, "[")
		each(new(T))
		c.schema.WriteString("]")
	}
}

func (c *coder) describe(name, kind string) {
	if c.schema.Len() > 0 && !strings.HasSuffix(c.schema.String(), "[") {
		c.schema.WriteString(" ")
	}
	c.schema.WriteString(name + ":" + kind)
}

// encodeResult appends the record of r (without Params) to buf.
func encodeResult(buf []byte, r *train.Result) []byte {
	c := &coder{mode: encoding, buf: buf}
	c.result(r)
	return c.buf
}

// decodeResult decodes a record that encodeResult wrote, and nothing more.
func decodeResult(b []byte) (*train.Result, error) {
	r := new(train.Result)
	c := &coder{mode: decoding, buf: b}
	c.result(r)
	switch {
	case c.err != nil:
		return nil, c.err
	case len(c.buf) > 0:
		return nil, errors.New("record has bytes after its fields")
	}
	return r, nil
}

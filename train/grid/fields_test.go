package grid_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/grid"
)

// fill sets every exported field of the struct v points to, recursively, to
// random values that are never zero: a field a record leaves out comes back
// different. Floats include NaN (with payloads), ±Inf, −0 and subnormals.
// A field of a kind it does not know fails the test, so that a new kind of
// field is noticed here too.
func fill(t *testing.T, rng *rand.Rand, v reflect.Value, skip string) {
	t.Helper()
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.IsExported() && f.Name != skip {
				fill(t, rng, v.Field(i), skip)
			}
		}
	case reflect.Float64:
		specials := []float64{math.NaN(), math.Float64frombits(0x7ff0_0000_0000_0001 + rng.Uint64N(1<<51)),
			math.Float64frombits(0xfff8_0000_0000_0000 | rng.Uint64N(1<<51)), math.Inf(1), math.Inf(-1),
			math.Copysign(0, -1), math.SmallestNonzeroFloat64, math.MaxFloat64}
		if rng.IntN(2) == 0 {
			v.SetFloat(specials[rng.IntN(len(specials))])
		} else {
			v.SetFloat(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20)))
		}
	case reflect.Int, reflect.Int64:
		x := rng.Int64() >> rng.IntN(63)
		if rng.IntN(2) == 0 {
			x = -x
		}
		if x == 0 {
			x = 1
		}
		v.SetInt(x)
	case reflect.String:
		const letters = "abcdefghijklmnopqrstuvwxyz_,é\x00\n"
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			b.WriteByte(letters[rng.IntN(len(letters))])
		}
		v.SetString(b.String())
	case reflect.Slice:
		n := 1 + rng.IntN(3)
		s := reflect.MakeSlice(v.Type(), n, n)
		for i := range n {
			fill(t, rng, s.Index(i), skip)
		}
		v.Set(s)
	default:
		t.Fatalf("fill: a field of kind %s (%s): teach the journal's record and this test about it", v.Kind(), v.Type())
	}
}

// bitsOf writes v, every exported field by name, floats as their IEEE 754
// bits, leaving out the fields named in skip: two values with the same bits
// are the same bytes on any table built from them.
func bitsOf(t *testing.T, v reflect.Value, skip ...string) string {
	t.Helper()
	var b strings.Builder
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			walk(v.Elem())
		case reflect.Struct:
			b.WriteString("{")
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if !f.IsExported() || contains(skip, f.Name) {
					continue
				}
				b.WriteString(f.Name + ":")
				walk(v.Field(i))
				b.WriteString(" ")
			}
			b.WriteString("}")
		case reflect.Float64:
			fmt.Fprintf(&b, "%016x", math.Float64bits(v.Float()))
		case reflect.Int, reflect.Int64:
			fmt.Fprintf(&b, "%d", v.Int())
		case reflect.String:
			fmt.Fprintf(&b, "%q", v.String())
		case reflect.Slice:
			if v.IsNil() {
				b.WriteString("nil")
				return
			}
			b.WriteString("[")
			for i := range v.Len() {
				walk(v.Index(i))
				b.WriteString(",")
			}
			b.WriteString("]")
		default:
			t.Fatalf("bitsOf: a field of kind %s (%s)", v.Kind(), v.Type())
		}
	}
	walk(v)
	return b.String()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// outcomeBits is the bits of outcomes but for Params (which a journal does
// not keep), Job (the plan's, which trained or would have trained the cell)
// and Runtime (which no two runs share).
func outcomeBits(t *testing.T, out []grid.Outcome) string {
	t.Helper()
	var b strings.Builder
	for _, o := range out {
		b.WriteString(bitsOf(t, reflect.ValueOf(o), "Params", "Job", "Runtime"))
		b.WriteString("\n")
	}
	return b.String()
}

// randomResult returns a result with every field but Params set at random.
func randomResult(t *testing.T, rng *rand.Rand) *train.Result {
	r := new(train.Result)
	fill(t, rng, reflect.ValueOf(r).Elem(), "Params")
	r.Status = []train.Status{train.Converged, train.Diverged, train.MaxSteps, train.Completed}[rng.IntN(4)]
	return r
}

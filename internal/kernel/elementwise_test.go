package kernel_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/igr-project/igr/internal/kernel"
)

// reference is the elementwise operation in plain Go.
func reference(op kernel.Arith, x, y float64) float64 {
	switch op {
	case kernel.Add:
		return x + y
	case kernel.Sub:
		return x - y
	case kernel.Mul:
		return x * y
	}
	return x / y
}

func reference32(op kernel.Arith, x, y float32) float32 {
	switch op {
	case kernel.Add:
		return x + y
	case kernel.Sub:
		return x - y
	case kernel.Mul:
		return x * y
	}
	return x / y
}

// values returns n random operands with zeros of both signs and infinities
// among them.
func values(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		switch r.IntN(12) {
		case 0:
			v[i] = 0
		case 1:
			v[i] = math.Copysign(0, -1)
		case 2:
			v[i] = math.Inf(1 - 2*r.IntN(2))
		default:
			v[i] = r.NormFloat64() * math.Exp(4*r.NormFloat64())
		}
	}
	return v
}

func same(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}

// TestElementwiseBitwise checks every kernel's elementwise arithmetic against
// Go's operators, bit for bit, at every length up to past the unrolled block
// (so every tail is taken), with the destination longer than needed to catch
// writes past its end.
func TestElementwiseBitwise(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, name := range kernel.Available() {
		k, _ := kernel.Lookup(name)
		for op := kernel.Add; op <= kernel.Div; op++ {
			for n := 0; n <= 70; n++ {
				x, y, s := values(r, n), values(r, n), values(r, 1)[0]
				for form := 0; form < 3; form++ {
					dst := make([]float64, n+3)
					dst[n], dst[n+1], dst[n+2] = 7, 7, 7
					x32, y32 := to32(x), to32(y)
					d32 := make([]float32, n+3)
					d32[n], d32[n+1], d32[n+2] = 7, 7, 7
					switch form {
					case 0:
						k.Elementwise64(op, dst[:n], x, y)
						k.Elementwise32(op, d32[:n], x32, y32)
					default:
						k.ElementwiseScalar64(op, dst[:n], x, s, form == 2)
						k.ElementwiseScalar32(op, d32[:n], x32, float32(s), form == 2)
					}
					for i := 0; i < n; i++ {
						a, b := x[i], y[i]
						a32, b32 := x32[i], y32[i]
						switch form {
						case 1:
							b, b32 = s, float32(s)
						case 2:
							a, b, a32, b32 = s, x[i], float32(s), x32[i]
						}
						if want := reference(op, a, b); !same(dst[i], want) {
							t.Fatalf("%s %v form %d n %d: [%d] %v ∘ %v = %v, Go %v", name, op, form, n, i, a, b, dst[i], want)
						}
						if want := reference32(op, a32, b32); !same(float64(d32[i]), float64(want)) {
							t.Fatalf("%s float32 %v form %d n %d: [%d] %v ∘ %v = %v, Go %v", name, op, form, n, i, a32, b32, d32[i], want)
						}
					}
					if dst[n] != 7 || dst[n+1] != 7 || dst[n+2] != 7 || d32[n] != 7 || d32[n+1] != 7 || d32[n+2] != 7 {
						t.Fatalf("%s %v form %d n %d: wrote past the end", name, op, form, n)
					}
				}
			}
		}
	}
}

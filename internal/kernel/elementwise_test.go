package kernel_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/igr-project/igr/internal/kernel"
)

// reference is the elementwise operation in plain Go.
func reference[T float32 | float64](op kernel.Arith, x, y T) T {
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
			alpha := []float64{1, 2, -0.75}[int(op)%3]
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
						k.Elementwise64(op, alpha, dst[:n], x, y)
						k.Elementwise32(op, float32(alpha), d32[:n], x32, y32)
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
						want, want32 := reference(op, a, b), reference(op, a32, b32)
						if form == 0 {
							want, want32 = want*alpha, want32*float32(alpha)
						}
						if !same(dst[i], want) {
							t.Fatalf("%s %v form %d n %d: [%d] %v ∘ %v = %v, Go %v", name, op, form, n, i, a, b, dst[i], want)
						}
						if !same(float64(d32[i]), float64(want32)) {
							t.Fatalf("%s float32 %v form %d n %d: [%d] %v ∘ %v = %v, Go %v", name, op, form, n, i, a32, b32, d32[i], want32)
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

// TestOuterHadamardBitwise checks alpha·(a ⊙ (u1·v1ᵀ [+ u2·v2ᵀ])) against
// the outer products, their sum and the elementwise product computed one
// after the other, bit for bit.
func TestOuterHadamardBitwise(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for _, name := range kernel.Available() {
		k, _ := kernel.Lookup(name)
		for _, s := range [][2]int{{1, 1}, {3, 1}, {1, 9}, {200, 100}, {7, 13}, {5, 31}} {
			m, n := s[0], s[1]
			for _, alpha := range []float64{1, 2} {
				for _, terms := range []int{1, 2} {
					a, u1, v1, u2, v2 := values(r, m*n), values(r, m), values(r, n), values(r, m), values(r, n)
					a32, u132, v132, u232, v232 := to32(a), to32(u1), to32(v1), to32(u2), to32(v2)
					if terms == 1 {
						u2, v2, u232, v232 = nil, nil, nil, nil
					}
					got := make([]float64, m*n+1)
					got[m*n] = 7
					k.OuterHadamard64(alpha, m, n, got[:m*n], a, u1, v1, u2, v2)
					got32 := make([]float32, m*n)
					k.OuterHadamard32(float32(alpha), m, n, got32, a32, u132, v132, u232, v232)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							// Each product rounded: the conversions keep the
							// compiler from fusing it with the sum (arm64,
							// GOAMD64=v3), in this reference as in the kernels.
							outer, outer32 := float64(u1[i]*v1[j]), float32(u132[i]*v132[j])
							if terms == 2 {
								o2, o232 := float64(u2[i]*v2[j]), float32(u232[i]*v232[j])
								outer, outer32 = outer+o2, outer32+o232
							}
							want, want32 := a[i*n+j]*outer, a32[i*n+j]*outer32
							if alpha == 2 {
								want, want32 = want+want, want32+want32
							}
							if !same(got[i*n+j], want) || !same(float64(got32[i*n+j]), float64(want32)) {
								t.Fatalf("%s %dx%d alpha %g terms %d: [%d][%d] = %v (float32 %v), want %v (%v)", name, m, n, alpha, terms, i, j, got[i*n+j], got32[i*n+j], want, want32)
							}
						}
					}
					if got[m*n] != 7 {
						t.Fatalf("%s %dx%d: wrote past the end", name, m, n)
					}
				}
			}
		}
	}
}

// TestSum3Bitwise checks (x + y) + z against Go's additions, bit for bit.
func TestSum3Bitwise(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, name := range kernel.Available() {
		k, _ := kernel.Lookup(name)
		for n := 0; n <= 21; n++ {
			x, y, z := values(r, n), values(r, n), values(r, n)
			got := make([]float64, n+1)
			got[n] = 7
			k.Sum3_64(got[:n], x, y, z)
			got32 := make([]float32, n)
			k.Sum3_32(got32, to32(x), to32(y), to32(z))
			for i := 0; i < n; i++ {
				want, want32 := (x[i]+y[i])+z[i], (float32(x[i])+float32(y[i]))+float32(z[i])
				if !same(got[i], want) || !same(float64(got32[i]), float64(want32)) {
					t.Fatalf("%s n %d: [%d] = %v (%v), want %v (%v)", name, n, i, got[i], got32[i], want, want32)
				}
			}
			if got[n] != 7 {
				t.Fatalf("%s n %d: wrote past the end", name, n)
			}
		}
	}
}

// TestDescendBitwise checks the gradient step w − lr·g against Go's, with
// the product rounded before the difference, bit for bit.
func TestDescendBitwise(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for _, name := range kernel.Available() {
		k, _ := kernel.Lookup(name)
		for n := 0; n <= 41; n++ {
			w, g, lr := values(r, n+1), values(r, n), 0.03
			w[n] = 7
			w32, g32, lr32 := to32(w), to32(g), float32(lr)
			want, want32 := make([]float64, n), make([]float32, n)
			for i := range want {
				want[i] = w[i] - float64(lr*g[i])
				want32[i] = w32[i] - float32(lr32*g32[i])
			}
			k.Descend64(w[:n], g, lr)
			k.Descend32(w32[:n], g32, lr32)
			for i := 0; i < n; i++ {
				if !same(w[i], want[i]) || !same(float64(w32[i]), float64(want32[i])) {
					t.Fatalf("%s n %d: w[%d] = %v (float32 %v), want %v (%v)", name, n, i, w[i], w32[i], want[i], want32[i])
				}
			}
			if w[n] != 7 || w32[n] != 7 {
				t.Fatalf("%s n %d: wrote past the end", name, n)
			}
		}
	}
}

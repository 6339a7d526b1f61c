package kernel

import "fmt"

// Arith is an elementwise arithmetic operation.
type Arith int

// The elementwise operations.
const (
	Add Arith = iota
	Sub
	Mul
	Div
)

// String returns the operation's symbol.
func (a Arith) String() string {
	if a < Add || a > Div {
		return fmt.Sprintf("Arith(%d)", int(a))
	}
	return [...]string{"+", "-", "×", "÷"}[a]
}

// streams holds one implementation, for one precision, of the kernels that
// stream through memory: dst[i] = (x[i] ∘ y[i])·alpha (vv), x[i] ∘ s (vs)
// and s ∘ x[i] (sv), indexed by Arith; a row of an elementwise product with
// one outer product or the sum of two; the sum of three; the gradient step.
// Every element is a fixed sequence of correctly rounded operations, each
// rounded on its own (no fused multiply-add), so all implementations agree
// bit for bit.
type streams[T float] struct {
	vv      [4]func(dst, x, y []T, alpha T)
	vs, sv  [4]func(dst, x []T, s T)
	outer   func(dst, a, v []T, u, alpha T)
	outer2  func(dst, a, v1, v2 []T, u1, u2, alpha T)
	sum3    func(dst, x, y, z []T)
	descend func(dst, w, g []T, lr T)
}

// elementwise is an implementation of the streaming kernels in both
// precisions.
type elementwise struct {
	f64 streams[float64]
	f32 streams[float32]
}

func (s *streams[T]) apply(entry string, op Arith, alpha T, dst, x, y []T) {
	checkArith(entry, op)
	checkLength(entry, "x", len(x), len(dst))
	checkLength(entry, "y", len(y), len(dst))
	s.vv[op](dst, x, y, alpha)
}

func (s *streams[T]) applyScalar(entry string, op Arith, dst, x []T, c T, scalarFirst bool) {
	checkArith(entry, op)
	checkLength(entry, "x", len(x), len(dst))
	if scalarFirst {
		s.sv[op](dst, x, c)
	} else {
		s.vs[op](dst, x, c)
	}
}

func (s *streams[T]) outerHadamard(entry string, alpha T, m, n int, dst, a, u1, v1, u2, v2 []T) {
	switch {
	case m < 0:
		panic(fmt.Sprintf("kernel: %s: m < 0 (m = %d)", entry, m))
	case n < 0:
		panic(fmt.Sprintf("kernel: %s: n < 0 (n = %d)", entry, n))
	case (u2 == nil) != (v2 == nil):
		panic(fmt.Sprintf("kernel: %s: u2 and v2 must both be nil or both be given (lengths %d and %d)", entry, len(u2), len(v2)))
	}
	checkLength(entry, "dst", len(dst), m*n)
	checkLength(entry, "a", len(a), m*n)
	checkLength(entry, "u1", len(u1), m)
	checkLength(entry, "v1", len(v1), n)
	if u2 != nil {
		checkLength(entry, "u2", len(u2), m)
		checkLength(entry, "v2", len(v2), n)
	}
	for i := 0; i < m; i++ {
		row, ai := dst[i*n:i*n+n], a[i*n:i*n+n]
		if u2 == nil {
			s.outer(row, ai, v1[:n], u1[i], alpha)
		} else {
			s.outer2(row, ai, v1[:n], v2[:n], u1[i], u2[i], alpha)
		}
	}
}

func (s *streams[T]) sum(entry string, dst, x, y, z []T) {
	checkLength(entry, "x", len(x), len(dst))
	checkLength(entry, "y", len(y), len(dst))
	checkLength(entry, "z", len(z), len(dst))
	s.sum3(dst, x, y, z)
}

func (s *streams[T]) step(entry string, w, g []T, lr T) {
	checkLength(entry, "g", len(g), len(w))
	s.descend(w, w, g, lr)
}

// checkArith panics unless op is one of Add, Sub, Mul and Div.
func checkArith(entry string, op Arith) {
	if op < Add || op > Div {
		panic(fmt.Sprintf("kernel: %s: unknown operation %v", entry, op))
	}
}

// Elementwise64 sets dst[i] = (x[i] ∘ y[i])·alpha for every i < len(dst).
// With alpha = 1 that is x[i] ∘ y[i] exactly; with alpha = 2 it is
// (x[i] ∘ y[i]) + (x[i] ∘ y[i]) exactly.
func (k *Kernel) Elementwise64(op Arith, alpha float64, dst, x, y []float64) {
	k.elementwise.f64.apply("Elementwise64", op, alpha, dst, x, y)
}

// Elementwise32 is Elementwise64 for float32.
func (k *Kernel) Elementwise32(op Arith, alpha float32, dst, x, y []float32) {
	k.elementwise.f32.apply("Elementwise32", op, alpha, dst, x, y)
}

// ElementwiseScalar64 sets dst[i] = x[i] ∘ s, or s ∘ x[i] when scalarFirst,
// for every i < len(dst).
func (k *Kernel) ElementwiseScalar64(op Arith, dst, x []float64, s float64, scalarFirst bool) {
	k.elementwise.f64.applyScalar("ElementwiseScalar64", op, dst, x, s, scalarFirst)
}

// ElementwiseScalar32 is ElementwiseScalar64 for float32.
func (k *Kernel) ElementwiseScalar32(op Arith, dst, x []float32, s float32, scalarFirst bool) {
	k.elementwise.f32.applyScalar("ElementwiseScalar32", op, dst, x, s, scalarFirst)
}

// OuterHadamard64 sets the m×n matrix dst to alpha·(a ⊙ u1·v1ᵀ), or with u2
// and v2 not nil to alpha·(a ⊙ (u1·v1ᵀ + u2·v2ᵀ)): dst[i][j] =
// (a[i][j]·((u1[i]·v1[j]) + (u2[i]·v2[j])))·alpha, rows stored contiguously.
// That is the outer products (each rounded), their sum and the elementwise
// product computed one after the other, bit for bit, without the outer
// products in memory.
func (k *Kernel) OuterHadamard64(alpha float64, m, n int, dst, a, u1, v1, u2, v2 []float64) {
	k.elementwise.f64.outerHadamard("OuterHadamard64", alpha, m, n, dst, a, u1, v1, u2, v2)
}

// OuterHadamard32 is OuterHadamard64 for float32.
func (k *Kernel) OuterHadamard32(alpha float32, m, n int, dst, a, u1, v1, u2, v2 []float32) {
	k.elementwise.f32.outerHadamard("OuterHadamard32", alpha, m, n, dst, a, u1, v1, u2, v2)
}

// Sum3_64 sets dst[i] = (x[i] + y[i]) + z[i] for every i < len(dst).
func (k *Kernel) Sum3_64(dst, x, y, z []float64) { k.elementwise.f64.sum("Sum3_64", dst, x, y, z) }

// Sum3_32 is Sum3_64 for float32.
func (k *Kernel) Sum3_32(dst, x, y, z []float32) { k.elementwise.f32.sum("Sum3_32", dst, x, y, z) }

// Descend64 takes a gradient step in place: w[i] = w[i] − lr·g[i], the
// product and the difference each rounded, as Go's w[i] -= float64(lr*g[i]).
func (k *Kernel) Descend64(w, g []float64, lr float64) { k.elementwise.f64.step("Descend64", w, g, lr) }

// Descend32 is Descend64 for float32.
func (k *Kernel) Descend32(w, g []float32, lr float32) { k.elementwise.f32.step("Descend32", w, g, lr) }

// fastestElementwise is the fastest implementation for this CPU, which
// kernels registered through New use.
var fastestElementwise = &goElementwise

// goElementwise is the portable implementation: Go loops.
var goElementwise = elementwise{f64: goStreams[float64](), f32: goStreams[float32]()}

func goStreams[T float]() streams[T] {
	return streams[T]{
		vv:      [4]func(dst, x, y []T, alpha T){addVV[T], subVV[T], mulVV[T], divVV[T]},
		vs:      [4]func(dst, x []T, s T){addVS[T], subVS[T], mulVS[T], divVS[T]},
		sv:      [4]func(dst, x []T, s T){addVS[T], subSV[T], mulVS[T], divSV[T]},
		outer:   outerHadamardRow[T],
		outer2:  outerHadamard2Row[T],
		sum3:    sum3[T],
		descend: descend[T],
	}
}

func descend[T float](dst, w, g []T, lr T) {
	w, g = w[:len(dst)], g[:len(dst)]
	for i := range dst {
		dst[i] = w[i] - T(lr*g[i]) // the conversion rounds the product: no fused multiply-subtract
	}
}

func outerHadamardRow[T float](dst, a, v []T, u, alpha T) {
	a, v = a[:len(dst)], v[:len(dst)]
	for j := range dst {
		dst[j] = (a[j] * (u * v[j])) * alpha
	}
}

func outerHadamard2Row[T float](dst, a, v1, v2 []T, u1, u2, alpha T) {
	a, v1, v2 = a[:len(dst)], v1[:len(dst)], v2[:len(dst)]
	for j := range dst {
		// The conversions round each product, so that no CPU fuses a product
		// and the sum into one multiply-add (arm64 and GOAMD64=v3 would).
		dst[j] = (a[j] * (T(u1*v1[j]) + T(u2*v2[j]))) * alpha
	}
}

func sum3[T float](dst, x, y, z []T) {
	x, y, z = x[:len(dst)], y[:len(dst)], z[:len(dst)]
	for i := range dst {
		dst[i] = (x[i] + y[i]) + z[i]
	}
}

type float interface{ float32 | float64 }

func addVV[T float](dst, x, y []T, alpha T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = (x[i] + y[i]) * alpha
	}
}

func subVV[T float](dst, x, y []T, alpha T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = (x[i] - y[i]) * alpha
	}
}

func mulVV[T float](dst, x, y []T, alpha T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = (x[i] * y[i]) * alpha
	}
}

func divVV[T float](dst, x, y []T, alpha T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = (x[i] / y[i]) * alpha
	}
}

// Addition and multiplication commute exactly, so s ∘ x[i] = x[i] ∘ s.
func addVS[T float](dst, x []T, s T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + s
	}
}

func subVS[T float](dst, x []T, s T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = x[i] - s
	}
}

func mulVS[T float](dst, x []T, s T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * s
	}
}

func divVS[T float](dst, x []T, s T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = x[i] / s
	}
}

func subSV[T float](dst, x []T, s T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = s - x[i]
	}
}

func divSV[T float](dst, x []T, s T) {
	x = x[:len(dst)]
	for i := range dst {
		dst[i] = s / x[i]
	}
}

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
func (a Arith) String() string { return [...]string{"+", "-", "×", "÷"}[a] }

// elementwise holds one implementation of the elementwise operations, indexed
// by Arith: dst[i] = (x[i] ∘ y[i])·alpha (vv), x[i] ∘ s (vs) and s ∘ x[i]
// (sv), and the row of an elementwise product with an outer product. Every
// element is a fixed sequence of correctly rounded operations, so all
// implementations agree bit for bit.
type elementwise struct {
	vv64       [4]func(dst, x, y []float64, alpha float64)
	vs64, sv64 [4]func(dst, x []float64, s float64)
	vv32       [4]func(dst, x, y []float32, alpha float32)
	vs32, sv32 [4]func(dst, x []float32, s float32)
	outer64    func(dst, a, v []float64, u, alpha float64)
	outer32    func(dst, a, v []float32, u, alpha float32)
	outer2_64  func(dst, a, v1, v2 []float64, u1, u2, alpha float64)
	outer2_32  func(dst, a, v1, v2 []float32, u1, u2, alpha float32)
	sum3_64    func(dst, x, y, z []float64)
	sum3_32    func(dst, x, y, z []float32)
	descend64  func(dst, w, g []float64, lr float64)
	descend32  func(dst, w, g []float32, lr float32)
}

// Elementwise64 sets dst[i] = (x[i] ∘ y[i])·alpha for every i < len(dst).
// With alpha = 1 that is x[i] ∘ y[i] exactly; with alpha = 2 it is
// (x[i] ∘ y[i]) + (x[i] ∘ y[i]) exactly.
func (k *Kernel) Elementwise64(op Arith, alpha float64, dst, x, y []float64) {
	if len(x) < len(dst) || len(y) < len(dst) {
		panic(fmt.Sprintf("kernel: elementwise %v of lengths %d and %d into %d", op, len(x), len(y), len(dst)))
	}
	k.elementwise.vv64[op](dst, x, y, alpha)
}

// ElementwiseScalar64 sets dst[i] = x[i] ∘ s, or s ∘ x[i] when scalarFirst,
// for every i < len(dst).
func (k *Kernel) ElementwiseScalar64(op Arith, dst, x []float64, s float64, scalarFirst bool) {
	if len(x) < len(dst) {
		panic(fmt.Sprintf("kernel: elementwise %v of length %d into %d", op, len(x), len(dst)))
	}
	if scalarFirst {
		k.elementwise.sv64[op](dst, x, s)
	} else {
		k.elementwise.vs64[op](dst, x, s)
	}
}

// Elementwise32 is Elementwise64 for float32.
func (k *Kernel) Elementwise32(op Arith, alpha float32, dst, x, y []float32) {
	if len(x) < len(dst) || len(y) < len(dst) {
		panic(fmt.Sprintf("kernel: elementwise %v of lengths %d and %d into %d", op, len(x), len(y), len(dst)))
	}
	k.elementwise.vv32[op](dst, x, y, alpha)
}

// OuterHadamard64 sets the m×n matrix dst to alpha·(a ⊙ u1·v1ᵀ), or with u2
// and v2 not nil to alpha·(a ⊙ (u1·v1ᵀ + u2·v2ᵀ)): dst[i][j] =
// (a[i][j]·((u1[i]·v1[j]) + (u2[i]·v2[j])))·alpha, rows stored contiguously.
// That is the outer products, their sum and the elementwise product computed
// one after the other, bit for bit, without the outer products in memory.
func (k *Kernel) OuterHadamard64(alpha float64, m, n int, dst, a, u1, v1, u2, v2 []float64) {
	checkOuter(m, n, len(dst), len(a), len(u1), len(v1), u2 != nil, len(u2), len(v2))
	for i := 0; i < m; i++ {
		row, ai := dst[i*n:i*n+n], a[i*n:i*n+n]
		if u2 == nil {
			k.elementwise.outer64(row, ai, v1[:n], u1[i], alpha)
		} else {
			k.elementwise.outer2_64(row, ai, v1[:n], v2[:n], u1[i], u2[i], alpha)
		}
	}
}

// OuterHadamard32 is OuterHadamard64 for float32.
func (k *Kernel) OuterHadamard32(alpha float32, m, n int, dst, a, u1, v1, u2, v2 []float32) {
	checkOuter(m, n, len(dst), len(a), len(u1), len(v1), u2 != nil, len(u2), len(v2))
	for i := 0; i < m; i++ {
		row, ai := dst[i*n:i*n+n], a[i*n:i*n+n]
		if u2 == nil {
			k.elementwise.outer32(row, ai, v1[:n], u1[i], alpha)
		} else {
			k.elementwise.outer2_32(row, ai, v1[:n], v2[:n], u1[i], u2[i], alpha)
		}
	}
}

func checkOuter(m, n, dst, a, u1, v1 int, two bool, u2, v2 int) {
	if dst < m*n || a < m*n || u1 < m || v1 < n || two && (u2 < m || v2 < n) {
		panic(fmt.Sprintf("kernel: outer-Hadamard %d×%d of lengths %d, %d, %d, %d, %d, %d", m, n, dst, a, u1, v1, u2, v2))
	}
}

// Descend64 takes a gradient step in place: w[i] = w[i] − lr·g[i], the
// product and the difference each rounded, as Go's w[i] -= lr*g[i] on amd64.
func (k *Kernel) Descend64(w, g []float64, lr float64) {
	if len(g) < len(w) {
		panic(fmt.Sprintf("kernel: step of %d parameters with %d gradients", len(w), len(g)))
	}
	k.elementwise.descend64(w, w, g, lr)
}

// Descend32 is Descend64 for float32.
func (k *Kernel) Descend32(w, g []float32, lr float32) {
	if len(g) < len(w) {
		panic(fmt.Sprintf("kernel: step of %d parameters with %d gradients", len(w), len(g)))
	}
	k.elementwise.descend32(w, w, g, lr)
}

// Sum3_64 sets dst[i] = (x[i] + y[i]) + z[i] for every i < len(dst).
func (k *Kernel) Sum3_64(dst, x, y, z []float64) {
	if len(x) < len(dst) || len(y) < len(dst) || len(z) < len(dst) {
		panic(fmt.Sprintf("kernel: sum of lengths %d, %d, %d into %d", len(x), len(y), len(z), len(dst)))
	}
	k.elementwise.sum3_64(dst, x, y, z)
}

// Sum3_32 is Sum3_64 for float32.
func (k *Kernel) Sum3_32(dst, x, y, z []float32) {
	if len(x) < len(dst) || len(y) < len(dst) || len(z) < len(dst) {
		panic(fmt.Sprintf("kernel: sum of lengths %d, %d, %d into %d", len(x), len(y), len(z), len(dst)))
	}
	k.elementwise.sum3_32(dst, x, y, z)
}

// ElementwiseScalar32 is ElementwiseScalar64 for float32.
func (k *Kernel) ElementwiseScalar32(op Arith, dst, x []float32, s float32, scalarFirst bool) {
	if len(x) < len(dst) {
		panic(fmt.Sprintf("kernel: elementwise %v of length %d into %d", op, len(x), len(dst)))
	}
	if scalarFirst {
		k.elementwise.sv32[op](dst, x, s)
	} else {
		k.elementwise.vs32[op](dst, x, s)
	}
}

// fastestElementwise is the fastest implementation for this CPU, which
// kernels registered through New use.
var fastestElementwise = &goElementwise

// goElementwise is the portable implementation: Go loops.
var goElementwise = elementwise{
	vv64:      [4]func(dst, x, y []float64, alpha float64){addVV[float64], subVV[float64], mulVV[float64], divVV[float64]},
	vs64:      [4]func(dst, x []float64, s float64){addVS[float64], subVS[float64], mulVS[float64], divVS[float64]},
	sv64:      [4]func(dst, x []float64, s float64){addVS[float64], subSV[float64], mulVS[float64], divSV[float64]},
	vv32:      [4]func(dst, x, y []float32, alpha float32){addVV[float32], subVV[float32], mulVV[float32], divVV[float32]},
	vs32:      [4]func(dst, x []float32, s float32){addVS[float32], subVS[float32], mulVS[float32], divVS[float32]},
	sv32:      [4]func(dst, x []float32, s float32){addVS[float32], subSV[float32], mulVS[float32], divSV[float32]},
	outer64:   outerHadamardRow[float64],
	outer32:   outerHadamardRow[float32],
	outer2_64: outerHadamard2Row[float64],
	outer2_32: outerHadamard2Row[float32],
	sum3_64:   sum3[float64],
	sum3_32:   sum3[float32],
	descend64: descend[float64],
	descend32: descend[float32],
}

func descend[T float](dst, w, g []T, lr T) {
	w, g = w[:len(dst)], g[:len(dst)]
	for i := range dst {
		dst[i] = w[i] - T(lr*g[i]) // the conversion rounds the product: no fused multiply-subtract
	}
}

func outerHadamard2Row[T float](dst, a, v1, v2 []T, u1, u2, alpha T) {
	a, v1, v2 = a[:len(dst)], v1[:len(dst)], v2[:len(dst)]
	for j := range dst {
		dst[j] = (a[j] * ((u1 * v1[j]) + (u2 * v2[j]))) * alpha
	}
}

func sum3[T float](dst, x, y, z []T) {
	x, y, z = x[:len(dst)], y[:len(dst)], z[:len(dst)]
	for i := range dst {
		dst[i] = (x[i] + y[i]) + z[i]
	}
}

func outerHadamardRow[T float](dst, a, v []T, u, alpha T) {
	a, v = a[:len(dst)], v[:len(dst)]
	for j := range dst {
		dst[j] = (a[j] * (u * v[j])) * alpha
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

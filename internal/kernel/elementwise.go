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
// by Arith: dst[i] = x[i] ∘ y[i] (vv), x[i] ∘ s (vs) and s ∘ x[i] (sv).
// Every element is one correctly rounded operation, so all implementations
// agree bit for bit.
type elementwise struct {
	vv64       [4]func(dst, x, y []float64)
	vs64, sv64 [4]func(dst, x []float64, s float64)
	vv32       [4]func(dst, x, y []float32)
	vs32, sv32 [4]func(dst, x []float32, s float32)
}

// Elementwise64 sets dst[i] = x[i] ∘ y[i] for every i < len(dst).
func (k *Kernel) Elementwise64(op Arith, dst, x, y []float64) {
	if len(x) < len(dst) || len(y) < len(dst) {
		panic(fmt.Sprintf("kernel: elementwise %v of lengths %d and %d into %d", op, len(x), len(y), len(dst)))
	}
	k.elementwise.vv64[op](dst, x, y)
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
func (k *Kernel) Elementwise32(op Arith, dst, x, y []float32) {
	if len(x) < len(dst) || len(y) < len(dst) {
		panic(fmt.Sprintf("kernel: elementwise %v of lengths %d and %d into %d", op, len(x), len(y), len(dst)))
	}
	k.elementwise.vv32[op](dst, x, y)
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
	vv64: [4]func(dst, x, y []float64){addVV[float64], subVV[float64], mulVV[float64], divVV[float64]},
	vs64: [4]func(dst, x []float64, s float64){addVS[float64], subVS[float64], mulVS[float64], divVS[float64]},
	sv64: [4]func(dst, x []float64, s float64){addVS[float64], subSV[float64], mulVS[float64], divSV[float64]},
	vv32: [4]func(dst, x, y []float32){addVV[float32], subVV[float32], mulVV[float32], divVV[float32]},
	vs32: [4]func(dst, x []float32, s float32){addVS[float32], subVS[float32], mulVS[float32], divVS[float32]},
	sv32: [4]func(dst, x []float32, s float32){addVS[float32], subSV[float32], mulVS[float32], divSV[float32]},
}

type float interface{ float32 | float64 }

func addVV[T float](dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] + y[i]
	}
}

func subVV[T float](dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] - y[i]
	}
}

func mulVV[T float](dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] * y[i]
	}
}

func divVV[T float](dst, x, y []T) {
	x, y = x[:len(dst)], y[:len(dst)]
	for i := range dst {
		dst[i] = x[i] / y[i]
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

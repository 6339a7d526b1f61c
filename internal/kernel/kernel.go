package kernel

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
)

// The names of the kernels. Which ones a build has depends on the machine
// and on build tags; Available lists them.
const (
	// AVX2 is this package's own assembly for amd64 CPUs with AVX2 and FMA.
	AVX2 = "avx2"
	// Gonum is gonum's pure-Go BLAS (gonum.org/v1/gonum/blas/gonum), with
	// the vector-shaped products it does one scalar at a time done by its
	// level-1 routines. It runs everywhere.
	Gonum = "gonum"
	// OpenBLAS is OpenBLAS through cgo, in builds with -tags openblas.
	OpenBLAS = "openblas"
)

// EnvVar names the environment variable that chooses the kernel a process
// uses, for example IGR_KERNEL=gonum to compare with the pure-Go path. When
// it is unset the fastest available kernel is used.
const EnvVar = "IGR_KERNEL"

// A Kernel computes matrix products C = alpha·op(A)·op(B), row-major, into
// C (overwriting it: beta is always 0). Kernels differ in speed and in the
// order of the floating-point additions, never by more than rounding.
type Kernel struct {
	name   string
	gemm64 func(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, c []float64, ldc int)
	gemm32 func(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int)
	// rank orders the default choice: the available kernel with the
	// highest rank is used unless EnvVar says otherwise.
	rank int
	// base provides the BLAS routines other than the products.
	base FullBLAS
	// elementwise computes the elementwise arithmetic.
	elementwise *elementwise
}

// Name identifies the kernel: AVX2, Gonum or OpenBLAS.
func (k *Kernel) Name() string { return k.name }

// String returns the name.
func (k *Kernel) String() string { return k.name }

// Gemm64 sets C = alpha·op(A)·op(B) for float64 matrices: op(A) is m×k and
// op(B) k×n. A is stored with row stride lda, as m×k, or as k×m when tA
// (op(A) = Aᵀ); likewise B with ldb, k×n or n×k when tB; C is m×n with row
// stride ldc. C must not overlap A or B.
//
// It panics, before it reads or writes an element, when a size is negative,
// a leading dimension is smaller than the row it strides over, or a slice is
// shorter than the matrix it holds, (rows−1)·ld + columns elements: the
// conditions of gonum's Dgemm.
func (k *Kernel) Gemm64(tA, tB bool, m, n, kk int, alpha float64, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
	checkGemm("Gemm64", tA, tB, m, n, kk, lda, ldb, ldc, len(a), len(b), len(c))
	k.gemm64(tA, tB, m, n, kk, alpha, a, lda, b, ldb, c, ldc)
}

// Gemm32 is Gemm64 for float32 matrices.
func (k *Kernel) Gemm32(tA, tB bool, m, n, kk int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	checkGemm("Gemm32", tA, tB, m, n, kk, lda, ldb, ldc, len(a), len(b), len(c))
	k.gemm32(tA, tB, m, n, kk, alpha, a, lda, b, ldb, c, ldc)
}

var (
	mu         sync.Mutex
	registered []*Kernel // by rank, highest first
	current    *Kernel
	envErr     error
)

// New returns a kernel named name from its two products and the BLAS it
// comes with, for Register; its elementwise arithmetic is the fastest this
// package has for the CPU. rank orders the default choice: higher is
// preferred.
func New(name string, rank int, base FullBLAS,
	gemm64 func(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, c []float64, ldc int),
	gemm32 func(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int),
) *Kernel {
	return &Kernel{name: name, rank: rank, base: base, gemm64: gemm64, gemm32: gemm32, elementwise: fastestElementwise}
}

// Register adds a kernel that this build and this CPU can run; packages
// that provide one (such as the OpenBLAS binding) call it from init.
func Register(k *Kernel) {
	mu.Lock()
	defer mu.Unlock()
	register(k)
}

func register(k *Kernel) {
	registered = append(registered, k)
	slices.SortStableFunc(registered, func(a, b *Kernel) int { return b.rank - a.rank })
}

// Available lists the names of the kernels this build can run on this CPU,
// fastest first.
func Available() []string {
	names := make([]string, len(registered))
	for i, k := range registered {
		names[i] = k.name
	}
	return names
}

// Lookup returns the kernel named name, or an error that says why it is not
// available and lists those that are.
func Lookup(name string) (*Kernel, error) {
	for _, k := range registered {
		if k.name == name {
			return k, nil
		}
	}
	return nil, fmt.Errorf("kernel: %w", unavailable(name))
}

// unavailable explains why no kernel is named name.
func unavailable(name string) error {
	why := ""
	switch name {
	case AVX2:
		why = fmt.Sprintf(" (it needs an amd64 CPU with AVX2 and FMA and a build without -tags purego; this CPU has %s)", strings.Join(Features(), " "))
	case OpenBLAS:
		why = " (it needs a build with -tags openblas)"
	}
	return fmt.Errorf("%q is not available%s; available: %s", name, why, strings.Join(Available(), ", "))
}

// Default returns the kernel new computations use: the one EnvVar names, or
// the fastest available.
func Default() *Kernel {
	mu.Lock()
	defer mu.Unlock()
	if current == nil {
		current = registered[0]
		if name := os.Getenv(EnvVar); name != "" {
			if k, err := Lookup(name); err == nil {
				current = k
			} else {
				envErr = fmt.Errorf("kernel: %s=%s: %w", EnvVar, name, unavailable(name))
			}
		}
	}
	return current
}

// EnvError reports a value of EnvVar that names no available kernel; the
// process then uses the fastest available kernel instead. Commands check it
// at start, so that a mistyped name is an error, not a silent fallback.
func EnvError() error {
	Default()
	mu.Lock()
	defer mu.Unlock()
	return envErr
}

// SetDefault makes k the kernel that computations set up from now on use,
// and returns the previous one. Computations already set up keep theirs.
func SetDefault(k *Kernel) (previous *Kernel) {
	previous = Default()
	mu.Lock()
	current = k
	mu.Unlock()
	return previous
}

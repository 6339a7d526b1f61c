package kernel_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"unsafe"

	"github.com/igr-project/igr/internal/kernel"
)

// guarded returns a slice of n elements in memory of its own whose
// neighbouring pages cannot be read or written: with atEnd its last element
// ends where an inaccessible page begins, else its first element starts
// where one ends. A kernel that touches one element beyond the slice kills
// the test process with a fault, which the Go checks of a slice's bounds
// cannot catch in assembly.
func guarded[T float32 | float64](t *testing.T, n int, atEnd bool) []T {
	t.Helper()
	page := os.Getpagesize()
	size := n * int(unsafe.Sizeof(T(0)))
	pages := max(1, (size+page-1)/page)
	mem, err := syscall.Mmap(-1, 0, (pages+2)*page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { syscall.Munmap(mem) })
	if err := syscall.Mprotect(mem[:page], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	if err := syscall.Mprotect(mem[(pages+1)*page:], syscall.PROT_NONE); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
	start := page
	if atEnd {
		start = (pages+1)*page - size
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&mem[start])), n)
}

// guardedCopy returns v in a guarded slice.
func guardedCopy[T float32 | float64](t *testing.T, v []T, atEnd bool) []T {
	g := guarded[T](t, len(v), atEnd)
	copy(g, v)
	return g
}

// TestKernelsStayInsideTheirSlices runs every entry of every kernel on
// operands of exactly the length their shapes need, each between pages that
// fault when touched, once with the pages after the slices and once with
// those before: the assembly's loads and stores, masked tails included,
// stay inside the slices it is given. The results are checked too.
func TestKernelsStayInsideTheirSlices(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	for _, k := range every(t) {
		for _, atEnd := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/guard-after=%v", k.Name(), atEnd), func(t *testing.T) { stayInside(t, r, k, atEnd) })
		}
	}
}

// stayInside is TestKernelsStayInsideTheirSlices for one kernel and one side
// of the guard pages.
func stayInside(t *testing.T, r *rand.Rand, k *kernel.Kernel, atEnd bool) {
	for _, tA := range []bool{false, true} {
		for _, tB := range []bool{false, true} {
			for _, s := range append(withRandomShapes(r, 10), [3]int{200, 100, 30}, [3]int{30, 100, 200}, [3]int{100, 1, 200}, [3]int{1, 67, 13}) {
				for _, pad := range []int{0, 3} {
					p := newProduct(r, tA, tB, s, pad, 1)
					lenC := (p.m-1)*p.ldc + p.n
					a := guardedCopy(t, p.a[:(p.ar-1)*p.lda+p.ac], atEnd)
					b := guardedCopy(t, p.b[:(p.br-1)*p.ldb+p.bc], atEnd)
					want := p.filled()
					gonumDgemm(tA, tB, p.m, p.n, p.k, a, p.lda, b, p.ldb, want, p.ldc)
					c := guardedCopy(t, p.filled()[:lenC], atEnd)
					k.Gemm64(tA, tB, p.m, p.n, p.k, 1, a, p.lda, b, p.ldb, c, p.ldc)
					check(t, k.Name()+"/guarded/"+p.name, p, append(c, p.filled()[lenC:]...), want, tol64)

					a32 := guardedCopy(t, to32(p.a[:(p.ar-1)*p.lda+p.ac]), atEnd)
					b32 := guardedCopy(t, to32(p.b[:(p.br-1)*p.ldb+p.bc]), atEnd)
					c32 := guarded[float32](t, lenC, atEnd)
					k.Gemm32(tA, tB, p.m, p.n, p.k, 1, a32, p.lda, b32, p.ldb, c32, p.ldc)
				}
			}
		}
	}
	for n := 0; n <= 70; n++ {
		x, y, z := guardedCopy(t, values(r, n), atEnd), guardedCopy(t, values(r, n), atEnd), guardedCopy(t, values(r, n), atEnd)
		dst := guarded[float64](t, n, atEnd)
		x32, y32, z32 := guardedCopy(t, to32(x), atEnd), guardedCopy(t, to32(y), atEnd), guardedCopy(t, to32(z), atEnd)
		dst32 := guarded[float32](t, n, atEnd)
		for op := kernel.Add; op <= kernel.Div; op++ {
			k.Elementwise64(op, 2, dst, x, y)
			k.Elementwise32(op, 2, dst32, x32, y32)
			k.ElementwiseScalar64(op, dst, x, 3, true)
			k.ElementwiseScalar32(op, dst32, x32, 3, false)
		}
		k.Sum3_64(dst, x, y, z)
		k.Sum3_32(dst32, x32, y32, z32)
		for i := range n {
			if want := (x[i] + y[i]) + z[i]; !same(dst[i], want) {
				t.Fatalf("%s: sum of three [%d] = %v, want %v", k.Name(), i, dst[i], want)
			}
		}
		k.Descend64(dst, x, 0.1)
		k.Descend32(dst32, x32, 0.1)
	}
	for _, s := range [][2]int{{1, 1}, {3, 1}, {1, 9}, {7, 13}, {5, 31}, {200, 100}} {
		m, n := s[0], s[1]
		a, u, v := guardedCopy(t, values(r, m*n), atEnd), guardedCopy(t, values(r, m), atEnd), guardedCopy(t, values(r, n), atEnd)
		dst := guarded[float64](t, m*n, atEnd)
		k.OuterHadamard64(2, m, n, dst, a, u, v, nil, nil)
		k.OuterHadamard64(1, m, n, dst, a, u, v, u, v)
		a32, u32, v32 := guardedCopy(t, to32(a), atEnd), guardedCopy(t, to32(u), atEnd), guardedCopy(t, to32(v), atEnd)
		dst32 := guarded[float32](t, m*n, atEnd)
		k.OuterHadamard32(2, m, n, dst32, a32, u32, v32, nil, nil)
		k.OuterHadamard32(1, m, n, dst32, a32, u32, v32, u32, v32)
	}
}

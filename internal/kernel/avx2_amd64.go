//go:build amd64 && !purego

package kernel

import (
	"sync"

	"golang.org/x/sys/cpu"
)

//go:generate sh -c "cd _asm && go run . -out ../kernels_amd64.s -stubs ../kernels_amd64.go -pkg kernel"

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		fastestElementwise = &avx2Elementwise
		register(&Kernel{name: AVX2, rank: 10, base: gonumBLAS, elementwise: &avx2Elementwise,
			gemm64: avx2Float64.gemm, gemm32: avx2Float32.gemm})
	}
}

// tileRows is the height of the largest register tile: 6 rows by two YMM
// registers (8 float64 or 16 float32 columns) are 12 accumulators.
const tileRows = 6

// gemmFunc is the signature of the assembly kernels of C = alpha·op(A)·B
// (see _asm), T with masks of M.
type gemmFunc[T float, M int32 | int64] func(k int, alpha T, a *T, ars, acs int, b *T, ldb int, c *T, ldc int, mask *M)

// avx2Kernels are the assembly kernels of one precision; the generator
// lists them in kernels_amd64.go as kernelsD and kernelsS.
type avx2Kernels[T float, M int32 | int64] struct {
	// full[rows-1][w] computes a tile of rows × (w+1)·lanes columns;
	// masked ones read and write only the columns of the mask.
	full, masked [tileRows][2]gemmFunc[T, M]
	// row and rowMasked compute one row of 8·lanes columns.
	row, rowMasked gemmFunc[T, M]
	// dot4 and dot1 compute c[r] = alpha·Σ_l a[r·lda+l]·x[l] for 4 rows or 1.
	dot4, dot1 func(k int, alpha T, a *T, lda int, x *T, c *T, mask *M)
}

// avx2 holds the assembly kernels of one precision, T with masks of M, and
// drives them: one Go implementation of the product for float64 and float32.
type avx2[T float, M int32 | int64] struct {
	avx2Kernels[T, M]
	// lanes is the number of elements of a YMM register: 4 or 8.
	lanes int
	// ones holds 8·lanes all-ones elements, then as many zeros.
	ones []M
	// packed holds scratch for the rare products whose B must be
	// transposed first (A·Bᵀ with k > 1).
	packed sync.Pool
}

var (
	avx2Float64 = &avx2[float64, int64]{avx2Kernels: kernelsD, lanes: 4, ones: ones[int64](32)}
	avx2Float32 = &avx2[float32, int32]{avx2Kernels: kernelsS, lanes: 8, ones: ones[int32](64)}
)

// ones returns w all-ones elements followed by w zeros.
func ones[M int32 | int64](w int) []M {
	m := make([]M, 2*w)
	for j := range w {
		m[j] = -1
	}
	return m
}

// mask returns a mask whose element j is all ones for j < c, in windows of
// up to 8·lanes elements.
func (k *avx2[T, M]) mask(c int) *M { return &k.ones[len(k.ones)/2-c] }

// avx2Elementwise is the elementwise arithmetic in AVX2 assembly; the
// generator lists its kernels in kernels_amd64.go as elementwiseD and
// elementwiseS.
var avx2Elementwise = elementwise{
	f64: elementwiseD,
	f32: elementwiseS,
}

// gemm is Kernel.Gemm64 (Gemm32) on the assembly kernels.
func (kr *avx2[T, M]) gemm(tA, tB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
		return
	}
	if tB {
		switch {
		case n == 1: // op(B) is the stored row, contiguous
			tB, ldb = false, 1
		case k == 1 && ldb == 1: // op(B) is the stored column, contiguous
			tB, ldb = false, n
		default:
			p, _ := kr.packed.Get().(*[]T)
			if p == nil {
				p = new([]T)
			}
			*p = transposeInto(*p, b, ldb, n, k)
			kr.gemm(tA, false, m, n, k, alpha, a, lda, *p, n, c, ldc)
			kr.packed.Put(p)
			return
		}
	}
	ars, acs := lda, 1
	if tA {
		ars, acs = 1, lda
	}
	if n == 1 && ldc == 1 {
		if !tA && ldb == 1 {
			// c = alpha·A·x with A row-major: dot products of rows
			mask := kr.mask(k % kr.lanes)
			i := 0
			for ; i+4 <= m; i += 4 {
				kr.dot4(k, alpha, &a[i*lda], lda, &b[0], &c[i], mask)
			}
			for ; i < m; i++ {
				kr.dot1(k, alpha, &a[i*lda], lda, &b[0], &c[i], mask)
			}
			return
		}
		if tA {
			// cᵀ = alpha·xᵀ·A with the stored A (k×m) row-major: one
			// row of tiles, columns of the stored A as those of B
			kr.tiles(1, m, k, alpha, b, 0, ldb, a, lda, c, 1)
			return
		}
	}
	kr.tiles(m, n, k, alpha, a, ars, acs, b, ldb, c, ldc)
}

// tiles covers the m×n C with register tiles, column panels outside so that
// a panel of B stays in L1 while every row block of A passes it. A panel
// narrower than a full tile takes the narrowest kernel that covers it,
// masked unless it fits exactly. A single row takes the one-row kernels.
func (kr *avx2[T, M]) tiles(m, n, k int, alpha T, a []T, ars, acs int, b []T, ldb int, c []T, ldc int) {
	if m == 1 {
		cols := 8 * kr.lanes
		for j := 0; j < n; j += cols {
			if nr := n - j; nr >= cols {
				kr.row(k, alpha, &a[0], ars, acs, &b[j], ldb, &c[j], ldc, nil)
			} else {
				kr.rowMasked(k, alpha, &a[0], ars, acs, &b[j], ldb, &c[j], ldc, kr.mask(nr))
			}
		}
		return
	}
	cols := 2 * kr.lanes
	for j := 0; j < n; j += cols {
		nr := min(cols, n-j)
		w := (nr - 1) / kr.lanes // 0: one vector covers the panel, 1: two
		for i := 0; i < m; i += tileRows {
			mr := min(tileRows, m-i)
			if nr == (w+1)*kr.lanes {
				kr.full[mr-1][w](k, alpha, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc, nil)
			} else {
				kr.masked[mr-1][w](k, alpha, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc, kr.mask(nr))
			}
		}
	}
}

// transposeInto returns dst (grown as needed) holding the k×n transpose of
// the n×k matrix b stored with row stride ldb.
func transposeInto[T float](dst, b []T, ldb, n, k int) []T {
	if cap(dst) < n*k {
		dst = make([]T, n*k)
	}
	dst = dst[:n*k]
	for j := 0; j < n; j++ {
		for l := 0; l < k; l++ {
			dst[l*n+j] = b[j*ldb+l]
		}
	}
	return dst
}

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
		register(&Kernel{name: AVX2, rank: 10, base: gonumBLAS, elementwise: &avx2Elementwise, gemm64: avx2Gemm64, gemm32: avx2Gemm32})
	}
}

// Register tiles: mr rows (up to 6) by 8 float64 or 16 float32 columns,
// 12 YMM accumulators. The kernels for a tile narrower than a full one read
// and write their columns through a mask.
const (
	tileRows  = 6
	tileCols  = 8  // float64
	tileCols2 = 16 // float32
)

type (
	tile64 func(k int, alpha float64, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int, mask *int64)
	tile32 func(k int, alpha float32, a *float32, ars, acs int, b *float32, ldb int, c *float32, ldc int, mask *int32)
	dot64  func(k int, alpha float64, a *float64, lda int, x *float64, c *float64, mask *int64)
	dot32  func(k int, alpha float32, a *float32, lda int, x *float32, c *float32, mask *int32)
)

// The tile kernels by height and width: [rows-1][0] is one vector wide,
// [rows-1][1] two; a panel narrower than a full tile takes the narrowest
// kernel that covers it, masked unless it fits exactly.
var (
	full64 = [tileRows][2]tile64{
		{gemmD1x4, gemmD1x8}, {gemmD2x4, gemmD2x8}, {gemmD3x4, gemmD3x8},
		{gemmD4x4, gemmD4x8}, {gemmD5x4, gemmD5x8}, {gemmD6x4, gemmD6x8}}
	masked64 = [tileRows][2]tile64{
		{gemmD1x4Masked, gemmD1x8Masked}, {gemmD2x4Masked, gemmD2x8Masked}, {gemmD3x4Masked, gemmD3x8Masked},
		{gemmD4x4Masked, gemmD4x8Masked}, {gemmD5x4Masked, gemmD5x8Masked}, {gemmD6x4Masked, gemmD6x8Masked}}
	full32 = [tileRows][2]tile32{
		{gemmS1x8, gemmS1x16}, {gemmS2x8, gemmS2x16}, {gemmS3x8, gemmS3x16},
		{gemmS4x8, gemmS4x16}, {gemmS5x8, gemmS5x16}, {gemmS6x8, gemmS6x16}}
	masked32 = [tileRows][2]tile32{
		{gemmS1x8Masked, gemmS1x16Masked}, {gemmS2x8Masked, gemmS2x16Masked}, {gemmS3x8Masked, gemmS3x16Masked},
		{gemmS4x8Masked, gemmS4x16Masked}, {gemmS5x8Masked, gemmS5x16Masked}, {gemmS6x8Masked, gemmS6x16Masked}}
)

var (

	// Masks: element j of mask64(c) and mask32(c) is all ones for j < c,
	// in windows of up to rowCols (rowCols2) elements.
	ones64 = func() (m [2 * rowCols]int64) {
		for j := range rowCols {
			m[j] = -1
		}
		return m
	}()
	ones32 = func() (m [2 * rowCols2]int32) {
		for j := range rowCols2 {
			m[j] = -1
		}
		return m
	}()
)

// The one-row kernels cover 8 YMM registers: 32 float64 or 64 float32.
const (
	rowCols  = 32
	rowCols2 = 64
)

func mask64(c int) *int64 { return &ones64[rowCols-c] }
func mask32(c int) *int32 { return &ones32[rowCols2-c] }

// avx2Elementwise is the elementwise arithmetic in AVX2 assembly.
var avx2Elementwise = elementwise{
	vv64:      [4]func(dst, x, y []float64, alpha float64){addVVD, subVVD, mulVVD, divVVD},
	vs64:      [4]func(dst, x []float64, s float64){addVSD, subVSD, mulVSD, divVSD},
	sv64:      [4]func(dst, x []float64, s float64){addSVD, subSVD, mulSVD, divSVD},
	vv32:      [4]func(dst, x, y []float32, alpha float32){addVVS, subVVS, mulVVS, divVVS},
	vs32:      [4]func(dst, x []float32, s float32){addVSS, subVSS, mulVSS, divVSS},
	sv32:      [4]func(dst, x []float32, s float32){addSVS, subSVS, mulSVS, divSVS},
	outer64:   outerHadamardRowD,
	outer32:   outerHadamardRowS,
	outer2_64: outerHadamard2RowD,
	outer2_32: outerHadamard2RowS,
	sum3_64:   sum3D,
	sum3_32:   sum3S,
}

// packed holds scratch for the rare products whose B must be transposed
// first (A·Bᵀ with k > 1).
var packed64 = sync.Pool{New: func() any { return new([]float64) }}
var packed32 = sync.Pool{New: func() any { return new([]float32) }}

func avx2Gemm64(tA, tB bool, m, n, k int, alpha float64, a []float64, lda int, b []float64, ldb int, c []float64, ldc int) {
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
			p := packed64.Get().(*[]float64)
			*p = transposeInto(*p, b, ldb, n, k)
			avx2Gemm64(tA, false, m, n, k, alpha, a, lda, *p, n, c, ldc)
			packed64.Put(p)
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
			i := 0
			for ; i+4 <= m; i += 4 {
				dotD4(k, alpha, &a[i*lda], lda, &b[0], &c[i], mask64(k%4))
			}
			for ; i < m; i++ {
				dotD1(k, alpha, &a[i*lda], lda, &b[0], &c[i], mask64(k%4))
			}
			return
		}
		if tA {
			// cᵀ = alpha·xᵀ·A with the stored A (k×m) row-major: one
			// row of tiles, columns of the stored A as those of B
			tiles64(1, m, k, alpha, b, 0, ldb, a, lda, c, 1)
			return
		}
	}
	tiles64(m, n, k, alpha, a, ars, acs, b, ldb, c, ldc)
}

// tiles64 covers the m×n C with register tiles, column panels outside so
// that a panel of B stays in L1 while every row block of A passes it.
func tiles64(m, n, k int, alpha float64, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	if m == 1 {
		for j := 0; j < n; j += rowCols {
			if nr := n - j; nr >= rowCols {
				gemmD1x32(k, alpha, &a[0], ars, acs, &b[j], ldb, &c[j], ldc, nil)
			} else {
				gemmD1x32Masked(k, alpha, &a[0], ars, acs, &b[j], ldb, &c[j], ldc, mask64(nr))
			}
		}
		return
	}
	for j := 0; j < n; j += tileCols {
		nr := min(tileCols, n-j)
		w := (nr - 1) / (tileCols / 2) // 0: one vector covers the panel, 1: two
		for i := 0; i < m; i += tileRows {
			mr := min(tileRows, m-i)
			if nr == (w+1)*tileCols/2 {
				full64[mr-1][w](k, alpha, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc, nil)
			} else {
				masked64[mr-1][w](k, alpha, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc, mask64(nr))
			}
		}
	}
}

func avx2Gemm32(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
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
		case n == 1:
			tB, ldb = false, 1
		case k == 1 && ldb == 1:
			tB, ldb = false, n
		default:
			p := packed32.Get().(*[]float32)
			*p = transposeInto(*p, b, ldb, n, k)
			avx2Gemm32(tA, false, m, n, k, alpha, a, lda, *p, n, c, ldc)
			packed32.Put(p)
			return
		}
	}
	ars, acs := lda, 1
	if tA {
		ars, acs = 1, lda
	}
	if n == 1 && ldc == 1 {
		if !tA && ldb == 1 {
			i := 0
			for ; i+4 <= m; i += 4 {
				dotS4(k, alpha, &a[i*lda], lda, &b[0], &c[i], mask32(k%8))
			}
			for ; i < m; i++ {
				dotS1(k, alpha, &a[i*lda], lda, &b[0], &c[i], mask32(k%8))
			}
			return
		}
		if tA {
			tiles32(1, m, k, alpha, b, 0, ldb, a, lda, c, 1)
			return
		}
	}
	tiles32(m, n, k, alpha, a, ars, acs, b, ldb, c, ldc)
}

func tiles32(m, n, k int, alpha float32, a []float32, ars, acs int, b []float32, ldb int, c []float32, ldc int) {
	if m == 1 {
		for j := 0; j < n; j += rowCols2 {
			if nr := n - j; nr >= rowCols2 {
				gemmS1x64(k, alpha, &a[0], ars, acs, &b[j], ldb, &c[j], ldc, nil)
			} else {
				gemmS1x64Masked(k, alpha, &a[0], ars, acs, &b[j], ldb, &c[j], ldc, mask32(nr))
			}
		}
		return
	}
	for j := 0; j < n; j += tileCols2 {
		nr := min(tileCols2, n-j)
		w := (nr - 1) / (tileCols2 / 2)
		for i := 0; i < m; i += tileRows {
			mr := min(tileRows, m-i)
			if nr == (w+1)*tileCols2/2 {
				full32[mr-1][w](k, alpha, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc, nil)
			} else {
				masked32[mr-1][w](k, alpha, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc, mask32(nr))
			}
		}
	}
}

// transposeInto returns dst (grown as needed) holding the k×n transpose of
// the n×k matrix b stored with row stride ldb.
func transposeInto[T float32 | float64](dst, b []T, ldb, n, k int) []T {
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

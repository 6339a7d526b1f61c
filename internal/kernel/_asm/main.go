// Command _asm generates the AVX2/FMA assembly of package kernel with avo:
//
//	cd internal/kernel/_asm && go run . -out ../kernels_amd64.s -stubs ../kernels_amd64.go -pkg kernel
//
// (or go generate ./internal/kernel). It lives in a module of its own so that
// avo is a dependency of the generator only, not of igr.
//
// The micro-kernels compute one register tile of C = alpha·op(A)·B with B
// and C row-major. A is addressed through two strides, so one kernel serves
// A and Aᵀ: element (r, l) of op(A) is a[r·ars + l·acs]. Each output is one
// sum over l = 0, 1, …, k−1 in that order, one fused multiply-add per term,
// then a multiplication by alpha: the result does not depend on the tile
// sizes, on how the tiles are split between goroutines, or on the masks.
package main

import (
	"fmt"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// precision describes float64 ("D") or float32 ("S") code.
type precision struct {
	name   string // D or S
	goType string // float64 or float32
	size   int    // bytes per element
	lanes  int    // elements per YMM register
	mask   string // Go type of a mask element
}

var (
	f64 = precision{name: "D", goType: "float64", size: 8, lanes: 4, mask: "int64"}
	f32 = precision{name: "S", goType: "float32", size: 4, lanes: 8, mask: "int32"}
)

func (p precision) shift() uint64 {
	if p.size == 8 {
		return 3
	}
	return 2
}

func (p precision) load(m Mem, r VecVirtual) {
	if p.size == 8 {
		VMOVUPD(m, r)
	} else {
		VMOVUPS(m, r)
	}
}

func (p precision) store(r VecVirtual, m Mem) {
	if p.size == 8 {
		VMOVUPD(r, m)
	} else {
		VMOVUPS(r, m)
	}
}

func (p precision) maskLoad(m Mem, mask, r VecVirtual) {
	if p.size == 8 {
		VMASKMOVPD(m, mask, r)
	} else {
		VMASKMOVPS(m, mask, r)
	}
}

func (p precision) maskStore(r, mask VecVirtual, m Mem) {
	if p.size == 8 {
		VMASKMOVPD(r, mask, m)
	} else {
		VMASKMOVPS(r, mask, m)
	}
}

func (p precision) broadcast(m Mem, r VecVirtual) {
	if p.size == 8 {
		VBROADCASTSD(m, r)
	} else {
		VBROADCASTSS(m, r)
	}
}

func (p precision) fma(a, b, acc VecVirtual) {
	if p.size == 8 {
		VFMADD231PD(a, b, acc)
	} else {
		VFMADD231PS(a, b, acc)
	}
}

func (p precision) mul(a, b, dst VecVirtual) {
	if p.size == 8 {
		VMULPD(a, b, dst)
	} else {
		VMULPS(a, b, dst)
	}
}

func (p precision) add(a, b, dst VecVirtual) {
	if p.size == 8 {
		VADDPD(a, b, dst)
	} else {
		VADDPS(a, b, dst)
	}
}

func (p precision) sub(a, b, dst VecVirtual) {
	if p.size == 8 {
		VSUBPD(a, b, dst)
	} else {
		VSUBPS(a, b, dst)
	}
}

func (p precision) zero(r VecVirtual) {
	if p.size == 8 {
		VXORPD(r, r, r)
	} else {
		VXORPS(r, r, r)
	}
}

// bytes turns an element count held in a register into bytes, in place.
func (p precision) bytes(r Register) { SHLQ(U8(p.shift()), r) }

// maxRows is the height of the largest register tile: 6 rows × 2 vectors
// = 12 accumulators, plus two for a row of B and one broadcast.
const maxRows = 6

// gemmKernel generates the mr×(nvec·lanes) tile kernel, nvec = 1 or 2;
// masked kernels read and write only the columns whose mask element is all
// ones.
func gemmKernel(p precision, mr, nvec int, masked bool) {
	name := fmt.Sprintf("gemm%s%dx%d", p.name, mr, nvec*p.lanes)
	if masked {
		name += "Masked"
	}
	TEXT(name, NOSPLIT, fmt.Sprintf("func(k int, alpha %[1]s, a *%[1]s, ars, acs int, b *%[1]s, ldb int, c *%[1]s, ldc int, mask *%[2]s)", p.goType, p.mask))
	Doc(fmt.Sprintf("%s sets the %d×%d tile at c to alpha·Σ_l op(a)[r][l]·b[l][:]; see gemmTile.", name, mr, nvec*p.lanes))
	Pragma("noescape")

	k := Load(Param("k"), GP64())
	a0 := Load(Param("a"), GP64())
	ars := Load(Param("ars"), GP64())
	acs := Load(Param("acs"), GP64())
	b := Load(Param("b"), GP64())
	ldb := Load(Param("ldb"), GP64())
	p.bytes(ars)
	p.bytes(acs)
	p.bytes(ldb)
	// Rows 0..5 of A sit at a0, a1, a0+2·ars, a1+2·ars, a0+4·ars, a1+4·ars.
	a1 := GP64()
	LEAQ(Mem{Base: a0, Index: ars, Scale: 1}, a1)
	row := func(r int) Mem {
		base := a0
		if r%2 == 1 {
			base = a1
		}
		switch r / 2 {
		case 0:
			return Mem{Base: base}
		case 1:
			return Mem{Base: base, Index: ars, Scale: 2}
		default:
			return Mem{Base: base, Index: ars, Scale: 4}
		}
	}

	acc := make([][]VecVirtual, mr)
	for r := range acc {
		acc[r] = make([]VecVirtual, nvec)
		for v := range acc[r] {
			acc[r][v] = YMM()
			p.zero(acc[r][v])
		}
	}
	var mask Register
	if masked {
		mask = Load(Param("mask"), GP64())
	}
	bv := make([]VecVirtual, nvec)
	for v := range bv {
		bv[v] = YMM()
	}
	t := YMM()

	TESTQ(k, k)
	JE(LabelRef(name + "_store"))
	Label(name + "_loop")
	for v := 0; v < nvec; v++ {
		off := Mem{Base: b, Disp: 32 * v}
		if masked {
			p.load(Mem{Base: mask, Disp: 32 * v}, bv[v])
			p.maskLoad(off, bv[v], bv[v])
		} else {
			p.load(off, bv[v])
		}
	}
	for r := 0; r < mr; r++ {
		p.broadcast(row(r), t)
		for v := 0; v < nvec; v++ {
			p.fma(bv[v], t, acc[r][v])
		}
	}
	ADDQ(acs, a0)
	ADDQ(acs, a1)
	ADDQ(ldb, b)
	DECQ(k)
	JNE(LabelRef(name + "_loop"))

	Label(name + "_store")
	c := Load(Param("c"), GP64())
	ldc := Load(Param("ldc"), GP64())
	p.bytes(ldc)
	alpha := Load(Param("alpha"), XMM())
	if p.size == 8 {
		VBROADCASTSD(alpha, t)
	} else {
		VBROADCASTSS(alpha, t)
	}
	for r := 0; r < mr; r++ {
		for v := 0; v < nvec; v++ {
			p.mul(t, acc[r][v], acc[r][v])
			dst := Mem{Base: c, Disp: 32 * v}
			if masked {
				p.load(Mem{Base: mask, Disp: 32 * v}, bv[v])
				p.maskStore(acc[r][v], bv[v], dst)
			} else {
				p.store(acc[r][v], dst)
			}
		}
		if r < mr-1 {
			ADDQ(ldc, c)
		}
	}
	VZEROUPPER()
	RET()
}

// rowVectors is the width, in YMM registers, of the one-row kernels: eight
// independent accumulators keep both FMA units busy through their latency.
const rowVectors = 8

// rowKernel generates the 1×(rowVectors·lanes) kernel: one row of C, for
// products with m = 1 (among them Aᵀ·x, computed as xᵀ·A). Same signature
// and order of summation as gemmKernel.
func rowKernel(p precision, masked bool) {
	name := fmt.Sprintf("gemm%s1x%d", p.name, rowVectors*p.lanes)
	if masked {
		name += "Masked"
	}
	TEXT(name, NOSPLIT, fmt.Sprintf("func(k int, alpha %[1]s, a *%[1]s, ars, acs int, b *%[1]s, ldb int, c *%[1]s, ldc int, mask *%[2]s)", p.goType, p.mask))
	Doc(fmt.Sprintf("%s sets the 1×%d row at c to alpha·Σ_l a[l·acs]·b[l][:]; see gemmTile.", name, rowVectors*p.lanes))
	Pragma("noescape")
	k := Load(Param("k"), GP64())
	a := Load(Param("a"), GP64())
	acs := Load(Param("acs"), GP64())
	b := Load(Param("b"), GP64())
	ldb := Load(Param("ldb"), GP64())
	p.bytes(acs)
	p.bytes(ldb)
	acc := make([]VecVirtual, rowVectors)
	for v := range acc {
		acc[v] = YMM()
		p.zero(acc[v])
	}
	var mask Register
	if masked {
		mask = Load(Param("mask"), GP64())
	}
	t, bv := YMM(), YMM()
	TESTQ(k, k)
	JE(LabelRef(name + "_store"))
	Label(name + "_loop")
	p.broadcast(Mem{Base: a}, t)
	for v := 0; v < rowVectors; v++ {
		off := Mem{Base: b, Disp: 32 * v}
		if masked {
			p.load(Mem{Base: mask, Disp: 32 * v}, bv)
			p.maskLoad(off, bv, bv)
			p.fma(bv, t, acc[v])
		} else {
			if p.size == 8 {
				VFMADD231PD(off, t, acc[v])
			} else {
				VFMADD231PS(off, t, acc[v])
			}
		}
	}
	ADDQ(acs, a)
	ADDQ(ldb, b)
	DECQ(k)
	JNE(LabelRef(name + "_loop"))

	Label(name + "_store")
	c := Load(Param("c"), GP64())
	alpha := Load(Param("alpha"), XMM())
	if p.size == 8 {
		VBROADCASTSD(alpha, t)
	} else {
		VBROADCASTSS(alpha, t)
	}
	for v := 0; v < rowVectors; v++ {
		p.mul(t, acc[v], acc[v])
		dst := Mem{Base: c, Disp: 32 * v}
		if masked {
			p.load(Mem{Base: mask, Disp: 32 * v}, bv)
			p.maskStore(acc[v], bv, dst)
		} else {
			p.store(acc[v], dst)
		}
	}
	VZEROUPPER()
	RET()
}

// dotKernel generates the kernel that sets c[r] = alpha·Σ_l a[r·lda+l]·x[l]
// for mr rows: a matrix–vector product with A row-major. Each row is summed
// in lanes·accs interleaved partial sums, which are then added in a fixed
// order; the last k mod lanes terms are read with a mask.
func dotKernel(p precision, mr int) {
	name := fmt.Sprintf("dot%s%d", p.name, mr)
	TEXT(name, NOSPLIT, fmt.Sprintf("func(k int, alpha %[1]s, a *%[1]s, lda int, x *%[1]s, c *%[1]s, mask *%[2]s)", p.goType, p.mask))
	Doc(fmt.Sprintf("%s sets c[r] = alpha·Σ_l a[r·lda+l]·x[l] for r < %d; mask selects the last k mod %d elements.", name, mr, p.lanes))
	Pragma("noescape")
	k := Load(Param("k"), GP64())
	a := Load(Param("a"), GP64())
	lda := Load(Param("lda"), GP64())
	x := Load(Param("x"), GP64())
	p.bytes(lda)
	rows := make([]Register, mr)
	rows[0] = a
	for r := 1; r < mr; r++ {
		rows[r] = GP64()
		LEAQ(Mem{Base: rows[r-1], Index: lda, Scale: 1}, rows[r])
	}
	acc := make([]VecVirtual, mr)
	for r := range acc {
		acc[r] = YMM()
		p.zero(acc[r])
	}
	xv, t := YMM(), YMM()
	off := GP64()
	XORQ(off, off)
	n := GP64()
	MOVQ(k, n)
	SHRQ(U8(map[int]uint64{4: 2, 8: 3}[p.lanes]), n) // whole vectors
	JE(LabelRef(name + "_tail"))
	Label(name + "_loop")
	p.load(Mem{Base: x, Index: off, Scale: 1}, xv)
	for r := 0; r < mr; r++ {
		p.load(Mem{Base: rows[r], Index: off, Scale: 1}, t)
		p.fma(xv, t, acc[r])
	}
	ADDQ(U32(32), off)
	DECQ(n)
	JNE(LabelRef(name + "_loop"))

	Label(name + "_tail")
	ANDQ(U32(p.lanes-1), k)
	JE(LabelRef(name + "_reduce"))
	mask := Load(Param("mask"), GP64())
	m := YMM()
	p.load(Mem{Base: mask}, m)
	p.maskLoad(Mem{Base: x, Index: off, Scale: 1}, m, xv)
	for r := 0; r < mr; r++ {
		p.maskLoad(Mem{Base: rows[r], Index: off, Scale: 1}, m, t)
		p.fma(xv, t, acc[r])
	}

	Label(name + "_reduce")
	c := Load(Param("c"), GP64())
	alpha := Load(Param("alpha"), XMM())
	for r := 0; r < mr; r++ {
		// (lanes 0..3 + lanes 4..7) for float32, then pairwise.
		lo, hi := acc[r].AsX(), XMM()
		VEXTRACTF128(U8(1), acc[r], hi)
		if p.size == 8 {
			VADDPD(hi, lo, lo)  // (l0+l2, l1+l3)
			VHADDPD(lo, lo, lo) // (l0+l2)+(l1+l3)
			VMULSD(alpha, lo, lo)
			VMOVSD(lo, Mem{Base: c, Disp: 8 * r})
		} else {
			VADDPS(hi, lo, lo)
			VHADDPS(lo, lo, lo)
			VHADDPS(lo, lo, lo)
			VMULSS(alpha, lo, lo)
			VMOVSS(lo, Mem{Base: c, Disp: 4 * r})
		}
	}
	VZEROUPPER()
	RET()
}

// An elementwise operation: its vector and scalar instructions.
type elementwise struct {
	name         string
	vec64, vec32 func(a, b, dst Op)
	sca64, sca32 func(a, b, dst Op)
}

var elementwiseOps = []elementwise{
	{"Add", func(a, b, d Op) { VADDPD(a, b, d) }, func(a, b, d Op) { VADDPS(a, b, d) }, func(a, b, d Op) { VADDSD(a, b, d) }, func(a, b, d Op) { VADDSS(a, b, d) }},
	{"Sub", func(a, b, d Op) { VSUBPD(a, b, d) }, func(a, b, d Op) { VSUBPS(a, b, d) }, func(a, b, d Op) { VSUBSD(a, b, d) }, func(a, b, d Op) { VSUBSS(a, b, d) }},
	{"Mul", func(a, b, d Op) { VMULPD(a, b, d) }, func(a, b, d Op) { VMULPS(a, b, d) }, func(a, b, d Op) { VMULSD(a, b, d) }, func(a, b, d Op) { VMULSS(a, b, d) }},
	{"Div", func(a, b, d Op) { VDIVPD(a, b, d) }, func(a, b, d Op) { VDIVPS(a, b, d) }, func(a, b, d Op) { VDIVSD(a, b, d) }, func(a, b, d Op) { VDIVSS(a, b, d) }},
}

// The forms of an elementwise kernel: both operands vectors, or one of them
// a scalar broadcast to every element.
const (
	vectorVector = iota // dst[i] = x[i] ∘ y[i]
	vectorScalar        // dst[i] = x[i] ∘ s
	scalarVector        // dst[i] = s ∘ x[i]
)

// elementwiseKernel generates dst[i] = x[i] ∘ y[i] (or with a scalar) for
// every i < len(dst): one correctly rounded operation per element, so the
// result is the same bit for bit as a Go loop's.
func elementwiseKernel(p precision, e elementwise, form int) {
	suffix := [...]string{"VV", "VS", "SV"}[form]
	name := fmt.Sprintf("%s%s%s", strings.ToLower(e.name), suffix, p.name)
	sig := map[int]string{
		vectorVector: "func(dst, x, y []%[1]s, alpha %[1]s)",
		vectorScalar: "func(dst, x []%[1]s, s %[1]s)",
		scalarVector: "func(dst, x []%[1]s, s %[1]s)",
	}[form]
	TEXT(name, NOSPLIT, fmt.Sprintf(sig, p.goType))
	Doc(fmt.Sprintf("%s sets dst[i] = %s for i < len(dst).", name, map[int]string{
		vectorVector: "(x[i] " + e.name + " y[i])·alpha", vectorScalar: "x[i] " + e.name + " s", scalarVector: "s " + e.name + " x[i]"}[form]))
	Pragma("noescape")
	vec, sca := e.vec64, e.sca64
	if p.size == 4 {
		vec, sca = e.vec32, e.sca32
	}
	n := Load(Param("dst").Len(), GP64())
	dst := Load(Param("dst").Base(), GP64())
	x := Load(Param("x").Base(), GP64())
	var y Register
	var s, alpha VecVirtual
	if form == vectorVector {
		y = Load(Param("y").Base(), GP64())
		ax := Load(Param("alpha"), XMM())
		alpha = YMM()
		if p.size == 8 {
			VBROADCASTSD(ax, alpha)
		} else {
			VBROADCASTSS(ax, alpha)
		}
	} else {
		sx := Load(Param("s"), XMM())
		s = YMM()
		if p.size == 8 {
			VBROADCASTSD(sx, s)
		} else {
			VBROADCASTSS(sx, s)
		}
	}
	const unroll = 4
	block := unroll * 32 / p.size // elements per iteration
	Label(name + "_block")
	CMPQ(n, U32(block))
	JL(LabelRef(name + "_vector"))
	for u := 0; u < unroll; u++ {
		r := YMM()
		p.load(Mem{Base: x, Disp: 32 * u}, r)
		switch form {
		case vectorVector:
			vec(Mem{Base: y, Disp: 32 * u}, r, r)
			p.mul(alpha, r, r)
		case vectorScalar:
			vec(s, r, r)
		case scalarVector:
			vec(r, s, r)
		}
		p.store(r, Mem{Base: dst, Disp: 32 * u})
	}
	for _, ptr := range []Register{dst, x, y} {
		if ptr != nil {
			ADDQ(U32(unroll*32), ptr)
		}
	}
	SUBQ(U32(block), n)
	JMP(LabelRef(name + "_block"))

	Label(name + "_vector")
	CMPQ(n, U32(32/p.size))
	JL(LabelRef(name + "_scalar"))
	r := YMM()
	p.load(Mem{Base: x}, r)
	switch form {
	case vectorVector:
		vec(Mem{Base: y}, r, r)
		p.mul(alpha, r, r)
	case vectorScalar:
		vec(s, r, r)
	case scalarVector:
		vec(r, s, r)
	}
	p.store(r, Mem{Base: dst})
	for _, ptr := range []Register{dst, x, y} {
		if ptr != nil {
			ADDQ(U32(32), ptr)
		}
	}
	SUBQ(U32(32/p.size), n)
	JMP(LabelRef(name + "_vector"))

	Label(name + "_scalar")
	TESTQ(n, n)
	JE(LabelRef(name + "_done"))
	xs := XMM()
	if p.size == 8 {
		MOVSD(Mem{Base: x}, xs)
	} else {
		MOVSS(Mem{Base: x}, xs)
	}
	switch form {
	case vectorVector:
		ys := XMM()
		if p.size == 8 {
			MOVSD(Mem{Base: y}, ys)
		} else {
			MOVSS(Mem{Base: y}, ys)
		}
		sca(ys, xs, xs)
		if p.size == 8 {
			VMULSD(alpha.AsX(), xs, xs)
		} else {
			VMULSS(alpha.AsX(), xs, xs)
		}
	case vectorScalar:
		sca(s.AsX(), xs, xs)
	case scalarVector:
		sca(xs, s.AsX(), xs)
	}
	if p.size == 8 {
		MOVSD(xs, Mem{Base: dst})
	} else {
		MOVSS(xs, Mem{Base: dst})
	}
	for _, ptr := range []Register{dst, x, y} {
		if ptr != nil {
			ADDQ(U32(p.size), ptr)
		}
	}
	DECQ(n)
	JMP(LabelRef(name + "_scalar"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// outerHadamardKernel generates the row kernel of C = alpha·A ⊙ (u·vᵀ):
// dst[j] = (a[j]·(u·v[j]))·alpha, each product rounded in that order, which
// is the outer product followed by the elementwise product, bit for bit.
func outerHadamardKernel(p precision) {
	name := "outerHadamardRow" + p.name
	TEXT(name, NOSPLIT, fmt.Sprintf("func(dst, a, v []%[1]s, u, alpha %[1]s)", p.goType))
	Doc(name + " sets dst[j] = (a[j]·(u·v[j]))·alpha for j < len(dst).")
	Pragma("noescape")
	n := Load(Param("dst").Len(), GP64())
	dst := Load(Param("dst").Base(), GP64())
	a := Load(Param("a").Base(), GP64())
	v := Load(Param("v").Base(), GP64())
	ux, ax := Load(Param("u"), XMM()), Load(Param("alpha"), XMM())
	u, alpha := YMM(), YMM()
	if p.size == 8 {
		VBROADCASTSD(ux, u)
		VBROADCASTSD(ax, alpha)
	} else {
		VBROADCASTSS(ux, u)
		VBROADCASTSS(ax, alpha)
	}
	lanes := 32 / p.size
	Label(name + "_vector")
	CMPQ(n, U32(lanes))
	JL(LabelRef(name + "_scalar"))
	r, t := YMM(), YMM()
	p.load(Mem{Base: v}, r)
	p.mul(r, u, r) // u·v[j]
	p.load(Mem{Base: a}, t)
	p.mul(r, t, r) // a[j]·(u·v[j])
	p.mul(alpha, r, r)
	p.store(r, Mem{Base: dst})
	for _, ptr := range []Register{dst, a, v} {
		ADDQ(U32(32), ptr)
	}
	SUBQ(U32(lanes), n)
	JMP(LabelRef(name + "_vector"))

	Label(name + "_scalar")
	TESTQ(n, n)
	JE(LabelRef(name + "_done"))
	xs, ts := XMM(), XMM()
	if p.size == 8 {
		MOVSD(Mem{Base: v}, xs)
		VMULSD(xs, u.AsX(), xs)
		MOVSD(Mem{Base: a}, ts)
		VMULSD(xs, ts, xs)
		VMULSD(alpha.AsX(), xs, xs)
		MOVSD(xs, Mem{Base: dst})
	} else {
		MOVSS(Mem{Base: v}, xs)
		VMULSS(xs, u.AsX(), xs)
		MOVSS(Mem{Base: a}, ts)
		VMULSS(xs, ts, xs)
		VMULSS(alpha.AsX(), xs, xs)
		MOVSS(xs, Mem{Base: dst})
	}
	for _, ptr := range []Register{dst, a, v} {
		ADDQ(U32(p.size), ptr)
	}
	DECQ(n)
	JMP(LabelRef(name + "_scalar"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// outerHadamard2Kernel generates the row kernel of
// C = alpha·A ⊙ (u1·v1ᵀ + u2·v2ᵀ): dst[j] = (a[j]·((u1·v1[j]) + (u2·v2[j])))·alpha,
// rounded in that order: two outer products, their sum and the elementwise
// product, bit for bit.
func outerHadamard2Kernel(p precision) {
	name := "outerHadamard2Row" + p.name
	TEXT(name, NOSPLIT, fmt.Sprintf("func(dst, a, v1, v2 []%[1]s, u1, u2, alpha %[1]s)", p.goType))
	Doc(name + " sets dst[j] = (a[j]·((u1·v1[j]) + (u2·v2[j])))·alpha for j < len(dst).")
	Pragma("noescape")
	n := Load(Param("dst").Len(), GP64())
	dst := Load(Param("dst").Base(), GP64())
	a := Load(Param("a").Base(), GP64())
	v1 := Load(Param("v1").Base(), GP64())
	v2 := Load(Param("v2").Base(), GP64())
	bcast := func(name string) VecVirtual {
		x, y := Load(Param(name), XMM()), YMM()
		if p.size == 8 {
			VBROADCASTSD(x, y)
		} else {
			VBROADCASTSS(x, y)
		}
		return y
	}
	u1, u2, alpha := bcast("u1"), bcast("u2"), bcast("alpha")
	lanes := 32 / p.size
	Label(name + "_vector")
	CMPQ(n, U32(lanes))
	JL(LabelRef(name + "_scalar"))
	r, t := YMM(), YMM()
	p.load(Mem{Base: v1}, r)
	p.mul(r, u1, r) // u1·v1[j]
	p.load(Mem{Base: v2}, t)
	p.mul(t, u2, t) // u2·v2[j]
	p.add(t, r, r)
	p.load(Mem{Base: a}, t)
	p.mul(r, t, r)
	p.mul(alpha, r, r)
	p.store(r, Mem{Base: dst})
	for _, ptr := range []Register{dst, a, v1, v2} {
		ADDQ(U32(32), ptr)
	}
	SUBQ(U32(lanes), n)
	JMP(LabelRef(name + "_vector"))

	Label(name + "_scalar")
	TESTQ(n, n)
	JE(LabelRef(name + "_done"))
	xs, ts := XMM(), XMM()
	if p.size == 8 {
		MOVSD(Mem{Base: v1}, xs)
		VMULSD(xs, u1.AsX(), xs)
		MOVSD(Mem{Base: v2}, ts)
		VMULSD(ts, u2.AsX(), ts)
		VADDSD(ts, xs, xs)
		MOVSD(Mem{Base: a}, ts)
		VMULSD(xs, ts, xs)
		VMULSD(alpha.AsX(), xs, xs)
		MOVSD(xs, Mem{Base: dst})
	} else {
		MOVSS(Mem{Base: v1}, xs)
		VMULSS(xs, u1.AsX(), xs)
		MOVSS(Mem{Base: v2}, ts)
		VMULSS(ts, u2.AsX(), ts)
		VADDSS(ts, xs, xs)
		MOVSS(Mem{Base: a}, ts)
		VMULSS(xs, ts, xs)
		VMULSS(alpha.AsX(), xs, xs)
		MOVSS(xs, Mem{Base: dst})
	}
	for _, ptr := range []Register{dst, a, v1, v2} {
		ADDQ(U32(p.size), ptr)
	}
	DECQ(n)
	JMP(LabelRef(name + "_scalar"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

// sum3Kernel generates dst[i] = (x[i] + y[i]) + z[i], two additions rounded
// in that order.
func sum3Kernel(p precision) {
	name := "sum3" + p.name
	TEXT(name, NOSPLIT, fmt.Sprintf("func(dst, x, y, z []%[1]s)", p.goType))
	Doc(name + " sets dst[i] = (x[i] + y[i]) + z[i] for i < len(dst).")
	Pragma("noescape")
	n := Load(Param("dst").Len(), GP64())
	ptrs := []Register{Load(Param("dst").Base(), GP64()), Load(Param("x").Base(), GP64()), Load(Param("y").Base(), GP64()), Load(Param("z").Base(), GP64())}
	dst, x, y, z := ptrs[0], ptrs[1], ptrs[2], ptrs[3]
	lanes := 32 / p.size
	Label(name + "_vector")
	CMPQ(n, U32(lanes))
	JL(LabelRef(name + "_scalar"))
	r := YMM()
	p.load(Mem{Base: x}, r)
	if p.size == 8 {
		VADDPD(Mem{Base: y}, r, r)
		VADDPD(Mem{Base: z}, r, r)
	} else {
		VADDPS(Mem{Base: y}, r, r)
		VADDPS(Mem{Base: z}, r, r)
	}
	p.store(r, Mem{Base: dst})
	for _, ptr := range ptrs {
		ADDQ(U32(32), ptr)
	}
	SUBQ(U32(lanes), n)
	JMP(LabelRef(name + "_vector"))

	Label(name + "_scalar")
	TESTQ(n, n)
	JE(LabelRef(name + "_done"))
	xs := XMM()
	if p.size == 8 {
		MOVSD(Mem{Base: x}, xs)
		ADDSD(Mem{Base: y}, xs)
		ADDSD(Mem{Base: z}, xs)
		MOVSD(xs, Mem{Base: dst})
	} else {
		MOVSS(Mem{Base: x}, xs)
		ADDSS(Mem{Base: y}, xs)
		ADDSS(Mem{Base: z}, xs)
		MOVSS(xs, Mem{Base: dst})
	}
	for _, ptr := range ptrs {
		ADDQ(U32(p.size), ptr)
	}
	DECQ(n)
	JMP(LabelRef(name + "_scalar"))

	Label(name + "_done")
	VZEROUPPER()
	RET()
}

func main() {
	ConstraintExpr("amd64,!purego")
	for _, p := range []precision{f64, f32} {
		for mr := 1; mr <= maxRows; mr++ {
			for nvec := 1; nvec <= 2; nvec++ {
				gemmKernel(p, mr, nvec, false)
				gemmKernel(p, mr, nvec, true)
			}
		}
		rowKernel(p, false)
		rowKernel(p, true)
		for _, mr := range []int{1, 4} {
			dotKernel(p, mr)
		}
		outerHadamardKernel(p)
		outerHadamard2Kernel(p)
		sum3Kernel(p)
		for _, e := range elementwiseOps {
			for form := vectorVector; form <= scalarVector; form++ {
				elementwiseKernel(p, e, form)
			}
		}
	}
	Generate()
}

// Command _asm generates the AVX2/FMA assembly of package kernel with avo:
//
//	cd internal/kernel/_asm && go run . -out ../kernels_amd64.s -stubs ../kernels_amd64.go -pkg kernel
//
// (or go generate ./internal/kernel). It lives in a module of its own so that
// avo is a dependency of the generator only, not of igr.
//
// The stubs file also gets the tables of the kernels that package kernel
// drives, those of C = alpha·op(A)·B (kernelsD, kernelsS) and those that
// stream through memory (elementwiseD, elementwiseS), so that their names
// are written only here.
//
// The micro-kernels compute one register tile of C = alpha·op(A)·B with B
// and C row-major. A is addressed through two strides, so one kernel serves
// A and Aᵀ: element (r, l) of op(A) is a[r·ars + l·acs]. Each output is one
// sum over l = 0, 1, …, k−1 in that order, one fused multiply-add per term,
// then a multiplication by alpha: the result does not depend on the tile
// sizes, on how the tiles are split between goroutines, or on the masks.
package main

import (
	"flag"
	"fmt"
	"go/format"
	"os"
	"slices"
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

// either returns the float64 form of an instruction (or value) for float64
// code and the float32 form for float32 code.
func either[T any](p precision, double, single T) T {
	if p.size == 8 {
		return double
	}
	return single
}

func (p precision) shift() uint64 { return either[uint64](p, 3, 2) }

// The packed instructions of the precision, in avo's operand order.
func (p precision) load(m Mem, r VecVirtual)           { either(p, VMOVUPD, VMOVUPS)(m, r) }
func (p precision) store(r VecVirtual, m Mem)          { either(p, VMOVUPD, VMOVUPS)(r, m) }
func (p precision) maskLoad(m Mem, mask, r VecVirtual) { either(p, VMASKMOVPD, VMASKMOVPS)(m, mask, r) }
func (p precision) maskStore(r, mask VecVirtual, m Mem) {
	either(p, VMASKMOVPD, VMASKMOVPS)(r, mask, m)
}
func (p precision) broadcast(x Op, r VecVirtual) { either(p, VBROADCASTSD, VBROADCASTSS)(x, r) }
func (p precision) fma(a Op, b, acc VecVirtual)  { either(p, VFMADD231PD, VFMADD231PS)(a, b, acc) }
func (p precision) mul(a, b, dst VecVirtual)     { either(p, VMULPD, VMULPS)(a, b, dst) }
func (p precision) add(a, b, dst VecVirtual)     { either(p, VADDPD, VADDPS)(a, b, dst) }
func (p precision) sub(a, b, dst VecVirtual)     { either(p, VSUBPD, VSUBPS)(a, b, dst) }
func (p precision) zero(r VecVirtual)            { either(p, VXORPD, VXORPS)(r, r, r) }

// moveScalar moves the lowest element between memory and an XMM register.
func (p precision) moveScalar(from, to Op) { either(p, MOVSD, MOVSS)(from, to) }

// bytes turns an element count held in a register into bytes, in place.
func (p precision) bytes(r Register) { SHLQ(U8(p.shift()), r) }

// maxRows is the height of the largest register tile: 6 rows × 2 vectors
// = 12 accumulators, plus two for a row of B and one broadcast.
const maxRows = 6

// beginGemm starts the kernel of a rows×cols block of C, gemmKernel's or
// rowKernel's: its name (gemmD4x8, gemmS1x64Masked, …), its signature, the
// one of every kernel of C = alpha·op(A)·B, and its doc, "<name> sets the
// rows×cols <block> at c to <sum>". It returns the name.
func beginGemm(p precision, rows, cols int, masked bool, block, sum string) string {
	name := fmt.Sprintf("gemm%s%dx%d", p.name, rows, cols)
	if masked {
		name += "Masked"
	}
	TEXT(name, NOSPLIT, fmt.Sprintf("func(k int, alpha %[1]s, a *%[1]s, ars, acs int, b *%[1]s, ldb int, c *%[1]s, ldc int, mask *%[2]s)", p.goType, p.mask))
	Doc(fmt.Sprintf("%s sets the %d×%d %s at c to %s; see gemmTile.", name, rows, cols, block, sum))
	Pragma("noescape")
	return name
}

// gemmKernel generates the mr×(nvec·lanes) tile kernel, nvec = 1 or 2, and
// returns its name; masked kernels read and write only the columns whose
// mask element is all ones.
func gemmKernel(p precision, mr, nvec int, masked bool) string {
	name := beginGemm(p, mr, nvec*p.lanes, masked, "tile", "alpha·Σ_l op(a)[r][l]·b[l][:]")

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
	storeScaled(p, acc, c, ldc, mask, t, bv)
	return name
}

// storeScaled ends a kernel of C = alpha·op(A)·B, gemmKernel's or
// rowKernel's: it multiplies every accumulator acc[r][v] by alpha,
// broadcast into t, and stores it as vector v of row r of the block at c,
// rows ldc bytes apart (ldc is not used for a single row). With a mask
// (not nil), vector v of the mask is loaded into scratch[v] and only the
// elements it selects are written.
func storeScaled(p precision, acc [][]VecVirtual, c, ldc, mask Register, t VecVirtual, scratch []VecVirtual) {
	alpha := Load(Param("alpha"), XMM())
	p.broadcast(alpha, t)
	for r := range acc {
		for v := range acc[r] {
			p.mul(t, acc[r][v], acc[r][v])
			dst := Mem{Base: c, Disp: 32 * v}
			if mask != nil {
				p.load(Mem{Base: mask, Disp: 32 * v}, scratch[v])
				p.maskStore(acc[r][v], scratch[v], dst)
			} else {
				p.store(acc[r][v], dst)
			}
		}
		if r < len(acc)-1 {
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
// products with m = 1 (among them Aᵀ·x, computed as xᵀ·A), and returns its
// name. Same signature and order of summation as gemmKernel.
func rowKernel(p precision, masked bool) string {
	name := beginGemm(p, 1, rowVectors*p.lanes, masked, "row", "alpha·Σ_l a[l·acs]·b[l][:]")
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
			p.fma(off, t, acc[v])
		}
	}
	ADDQ(acs, a)
	ADDQ(ldb, b)
	DECQ(k)
	JNE(LabelRef(name + "_loop"))

	Label(name + "_store")
	c := Load(Param("c"), GP64())
	storeScaled(p, [][]VecVirtual{acc}, c, nil, mask, t, slices.Repeat([]VecVirtual{bv}, rowVectors))
	return name
}

// dotKernel generates the kernel that sets c[r] = alpha·Σ_l a[r·lda+l]·x[l]
// for mr rows: a matrix–vector product with A row-major. Each row is summed
// in lanes·accs interleaved partial sums, which are then added in a fixed
// order; the last k mod lanes terms are read with a mask. It returns the
// kernel's name.
func dotKernel(p precision, mr int) string {
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
	return name
}

// stream generates a kernel that computes dst[i] for every i < len(dst)
// from the i-th elements of the slices named in, and the scalars named in
// scalars (broadcast), by body. body emits packed instructions (p.add,
// p.mul, …) on the registers it is given and returns the register holding
// the result: in the main loop they are YMM registers holding whole vectors
// (the loop unrolled four times), in the tail XMM registers of which only
// the lowest element counts, so every element is computed by the same
// correctly rounded operations in the same order. It returns name.
func stream(p precision, name, sig, doc string, in, scalars []string, body func(x, s []VecVirtual) VecVirtual) string {
	TEXT(name, NOSPLIT, fmt.Sprintf(sig, p.goType))
	Doc(name + " sets " + doc + " for i < len(dst).")
	Pragma("noescape")
	n := Load(Param("dst").Len(), GP64())
	ptrs := []Register{Load(Param("dst").Base(), GP64())}
	for _, name := range in {
		ptrs = append(ptrs, Load(Param(name).Base(), GP64()))
	}
	bc := make([]VecVirtual, len(scalars))
	for i, name := range scalars {
		x := Load(Param(name), XMM())
		bc[i] = YMM()
		p.broadcast(x, bc[i])
	}
	lanes := 32 / p.size
	// pass emits the computation of count vectors (or one element when
	// scalar) and advances the pointers.
	pass := func(count int, scalar bool) {
		for u := 0; u < count; u++ {
			x := make([]VecVirtual, len(in))
			for i := range in {
				m := Mem{Base: ptrs[i+1], Disp: 32 * u}
				if scalar {
					x[i] = XMM()
					p.moveScalar(m, x[i])
				} else {
					x[i] = YMM()
					p.load(m, x[i])
				}
			}
			s := bc
			if scalar {
				s = make([]VecVirtual, len(bc))
				for i, r := range bc {
					s[i] = r.AsX().(VecVirtual)
				}
			}
			r := body(x, s)
			dst := Mem{Base: ptrs[0], Disp: 32 * u}
			if scalar {
				p.moveScalar(r, dst)
			} else {
				p.store(r, dst)
			}
		}
		step := count * 32
		if scalar {
			step = p.size
		}
		for _, ptr := range ptrs {
			ADDQ(U32(step), ptr)
		}
	}
	const unroll = 4
	for _, loop := range []struct {
		label    string
		elements int
		vectors  int
		next     string
	}{{"_block", unroll * lanes, unroll, "_vector"}, {"_vector", lanes, 1, "_scalar"}, {"_scalar", 1, 0, "_done"}} {
		Label(name + loop.label)
		CMPQ(n, U32(loop.elements))
		JL(LabelRef(name + loop.next))
		pass(max(loop.vectors, 1), loop.vectors == 0)
		SUBQ(U32(loop.elements), n)
		JMP(LabelRef(name + loop.label))
	}
	Label(name + "_done")
	VZEROUPPER()
	RET()
	return name
}

// An arithmetic operation of the elementwise kernels: its packed
// instructions (dst = x ∘ y is op(y, x, dst) in avo's operand order).
type arith struct {
	name     string
	pd, ps   func(...Op)
	commutes bool
}

// ariths are in the order of package kernel's Arith.
var ariths = [...]arith{
	{"Add", VADDPD, VADDPS, true},
	{"Sub", VSUBPD, VSUBPS, false},
	{"Mul", VMULPD, VMULPS, true},
	{"Div", VDIVPD, VDIVPS, false},
}

// The signatures of the elementwise kernels, %[1]s standing for the element
// type: vector ∘ vector, and vector ∘ scalar or scalar ∘ vector.
const (
	vvSignature     = "func(dst, x, y []%[1]s, alpha %[1]s)"
	scalarSignature = "func(dst, x []%[1]s, s %[1]s)"
)

// elementwiseKernels generates, for op ∘, dst[i] = (x[i] ∘ y[i])·alpha
// (VV), x[i] ∘ s (VS) and s ∘ x[i] (SV): correctly rounded operations, so
// the results are a Go loop's bit for bit. It returns the kernels' names.
func elementwiseKernels(p precision, a arith) (vv, vs, sv string) {
	op := either(p, a.pd, a.ps)
	lower := strings.ToLower(a.name)
	vv = stream(p, lower+"VV"+p.name, vvSignature, "dst[i] = (x[i] "+a.name+" y[i])·alpha",
		[]string{"x", "y"}, []string{"alpha"}, func(x, s []VecVirtual) VecVirtual {
			op(x[1], x[0], x[0])
			p.mul(s[0], x[0], x[0])
			return x[0]
		})
	vs = stream(p, lower+"VS"+p.name, scalarSignature, "dst[i] = x[i] "+a.name+" s",
		[]string{"x"}, []string{"s"}, func(x, s []VecVirtual) VecVirtual {
			op(s[0], x[0], x[0])
			return x[0]
		})
	sv = stream(p, lower+"SV"+p.name, scalarSignature, "dst[i] = s "+a.name+" x[i]",
		[]string{"x"}, []string{"s"}, func(x, s []VecVirtual) VecVirtual {
			op(x[0], s[0], x[0])
			return x[0]
		})
	return vv, vs, sv
}

// fusedKernels generates the kernels of the passes package machine fuses:
// a row of alpha·A ⊙ (u·vᵀ) and of alpha·A ⊙ (u1·v1ᵀ + u2·v2ᵀ), with every
// product and sum rounded in the order the unfused ops round them, and
// (x + y) + z; and the gradient step w − lr·g, product and difference
// rounded apart as Go's w -= lr*g. It returns the kernels' names.
func fusedKernels(p precision) (outer, outer2, descend, sum3 string) {
	outer = stream(p, "outerHadamardRow"+p.name, "func(dst, a, v []%[1]s, u, alpha %[1]s)", "dst[j] = (a[j]·(u·v[j]))·alpha",
		[]string{"a", "v"}, []string{"u", "alpha"}, func(x, s []VecVirtual) VecVirtual {
			p.mul(x[1], s[0], x[1]) // u·v[j]
			p.mul(x[1], x[0], x[0]) // a[j]·(u·v[j])
			p.mul(s[1], x[0], x[0])
			return x[0]
		})
	outer2 = stream(p, "outerHadamard2Row"+p.name, "func(dst, a, v1, v2 []%[1]s, u1, u2, alpha %[1]s)", "dst[j] = (a[j]·((u1·v1[j]) + (u2·v2[j])))·alpha",
		[]string{"a", "v1", "v2"}, []string{"u1", "u2", "alpha"}, func(x, s []VecVirtual) VecVirtual {
			p.mul(x[1], s[0], x[1]) // u1·v1[j]
			p.mul(x[2], s[1], x[2]) // u2·v2[j]
			p.add(x[2], x[1], x[1])
			p.mul(x[1], x[0], x[0])
			p.mul(s[2], x[0], x[0])
			return x[0]
		})
	descend = stream(p, "descend"+p.name, "func(dst, w, g []%[1]s, lr %[1]s)", "dst[i] = w[i] − lr·g[i]",
		[]string{"w", "g"}, []string{"lr"}, func(x, s []VecVirtual) VecVirtual {
			p.mul(s[0], x[1], x[1]) // lr·g[i]
			p.sub(x[1], x[0], x[0]) // w[i] − lr·g[i]
			return x[0]
		})
	sum3 = stream(p, "sum3"+p.name, "func(dst, x, y, z []%[1]s)", "dst[i] = (x[i] + y[i]) + z[i]",
		[]string{"x", "y", "z"}, nil, func(x, s []VecVirtual) VecVirtual {
			p.add(x[1], x[0], x[0])
			p.add(x[2], x[0], x[0])
			return x[0]
		})
	return outer, outer2, descend, sum3
}

// matmulKernels are the names of the kernels of C = alpha·op(A)·B of one
// precision, as package kernel's avx2Kernels holds them.
type matmulKernels struct {
	full, masked               [maxRows][2]string // [rows-1][nvec-1]
	row, rowMasked, dot4, dot1 string
}

// goSource is the declaration of the table of the kernels, kernelsD or
// kernelsS.
func (m matmulKernels) goSource(p precision) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n// kernels%[1]s lists the %[2]s kernels of C = alpha·op(A)·B declared above.\nvar kernels%[1]s = avx2Kernels[%[2]s, %[3]s]{\n", p.name, p.goType, p.mask)
	for _, tiles := range []struct {
		field string
		names [maxRows][2]string
	}{{"full", m.full}, {"masked", m.masked}} {
		fmt.Fprintf(&b, "%s: [...][2]gemmFunc[%s, %s]{\n", tiles.field, p.goType, p.mask)
		for _, r := range tiles.names {
			fmt.Fprintf(&b, "{%s, %s},\n", r[0], r[1])
		}
		b.WriteString("},\n")
	}
	fmt.Fprintf(&b, "row: %s, rowMasked: %s,\ndot4: %s, dot1: %s,\n}\n", m.row, m.rowMasked, m.dot4, m.dot1)
	return b.String()
}

// streamKernels are the names of the kernels of one precision that stream
// through memory, as package kernel's streams holds them.
type streamKernels struct {
	vv, vs, sv                   [len(ariths)]string // indexed as ariths
	outer, outer2, sum3, descend string
}

// goSource is the declaration of the table of the kernels, elementwiseD or
// elementwiseS.
func (s streamKernels) goSource(p precision) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n// elementwise%[1]s lists the %[2]s kernels that stream through memory declared above.\nvar elementwise%[1]s = streams[%[2]s]{\n", p.name, p.goType)
	for _, ops := range []struct {
		field, signature string
		names            [len(ariths)]string
	}{{"vv", vvSignature, s.vv}, {"vs", scalarSignature, s.vs}, {"sv", scalarSignature, s.sv}} {
		fmt.Fprintf(&b, "%s: [...]%s{%s},\n", ops.field, fmt.Sprintf(ops.signature, p.goType), strings.Join(ops.names[:], ", "))
	}
	fmt.Fprintf(&b, "outer: %s,\nouter2: %s,\nsum3: %s,\ndescend: %s,\n}\n", s.outer, s.outer2, s.sum3, s.descend)
	return b.String()
}

// appendToStubs adds Go declarations to the stubs file avo has written, the
// file of the flag -stubs, and formats it.
func appendToStubs(decls string) error {
	path := flag.Lookup("stubs").Value.String()
	src, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	src, err = format.Source(append(src, decls...))
	if err != nil {
		return err
	}
	return os.WriteFile(path, src, 0o644)
}

func main() {
	ConstraintExpr("amd64,!purego")
	var tables string
	for _, p := range []precision{f64, f32} {
		var m matmulKernels
		for mr := 1; mr <= maxRows; mr++ {
			for nvec := 1; nvec <= 2; nvec++ {
				m.full[mr-1][nvec-1] = gemmKernel(p, mr, nvec, false)
				m.masked[mr-1][nvec-1] = gemmKernel(p, mr, nvec, true)
			}
		}
		m.row, m.rowMasked = rowKernel(p, false), rowKernel(p, true)
		m.dot1, m.dot4 = dotKernel(p, 1), dotKernel(p, 4)
		tables += m.goSource(p)
		var s streamKernels
		s.outer, s.outer2, s.descend, s.sum3 = fusedKernels(p)
		for i, a := range ariths {
			s.vv[i], s.vs[i], s.sv[i] = elementwiseKernels(p, a)
		}
		tables += s.goSource(p)
	}
	Generate()
	if err := appendToStubs(tables); err != nil {
		fmt.Fprintln(os.Stderr, "_asm:", err)
		os.Exit(1)
	}
}

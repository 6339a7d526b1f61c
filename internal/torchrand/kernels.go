package torchrand

import "math"

// The functions in this file evaluate, one lane at a time, the float32 code
// of normal_fill_16_AVX2 (DistributionTemplates.h) and of log256_ps and
// sincos256_ps (avx_mathfun.h). Every float32 operation is written with an
// explicit conversion so that the Go compiler cannot fuse it; the fused
// multiply-adds that GCC forms in the original are spelled out with fma32.

// fma32 returns a*b+c rounded once to float32, like vfmadd*ps.
func fma32(a, b, c float32) float32 {
	// The product of two float32 values is exact in float64, so s is the
	// exact result rounded to float64. Rounding s to float32 then equals
	// rounding the exact result, unless s lies exactly halfway between two
	// float32 values and is inexact; that rare case is settled by the exact
	// error of the float64 sum (TwoSum).
	s := math.FMA(float64(a), float64(b), float64(c))
	if math.Float64bits(s)&(1<<29-1) != 1<<28 {
		return float32(s)
	}
	p := float64(float64(a) * float64(b))
	q := float64(c)
	s = float64(p + q)
	bv := float64(s - p)
	e := float64(p-float64(s-bv)) + float64(q-bv)
	if e > 0 {
		s = math.Nextafter(s, math.Inf(1))
	} else if e < 0 {
		s = math.Nextafter(s, math.Inf(-1))
	}
	return float32(s)
}

// Constants of avx_mathfun.h, rounded to float32 as the _PS256_CONST arrays are.
const (
	sqrtHalf = float32(0.707106781186547524)
	logQ1    = float32(-2.12194440e-4)
	logQ2    = float32(0.693359375)

	minusDP1 = float32(-0.78515625)
	minusDP2 = float32(-2.4187564849853515625e-4)
	minusDP3 = float32(-3.77489497744594108e-8)
	fourOpi  = float32(1.27323954473516)

	// twoPi is _mm256_set1_ps(2.0f * c10::pi<double>).
	twoPi = float32(2 * math.Pi)
)

// The polynomials of avx_mathfun.h (log_p0…log_p8, sincof_p0…p2 and
// coscof_p0…p2), highest degree first, rounded to float32 as the
// _PS256_CONST arrays are.
var (
	logP = [...]float32{7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1,
		-1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1}
	sinP = [...]float32{-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1}
	cosP = [...]float32{2.443315711809948e-005, -1.388731625493765e-003, 4.166664568298827e-002}
)

// horner evaluates the polynomial p, highest degree first, at x by Horner's
// rule, one fused multiply-add a degree as the vector code does:
// (…(p[0]·x + p[1])·x + …)·x + p[len(p)−1].
func horner(p []float32, x float32) float32 {
	y := fma32(p[0], x, p[1])
	for _, c := range p[2:] {
		y = fma32(y, x, c)
	}
	return y
}

// log256 is one lane of log256_ps for x > 0 (the inputs here are in (0, 1]).
func log256(x float32) float32 {
	bits := math.Float32bits(x)
	e := float32(int32(bits>>23)-0x7f) + 1
	x = math.Float32frombits(bits&^0x7f800000 | math.Float32bits(0.5))
	if x < sqrtHalf {
		e--
		x = float32(x-1) + x
	} else {
		x--
	}
	z := float32(x * x)
	y := float32(horner(logP[:], x) * x)
	y = fma32(y, z, float32(e*logQ1))
	y = fma32(-z, 0.5, y)
	return fma32(e, logQ2, float32(x+y))
}

// sincos256 is one lane of sincos256_ps for 0 <= x < 2π.
func sincos256(x float32) (sin, cos float32) {
	signSin := math.Float32bits(x) & 0x80000000
	x = math.Float32frombits(math.Float32bits(x) &^ 0x80000000)
	j := (int32(float32(x*fourOpi)) + 1) &^ 1
	y := float32(j)
	signSin ^= uint32(j&4) << 29
	signCos := uint32(^(j-2)&4) << 29
	sinFirst := j&2 == 0

	// Extended precision modular arithmetic, x = ((x - y*DP1) - y*DP2) - y*DP3.
	x = fma32(y, minusDP1, x)
	x = fma32(y, minusDP2, x)
	x = fma32(y, minusDP3, x)

	z := float32(x * x)
	yc := float32(horner(cosP[:], z) * z)
	yc = fma32(yc, z, -float32(z*0.5))
	yc = float32(yc + 1)

	ys := float32(horner(sinP[:], z) * z)
	ys = fma32(ys, x, x)

	// The vector code selects with bit masks and adds a +0 from the
	// unselected polynomial.
	if sinFirst {
		sin, cos = float32(ys+0), float32(yc+0)
	} else {
		sin, cos = float32(yc+0), float32(ys+0)
	}
	sin = math.Float32frombits(math.Float32bits(sin) ^ signSin)
	cos = math.Float32frombits(math.Float32bits(cos) ^ signCos)
	return sin, cos
}

// normalFill16 is normal_fill_16_AVX2: d holds 16 uniforms in [0, 1) and
// receives 16 normal samples.
func normalFill16(d []float32, mean, std float32) {
	d = d[:16]
	for j := range 8 {
		u1 := float32(1 - d[j])
		u2 := d[j+8]
		radius := float32(math.Sqrt(float64(float32(-2 * log256(u1)))))
		theta := float32(twoPi * u2)
		s, c := sincos256(theta)
		d[j] = fma32(float32(radius*c), std, mean)
		d[j+8] = fma32(float32(radius*s), std, mean)
	}
}

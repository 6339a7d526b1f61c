package torchrand

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Generator is a PyTorch 1.13 CPU generator: an mt19937 engine plus the
// Box–Muller samples cached between scalar normal draws. The zero value is
// not ready for use; create one with New.
type Generator struct {
	engine mt19937

	// nextDouble is CPUGeneratorImpl::next_double_normal_sample_, the
	// second value of the last scalar Box–Muller pair.
	nextDouble      float64
	nextDoubleValid bool

	// nextFloat is next_float_normal_sample_. No float32 path of this
	// package uses it; it is kept so that SetState and State round-trip.
	nextFloat      float32
	nextFloatValid bool
}

// New returns a generator in the state torch.manual_seed(seed) leaves the
// default CPU generator in.
func New(seed uint64) *Generator {
	g := new(Generator)
	g.ManualSeed(seed)
	return g
}

// ManualSeed reseeds g like torch.manual_seed(seed): the engine is
// reinitialised from the low 32 bits of seed and the cached normal samples
// are dropped.
func (g *Generator) ManualSeed(seed uint64) {
	*g = Generator{}
	g.engine.init(seed)
}

// Randn returns n samples of torch.randn(n) (float32, CPU). A tensor of
// any shape is drawn in row-major order, so torch.randn(r, c) is Randn(r*c).
func (g *Generator) Randn(n int) ([]float32, error) {
	if n < 0 {
		return nil, fmt.Errorf("torchrand: negative size %d", n)
	}
	d := make([]float32, n)
	g.fill(d, 0, 1)
	return d, nil
}

// FillNormal fills dst like t.normal_(mean, std) on a contiguous float32 CPU
// tensor t of len(dst) elements; FillNormal(dst, 0, 1) draws the same values
// as torch.randn. It does not allocate. As in PyTorch, std must not be
// negative.
func (g *Generator) FillNormal(dst []float32, mean, std float64) error {
	if !(std >= 0) {
		return fmt.Errorf("torchrand: normal expects std >= 0.0, but found std %v", std)
	}
	g.fill(dst, mean, std)
	return nil
}

// XavierNormal returns the values th.nn.init.xavier_normal_ (gain 1) writes
// into a rows×cols float32 tensor, in row-major order: fan_in = cols,
// fan_out = rows and std = sqrt(2/(fan_in+fan_out)).
func (g *Generator) XavierNormal(rows, cols int) ([]float32, error) {
	if rows < 0 || cols < 0 {
		return nil, fmt.Errorf("torchrand: negative shape %d×%d", rows, cols)
	}
	if rows+cols == 0 {
		// Python raises ZeroDivisionError here.
		return nil, errors.New("torchrand: xavier_normal_ of a 0×0 tensor divides by zero")
	}
	if cols != 0 && rows > math.MaxInt/cols {
		return nil, fmt.Errorf("torchrand: shape %d×%d too large", rows, cols)
	}
	std := math.Sqrt(2 / float64(cols+rows))
	d := make([]float32, rows*cols)
	g.fill(d, 0, std)
	return d, nil
}

// fill is at::native::templates::cpu::normal_kernel for a contiguous
// float32 tensor.
func (g *Generator) fill(d []float32, mean, std float64) {
	n := len(d)
	if n < 16 {
		for i := range d {
			d[i] = float32(g.normalDouble(mean, std))
		}
		return
	}
	// normal_fill_AVX2: mean and std are narrowed to float32 first.
	m, s := float32(mean), float32(std)
	for i := range d {
		d[i] = g.uniformFloat()
	}
	for i := 0; i+16 <= n; i += 16 {
		normalFill16(d[i:i+16], m, s)
	}
	if n%16 != 0 {
		tail := d[n-16:]
		for i := range tail {
			tail[i] = g.uniformFloat()
		}
		normalFill16(tail, m, s)
	}
}

// uniformFloat is at::uniform_real_distribution<float>(0, 1): the low 24
// bits of one 32-bit draw, scaled by 2^-24.
func (g *Generator) uniformFloat() float32 {
	return float32(g.engine.random()&(1<<24-1)) * (1.0 / (1 << 24))
}

// uniformDouble is at::uniform_real_distribution<double>(0, 1): the low 53
// bits of random64(), which puts the first 32-bit draw in the high word.
func (g *Generator) uniformDouble() float64 {
	hi := uint64(g.engine.random())
	lo := uint64(g.engine.random())
	return float64((hi<<32|lo)&(1<<53-1)) * (1.0 / (1 << 53))
}

// normalDouble is at::normal_distribution<double>(mean, std) as used by
// normal_kernel for tensors of fewer than 16 elements. It is computed in
// float64 with Go's math.Log, math.Sin and math.Cos, which may differ from
// glibc in the last bit of a float64; after the result is rounded to
// float32 that almost never shows. 1 - u2 is exact, so log(1-u2) (1.13)
// and log1p(-u2) (later releases) agree just as closely. GCC fuses
// ret*std+mean into one fma in the AVX2 build, and so does this code.
func (g *Generator) normalDouble(mean, std float64) float64 {
	if g.nextDoubleValid {
		g.nextDoubleValid = false
		return math.FMA(g.nextDouble, std, mean)
	}
	u1 := g.uniformDouble()
	u2 := g.uniformDouble()
	r := math.Sqrt(float64(-2 * math.Log(1-u2)))
	theta := float64(2*math.Pi) * u1
	g.nextDouble = float64(r * math.Sin(theta))
	g.nextDoubleValid = true
	return math.FMA(float64(r*math.Cos(theta)), std, mean)
}

// Layout of at::detail::CPUGeneratorImplState on x86-64 (little endian),
// the bytes of torch.get_rng_state().
const (
	offSeed        = 0    // uint64 the_initial_seed
	offLeft        = 8    // int left
	offSeeded      = 12   // int seeded
	offNext        = 16   // uint64 next
	offState       = 24   // uint64 state[624]
	offNormalX     = 5016 // double normal_x (unused)
	offNormalY     = 5024 // double normal_y
	offNormalRho   = 5032 // double normal_rho (unused)
	offNormalValid = 5040 // int normal_is_valid
	offFloatNormal = 5048 // float next_float_normal_sample
	offFloatValid  = 5052 // bool is_next_float_normal_sample_valid
	stateSize      = 5056
)

// State returns a snapshot of the complete generator state. The bytes
// follow the layout of torch.get_rng_state() on x86-64 (5056 bytes,
// little endian); restoring them with SetState continues the sequence bit
// for bit.
func (g *Generator) State() []byte {
	b := make([]byte, stateSize)
	le := binary.LittleEndian
	e := &g.engine
	le.PutUint64(b[offSeed:], e.seed)
	le.PutUint32(b[offLeft:], uint32(e.left))
	le.PutUint32(b[offSeeded:], 1)
	le.PutUint64(b[offNext:], uint64(e.next))
	for i, v := range e.state {
		le.PutUint64(b[offState+8*i:], uint64(v))
	}
	if g.nextDoubleValid {
		le.PutUint64(b[offNormalY:], math.Float64bits(g.nextDouble))
		le.PutUint32(b[offNormalValid:], 1)
	}
	if g.nextFloatValid {
		le.PutUint32(b[offFloatNormal:], math.Float32bits(g.nextFloat))
		b[offFloatValid] = 1
	}
	return b
}

// SetState restores a state produced by State or, by the same layout, by
// torch.get_rng_state() on x86-64. It rejects the engine states PyTorch
// rejects, and those that would make the next draw read past the state
// array, and leaves g unchanged on error.
func (g *Generator) SetState(b []byte) error {
	if len(b) != stateSize {
		return fmt.Errorf("torchrand: expected a state of %d bytes, got %d", stateSize, len(b))
	}
	le := binary.LittleEndian
	var ng Generator
	e := &ng.engine
	e.seed = le.Uint64(b[offSeed:])
	left := int32(le.Uint32(b[offLeft:]))
	seeded := le.Uint32(b[offSeeded:])
	next := le.Uint64(b[offNext:])
	// mt19937_engine::is_valid, plus next < 624 whenever the next draw
	// reads state[next] without regenerating first.
	if seeded == 0 || left <= 0 || left > mtN || next > mtN || (left > 1 && next >= mtN) {
		return errors.New("torchrand: invalid mt19937 state")
	}
	e.left, e.next = int(left), int(next)
	for i := range e.state {
		// PyTorch narrows the legacy 64-bit words to uint32.
		e.state[i] = uint32(le.Uint64(b[offState+8*i:]))
	}
	if le.Uint32(b[offNormalValid:]) != 0 {
		ng.nextDouble = math.Float64frombits(le.Uint64(b[offNormalY:]))
		ng.nextDoubleValid = true
	}
	if b[offFloatValid] != 0 {
		ng.nextFloat = math.Float32frombits(le.Uint32(b[offFloatNormal:]))
		ng.nextFloatValid = true
	}
	*g = ng
	return nil
}

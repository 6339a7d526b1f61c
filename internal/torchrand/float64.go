package torchrand

// Float64 draws through a Generator into float64 slices: each value is the
// float32 PyTorch draws, converted exactly. It implements the project's
// normal-source interface (FillNormal(dst []float64, mean, std float64)), so
// data, initialization and label noise can come from PyTorch's generator.
type Float64 struct {
	*Generator
	buf []float32
}

// NewFloat64 returns a Float64 source in the state torch.manual_seed(seed)
// leaves the generator in.
func NewFloat64(seed uint64) *Float64 { return &Float64{Generator: New(seed)} }

// FillNormal fills dst like t.normal_(mean, std) on a float32 tensor of
// len(dst) elements, converted to float64. A negative or NaN std panics, as
// callers validate it first.
func (f *Float64) FillNormal(dst []float64, mean, std float64) {
	if cap(f.buf) < len(dst) {
		f.buf = make([]float32, len(dst))
	}
	buf := f.buf[:len(dst)]
	if err := f.Generator.FillNormal(buf, mean, std); err != nil {
		panic(err)
	}
	for i, v := range buf {
		dst[i] = float64(v)
	}
}

// MarshalBinary returns the generator's state (see State).
func (f *Float64) MarshalBinary() ([]byte, error) { return f.State(), nil }

// UnmarshalBinary restores a state returned by MarshalBinary.
func (f *Float64) UnmarshalBinary(b []byte) error { return f.SetState(b) }

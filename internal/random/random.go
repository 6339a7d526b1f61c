package random

import (
	"math/rand/v2"
)

// Stream says what a generator's draws are for.
type Stream uint64

// The streams a run uses.
const (
	Data  Stream = 0x64617461 // the data set's inputs
	Init  Stream = 0x696e6974 // the model's initial parameters
	Noise Stream = 0x6e6f6973 // label noise during training
	Batch Stream = 0x62617463 // the order of the examples in each epoch of minibatch SGD
	Probe Stream = 0x70726f62 // start vectors and probes of curvature measurements
)

// Normal draws independent normal numbers from a PCG generator.
type Normal struct {
	pcg *rand.PCG
	rng *rand.Rand
}

// New returns the generator of seed for stream.
func New(seed uint64, stream Stream) *Normal {
	pcg := rand.NewPCG(seed, uint64(stream))
	return &Normal{pcg: pcg, rng: rand.New(pcg)}
}

// FillNormal fills dst with draws from N(mean, std²).
func (g *Normal) FillNormal(dst []float64, mean, std float64) {
	for i := range dst {
		dst[i] = mean + std*g.rng.NormFloat64()
	}
}

// FillSigns fills dst with independent Rademacher draws: +1 or −1, each
// with probability ½, one bit of a 64-bit draw each.
func (g *Normal) FillSigns(dst []float64) {
	var bits uint64
	for i := range dst {
		if i%64 == 0 {
			bits = g.rng.Uint64()
		}
		dst[i] = float64(1 - 2*int(bits&1))
		bits >>= 1
	}
}

// MarshalBinary returns the generator's state.
func (g *Normal) MarshalBinary() ([]byte, error) { return g.pcg.MarshalBinary() }

// UnmarshalBinary restores a state returned by MarshalBinary.
func (g *Normal) UnmarshalBinary(b []byte) error { return g.pcg.UnmarshalBinary(b) }

// Permutations draws uniformly random permutations from a PCG generator: the
// order in which an epoch of minibatch SGD visits the training examples.
type Permutations struct {
	pcg *rand.PCG
	rng *rand.Rand
}

// NewPermutations returns the generator of permutations of seed, on the
// Batch stream.
func NewPermutations(seed uint64) *Permutations {
	pcg := rand.NewPCG(seed, uint64(Batch))
	return &Permutations{pcg: pcg, rng: rand.New(pcg)}
}

// Permute fills dst with a uniformly random permutation of 0, …, len(dst)−1:
// the identity shuffled by Fisher–Yates, from the last position down, each
// position swapped with a uniform one at or below it. It allocates nothing.
func (g *Permutations) Permute(dst []int) {
	for i := range dst {
		dst[i] = i
	}
	for i := len(dst) - 1; i > 0; i-- {
		j := g.rng.IntN(i + 1)
		dst[i], dst[j] = dst[j], dst[i]
	}
}

// MarshalBinary returns the generator's state.
func (g *Permutations) MarshalBinary() ([]byte, error) { return g.pcg.MarshalBinary() }

// UnmarshalBinary restores a state returned by MarshalBinary.
func (g *Permutations) UnmarshalBinary(b []byte) error { return g.pcg.UnmarshalBinary(b) }

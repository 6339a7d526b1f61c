package torchrand

const (
	mtN       = 624
	mtM       = 397
	matrixA   = 0x9908b0df
	upperMask = 0x80000000
	lowerMask = 0x7fffffff
)

// mt19937 mirrors at::mt19937_engine (aten/src/ATen/core/MT19937RNGEngine.h).
type mt19937 struct {
	seed  uint64
	left  int
	next  int
	state [mtN]uint32
}

func (m *mt19937) init(seed uint64) {
	m.seed = seed
	m.state[0] = uint32(seed)
	for j := 1; j < mtN; j++ {
		p := m.state[j-1]
		m.state[j] = 1812433253*(p^(p>>30)) + uint32(j)
	}
	m.left = 1
	m.next = 0
}

func twist(u, v uint32) uint32 {
	y := ((u & upperMask) | (v & lowerMask)) >> 1
	if v&1 != 0 {
		y ^= matrixA
	}
	return y
}

func (m *mt19937) nextState() {
	s := &m.state
	m.left = mtN
	m.next = 0
	j := 0
	for ; j < mtN-mtM; j++ {
		s[j] = s[j+mtM] ^ twist(s[j], s[j+1])
	}
	for ; j < mtN-1; j++ {
		s[j] = s[j+mtM-mtN] ^ twist(s[j], s[j+1])
	}
	s[mtN-1] = s[mtM-1] ^ twist(s[mtN-1], s[0])
}

// random returns the next tempered 32-bit output.
func (m *mt19937) random() uint32 {
	m.left--
	if m.left == 0 {
		m.nextState()
	}
	y := m.state[m.next]
	m.next++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

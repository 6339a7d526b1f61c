package random

import (
	"math"
	"testing"
)

func TestStreamsAreSeededAndIndependent(t *testing.T) {
	draw := func(seed uint64, s Stream) []float64 {
		v := make([]float64, 5)
		New(seed, s).FillNormal(v, 0, 1)
		return v
	}
	a, b := draw(1, Data), draw(1, Data)
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("one seed and stream gave two sequences")
		}
	}
	if draw(1, Init)[0] == a[0] || draw(2, Data)[0] == a[0] {
		t.Error("different streams or seeds gave the same draws")
	}
}

func TestMomentsAndState(t *testing.T) {
	g := New(3, Noise)
	v := make([]float64, 100000)
	g.FillNormal(v, 2, 3)
	var sum, sq float64
	for _, x := range v {
		sum += x
		sq += x * x
	}
	mean := sum / float64(len(v))
	sd := math.Sqrt(sq/float64(len(v)) - mean*mean)
	// Standard errors: 3/sqrt(1e5) ≈ 0.0095 for the mean, ≈ 0.0067 for the sd.
	if math.Abs(mean-2) > 0.05 || math.Abs(sd-3) > 0.04 {
		t.Errorf("mean %g, sd %g; want 2, 3", mean, sd)
	}
	state, err := g.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	next := make([]float64, 3)
	g.FillNormal(next, 0, 1)
	h := New(0, Data)
	if err := h.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	again := make([]float64, 3)
	h.FillNormal(again, 0, 1)
	for i := range next {
		if next[i] != again[i] {
			t.Fatal("restored state draws differently")
		}
	}
}

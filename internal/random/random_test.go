package random

import (
	"math"
	"slices"
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

func TestPermutationsAreUniformPermutations(t *testing.T) {
	g := NewPermutations(4)
	// Every one of the 24 orders of 4 items, equally often: a chi-square test
	// with 23 degrees of freedom (the 0.999 quantile is 49.7).
	const draws = 48000
	counts := map[[4]int]int{}
	p := make([]int, 4)
	for range draws {
		g.Permute(p)
		seen := [4]bool{}
		for _, v := range p {
			if v < 0 || v >= 4 || seen[v] {
				t.Fatalf("%v is not a permutation", p)
			}
			seen[v] = true
		}
		counts[[4]int(p)]++
	}
	if len(counts) != 24 {
		t.Fatalf("%d distinct orders of 4 items, want 24", len(counts))
	}
	want := float64(draws) / 24
	var chi2 float64
	for _, c := range counts {
		chi2 += (float64(c) - want) * (float64(c) - want) / want
	}
	if chi2 > 49.7 {
		t.Errorf("chi-square %.1f over 24 orders: not uniform", chi2)
	}
}

func TestPermutationsAreSeededAndRestorable(t *testing.T) {
	draw := func(g *Permutations) []int {
		p := make([]int, 50)
		g.Permute(p)
		return p
	}
	a, b, c := NewPermutations(7), NewPermutations(7), NewPermutations(8)
	first := draw(a)
	if !slices.Equal(first, draw(b)) {
		t.Fatal("one seed gave two orders")
	}
	if slices.Equal(first, draw(c)) {
		t.Error("two seeds gave the same order")
	}
	state, err := a.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	next := draw(a)
	if err := c.UnmarshalBinary(state); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(next, draw(c)) {
		t.Error("a restored state draws another order")
	}
	if slices.Equal(next, first) {
		t.Error("two epochs drew the same order")
	}
}

// TestSignsAreFairCoins: FillSigns gives only ±1, each half of the time,
// independently of the position within a 64-bit draw.
func TestSignsAreFairCoins(t *testing.T) {
	v := make([]float64, 64*2000)
	New(4, Probe).FillSigns(v)
	var sum float64
	var perBit [64]float64
	for i, x := range v {
		if x != 1 && x != -1 {
			t.Fatalf("draw %d is %g, not ±1", i, x)
		}
		sum += x
		perBit[i%64] += x
	}
	// The sum of N fair signs has standard deviation √N: allow four.
	if math.Abs(sum) > 4*math.Sqrt(float64(len(v))) {
		t.Errorf("sum of %d signs is %g", len(v), sum)
	}
	for b, s := range perBit {
		if math.Abs(s) > 4*math.Sqrt(2000) {
			t.Errorf("bit %d: sum of 2000 signs is %g", b, s)
		}
	}
}

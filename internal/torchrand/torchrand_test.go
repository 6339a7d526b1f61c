package torchrand

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// fixturePath is the copy of /work/shared/fixtures/torch_rng.json that the
// tests (and CI) read; sharedFixture is the original, present only in the
// project workspace.
const (
	fixturePath   = "testdata/torch_rng.json"
	sharedFixture = "../../../shared/fixtures/torch_rng.json"
)

// fixture mirrors torch_rng.json, produced by PyTorch 1.13 on float32 CPU
// tensors, values rounded to 9 significant digits (enough to identify a
// float32 exactly).
type fixture struct {
	TorchVersion string `json:"torch_version"`
	Randn        []struct {
		Seed  uint64    `json:"seed"`
		Size  int       `json:"size"`
		First []float64 `json:"first"`
		Last  []float64 `json:"last"`
		Sum   float64   `json:"sum"`
	} `json:"randn"`
	XavierNormal []struct {
		Seed  uint64    `json:"seed"`
		Shape []int     `json:"shape"`
		First []float64 `json:"first"`
		Sum   float64   `json:"sum"`
		Sumsq float64   `json:"sumsq"`
	} `json:"xavier_normal"`
	Blog struct {
		XShape      []int       `json:"X_shape"`
		XFirstRow   []float64   `json:"X_first_row"`
		XLastRow    []float64   `json:"X_last_row"`
		XSum        float64     `json:"X_sum"`
		AFirst      []float64   `json:"A_first"`
		NoiseFirst5 [][]float64 `json:"label_noise_draws_first5"`
	} `json:"blog_sequence"`
}

func loadFixture(t *testing.T) *fixture {
	t.Helper()
	b, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Randn) == 0 || len(f.XavierNormal) == 0 || len(f.Blog.AFirst) == 0 {
		t.Fatalf("%s: incomplete fixture", fixturePath)
	}
	return &f
}

// TestFixtureCopy checks that testdata holds the same bytes as the shared
// fixture, when the shared one is available.
func TestFixtureCopy(t *testing.T) {
	shared, err := os.ReadFile(sharedFixture)
	if err != nil {
		t.Skipf("shared fixture not available: %v", err)
	}
	local, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(shared, local) {
		t.Fatalf("%s differs from %s; copy it again", fixturePath, sharedFixture)
	}
}

// elemTol is the required agreement per element. The fixture's 9
// significant digits identify each float32 exactly, so the values are also
// compared bit for bit after rounding the fixture value to float32.
const elemTol = 1e-6

// checkElems compares got with want and returns the largest absolute error.
func checkElems(t *testing.T, what string, got []float32, want []float64) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, fixture has %d", what, len(got), len(want))
	}
	maxErr := 0.0
	for i, w := range want {
		d := math.Abs(float64(got[i]) - w)
		maxErr = math.Max(maxErr, d)
		if d > elemTol || got[i] != float32(w) {
			t.Errorf("%s[%d] = %.9g, want %.9g", what, i, got[i], w)
		}
	}
	return maxErr
}

// sumTol bounds the difference between two float64 sums of the same n
// float32 values taken in different orders: every partial sum is at most
// abs, and each of at most n additions errs by at most abs·2^-53, so the
// two results differ by at most 2·n·abs·2^-53. One float32 element off by
// a single ulp (about 6e-8 near 1) moves the sum far more than this, so the
// sums check every element, not only the ones listed in the fixture.
func sumTol(n int, abs float64) float64 {
	return 2 * float64(n) * abs * 0x1p-53
}

func sums(d []float32) (sum, abs, sumsq float64) {
	for _, v := range d {
		x := float64(v)
		sum += x
		abs += math.Abs(x)
		sumsq += x * x
	}
	return sum, abs, sumsq
}

func TestRandnFixture(t *testing.T) {
	f := loadFixture(t)
	if !strings.HasPrefix(f.TorchVersion, "1.13") {
		t.Fatalf("fixture made by torch %s, want 1.13", f.TorchVersion)
	}
	maxErr, maxSumErr := 0.0, 0.0
	for _, c := range f.Randn {
		g := New(c.Seed)
		d, err := g.Randn(c.Size)
		if err != nil {
			t.Fatal(err)
		}
		name := func(part string) string {
			return fmt.Sprintf("seed %d randn(%d).%s", c.Seed, c.Size, part)
		}
		maxErr = math.Max(maxErr, checkElems(t, name("first"), d[:len(c.First)], c.First))
		maxErr = math.Max(maxErr, checkElems(t, name("last"), d[len(d)-len(c.Last):], c.Last))
		sum, abs, _ := sums(d)
		e := math.Abs(sum - c.Sum)
		maxSumErr = math.Max(maxSumErr, e)
		if e > sumTol(len(d), abs) {
			t.Errorf("%s = %.17g, want %.17g", name("sum"), sum, c.Sum)
		}
	}
	t.Logf("%d randn cases: max element error %.3g, max sum error %.3g", len(f.Randn), maxErr, maxSumErr)
}

func TestXavierNormalFixture(t *testing.T) {
	f := loadFixture(t)
	for _, c := range f.XavierNormal {
		g := New(c.Seed)
		a, err := g.XavierNormal(c.Shape[0], c.Shape[1])
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("seed %d xavier_normal", c.Seed)
		maxErr := checkElems(t, name+".first", a[:len(c.First)], c.First)
		sum, abs, sumsq := sums(a)
		if e := math.Abs(sum - c.Sum); e > sumTol(len(a), abs) {
			t.Errorf("%s.sum = %.17g, want %.17g", name, sum, c.Sum)
		}
		// Each square is exact in float64, so the same bound applies with
		// sumsq in place of the sum of absolute values.
		if e := math.Abs(sumsq - c.Sumsq); e > sumTol(len(a), sumsq) {
			t.Errorf("%s.sumsq = %.17g, want %.17g", name, sumsq, c.Sumsq)
		}
		t.Logf("%s: max element error %.3g, sum error %.3g, sumsq error %.3g",
			name, maxErr, math.Abs(sum-c.Sum), math.Abs(sumsq-c.Sumsq))
	}
}

// TestBlogSequence replays the fixture's experiment on one generator:
// manual_seed(0); X = randn(400, 30); manual_seed(0) again for the model;
// A = xavier_normal_ on 30×100; then one randn(200) of label noise per
// training step.
func TestBlogSequence(t *testing.T) {
	f := loadFixture(t)
	b := f.Blog
	g := New(0)
	rows, cols := b.XShape[0], b.XShape[1]
	x, err := g.Randn(rows * cols)
	if err != nil {
		t.Fatal(err)
	}
	maxErr := checkElems(t, "X[0]", x[:cols], b.XFirstRow)
	maxErr = math.Max(maxErr, checkElems(t, "X[last]", x[len(x)-cols:], b.XLastRow))
	sum, abs, _ := sums(x)
	if e := math.Abs(sum - b.XSum); e > sumTol(len(x), abs) {
		t.Errorf("X.sum = %.17g, want %.17g", sum, b.XSum)
	}

	g.ManualSeed(0)
	a, err := g.XavierNormal(30, 100)
	if err != nil {
		t.Fatal(err)
	}
	maxErr = math.Max(maxErr, checkElems(t, "A", a[:len(b.AFirst)], b.AFirst))

	noise := make([]float32, 200)
	for step, want := range b.NoiseFirst5 {
		if err := g.FillNormal(noise, 0, 1); err != nil {
			t.Fatal(err)
		}
		maxErr = math.Max(maxErr, checkElems(t, fmt.Sprintf("noise step %d", step), noise[:len(want)], want))
	}
	t.Logf("blog sequence: max element error %.3g, X sum error %.3g", maxErr, math.Abs(sum-b.XSum))
}

// TestSmallN covers the scalar path for fewer than 16 elements, which the
// fixture does not. The reference is the widely reproduced output of
// torch.manual_seed(0); torch.randn(2, 3), printed to 4 decimals.
func TestSmallN(t *testing.T) {
	want := []float64{1.5410, -0.2934, -2.1788, 0.5684, -1.0845, -1.3986}
	got, err := New(0).Randn(6)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		if math.Abs(float64(got[i])-w) > 0.5e-4 {
			t.Errorf("randn(6)[%d] = %.6g, want %.4f", i, got[i], w)
		}
	}
	// The second value of each Box–Muller pair stays cached in the
	// generator, so two randn(1) calls give the same values as randn(2),
	// even when a state snapshot is taken in between.
	g := New(0)
	one, _ := g.Randn(1)
	h := New(7)
	if err := h.SetState(g.State()); err != nil {
		t.Fatal(err)
	}
	two, _ := h.Randn(1)
	if !slices.Equal(append(one, two...), got[:2]) {
		t.Errorf("randn(1), randn(1) = %v, %v; want %v", one, two, got[:2])
	}
	// A large draw neither uses nor clears the cache.
	g = New(0)
	g.Randn(1)
	g.Randn(100)
	if v, _ := g.Randn(1); v[0] != got[1] {
		t.Errorf("cached sample after randn(100) = %v, want %v", v[0], got[1])
	}
	// Reseeding clears it.
	g.Randn(1)
	g.ManualSeed(0)
	if v, _ := g.Randn(1); v[0] != got[0] {
		t.Errorf("randn(1) after reseed = %v, want %v", v[0], got[0])
	}
}

func TestFillNormalMatchesRandn(t *testing.T) {
	for _, n := range []int{0, 1, 5, 15, 16, 17, 31, 200, 1001} {
		want, _ := New(3).Randn(n)
		got := make([]float32, n)
		if err := New(3).FillNormal(got, 0, 1); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("n=%d: FillNormal(0, 1) differs from Randn", n)
		}
	}
	// Scaling follows normal_fill_16_AVX2: fma(n, float32(std), float32(mean)).
	base, _ := New(5).Randn(48)
	got := make([]float32, 48)
	New(5).FillNormal(got, 0.25, 3)
	for i := range got {
		if w := fma32(base[i], 3, 0.25); got[i] != w {
			t.Fatalf("normal_(0.25, 3)[%d] = %v, want %v", i, got[i], w)
		}
	}
}

func TestStateRoundTrip(t *testing.T) {
	g := New(42)
	// Leave the engine mid-block, with a cached scalar sample.
	g.Randn(1000)
	g.Randn(3)
	snap := g.State()
	var first [][]float32
	for _, n := range []int{200, 7, 17, 5000} {
		d, _ := g.Randn(n)
		first = append(first, d)
	}
	after := g.State()

	for _, h := range []*Generator{g, New(1)} {
		if err := h.SetState(snap); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(h.State(), snap) {
			t.Fatal("State after SetState differs from the snapshot")
		}
		for i, n := range []int{200, 7, 17, 5000} {
			d, _ := h.Randn(n)
			if !slices.Equal(d, first[i]) {
				t.Fatalf("draw %d (n=%d) differs after restore", i, n)
			}
		}
		if !bytes.Equal(h.State(), after) {
			t.Fatal("final state differs after restore")
		}
	}

	// The fresh state matches PyTorch's just-seeded engine: left 1, next 0.
	s := New(0).State()
	if len(s) != 5056 || s[offLeft] != 1 || s[offNext] != 0 || s[offSeeded] != 1 {
		t.Errorf("fresh state header = % x", s[:24])
	}
}

func TestSetStateErrors(t *testing.T) {
	g := New(9)
	good := g.State()
	want, _ := New(9).Randn(20)
	bad := map[string][]byte{
		"short": good[:100],
		"left0": func() []byte { b := bytes.Clone(good); b[offLeft] = 0; return b }(),
		"left": func() []byte {
			b := bytes.Clone(good)
			b[offLeft], b[offLeft+1] = 0x71, 0x02 // 625
			return b
		}(),
		"next": func() []byte {
			b := bytes.Clone(good)
			b[offLeft], b[offNext], b[offNext+1] = 5, 0x70, 0x02 // left 5, next 624
			return b
		}(),
		"unseeded": func() []byte { b := bytes.Clone(good); b[offSeeded] = 0; return b }(),
	}
	for name, b := range bad {
		err := g.SetState(b)
		if err == nil || !strings.HasPrefix(err.Error(), "torchrand: ") {
			t.Errorf("%s: SetState error = %v", name, err)
		}
	}
	if got, _ := g.Randn(20); !slices.Equal(got, want) {
		t.Error("failed SetState changed the generator")
	}
}

func TestErrors(t *testing.T) {
	g := New(0)
	errs := []error{}
	_, err := g.Randn(-1)
	errs = append(errs, err)
	errs = append(errs, g.FillNormal(make([]float32, 20), 0, -1))
	errs = append(errs, g.FillNormal(make([]float32, 20), 0, math.NaN()))
	_, err = g.XavierNormal(-1, 3)
	errs = append(errs, err)
	_, err = g.XavierNormal(0, 0)
	errs = append(errs, err)
	for i, err := range errs {
		if err == nil || !strings.HasPrefix(err.Error(), "torchrand: ") {
			t.Errorf("case %d: error = %v", i, err)
		}
	}
	// None of the failed calls drew from the generator.
	got, _ := g.Randn(16)
	want, _ := New(0).Randn(16)
	if !slices.Equal(got, want) {
		t.Error("a failed call consumed random numbers")
	}
}

// TestMT19937 checks the engine against the value the C++ standard
// requires of std::mt19937: the 10000th output for the default seed 5489.
func TestMT19937(t *testing.T) {
	var m mt19937
	m.init(5489)
	for range 9999 {
		m.random()
	}
	if v := m.random(); v != 4123659995 {
		t.Fatalf("10000th output = %d, want 4123659995", v)
	}
}

func TestFillNormalNoAlloc(t *testing.T) {
	g := New(0)
	buf := make([]float32, 200)
	if n := testing.AllocsPerRun(100, func() { g.FillNormal(buf, 0, 1) }); n != 0 {
		t.Errorf("FillNormal of 200 values allocates %v times", n)
	}
}

// BenchmarkRandn200 measures one step's label noise, randn(200): Randn
// allocates the result, FillNormal reuses the caller's slice.
func BenchmarkRandn200(b *testing.B) {
	b.Run("Randn", func(b *testing.B) {
		g := New(0)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := g.Randn(200); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("FillNormal", func(b *testing.B) {
		g := New(0)
		buf := make([]float32, 200)
		b.ReportAllocs()
		for b.Loop() {
			if err := g.FillNormal(buf, 0, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestFMA32 checks fma32 against exact arithmetic, including products
// whose float64 sum lands exactly halfway between two float32 values.
func TestFMA32(t *testing.T) {
	exact := func(a, b, c float32) float32 {
		x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
		x.Mul(x, new(big.Float).SetFloat64(float64(b)))
		x.Add(x, new(big.Float).SetFloat64(float64(c)))
		f, _ := x.Float32()
		return f
	}
	// a*b = 2^-17 - 2^-63; the float64 sum is the midpoint 128 + 3·2^-17,
	// and the exact value lies just below it.
	a, b, c := float32(1+0x1p-23), float32(0x1p-17*(1-0x1p-23)), float32(128+0x1p-16)
	if got, want := fma32(a, b, c), float32(128+0x1p-16); got != want || exact(a, b, c) != want {
		t.Errorf("fma32 below midpoint = %v, want %v", got, want)
	}
	// The mirror case, just above the midpoint 128 + 2^-17.
	a, b, c = float32(1+0x1p-23), float32(-0x1p-17*(1-0x1p-23)), float32(128+0x1p-16)
	if got, want := fma32(a, b, c), exact(a, b, c); got != want {
		t.Errorf("fma32 above midpoint = %v, want %v", got, want)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		a := float32(r.NormFloat64())
		b := float32(r.NormFloat64() * math.Exp2(float64(r.IntN(40)-20)))
		c := float32(r.NormFloat64())
		if got, want := fma32(a, b, c), exact(a, b, c); got != want {
			t.Fatalf("fma32(%v, %v, %v) = %v, want %v", a, b, c, got, want)
		}
	}
}

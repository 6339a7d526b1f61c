package regularizer_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/archtest"
	"github.com/igr-project/igr/internal/gradcheck"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/regularizer"
	"github.com/igr-project/igr/train"
	"github.com/igr-project/igr/train/dataset"
)

const n, d, m = 9, 4, 5

func architectures() []graph.Architecture { return archtest.Variety(d, m) }

func archName(a graph.Architecture) string { return archtest.Label(a) }

// problem returns data and random parameters, b included, so that every
// derivative is non-trivial.
func problem(arch graph.Architecture) (x, y []float64, p graph.Params) {
	src := random.New(21, random.Data)
	x = make([]float64, n*d)
	y = make([]float64, n)
	src.FillNormal(x, 0, 1)
	src.FillNormal(y, 1, 1)
	p = graph.ZeroParams(arch.Params())
	for i := range p {
		src.FillNormal(p.Data(i), 0, 0.6)
	}
	return x, y, p
}

func objective(t *testing.T, arch graph.Architecture, x, y []float64, p graph.Params, s *graph.ObjectiveSettings) *graph.Objective {
	t.Helper()
	o, err := graph.NewObjective(arch, graph.NewMatrix(len(y), d, x), graph.NewMatrix(len(y), 1, y), p, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	return o
}

func TestPenaltyGradientsMatchFiniteDifferences(t *testing.T) {
	for _, arch := range architectures() {
		for _, pen := range []graph.Penalty{regularizer.GradientNorm{Lambda: 0.3}, regularizer.LabelNoise{Eta: 5, Sigma: 1.5},
			regularizer.SGD{Eta: 2, Batch: 3}, regularizer.SGDNoise{Eta: 2, Batch: 4}} {
			t.Run(archName(arch)+"/"+pen.Name(), func(t *testing.T) {
				x, y, p := problem(arch)
				o := objective(t, arch, x, y, p, &graph.ObjectiveSettings{Penalties: []graph.Penalty{pen}})
				theta := p.Flat()
				total := func(v []float64) float64 {
					p.SetFlat(v)
					if err := o.Run(); err != nil {
						t.Fatal(err)
					}
					return o.Total()
				}
				want := gradcheck.Central(total, theta)
				p.SetFlat(theta)
				if err := o.Run(); err != nil {
					t.Fatal(err)
				}
				if !(o.Term(0) > 1e-3*o.Loss()) {
					t.Fatalf("penalty %g is negligible beside the loss %g: the test would not see it", o.Term(0), o.Loss())
				}
				var got []float64
				for i := range p {
					got = append(got, o.Gradient(i)...)
				}
				if e := gradcheck.RelativeError(got, want); e > gradcheck.Tolerance {
					t.Errorf("relative error of ∇(L + %s) = %.3g, want < %g", pen.Name(), e, gradcheck.Tolerance)
				}
			})
		}
	}
}

func TestGradientNormValueIsLambdaTimesGradNormSq(t *testing.T) {
	for _, arch := range architectures() {
		x, y, p := problem(arch)
		const lambda = 0.37
		o := objective(t, arch, x, y, p, &graph.ObjectiveSettings{Measures: []graph.Penalty{regularizer.GradientNorm{Lambda: lambda}}})
		plain := objective(t, arch, x, y, p, nil)
		if err := o.Run(); err != nil {
			t.Fatal(err)
		}
		if err := plain.Run(); err != nil {
			t.Fatal(err)
		}
		var sq float64
		for i := range p {
			for _, g := range plain.Gradient(i) {
				sq += g * g
			}
		}
		if got, want := o.Term(0), lambda*sq; math.Abs(got-want) > 1e-13*want {
			t.Errorf("%s: penalty %.17g, λ‖∇L‖² from the first-order gradient %.17g", archName(arch), got, want)
		}
		// A measure does not change what is descended.
		for i := range p {
			if e := gradcheck.RelativeError(o.Gradient(i), plain.Gradient(i)); e != 0 {
				t.Errorf("%s: a measure changed the gradient (relative %g)", archName(arch), e)
			}
		}
	}
}

// TestLabelNoiseValueMatchesPerExampleFiniteDifferences checks the value of
// the label-noise regularizer, closed form or generic, against Σ_i of the
// squared norm of each prediction's gradient taken by central differences.
func TestLabelNoiseValueMatchesPerExampleFiniteDifferences(t *testing.T) {
	for _, arch := range architectures() {
		t.Run(archName(arch), func(t *testing.T) {
			x, y, p := problem(arch)
			reg := regularizer.LabelNoise{Eta: 0.05, Sigma: 2}
			o := objective(t, arch, x, y, p, &graph.ObjectiveSettings{Measures: []graph.Penalty{reg}})
			if err := o.Run(); err != nil {
				t.Fatal(err)
			}
			var sum float64
			for i := 0; i < n; i++ {
				// With one example and target ∓1 the loss is (P ± 1)², and
				// (P + 1)² − (P − 1)² = 4P: the prediction itself.
				xi := x[i*d : (i+1)*d]
				lo := objective(t, arch, xi, []float64{1}, p, nil)
				hi := objective(t, arch, xi, []float64{-1}, p, nil)
				pred := func(v []float64) float64 {
					p.SetFlat(v)
					if err := lo.Run(); err != nil {
						t.Fatal(err)
					}
					if err := hi.Run(); err != nil {
						t.Fatal(err)
					}
					return (hi.Loss() - lo.Loss()) / 4
				}
				theta := p.Flat()
				for _, v := range gradcheck.Central(pred, theta) {
					sum += v * v
				}
				p.SetFlat(theta)
			}
			want := reg.Coefficient(n) * sum
			if got := o.Term(0); math.Abs(got-want) > 1e-7*want {
				t.Errorf("label-noise regularizer %.12g, from per-example finite differences %.12g", got, want)
			}
		})
	}
}

func TestClosedFormsEqualGenericConstruction(t *testing.T) {
	for _, arch := range architectures()[:4] {
		x, y, p := problem(arch)
		closed := objective(t, arch, x, y, p, &graph.ObjectiveSettings{Measures: []graph.Penalty{regularizer.LabelNoise{Eta: 1}}})
		generic := objective(t, genericOnly{arch}, x, y, p, &graph.ObjectiveSettings{Measures: []graph.Penalty{regularizer.LabelNoise{Eta: 1}}})
		if err := closed.Run(); err != nil {
			t.Fatal(err)
		}
		if err := generic.Run(); err != nil {
			t.Fatal(err)
		}
		if a, b := closed.Term(0), generic.Term(0); math.Abs(a-b) > 1e-12*math.Abs(b) {
			t.Errorf("%s: closed form %.17g, generic %.17g", archName(arch), a, b)
		}
	}
}

// genericOnly hides an architecture's closed form.
type genericOnly struct{ graph.Architecture }

// TestZeroLambdaIsPlainGradientDescent trains with λ = 0 and without a
// penalty: the runs must be identical.
func TestZeroLambdaIsPlainGradientDescent(t *testing.T) {
	arch := graph.Quadratic{Dim: 6, Width: 10}
	data, err := dataset.Generate(random.New(2, random.Data), 30, 6)
	if err != nil {
		t.Fatal(err)
	}
	p := &train.Problem{Arch: arch, Data: data, Init: arch.Init(random.New(2, random.Init))}
	plain, err := train.Run(context.Background(), p, &train.Settings{LearningRate: 0.05, Steps: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, pen := range []graph.Penalty{regularizer.GradientNorm{}, regularizer.LabelNoise{}} {
		zero, err := train.Run(context.Background(), p, &train.Settings{LearningRate: 0.05, Steps: 200, Penalties: []graph.Penalty{pen}})
		if err != nil {
			t.Fatal(err)
		}
		if dist := zero.Params.Distance(plain.Params); dist != 0 || zero.TestMSE != plain.TestMSE {
			t.Errorf("%s with zero coefficient: parameters %g away from plain GD, test MSE %v vs %v", pen.Name(), dist, zero.TestMSE, plain.TestMSE)
		}
	}
}

func TestBadCoefficients(t *testing.T) {
	arch := graph.Quadratic{Dim: d, Width: m}
	x, y, p := problem(arch)
	for _, pen := range []graph.Penalty{regularizer.GradientNorm{Lambda: -1}, regularizer.LabelNoise{Eta: math.NaN()}, regularizer.LabelNoise{Eta: 1, Sigma: -2},
		regularizer.SGD{Eta: 1}, regularizer.SGD{Eta: 1, Batch: n + 1}, regularizer.SGD{Eta: -1, Batch: 2}, regularizer.SGDNoise{Eta: 1, Batch: -3}} {
		_, err := graph.NewObjective(arch, graph.NewMatrix(n, d, x), graph.NewMatrix(n, 1, y), p, &graph.ObjectiveSettings{Penalties: []graph.Penalty{pen}})
		if err == nil {
			t.Errorf("%+v accepted", pen)
		}
	}
}

// BenchmarkExplicitStep is one training step of the blog's network on
// L + (η/4)‖∇L‖²: loss, gradient through the gradient, update. Compare with
// BenchmarkStep of package graph, the plain step.
func BenchmarkExplicitStep(b *testing.B) {
	benchmarkStep(b, regularizer.ForStep(0.09))
}

// BenchmarkLabelNoiseRegularizedStep is one step on L + the label-noise
// regularizer.
func BenchmarkLabelNoiseRegularizedStep(b *testing.B) {
	benchmarkStep(b, regularizer.LabelNoise{Eta: 0.03})
}

// BenchmarkPlainStep is the plain step, measured here too so that the ratio
// comes from one run.
func BenchmarkPlainStep(b *testing.B) { benchmarkStep(b) }

func benchmarkStep(b *testing.B, pens ...graph.Penalty) {
	const n, d, m = 200, 30, 100
	arch := graph.Quadratic{Dim: d, Width: m}
	data, err := dataset.Generate(random.New(0, random.Data), n, d)
	if err != nil {
		b.Fatal(err)
	}
	p := arch.Init(random.New(0, random.Init))
	random.New(1, random.Init).FillNormal(p.Data(1), 0, 0.1)
	o, err := graph.NewObjective(arch, data.Train.Inputs(d), data.Train.Targets(), p, &graph.ObjectiveSettings{Penalties: pens})
	if err != nil {
		b.Fatal(err)
	}
	defer o.Close()
	b.ReportAllocs()
	for b.Loop() {
		if err := o.Run(); err != nil {
			b.Fatal(err)
		}
		for i := range p {
			w, g := p.Data(i), o.Gradient(i)
			for j := range w {
				w[j] -= 1e-6 * g[j]
			}
		}
	}
}

// TestSGDValueIsTheMeanOverEveryBatch checks the SGD regularizer against its
// definition, (η/4) E‖∇L_batch‖² over the batches training takes: an epoch
// of ⌊n/B⌋ batches of B and, when B does not divide n, one of the n mod B
// examples left, each batch a subset of its size drawn uniformly without
// replacement. Every one of the C(n, size) subsets of each size is listed,
// the gradient of its mean loss computed by an objective of its own, and the
// means over the subsets averaged over the epoch's steps. n = 9: B = 1 and
// 9 divide it, B = 2 and 4 leave a last batch of 1.
func TestSGDValueIsTheMeanOverEveryBatch(t *testing.T) {
	const eta = 0.3
	for _, arch := range architectures() {
		t.Run(archName(arch), func(t *testing.T) {
			x, y, p := problem(arch)
			meanOfSize := make(map[int]float64) // size → mean of ‖∇L_batch‖² over every batch of that size
			for _, b := range []int{1, 2, 4, n} {
				var sum float64
				sizes := epochSizes(n, b)
				for _, size := range sizes {
					if _, done := meanOfSize[size]; !done {
						var s float64
						all := subsets(n, size)
						for _, rows := range all {
							s += batchGradNormSq(t, arch, x, y, p, rows)
						}
						meanOfSize[size] = s / float64(len(all))
					}
					sum += meanOfSize[size]
				}
				want := eta / 4 * sum / float64(len(sizes))
				o := objective(t, arch, x, y, p, &graph.ObjectiveSettings{Measures: []graph.Penalty{
					regularizer.SGD{Eta: eta, Batch: b}, regularizer.SGDNoise{Eta: eta, Batch: b}, regularizer.ForStep(eta)}})
				if err := o.Run(); err != nil {
					t.Fatal(err)
				}
				if got := o.Term(0); math.Abs(got-want) > 1e-11*want {
					t.Errorf("B = %d: SGD regularizer %.15g, (η/4) mean of ‖∇L_batch‖² over the batches of an epoch of sizes %v %.15g", b, got, sizes, want)
				}
				// The part batch noise adds is the rest.
				if got, want := o.Term(1), want-o.Term(2); math.Abs(got-want) > 1e-10*o.Term(0) {
					t.Errorf("B = %d: SGD noise term %.15g, SGD − gradient-norm term %.15g", b, got, want)
				}
				if b > 1 && b < n && !(o.Term(1) > 1e-3*o.Term(0)) {
					t.Errorf("B = %d: the noise term %g is negligible: the test would not see Γ", b, o.Term(1))
				}
			}
		})
	}
}

// TestSGDValueIsTheMeanOverEveryOrder checks the same without the argument
// that each batch is a uniform subset of its size: on 6 examples, every one
// of the 720 orders of an epoch is cut into batches as package train cuts
// it (consecutive batches of B, the last one shorter when B does not divide
// 6), and ‖∇L_batch‖² is averaged over every order and every step.
func TestSGDValueIsTheMeanOverEveryOrder(t *testing.T) {
	const eta, small = 0.3, 6
	for _, arch := range architectures() {
		t.Run(archName(arch), func(t *testing.T) {
			x, y, p := problem(arch)
			x, y = x[:small*d], y[:small]
			memo := make(map[string]float64)
			for _, b := range []int{2, 4, 5} {
				var sum float64
				steps := 0
				for _, order := range permutations(small) {
					for start := 0; start < small; start += b {
						rows := append([]int(nil), order[start:min(start+b, small)]...)
						slices.Sort(rows)
						key := fmt.Sprint(rows)
						if _, ok := memo[key]; !ok {
							memo[key] = batchGradNormSq(t, arch, x, y, p, rows)
						}
						sum += memo[key]
						steps++
					}
				}
				want := eta / 4 * sum / float64(steps)
				o := objective(t, arch, x, y, p, &graph.ObjectiveSettings{Measures: []graph.Penalty{regularizer.SGD{Eta: eta, Batch: b}}})
				if err := o.Run(); err != nil {
					t.Fatal(err)
				}
				if got := o.Term(0); math.Abs(got-want) > 1e-11*want {
					t.Errorf("B = %d: SGD regularizer %.15g, (η/4) mean of ‖∇L_batch‖² over %d steps of every order %.15g", b, got, steps, want)
				}
			}
		})
	}
}

// TestEpochCoefficient: when B divides n the weight of Γ is that of equal
// batches, bit for bit, so those runs report what they always did; when it
// does not, it lies strictly between the weights of the two batch sizes.
func TestEpochCoefficient(t *testing.T) {
	for _, c := range [][2]int{{9, 1}, {9, 3}, {9, 9}, {200, 10}, {200, 50}, {60, 20}} {
		if got, want := regularizer.EpochCoefficient(c[0], c[1]), regularizer.BatchCoefficient(c[0], c[1]); math.Float64bits(got) != math.Float64bits(want) {
			t.Errorf("n = %d, B = %d: EpochCoefficient %v, BatchCoefficient %v", c[0], c[1], got, want)
		}
	}
	for _, c := range [][2]int{{9, 2}, {9, 4}, {200, 30}, {30, 7}} {
		n, b := c[0], c[1]
		full, short := regularizer.BatchCoefficient(n, b), regularizer.BatchCoefficient(n, n%b)
		if got := regularizer.EpochCoefficient(n, b); !(got > full && got < short) {
			t.Errorf("n = %d, B = %d: EpochCoefficient %v, want between %v (batches of %d) and %v (of %d)", n, b, got, full, b, short, n%b)
		}
	}
}

// epochSizes returns the sizes of the batches of an epoch of n examples in
// batches of b.
func epochSizes(n, b int) []int {
	var sizes []int
	for start := 0; start < n; start += b {
		sizes = append(sizes, min(b, n-start))
	}
	return sizes
}

// batchGradNormSq returns ‖∇L_batch‖² for the batch of the given rows,
// computed by an objective of its own.
func batchGradNormSq(t *testing.T, arch graph.Architecture, x, y []float64, p graph.Params, rows []int) float64 {
	t.Helper()
	bx, by := make([]float64, 0, len(rows)*d), make([]float64, 0, len(rows))
	for _, i := range rows {
		bx = append(bx, x[i*d:(i+1)*d]...)
		by = append(by, y[i])
	}
	o, err := graph.NewObjective(arch, graph.NewMatrix(len(rows), d, bx), graph.NewMatrix(len(rows), 1, by), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if err := o.Run(); err != nil {
		t.Fatal(err)
	}
	return o.LossGradNormSq()
}

// permutations returns every order of {0, …, n−1}.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for at := 0; at <= len(p); at++ {
			q := append(append(append([]int(nil), p[:at]...), n-1), p[at:]...)
			out = append(out, q)
		}
	}
	return out
}

// subsets returns every subset of b of {0, …, n−1}, each in increasing order.
func subsets(n, b int) [][]int {
	var out [][]int
	var walk func(start int, cur []int)
	walk = func(start int, cur []int) {
		if len(cur) == b {
			out = append(out, append([]int(nil), cur...))
			return
		}
		for i := start; i < n; i++ {
			walk(i+1, append(cur, i))
		}
	}
	walk(0, nil)
	return out
}

// TestSetInputsReachesEveryTerm feeds an objective built on some rows the
// rows of another batch, with SetInputs and SetTargets, and requires what a
// fresh objective on that batch computes, bit for bit: the loss, the
// gradient and the per-example regularizers, the generic construction
// included, in float64 and float32.
func TestSetInputsReachesEveryTerm(t *testing.T) {
	for _, arch := range architectures() {
		for _, dtype := range []tensor.Dtype{tensor.Float64, tensor.Float32} {
			t.Run(archName(arch)+"/"+dtype.String(), func(t *testing.T) {
				x, y, p64 := problem(arch)
				p := p64.As(dtype)
				const b = 4
				terms := &graph.ObjectiveSettings{Penalties: []graph.Penalty{regularizer.SGD{Eta: 0.5, Batch: 2}},
					Measures: []graph.Penalty{regularizer.LabelNoise{Eta: 0.5}}}
				o := objective(t, arch, x[:b*d], y[:b], p, terms)
				rows := []int{7, 2, 5, 8}
				o.SetInputs(x, rows)
				by := make([]float64, b)
				for i, r := range rows {
					by[i] = y[r]
				}
				o.SetTargets(by, nil)
				bx := make([]float64, 0, b*d)
				for _, r := range rows {
					bx = append(bx, x[r*d:(r+1)*d]...)
				}
				fresh := objective(t, arch, bx, by, p, terms)
				for _, obj := range []*graph.Objective{o, fresh} {
					if err := obj.Run(); err != nil {
						t.Fatal(err)
					}
				}
				if o.Total() != fresh.Total() || o.Term(0) != fresh.Term(0) || o.Term(1) != fresh.Term(1) {
					t.Errorf("total %v, terms %v %v; a fresh objective on the batch: %v, %v %v",
						o.Total(), o.Term(0), o.Term(1), fresh.Total(), fresh.Term(0), fresh.Term(1))
				}
				for i := range p {
					if e := gradcheck.RelativeError(o.Gradient(i), fresh.Gradient(i)); e != 0 {
						t.Errorf("gradient %d differs from a fresh objective's (relative %g)", i, e)
					}
				}
			})
		}
	}
}

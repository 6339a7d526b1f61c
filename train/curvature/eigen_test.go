package curvature_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gorgonia.org/tensor"

	"github.com/igr-project/igr/graph"
	"github.com/igr-project/igr/internal/archtest"
	"github.com/igr-project/igr/internal/random"
	"github.com/igr-project/igr/train/curvature"
)

// linearProblem returns inputs for which the linear model's Hessian
// (2/n)XᵀX has the eigenvalues lambda (archtest.LinearSpectrum), random
// targets, and that Hessian.
func linearProblem(lambda []float64, rows int, rotate bool) (x, y *tensor.Dense, hessian *mat.SymDense) {
	xs, hessian := archtest.LinearSpectrum(lambda, rows, rotate, 11)
	return graph.NewMatrix(rows, len(lambda), xs), graph.NewMatrix(rows, 1, normals(rows, 13)), hessian
}

// TestLinearModelClosedForm: on the linear model with chosen eigenvalues of
// its Hessian (2/n)XᵀX, the Hessian-vector products, the dense spectrum,
// the iterative top and bottom eigenvalues (including a repeated top one)
// and the trace are those of the closed form.
func TestLinearModelClosedForm(t *testing.T) {
	ctx := context.Background()
	lambda := []float64{10, 10, 7, 3.5, 1, 0.25, 0.01, 4}
	x, y, want := linearProblem(lambda, 30, true)
	arch := graph.Linear{Dim: len(lambda)}
	p := arch.Init(random.New(1, random.Init))
	h, err := curvature.NewHessian(arch, x, y, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	v := normals(h.Len(), 3)
	got := make([]float64, h.Len())
	if err := h.Apply(got, v); err != nil {
		t.Fatal(err)
	}
	var hv mat.VecDense
	hv.MulVec(want, mat.NewVecDense(len(v), v))
	if e := relErr(got, hv.RawVector().Data); e > 1e-13 {
		t.Errorf("∇²L v has relative error %.3g against V diag(λ) Vᵀ v", e)
	}
	sorted := slices.Clone(lambda)
	slices.Sort(sorted)
	slices.Reverse(sorted)
	sp, err := curvature.Dense(ctx, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range sorted {
		if math.Abs(sp.Values[i]-l) > 1e-12*sorted[0] {
			t.Errorf("dense eigenvalue %d = %.15g, want %g", i, sp.Values[i], l)
		}
	}
	if math.Abs(sp.Trace()-sum(lambda)) > 1e-12*sum(lambda) {
		t.Errorf("trace of the dense Hessian %.15g, want %g", sp.Trace(), sum(lambda))
	}
	top, err := curvature.Top(ctx, h, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if math.Abs(top.Values[i]-sorted[i]) > 1e-9*sorted[i] {
			t.Errorf("top eigenvalue %d = %.15g, want %g", i, top.Values[i], sorted[i])
		}
	}
	bottom, err := curvature.Bottom(ctx, h, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range []float64{0.01, 0.25} {
		if math.Abs(bottom.Values[i]-l) > 1e-9*sorted[0] {
			t.Errorf("bottom eigenvalue %d = %.15g, want %g", i, bottom.Values[i], l)
		}
	}
}

// TestHutchinsonTrace: with Rademacher probes zᵀDz = tr D exactly for a
// diagonal D, so the estimate of a diagonal Hessian is exact with standard
// error 0; for a rotated one the estimate is within 4 standard errors of
// the trace, and the standard error is near its theoretical value
// √(2(‖H‖_F² − Σ H_ii²)/M).
func TestHutchinsonTrace(t *testing.T) {
	ctx := context.Background()
	lambda := []float64{10, 6, 3.5, 1, 0.25, 0.01, 4, 2}
	arch := graph.Linear{Dim: len(lambda)}
	for _, rotate := range []bool{false, true} {
		x, y, hess := linearProblem(lambda, 30, rotate)
		p := arch.Init(random.New(1, random.Init))
		h, err := curvature.NewHessian(arch, x, y, p, nil)
		if err != nil {
			t.Fatal(err)
		}
		const probes = 400
		est, err := curvature.Trace(ctx, h, &curvature.TraceSettings{Probes: probes, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		h.Close()
		if !rotate {
			if math.Abs(est.Trace-sum(lambda)) > 1e-12*sum(lambda) || est.StdErr > 1e-12 {
				t.Errorf("diagonal Hessian: trace %.15g ± %g, want %g exactly", est.Trace, est.StdErr, sum(lambda))
			}
			continue
		}
		var frob, diag float64
		for i := range lambda {
			for j := range lambda {
				frob += hess.At(i, j) * hess.At(i, j)
			}
			diag += hess.At(i, i) * hess.At(i, i)
		}
		se := math.Sqrt(2 * (frob - diag) / probes)
		if math.Abs(est.Trace-sum(lambda)) > 4*est.StdErr {
			t.Errorf("rotated Hessian: trace %.6g ± %.3g, want %g", est.Trace, est.StdErr, sum(lambda))
		}
		// The sample standard deviation of 400 draws is within 20% of
		// the true one unless the draws are very heavy-tailed.
		if r := est.StdErr / se; r < 0.8 || r > 1.2 {
			t.Errorf("standard error %.4g, theory %.4g", est.StdErr, se)
		}
	}
}

// TestIterativeMatchesDense: on three architectures, at random parameters
// where the Hessian is indefinite, the top four and bottom two eigenvalues
// of the Lanczos method agree with the dense spectrum within 1e-8 relative,
// their vectors are eigenvectors of the dense Hessian, and bases smaller
// than the problem (restarts), down to k + 1 vectors, give the same.
func TestIterativeMatchesDense(t *testing.T) {
	ctx := context.Background()
	for _, arch := range []graph.Architecture{
		graph.Quadratic{Dim: 6, Width: 12},
		graph.Tanh{Dim: 6, Width: 12},
		archtest.Softplus{Dim: 6, Width: 12},
	} {
		t.Run(arch.Name(), func(t *testing.T) {
			x, y, p := problemOf(arch, 30, 6, 21)
			h, err := curvature.NewHessian(arch, x, y, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			sp, err := curvature.Dense(ctx, h, nil)
			if err != nil {
				t.Fatal(err)
			}
			if sp.Asymmetry > 1e-12 {
				t.Errorf("products asymmetric by %g", sp.Asymmetry)
			}
			if last := sp.Values[len(sp.Values)-1]; last >= 0 {
				t.Fatalf("the Hessian is not indefinite (smallest eigenvalue %g): the bottom end is not tested", last)
			}
			for _, basis := range []int{0, 14, 5} {
				const k = 4
				top, err := curvature.Top(ctx, h, k, &curvature.EigenSettings{Basis: basis, Seed: 3})
				if err != nil {
					t.Fatal(err)
				}
				for i := range k {
					checkPair(t, "top", i, top, sp.Values[i], sp.Matrix)
				}
				bottom, err := curvature.Bottom(ctx, h, 2, &curvature.EigenSettings{Basis: basis, Seed: 4})
				if err != nil {
					t.Fatal(err)
				}
				for i := range 2 {
					checkPair(t, "bottom", i, bottom, sp.Values[len(sp.Values)-1-i], sp.Matrix)
				}
			}
		})
	}
}

// checkPair requires value i of e within 1e-8 relative of want, and its
// vector an eigenvector of hess with the residual e reports.
func checkPair(t *testing.T, end string, i int, e *curvature.Eigenpairs, want float64, hess *mat.SymDense) {
	t.Helper()
	if got := e.Values[i]; math.Abs(got-want) > 1e-8*math.Abs(want) {
		t.Errorf("%s eigenvalue %d = %.15g, dense %.15g (relative %.2g)", end, i, got, want, math.Abs(got-want)/math.Abs(want))
	}
	var hy mat.VecDense
	hy.MulVec(hess, mat.NewVecDense(len(e.Vectors[i]), e.Vectors[i]))
	r := hy.RawVector().Data
	floats.AddScaled(r, -e.Values[i], e.Vectors[i])
	if res := floats.Norm(r, 2); res > 1e-10*e.Norm+1e-13 || math.Abs(res-e.Residuals[i]) > 1e-12*e.Norm {
		t.Errorf("%s pair %d: residual against the dense Hessian %.3g, reported %.3g", end, i, res, e.Residuals[i])
	}
	if norm := floats.Norm(e.Vectors[i], 2); math.Abs(norm-1) > 1e-12 {
		t.Errorf("%s vector %d has norm %.15g", end, i, norm)
	}
}

// problemOf returns rows examples of a random regression task and random
// parameters of arch.
func problemOf(arch graph.Architecture, rows, dim int, seed uint64) (x, y *tensor.Dense, p graph.Params) {
	src := random.New(seed, random.Data)
	xs, ys := make([]float64, rows*dim), make([]float64, rows)
	src.FillNormal(xs, 0, 1)
	src.FillNormal(ys, 0, 1)
	p = graph.ZeroParams(arch.Params())
	for i := range p {
		src.FillNormal(p.Data(i), 0, 0.6)
	}
	return graph.NewMatrix(rows, dim, xs), graph.NewMatrix(rows, 1, ys), p
}

// TestWarmStartSavesProducts: from the eigenvectors at nearby parameters,
// the top pairs converge to the same values in fewer products than from
// random vectors.
func TestWarmStartSavesProducts(t *testing.T) {
	ctx := context.Background()
	arch := graph.Quadratic{Dim: 6, Width: 12}
	x, y, p := problemOf(arch, 30, 6, 21)
	h, err := curvature.NewHessian(arch, x, y, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	before, err := curvature.Top(ctx, h, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := p.Flat()
	floats.AddScaled(w, 1e-3, normals(len(w), 9))
	p.SetFlat(w)
	cold, err := curvature.Top(ctx, h, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	warm, err := curvature.Top(ctx, h, 2, &curvature.EigenSettings{Start: before.Vectors})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if math.Abs(warm.Values[i]-cold.Values[i]) > 1e-9*cold.Norm {
			t.Errorf("eigenvalue %d: warm %.15g, cold %.15g", i, warm.Values[i], cold.Values[i])
		}
	}
	if warm.Products >= cold.Products {
		t.Errorf("warm start took %d products, cold %d", warm.Products, cold.Products)
	}
}

// TestBadInput: every refusal is one line, prefixed with the package name,
// and wraps its sentinel.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	arch := graph.Quadratic{Dim: d, Width: m}
	x, y, p := problem(arch, 1)
	h, err := curvature.NewHessian(arch, x, y, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	k := h.Len()
	nan := p.Clone()
	nan.Data(1)[0] = math.NaN()
	hNaN, err := curvature.NewHessian(arch, x, y, nan, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hNaN.Close()
	for _, tc := range []struct {
		name string
		want error
		run  func() error
	}{
		{"k = 0", curvature.ErrCount, func() error { _, err := curvature.Top(ctx, h, 0, nil); return err }},
		{"k < 0", curvature.ErrCount, func() error { _, err := curvature.Bottom(ctx, h, -1, nil); return err }},
		{"k above the parameters", curvature.ErrCount, func() error { _, err := curvature.Top(ctx, h, k+1, nil); return err }},
		{"start of another length", curvature.ErrShape, func() error {
			_, err := curvature.Top(ctx, h, 1, &curvature.EigenSettings{Start: [][]float64{make([]float64, k-1)}})
			return err
		}},
		{"vector of another length", curvature.ErrShape, func() error { return h.Apply(make([]float64, k), make([]float64, k+1)) }},
		{"parameters of another shape", curvature.ErrShape, func() error {
			_, err := curvature.NewHessian(arch, x, y, graph.ZeroParams(graph.Quadratic{Dim: d, Width: m + 1}.Params()), nil)
			return err
		}},
		{"inputs of another width", curvature.ErrShape, func() error {
			_, err := curvature.NewHessian(arch, graph.NewMatrix(n, d+1, nil), y, p, nil)
			return err
		}},
		{"targets of another length", curvature.ErrShape, func() error {
			_, err := curvature.NewThirdDerivative(arch, x, graph.NewMatrix(n+1, 1, nil), p, nil)
			return err
		}},
		{"float32 parameters", curvature.ErrShape, func() error {
			_, err := curvature.NewHessian(arch, x, y, p.As(tensor.Float32), nil)
			return err
		}},
		{"dense above the limit", curvature.ErrTooLarge, func() error {
			_, err := curvature.Dense(ctx, h, &curvature.DenseSettings{MaxParams: k - 1})
			return err
		}},
		{"not finite", curvature.ErrNotFinite, func() error { _, err := curvature.Top(ctx, hNaN, 1, nil); return err }},
		{"negative tolerance", curvature.ErrSettings, func() error {
			_, err := curvature.Top(ctx, h, 1, &curvature.EigenSettings{Tol: -1})
			return err
		}},
		{"no convergence", curvature.ErrNoConvergence, func() error {
			_, err := curvature.Top(ctx, h, 2, &curvature.EigenSettings{MaxProducts: 3})
			return err
		}},
	} {
		err := tc.run()
		switch {
		case !errors.Is(err, tc.want):
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		case !strings.HasPrefix(err.Error(), "curvature: ") || strings.Contains(err.Error(), "\n"):
			t.Errorf("%s: error %q is not one line prefixed with the package name", tc.name, err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := curvature.Top(cancelled, h, 2, &curvature.EigenSettings{Tol: 1e-15, MaxProducts: 1000}); !errors.Is(err, context.Canceled) {
		t.Errorf("Top with a cancelled context: %v", err)
	}
}

func sum(v []float64) float64 { return floats.Sum(v) }

func relErr(got, want []float64) float64 {
	d := slices.Clone(got)
	floats.Sub(d, want)
	return floats.Norm(d, 2) / floats.Norm(want, 2)
}

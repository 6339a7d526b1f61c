package centralflow

import (
	"errors"
	"fmt"
	"gonum.org/v1/gonum/floats"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/igr-project/igr/internal/random"
)

// innerTol is what the tests ask of SolveInner's answers, in the
// dimensionless units of InnerSolution.Residual: the default Tol.
const innerTol = 1e-10

// kkt measures, independently of the solver, how far x is from solving the
// inner problem (a, b): the violations of X ⪰ 0, A + B[X] ⪰ 0 and
// ⟨X, A + B[X]⟩ = 0, each made dimensionless as InnerSolution.Residual says.
func kkt(a, b, x *mat.SymDense) (negX, negS, compl float64) {
	k := a.SymmetricDim()
	s := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			v := a.At(i, j)
			for l := 0; l < k; l++ {
				for m := 0; m < k; m++ {
					v += b.At(i*k+j, l*k+m) * x.At(l, m)
				}
			}
			s.SetSym(i, j, v)
		}
	}
	aNorm := mat.Norm(a, 2) // Frobenius for a matrix
	// ‖B‖ on symmetric matrices is at most the largest eigenvalue of the
	// k²×k² matrix; for the Gram and isotropic B of these tests it is equal.
	var eb mat.EigenSym
	eb.Factorize(b, false)
	vals := eb.Values(nil)
	bNorm := vals[len(vals)-1]
	var ex, es mat.EigenSym
	ex.Factorize(x, false)
	es.Factorize(s, false)
	negX = math.Max(0, -ex.Values(nil)[0]) * bNorm / aNorm
	negS = math.Max(0, -es.Values(nil)[0]) / aNorm
	var c float64
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			c += x.At(i, j) * s.At(i, j)
		}
	}
	compl = math.Abs(c) * bNorm / (aNorm * aNorm)
	return negX, negS, compl
}

// randomVector draws a vector of n standard normal entries.
func randomVector(src *random.Normal, n int) []float64 {
	v := make([]float64, n)
	src.FillNormal(v, 0, 1)
	return v
}

// TestInnerOneCriticalClosedForm checks the solver on one critical
// eigenvalue at 2/η against the closed form of the paper,
// σ² = 2⟨−∇L, ∇S⟩/‖∇S‖² when positive and 0 otherwise, through the A and B
// the flow builds.
func TestInnerOneCriticalClosedForm(t *testing.T) {
	src := random.New(3, random.Init)
	for trial := 0; trial < 20; trial++ {
		n := 5 + trial
		eta := 0.01 + 0.01*float64(trial)
		grad, gs := randomVector(src, n), randomVector(src, n)
		a, b := innerProblem(eta, 0.25, []float64{2 / eta}, grad, [][]float64{gs})
		sol, err := SolveInner(a, b, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := math.Max(0, -2*floats.Dot(grad, gs)/floats.Dot(gs, gs))
		got := sol.X.At(0, 0)
		if math.Abs(got-want) > 1e-9*math.Max(want, math.Abs(2*floats.Dot(grad, gs)/floats.Dot(gs, gs))) {
			t.Errorf("trial %d: σ² = %.15g, closed form %.15g", trial, got, want)
		}
	}
}

// TestInnerOneByOne checks k = 1 away from the edge: X = max(0, −A/B).
func TestInnerOneByOne(t *testing.T) {
	for _, c := range []struct{ a, b float64 }{{-3, 2}, {-1e-6, 5e3}, {-4e4, 1e-3}, {2, 7}, {0, 1}} {
		sol, err := SolveInner(mat.NewSymDense(1, []float64{c.a}), mat.NewSymDense(1, []float64{c.b}), nil)
		if err != nil {
			t.Fatalf("A = %g, B = %g: %v", c.a, c.b, err)
		}
		want := math.Max(0, -c.a/c.b)
		if got := sol.X.At(0, 0); math.Abs(got-want) > 1e-9*math.Abs(c.a/c.b) {
			t.Errorf("A = %g, B = %g: X = %.15g, want %.15g", c.a, c.b, got, want)
		}
	}
}

// randomOrthogonal returns a k×k orthogonal matrix, the Q of a QR
// factorization of a Gaussian matrix.
func randomOrthogonal(src *random.Normal, k int) *mat.Dense {
	var qr mat.QR
	qr.Factorize(mat.NewDense(k, k, randomVector(src, k*k)))
	var q mat.Dense
	qr.QTo(&q)
	return &q
}

// conjugate returns V diag(d) Vᵀ.
func conjugate(v *mat.Dense, d []float64) *mat.SymDense {
	k := len(d)
	s := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			var x float64
			for l := 0; l < k; l++ {
				x += v.At(i, l) * d[l] * v.At(j, l)
			}
			s.SetSym(i, j, x)
		}
	}
	return s
}

// TestInnerIsotropic uses B[X] = cX, whose solution is the projection of
// −A/c onto the positive semidefinite cone: V max(0, −Λ/c) Vᵀ.
func TestInnerIsotropic(t *testing.T) {
	src := random.New(4, random.Init)
	for k := 1; k <= 6; k++ {
		v := randomOrthogonal(src, k)
		lam := randomVector(src, k)
		c := 0.1 + float64(k)
		b := mat.NewSymDense(k*k, nil)
		for i := 0; i < k*k; i++ {
			b.SetSym(i, i, c)
		}
		a := conjugate(v, lam)
		want := make([]float64, k)
		for i, l := range lam {
			want[i] = math.Max(0, -l/c)
		}
		sol, err := SolveInner(a, b, nil)
		if err != nil {
			t.Fatalf("k = %d: %v", k, err)
		}
		var diff mat.Dense
		diff.Sub(sol.X, conjugate(v, want))
		if e := mat.Norm(&diff, 2) / (mat.Norm(a, 2) / c); e > 1e-9 {
			t.Errorf("k = %d: X is %.3g away from the projection of −A/c (relative to ‖A‖/c)", k, e)
		}
	}
}

// gramOperator returns B_(ij),(kl) = c⟨g_ij, g_kl⟩ for n-vectors g_ij = g_ji
// drawn at random: the form of the flow's B, of rank at most min(n, k(k+1)/2).
func gramOperator(src *random.Normal, k, n int, c float64) *mat.SymDense {
	pr := pairs{k}
	g := make([][]float64, pr.len())
	for p := range g {
		g[p] = randomVector(src, n)
	}
	b := mat.NewSymDense(k*k, nil)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			for l := 0; l < k; l++ {
				for m := 0; m < k; m++ {
					if i*k+j <= l*k+m {
						b.SetSym(i*k+j, l*k+m, c*floats.Dot(g[pr.index(i, j)], g[pr.index(l, m)]))
					}
				}
			}
		}
	}
	return b
}

// applyB returns B[X] for the tests, by the definition.
func applyB(b, x *mat.SymDense) *mat.SymDense {
	k := x.SymmetricDim()
	s := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			var v float64
			for l := 0; l < k; l++ {
				for m := 0; m < k; m++ {
					v += b.At(i*k+j, l*k+m) * x.At(l, m)
				}
			}
			s.SetSym(i, j, v)
		}
	}
	return s
}

// TestInnerPlanted builds instances with a known solution: X0 = V D_x Vᵀ
// and S0 = V D_s Vᵀ with complementary supports, B a random Gram operator,
// A = S0 − B[X0]. With B positive definite the solution is unique, so
// SolveInner must return X0; when B is singular (fewer dimensions than
// pairs) S = A + B[X] is still unique and must be S0, and the KKT
// conditions must hold.
func TestInnerPlanted(t *testing.T) {
	src := random.New(5, random.Init)
	for _, c := range []struct{ k, n int }{{1, 3}, {2, 8}, {3, 10}, {4, 20}, {5, 30}, {6, 40}, {4, 6}, {6, 12}} {
		for rank := 0; rank <= c.k; rank++ {
			name := fmt.Sprintf("k%d/n%d/rank%d", c.k, c.n, rank)
			v := randomOrthogonal(src, c.k)
			dx, ds := make([]float64, c.k), make([]float64, c.k)
			for i := range dx {
				if i < rank {
					dx[i] = 0.1 + math.Abs(randomVector(src, 1)[0])
				} else {
					ds[i] = 0.1 + math.Abs(randomVector(src, 1)[0])
				}
			}
			x0, s0 := conjugate(v, dx), conjugate(v, ds)
			b := gramOperator(src, c.k, c.n, 0.3)
			var a mat.SymDense
			bx := applyB(b, x0)
			bx.ScaleSym(-1, bx)
			a.AddSym(s0, bx)
			sol, err := SolveInner(&a, b, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			negX, negS, compl := kkt(&a, b, sol.X)
			if negX > innerTol || negS > innerTol || compl > innerTol {
				t.Errorf("%s: KKT violations X %.3g, A+B[X] %.3g, complementarity %.3g (tolerance %g)", name, negX, negS, compl, innerTol)
			}
			if sol.Residual > 1e-10 {
				t.Errorf("%s: reported residual %.3g above the default tolerance", name, sol.Residual)
			}
			var ds0 mat.Dense
			ds0.Sub(sol.S, s0)
			if e := mat.Norm(&ds0, 2) / mat.Norm(&a, 2); e > 1e-11 {
				t.Errorf("%s: A + B[X] is %.3g (relative) from the planted S0", name, e)
			}
			if c.n >= c.k*(c.k+1)/2 {
				var dx0 mat.Dense
				dx0.Sub(sol.X, x0)
				if e := mat.Norm(&dx0, 2) / math.Max(mat.Norm(x0, 2), 1e-300); rank > 0 && e > 1e-11 {
					t.Errorf("%s: X is %.3g (relative) from the planted X0", name, e)
				}
				if rank == 0 && mat.Norm(sol.X, 2) != 0 {
					t.Errorf("%s: A ⪰ 0 but X = %v", name, mat.Formatted(sol.X))
				}
			}
		}
	}
}

// TestInnerRandomKKT solves random instances of the flow's form, A with
// eigenvalues of both signs and B a Gram operator, and checks the KKT
// conditions on the answers.
func TestInnerRandomKKT(t *testing.T) {
	src := random.New(6, random.Init)
	for trial := 0; trial < 60; trial++ {
		k := 1 + trial%6
		a := mat.NewSymDense(k, nil)
		for i := 0; i < k; i++ {
			for j := i; j < k; j++ {
				a.SetSym(i, j, randomVector(src, 1)[0])
			}
		}
		scale := math.Pow(10, float64(trial%7-3))
		b := gramOperator(src, k, k*(k+1)/2+3, scale)
		sol, err := SolveInner(a, b, nil)
		if err != nil {
			t.Fatalf("trial %d (k = %d): %v", trial, k, err)
		}
		negX, negS, compl := kkt(a, b, sol.X)
		if negX > innerTol || negS > innerTol || compl > innerTol {
			t.Errorf("trial %d (k = %d, ‖B‖ scale %g): KKT violations X %.3g, A+B[X] %.3g, complementarity %.3g", trial, k, scale, negX, negS, compl)
		}
		if sol.Iterations > 40 {
			t.Errorf("trial %d (k = %d): %d iterations", trial, k, sol.Iterations)
		}
	}
}

// TestInnerNoSolution gives A a negative direction B does not reach.
func TestInnerNoSolution(t *testing.T) {
	b := mat.NewSymDense(4, nil)
	b.SetSym(0, 0, 1) // B acts on X_11 only
	for _, a := range []*mat.SymDense{mat.NewSymDense(2, []float64{1, 0, 0, -1}), mat.NewSymDense(2, []float64{-1, 0, 0, -1})} {
		_, err := SolveInner(a, b, nil)
		if !errors.Is(err, ErrNoSolution) {
			t.Errorf("A = %v: error %v, want ErrNoSolution", mat.Formatted(a), err)
		}
	}
	if _, err := SolveInner(mat.NewSymDense(1, []float64{-1}), mat.NewSymDense(1, []float64{0}), nil); !errors.Is(err, ErrNoSolution) {
		t.Errorf("B = 0, A = −1: error %v, want ErrNoSolution", err)
	}
}

// TestInnerBadInput checks that malformed problems get one-line errors.
func TestInnerBadInput(t *testing.T) {
	good := mat.NewSymDense(4, []float64{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1})
	asym := mat.NewSymDense(4, nil) // row (0,1) ≠ row (1,0)
	asym.SetSym(0, 0, 1)
	asym.SetSym(1, 1, 1)
	asym.SetSym(3, 3, 1)
	asym.SetSym(1, 3, 0.5)
	negative := mat.NewSymDense(4, []float64{-1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1})
	a := mat.NewSymDense(2, []float64{-1, 0, 0, 1})
	for _, c := range []struct {
		name string
		a, b *mat.SymDense
		s    *InnerSettings
	}{
		{"nil A", nil, good, nil},
		{"empty A (k = 0)", &mat.SymDense{}, good, nil},
		{"B of the wrong size", a, mat.NewSymDense(3, nil), nil},
		{"NaN in A", mat.NewSymDense(2, []float64{math.NaN(), 0, 0, 1}), good, nil},
		{"Inf in B", a, mat.NewSymDense(4, []float64{math.Inf(1), 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}), nil},
		{"B not symmetric in its pairs", a, asym, nil},
		{"B not positive semidefinite", a, negative, nil},
		{"negative tolerance", a, good, &InnerSettings{Tol: -1}},
	} {
		_, err := SolveInner(c.a, c.b, c.s)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "centralflow: ") || strings.Contains(msg, "\n") {
			t.Errorf("%s: error %q is not one line prefixed centralflow:", c.name, msg)
		}
	}
}

package curvature

import (
	"cmp"
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/igr-project/igr/internal/random"
)

// Defaults of EigenSettings.
const (
	// DefaultTol is the residual tolerance of an eigenpair relative to the
	// operator's norm: ‖Hy − θy‖ ≤ 1e-10 ‖H‖ puts θ within 1e-10 ‖H‖ of an
	// eigenvalue.
	DefaultTol = 1e-10
	// DefaultMaxProducts bounds the operator applications of one solve.
	DefaultMaxProducts = 5000
	// DefaultBasis is the smallest default size of the basis before a
	// restart (at least 4k is used for k pairs).
	DefaultBasis = 40
)

// EigenSettings configure Top and Bottom. The zero value (or nil) means the
// defaults given with each field.
type EigenSettings struct {
	// Tol is the convergence criterion: a Ritz pair (θ, y), ‖y‖ = 1, is
	// accepted when its residual ‖Hy − θy‖ is at most Tol·‖H‖, with ‖H‖
	// estimated by the largest |θ| of the projected matrix (a lower bound of
	// ‖H‖₂ that is exact once the extreme eigenvalue has converged). Zero
	// means DefaultTol. What the residual guarantees: θ is within ‖Hy − θy‖
	// of an eigenvalue of H (Weinstein; Parlett, The Symmetric Eigenvalue
	// Problem, Theorem 4.5.1), and within ‖Hy − θy‖²/δ when the rest of the
	// spectrum is at least δ away from θ (Kato–Temple, Theorem 10.2.1); the
	// top Ritz values never exceed the top eigenvalues (Cauchy interlacing).
	Tol float64

	// MaxProducts bounds the operator applications. Zero means
	// DefaultMaxProducts.
	MaxProducts int

	// Basis is the largest number of basis vectors kept; when it is
	// reached, the basis restarts from the Ritz vectors nearest the wanted
	// end. Zero means max(DefaultBasis, 4k), and never more than the number
	// of parameters. It must exceed k unless it holds all of ℝⁿ.
	Basis int

	// Start are warm-start vectors, such as the eigenvectors of a nearby
	// Hessian. The first block is Start completed by random vectors to k
	// vectors. Nil means k random vectors. A start that is an exact
	// eigenvector converges at once to its eigenvalue, even if it is not
	// the wanted one: a warm start answers "the eigenpair that continues
	// this one".
	Start [][]float64

	// Seed seeds the random start vectors (random.Probe stream).
	Seed uint64
}

// Eigenpairs are eigenvalues of a symmetric operator with unit eigenvectors,
// from the end asked for inward.
type Eigenpairs struct {
	// Values are the eigenvalues: descending from Top, ascending from
	// Bottom.
	Values []float64
	// Vectors[i] is a unit eigenvector of Values[i], flat as
	// graph.Params.Flat lays the parameters out.
	Vectors [][]float64
	// Residuals[i] is ‖H y_i − θ_i y_i‖, which bounds the error of
	// Values[i] (see EigenSettings.Tol).
	Residuals []float64
	// Norm is the estimate of ‖H‖₂ the tolerance was relative to.
	Norm float64
	// Products is the number of operator applications spent.
	Products int
}

// Top returns the k algebraically largest eigenvalues of op with their
// eigenvectors, by the Lanczos method with full reorthogonalization and
// thick restarts (see the package documentation). When the tolerance is not
// reached within MaxProducts it returns the pairs found so far with
// ErrNoConvergence.
func Top(ctx context.Context, op Operator, k int, s *EigenSettings) (*Eigenpairs, error) {
	res, _, err := solve(ctx, op, k, true, s, nil, nil)
	return res, err
}

// Bottom returns the k algebraically smallest eigenvalues of op with their
// eigenvectors, as Top does for the largest: Bottom(ctx, op, 1, s).Values[0]
// is the most negative eigenvalue when op is indefinite, and its smallest
// otherwise.
func Bottom(ctx context.Context, op Operator, k int, s *EigenSettings) (*Eigenpairs, error) {
	res, _, err := solve(ctx, op, k, false, s, nil, nil)
	return res, err
}

func (s *EigenSettings) withDefaults(k, n int) (EigenSettings, error) {
	c := *cmp.Or(s, &EigenSettings{})
	if k < 1 || k > n {
		return c, fmt.Errorf("%w: got k = %d for %d parameters", ErrCount, k, n)
	}
	c.Tol = cmp.Or(c.Tol, DefaultTol)
	c.MaxProducts = cmp.Or(c.MaxProducts, DefaultMaxProducts)
	c.Basis = cmp.Or(c.Basis, max(DefaultBasis, 4*k))
	c.Basis = min(c.Basis, n)
	switch {
	case !(c.Tol > 0) || math.IsInf(c.Tol, 0):
		return c, fmt.Errorf("%w: tolerance must be a positive number, got %g", ErrSettings, c.Tol)
	case c.MaxProducts < 0:
		return c, fmt.Errorf("%w: MaxProducts must not be negative, got %d", ErrSettings, c.MaxProducts)
	case c.Basis <= k && c.Basis < n:
		return c, fmt.Errorf("%w: a basis of %d vectors cannot hold %d pairs and a direction", ErrSettings, c.Basis, k)
	}
	for i, v := range c.Start {
		if len(v) != n {
			return c, fmt.Errorf("%w: start vector %d has %d entries for %d parameters", ErrShape, i, len(v), n)
		}
	}
	return c, nil
}

// lanczos holds an orthonormal basis Q of a subspace, the products W = HQ,
// and the projected matrix T = QᵀHQ.
type lanczos struct {
	op       Operator
	n        int
	q, w     [][]float64
	t        [][]float64 // T, symmetric, len(q)×len(q)
	products int
	rng      *random.Normal
}

// solve finds the k wanted eigenpairs, top or bottom, and the products Hy of
// their vectors. q0 and w0, if not nil, are a unit vector and its product
// already computed: the first basis vector.
func solve(ctx context.Context, op Operator, k int, top bool, s *EigenSettings, q0, w0 []float64) (*Eigenpairs, [][]float64, error) {
	n := op.Len()
	cfg, err := s.withDefaults(k, n)
	if err != nil {
		return nil, nil, err
	}
	l := &lanczos{op: op, n: n, rng: random.New(cfg.Seed, random.Probe)}
	if q0 != nil {
		l.append(q0, w0)
	}
	first := make([][]float64, 0, max(k, len(cfg.Start)))
	for _, v := range cfg.Start {
		first = append(first, append([]float64(nil), v...))
	}
	for len(first)+len(l.q) < k {
		first = append(first, l.random())
	}
	if err := l.expand(first); err != nil {
		return nil, nil, err
	}
	for {
		// Fewer basis vectors than pairs wanted: start vectors that were
		// dependent.
		for len(l.q) < k {
			if err := l.expand([][]float64{l.random()}); err != nil {
				return nil, nil, err
			}
		}
		theta, y := l.ritz()
		m := len(theta)
		res := &Eigenpairs{Norm: math.Max(math.Abs(theta[0]), math.Abs(theta[m-1])), Products: l.products}
		wanted := make([]int, k)
		for i := range wanted {
			if top {
				wanted[i] = m - 1 - i
			} else {
				wanted[i] = i
			}
		}
		var dirs, hy [][]float64
		for _, j := range wanted {
			vec, r := l.pair(theta[j], y, j)
			size := norm(r)
			res.Values = append(res.Values, theta[j])
			res.Vectors = append(res.Vectors, vec)
			res.Residuals = append(res.Residuals, size)
			if size > cfg.Tol*res.Norm {
				dirs = append(dirs, r)
			}
			hy = append(hy, r) // r + θ y once the loop is done
		}
		if len(dirs) == 0 || m == n || l.products >= cfg.MaxProducts {
			for i, r := range hy {
				hy[i] = append([]float64(nil), r...)
				floats.AddScaled(hy[i], res.Values[i], res.Vectors[i])
			}
		}
		if len(dirs) == 0 || m == n {
			return res, hy, nil
		}
		if l.products >= cfg.MaxProducts {
			return res, hy, fmt.Errorf("%w after %d products: residuals %v, tolerance %g × ‖H‖ %g", ErrNoConvergence, l.products, res.Residuals, cfg.Tol, res.Norm)
		}
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("curvature: %w", err)
		}
		dirs = dirs[:min(len(dirs), n-m, cfg.Basis-k)] // room for k kept vectors at a restart
		if m+len(dirs) > cfg.Basis {
			keep := min(max(k, cfg.Basis/2), cfg.Basis-len(dirs))
			l.restart(theta, y, top, keep)
		}
		if err := l.expand(dirs); err != nil {
			return nil, nil, err
		}
	}
}

// random returns a vector of independent standard normal entries.
func (l *lanczos) random() []float64 {
	v := make([]float64, l.n)
	l.rng.FillNormal(v, 0, 1)
	return v
}

// expand orthonormalizes each vector against the basis (classical
// Gram–Schmidt, twice: "twice is enough", Giraud, Langou, Rozložník and van
// den Eshof, Numerische Mathematik 101, 2005), replaces one that is
// numerically in the span by a random vector, and adds it with its product.
func (l *lanczos) expand(vecs [][]float64) error {
	for _, v := range vecs {
		if len(l.q) == l.n {
			return nil
		}
		for try := 0; ; try++ {
			before := norm(v)
			for range 2 {
				for _, q := range l.q {
					floats.AddScaled(v, -floats.Dot(q, v), q)
				}
			}
			after := norm(v)
			if after > 1e-8*before && after > 0 && !math.IsNaN(after) {
				floats.Scale(1/after, v)
				break
			}
			if try == 10 {
				return fmt.Errorf("curvature: no direction left to add to a basis of %d vectors in ℝ^%d", len(l.q), l.n)
			}
			v = l.random()
		}
		w := make([]float64, l.n)
		if err := l.op.Apply(w, v); err != nil {
			return err
		}
		l.products++
		if !finite(w) {
			return fmt.Errorf("%w (after %d products)", ErrNotFinite, l.products)
		}
		l.append(v, w)
	}
	return nil
}

// append adds a unit vector q orthogonal to the basis, with w = Hq, and the
// new row and column of T, symmetrized: T_ij = (q_i·w_j + q_j·w_i)/2.
func (l *lanczos) append(q, w []float64) {
	m := len(l.q)
	l.q = append(l.q, q)
	l.w = append(l.w, w)
	row := make([]float64, m+1)
	for i := range m {
		row[i] = (floats.Dot(l.q[i], w) + floats.Dot(q, l.w[i])) / 2
		l.t[i] = append(l.t[i], row[i])
	}
	row[m] = floats.Dot(q, w)
	l.t = append(l.t, row)
}

// ritz returns the eigenvalues of T, ascending, and its eigenvectors as the
// columns of y.
func (l *lanczos) ritz() ([]float64, *mat.Dense) {
	m := len(l.q)
	t := mat.NewSymDense(m, nil)
	for i := range m {
		for j := i; j < m; j++ {
			t.SetSym(i, j, l.t[i][j])
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(t, true) {
		// EigenSym fails only on non-finite entries, which expand refuses.
		panic("curvature: eigendecomposition of the projected matrix failed")
	}
	var y mat.Dense
	eig.VectorsTo(&y)
	return eig.Values(nil), &y
}

// pair returns the Ritz vector Q y_j and its residual W y_j − θ Q y_j.
func (l *lanczos) pair(theta float64, y *mat.Dense, j int) (vec, r []float64) {
	vec = make([]float64, l.n)
	r = make([]float64, l.n)
	for i := range l.q {
		c := y.At(i, j)
		floats.AddScaled(vec, c, l.q[i])
		floats.AddScaled(r, c, l.w[i])
	}
	floats.AddScaled(r, -theta, vec)
	return vec, r
}

// restart keeps the keep Ritz vectors nearest the wanted end (a thick
// restart: Wu and Simon, SIAM J. Matrix Anal. Appl. 22, 2000), with their
// products; T becomes the diagonal of their Ritz values.
func (l *lanczos) restart(theta []float64, y *mat.Dense, top bool, keep int) {
	m := len(theta)
	q := make([][]float64, keep)
	w := make([][]float64, keep)
	t := make([][]float64, keep)
	for c := range keep {
		j := c
		if top {
			j = m - 1 - c
		}
		q[c] = make([]float64, l.n)
		w[c] = make([]float64, l.n)
		for i := range l.q {
			floats.AddScaled(q[c], y.At(i, j), l.q[i])
			floats.AddScaled(w[c], y.At(i, j), l.w[i])
		}
		t[c] = make([]float64, keep)
		t[c][c] = theta[j]
	}
	l.q, l.w, l.t = q, w, t
}

func finite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// norm is the Euclidean norm √(v·v): products of this package's sizes
// neither overflow nor underflow unless they are not finite anyway.
func norm(v []float64) float64 { return math.Sqrt(floats.Dot(v, v)) }

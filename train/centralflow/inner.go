package centralflow

import (
	"cmp"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"gonum.org/v1/gonum/mat"
)

// ErrNoSolution is returned when the inner problem has no solution: some
// direction in which A is negative is out of the reach of B, so no X ⪰ 0
// makes A + B[X] positive semidefinite.
var ErrNoSolution = errors.New("centralflow: the inner problem has no solution")

// InnerSettings configure SolveInner. The zero value means the defaults.
type InnerSettings struct {
	// Tol is the accuracy asked of the solution: every violation of the
	// conditions X ⪰ 0, A + B[X] ⪰ 0 and ⟨X, A + B[X]⟩ = 0, measured as
	// InnerSolution.Residual says, stays below it. Zero means 1e-10.
	Tol float64

	// MaxIter bounds the interior-point iterations. Zero means 100; the
	// instances of the flow take 10 to 25.
	MaxIter int
}

// InnerSolution is the answer of SolveInner.
type InnerSolution struct {
	// X is the solution, k×k, positive semidefinite.
	X *mat.SymDense
	// S is A + B[X], computed from X.
	S *mat.SymDense
	// Iterations is the number of interior-point iterations; zero when A is
	// already positive semidefinite and X = 0.
	Iterations int
	// Residual is the largest violation of the conditions, each made
	// dimensionless with a = ‖A‖_F and b = ‖B‖ (the largest eigenvalue of
	// B as an operator on symmetric matrices), so that X is measured in
	// units of a/b and S in units of a:
	//
	//	max( λmax(−X)⁺·b/a,  λmax(−S)⁺/a,  |⟨X, S⟩|·b/a² ).
	Residual float64
}

// SolveInner solves the inner problem of a step of the central flow: find
// X ⪰ 0 (k×k) with
//
//	A + B[X] ⪰ 0  and  ⟨X, A + B[X]⟩ = 0,
//
// a semidefinite complementarity problem. A is a k×k symmetric matrix; B is
// a linear map on k×k matrices given by its k²×k² matrix on row-major vec(X),
// B[X]_ij = Σ_kl B_(ik+j),(kk+l) X_kl (the flow's B_(ij),(kl) = c⟨g_ij, g_kl⟩,
// whose off-diagonal pairs thereby count twice). B must map symmetric
// matrices to symmetric matrices (B_(ij),(kl) = B_(ji),(kl)) and be positive
// semidefinite on them.
//
// Then the problem is the optimality condition of the convex quadratic program
//
//	minimize ½⟨X, B[X]⟩ + ⟨A, X⟩ over X ⪰ 0,
//
// (S = A + B[X] is the multiplier of the constraint X ⪰ 0), which the
// authors of the central flow hand to CVXPY. SolveInner solves it with an
// infeasible primal–dual interior-point method: Newton steps on
// Z = A + B[X], XZ = μI with X, Z ≻ 0, in the HKM direction (the
// linearized XZ = μI solved for ΔX and symmetrized; Helmberg, Rendl,
// Vanderbei and Wolkowicz 1996, Kojima, Shindoh and Hara 1997, Monteiro
// 1997), with Mehrotra's predictor–corrector choice of μ and steps that keep
// X and Z positive definite. It works on a copy scaled so that ‖A‖ = ‖B‖ = 1
// and returns X scaled back. When A ⪰ 0, X = 0 is the answer and no
// iteration is made; with B positive definite the solution is unique.
func SolveInner(a, b *mat.SymDense, s *InnerSettings) (*InnerSolution, error) {
	cfg := *cmp.Or(s, &InnerSettings{})
	cfg.Tol = cmp.Or(cfg.Tol, 1e-10)
	cfg.MaxIter = cmp.Or(cfg.MaxIter, 100)
	if !(cfg.Tol > 0) || cfg.MaxIter < 0 {
		return nil, fmt.Errorf("centralflow: inner tolerance must be positive and iterations non-negative, got %g and %d", cfg.Tol, cfg.MaxIter)
	}
	if a == nil || b == nil {
		return nil, fmt.Errorf("centralflow: the inner problem needs A and B")
	}
	k := a.SymmetricDim()
	if k == 0 {
		return nil, fmt.Errorf("centralflow: the inner problem needs k ≥ 1, got an empty A")
	}
	if b.SymmetricDim() != k*k {
		return nil, fmt.Errorf("centralflow: B must be k²×k² = %d×%d for a %d×%d A, got %d×%d", k*k, k*k, k, k, b.SymmetricDim(), b.SymmetricDim())
	}
	am := symToSlice(a)
	for _, v := range am {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("centralflow: A has a non-finite entry %g", v)
		}
	}
	op, err := newSymOperator(b, k)
	if err != nil {
		return nil, err
	}
	sol := &InnerSolution{X: mat.NewSymDense(k, nil)}
	aNorm := floats.Norm(am, 2)
	if minEigen(am, k) >= 0 {
		sol.S = sliceToSym(am, k)
		return sol, nil
	}
	if op.norm == 0 {
		return nil, fmt.Errorf("%w: B is zero and A has a negative eigenvalue %g", ErrNoSolution, minEigen(am, k))
	}
	// Scale: Ā = A/a, B̄ = B/b, X = X̄·a/b.
	abar := scaled(am, 1/aNorm)
	op.scale(1 / op.norm)
	ip := interiorPoint{k: k, a: abar, op: op, tol: cfg.Tol}
	xbar, iters, err := ip.solve(cfg.MaxIter)
	sol.Iterations = iters
	if err != nil {
		return nil, err
	}
	xbar = ip.polish(xbar)
	xm := scaled(xbar, aNorm/op.norm)
	op.scale(op.norm) // back to B
	sm := add(am, op.apply(xm))
	sol.X = sliceToSym(xm, k)
	sol.S = sliceToSym(sm, k)
	sol.Residual = math.Max(math.Max(
		math.Max(-minEigen(xm, k), 0)*op.norm/aNorm,
		math.Max(-minEigen(sm, k), 0)/aNorm),
		math.Abs(floats.Dot(xm, sm))*op.norm/(aNorm*aNorm))
	return sol, nil
}

// symOperator is B as a map on symmetric k×k matrices, in the orthonormal
// basis of svec coordinates: svec(X) holds X_ii and √2·X_ij (i < j), so that
// ⟨X, Y⟩ = svec(X)·svec(Y) and svec(B[X]) = Q svec(X).
type symOperator struct {
	k, p int
	q    *mat.SymDense // p×p
	norm float64       // the largest eigenvalue of Q as built (before scale)
}

// newSymOperator checks b and builds its svec matrix.
func newSymOperator(b *mat.SymDense, k int) (*symOperator, error) {
	kk := k * k
	for r := 0; r < kk; r++ {
		for c := r; c < kk; c++ {
			v := b.At(r, c)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("centralflow: B has a non-finite entry %g", v)
			}
		}
	}
	var bmax float64
	for r := 0; r < kk; r++ {
		for c := 0; c < kk; c++ {
			bmax = math.Max(bmax, math.Abs(b.At(r, c)))
		}
	}
	// B must map symmetric matrices to symmetric ones: B[E]_ij = B[E]_ji
	// for E = e_l e_mᵀ + e_m e_lᵀ.
	for i := 0; i < k; i++ {
		for j := i + 1; j < k; j++ {
			for l := 0; l < k; l++ {
				for m := l; m < k; m++ {
					bij := b.At(i*k+j, l*k+m) + b.At(i*k+j, m*k+l)
					bji := b.At(j*k+i, l*k+m) + b.At(j*k+i, m*k+l)
					if d := math.Abs(bij - bji); d > 1e-12*bmax {
						return nil, fmt.Errorf("centralflow: B must map symmetric matrices to symmetric ones, but B[E]_%d%d − B[E]_%d%d = %g for E = e_%d e_%dᵀ + e_%d e_%dᵀ", i, j, j, i, d, l, m, m, l)
					}
				}
			}
		}
	}
	p := k * (k + 1) / 2
	basis := svecBasis(k)
	q := mat.NewSymDense(p, nil)
	for r := 0; r < p; r++ {
		for c := r; c < p; c++ {
			var v float64
			for _, er := range basis[r] {
				for _, ec := range basis[c] {
					v += er.w * ec.w * b.At(er.i*k+er.j, ec.i*k+ec.j)
				}
			}
			q.SetSym(r, c, v)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(q, false) {
		return nil, fmt.Errorf("centralflow: eigenvalues of B did not converge")
	}
	vals := eig.Values(nil)
	lo, hi := vals[0], vals[len(vals)-1]
	if lo < -1e-8*math.Max(hi, 0) || hi < 0 {
		return nil, fmt.Errorf("centralflow: B must be positive semidefinite on symmetric matrices, its smallest eigenvalue is %g (largest %g)", lo, hi)
	}
	return &symOperator{k: k, p: p, q: q, norm: math.Max(hi, 0)}, nil
}

// scale multiplies the operator by f.
func (o *symOperator) scale(f float64) { o.q.ScaleSym(f, o.q) }

// apply returns B[x] for a symmetric k×k x, row-major.
func (o *symOperator) apply(x []float64) []float64 {
	v := mat.NewVecDense(o.p, svec(x, o.k))
	var out mat.VecDense
	out.MulVec(o.q, v)
	return unsvec(out.RawVector().Data, o.k)
}

// entry is one entry of a basis matrix of svec coordinates.
type entry struct {
	i, j int
	w    float64
}

// svecBasis returns, for each svec coordinate, the entries of its basis
// matrix: e_i e_iᵀ, or (e_i e_jᵀ + e_j e_iᵀ)/√2 for i < j.
func svecBasis(k int) [][]entry {
	var basis [][]entry
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			if i == j {
				basis = append(basis, []entry{{i, i, 1}})
			} else {
				basis = append(basis, []entry{{i, j, math.Sqrt2 / 2}, {j, i, math.Sqrt2 / 2}})
			}
		}
	}
	return basis
}

// svec returns the svec coordinates of the symmetric k×k x.
func svec(x []float64, k int) []float64 {
	out := make([]float64, 0, k*(k+1)/2)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			if i == j {
				out = append(out, x[i*k+i])
			} else {
				out = append(out, math.Sqrt2*(x[i*k+j]+x[j*k+i])/2)
			}
		}
	}
	return out
}

// unsvec returns the symmetric k×k matrix of svec coordinates v.
func unsvec(v []float64, k int) []float64 {
	x := make([]float64, k*k)
	n := 0
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			if i == j {
				x[i*k+i] = v[n]
			} else {
				x[i*k+j] = v[n] / math.Sqrt2
				x[j*k+i] = x[i*k+j]
			}
			n++
		}
	}
	return x
}

// interiorPoint holds a scaled instance: ‖Ā‖_F = 1 and B̄ of norm 1.
type interiorPoint struct {
	k   int
	a   []float64
	op  *symOperator
	tol float64
}

// solve runs the HKM predictor–corrector iteration from X = Z = I. It stops
// when the violations of the conditions fall below tol/2, measured by
// ⟨X, Z⟩ + ‖Ā + B̄[X] − Z‖(1 + ‖X‖), which bounds those of X: X ≻ 0,
// λmin(Ā + B̄[X]) ≥ −‖Ā + B̄[X] − Z‖ and |⟨X, Ā + B̄[X]⟩| ≤ the bound. When
// rounding stops the progress earlier (the iterates near the boundary of the
// cone), it returns the best iterate if that one is within tol/2.
func (ip *interiorPoint) solve(maxIter int) ([]float64, int, error) {
	k, p := ip.k, ip.op.p
	x, z := identity(k), identity(k)
	var best []float64
	bestRes := math.Inf(1)
	m := mat.NewDense(p, p, nil)
	var lu mat.LU
	for it := 0; it < maxIter; it++ {
		rd := sub(add(ip.a, ip.op.apply(x)), z) // Ā + B̄[X] − Z
		mu := floats.Dot(x, z) / float64(k)
		// ⟨X, Ā + B̄[X]⟩ = ⟨X, Z⟩ + ⟨X, Rd⟩ and λmin(Ā + B̄[X]) ≥ −‖Rd‖.
		res := mu*float64(k) + floats.Norm(rd, 2)*(1+floats.Norm(x, 2))
		if res < bestRes {
			best, bestRes = x, res
		}
		if res <= ip.tol/2 {
			return x, it, nil
		}
		if floats.Norm(x, 2) > 1e12 {
			return nil, it, ip.failure(fmt.Sprintf("the iterates grow without bound (‖X‖ = %.3g in units of ‖A‖/‖B‖)", floats.Norm(x, 2)))
		}
		stalled := func(why string) ([]float64, int, error) {
			if bestRes <= ip.tol/2 {
				return best, it, nil
			}
			return nil, it, ip.failure(fmt.Sprintf("inner iteration %d: %s (⟨X,Z⟩ = %.3g, ‖A + B[X] − Z‖ = %.3g, relative)", it, why, mu*float64(k), floats.Norm(rd, 2)))
		}
		zinv, err := inverse(z, k)
		if err != nil {
			return stalled(err.Error())
		}
		// The Newton matrix: E ↦ E + sym(X B̄[E] Z⁻¹), in svec coordinates.
		for c := 0; c < p; c++ {
			e := make([]float64, p)
			e[c] = 1
			em := unsvec(e, k)
			col := svec(add(em, symmetrize(mul(mul(x, ip.op.apply(em), k), zinv, k))), k)
			for r := 0; r < p; r++ {
				m.Set(r, c, col[r])
			}
		}
		lu.Factorize(m)
		direction := func(sigmaMu float64, corr []float64) ([]float64, []float64, error) {
			// ΔX = σμZ⁻¹ − X − sym(C Z⁻¹) − sym(X ΔZ Z⁻¹), ΔZ = B̄[ΔX] + Rd.
			rhs := sub(scaled(zinv, sigmaMu), x)
			rhs = sub(rhs, symmetrize(mul(mul(x, rd, k), zinv, k)))
			if corr != nil {
				rhs = sub(rhs, symmetrize(mul(corr, zinv, k)))
			}
			var sol mat.VecDense
			// An ill-conditioned Newton system near the solution is the rule
			// in interior-point methods and harmless (the error of the
			// direction lies where the step is cut short); only a singular
			// one stops the iteration.
			err := lu.SolveVecTo(&sol, false, mat.NewVecDense(p, svec(rhs, k)))
			if _, ill := err.(mat.Condition); err != nil && !ill {
				return nil, nil, err
			}
			dx := unsvec(sol.RawVector().Data, k)
			return dx, add(ip.op.apply(dx), rd), nil
		}
		dxa, dza, err := direction(0, nil)
		if err != nil {
			return stalled("Newton system: " + err.Error())
		}
		alpha := math.Min(1, math.Min(maxStep(x, dxa, k), maxStep(z, dza, k)))
		muAff := floats.Dot(add(x, scaled(dxa, alpha)), add(z, scaled(dza, alpha))) / float64(k)
		sigma := math.Min(1, math.Pow(math.Max(muAff, 0)/mu, 3))
		dx, dz, err := direction(sigma*mu, mul(dxa, dza, k))
		if err != nil {
			return stalled("Newton system: " + err.Error())
		}
		// Stay in the neighbourhood λmin(X^½ Z X^½) ≥ γμ of the central path,
		// γ = 10⁻³, shortening the step as needed: iterates that approach
		// the boundary off-centre lose positive definiteness to rounding.
		alpha = math.Min(1, 0.98*math.Min(maxStep(x, dx, k), maxStep(z, dz, k)))
		for ; alpha >= 1e-12; alpha *= 0.7 {
			if centrality(add(x, scaled(dx, alpha)), add(z, scaled(dz, alpha)), k) >= 1e-3 {
				break
			}
		}
		if alpha < 1e-12 {
			return stalled(fmt.Sprintf("stalled (step %.3g)", alpha))
		}
		x = add(x, scaled(dx, alpha))
		z = add(z, scaled(dz, alpha))
	}
	if bestRes <= ip.tol/2 {
		return best, maxIter, nil
	}
	return nil, maxIter, ip.failure(fmt.Sprintf("the inner problem did not converge in %d iterations (violations %.3g, relative)", maxIter, bestRes))
}

// failure says why the iteration failed: with B singular, most likely
// because A is negative in a direction B does not reach (ErrNoSolution).
func (ip *interiorPoint) failure(what string) error {
	var eig mat.EigenSym
	if eig.Factorize(ip.op.q, false) && eig.Values(nil)[0] <= 1e-10 {
		return fmt.Errorf("%w (B is singular on symmetric matrices and A is negative in a direction it does not reach): %s", ErrNoSolution, what)
	}
	return fmt.Errorf("centralflow: %s", what)
}

// polish refines the interior-point answer x by Newton's method on the
// natural map F(X) = X − Π(X − S(X)), S(X) = Ā + B̄[X], Π the projection
// onto the positive semidefinite cone, whose zeros are the solutions (Moreau:
// X = Π(X − S) and S = Π(S − X) say X ⪰ 0, S ⪰ 0, ⟨X, S⟩ = 0). Interior-point
// iterates approach the solution with an error of order √μ in the blocks
// that couple the range of X to that of S; at a strictly complementary
// solution Π is differentiable at X − S and Newton converges quadratically
// from there. Π's derivative is the Daleckii–Krein formula: with
// W = QΛQᵀ, DΠ(W)[H] = Q(Ω ∘ QᵀHQ)Qᵀ, Ω_ij = (λ_i⁺ − λ_j⁺)/(λ_i − λ_j)
// (1 or 0 for equal positive or non-positive λ). polish returns Π(X − S) of
// the best iterate, which is positive semidefinite by construction, and
// keeps x when Newton does not reduce the violations.
func (ip *interiorPoint) polish(x []float64) []float64 {
	k, p := ip.k, ip.op.p
	best, bestViolation := x, ip.violation(x)
	m := mat.NewDense(p, p, nil)
	for it := 0; it < 6; it++ {
		w := sub(x, add(ip.a, ip.op.apply(x)))
		var eig mat.EigenSym
		if !eig.Factorize(sliceToSym(w, k), true) {
			break
		}
		lam := eig.Values(nil)
		var q mat.Dense
		eig.VectorsTo(&q)
		omega := make([]float64, k*k)
		for i := 0; i < k; i++ {
			for j := 0; j < k; j++ {
				switch li, lj := lam[i], lam[j]; {
				case li != lj:
					omega[i*k+j] = (math.Max(li, 0) - math.Max(lj, 0)) / (li - lj)
				case li > 0:
					omega[i*k+j] = 1
				}
			}
		}
		proj := func(h []float64) []float64 { // DΠ(W)[H]
			var t, u mat.Dense
			t.Mul(q.T(), mat.NewDense(k, k, h))
			u.Mul(&t, &q)
			for i := 0; i < k; i++ {
				for j := 0; j < k; j++ {
					u.Set(i, j, u.At(i, j)*omega[i*k+j])
				}
			}
			t.Mul(&q, &u)
			u.Mul(&t, q.T())
			return u.RawMatrix().Data
		}
		plus := make([]float64, k)
		for i, l := range lam {
			plus[i] = math.Max(l, 0)
		}
		pw := conjugated(&q, plus)
		f := sub(x, pw)
		// DF[H] = H − DΠ(W)[H − B̄[H]]
		for c := 0; c < p; c++ {
			e := make([]float64, p)
			e[c] = 1
			h := unsvec(e, k)
			col := svec(sub(h, proj(sub(h, ip.op.apply(h)))), k)
			for r := 0; r < p; r++ {
				m.Set(r, c, col[r])
			}
		}
		var step mat.VecDense
		err := step.SolveVec(m, mat.NewVecDense(p, svec(f, k)))
		if _, ill := err.(mat.Condition); err != nil && !ill {
			break
		}
		x = sub(x, unsvec(step.RawVector().Data, k))
		// The projection of the new X − S is the candidate: exactly PSD.
		cand := ip.projected(x)
		if v := ip.violation(cand); v < bestViolation {
			best, bestViolation = cand, v
		} else {
			break
		}
	}
	return best
}

// projected returns Π(X − Ā − B̄[X]).
func (ip *interiorPoint) projected(x []float64) []float64 {
	k := ip.k
	var eig mat.EigenSym
	if !eig.Factorize(sliceToSym(sub(x, add(ip.a, ip.op.apply(x))), k), true) {
		return x
	}
	lam := eig.Values(nil)
	for i := range lam {
		lam[i] = math.Max(lam[i], 0)
	}
	var q mat.Dense
	eig.VectorsTo(&q)
	return conjugated(&q, lam)
}

// violation returns the largest violation of the conditions by x, in the
// scaled units: max(λmax(−X)⁺, λmax(−S)⁺, |⟨X, S⟩|).
func (ip *interiorPoint) violation(x []float64) float64 {
	s := add(ip.a, ip.op.apply(x))
	return math.Max(math.Max(math.Max(-minEigen(x, ip.k), 0), math.Max(-minEigen(s, ip.k), 0)), math.Abs(floats.Dot(x, s)))
}

// conjugated returns Q diag(d) Qᵀ, row-major.
func conjugated(q *mat.Dense, d []float64) []float64 {
	k := len(d)
	out := make([]float64, k*k)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			var v float64
			for l := 0; l < k; l++ {
				v += q.At(i, l) * d[l] * q.At(j, l)
			}
			out[i*k+j], out[j*k+i] = v, v
		}
	}
	return out
}

// maxStep returns the largest α with x + α·d ⪰ 0, for x ≻ 0 (+Inf when d ⪰
// 0): with x = QΛQᵀ, the reciprocal of the largest eigenvalue of
// −x^(−½) d x^(−½).
func maxStep(x, d []float64, k int) float64 {
	if k == 1 {
		switch {
		case !(x[0] > 0):
			return 0
		case d[0] >= 0:
			return math.Inf(1)
		}
		return -x[0] / d[0]
	}
	var eig mat.EigenSym
	if !eig.Factorize(sliceToSym(x, k), true) {
		return 0
	}
	vals := eig.Values(nil)
	var q mat.Dense
	eig.VectorsTo(&q)
	// W = Λ^(−½) Qᵀ d Q Λ^(−½)
	var t, w mat.Dense
	t.Mul(q.T(), mat.NewDense(k, k, d))
	w.Mul(&t, &q)
	ws := make([]float64, k*k)
	for i := 0; i < k; i++ {
		if vals[i] <= 0 {
			return 0
		}
		for j := 0; j < k; j++ {
			ws[i*k+j] = w.At(i, j) / math.Sqrt(vals[i]*vals[j])
		}
	}
	for j := 0; j < k; j++ {
		if vals[j] <= 0 {
			return 0
		}
	}
	lo := minEigen(symmetrize(ws), k)
	if lo >= 0 {
		return math.Inf(1)
	}
	return -1 / lo
}

// centrality returns λmin(X^½ Z X^½)/μ, μ = ⟨X, Z⟩/k: 1 on the central
// path, 0 on the boundary of the cone, negative outside.
func centrality(x, z []float64, k int) float64 {
	if k == 1 {
		if x[0] > 0 && z[0] > 0 {
			return 1
		}
		return -1
	}
	var eig mat.EigenSym
	if !eig.Factorize(sliceToSym(x, k), true) {
		return math.NaN()
	}
	vals := eig.Values(nil)
	var q mat.Dense
	eig.VectorsTo(&q)
	for i := range vals {
		if vals[i] <= 0 {
			return -1
		}
		vals[i] = math.Sqrt(vals[i])
	}
	// Λ^½ Qᵀ Z Q Λ^½ has the eigenvalues of X^½ Z X^½.
	var t, w mat.Dense
	t.Mul(q.T(), mat.NewDense(k, k, z))
	w.Mul(&t, &q)
	ws := make([]float64, k*k)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			ws[i*k+j] = vals[i] * w.At(i, j) * vals[j]
		}
	}
	mu := floats.Dot(x, z) / float64(k)
	if !(mu > 0) {
		return -1
	}
	return minEigen(symmetrize(ws), k) / mu
}

// inverse returns the inverse of the symmetric positive definite z.
func inverse(z []float64, k int) ([]float64, error) {
	var chol mat.Cholesky
	if !chol.Factorize(sliceToSym(z, k)) {
		return nil, fmt.Errorf("Z lost positive definiteness")
	}
	var inv mat.SymDense
	if err := chol.InverseTo(&inv); err != nil {
		return nil, err
	}
	return symToSlice(&inv), nil
}

// minEigen returns the smallest eigenvalue of the symmetric k×k x, in
// closed form for k ≤ 2.
func minEigen(x []float64, k int) float64 {
	switch k {
	case 1:
		return x[0]
	case 2:
		a, b, c := x[0], (x[1]+x[2])/2, x[3]
		return (a+c)/2 - math.Hypot((a-c)/2, b)
	}
	var eig mat.EigenSym
	if !eig.Factorize(sliceToSym(x, k), false) {
		return math.NaN()
	}
	return eig.Values(nil)[0]
}

func identity(k int) []float64 {
	x := make([]float64, k*k)
	for i := 0; i < k; i++ {
		x[i*k+i] = 1
	}
	return x
}

func add(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] + b[i]
	}
	return out
}

func sub(a, b []float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = a[i] - b[i]
	}
	return out
}

func scaled(a []float64, f float64) []float64 {
	out := make([]float64, len(a))
	for i := range a {
		out[i] = f * a[i]
	}
	return out
}

// mul returns the product of the k×k matrices a and b, row-major.
func mul(a, b []float64, k int) []float64 {
	out := make([]float64, k*k)
	for i := 0; i < k; i++ {
		for l := 0; l < k; l++ {
			ail := a[i*k+l]
			for j := 0; j < k; j++ {
				out[i*k+j] += ail * b[l*k+j]
			}
		}
	}
	return out
}

// symmetrize returns (a + aᵀ)/2 of a square a.
func symmetrize(a []float64) []float64 {
	k := int(math.Round(math.Sqrt(float64(len(a)))))
	out := make([]float64, len(a))
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			out[i*k+j] = (a[i*k+j] + a[j*k+i]) / 2
		}
	}
	return out
}

func symToSlice(s *mat.SymDense) []float64 {
	k := s.SymmetricDim()
	out := make([]float64, k*k)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			out[i*k+j] = s.At(i, j)
		}
	}
	return out
}

// sliceToSym returns the symmetric part of the k×k x as a SymDense.
func sliceToSym(x []float64, k int) *mat.SymDense {
	s := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			s.SetSym(i, j, (x[i*k+j]+x[j*k+i])/2)
		}
	}
	return s
}

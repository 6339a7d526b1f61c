package centralflow_test

import (
	"context"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// ridge is a landscape with closed-form derivatives of every order, made of
// m independent pairs (x_i, y_i):
//
//	L(x, y) = Σ_i [½ (a_i + b_i y_i) x_i² − c_i y_i].
//
// At x = 0 the Hessian is diagonal with a_i + b_i y_i on x_i and 0 on y_i;
// the only third derivatives are ∂³L/∂x_i²∂y_i = b_i. Gradient flow
// drifts y_i up at speed c_i and the sharpness along x_i rises linearly, so
// the flow meets the edge at a known time; once there, the central flow holds
// a_i + b_i y_i at 2/η with σ_i² = 2⟨−∇L, ∇S_i⟩/‖∇S_i‖² = 2c_i/b_i.
// Parameters are laid out x_0 … x_{m−1}, y_0 … y_{m−1}.
type ridge struct {
	a, b, c []float64
}

func (r ridge) m() int      { return len(r.a) }
func (r ridge) Len() int    { return 2 * r.m() }
func (r ridge) x(i int) int { return i }
func (r ridge) y(i int) int { return r.m() + i }

func (r ridge) Gradient(w, grad []float64) (float64, error) {
	var loss float64
	for i := 0; i < r.m(); i++ {
		x, y := w[r.x(i)], w[r.y(i)]
		s := r.a[i] + r.b[i]*y
		loss += s*x*x/2 - r.c[i]*y
		grad[r.x(i)] = s * x
		grad[r.y(i)] = r.b[i]*x*x/2 - r.c[i]
	}
	return loss, nil
}

// hessian returns ∇²L(w) as a dense matrix.
func (r ridge) hessian(w []float64) *mat.SymDense {
	h := mat.NewSymDense(r.Len(), nil)
	for i := 0; i < r.m(); i++ {
		h.SetSym(r.x(i), r.x(i), r.a[i]+r.b[i]*w[r.y(i)])
		h.SetSym(r.x(i), r.y(i), r.b[i]*w[r.x(i)])
	}
	return h
}

// HessianVectorProduct sets out to ∇²L(w)v.
func (r ridge) HessianVectorProduct(w, v, out []float64) error {
	var hv mat.VecDense
	hv.MulVec(r.hessian(w), mat.NewVecDense(len(v), v))
	copy(out, hv.RawVector().Data)
	return nil
}

// TopEigenpairs returns the top eigenpairs, each pair of vectors of equal
// eigenvalues (to 1e-9) rotated by 30° within their eigenspace, as an
// eigensolver may return them: the flow must not depend on the basis.
func (r ridge) TopEigenpairs(_ context.Context, w []float64, k int, warm [][]float64) ([]float64, [][]float64, error) {
	vals, vecs, err := topOfDense(r.hessian(w), k, nil)
	if err != nil {
		return nil, nil, err
	}
	c, s := math.Cos(math.Pi/6), math.Sin(math.Pi/6)
	for j := 0; j+1 < k; j++ {
		if math.Abs(vals[j]-vals[j+1]) <= 1e-9*math.Abs(vals[j]) {
			u, v := vecs[j], vecs[j+1]
			for i := range u {
				u[i], v[i] = c*u[i]-s*v[i], s*u[i]+c*v[i]
			}
			j++
		}
	}
	return vals, vecs, nil
}

// ThirdDerivative: D³L[u, v, ·] has x_i entry b_i(u_xi v_yi + u_yi v_xi)
// and y_i entry b_i u_xi v_xi.
func (r ridge) ThirdDerivative(w, u, v, out []float64) error {
	for i := 0; i < r.m(); i++ {
		xi, yi := r.x(i), r.y(i)
		out[xi] = r.b[i] * (u[xi]*v[yi] + u[yi]*v[xi])
		out[yi] = r.b[i] * u[xi] * v[xi]
	}
	return nil
}

// topOfDense returns the k largest eigenpairs of h from a dense
// decomposition, each vector's sign chosen to agree with warm's.
func topOfDense(h *mat.SymDense, k int, warm [][]float64) ([]float64, [][]float64, error) {
	var eig mat.EigenSym
	if !eig.Factorize(h, true) {
		return nil, nil, fmt.Errorf("eigendecomposition failed")
	}
	vals := eig.Values(nil)
	var q mat.Dense
	eig.VectorsTo(&q)
	n := len(vals)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return vals[idx[i]] > vals[idx[j]] })
	outVals := make([]float64, k)
	outVecs := make([][]float64, k)
	for j := 0; j < k; j++ {
		outVals[j] = vals[idx[j]]
		v := make([]float64, n)
		mat.Col(v, idx[j], &q)
		if j < len(warm) {
			var d float64
			for i := range v {
				d += v[i] * warm[j][i]
			}
			if d < 0 {
				for i := range v {
					v[i] = -v[i]
				}
			}
		}
		outVecs[j] = v
	}
	return outVals, outVecs, nil
}

package centralflow

import (
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// pairs indexes the unordered pairs (i, j), i ≤ j, of k critical
// eigenvectors, row after row: (0,0), (0,1), …, (0,k−1), (1,1), ….
type pairs struct{ k int }

func (p pairs) len() int { return p.k * (p.k + 1) / 2 }

// index returns the position of the pair {i, j}.
func (p pairs) index(i, j int) int {
	if i > j {
		i, j = j, i
	}
	return i*p.k - i*(i-1)/2 + (j - i)
}

// innerProblem builds A and B of a substep of length dt (in GD steps) from
// the critical eigenvalues λ, the gradient ∇L and the third-derivative
// vectors g[pairs.index(i,j)] = ∇_w(u_iᵀ∇²L(w)u_j):
//
//	A_ij = (2/η − λ_i)δ_ij − dt·⟨g_ij, −η∇L⟩,
//	B_(ij),(kl) = dt·(η/2)·⟨g_ij, g_kl⟩,
//
// A the linearization of (2/η)I − Uᵀ∇²L U one substep ahead along the
// gradient-flow part of the velocity, B the change the Σ part adds.
func innerProblem(eta, dt float64, lambda, grad []float64, g [][]float64) (a, b *mat.SymDense) {
	k := len(lambda)
	pr := pairs{k}
	a = mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			v := dt * eta * floats.Dot(g[pr.index(i, j)], grad)
			if i == j {
				v += 2/eta - lambda[i]
			}
			a.SetSym(i, j, v)
		}
	}
	gram := make([]float64, pr.len()*pr.len())
	for p := 0; p < pr.len(); p++ {
		for q := p; q < pr.len(); q++ {
			gram[p*pr.len()+q] = floats.Dot(g[p], g[q])
			gram[q*pr.len()+p] = gram[p*pr.len()+q]
		}
	}
	b = mat.NewSymDense(k*k, nil)
	c := dt * eta / 2
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			for l := 0; l < k; l++ {
				for m := 0; m < k; m++ {
					r, s := i*k+j, l*k+m
					if r <= s {
						b.SetSym(r, s, c*gram[pr.index(i, j)*pr.len()+pr.index(l, m)])
					}
				}
			}
		}
	}
	return a, b
}

// velocity sets v to dw/dt = −η[∇L + ½ Σ_ij X_ij g_ij], the sum over ordered
// pairs, so that every off-diagonal pair counts twice: ½∇_w⟨UXUᵀ, ∇²L⟩ with
// U held fixed. x is nil when no eigenvalue is critical.
func velocity(v []float64, eta float64, grad []float64, x *mat.SymDense, g [][]float64) {
	for i := range v {
		v[i] = -eta * grad[i]
	}
	if x == nil {
		return
	}
	k := x.SymmetricDim()
	pr := pairs{k}
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			c := x.At(i, j)
			if i != j {
				c *= 2
			}
			if c == 0 {
				continue
			}
			floats.AddScaled(v, -eta/2*c, g[pr.index(i, j)])
		}
	}
}

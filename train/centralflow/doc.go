// Package centralflow integrates the central flow of gradient descent: the
// smooth path that gradient descent with step η follows on average at the
// edge of stability, from Cohen, Damian, Talwalkar, Kolter and Lee,
// "Understanding Optimization in Deep Learning with Central Flows", ICLR 2025.
//
// With time counted in gradient steps, the flow is
//
//	dw/dt = −η [∇L(w) + ½ ∇_w⟨Σ(t), ∇²L(w)⟩],
//
// where Σ ⪰ 0 models the covariance of gradient descent's oscillation
// across the Hessian's eigenvectors whose eigenvalues sit at 2/η. It is the
// unique such Σ that keeps every eigenvalue from rising above 2/η; with no
// eigenvalue at 2/η, Σ = 0 and the flow is gradient flow. On the critical
// eigenvectors U (k of them), Σ = U X Uᵀ and X ⪰ 0 solves, at each step of
// the discretization, the semidefinite complementarity problem that SolveInner
// solves:
//
//	X ⪰ 0,  A + B[X] ⪰ 0,  ⟨X, A + B[X]⟩ = 0,
//	A = (2/η)I − diag(λ) − dt·[⟨g_ij, −η∇L⟩],
//	B[X]_ij = dt·(η/2) Σ_kl ⟨g_ij, g_kl⟩ X_kl,  g_ij = ∇_w(u_iᵀ ∇²L(w) u_j),
//
// stability of the linearized Hessian one substep dt ahead. With one critical
// eigenvalue S at 2/η and ∇S = g_11, X is the paper's σ² = 2⟨−∇L, ∇S⟩/‖∇S‖²
// (or 0).
package centralflow

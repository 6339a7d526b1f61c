// Package curvature measures the curvature of a training objective: exact
// Hessian-vector products, third derivatives, extreme eigenpairs, the trace,
// and the dense Hessian with its whole spectrum, for any architecture of
// package graph with any penalties.
//
// # Definitions
//
// The objective is T(θ) = L(θ) + Σ penalties, L the mean squared error of an
// architecture on a training set and θ ∈ ℝⁿ all its parameters, flat as
// graph.Params.Flat lays them out. Its Hessian H = ∇²T(θ) is symmetric, with
// eigenvalues λ₁ ≥ λ₂ ≥ … ≥ λₙ. The sharpness is λ₁: gradient descent with
// step η on a quadratic is stable exactly when η < 2/λ₁, and the
// edge-of-stability literature compares λ₁ with 2/η along real runs (Cohen,
// Kaur, Li, Kolter and Talwalkar, "Gradient Descent on Neural Networks
// Typically Occurs at the Edge of Stability", ICLR 2021).
//
// # Methods and their sources
//
//   - Hessian: Hv = ∇(v·∇T), the gradient of a directional derivative, by
//     automatic differentiation through the gradient (Pearlmutter, "Fast
//     Exact Multiplication by the Hessian", Neural Computation 6, 1994).
//     With penalties built from ∇L the objective's gradient is itself built
//     in a graph of its own (graph.GradientOf), so the product is exact for
//     L + λ‖∇L‖² too, a third derivative of L.
//   - ThirdDerivative: ∇_θ(uᵀ∇²T v), one level more, for the central flow
//     (Cohen, Damian, Talwalkar, Kolter and Lee, "Understanding Optimization
//     in Deep Learning with Central Flows", 2024).
//   - Top and Bottom: the k largest or smallest eigenpairs by the Lanczos
//     method (Lanczos, J. Res. Nat. Bur. Standards 45, 1950) in its
//     Rayleigh–Ritz form: an orthonormal basis Q with W = HQ, the projected
//     matrix QᵀHQ diagonalized at every step, and the basis expanded by the
//     residuals Hy − θy of the wanted Ritz pairs that have not converged.
//     From one start vector the residual of any Ritz vector is the next
//     Lanczos vector, so this is the Lanczos method; from a block of k
//     vectors it is the block Lanczos method, which also finds eigenvalues
//     of multiplicity up to k. Every new vector is reorthogonalized against
//     the whole basis, twice (full reorthogonalization: Parlett, The
//     Symmetric Eigenvalue Problem, 1998, ch. 13), and a full basis restarts
//     from the Ritz vectors nearest the wanted end (thick restart: Wu and
//     Simon, SIAM J. Matrix Anal. Appl. 22, 2000). Warm starts pass previous
//     eigenvectors as the start block.
//   - Trace: Hutchinson's estimator with Rademacher probes, with its
//     standard error.
//   - Dense: the n×n Hessian from n products with the unit vectors, and all
//     its eigenvalues by gonum's mat.EigenSym, for up to DefaultMaxDense
//     parameters: the ground truth the iterative methods are tested
//     against.
//   - Tracker: the top eigenpair along a run, each measurement warm-started
//     from a prediction made from the previous ones, one product when that
//     prediction is already an eigenvector to the tolerance.
//
// # What the numbers guarantee
//
// Every eigenvalue comes with the residual r = ‖Hy − θy‖ of its unit vector
// y. For a symmetric H, θ is within r of an eigenvalue (Weinstein's bound),
// and within r²/δ of it when no other eigenvalue is within δ of θ
// (Kato–Temple); Ritz values from the top never exceed the eigenvalues they
// approximate (Cauchy interlacing). Top and Bottom stop when r ≤ Tol·‖H‖
// (DefaultTol 1e-10), the Tracker when r ≤ Tol·|θ| (DefaultTrackTol 1e-3).
// A Krylov method cannot see a direction its start vectors lack entirely:
// random starts lack none (with probability one), a warm start that is an
// exact eigenvector converges at once to its own eigenvalue.
//
// Every derivative is checked against central finite differences in
// float64, and the iterative eigenvalues against the dense spectrum (within
// 1e-8 relative on three architectures) and against the linear model, whose
// Hessian (2/n)XᵀX is known in closed form (graph.Linear).
package curvature

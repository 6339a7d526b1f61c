// Package centralflow integrates the central flow of gradient descent: the
// smooth path that gradient descent with step η follows on average at the
// edge of stability, from Cohen, Damian, Talwalkar, Kolter and Lee,
// "Understanding Optimization in Deep Learning with Central Flows", ICLR 2025.
//
// # The flow
//
// With time counted in gradient steps (gradient flow's time is t·η),
//
//	dw/dt = −η [∇L(w) + ½ ∇_w⟨Σ(t), ∇²L(w)⟩],
//
// where Σ ⪰ 0 models the covariance of gradient descent's oscillation
// across the Hessian's eigenvectors whose eigenvalues sit at 2/η: the unique
// such Σ that keeps every eigenvalue from rising above 2/η. With no
// eigenvalue at 2/η, Σ = 0 and the flow is gradient flow. On the k critical
// eigenvectors U, Σ = U X Uᵀ, and ½∇_w⟨Σ, ∇²L⟩ = ½ Σ_ij X_ij g_ij with
// g_ij = ∇_w(u_iᵀ∇²L(w)u_j), U held fixed (off-diagonal pairs count twice).
// The flow predicts gradient descent's loss averaged over its oscillation,
// L + ½⟨Σ, ∇²L⟩ = L + tr Σ/η (Point.PredictedLoss).
//
// # The inner problem
//
// At each substep of length dt, X solves the semidefinite complementarity
// problem that SolveInner solves,
//
//	X ⪰ 0,  A + B[X] ⪰ 0,  ⟨X, A + B[X]⟩ = 0,
//	A = (2/η)I − diag(λ) − dt·[⟨g_ij, −η∇L⟩],
//	B[X]_ij = dt·(η/2) Σ_kl ⟨g_ij, g_kl⟩ X_kl,
//
// stability of the critical eigenvalues linearized one substep ahead. With
// one critical eigenvalue S at 2/η and ∇S = g_11 it is the paper's
// σ² = 2⟨−∇L, ∇S⟩/‖∇S‖² (or 0). The authors hand the equivalent convex
// quadratic program, min ½⟨X, B[X]⟩ + ⟨A, X⟩ over X ⪰ 0, to CVXPY;
// SolveInner is a primal–dual interior-point method on it, finished by
// Newton's method on the natural map X − Π(X − A − B[X]) (Π the projection
// onto the positive semidefinite cone), which converges quadratically at a
// strictly complementary solution where the interior point's iterates
// approach only as √μ. It is tested against closed forms, planted
// solutions and the KKT conditions.
//
// # The discretization, after the authors' code
//
// Integrator follows the flow by Euler's method with 4 substeps per unit
// of time (Settings.Substeps). The top eigenpairs of ∇²L are tracked from
// 1.5/η on (every eigenvalue above is tracked, the number growing as
// needed) and enter the inner problem from 1.95/η. They are recomputed once
// per unit of time, warm-started from the previous ones (Landscape's
// TopEigenpairs; curvature.Top, the Lanczos method, for a Network); at the
// substeps in between the kept eigenvectors' Rayleigh quotients serve as
// their eigenvalues (Settings.EigenEvery = 1 recomputes at every substep, as
// the authors' JAX port does). The step is tied to the sharpness S: above
// 2/η(1 + EdgeSlack) a unit of time takes ⌈2ηS/(1 + EdgeSlack)⌉ substeps,
// so that dt·η·S stays at ½, a quarter of Euler's stability limit; at and
// below the edge it takes 4 (dt·η·S ≤ ½ too). The discretization is first
// order: on a small quadratic network that meets the edge at t ≈ 4, the
// 4-substep flow at t = 20 is 0.65% of the distance travelled from the
// 8-substep one, and so about 1.3% from the limit.
//
// The sharpness along the flow stays at 2/η up to the error of the
// linearization over one substep, O(dt²): on the quadratic network at the
// edge, 1.4e-3 relative when the flow first meets the edge (1.1e-4 with an
// eigensolve at every substep) and below 1.4e-4 afterwards.
//
// # Starting above the edge
//
// A run whose sharpness starts above 2/η is outside the theory: gradient
// descent is unstable along the top eigenvector, and instead of settling
// into an oscillation around the flow its loss spikes until the sharpness
// has fallen below 2/η (a catapult). New refuses such a start with
// ErrAboveEdge (beyond EdgeSlack). FirstBelowEdge runs gradient descent to
// its first iterate with sharpness at most 2/η and returns it with its step
// k; the flow then starts there at time k (Settings.Start), to be compared
// with gradient descent from k on. Settings.AboveEdge starts anyway: the
// first substep then pulls every eigenvalue down to 2/η at once.
//
// # Landscapes
//
// The flow needs, at a point w, L and ∇L, the top eigenpairs warm-started,
// and the third-derivative vectors g_ij (Landscape). Network provides them
// for any graph.Architecture's training MSE: exact Hessian-vector products
// and Lanczos eigenpairs from package curvature, and g_ij by automatic
// differentiation (curvature.ThirdDerivative) or by five-point differences
// of exact Hessian-vector products (ThirdDerivativeByDifferences), which
// agree within 4e-12 (relative) on every architecture of the project and of
// its tests.
package centralflow

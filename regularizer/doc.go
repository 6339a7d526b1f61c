// Package regularizer builds explicit regularizers as Gorgonia graph terms
// that any architecture of package graph can add to its loss or record along a
// run, so that the implicit regularization of large-step gradient descent can
// be compared with explicit regularization side by side.
//
// GradientNorm is λ‖∇_θ L‖². Backward error analysis says gradient descent
// with step η follows the gradient flow of L̃ = L + (η/4)‖∇L‖² more closely
// than that of L (with a local error O(η³) instead of O(η²)); ForStep(η)
// gives that λ = η/4. Its gradient, ∇L + 2λ ∇²L ∇L, is computed exactly by
// automatic differentiation through the gradient (double backprop).
//
// LabelNoise is (η σ²/n²) Σ_i ‖∇_θ P(X_i)‖², the term that label noise of
// variance σ² adds to L̃ in expectation: with noisy targets y_i + z_i,
//
//	E ‖∇L_noisy‖² = ‖∇L‖² + (4σ²/n²) Σ_i ‖∇_θ P(X_i)‖²,
//
// so (η/4) E‖∇L_noisy‖² = (η/4)‖∇L‖² + (η σ²/n²) Σ_i ‖∇_θ P(X_i)‖². It is built
// from graph.ExampleGradNormSq: a closed form for the architectures of package
// graph, a per-example construction for any other.
//
// SGD is the implicit regularizer of minibatch SGD with step η and batches of
// B out of n examples drawn by random reshuffling (Smith, Dherin, Barrett and
// De, ICLR 2021): (η/4) E_B‖∇L_B‖² = (η/4)(‖∇L‖² + (n − B)/(B(n − 1)) Γ),
// Γ = (1/n) Σ_i ‖∇ℓ_i − ∇L‖², built from every example's loss gradient
// (graph.ExampleLossGradNormSq), so exact for any architecture; when B does
// not divide n it is the expectation over the batches training actually
// takes, the last of each epoch holding n mod B (EpochCoefficient). SGDNoise is
// its Γ term alone, the part that batch sampling adds to gradient descent's,
// as LabelNoise is the part that label noise adds.
//
// All of them implement graph.Penalty: pass them to train.Settings.Penalties to
// train on the regularized loss, or to train.Settings.Measures to record them.
package regularizer

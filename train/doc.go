// Package train runs gradient descent, full-batch or minibatch, on an
// architecture's Gorgonia graph and reports what happened.
//
// Run trains one model: it steps θ ← θ − η∇L(θ) until the training mean
// squared error falls below a tolerance (status converged), the loss becomes
// non-finite or exceeds a bound (diverged), or a step cap is reached
// (max_steps). With label noise it takes a fixed number of steps (completed),
// each on the training targets plus fresh N(0, σ²) noise. A Result carries the
// status, the number of steps, the final training and test errors, ‖∇L‖², and
// optionally the loss history at a chosen interval.
//
// With Settings.Batch it runs minibatch SGD by random reshuffling: every
// epoch a fresh permutation of the training set, from a seeded stream of its
// own, cut into batches, one step per batch on the batch's mean loss. One
// objective is compiled per batch size and every batch is written into it in
// place, so a step of SGD costs what its batch costs. Convergence is checked
// on the whole training set at the start of every epoch.
//
// With Settings.Sharpness a run reports the sharpness, the top eigenvalue of
// the Hessian of the training MSE, at its initial and final parameters, and
// with Settings.TrackSharpness every few steps along the way, each
// measurement warm-started from the last (package curvature). Tracking
// leaves the run bit-identical; in full-batch gradient descent a tracked
// step takes its update from the pass that computes the Hessian-vector
// product, since that pass computes ∇L too.
//
// RunAll and Sweep run many independent trainings on all cores. Each run draws
// its randomness from its own seed and owns its parameters and graph, so the
// results are identical to a serial run, whatever the number of workers.
// Checkpoints hold the state of every generator of a run, so that a resumed
// run ends where an uninterrupted one does, bit for bit.
package train

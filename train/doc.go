// Package train runs full-batch gradient descent on an architecture's
// Gorgonia graph and reports what happened.
//
// Run trains one model: it steps θ ← θ − η∇L(θ) until the training mean
// squared error falls below a tolerance (status converged), the loss becomes
// non-finite or exceeds a bound (diverged), or a step cap is reached
// (max_steps). With label noise it takes a fixed number of steps (completed),
// each on the training targets plus fresh N(0, σ²) noise. A Result carries the
// status, the number of steps, the final training and test errors, ‖∇L‖², and
// optionally the loss history at a chosen interval.
//
// RunAll and Sweep run many independent trainings on all cores. Each run draws
// its randomness from its own seed and owns its parameters and graph, so the
// results are identical to a serial run, whatever the number of workers.
package train

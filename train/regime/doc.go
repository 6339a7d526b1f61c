// Package regime labels a run of gradient descent by how its sharpness — the
// top eigenvalue S of the Hessian of the training loss — moved with respect
// to the stability threshold 2/η of its step η, from the run's sharpness and
// loss traces.
//
// # Why 2/η
//
// On a quadratic loss with Hessian eigenvalues λ_i, gradient descent
// multiplies the error along eigenvector i by 1 − ηλ_i at every step: it
// converges when every |1 − ηλ_i| < 1, that is η < 2/λ_max, and diverges
// when η > 2/λ_max. Along a neural network's run S changes, and the ratio
//
//	r = ηS/2
//
// says where the run stands: r < 1 is locally stable, r > 1 unstable. Two
// behaviours of real runs with r near or above 1 are known:
//
//   - The catapult (Lewkowycz, Bahri, Dyer, Sohl-Dickstein and Gur-Ari,
//     "The large learning rate phase of deep learning: the catapult
//     mechanism", 2020): for a step above 2/S₀, S₀ the curvature at
//     initialization, but below a maximal one (4/S₀ for the wide two-layer
//     linear network they solve), the loss first grows, the curvature falls
//     until the step is stable, and the run converges to a flatter region,
//     with S below 2/η.
//   - The edge of stability (Cohen, Kaur, Li, Kolter and Talwalkar,
//     "Gradient Descent on Neural Networks Typically Occurs at the Edge of
//     Stability", ICLR 2021): under full-batch gradient descent the
//     sharpness rises ("progressive sharpening") until it reaches 2/η, then
//     hovers "right at, or just above" 2/η while the loss keeps falling,
//     non-monotonically, over long times.
//
// # Definitions
//
// From the samples of r along the run (in step order) and of the training
// loss, a run is, in this order of precedence:
//
//   - diverged: the run diverged (train.Diverged);
//   - stable: r < 1 at every sample — the sharpness stayed below 2/η;
//   - edge: r reached 1 from below — a sample with r ≥ 1 after one with
//     r < 1 — and from there on a stretch of at least MinSamples (3)
//     consecutive samples with |r − 1| ≤ Band (0.1) covers at least Sustain
//     (half) of the steps that remain. Runs at the edge oscillate with
//     period two about r = 1, strongly at first and less and less: in this
//     package's test (a network of the blog's family) r swings between 0.64
//     and 1.50 twenty steps after first reaching 1, stays within 5% of 1
//     after 200 steps and within 1.1% after 800. A 10% band holds the
//     settled oscillation and Cohen et al.'s "just above" 2/η, and leaves
//     out the transient;
//   - catapult: r started above 1, or jumped above 1 + Band after having
//     been below 1; the loss rose by at least RiseFactor (2) above its
//     lowest value so far and then fell by at least as much from that peak;
//     and r < 1 at the last sample. In the stable regime of a quadratic the
//     loss decreases monotonically, so a rise by a factor 2 is a sign of
//     instability, not of noise; the catapults of Lewkowycz et al. rise by
//     orders of magnitude;
//   - unclassified otherwise (for example r > 1 at the end of a run that
//     did not diverge, as in a run stopped while oscillating), with the
//     reason.
//
// A run both at the edge and catapulted (a catapult, then progressive
// sharpening back to 2/η) is labelled edge, where it ended up. The
// thresholds are Settings, their defaults documented there.
//
// sharpness_max_ratio is Result.MaxRatio = max over the run of ηS/2.
//
// # Precision
//
// The tracked sharpness of package train is within SharpnessTol (1e-3
// relative) of an eigenvalue of the Hessian, so decisions at r = 1 within
// 1e-3 are within measurement error; and a sample every K steps sees the
// loss and the sharpness only every K steps: a catapult lasts tens of steps,
// so record the history of the first hundred steps densely. The labels are
// tested on runs of train.Run whose regimes are known in closed form: a
// quadratic loss with chosen eigenvalues (stable exactly below 2/λ_max,
// diverged above), the two-layer linear network of Lewkowycz et al. (stable
// for ηλ₀ < 1, catapult for 1 < ηλ₀ < 2, diverged above, λ₀ its tangent
// kernel for the loss (f − y)²), and a small network of the blog's family
// at a step between 2/S₀ and 2/S_GF, S_GF the sharpness where gradient flow
// ends, where the sharpness rises to 2/η and stays there.
package regime

// Package central is the experiment igr central: the central flow of
// gradient descent (Cohen, Damian, Talwalkar, Kolter and Lee,
// "Understanding Optimization in Deep Learning with Central Flows", ICLR
// 2025; package train/centralflow) beside gradient descent with step η, its
// gradient flow, and backward error analysis's modified flow, the gradient
// flow of L̃ = L + (η/4)‖∇L‖², all at matched times t = k·η (k GD steps).
//
// # What runs
//
// Gradient descent w ← w − η∇L(w) takes Steps steps from the
// initialization, in float64, on the same graph as the central flow's
// landscape (centralflow.Network), so that its iterates are those of
// igr train in float64. The three flows start from one of its iterates, the
// start:
//
//   - the initialization, when its sharpness S₀ (the top eigenvalue of ∇²L)
//     is at most 2/η;
//   - otherwise GD's first iterate whose sharpness is at most 2/η
//     (centralflow.FirstBelowEdge). A run that starts above 2/η is outside
//     the central flow's theory: GD is unstable along the top eigenvector
//     and its loss spikes until the sharpness has fallen (a catapult). The
//     console and summary.json say so, with the start step, the sharpness
//     there and at the initialization, and the largest loss of GD before
//     the start.
//
// The central flow is integrated by centralflow.Integrator, Euler's method
// with EulerSubsteps substeps per unit of time (4, as the authors' code;
// more above the edge) and one eigensolve per unit; the gradient flows of L and of L̃ by RK4
// (train/flow), Substeps steps per GD step. GD's sharpness is measured at
// every row by warm-started Lanczos (centralflow.Network.TopEigenpairs), and
// GD's regime (stable, edge, catapult, diverged; package train/regime) is
// read from those samples and GD's loss at every step.
//
// # central.csv
//
// One row at the start and at every step k that is a multiple of Every,
// and at the last step, with the columns
//
//	t,train_mse,test_mse,sharpness,critical,sigma_trace,predicted_loss,gd_loss,distance_gd,distance_gradient_flow,distance_modified_flow
//
// which hold:
//
//   - t = k·η, the time of gradient flow (the central flow's own time,
//     counted in GD steps, is k);
//   - train_mse, test_mse, sharpness: the central flow's training and test
//     MSE and the top eigenvalue of ∇²L at w_CF(t);
//   - critical: the number k of eigenvalues in the inner problem (above
//     1.95/η), sigma_trace tr Σ;
//   - predicted_loss: the central flow's prediction of GD's time-averaged
//     loss, L(w_CF) + ½⟨Σ, ∇²L⟩ (= L + tr Σ/η on the edge);
//   - gd_loss: GD's training loss L(w_k) at the same time, unsmoothed;
//   - distance_gd, distance_gradient_flow, distance_modified_flow: the
//     distances from GD's iterate w_k of the central flow, of gradient
//     flow and of the modified flow at t, each divided by how far GD has
//     moved since the start, ‖w_k − w_start‖ (0 at the start, where all
//     four coincide). summary.json's distances.definition says so, and
//     holds the absolute distances at the last row and ‖w_k − w_start‖.
//
// # summary.json
//
// The settings (lr, two_over_eta, steps, every, substeps, euler_substeps,
// window, seed);
// start (step, t, catapult, note, sharpness at the initialization and at
// the start, GD's initial and largest loss before the start); gd (status,
// regime and its reason, sharpness_max_ratio = max ηS/2, the step it
// reached 2/η, and final: train and test MSE and sharpness at the last
// row); central_flow (final as GD's, the ratios of its test and train MSE
// to GD's, the first time on the edge, the largest ηS/2 at the rows and at
// any substep, and work: substeps, eigensolves, third derivatives, inner
// problems, the most critical eigenvalues); distances (the definition;
// final and max, the relative distance of each flow, central_flow,
// gradient_flow and modified_flow, at the last row and the largest; the
// rows where the central flow is nearest; final_absolute, the absolute
// distances at the last row, and final_gd_moved); predicted_loss (the
// predicted loss against GD's loss smoothed over Window steps, in percent,
// over the rows where the central flow is on the edge: error, and
// flow_loss_error for the flow's own loss, each a median and a largest
// |error|; and at the last row); cost (seconds spent by GD, GD's
// sharpness, each flow, and per unit of time); wall_seconds.
//
// GD's loss smoothed over a window of W steps at step k is the trapezoidal
// mean over steps k − W/2, …, k + W/2, the two ends weighted ½: centred on
// k, and exact for GD's period-two oscillation at the edge, which it
// cancels. GD takes W/2 steps beyond Steps for it.
//
// # Figures
//
// central_loss: GD's loss, GD's smoothed loss, the central flow's predicted
// loss and its loss L(w_CF), against t (log–log). central_sharpness: GD's
// and the central flow's sharpness against t, with 2/η. central_distance:
// the three relative distances against t.
//
// Follow is the central flow of GD on a problem from the same start, for
// other experiments (igr compare's method central_flow).
package central

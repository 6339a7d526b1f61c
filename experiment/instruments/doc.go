// Package instruments holds the experiments that look inside a run rather
// than at where it ends: Verify (igr verify) measures one gradient step
// against the gradient flows of L and of backward error analysis's
// L̃ = L + (η/4)‖∇L‖² over step sizes; Flow (igr flow) follows GD and both
// flows side by side at matched times; Sharpness (igr sharpness) tracks the
// top eigenvalue of the Hessian along GD beside 2/η.
package instruments

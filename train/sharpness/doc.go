// Package sharpness measures the curvature of a training loss: exact
// Hessian-vector products ∇²L v by automatic differentiation through the
// gradient (the gradient of v·∇L), and the top eigenvalue of the Hessian by
// power iteration on them. The edge-of-stability literature compares this
// sharpness with 2/η: gradient descent with step η is stable on a quadratic
// only while the top eigenvalue stays below 2/η.
package sharpness

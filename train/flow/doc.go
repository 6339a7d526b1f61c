// Package flow integrates gradient flow, dθ/dt = −∇F(θ), of an objective of
// package graph: the mean squared error L, or L̃ = L + (η/4)‖∇L‖² when the
// objective carries that penalty. It uses the classical fourth-order
// Runge–Kutta method with equal substeps, whose error, O(dt⁴) over a fixed
// time, is made far smaller than the differences the instruments measure.
package flow

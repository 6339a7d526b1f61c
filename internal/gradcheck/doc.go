// Package gradcheck compares derivatives computed by the project's graphs
// with central finite differences in float64, the check every gradient,
// Hessian-vector product and regularizer gradient of the project passes in
// its tests.
package gradcheck

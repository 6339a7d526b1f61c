// Package spectrum holds Spectrum (igr spectrum): the curvature of a
// network where a run left it. It reads a run's output folder — data.csv
// and the parameters params_<name>.csv that igr train writes, every one by
// name (experiment.ReadParams) — and computes, with package curvature, the
// spectrum of the Hessian of the training MSE at those parameters: every
// eigenvalue from the dense Hessian where it fits (up to
// curvature.DefaultMaxDense parameters), or the top k by the Lanczos
// method; the most negative eigenvalue; and the trace, by Hutchinson's
// estimator with its standard error and, where dense, exactly.
//
//	spectrum.csv   index,eigenvalue     descending, index from 1
//	summary.json   parameters, method, top and most negative eigenvalues,
//	               trace (exact where dense) and Hutchinson's estimate with
//	               its standard error, 2/η and ηλ₁/2 when the folder names η
//	spectrum       the figure: the density of all eigenvalues (dense), or
//	               the top k against their index
//
// The architecture and output scale are the run's, from its folder's
// manifest (igr train's -arch and -scale), unless given.
package spectrum

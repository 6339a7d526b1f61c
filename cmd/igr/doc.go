// Command igr reproduces and extends the experiment of the blog post
// "Implicit bias by large learning rate: Noise can be helpful for gradient
// descent": a one-hidden-layer network with quadratic activation learns
// y = x0² from 30-dimensional Gaussian data only when gradient descent takes
// steps near the edge of divergence, when labels get fresh noise at every
// step, or when the initialization is small.
//
// Usage:
//
//	igr <command> [flags]
//
// The commands are:
//
//	reproduce   every number and figure of the blog post, into one folder
//	train       gradient descent at one learning rate
//	sweep       gradient descent at every learning rate of a grid
//	map         any two hyperparameters on a grid (lr, width, scale, n, dim, sigma, lambda, seed), as a heat map
//	noise       label-noise gradient descent beside plain gradient descent
//	compare     implicit vs explicit regularization, side by side
//	verify      backward error analysis checked: one GD step against two gradient flows
//	flow        GD against the gradient flows of L and of L + (η/4)‖∇L‖²
//	sharpness   the top Hessian eigenvalue along GD, beside 2/η
//	central     the central flow of GD at the edge of stability, beside GD and the gradient flows
//	spectrum    the spectrum of the Hessian where a run ended: every eigenvalue or the top k, the trace
//	merge       combine the folders of a sharded sweep or map
//	version     igr's version, the matrix kernel it computes with, the CPU features it sees
//
// Run "igr <command> -h" for a command's flags. Every command writes into
// the folder given by -out, out/<command> by default: data.csv (the data set
// used), one CSV per result table, the figures as PNG and SVG, summary.json
// with the headline numbers, and manifest.json, which records the command,
// its configuration and the files written. A folder holding the results of
// another command or configuration is refused unless -force is given; the
// same command and configuration on the same folder resumes a grid from its
// journal. Progress goes to standard error, results to standard output.
//
// The commands are declared in package experiment and its subpackages; the
// list below them, in commands.go, is the only place this command names
// them, and their flags, defaults and help come from their settings.
//
// The matrix products run on the fastest kernel for the CPU: igr's own AVX2
// assembly on amd64 CPUs with AVX2 and FMA, gonum's pure Go elsewhere,
// OpenBLAS in builds with -tags openblas. The environment variable
// IGR_KERNEL=gonum (or avx2, openblas) forces one; every summary.json names
// the kernel that computed it and the CPU features it saw.
//
// Exit status is 0 on success (a run that diverges is a result: a warning
// says so), 1 when a run fails, 2 for bad usage or input, 130 when
// interrupted.
// Errors are one line on standard error starting with "igr:".
package main

// Package experiment runs the project's experiments end to end and leaves
// their results in an output folder: the data set used (data.csv), one tidy
// CSV per result table, the figures as PNG and SVG, and summary.json with the
// headline numbers. Each command of the igr tool is a thin layer over one
// function here — Reproduce, Train, Sweep, Noise — which a notebook can call
// too.
//
// Every experiment is configured by a Config whose zero value means the
// blog's defaults (d = 30, n = 200, m = 100, seed 0, tolerance 1e-4). Data and
// initialization come from the seed, or from files in the formats of package
// dataset.
//
// Before it allocates anything, every command estimates the memory it needs
// (a Footprint: the data, and the graphs of the runs that train at a time)
// and refuses, with a *MemoryError, sizes that would not fit in what the
// machine has available or in Config.MaxMemory. CheckMemory makes the same
// check for any sizes.
//
// The tables:
//
//	sweep.csv    lr,seed,status,steps,train_mse,test_mse,grad_norm_sq
//	runs.csv     run,lr,seed,scale,label_noise,status,steps,train_mse,test_mse,grad_norm_sq
//	history.csv  run,lr,step,loss,train_mse,test_mse,grad_norm_sq
//
// status is converged, diverged, max_steps or completed; train_mse, test_mse
// and grad_norm_sq are measured at the final parameters on the clean targets;
// loss in history.csv is the loss the step descended (on noisy targets in a
// label-noise run); NaN and Inf are written as such. Runs are deterministic:
// the same settings give byte-identical tables.
package experiment

// Package experiment runs the project's experiments end to end and leaves
// their results in an output folder: the data set used (data.csv), one tidy
// CSV per result table, the figures as PNG and SVG, and summary.json with the
// headline numbers. Each command of the igr tool is a thin layer over one
// function here — Reproduce, Train, Sweep, Map, Noise, Compare, CompareSweep,
// Verify, Flow, Sharpness, Merge — which a notebook can call too, and the
// tables have readers (ReadRuns, ReadMap, …).
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
// Runs on a grid — a sweep over learning rates, its seed bands, a map of two
// hyperparameters, the sweep of CompareSweep, the sweep inside Reproduce —
// share one runner: a grid.Grid of cells, each cell the run igr train makes
// with the same flags (a spec of Hyperparameters), planned and trained by
// grid.Plan, summarized over seeds by grid.Spread, sharded and merged the same
// way. A sweep is the map of one axis, lr.
//
// The tables:
//
//	sweep.csv        lr,seed,status,steps,train_mse,test_mse,grad_norm_sq
//	map.csv          <x>,<y>,seed,status,steps,train_mse,test_mse,grad_norm_sq
//	sweep_bands.csv  lr,seeds,converged,completed,max_steps,diverged,test_mse_min,test_mse_median,test_mse_max,test_mse_mean
//	map_cells.csv    <x>,<y>,seeds,converged,completed,max_steps,diverged,test_mse_min,…
//	runs.csv         run,lr,seed,scale,label_noise,status,steps,train_mse,test_mse,grad_norm_sq
//	history.csv      run,lr,step,loss,train_mse,test_mse,grad_norm_sq,label_noise_reg
//
// Runs with a batch size (minibatch SGD, -batch B) add columns: batch and
// sgd_reg (the SGD regularizer (η/4) E_B‖∇L_B‖² at the final parameters) to
// runs.csv, sgd_reg and sgd_noise_reg (its Γ term) to history.csv; a sweep
// or map names its batch size in summary.json, and a map can have batch as
// an axis. Train also writes the final parameters, params_<name>.csv, one
// matrix per parameter in the format of an initialization file.
//
// status is converged, diverged, max_steps, completed or interrupted;
// train_mse, test_mse and grad_norm_sq are measured at the final parameters
// on the clean targets; the test MSE statistics over seeds are over the runs
// that converged or completed; loss in history.csv is the loss the step
// descended (on noisy targets in a label-noise run); NaN and Inf are written
// as such. Runs are deterministic: the same settings give byte-identical
// tables.
//
// Where things are:
//
//	config.go, axes.go         Config and its Setup; the spec of one run and the hyperparameters a grid varies
//	memory.go                  the memory a command needs, checked before it allocates
//	gridrun.go, gridtables.go  the grid runner behind sweeps and maps, its shards, and the tables of grids
//	sweep.go, bands.go         Sweep and its seed bands
//	map.go                     Map, its summary, reader and printed table
//	merge.go                   Merge of the shards of a sweep or a map
//	single.go, reproduce.go    Train and Noise; Reproduce
//	compare.go, compare_sweep.go, verify.go, instruments.go   implicit vs explicit; the instruments
//	figures.go, output.go, tables.go, fingerprint.go          figures, output folders, CSV columns, run fingerprints
package experiment

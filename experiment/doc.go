// Package experiment is the pipeline every experiment of igr runs on, and
// what the experiments share. An experiment is a declaration, an
// Experiment: its name, its Settings (a struct whose fields are tagged with
// the hyperparameters they take), a Prepare step that resolves the
// settings into the work (data, initializations, the runs and their memory)
// and an Execute step that does it and returns a Result listing the Files
// it writes. Experiment.Run is the one pipeline that runs any of them:
// defaults and checks of every hyperparameter, Prepare, the output folder
// opened under its guard, Execute with progress, the files written, the
// folder's manifest completed. The experiments themselves live in the
// packages below this one — reproduce, runs (train, noise), grids (sweep,
// map, merge), compare, instruments (verify, flow, sharpness) — and the igr
// command is one line per experiment over them.
//
// Hyperparameters (Param) are declared once, with one name, one usage and
// one check; settings fields take them by name and give their defaults, and
// the command line derives its flags from the same fields (Fields, Defaults,
// Check). A value that means "the default" is the zero value.
//
// Every experiment that trains is configured by a Config whose zero value
// means the blog's defaults (d = 30, n = 200, m = 100, seed 0, tolerance
// 1e-4). Data and initialization come from the seed, or from files in the
// formats of package dataset. Before it allocates anything, Resolve
// estimates the memory the work needs (train.Footprint) and refuses sizes
// that would not fit.
//
// An output folder holds the results of one experiment and configuration,
// recorded in its manifest.json: running another experiment or another
// configuration into it is refused unless forced (Output.Force), and a
// rerun of the same configuration first removes what the earlier one wrote.
// Every file is written atomically.
//
// The tables every experiment shares (RunRow, HistoryRow):
//
//	runs.csv         run,lr,seed,scale,label_noise,status,steps,train_mse,test_mse,grad_norm_sq,sharpness_init,sharpness_final
//	history.csv      run,lr,step,loss,train_mse,test_mse,grad_norm_sq,label_noise_reg
//
// Runs with a batch size (minibatch SGD) add batch,sgd_reg to runs.csv
// (before the sharpness) and sgd_reg,sgd_noise_reg to history.csv. status
// is converged, diverged, max_steps, completed or interrupted; train_mse,
// test_mse and grad_norm_sq are measured at the final parameters on the
// clean targets; loss in history.csv is the loss the step descended (on
// noisy targets in a label-noise run); NaN and Inf are written as such.
// Runs are deterministic: the same settings give byte-identical tables.
//
// Every run measures its sharpness, the top eigenvalue of the Hessian of
// the training MSE, at its initial and final parameters (sharpness_init,
// sharpness_final; NaN where the Hessian is not finite, as at the end of a
// diverged run). With -track-sharpness K (TrackSettings) a run also
// measures it every K steps and at each of its first EarlySteps steps,
// which it records: history.csv gains a sharpness column, NaN at the points
// where it was not measured, and the points recorded for the sharpness
// alone (steps of K beyond the first EarlySteps that are not steps of
// -history-every) hold only what the step computed: their test_mse,
// label_noise_reg and SGD columns are NaN, and so is their train_mse in
// label-noise and SGD runs (but at the last step). RegimeOf labels such a
// run stable, edge, catapult, diverged or unclassified (package regime)
// and gives the largest ηS/2 along it, sharpness_max_ratio.
//
// Where things are:
//
//	experiment.go  the descriptor of an experiment and the pipeline that runs it
//	params.go      hyperparameters: their declarations, checks and the settings fields that take them
//	config.go      Config and its Setup: the problem an experiment trains
//	spec.go        RunSpec, one run as igr train takes it, and the Axes a grid varies
//	folder.go      output folders, their manifest and guard, the files written into them
//	paramfiles.go  folders of parameters, params_<name>.csv: what igr train writes, -init and igr spectrum read
//	env.go         what Execute gets: runners of training jobs with progress
//	tables.go, figures.go, provenance.go   the shared tables, figures and summary numbers
//	curvature.go   the sharpness every run measures, its tracking, the regime of a run, its figure
//	fingerprint.go, values.go, shard.go    identities of runs and configurations, grids of values, shards
package experiment

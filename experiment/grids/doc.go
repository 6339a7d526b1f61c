// Package grids holds the experiments that train a grid of runs, each cell
// the run igr train makes with the same flags: Sweep (igr sweep), the
// learning rates × seeds of the blog's figure; Map (igr map), any two
// hyperparameters × seeds, drawn as a heat map; and Merge (igr merge), which
// combines the folders of a grid's shards into the outputs of one machine.
// Run is the grid runner under all of them and under Reproduce's sweep.
//
// The tables:
//
//	sweep.csv        lr,seed,status,steps,train_mse,test_mse,grad_norm_sq,regime,sharpness_init,sharpness_final,sharpness_max_ratio
//	map.csv          <x>,<y>,seed,status,steps,train_mse,test_mse,grad_norm_sq,regime,sharpness_init,sharpness_final,sharpness_max_ratio
//	sweep_bands.csv  lr,seeds,converged,completed,max_steps,diverged,test_mse_min,test_mse_median,test_mse_max,test_mse_mean,stable,edge,catapult,unclassified
//	map_cells.csv    <x>,<y>,seeds,converged,completed,max_steps,diverged,test_mse_min,…,stable,edge,catapult,unclassified
//
// The test MSE statistics over seeds are over the runs that converged or
// completed. A sweep over several seeds reports each seed's best and first
// diverging learning rate and theirs over the seeds (SweepSummary).
//
// Every run of a sweep or a map tracks its sharpness every -track-sharpness
// steps (DefaultTrackSharpness, 10) and at each of its first
// experiment.EarlySteps steps; its regime (experiment.RegimeOf) and the
// largest ηS/2 along it are in the table, the regimes of a cell's runs
// counted in the cells' table (the diverged ones are the column diverged).
// The regime of Reproduce's sweep, whose runs do not track, is empty and
// its sharpness_max_ratio NaN.
//
// What unclassified means on a map: a run that finished (converged, reached
// the step cap or completed its steps) but whose traces fit none of the
// definitions of package regime. On the blog's problem these are runs that
// start just above 2/η and fall below it without the loss rising twofold —
// the onset of the catapult, too mild to be called one — and runs stopped
// at the step cap while ηS/2 is still above 1 (docs/curvature.md counts
// them). The regime figure shows them grey; they are neither stable nor
// proof of a catapult.
//
// When x is the learning rate, summary.json gives every row its curvature
// (RowCurvature: λ₀ and λ_GF and their lines, the first unstable learning
// rate, η_div·λ₀ and η_div·λ_GF, where the benefit begins and the regimes
// of the 10× cells, where the near-edge runs end), and the figures
// map_regimes (the regime of most runs of every cell) and map_curvature
// (the heat map of test MSE) draw on every row the lines η = 2/λ₀ and
// 2/λ_GF of the theory and η = 3/λ₀ and 4/λ_GF, found predictive
// (TheoryLines).
package grids

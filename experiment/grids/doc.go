// Package grids holds the experiments that train a grid of runs, each cell
// the run igr train makes with the same flags: Sweep (igr sweep), the
// learning rates × seeds of the blog's figure; Map (igr map), any two
// hyperparameters × seeds, drawn as a heat map; and Merge (igr merge), which
// combines the folders of a grid's shards into the outputs of one machine.
// Run is the grid runner under all of them and under Reproduce's sweep.
//
// The tables:
//
//	sweep.csv        lr,seed,status,steps,train_mse,test_mse,grad_norm_sq
//	map.csv          <x>,<y>,seed,status,steps,train_mse,test_mse,grad_norm_sq
//	sweep_bands.csv  lr,seeds,converged,completed,max_steps,diverged,test_mse_min,test_mse_median,test_mse_max,test_mse_mean
//	map_cells.csv    <x>,<y>,seeds,converged,completed,max_steps,diverged,test_mse_min,…
//
// The test MSE statistics over seeds are over the runs that converged or
// completed. A sweep over several seeds reports each seed's best and first
// diverging learning rate and theirs over the seeds (SweepSummary).
package grids

// Package deploy holds examples for running an igr sweep on a cluster: a
// Slurm job array (slurm/), a Kubernetes Indexed Job (kubernetes/) and the
// image they run (Dockerfile). Each task trains one shard of the grid
// (igr sweep reads its shard from the scheduler's environment) and
// igr merge combines the shards into the outputs of a single-machine sweep.
// The test runs the Slurm scripts as local processes.
package deploy

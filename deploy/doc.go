// Package deploy holds examples for running an igr sweep on a cluster: a
// Slurm job array (slurm/), a Kubernetes Indexed Job (kubernetes/) and the
// image they run (Dockerfile). Each task trains one shard of the grid
// (igr sweep reads its shard from the scheduler's environment) and
// igr merge combines the shards into the outputs of a single-machine sweep.
//
// The tests run the Slurm scripts twice: as local processes with the
// variables Slurm sets, and, where Debian's slurmctld, slurmd, slurm-client
// and munge are installed and the tests run as root, on a real one-node
// Slurm cluster that TestSlurmCluster starts and stops.
package deploy

// Package deploy holds examples for running an igr sweep or map on a cluster: a
// Slurm job array (slurm/), a Kubernetes Indexed Job (kubernetes/) and the
// image they run (Dockerfile). Each task trains one shard of the grid
// (igr sweep reads its shard from the scheduler's environment) and
// igr merge combines the shards into the outputs of a single-machine sweep.
//
// A task resumes its shard: the shard's folder is the same every time the
// task runs, and igr takes the runs its journal holds and trains the rest.
// The Slurm array asks to be requeued (--requeue) and requeues a task itself
// before its time limit; the Indexed Job's pod started in place of a failed
// one has the same index, so the same folder (docs/cluster.md, "Resuming a
// grid").
//
// The tests run the Slurm scripts twice: as local processes with the
// variables Slurm sets, for a sweep and a map, and, where Debian's
// slurmctld, slurmd, slurm-client and munge are installed and the tests run
// as root, on a real one-node Slurm cluster that TestSlurmCluster starts and
// stops, requeueing two tasks in the middle of their shards.
package deploy

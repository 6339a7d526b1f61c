// Package grid describes runs on a grid of hyperparameters and plans their
// training: the one runner under learning-rate sweeps, seed bands, implicit
// against explicit regularization over η, and two-dimensional maps.
//
// A Grid is the cartesian product of its axes, each a name and a list of
// values. Its cells are numbered in a canonical order, the first axis
// outermost and the last varying fastest, so a sweep over seeds and learning
// rates is the grid (seed, lr) and a map of learning rate against width over
// seeds is (seed, width, lr). A Shard selects every Count-th cell of that
// order, so that a grid splits across the tasks of a cluster array and every
// task gets cheap and expensive cells alike.
//
// A Plan turns the cells of a shard into training jobs, started in decreasing
// order of an estimated cost so that parallel workers finish together, and
// pairs the results with their cells again. Each run is independent and
// deterministic, so the results do not depend on the order, the number of
// workers or the shard that computed them.
//
// A Journal keeps a grid's finished runs on disk, one record each, appended
// as each run ends (the records of the runs that end within SyncInterval,
// 100 ms, share one write and sync), so that a grid killed at any instant
// (SIGKILL, the OOM killer, a preempted cluster job, a failed node) loses
// only the runs under way and those that ended within the last
// SyncInterval. Plan.RunWith with a journal trains only the cells the
// journal does not hold, and can save the state of long runs beside it
// (train.Checkpoint) so that they continue where they stopped. Runs are
// deterministic, so a grid resumed any number of times, with any number of
// workers, ends with the outcomes of one never stopped, bit for bit. Each
// shard of a grid has a journal of its own.
//
// ParseValues reads the values of an axis as a command line gives them:
// FROM:TO:STEP, log:FROM:TO:N or a comma-separated list. Spread summarizes the
// runs of one cell over seeds.
package grid

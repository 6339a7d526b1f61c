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
// ParseValues reads the values of an axis as a command line gives them:
// FROM:TO:STEP, log:FROM:TO:N or a comma-separated list. Spread summarizes the
// runs of one cell over seeds.
package grid

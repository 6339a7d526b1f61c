// Package runs holds the experiments of one problem trained a few ways
// side by side: Train (igr train), one run of gradient descent, minibatch
// SGD, label noise or an explicit penalty, with checkpoints; and Noise
// (igr noise), label-noise GD beside plain GD at the same learning rate.
// Both write runs.csv, history.csv, summary.json and their figures; Train
// also writes the final parameters, params_<name>.csv.
package runs

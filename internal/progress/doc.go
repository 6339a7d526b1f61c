// Package progress reports the progress of long training jobs on a writer,
// usually standard error. A job is a set of runs, such as a sweep of learning
// rates trained in parallel or a single long run, and every run takes
// gradient steps.
//
// Runs tell a Reporter how many steps they took with Add and that they ended
// with RunDone; both are safe for concurrent use, and Add is a single atomic
// addition, cheap enough for the training loop. A background goroutine draws
// the reports. On a terminal it redraws one line in place about five times a
// second, with a bar, the runs and steps done, the recent rate in steps per
// second and an estimate of the time left. On anything else, such as a file,
// a pipe or a CI log, it prints a plain line every five seconds and nothing in
// between. Stop ends the reports with a summary line.
//
// A run of known length in a job whose total is not known in advance (a
// label-noise run beside runs that stop on convergence) reports through
// Track instead: while it is under way the reports show its own progress,
// "label noise 23k/100k", and an ETA of at least the time its remaining
// steps take at its own rate ("ETA ≥1:14"), until runs that have ended give
// a better estimate.
//
// A nil *Reporter is valid and does nothing, so callers can pass nil when
// progress reports are off.
package progress

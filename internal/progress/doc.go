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
// A nil *Reporter is valid and does nothing, so callers can pass nil when
// progress reports are off.
package progress

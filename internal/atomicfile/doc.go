// Package atomicfile writes files so that no reader ever sees half of one: the
// content goes to a temporary file in the same directory, which is synced and
// renamed over the destination only once it is complete.
package atomicfile

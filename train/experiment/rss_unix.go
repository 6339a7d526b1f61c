//go:build unix

package experiment

import (
	"math"
	"runtime"
	"syscall"
)

// peakRSSMB returns the largest resident set size of the process so far, in
// MB, or NaN if the system does not say.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	kb := float64(ru.Maxrss) // kilobytes on Linux and the BSDs
	if runtime.GOOS == "darwin" {
		kb /= 1024 // bytes on macOS
	}
	return math.Round(kb/1024*10) / 10
}

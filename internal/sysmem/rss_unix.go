//go:build unix

package sysmem

import (
	"math"
	"runtime"
	"syscall"
)

// PeakRSSMB returns the largest resident set size of the process so far, in
// MB, or NaN if the system does not say.
func PeakRSSMB() float64 {
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

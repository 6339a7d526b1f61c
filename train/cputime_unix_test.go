//go:build unix

package train_test

import (
	"syscall"
	"time"
)

// cpuTime returns the processor time the process has used, user and
// system: on a shared machine it counts the work done, where the wall clock
// also counts the waits for a core.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package sysmem

import (
	"encoding/binary"
	"syscall"
)

// Available returns the machine's physical memory (sysctl
// hw.memsize): macOS does not say how much of it is free.
func Available() (bytes int64, source string, ok bool) {
	s, err := syscall.Sysctl("hw.memsize")
	if err != nil || len(s) == 0 || len(s) > 8 {
		return 0, "", false
	}
	b := make([]byte, 8) // Sysctl drops trailing zero bytes
	copy(b, s)
	return int64(binary.LittleEndian.Uint64(b)), "of this machine's memory", true
}

//go:build !linux && !darwin

package experiment

// AvailableMemory does not know the memory of this system: only
// Config.MaxMemory (-max-memory) limits what a command may use here.
func AvailableMemory() (bytes int64, source string, ok bool) { return 0, "", false }

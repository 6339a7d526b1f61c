//go:build !linux && !darwin

package sysmem

// Available does not know the memory of this system: only
// a limit given by the caller (-max-memory) bounds what a command may use here.
func Available() (bytes int64, source string, ok bool) { return 0, "", false }

//go:build !unix

package grid

import (
	"errors"
	"os"
)

// errLocked: another process holds the lock.
var errLocked = errors.New("locked")

// lockFile does nothing where advisory locks are not available.
func lockFile(*os.File) error { return nil }

// syncDir does nothing where directories cannot be synced.
func syncDir(string) {}

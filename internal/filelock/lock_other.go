//go:build !unix

package filelock

import (
	"errors"
	"os"
)

// ErrLocked: another process holds the lock.
var ErrLocked = errors.New("filelock: locked by another process")

// Lock does nothing where advisory locks are not available.
func Lock(*os.File) error { return nil }

// SyncDir does nothing where directories cannot be synced.
func SyncDir(string) {}

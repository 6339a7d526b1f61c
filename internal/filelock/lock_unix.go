//go:build unix

package filelock

import (
	"errors"
	"os"
	"syscall"
)

// ErrLocked: another process holds the lock.
var ErrLocked = errors.New("filelock: locked by another process")

// Lock takes an exclusive advisory lock on f, held until f is closed or
// its process ends, however it ends. File systems without locks (some
// network mounts) are used unlocked.
func Lock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return ErrLocked
		case errors.Is(err, syscall.ENOLCK), errors.Is(err, syscall.ENOTSUP), errors.Is(err, syscall.EOPNOTSUPP):
			return nil
		}
		return err
	}
}

// SyncDir syncs a directory, so that a file just created in it stays after
// a crash of the machine. Errors are ignored: some file systems cannot.
func SyncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}

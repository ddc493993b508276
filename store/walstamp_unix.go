//go:build unix

package store

import (
	"os"
	"syscall"
)

// unlinked says whether f's file was deleted from its folder (or cannot
// be told).
func unlinked(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return true
	}
	var st syscall.Stat_t
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.Fstat(int(fd), &st) }); err != nil || serr != nil {
		return true
	}
	return st.Nlink == 0
}

package store

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWALWatch_TrustsOnlyAWholeHeader: the wal-index header is trusted
// only when the file is there, written (isInit), not being written (both
// copies equal) and still in its folder; any other case sends the caller
// to the database.
func TestWALWatch_TrustsOnlyAWholeHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db-shm")
	w := &walWatch{path: path}
	defer w.close()
	header := func(change byte) []byte {
		h := make([]byte, walHeader)
		h[8], h[12] = change, 1 // iChange, isInit
		return h
	}
	write := func(b []byte) {
		t.Helper()
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := w.stamp(); ok {
		t.Error("a missing file was trusted")
	}
	whole := append(header(1), header(1)...)
	write(whole)
	first, ok := w.stamp()
	if !ok {
		t.Fatal("a whole header was not trusted")
	}
	write(append(header(1), header(2)...)) // the second copy is written first
	if _, ok := w.stamp(); ok {
		t.Error("a header being written was trusted")
	}
	write(append(header(2), header(2)...))
	if second, ok := w.stamp(); !ok || second == first {
		t.Errorf("a commit was not seen: %v, %v", ok, second == first)
	}
	uninit := append(header(2), header(2)...)
	uninit[12], uninit[walHeader+12] = 0, 0
	write(uninit)
	if _, ok := w.stamp(); ok {
		t.Error("a header SQLite has not written was trusted")
	}
	write(whole[:walHeader+10])
	if _, ok := w.stamp(); ok {
		t.Error("a short file was trusted")
	}
	// Deleted (the file w holds is no longer the one SQLite would use):
	// not trusted, and the next read opens the new one.
	write(whole)
	if _, ok := w.stamp(); !ok {
		t.Fatal("a whole header was not trusted")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.stamp(); ok {
		t.Error("a deleted file was trusted")
	}
	write(append(header(7), header(7)...))
	if s, ok := w.stamp(); !ok || s[8] != 7 {
		t.Errorf("the new file was not read: %v, %d", ok, s[8])
	}
}

package store

import (
	"bytes"
	"os"
	"sync/atomic"
)

// A SQLite database in WAL mode publishes each committed transaction to
// its readers, in this process and in any other, by rewriting the header
// of its wal-index, the "-shm" file beside it: a reader's transaction
// starts from that header, and nothing else tells it that the database
// changed. The header (documented in https://sqlite.org/walformat.html)
// holds a counter moved by every commit, the last frame of the log and
// checksums; SQLite writes it twice, the second copy first, so that a
// reader who finds the two copies equal has read a whole one.
//
// walWatch reads that header (a read and a stat of the file, no lock,
// no statement): while it stays the same, nothing was committed since,
// and a value read from the database when it was last seen is still the
// value in the database. TenantCacheVersion uses it to skip its read on
// most requests, where it was a sixth of the login page's CPU (the read
// itself, and the shared-memory lock every SQLite statement takes).
type walWatch struct {
	path string // the database's path + "-shm"
	f    atomic.Pointer[os.File]
}

// walStamp is the first copy of the wal-index header.
type walStamp [walHeader]byte

const walHeader = 48

// stamp answers the wal-index header as it is now, or false when it
// cannot be read whole: no file yet, a header being written, a file
// deleted (SQLite deletes it when the last connection of every process
// closes; the store keeps its own open, but a deleted file is never
// trusted) — the caller then reads the database.
func (w *walWatch) stamp() (walStamp, bool) {
	var s walStamp
	f := w.file()
	if f == nil {
		return s, false
	}
	var buf [2 * walHeader]byte
	if n, err := f.ReadAt(buf[:], 0); n < len(buf) || err != nil {
		return s, false
	}
	// isInit (byte 12) is 1 once SQLite wrote the header; the copies
	// differ while it writes.
	if buf[12] != 1 || !bytes.Equal(buf[:walHeader], buf[walHeader:]) {
		return s, false
	}
	if unlinked(f) {
		w.reopen(f)
		return s, false
	}
	copy(s[:], buf[:walHeader])
	return s, true
}

// file is the open header file, opened by the first caller that finds
// none (SQLite makes it at the first read); nil until it exists.
func (w *walWatch) file() *os.File {
	if f := w.f.Load(); f != nil {
		return f
	}
	f, err := os.Open(w.path)
	if err != nil {
		return nil
	}
	if !w.f.CompareAndSwap(nil, f) { // another caller opened it first
		f.Close()
		return w.f.Load()
	}
	return f
}

// reopen forgets old, a file no longer in its folder, unless another
// caller did already.
func (w *walWatch) reopen(old *os.File) {
	if w.f.CompareAndSwap(old, nil) {
		old.Close()
	}
}

func (w *walWatch) close() {
	if f := w.f.Swap(nil); f != nil {
		f.Close()
	}
}

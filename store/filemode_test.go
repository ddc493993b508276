package store_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// TestOpen_SQLiteFileModes: the database folder is created 0700 and the
// database with its WAL and shared-memory files 0600, whatever the umask
// allows, so other local users read nothing.
func TestOpen_SQLiteFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	db := filepath.Join(dir, "portal.db")
	st, err := store.Open(context.Background(), "sqlite:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	testkit.Tenant(t, st, "acme") // a write, so the WAL exists
	want := map[string]os.FileMode{dir: 0o700, db: 0o600, db + "-wal": 0o600, db + "-shm": 0o600}
	for path, mode := range want {
		fi, err := os.Stat(path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if got := fi.Mode().Perm(); got != mode {
			t.Errorf("%s: mode %o, want %o", filepath.Base(path), got, mode)
		}
	}
}

// TestOpen_TightensExistingSQLiteFiles: a database made by an earlier
// version with mode 0644 is tightened to 0600 when opened.
func TestOpen_TightensExistingSQLiteFiles(t *testing.T) {
	db := filepath.Join(t.TempDir(), "portal.db")
	if err := os.WriteFile(db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), "sqlite:"+db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if fi, err := os.Stat(db); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v %v, want 0600", fi.Mode().Perm(), err)
	}
}

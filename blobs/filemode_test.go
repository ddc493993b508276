package blobs

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDir_FileModes: the attachment folders are 0700 and each blob 0600.
func TestDir_FileModes(t *testing.T) {
	root := filepath.Join(t.TempDir(), "attachments")
	d, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	up, err := d.Put(context.Background(), strings.NewReader("payroll.xlsx"), 100)
	if err != nil {
		t.Fatal(err)
	}
	blob := d.path(up.SHA256)
	for path, mode := range map[string]os.FileMode{root: 0o700, filepath.Dir(blob): 0o700, blob: 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v %v, want %o", path, fi.Mode().Perm(), err, mode)
		}
	}
}

package mail_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/svcportal/svcportal/mail"
)

// TestFileTransport_FileModes: the mail folder is 0700 and each .eml
// 0600: the files hold reset codes and set-password links.
func TestFileTransport_FileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mail")
	ft, err := mail.NewFileTransport(dir, "no-reply@portal.test")
	if err != nil {
		t.Fatal(err)
	}
	if err := ft.Send(context.Background(), message(1)); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	for path, mode := range map[string]os.FileMode{dir: 0o700, files[0]: 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != mode {
			t.Errorf("%s: %v %v, want %o", path, fi.Mode().Perm(), err, mode)
		}
	}
}

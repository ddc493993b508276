package blobs

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
)

func TestDir(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	d, err := OpenDir(root)
	if err != nil {
		t.Fatal(err)
	}
	up, err := d.Put(ctx, strings.NewReader("hello %PDF"), 100)
	if err != nil {
		t.Fatal(err)
	}
	if up.Size != 10 || len(up.SHA256) != 64 || up.ContentType != "text/plain; charset=utf-8" {
		t.Errorf("got %+v", up)
	}
	again, _ := d.Put(ctx, strings.NewReader("hello %PDF"), 100)
	if again.SHA256 != up.SHA256 {
		t.Error("same content, different address")
	}
	rc, err := d.Open(ctx, up.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "hello %PDF" {
		t.Errorf("read %q", b)
	}
	if _, err := d.Put(ctx, strings.NewReader(strings.Repeat("x", 101)), 100); svcportal.KindOf(err) != svcportal.KindTooLarge {
		t.Errorf("over the limit: %v", err)
	}
	for _, bad := range []string{"", "../../etc/passwd", strings.Repeat("z", 64), strings.Repeat("0", 64)} {
		if _, err := d.Open(ctx, bad); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("Open(%q): %v", bad, err)
		}
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "upload-") {
			t.Errorf("temporary file left: %s", filepath.Join(root, e.Name()))
		}
	}
}

func TestCleanFilename(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf": "report.pdf", "../../etc/passwd": "passwd", `C:\Users\me\shot.png`: "shot.png",
		"a\x00b\nc.txt": "abc.txt", "": "file", "..": "file", `say "hi".txt`: "say hi.txt",
	} {
		if got := svcportal.CleanFilename(in); got != want {
			t.Errorf("CleanFilename(%q) = %q, want %q", in, got, want)
		}
	}
}

// Package blobs keeps file contents (ticket and article attachments) on
// disk under the data dir, addressed by their SHA-256: the same file
// uploaded twice is stored once, and a name never comes from a client.
package blobs

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"

	"github.com/svcportal/svcportal"
)

// Dir is a BlobStore in a folder.
type Dir struct {
	root string
}

var _ svcportal.BlobStore = (*Dir)(nil)

// Open returns the store in root, created if missing.
func Open(root string) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, err
	}
	return &Dir{root: root}, nil
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (d *Dir) path(sha string) string {
	return filepath.Join(d.root, sha[:2], sha[2:])
}

// Put implements svcportal.BlobStore: it writes to a temporary file while
// hashing, then renames it into place (atomic; a crash leaves no partial
// blob under a real name).
func (d *Dir) Put(ctx context.Context, r io.Reader, max int64) (svcportal.Upload, error) {
	tmp, err := os.CreateTemp(d.root, "upload-*")
	if err != nil {
		return svcportal.Upload{}, err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	defer tmp.Close()
	br := bufio.NewReader(r)
	head, _ := br.Peek(512)
	contentType := http.DetectContentType(head)
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(br, max+1))
	if err != nil {
		return svcportal.Upload{}, fmt.Errorf("store upload: %w", err)
	}
	if n > max {
		return svcportal.Upload{}, &svcportal.Error{Kind: svcportal.KindTooLarge, MessageID: "error.file_too_large",
			Data: map[string]any{"MaxMB": max >> 20}}
	}
	if err := tmp.Sync(); err != nil {
		return svcportal.Upload{}, err
	}
	if err := tmp.Close(); err != nil {
		return svcportal.Upload{}, err
	}
	sha := hex.EncodeToString(h.Sum(nil))
	dst := d.path(sha)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return svcportal.Upload{}, err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return svcportal.Upload{}, err
	}
	return svcportal.Upload{SHA256: sha, Size: n, ContentType: contentType}, nil
}

// Open implements svcportal.BlobStore.
func (d *Dir) Open(ctx context.Context, sha string) (io.ReadCloser, error) {
	if !shaRE.MatchString(sha) {
		return nil, svcportal.ErrNotFound()
	}
	f, err := os.Open(d.path(sha))
	if errors.Is(err, os.ErrNotExist) {
		return nil, svcportal.ErrNotFound()
	}
	return f, err
}

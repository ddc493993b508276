// Package blobs keeps file contents (ticket and article attachments),
// addressed by their SHA-256: the same file uploaded twice is stored once,
// and a name never comes from a client. They live in a folder (Dir, the
// default: DATA_DIR/attachments) or in an S3-compatible bucket (S3), which
// every instance of a scaled-out installation shares.
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
	"strings"

	"github.com/svcportal/svcportal"
)

// Store is a BlobStore that can also list what it holds (`portal blobs
// migrate` copies every blob from one store to another).
type Store interface {
	svcportal.BlobStore
	// Each calls fn with the address of every blob, in no set order.
	Each(ctx context.Context, fn func(sha string) error) error
	// Where names the store for people.
	Where() string
}

// Open returns the store a PORTAL_BLOB_URL names: file:DIR or
// s3://ACCESS:SECRET@host:port/bucket?region=R.
func Open(ctx context.Context, raw string) (Store, error) {
	switch {
	case strings.HasPrefix(raw, "file:"):
		dir := strings.TrimPrefix(raw, "file:")
		if dir == "" {
			return nil, errors.New("file: needs a folder, as in file:data/attachments")
		}
		return OpenDir(dir)
	case strings.HasPrefix(raw, "s3://"):
		return OpenS3(ctx, raw)
	}
	return nil, errors.New("must be file:DIR or s3://ACCESS:SECRET@host:port/bucket?region=R")
}

// ValidateURL says what is wrong with a PORTAL_BLOB_URL, without
// connecting.
func ValidateURL(raw string) error {
	switch {
	case strings.HasPrefix(raw, "file:"):
		if strings.TrimPrefix(raw, "file:") == "" {
			return errors.New("file: needs a folder, as in file:data/attachments")
		}
		return nil
	case strings.HasPrefix(raw, "s3://"):
		_, err := parseS3URL(raw)
		return err
	}
	return errors.New("must be file:DIR or s3://ACCESS:SECRET@host:port/bucket?region=R")
}

// Copy copies every blob of from that to lacks, telling progress how many
// are done (copied or already there) out of how many.
func Copy(ctx context.Context, from, to Store, progress func(done, total int)) (copied int, err error) {
	var all []string
	if err := from.Each(ctx, func(sha string) error { all = append(all, sha); return nil }); err != nil {
		return 0, err
	}
	progress(0, len(all))
	for i, sha := range all {
		if has, err := exists(ctx, to, sha); err != nil {
			return copied, err
		} else if !has {
			if err := copyOne(ctx, from, to, sha); err != nil {
				return copied, err
			}
			copied++
		}
		progress(i+1, len(all))
	}
	return copied, nil
}

func exists(ctx context.Context, s Store, sha string) (bool, error) {
	rc, err := s.Open(ctx, sha)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return false, nil
	} else if err != nil {
		return false, err
	}
	rc.Close()
	return true, nil
}

func copyOne(ctx context.Context, from, to Store, sha string) error {
	rc, err := from.Open(ctx, sha)
	if err != nil {
		return err
	}
	defer rc.Close()
	up, err := to.Put(ctx, rc, 1<<40)
	if err != nil {
		return err
	}
	if up.SHA256 != sha {
		return fmt.Errorf("blob %s: copied content hashes to %s", sha, up.SHA256)
	}
	return nil
}

// Dir is a BlobStore in a folder.
type Dir struct {
	root string
}

var _ svcportal.BlobStore = (*Dir)(nil)

// OpenDir returns the store in root, created if missing.
func OpenDir(root string) (*Dir, error) {
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

// Where implements Store.
func (d *Dir) Where() string { return "file:" + d.root }

// Each implements Store.
func (d *Dir) Each(ctx context.Context, fn func(sha string) error) error {
	return filepath.WalkDir(d.root, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(d.root, path)
		sha := strings.ReplaceAll(filepath.ToSlash(rel), "/", "")
		if !shaRE.MatchString(sha) {
			return nil // a temporary upload
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		return fn(sha)
	})
}

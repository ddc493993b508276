package blobs

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/svcportal/svcportal"
)

// S3Server starts an S3-compatible server (gofakes3, in memory) on
// loopback with an empty bucket and returns the PORTAL_BLOB_URL of it.
func s3Server(t *testing.T, bucket string) string {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return "s3://ACCESS:SECRET@" + strings.TrimPrefix(srv.URL, "http://") + "/" + bucket + "?region=us-east-1&tls=false"
}

func TestS3(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, s3Server(t, "attachments"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("put and open", func(t *testing.T) {
		up, err := s.Put(ctx, strings.NewReader("%PDF-1.4 hello"), 100)
		if err != nil {
			t.Fatal(err)
		}
		if up.Size != 14 || len(up.SHA256) != 64 || up.ContentType != "application/pdf" {
			t.Errorf("got %+v", up)
		}
		rc, err := s.Open(ctx, up.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		if b, _ := io.ReadAll(rc); string(b) != "%PDF-1.4 hello" {
			t.Errorf("read back %q", b)
		}
	})
	t.Run("a large file streams in parts", func(t *testing.T) {
		big := make([]byte, 12<<20) // more than two parts of 5 MiB
		rand.Read(big)
		up, err := s.Put(ctx, bytes.NewReader(big), 20<<20)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := s.Open(ctx, up.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		got, _ := io.ReadAll(rc)
		if !bytes.Equal(got, big) {
			t.Errorf("read back %d bytes, want the %d written", len(got), len(big))
		}
	})
	t.Run("too large", func(t *testing.T) {
		_, err := s.Put(ctx, strings.NewReader(strings.Repeat("x", 101)), 100)
		if svcportal.KindOf(err) != svcportal.KindTooLarge {
			t.Errorf("got %v, want KindTooLarge", err)
		}
	})
	t.Run("absent and malformed addresses", func(t *testing.T) {
		for _, sha := range []string{strings.Repeat("a", 64), "../etc/passwd"} {
			if _, err := s.Open(ctx, sha); svcportal.KindOf(err) != svcportal.KindNotFound {
				t.Errorf("%s: got %v, want KindNotFound", sha, err)
			}
		}
	})
	t.Run("each lists only blobs", func(t *testing.T) {
		n := 0
		if err := s.Each(ctx, func(string) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		if n != 2 {
			t.Errorf("got %d blobs, want 2 (temporary uploads removed)", n)
		}
	})
}

func TestOpen_URLs(t *testing.T) {
	for _, raw := range []string{"s3://host:9000/bucket", "s3://A:S@host:9000/", "s3://A:S@/b", "ftp://x", "file:"} {
		if err := ValidateURL(raw); err == nil {
			t.Errorf("%q: got no error", raw)
		}
	}
	if _, err := Open(context.Background(), s3Server(t, "other")[:strings.Index(s3Server(t, "x"), "/x")]+"/missing?tls=false"); err == nil ||
		!strings.Contains(err.Error(), "no bucket") {
		t.Errorf("missing bucket: got %v", err)
	}
}

func TestCopy_DirToS3(t *testing.T) {
	ctx := context.Background()
	from, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var shas []string
	for _, c := range []string{"one", "two", "three"} {
		up, err := from.Put(ctx, strings.NewReader(c), 100)
		if err != nil {
			t.Fatal(err)
		}
		shas = append(shas, up.SHA256)
	}
	to, err := Open(ctx, s3Server(t, "dest"))
	if err != nil {
		t.Fatal(err)
	}
	var last [2]int
	copied, err := Copy(ctx, from, to, func(done, total int) { last = [2]int{done, total} })
	if err != nil || copied != 3 || last != [2]int{3, 3} {
		t.Fatalf("copy: %d copied, progress %v, %v", copied, last, err)
	}
	for _, sha := range shas {
		if _, err := to.Open(ctx, sha); err != nil {
			t.Errorf("%s not in the destination: %v", sha, err)
		}
	}
	if copied, err := Copy(ctx, from, to, func(int, int) {}); err != nil || copied != 0 {
		t.Errorf("second copy: %d copied, %v; want none", copied, err)
	}
}

package blobs

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/svcportal/svcportal"
)

// S3 is a BlobStore in a bucket of an S3-compatible server (AWS S3,
// MinIO, Ceph, Garage…), through minio-go. Uploads stream: they go to a
// temporary key while being hashed (in parts of 5 MiB, the most held in
// memory per upload), then are copied on the server to their address.
// Downloads stream from the server.
type S3 struct {
	client *minio.Client
	bucket string
	where  string
}

var _ Store = (*S3)(nil)

type s3URL struct {
	endpoint, access, secret, bucket, region string
	secure                                   bool
}

// parseS3URL reads s3://ACCESS:SECRET@host:port/bucket?region=R; the
// connection is HTTPS unless tls=false is added (a store on a private
// network, tests).
func parseS3URL(raw string) (s3URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return s3URL{}, errors.New("the s3:// URL does not parse")
	}
	secret, _ := u.User.Password()
	out := s3URL{endpoint: u.Host, access: u.User.Username(), secret: secret, bucket: strings.Trim(u.Path, "/"),
		region: u.Query().Get("region"), secure: u.Query().Get("tls") != "false"}
	switch {
	case u.User == nil || out.access == "" || out.secret == "":
		return s3URL{}, errors.New("an s3:// URL needs an access key and a secret, as in s3://ACCESS:SECRET@host:port/bucket?region=R")
	case u.Hostname() == "":
		return s3URL{}, errors.New("an s3:// URL needs a host, as in s3://ACCESS:SECRET@s3.example.com:443/bucket")
	case out.bucket == "" || strings.Contains(out.bucket, "/"):
		return s3URL{}, errors.New("an s3:// URL needs one bucket name as its path, as in s3://ACCESS:SECRET@host:port/attachments")
	}
	return out, nil
}

// OpenS3 connects to the bucket of a PORTAL_BLOB_URL and checks that it
// exists.
func OpenS3(ctx context.Context, raw string) (*S3, error) {
	cfg, err := parseS3URL(raw)
	if err != nil {
		return nil, err
	}
	client, err := minio.New(cfg.endpoint, &minio.Options{
		Creds: credentials.NewStaticV4(cfg.access, cfg.secret, ""), Secure: cfg.secure, Region: cfg.region,
		BucketLookup: minio.BucketLookupPath, // works with every S3-compatible server, and with bucket names that hold dots
	})
	if err != nil {
		return nil, err
	}
	ok, err := client.BucketExists(ctx, cfg.bucket)
	if err != nil {
		return nil, fmt.Errorf("s3 %s: %w", cfg.endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("s3 %s: no bucket %q (create it first)", cfg.endpoint, cfg.bucket)
	}
	return &S3{client: client, bucket: cfg.bucket, where: "s3://" + cfg.endpoint + "/" + cfg.bucket}, nil
}

// Where implements Store.
func (s *S3) Where() string { return s.where }

func key(sha string) string { return sha[:2] + "/" + sha[2:] }

// Put implements svcportal.BlobStore.
func (s *S3) Put(ctx context.Context, r io.Reader, max int64) (svcportal.Upload, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(512)
	contentType := http.DetectContentType(head)
	h := sha256.New()
	counted := &countingReader{r: io.TeeReader(io.LimitReader(br, max+1), h)}
	b := make([]byte, 12)
	rand.Read(b)
	tmp := "tmp/" + hex.EncodeToString(b)
	_, err := s.client.PutObject(ctx, s.bucket, tmp, counted, -1, minio.PutObjectOptions{PartSize: 5 << 20, ContentType: contentType,
		// Unsigned payload, as over TLS: chunk signatures on plain HTTP are
		// not understood by every S3-compatible server.
		DisableContentSha256: true})
	if err != nil {
		return svcportal.Upload{}, fmt.Errorf("store upload: %w", err)
	}
	defer s.client.RemoveObject(context.WithoutCancel(ctx), s.bucket, tmp, minio.RemoveObjectOptions{})
	if counted.n > max {
		return svcportal.Upload{}, &svcportal.Error{Kind: svcportal.KindTooLarge, MessageID: "error.file_too_large",
			Data: map[string]any{"MaxMB": max >> 20}}
	}
	sha := hex.EncodeToString(h.Sum(nil))
	_, err = s.client.CopyObject(ctx, minio.CopyDestOptions{Bucket: s.bucket, Object: key(sha)},
		minio.CopySrcOptions{Bucket: s.bucket, Object: tmp})
	if err != nil {
		return svcportal.Upload{}, fmt.Errorf("store upload: %w", err)
	}
	return svcportal.Upload{SHA256: sha, Size: counted.n, ContentType: contentType}, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Open implements svcportal.BlobStore.
func (s *S3) Open(ctx context.Context, sha string) (io.ReadCloser, error) {
	if !shaRE.MatchString(sha) {
		return nil, svcportal.ErrNotFound()
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key(sha), minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	// GetObject is lazy: Stat asks the server, so a missing blob is a
	// not-found here rather than a failure in the middle of the answer.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).StatusCode == http.StatusNotFound {
			return nil, svcportal.ErrNotFound()
		}
		return nil, err
	}
	return obj, nil
}

// Each implements Store.
func (s *S3) Each(ctx context.Context, fn func(sha string) error) error {
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Recursive: true}) {
		if obj.Err != nil {
			return obj.Err
		}
		if sha := strings.ReplaceAll(obj.Key, "/", ""); shaRE.MatchString(sha) && len(obj.Key) == 65 {
			if err := fn(sha); err != nil {
				return err
			}
		}
	}
	return nil
}

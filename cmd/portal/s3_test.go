package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// startS3 starts an S3-compatible server (gofakes3, in memory) on
// loopback with an empty bucket and returns its PORTAL_BLOB_URL.
func startS3(t *testing.T, bucket string) string {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	return "s3://ACCESS:SECRET@" + strings.TrimPrefix(srv.URL, "http://") + "/" + bucket + "?region=us-east-1&tls=false"
}

package main

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
)

func TestOpenIndex_Backends(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		dir := t.TempDir()
		idx, err := openIndex(&Config{SearchURL: "embedded", DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer idx.Close()
		if idx.ts != nil || idx.dir != filepath.Join(dir, "search") {
			t.Errorf("got %+v, want the embedded index in %s/search", idx, dir)
		}
	})
	t.Run("typesense", func(t *testing.T) {
		// A port nobody listens on: the adapter is built without
		// connecting, and its first use reports the server's absence.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		idx, err := openIndex(&Config{SearchURL: "typesense://KEY@" + addr, DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		defer idx.Close()
		if idx.ts == nil || idx.where != "typesense "+addr {
			t.Fatalf("got %+v, want the Typesense adapter for %s", idx, addr)
		}
		_, err = idx.Search(context.Background(), svcportal.ArticleQuery{TenantID: 1, SiteIDs: []int64{1}, Lang: "en", Text: "printer"})
		if err == nil || !strings.Contains(err.Error(), "typesense") {
			t.Errorf("search without a server: got %v, want a typesense error", err)
		}
	})
	t.Run("bad typesense URL", func(t *testing.T) {
		if _, err := openIndex(&Config{SearchURL: "typesense://localhost:8108"}); err == nil || !strings.HasPrefix(err.Error(), "PORTAL_SEARCH_URL: ") {
			t.Errorf("got %v, want a PORTAL_SEARCH_URL error", err)
		}
	})
}

package search

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
)

func TestFromURL_Backends(t *testing.T) {
	t.Run("embedded", func(t *testing.T) {
		dir := t.TempDir()
		idx, err := FromURL("embedded", dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer idx.Close()
		if !idx.Embedded() || idx.Where() != filepath.Join(dir, "search") {
			t.Errorf("got %+v, want the embedded index in %s/search", idx, dir)
		}
		_, err = idx.Search(context.Background(), svcportal.ArticleQuery{TenantID: 1, SiteIDs: []int64{1}, Lang: "en", Text: "printer"})
		if err != ErrIndexElsewhere {
			t.Errorf("search before Open: got %v, want ErrIndexElsewhere", err)
		}
		created, err := idx.Open(context.Background())
		if err != nil || !created {
			t.Errorf("first open: created %v, err %v; want a new index", created, err)
		}
		if _, err := idx.Search(context.Background(), svcportal.ArticleQuery{TenantID: 1, SiteIDs: []int64{1}, Lang: "en", Text: "printer"}); err != nil {
			t.Errorf("search after Open: %v", err)
		}
		if err := idx.Release(); err != nil {
			t.Fatal(err)
		}
		// Released, another process (here: another Configured) opens it.
		other, _ := FromURL("embedded", dir, nil)
		if created, err := other.Open(context.Background()); err != nil || created {
			t.Errorf("open after release: created %v, err %v; want the existing index", created, err)
		}
		other.Close()
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
		idx, err := FromURL("typesense://KEY@"+addr, t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer idx.Close()
		if idx.Embedded() || idx.Where() != "typesense "+addr {
			t.Fatalf("got %+v, want the Typesense adapter for %s", idx, addr)
		}
		_, err = idx.Search(context.Background(), svcportal.ArticleQuery{TenantID: 1, SiteIDs: []int64{1}, Lang: "en", Text: "printer"})
		if err == nil || !strings.Contains(err.Error(), "typesense") {
			t.Errorf("search without a server: got %v, want a typesense error", err)
		}
	})
	t.Run("bad URLs", func(t *testing.T) {
		for _, raw := range []string{"typesense://localhost:8108", "solr", ""} {
			if _, err := FromURL(raw, t.TempDir(), nil); err == nil {
				t.Errorf("%q: got no error", raw)
			}
		}
	})
}

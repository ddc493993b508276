package tenants_test

import (
	"context"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/tenants"
)

// hostStore is a TenantStore with one tenant, acme, that also owns
// support.acme.example; it fails the test when asked about a name that
// is not a host name, since a database would have to read it.
type hostStore struct {
	svcportal.TenantStore
	t    *testing.T
	acme *svcportal.Tenant
}

func (s hostStore) TenantBySlug(_ context.Context, slug string) (*svcportal.Tenant, error) {
	if !svcportal.ValidHostname(slug + ".localhost") {
		s.t.Errorf("store asked for slug %q", slug)
	}
	if slug == "acme" {
		return s.acme, nil
	}
	return nil, svcportal.ErrNotFound()
}

func (s hostStore) TenantByDomain(_ context.Context, host string) (*svcportal.Tenant, error) {
	if !svcportal.ValidHostname(host) {
		s.t.Errorf("store asked for domain %q", host)
	}
	if host == "support.acme.example" {
		return s.acme, nil
	}
	return nil, svcportal.ErrNotFound()
}

// FuzzResolve feeds Host headers to tenant resolution: it never panics,
// never queries the store with something that is not a host name, finds
// acme only at its own two names, and answers anything else not found.
func FuzzResolve(f *testing.F) {
	for _, h := range []string{
		"acme.localhost", "ACME.localhost:8080", "acme.localhost.", "support.acme.example:443",
		"globex.localhost", "a.acme.localhost", "localhost", "", "[::1]:8080", "127.0.0.1",
		"acme.localhost\x00", "acme\x00.localhost", "acme.localhost.evil.example", "ac me.localhost",
		"%61cme.localhost", "acme.localhost:99999", "\xff.localhost", strings.Repeat("a.", 200) + "localhost",
		"xn--acm-8la.localhost", "acme..localhost", ".localhost", "acme.localhost:",
	} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, host string) {
		acme := &svcportal.Tenant{ID: 1, Slug: "acme"}
		ts := tenants.New(hostStore{t: t, acme: acme}, "localhost")
		got, err := ts.Resolve(context.Background(), host)
		want := tenants.NormalizeHost(host)
		switch {
		case err == nil && got != acme:
			t.Fatalf("Resolve(%q) = %v without error", host, got)
		case err == nil && want != "acme.localhost" && want != "support.acme.example":
			t.Fatalf("Resolve(%q) found acme (normalised %q)", host, want)
		case err != nil && svcportal.KindOf(err) != svcportal.KindNotFound:
			t.Fatalf("Resolve(%q): %v, want not found", host, err)
		case err != nil && (want == "acme.localhost" || want == "support.acme.example"):
			t.Fatalf("Resolve(%q) did not find acme", host)
		}
	})
}

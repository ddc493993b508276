package testkit

import (
	"context"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/password"
)

// Cheap hashing keeps fixtures fast; production parameters are covered by
// the password package's own tests.
var cheap = password.Params{MemoryKiB: 1024, Time: 1, Threads: 1}

// Password is the password of every fixture account.
const Password = "fixture-pass-1234"

// HashPassword hashes Password cheaply.
func HashPassword(t testing.TB) string {
	t.Helper()
	h, err := password.HashWith(cheap, Password)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Tenant creates a tenant with the given slug and custom domains, and an
// admin admin@<slug>.test, and returns a context that carries it.
func Tenant(t testing.TB, ts svcportal.TenantStore, slug string, domains ...string) (context.Context, *svcportal.Tenant) {
	t.Helper()
	tn := svcportal.NewTenant(slug, "Tenant "+slug)
	tn.Domains = domains
	admin := &svcportal.Staff{Email: "admin@" + slug + ".test", Role: svcportal.StaffAdmin, PasswordHash: HashPassword(t)}
	if err := ts.CreateTenant(context.Background(), tn, admin); err != nil {
		t.Fatalf("create tenant %s: %v", slug, err)
	}
	return svcportal.WithTenant(context.Background(), tn), tn
}

// Site creates a site of the context tenant.
func Site(ctx context.Context, t testing.TB, ss svcportal.SiteStore, name string) *svcportal.Site {
	t.Helper()
	s := &svcportal.Site{Name: name, KBEnabled: true}
	if err := ss.CreateSite(ctx, s); err != nil {
		t.Fatalf("create site %s: %v", name, err)
	}
	return s
}

// Contact creates a contact of the context tenant with one membership.
func Contact(ctx context.Context, t testing.TB, cs svcportal.ContactStore, email string, site *svcportal.Site, role string) *svcportal.Contact {
	t.Helper()
	c := &svcportal.Contact{Email: email, PasswordHash: HashPassword(t), Locale: "en",
		Memberships: []svcportal.Membership{{SiteID: site.ID, Role: role}}}
	if err := c.Validate(); err != nil {
		t.Fatalf("contact %s: %v", email, err)
	}
	if err := cs.CreateContact(ctx, c); err != nil {
		t.Fatalf("create contact %s: %v", email, err)
	}
	return c
}

package tenants_test

import (
	"context"
	"strings"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/tenants"
	"github.com/svcportal/svcportal/testkit"
)

func TestNormalizeHost(t *testing.T) {
	tests := map[string]string{
		"acme.localhost":        "acme.localhost",
		"ACME.Localhost:8080":   "acme.localhost",
		"acme.localhost.":       "acme.localhost",
		"acme.localhost.:443":   "acme.localhost",
		"[::1]:8080":            "::1",
		" support.acme.example": "support.acme.example",
	}
	for in, want := range tests {
		if got := tenants.NormalizeHost(in); got != want {
			t.Errorf("NormalizeHost(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestService_Resolve(t *testing.T) {
	st := testkit.Store(t)
	_, acme := testkit.Tenant(t, st, "acme", "support.acme.example")
	_, globex := testkit.Tenant(t, st, "globex")
	ts := tenants.New(st, "localhost")
	ctx := context.Background()

	tests := []struct {
		host string
		want *svcportal.Tenant // nil: not found
	}{
		{"acme.localhost", acme},
		{"acme.localhost:8080", acme},
		{"ACME.LOCALHOST", acme},
		{"globex.localhost:8080", globex},
		{"support.acme.example", acme},
		{"Support.Acme.Example:443", acme},
		{"unknown.localhost", nil},
		{"localhost:8080", nil},
		{"a.acme.localhost", nil}, // nested subdomain is not a slug
		{"acme.example", nil},     // slug under another domain
		{"acme.localhost.evil.example", nil},
		{"", nil},
		{"127.0.0.1:8080", nil},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			got, err := ts.Resolve(ctx, tt.host)
			if tt.want == nil {
				if svcportal.KindOf(err) != svcportal.KindNotFound {
					t.Errorf("got %v, %v; want not found", got, err)
				}
				return
			}
			if err != nil || got.ID != tt.want.ID {
				t.Errorf("got %v, %v; want tenant %s", got, err, tt.want.Slug)
			}
		})
	}
}

// TestService_DisabledTenantAnswersNotFound: a disabled tenant's hosts,
// slug and custom domain, serve nothing through the real engine (the
// not-found page), the other tenant's still do; enabled, it is back.
func TestService_DisabledTenantAnswersNotFound(t *testing.T) {
	app := testkit.NewApp(t)
	testkit.Tenant(t, app.Store, "acme", "support.acme.example")
	testkit.Tenant(t, app.Store, "globex")
	ctx := context.Background()
	if err := app.Tenants.Disable(ctx, "acme", app.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]int{"acme.localhost": 404, "support.acme.example": 404, "globex.localhost": 200} {
		if rec := app.Request(t, "GET", host, "/login", nil, nil); rec.Code != want {
			t.Errorf("%s/login with acme disabled: %d, want %d", host, rec.Code, want)
		}
	}
	list, err := app.Tenants.List(ctx)
	if err != nil || len(list) != 2 || list[0].Slug != "acme" || list[0].DisabledAt == nil || list[1].DisabledAt != nil {
		t.Fatalf("list: %+v %v", list, err)
	}
	if err := app.Tenants.Enable(ctx, "acme"); err != nil {
		t.Fatal(err)
	}
	if rec := app.Request(t, "GET", "acme.localhost", "/login", nil, nil); rec.Code != 200 {
		t.Errorf("acme enabled again: %d", rec.Code)
	}
	if err := app.Tenants.Disable(ctx, "nope", app.Clock.Now()); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("unknown slug: %v", err)
	}
}

func TestService_Create(t *testing.T) {
	st := testkit.Store(t)
	ts := tenants.New(st, "portal.example.com")
	ctx := context.Background()
	ok := tenants.CreateRequest{Slug: "acme", Name: "Acme", AdminEmail: "Admin@Acme.test", AdminPassword: "long-enough-pw",
		Domains: []string{"Help.Acme.Example"}, DefaultLocale: "fr"}

	t.Run("invalid input changes nothing", func(t *testing.T) {
		tests := []struct {
			name  string
			edit  func(*tenants.CreateRequest)
			field string
		}{
			{"bad slug", func(r *tenants.CreateRequest) { r.Slug = "Acme Inc" }, "slug"},
			{"reserved slug", func(r *tenants.CreateRequest) { r.Slug = "www" }, "slug"},
			{"no name", func(r *tenants.CreateRequest) { r.Name = " " }, "name"},
			{"bad email", func(r *tenants.CreateRequest) { r.AdminEmail = "admin" }, "admin_email"},
			{"short password", func(r *tenants.CreateRequest) { r.AdminPassword = "short" }, "admin_password"},
			{"bad domain", func(r *tenants.CreateRequest) { r.Domains = []string{"not a host"} }, "domains"},
			{"domain under base", func(r *tenants.CreateRequest) { r.Domains = []string{"x.portal.example.com"} }, "domains"},
			{"unknown locale", func(r *tenants.CreateRequest) { r.DefaultLocale = "pt" }, "default_locale"},
			{"bad colour", func(r *tenants.CreateRequest) {
				r.Branding = &tenants.Branding{PrimaryColor: "red", AccentColor: "#000000"}
			}, "primary_color"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := ok
				tt.edit(&req)
				_, err := ts.Create(ctx, req)
				e, isErr := err.(*svcportal.Error)
				if !isErr || e.Kind != svcportal.KindUnprocessable {
					t.Fatalf("got %v, want a validation error", err)
				}
				if _, has := e.Fields[tt.field]; !has {
					t.Errorf("got fields %v, want %s", e.Fields, tt.field)
				}
				if _, err := st.TenantBySlug(ctx, req.Slug); svcportal.KindOf(err) != svcportal.KindNotFound {
					t.Errorf("tenant was created anyway: %v", err)
				}
			})
		}
	})

	t.Run("creates tenant and first admin", func(t *testing.T) {
		tn, err := ts.Create(ctx, ok)
		if err != nil {
			t.Fatal(err)
		}
		if tn.DefaultLocale != "fr" || strings.Join(tn.Domains, ",") != "help.acme.example" {
			t.Errorf("got %+v", tn)
		}
		admin, err := st.StaffByEmail(svcportal.WithTenant(ctx, tn), "admin@acme.test")
		if err != nil || admin.Role != svcportal.StaffAdmin || admin.PasswordHash == "" || admin.PasswordHash == ok.AdminPassword {
			t.Errorf("got admin %+v, %v", admin, err)
		}
		if _, err := ts.Resolve(ctx, "acme.portal.example.com"); err != nil {
			t.Errorf("resolve new tenant: %v", err)
		}
	})
	t.Run("slug taken", func(t *testing.T) {
		req := ok
		req.Domains = nil
		if _, err := ts.Create(ctx, req); svcportal.KindOf(err) != svcportal.KindConflict {
			t.Errorf("got %v, want conflict", err)
		}
	})
}

func TestThemeCSS_ReadableTextOnAnyBrandColour(t *testing.T) {
	tests := []struct{ color, on string }{
		{"#ffffff", "#000000"}, {"#000000", "#ffffff"}, {"#1d4ed8", "#ffffff"}, {"#fde047", "#000000"}, {"#6d28d9", "#ffffff"}, {"#22c55e", "#000000"},
	}
	for _, tt := range tests {
		tn := svcportal.NewTenant("x", "X")
		tn.PrimaryColor = tt.color
		css := string(tenants.ThemeCSS(tn))
		if !strings.Contains(css, "--brand:"+tt.color+";--on-brand:"+tt.on) {
			t.Errorf("ThemeCSS for %s = %q, want text %s", tt.color, css, tt.on)
		}
	}
}

func TestMonogramSVG(t *testing.T) {
	tn := svcportal.NewTenant("x", "<Acme> managed IT")
	svg := string(tenants.MonogramSVG(tn))
	if !strings.Contains(svg, ">AM</text>") || strings.Contains(svg, "<Acme>") {
		t.Errorf("got %s, want escaped initials AM", svg)
	}
	if got := tenants.Initials("  "); got != "?" {
		t.Errorf("Initials of blank = %q", got)
	}
}

func TestService_CreateRunsSetup(t *testing.T) {
	st := testkit.Store(t)
	var seen []string
	ts := tenants.New(st, "localhost", tenants.WithSetup(func(ctx context.Context) error {
		seen = append(seen, svcportal.TenantFrom(ctx).Slug)
		return nil
	}))
	if _, err := ts.Create(context.Background(), tenants.CreateRequest{Slug: "acme", Name: "Acme", AdminEmail: "a@acme.test", AdminPassword: "long-enough-pw"}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(seen, ",") != "acme" {
		t.Errorf("setup ran for %v, want once for acme with the tenant in the context", seen)
	}
}

func TestService_URL(t *testing.T) {
	plain := svcportal.NewTenant("acme", "Acme")
	custom := svcportal.NewTenant("globex", "Globex")
	custom.Domains = []string{"help.globex.example"}
	tests := []struct {
		scheme, port string
		t            *svcportal.Tenant
		want         string
	}{
		{"http", "8080", plain, "http://acme.localhost:8080"},
		{"https", "443", plain, "https://acme.localhost"},
		{"http", "80", custom, "http://help.globex.example"},
		{"https", "", custom, "https://help.globex.example"},
	}
	for _, tt := range tests {
		if got := tenants.New(nil, "localhost", tenants.WithPublicURL(tt.scheme, tt.port)).URL(tt.t); got != tt.want {
			t.Errorf("URL = %q, want %q", got, tt.want)
		}
	}
}

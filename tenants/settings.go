package tenants

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/svcportal/svcportal"
)

var _ svcportal.TenantAdmin = (*Service)(nil)

// UpdateSettings implements svcportal.TenantAdmin with the rules of
// tenant creation (custom domains may not be under the platform's).
func (s *Service) UpdateSettings(ctx context.Context, in svcportal.TenantSettings) (*svcportal.Tenant, error) {
	cur := svcportal.TenantFrom(ctx)
	t := *cur // a copy: the request's tenant stays as it was if this fails
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&t.Name, in.Name)
	set(&t.PrimaryColor, in.PrimaryColor)
	set(&t.AccentColor, in.AccentColor)
	set(&t.Footer, in.Footer)
	set(&t.DefaultLocale, in.DefaultLocale)
	if in.Domains != nil {
		t.Domains = make([]string, 0, len(in.Domains))
		for _, d := range in.Domains {
			if d = NormalizeHost(d); d != "" && !slices.Contains(t.Domains, d) {
				t.Domains = append(t.Domains, d)
			}
		}
	}
	if in.EnabledLocales != nil {
		t.EnabledLocales = in.EnabledLocales
	}
	if in.TicketTypes != nil {
		t.TicketTypes = in.TicketTypes
	}
	if in.AutoCloseDays != nil {
		t.AutoCloseDays = *in.AutoCloseDays
	}
	if in.MaxUploadMB != nil {
		t.MaxUploadMB = *in.MaxUploadMB
	}
	if in.WelcomeEmail != nil {
		t.WelcomeEmail = in.WelcomeEmail
	}
	var v svcportal.Validation
	v.Merge(t.Validate(), "")
	for _, d := range t.Domains {
		v.Check(d != s.baseDomain && !strings.HasSuffix(d, "."+s.baseDomain), "domains", "error.domain_base", nil)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.store.UpdateTenant(ctx, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// imageTypes are the content types accepted for a logo or favicon.
var imageTypes = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/x-icon", "image/vnd.microsoft.icon", "image/svg+xml"}

// PutAsset implements svcportal.TenantAdmin. The type is sniffed from the
// content, not taken from the client; SVG is recognised by its root
// element and served later under a sandboxing CSP.
func (s *Service) PutAsset(ctx context.Context, kind string, data []byte) error {
	var v svcportal.Validation
	v.Check(kind == svcportal.AssetLogo || kind == svcportal.AssetFavicon, "kind", "error.invalid_request", nil)
	v.Check(len(data) > 0 && len(data) <= 1<<20, "file", "error.file_too_large", map[string]any{"MaxMB": 1})
	ct := http.DetectContentType(data)
	if head := strings.TrimSpace(string(data[:min(len(data), 512)])); strings.HasPrefix(ct, "text/") &&
		(strings.HasPrefix(head, "<svg") || strings.HasPrefix(head, "<?xml") && strings.Contains(head, "<svg")) {
		ct = "image/svg+xml"
	}
	v.Check(slices.Contains(imageTypes, ct), "file", "error.not_an_image", nil)
	if err := v.Err(); err != nil {
		return err
	}
	return s.store.PutTenantAsset(ctx, &svcportal.Asset{Kind: kind, ContentType: ct, Data: data})
}

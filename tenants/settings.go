package tenants

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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
	if in.KBPublic != nil {
		t.KBPublic = *in.KBPublic
	}
	set(&t.TimeZone, in.TimeZone)
	if in.ServiceHours != nil {
		t.ServiceHours = *in.ServiceHours
	}
	if in.TicketTypeDescriptions != nil {
		t.TicketTypeDescriptions = in.TicketTypeDescriptions
	}
	// Descriptions sent with the request must name offered types; those
	// already stored follow the types.
	tidyTenant(&t, in.TicketTypeDescriptions == nil)
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

// PreviewWelcome implements svcportal.TenantAdmin: the email rendered as
// the mail worker would send it, to the admin, with a link that sets no
// password.
func (s *Service) PreviewWelcome(ctx context.Context, by *svcportal.Principal, locale, text string) (*svcportal.OutboundEmail, error) {
	if s.mailer == nil {
		return nil, errors.New("tenants: previews need WithMailer")
	}
	cur := svcportal.TenantFrom(ctx)
	var v svcportal.Validation
	v.Check(cur.LocaleEnabled(locale), "locale", "error.locale_unknown", map[string]any{"Locale": locale})
	v.Check(utf8.RuneCountInString(text) <= svcportal.MaxWelcomeEmail, "welcome_email."+locale, "error.too_long",
		map[string]any{"Max": svcportal.MaxWelcomeEmail})
	if err := v.Err(); err != nil {
		return nil, err
	}
	t := *cur
	t.WelcomeEmail = map[string]string{}
	if strings.TrimSpace(text) != "" {
		t.WelcomeEmail[locale] = text
	}
	to, name := "preview@example.com", by.DisplayName()
	if by.Staff != nil {
		to = by.Staff.Email
	}
	return s.mailer.RenderEmail(ctx, &t, svcportal.EmailRequest{Kind: svcportal.EmailWelcome, To: to, ToName: name, Locale: locale,
		Data: map[string]any{"Link": s.URL(&t) + "/set-password?token=preview", "ExpiresHours": int(svcportal.PasswordLinkTTL / time.Hour)}})
}

// tidyTenant drops empty texts, and, with pruneTypes, descriptions of
// ticket types the tenant no longer offers (a type removed from the list
// takes its descriptions along); and puts the service hours in order.
func tidyTenant(t *svcportal.Tenant, pruneTypes bool) {
	descs := map[string]map[string]string{}
	for ty, texts := range t.TicketTypeDescriptions {
		if pruneTypes && !slices.Contains(t.TicketTypes, ty) {
			continue
		}
		for l, text := range texts {
			if text = strings.TrimSpace(text); text != "" {
				if descs[ty] == nil {
					descs[ty] = map[string]string{}
				}
				descs[ty][l] = text
			}
		}
	}
	t.TicketTypeDescriptions = descs
	welcome := map[string]string{}
	for l, text := range t.WelcomeEmail {
		if strings.TrimSpace(text) != "" {
			welcome[l] = text
		}
	}
	t.WelcomeEmail = welcome
	h := &t.ServiceHours
	if h.Week == nil {
		h.Week = map[string][]svcportal.Span{}
	}
	if h.Holidays == nil {
		h.Holidays = []string{}
	}
	if h.FirstResponse == nil {
		h.FirstResponse = map[string]int{}
	}
	h.Normalize()
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

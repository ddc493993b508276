package accounts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/contactcsv"
)

// ImportContacts implements svcportal.ContactImporter: each row is
// checked, then created or updated in its own transaction
// (UpsertContactByEmail), its welcome email, when asked for, written in
// the same transaction as the contact it greets.
func (s *Service) ImportContacts(ctx context.Context, by *svcportal.Principal, r io.Reader, opts svcportal.ContactImportOptions) (*svcportal.ContactImportReport, error) {
	f, err := contactcsv.Parse(r)
	if err != nil {
		return nil, err
	}
	return s.importRows(ctx, by, f, opts)
}

// importRows imports the rows of a parsed file and audits the outcome.
func (s *Service) importRows(ctx context.Context, by *svcportal.Principal, f *contactcsv.File, opts svcportal.ContactImportOptions) (*svcportal.ContactImportReport, error) {
	rep := &svcportal.ContactImportReport{Rows: len(f.Rows) + len(f.Refused), Refused: f.Refused, IgnoredColumns: f.Ignored}
	if rep.Refused == nil {
		rep.Refused = []svcportal.ContactImportRefusal{}
	}
	if rep.IgnoredColumns == nil {
		rep.IgnoredColumns = []string{}
	}
	sites, err := s.st.Sites(ctx)
	if err != nil {
		return nil, err
	}
	im := &importer{s: s, sites: sites, welcome: opts.SendWelcome}
	for i, row := range f.Rows {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out, err := im.row(ctx, row)
		var e *svcportal.Error
		switch {
		case errors.As(err, &e) && e.Kind != svcportal.KindInternal:
			rep.Refused = append(rep.Refused, refusal(row, e))
		case err != nil:
			return nil, fmt.Errorf("import line %d: %w", row.Line, err)
		case out == created:
			rep.Created++
		case out == updated:
			rep.Updated++
		default:
			rep.Unchanged++
		}
		if out == created && opts.SendWelcome {
			rep.Welcomed++
		}
		if opts.Progress != nil {
			opts.Progress(i+1, len(f.Rows))
		}
	}
	slices.SortStableFunc(rep.Refused, func(a, b svcportal.ContactImportRefusal) int { return a.Line - b.Line })
	s.audit(ctx, &svcportal.AuditEntry{ActorKind: by.Kind, ActorID: subjectID(by), Action: svcportal.AuditContactsImported,
		Email: principalEmail(by), IP: ipOf(by),
		Detail: fmt.Sprintf("created %d, updated %d, unchanged %d, refused %d", rep.Created, rep.Updated, rep.Unchanged, len(rep.Refused))})
	return rep, nil
}

// refusal reports a row's problem: its first field complaint (in column
// order), else the error's own message.
func refusal(row svcportal.ContactImportRow, e *svcportal.Error) svcportal.ContactImportRefusal {
	out := svcportal.ContactImportRefusal{Line: row.Line, Email: row.Email, MessageID: e.MessageID, Data: e.Data}
	for _, col := range append([]string{"email", "site", "role"}, svcportal.ContactCSVColumns...) {
		if fe, ok := e.Fields[col]; ok {
			out.Field, out.MessageID, out.Data = col, fe.MessageID, fe.Data
			return out
		}
	}
	for f, fe := range e.Fields {
		out.Field, out.MessageID, out.Data = f, fe.MessageID, fe.Data
		break
	}
	return out
}

type outcome int

const (
	unchanged outcome = iota
	created
	updated
)

// importer imports the rows of one file.
type importer struct {
	s       *Service
	sites   []svcportal.Site
	welcome bool
}

// site finds a site by name: exactly, else ignoring case.
func (im *importer) site(name string) (*svcportal.Site, bool) {
	var loose *svcportal.Site
	for i := range im.sites {
		switch {
		case im.sites[i].Name == name:
			return &im.sites[i], true
		case loose == nil && strings.EqualFold(im.sites[i].Name, name):
			loose = &im.sites[i]
		}
	}
	return loose, loose != nil
}

func rowError(field, messageID string, data map[string]any) error {
	return &svcportal.Error{Kind: svcportal.KindUnprocessable, MessageID: messageID, Data: data,
		Fields: map[string]svcportal.FieldError{field: {MessageID: messageID, Data: data}}}
}

// row checks one row and creates or updates its contact.
func (im *importer) row(ctx context.Context, row svcportal.ContactImportRow) (outcome, error) {
	email := svcportal.NormalizeEmail(row.Email)
	role := strings.ToLower(strings.NewReplacer(" ", "_", "-", "_").Replace(row.Role))
	locale := strings.ToLower(row.Locale)
	switch {
	case email == "":
		return 0, rowError("email", "error.required", nil)
	case !svcportal.ValidEmail(email):
		return 0, rowError("email", "error.email_format", nil)
	case role != "" && role != svcportal.RoleMember && role != svcportal.RoleSiteManager:
		return 0, rowError("role", "error.csv_role_unknown", map[string]any{"Role": row.Role})
	case locale != "" && !svcportal.IsLocale(locale):
		return 0, rowError("locale", "error.locale_unknown", map[string]any{"Locale": row.Locale})
	case locale != "" && !svcportal.TenantFrom(ctx).LocaleEnabled(locale):
		return 0, rowError("locale", "error.locale_not_offered", nil)
	}
	var site *svcportal.Site
	if row.Site != "" {
		var ok bool
		if site, ok = im.site(row.Site); !ok {
			return 0, rowError("site", "error.csv_site_unknown", map[string]any{"Site": row.Site})
		}
	}
	c := &svcportal.Contact{Email: email, FirstName: row.FirstName, LastName: row.LastName, JobTitle: row.Job,
		Phone: row.Phone, Locale: locale}
	if site != nil {
		c.Memberships = []svcportal.Membership{{SiteID: site.ID, Role: cmpOr(role, svcportal.RoleMember)}}
	}
	if err := c.Validate(); err != nil {
		return 0, err
	}
	_, err := im.s.st.ContactByEmail(ctx, email)
	exists := err == nil
	if err != nil && svcportal.KindOf(err) != svcportal.KindNotFound {
		return 0, err
	}
	if !exists && site == nil {
		return 0, rowError("site", "error.csv_site_required", nil)
	}
	var link *svcportal.PasswordLink
	var msg *svcportal.OutboundEmail
	if !exists && im.welcome {
		if link, msg, err = im.s.welcome(ctx, c); err != nil {
			return 0, err
		}
	}
	update := func(old *svcportal.Contact) (bool, error) {
		return mergeRow(old, c, site, role)
	}
	made, changed, err := im.s.st.UpsertContactByEmail(ctx, c, update, link, msg)
	switch {
	case err != nil:
		return 0, err
	case made:
		return created, nil
	case changed:
		return updated, nil
	}
	return unchanged, nil
}

// mergeRow applies a row to an existing contact: its non-empty cells win,
// its site is added (as a member when the row names no role) or its role
// there changed. It reports whether anything changed.
func mergeRow(old, row *svcportal.Contact, site *svcportal.Site, role string) (bool, error) {
	changed := false
	for _, p := range []struct{ dst, v *string }{
		{&old.FirstName, &row.FirstName}, {&old.LastName, &row.LastName}, {&old.JobTitle, &row.JobTitle},
		{&old.Phone, &row.Phone}, {&old.Locale, &row.Locale},
	} {
		if *p.v != "" && *p.v != *p.dst {
			*p.dst, changed = *p.v, true
		}
	}
	if site != nil {
		i := slices.IndexFunc(old.Memberships, func(m svcportal.Membership) bool { return m.SiteID == site.ID })
		switch {
		case i < 0:
			old.Memberships = append(old.Memberships, svcportal.Membership{SiteID: site.ID, SiteName: site.Name, Role: cmpOr(role, svcportal.RoleMember)})
			changed = true
		case role != "" && old.Memberships[i].Role != role:
			old.Memberships[i].Role, changed = role, true
		}
	}
	if !changed {
		return false, nil
	}
	return true, old.Validate()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ExportContacts implements svcportal.ContactImporter.
func (s *Service) ExportContacts(ctx context.Context, w io.Writer) error {
	var all []svcportal.Contact
	for page := 1; ; page++ {
		list, total, err := s.st.Contacts(ctx, svcportal.ContactFilter{Page: page, PerPage: 200})
		if err != nil {
			return err
		}
		all = append(all, list...)
		if len(list) == 0 || len(all) >= total {
			break
		}
	}
	return contactcsv.Write(w, all)
}

package main

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/password"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/tenants"
	"github.com/svcportal/svcportal/tickets"
)

// demoPassword is the password of every demo account.
const demoPassword = "demo-pass-1234"

// demoTenant is the demo data of one tenant (SPEC.md, "Demo data").
type demoTenant struct {
	slug, name, locale, primary, accent, footer string
	staff                                       []demoStaff // the first is the tenant's first admin
	sites                                       []demoSite
	fields                                      []demoField
}

// demoField is a custom ticket field and its mode for every portal role.
type demoField struct {
	field svcportal.TicketField
	mode  svcportal.FieldMode
}

// labels builds per-locale labels in the order en, fr, de, es, it.
func labels(en, fr, de, es, it string) map[string]string {
	return map[string]string{"en": en, "fr": fr, "de": de, "es": es, "it": it}
}

type demoStaff struct{ email, name, role string }

type demoSite struct {
	name     string
	contacts []demoContact
}

type demoContact struct{ email, first, last, title, locale, role string }

var demoData = []demoTenant{
	{
		slug: "acme", name: "Acme Managed IT", locale: "en", primary: "#0b5cad", accent: "#c2410c",
		footer: "Acme Managed IT · 24/7 service desk · +1 555 0100",
		staff: []demoStaff{
			{"admin@acme.test", "Ada Admin", svcportal.StaffAdmin},
			{"tech@acme.test", "Tom Tech", svcportal.StaffAgent},
		},
		sites: []demoSite{
			{"Initech", []demoContact{
				{"peter@initech.test", "Peter", "Gibbons", "Software Engineer", "en", svcportal.RoleMember},
				{"milton@initech.test", "Milton", "Waddams", "Collator", "en", svcportal.RoleMember},
				{"bill@initech.test", "Bill", "Lumbergh", "Division Vice President", "en", svcportal.RoleSiteManager},
			}},
			{"Umbrella", []demoContact{
				{"alice@umbrella.test", "Alice", "Abernathy", "Security Lead", "en", svcportal.RoleMember},
			}},
		},
		fields: []demoField{
			{svcportal.TicketField{Key: "asset_tag", Type: svcportal.FieldText, Position: 1,
				Labels: labels("Asset tag", "Numéro d’inventaire", "Inventarnummer", "Etiqueta de activo", "Etichetta cespite")},
				svcportal.FieldEditable},
			{svcportal.TicketField{Key: "contract", Type: svcportal.FieldDropdown, Position: 2,
				Labels: labels("Contract", "Contrat", "Vertrag", "Contrato", "Contratto"),
				Options: []svcportal.FieldOption{
					{Value: "essential", Labels: labels("Essential", "Essentiel", "Basis", "Esencial", "Essenziale")},
					{Value: "premium", Labels: labels("Premium", "Premium", "Premium", "Premium", "Premium")},
					{Value: "enterprise", Labels: labels("Enterprise", "Entreprise", "Enterprise", "Empresa", "Enterprise")},
				}},
				svcportal.FieldViewOnly},
			{svcportal.TicketField{Key: "internal_cost", Type: svcportal.FieldNumber, Position: 3,
				Labels: labels("Internal cost", "Coût interne", "Interne Kosten", "Coste interno", "Costo interno")},
				svcportal.FieldHidden},
		},
	},
	{
		slug: "globex", name: "Globex Services", locale: "fr", primary: "#6d28d9", accent: "#047857",
		footer: "Globex Services · Support 8h–20h · +33 1 00 00 00 00",
		staff: []demoStaff{
			{"admin@globex.test", "Gérard Admin", svcportal.StaffAdmin},
		},
		sites: []demoSite{
			{"Hooli", []demoContact{
				{"gavin@hooli.test", "Gavin", "Belson", "CEO", "fr", svcportal.RoleMember},
			}},
		},
	},
}

// demoStore is what loading the demo data needs.
type demoStore interface {
	svcportal.TenantStore
	svcportal.SiteStore
	svcportal.ContactStore
	svcportal.StaffStore
	svcportal.TicketFieldStore
	svcportal.TicketStore
}

// loadDemo creates whatever part of the demo data is missing; running it
// again changes nothing. progress is told each step.
func loadDemo(ctx context.Context, st demoStore, ts *tenants.Service, pol *policies.Service, tks *tickets.Service, kbs svcportal.KBAdmin, progress func(string)) error {
	for _, d := range demoData {
		t, err := st.TenantBySlug(ctx, d.slug)
		if svcportal.KindOf(err) == svcportal.KindNotFound {
			progress("tenant " + d.slug)
			t, err = createDemoTenant(ctx, ts, d)
		} else if err == nil {
			err = ts.Setup(ctx, t) // a tenant from an older demo gets what setup adds since
		}
		if err != nil {
			return fmt.Errorf("demo tenant %s: %w", d.slug, err)
		}
		tctx := svcportal.WithTenant(ctx, t)
		for _, f := range d.fields {
			if err := ensureField(tctx, st, pol, f, progress); err != nil {
				return fmt.Errorf("demo field %s: %w", f.field.Key, err)
			}
		}
		for _, s := range d.staff[1:] {
			if err := ensureStaff(tctx, st, s, d.locale, progress); err != nil {
				return err
			}
		}
		for _, ds := range d.sites {
			site, err := st.SiteByName(tctx, ds.name)
			if svcportal.KindOf(err) == svcportal.KindNotFound {
				progress("site " + ds.name)
				site = &svcportal.Site{Name: ds.name, KBEnabled: true}
				err = st.CreateSite(tctx, site)
			}
			if err != nil {
				return fmt.Errorf("demo site %s: %w", ds.name, err)
			}
			for _, dc := range ds.contacts {
				if err := ensureContact(tctx, st, site, dc, progress); err != nil {
					return err
				}
			}
		}
		if err := ensureDemoTickets(tctx, st, tks, d, progress); err != nil {
			return err
		}
		if err := ensureDemoKB(tctx, st, kbs, d.slug, progress); err != nil {
			return err
		}
	}
	return nil
}

func createDemoTenant(ctx context.Context, ts *tenants.Service, d demoTenant) (*svcportal.Tenant, error) {
	admin := d.staff[0]
	t, err := ts.Create(ctx, tenants.CreateRequest{
		Slug: d.slug, Name: d.name, AdminEmail: admin.email, AdminName: admin.name, AdminPassword: demoPassword, DefaultLocale: d.locale,
		Branding: &tenants.Branding{PrimaryColor: d.primary, AccentColor: d.accent, Footer: d.footer},
	})
	return t, err
}

func ensureField(ctx context.Context, st demoStore, pol *policies.Service, f demoField, progress func(string)) error {
	_, err := st.TicketField(ctx, f.field.Key)
	if svcportal.KindOf(err) != svcportal.KindNotFound {
		return err
	}
	progress("field " + f.field.Key)
	field := f.field
	if err := field.Validate(); err != nil {
		return err
	}
	if err := st.CreateTicketField(ctx, &field); err != nil {
		return err
	}
	for _, role := range svcportal.PortalRoles {
		if err := pol.SetMode(ctx, svcportal.PolicyRule{Role: role, Field: field.Key, Mode: f.mode}); err != nil {
			return err
		}
	}
	return nil
}

func ensureStaff(ctx context.Context, st demoStore, s demoStaff, locale string, progress func(string)) error {
	_, err := st.StaffByEmail(ctx, s.email)
	if svcportal.KindOf(err) != svcportal.KindNotFound {
		return err
	}
	progress("staff " + s.email)
	hash, err := password.Hash(demoPassword)
	if err != nil {
		return err
	}
	m := &svcportal.Staff{Email: s.email, Name: s.name, Role: s.role, Locale: locale, PasswordHash: hash}
	if err := m.Validate(); err != nil {
		return err
	}
	return st.CreateStaff(ctx, m)
}

func ensureContact(ctx context.Context, st demoStore, site *svcportal.Site, dc demoContact, progress func(string)) error {
	_, err := st.ContactByEmail(ctx, dc.email)
	if svcportal.KindOf(err) != svcportal.KindNotFound {
		return err
	}
	progress("contact " + dc.email)
	hash, err := password.Hash(demoPassword)
	if err != nil {
		return err
	}
	c := &svcportal.Contact{Email: dc.email, FirstName: dc.first, LastName: dc.last, JobTitle: dc.title,
		Locale: dc.locale, PasswordHash: hash, Memberships: []svcportal.Membership{{SiteID: site.ID, Role: dc.role}}}
	if err := c.Validate(); err != nil {
		return err
	}
	return st.CreateContact(ctx, c)
}

func runDemo(e *env, args []string) error {
	cfg, err := e.parseConfig("demo", args, nil)
	if err != nil {
		return err
	}
	a, err := e.createApp(cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	// The index, unless another process of the installation holds it
	// (then this one takes over when that one stops).
	if _, err := a.TakeIndex(e.ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "Loading demo data…")
	if err := loadDemo(e.ctx, a.Store, a.Tenants, a.Policies, a.Tickets, a.KB, func(step string) { fmt.Fprintf(e.stdout, "  + %s\n", step) }); err != nil {
		return err
	}
	return serve(e, cfg, a, func(port string) { printDemo(e, cfg, port) })
}

// printDemo tells a newcomer where to go and how to sign in.
func printDemo(e *env, cfg *Config, port string) {
	w := e.stdout
	fmt.Fprintln(w, "\nDemo portals:")
	for _, d := range demoData {
		fmt.Fprintf(w, "  %-17s %s\n", d.name, portalURL(cfg.BaseDomain, d.slug, port))
	}
	fmt.Fprintf(w, "\nEvery demo account's password is %s\n", demoPassword)
	for _, d := range demoData {
		var staff, contacts []string
		for _, s := range d.staff {
			staff = append(staff, s.email+" ("+s.role+")")
		}
		for _, s := range d.sites {
			for _, c := range s.contacts {
				contacts = append(contacts, c.email+" ("+s.name+", "+c.role+")")
			}
		}
		fmt.Fprintf(w, "  %s staff:    %s\n", d.slug, strings.Join(staff, ", "))
		fmt.Fprintf(w, "  %s contacts: %s\n", d.slug, strings.Join(contacts, ", "))
	}
	host, _, _ := net.SplitHostPort(cfg.Addr)
	fmt.Fprintf(w, "\nListening on %s:%s. Press Ctrl+C to stop.\n", host, port)
}

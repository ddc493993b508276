package main

import (
	"flag"
	"fmt"
	"net"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/tenants"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// tenantUsage lists the tenant sub-commands.
const tenantUsage = "usage: portal tenant create --slug S --name N --admin-email E --admin-password P [--domain D]…\n" +
	"       portal tenant list\n       portal tenant disable --slug S\n       portal tenant enable --slug S"

func runTenant(e *env, args []string) error {
	if len(args) == 0 {
		return usageError{tenantUsage}
	}
	switch args[0] {
	case "create":
		return runTenantCreate(e, args)
	case "list":
		return runTenantList(e, args)
	case "disable", "enable":
		return runTenantSwitch(e, args)
	}
	return usageError{tenantUsage}
}

// runTenantList prints every tenant: slug, state, name, hosts.
func runTenantList(e *env, args []string) error {
	cfg, err := e.parseConfig("tenant list", args[1:], nil)
	if err != nil {
		return err
	}
	a, err := e.openApp(cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	list, err := a.Tenants.List(e.ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "No tenants yet: portal tenant create --help")
		return nil
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SLUG\tSTATE\tNAME\tHOSTS")
	for _, t := range list {
		state := "enabled"
		if t.DisabledAt != nil {
			state = "disabled since " + t.DisabledAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		hosts := append([]string{t.Slug + "." + a.Tenants.BaseDomain()}, t.Domains...)
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.Slug, state, t.Name, strings.Join(hosts, " "))
	}
	return w.Flush()
}

// runTenantSwitch disables or enables a tenant: a disabled tenant's hosts
// answer 404 and its jobs skip it; nothing of it is deleted.
func runTenantSwitch(e *env, args []string) error {
	verb := args[0]
	var slug string
	cfg, err := e.parseConfig("tenant "+verb, args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "slug", "", "slug of the tenant to "+verb)
	})
	if err != nil {
		return err
	}
	if slug == "" {
		return usageError{"--slug is required"}
	}
	a, err := e.openApp(cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if verb == "disable" {
		err = a.Tenants.Disable(e.ctx, slug, time.Now())
	} else {
		err = a.Tenants.Enable(e.ctx, slug)
	}
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return usageError{fmt.Sprintf("no tenant %q", slug)}
	} else if err != nil {
		return err
	}
	if verb == "disable" {
		fmt.Fprintf(e.stdout, "Disabled tenant %s: its hosts answer 404 and its mail and auto-close wait until `portal tenant enable --slug %s`.\n", slug, slug)
	} else {
		fmt.Fprintf(e.stdout, "Enabled tenant %s: its portal is served again.\n", slug)
	}
	return nil
}

// runTenantCreate creates a tenant and its first admin.
func runTenantCreate(e *env, args []string) error {
	var req tenants.CreateRequest
	var domains listFlag
	cfg, err := e.parseConfig("tenant create", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&req.Slug, "slug", "", "tenant slug: its portal is at SLUG.<base domain>")
		fs.StringVar(&req.Name, "name", "", "display name")
		fs.StringVar(&req.AdminEmail, "admin-email", "", "email of the first admin")
		fs.StringVar(&req.AdminPassword, "admin-password", "", "password of the first admin")
		fs.StringVar(&req.DefaultLocale, "default-locale", "", "default language (en, fr, de, es, it)")
		fs.Var(&domains, "domain", "custom hostname of the portal (repeatable)")
	})
	if err != nil {
		return err
	}
	req.Domains = domains
	a, err := e.createApp(cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.Tenants.Create(e.ctx, req)
	if err != nil {
		return usageFromDomain(err)
	}
	_, port, _ := net.SplitHostPort(cfg.Addr)
	fmt.Fprintf(e.stdout, "Created tenant %s (%s)\n  portal: %s\n", t.Slug, t.Name, portalURL(cfg.BaseDomain, t.Slug, port))
	for _, d := range t.Domains {
		fmt.Fprintf(e.stdout, "  also:   http://%s\n", d)
	}
	fmt.Fprintf(e.stdout, "  admin:  %s\n", svcportal.NormalizeEmail(req.AdminEmail))
	return nil
}

// usageFromDomain spells out a validation or conflict error for a person
// at a terminal, one field a line, in English.
func usageFromDomain(err error) error {
	e, ok := err.(*svcportal.Error)
	if !ok || (e.Kind != svcportal.KindUnprocessable && e.Kind != svcportal.KindConflict) {
		return err
	}
	tr := locales.For("en")
	var b strings.Builder
	b.WriteString(tr.T(e.MessageID, e.Data))
	for f, fe := range e.Fields {
		flagName := strings.ReplaceAll(strings.TrimSuffix(f, "s"), "_", "-") // domains → --domain
		if f != "domains" {
			flagName = strings.ReplaceAll(f, "_", "-")
		}
		fmt.Fprintf(&b, "\n  --%s: %s", flagName, tr.T(fe.MessageID, fe.Data))
	}
	return usageError{b.String()}
}

package main

import (
	"flag"
	"fmt"
	"net"
	"strings"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/tenants"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runTenant(e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"usage: portal tenant create --slug S --name N --admin-email E --admin-password P [--domain D]…"}
	}
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

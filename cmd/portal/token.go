package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/accounts"
)

// runToken prints a new admin API token for a staff member.
func runToken(e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"usage: portal token create --tenant S --email E [--name N]"}
	}
	var slug, email, name string
	cfg, err := e.parseConfig("token create", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "tenant slug")
		fs.StringVar(&email, "email", "", "email of the staff member the token acts as")
		fs.StringVar(&name, "name", "cli", "a name to recognise the token by")
	})
	if err != nil {
		return err
	}
	if slug == "" || email == "" {
		return usageError{"--tenant and --email are required"}
	}
	a, err := e.openApp(cfg)
	if err != nil {
		return err
	}
	defer a.close()
	t, err := a.store.TenantBySlug(e.ctx, slug)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return usageError{fmt.Sprintf("no tenant %q", slug)}
	} else if err != nil {
		return err
	}
	token, err := accounts.New(a.store, time.Now).CreateAPIToken(svcportal.WithTenant(e.ctx, t), email, name)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return usageError{fmt.Sprintf("no staff member %q in tenant %q", email, slug)}
	} else if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, token)
	return nil
}

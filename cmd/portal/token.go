package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/svcportal/svcportal"
)

// runToken prints a new admin API token for a staff member.
func runToken(e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"usage: portal token create --tenant S --email E [--name N] [--expires 90d|2026-12-31]"}
	}
	var slug, email, name, expiresArg string
	cfg, err := e.parseConfig("token create", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "tenant slug")
		fs.StringVar(&email, "email", "", "email of the staff member the token acts as")
		fs.StringVar(&name, "name", "cli", "a name to recognise the token by")
		fs.StringVar(&expiresArg, "expires", "", "when the token stops working: a duration (90d, 12h) or a date (2026-12-31); never when empty")
	})
	if err != nil {
		return err
	}
	if slug == "" || email == "" {
		return usageError{"--tenant and --email are required"}
	}
	expires, err := parseExpiry(expiresArg, time.Now())
	if err != nil {
		return usageError{err.Error()}
	}
	a, err := e.openApp(cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.Store.TenantBySlug(e.ctx, slug)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return fmt.Errorf("no tenant %q", slug)
	} else if err != nil {
		return err
	}
	token, err := a.Accounts.CreateAPITokenUntil(svcportal.WithTenant(e.ctx, t), email, name, expires)
	switch svcportal.KindOf(err) {
	case svcportal.KindNotFound:
		return fmt.Errorf("no staff member %q in tenant %q", email, slug)
	case svcportal.KindUnprocessable:
		return usageError{"--expires must be in the future"}
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, token)
	return nil
}

// parseExpiry reads --expires: "" (never), a duration such as 12h or 90d,
// or a date (2026-12-31, the token ends at its start in UTC) or an RFC 3339
// time.
func parseExpiry(s string, now time.Time) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n > 0 {
			at := now.AddDate(0, 0, n)
			return &at, nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		at := now.Add(d)
		return &at, nil
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if at, err := time.Parse(layout, s); err == nil {
			return &at, nil
		}
	}
	return nil, fmt.Errorf("--expires %q: want a duration (90d, 12h) or a date (2026-12-31)", s)
}

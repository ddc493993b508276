package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
)

// runContacts imports contacts from a CSV file into a tenant, with a
// progress bar and a report of each refused row (the console's import
// page runs the same service).
func runContacts(e *env, args []string) error {
	const usage = "usage: portal contacts import --tenant S --file contacts.csv [--send-welcome]"
	if len(args) == 0 || args[0] != "import" {
		return usageError{usage}
	}
	var slug, file string
	var welcome bool
	cfg, err := e.parseConfig("contacts import", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "tenant slug")
		fs.StringVar(&file, "file", "", "CSV file: "+fmt.Sprint(svcportal.ContactCSVColumns))
		fs.BoolVar(&welcome, "send-welcome", false, "email each contact the file creates a link to choose a password")
	})
	if err != nil {
		return err
	}
	if slug == "" || file == "" {
		return usageError{"--tenant and --file are required\n" + usage}
	}
	f, err := os.Open(file)
	if err != nil {
		return usageError{err.Error()}
	}
	defer f.Close()
	a, err := e.openApp(cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.Store.TenantBySlug(e.ctx, slug)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return usageError{fmt.Sprintf("no tenant %q", slug)}
	} else if err != nil {
		return err
	}
	ctx := svcportal.WithTenant(e.ctx, t)
	var bar *progress
	// The platform operator at a terminal: no staff member of the tenant.
	operator := &svcportal.Principal{Staff: &svcportal.Staff{Email: "operator (portal contacts import)"}}
	rep, err := a.Accounts.ImportContacts(ctx, operator, f, svcportal.ContactImportOptions{SendWelcome: welcome,
		Progress: func(done, total int) {
			if bar == nil {
				bar = newProgress(e.stdout, "contacts", total)
			}
			bar.step(done)
		}})
	if e, ok := err.(*svcportal.Error); ok && e.Kind == svcportal.KindUnprocessable {
		return usageError{file + ": " + locales.For("en").T(e.MessageID, e.Data)}
	} else if err != nil {
		return err
	}
	tr := locales.For("en")
	fmt.Fprintf(e.stdout, "Imported %s into %s: %d rows, %d created, %d updated, %d unchanged, %d refused, %d welcome emails queued.\n",
		file, slug, rep.Rows, rep.Created, rep.Updated, rep.Unchanged, len(rep.Refused), rep.Welcomed)
	if len(rep.IgnoredColumns) > 0 {
		fmt.Fprintf(e.stdout, "Columns not read: %v\n", rep.IgnoredColumns)
	}
	for _, r := range rep.Refused {
		col := ""
		if r.Field != "" {
			col = " [" + r.Field + "]"
		}
		fmt.Fprintf(e.stdout, "  line %d %s%s: %s\n", r.Line, r.Email, col, tr.T(r.MessageID, r.Data))
	}
	return nil
}

package main

import (
	"encoding/json"
	"flag"
	"fmt"

	"github.com/svcportal/svcportal"
)

// runMail handles `portal mail ingest --tenant S < message.eml`: one
// inbound message from standard input, as an MTA pipe delivers it. The
// exit code tells the MTA what to do: 0 taken (or ignored, logged), 1 a
// temporary failure to retry, 2 usage; a refused message exits 1 with
// the reason on standard error.
func runMail(e *env, args []string) error {
	if len(args) == 0 || args[0] != "ingest" {
		return usageError{"usage: portal mail ingest --tenant S < message.eml"}
	}
	var slug string
	cfg, err := e.parseConfig("mail ingest", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "tenant slug")
	})
	if err != nil {
		return err
	}
	if slug == "" {
		return usageError{"--tenant is required"}
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
	res, err := a.Inbound.Ingest(svcportal.WithTenant(e.ctx, t), e.stdin, svcportal.InboundEnvelope{})
	if err != nil {
		return err
	}
	out, _ := json.Marshal(res)
	fmt.Fprintln(e.stdout, string(out))
	if res.Outcome == svcportal.InboundUnknownSender {
		return fmt.Errorf("refused: %s", res.Outcome)
	}
	return nil
}

package main

import (
	"fmt"
)

// runReindex rebuilds the search index from the database with a progress
// display; with the embedded index the server must be stopped (it holds
// the index), Typesense takes writes from both.
func runReindex(e *env, args []string) error {
	cfg, err := e.parseConfig("reindex", args, nil)
	if err != nil {
		return err
	}
	a, err := e.openApp(cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	if _, err := a.Index.Open(e.ctx); err != nil {
		if a.Index.Embedded() {
			return fmt.Errorf("%w (is the server running? stop it first)", err)
		}
		return err
	}
	total := 0
	var bar *progress
	last := ""
	err = a.KB.Reindex(e.ctx, func(tenant string, done, n int) {
		if tenant != last {
			last, bar = tenant, newProgress(e.stdout, tenant, n)
			total += n
		}
		bar.step(done)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Indexed %d article(s).\n", total)
	return nil
}

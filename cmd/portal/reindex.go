package main

import (
	"fmt"

	"github.com/svcportal/svcportal/app"
)

// runReindex rebuilds the search index from the database with a progress
// display, safe while serving: the rebuild is queued in the database and
// applied by this command when no server holds the index, else by the
// server that does (this command waits for it).
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
	if _, err := a.KB.QueueRebuild(e.ctx); err != nil {
		return err
	}
	n, err := syncIndex(e, a)
	if err != nil {
		return err
	}
	if n < 0 {
		fmt.Fprintln(e.stdout, "The running server rebuilt the search index.")
	} else {
		fmt.Fprintf(e.stdout, "Indexed %d article(s).\n", n)
	}
	return nil
}

// syncIndex waits until the search index has every change queued so far,
// showing the progress of tenant rebuilds done here or of the queue the
// holding server works through. It returns how many articles tenant
// rebuilds here indexed, or -1 when the server applied the changes.
func syncIndex(e *env, a *app.App) (int, error) {
	var bar *progress
	last, total, articles := "", -1, 0
	here, err := a.SyncIndex(e.ctx, func(tenant string, done, n int) {
		if tenant != last {
			last, bar = tenant, newProgress(e.stdout, "index "+tenant, n)
			articles += n
		}
		bar.step(done)
	}, func(left int) {
		if total < 0 {
			total, bar = left, newProgress(e.stdout, "index (by the server)", left)
		}
		bar.step(total - left)
	})
	if err == nil && total > 0 {
		bar.step(total)
	}
	if !here {
		return -1, err
	}
	return articles, err
}

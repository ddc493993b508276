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
	err = a.KB.Reindex(e.ctx, func(tenant string, done, n int) {
		fmt.Fprintf(e.stdout, "\r  %-20s %s %d/%d", tenant, bar(done, n, 30), done, n)
		if done == n {
			fmt.Fprintln(e.stdout)
			total += n
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Indexed %d article(s).\n", total)
	return nil
}

// bar draws done out of n as a bar of width characters.
func bar(done, n, width int) string {
	filled := width
	if n > 0 {
		filled = done * width / n
	}
	b := make([]rune, width)
	for i := range b {
		b[i] = '░'
		if i < filled {
			b[i] = '█'
		}
	}
	return string(b)
}

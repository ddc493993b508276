package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The MSP of the sizing: a typical managed-service provider's portal.
const (
	mspSites    = 3
	mspContacts = 150
	mspArticles = 200
)

// sizingAt measures one installation holding msps tenants of perMSP
// tickets each: every endpoint is sent to the tenants in turn, as each
// tenant's busiest site manager, so that the server's caches and the
// database hold every tenant at once. It writes one row of the sizing
// table: what is on disk, the server's memory, and each endpoint's
// throughput and p99 latency.
func (b *bench) sizingAt(msps, perMSP int, report *bytes.Buffer) error {
	in, err := b.newInstallation(fmt.Sprintf("msps%d", msps))
	if err != nil {
		return err
	}
	start := time.Now()
	slugs := make([]string, msps)
	for i := range slugs {
		slugs[i] = fmt.Sprintf("msp%03d", i+1)
		// One progress line per tenant: the seed's own bars would be a
		// hundred screens.
		step(fmt.Sprintf("%d MSPs: seeding %s (%d of %d), %d tickets", msps, slugs[i], i+1, msps, perMSP))
		if err := b.seedTenant(in, msps > 1, slugs[i], mspSites, mspContacts, perMSP, mspArticles); err != nil {
			return err
		}
	}
	seeded := time.Since(start)
	srv, err := b.serve(in)
	if err != nil {
		return err
	}
	defer srv.stop()
	// byKind[k] is endpoint k of every tenant.
	var byKind [][]endpoint
	for _, slug := range slugs {
		eps, _, err := readerEndpoints(srv, slug)
		if err != nil {
			return err
		}
		if byKind == nil {
			byKind = make([][]endpoint, len(eps))
		}
		for k, e := range eps {
			byKind[k] = append(byKind[k], e)
		}
	}
	dbBytes, err := databaseSize(srv)
	if err != nil {
		return err
	}
	fmt.Fprintf(report, "| %d | %d | %s | %s | %s |", msps, msps*perMSP, seeded.Round(time.Second), megabytes(dbBytes), megabytes(dirSize(srv.dir)-sqliteSize(srv)))
	for _, k := range sizingKinds {
		eps := byKind[k]
		step(fmt.Sprintf("%d MSPs: %s", msps, eps[0].name))
		lat, ok, errs, took := load(b.conns, b.dur, srv.base, eps)
		slices.Sort(lat)
		var p99 time.Duration
		if len(lat) > 0 {
			p99 = lat[len(lat)*99/100]
		}
		if errs > 0 {
			return fmt.Errorf("%d MSPs, %s: %d of %d requests failed", msps, eps[0].name, errs, ok+errs)
		}
		fmt.Fprintf(report, " %.0f / %s |", float64(ok)/took.Seconds(), p99.Round(100*time.Microsecond))
	}
	fmt.Fprintf(report, " %d MB | %d MB |\n", rss(srv.cmd.Process.Pid)>>20, peakRSS(srv.cmd.Process.Pid)>>20)
	return nil
}

// sizingKinds are the endpoints of readerEndpoints that the sizing
// measures: the list page, the ticket page, the knowledge-base search and
// ticket creation.
var sizingKinds = []int{2, 3, 4, 6}

// sizing measures an installation of each number of MSPs and writes the
// table.
func (b *bench) sizing(counts []int, perMSP int, report *bytes.Buffer) error {
	fmt.Fprintf(report, "\nSizing: MSPs of %d tickets, %d sites, %d contacts and %d articles each; requests go to every MSP in turn.\n\n",
		perMSP, mspSites, mspContacts, mspArticles)
	fmt.Fprintln(report, "| MSPs | tickets | seeded in | database | data dir | list page req/s / p99 | ticket page | KB search | ticket creation | server RSS after | peak |")
	fmt.Fprintln(report, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, n := range counts {
		if err := b.sizingAt(n, perMSP, report); err != nil {
			return err
		}
	}
	return nil
}

// databaseSize is what the database takes: the SQLite files, or the
// schema's relations on PostgreSQL.
func databaseSize(s *server) (int64, error) {
	if strings.HasPrefix(s.dbURL, "sqlite:") {
		return sqliteSize(s), nil
	}
	db, err := sql.Open("pgx", s.dbURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRow(`SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c
		JOIN pg_namespace ns ON ns.oid = c.relnamespace
		WHERE ns.nspname = current_schema() AND c.relkind IN ('r', 'm')`).Scan(&n)
	return n, err
}

// sqliteSize is the size of the SQLite database and its journal files in
// the data dir (0 on PostgreSQL).
func sqliteSize(s *server) int64 {
	if !strings.HasPrefix(s.dbURL, "sqlite:") {
		return 0
	}
	var n int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(strings.TrimPrefix(s.dbURL, "sqlite:") + suffix); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// dirSize is the size of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func megabytes(n int64) string { return fmt.Sprintf("%d MB", (n+1<<19)>>20) }

// Command bench measures the portal as its users meet it: it builds the
// real binary, seeds a tenant, starts the server, and loads each endpoint
// with concurrent keep-alive connections, alternating every run with a
// bare gin handler that answers a constant (served by this same program in
// a child process), so each figure is also a share of what the machine can
// serve at all. It prints requests per second, the share of the bare
// handler, p50 and p99 latency, and the server's peak resident memory.
//
//	go run ./bench                                   # SQLite, 1,000 and 100,000 tickets
//	go run ./bench -tickets 1000,100000,1000000
//	go run ./bench -database postgres://user@127.0.0.1:5432/bench
//	go run ./bench -tickets 100000 -soak 10m     # mixed load; memory and goroutines over time
//	go run ./bench -msps 1,10,100                # sizing: one installation of 1, 10, 100 MSPs
//
// Each size gets a fresh data dir (and, on PostgreSQL, a fresh schema).
// The sizing seeds each MSP as a typical one (-msp-tickets tickets, three
// sites, 150 contacts, 200 articles) and sends every endpoint to the MSPs
// in turn; it reports the disk, the memory and each endpoint's throughput.
// Seeding puts tickets/sites tickets in each site; the site manager of the
// busiest site is the reader of the list, search and ticket pages, and a
// member of that site the reader of the member's list and search.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

const password = "demo-pass-1234" // what portal seed gives every contact

func main() {
	if len(os.Args) > 1 && os.Args[1] == "bare" {
		serveBare(os.Args[2])
		return
	}
	var (
		sizes    = flag.String("tickets", "1000,100000", "ticket counts of the tenant, comma-separated")
		perSite  = flag.Int("per-site", 100000, "tickets in one site at most (a size above it spreads over more sites)")
		articles = flag.Int("articles", 2000, "knowledge-base articles to seed")
		dbURL    = flag.String("database", "", "PostgreSQL URL to measure on (default: embedded SQLite)")
		conns    = flag.Int("conns", 16, "concurrent connections")
		dur      = flag.Duration("duration", 4*time.Second, "length of each measured run (two runs per endpoint)")
		out      = flag.String("out", "", "also append the results as Markdown to this file")
		soak     = flag.Duration("soak", 0, "instead of the endpoints, a soak of this length (e.g. 10m) at the first size: mixed reads and writes, memory and goroutines over time")
		msps     = flag.String("msps", "", "instead of -tickets, the sizing: installations of this many MSPs (e.g. 1,10,100), each with -msp-tickets tickets")
		perMSP   = flag.Int("msp-tickets", 10000, "tickets of each MSP in the sizing")
		profile  = flag.String("profile", "", "also save the server's CPU profile of each endpoint's first run in this folder (go tool pprof FILE)")
		only     = flag.String("only", "", "measure only the endpoints whose name contains this")
	)
	flag.Parse()
	b := &bench{conns: *conns, dur: *dur, articles: *articles, perSite: *perSite, dbURL: *dbURL, soak: *soak, perMSP: *perMSP,
		profile: *profile, only: *only}
	if *msps != "" {
		*sizes, b.sizingOn = *msps, true
	}
	if err := b.run(strings.Split(*sizes, ","), *out); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type bench struct {
	conns, articles, perSite int
	perMSP                   int  // tickets of each MSP in the sizing
	sizingOn                 bool // the sizes are numbers of MSPs
	dur, soak                time.Duration
	dbURL                    string
	bin, work                string
	bare                     string // address of the bare handler
	profile                  string // folder of the CPU profiles, if any
	only                     string // endpoint name filter
}

// result is one endpoint's figures.
type result struct {
	name          string
	rps, bareRPS  float64
	p50, p99      time.Duration
	errors, total int64
}

func (b *bench) run(sizes []string, out string) error {
	var err error
	if b.work, err = os.MkdirTemp("", "portal-bench-"); err != nil {
		return err
	}
	defer os.RemoveAll(b.work)
	b.bin = filepath.Join(b.work, "portal")
	step("building the portal binary")
	if err := command("go", "build", "-o", b.bin, "./cmd/portal").Run(); err != nil {
		return fmt.Errorf("build: %w", err)
	}
	b.bare = freeAddr()
	self, _ := os.Executable()
	bare := exec.Command(self, "bare", b.bare)
	if err := bare.Start(); err != nil {
		return err
	}
	defer bare.Process.Kill()
	if err := waitReady("http://" + b.bare + "/"); err != nil {
		return err
	}
	report := &bytes.Buffer{}
	host, _ := os.Hostname()
	fmt.Fprintf(report, "\n### %s, %s, %d connections, %s per run (%s)\n", b.dialect(), time.Now().UTC().Format("2006-01-02"), b.conns, b.dur, host)
	var counts []int
	for _, s := range sizes {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("%q is not a count", s)
		}
		counts = append(counts, n)
	}
	if b.sizingOn {
		if err := b.sizing(counts, b.perMSP, report); err != nil {
			return err
		}
		counts = nil
	}
	for _, n := range counts {
		if b.soak > 0 {
			if err := b.soakAt(n, report); err != nil {
				return err
			}
			break
		}
		results, rss, err := b.size(n)
		if err != nil {
			return err
		}
		fmt.Fprintf(report, "\n%d tickets — server peak RSS %d MB\n\n", n, rss>>20)
		fmt.Fprintln(report, "| endpoint | req/s | bare req/s | share | p50 | p99 | errors |")
		fmt.Fprintln(report, "| --- | --- | --- | --- | --- | --- | --- |")
		for _, r := range results {
			fmt.Fprintf(report, "| %s | %.0f | %.0f | %.1f %% | %s | %s | %d / %d |\n", r.name, r.rps, r.bareRPS,
				100*r.rps/r.bareRPS, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond), r.errors, r.total)
		}
	}
	os.Stdout.Write(report.Bytes())
	if out != "" {
		f, err := os.OpenFile(out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = f.Write(report.Bytes())
		return err
	}
	return nil
}

func (b *bench) dialect() string {
	if b.dbURL != "" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// server is a seeded installation being served.
type server struct {
	cmd       *exec.Cmd
	base      string // http://host:port
	pprof     string // the profiler's address (loopback)
	dbURL     string
	dir       string // the data dir
	auth      http.Header
	endpoints []endpoint
}

// endpoint is one request the benchmark sends.
type endpoint struct {
	name, method, path string
	paths              []string // when set, request i asks paths[i % len(paths)] instead of path
	header             http.Header
	body               func(i int64) string
	host               string // the tenant's host; "" is bench.localhost
}

// pathOf is the path request i of e asks.
func (e endpoint) pathOf(i int64) string {
	if len(e.paths) > 0 {
		return e.paths[i%int64(len(e.paths))]
	}
	return e.path
}

// keystrokes are what readers type in the knowledge base's search box,
// one letter at a time, looking for the seeded articles' subjects: every
// prefix of two letters or more of each subject (seed.go's words). The
// same keystrokes come again from reader after reader; the embedded
// index remembers their hits until it changes.
func keystrokes() []string {
	var out []string
	for _, w := range []string{"printer", "VPN", "laptop", "email", "password", "Wi-Fi", "monitor", "backup", "license", "phone"} {
		for n := 2; n <= len(w); n++ {
			out = append(out, "/api/v1/kb/search?limit=8&q="+url.QueryEscape(w[:n]))
		}
	}
	return out
}

func (s *server) stop() { s.cmd.Process.Kill(); s.cmd.Wait() }

// installation is a fresh data dir (and, on PostgreSQL, schema) with the
// environment of the portal commands that use it.
type installation struct {
	dir, dbURL, addr, pprof string
	env                     []string
}

func (b *bench) newInstallation(name string) (*installation, error) {
	dir, err := os.MkdirTemp(b.work, "data-"+name+"-")
	if err != nil {
		return nil, err
	}
	in := &installation{dir: dir, addr: freeAddr(), pprof: freeAddr(), dbURL: "sqlite:" + filepath.Join(dir, "portal.db")}
	if b.dbURL != "" {
		if in.dbURL, err = freshSchema(b.dbURL, name); err != nil {
			return nil, err
		}
	}
	in.env = append(os.Environ(), "PORTAL_DATA_DIR="+dir, "PORTAL_ADDR="+in.addr, "PORTAL_MAIL_URL=file:"+filepath.Join(dir, "mail"),
		"PORTAL_SECRET_KEY=bench-secret-key-0123456789abcdef0123", "PORTAL_PPROF_ADDR="+in.pprof, "PORTAL_DATABASE_URL="+in.dbURL)
	return in, nil
}

// portal runs one portal command on the installation; its progress goes
// to standard error unless quiet.
func (b *bench) portal(in *installation, quiet bool, args ...string) error {
	c := exec.Command(b.bin, args...)
	c.Env, c.Stdout, c.Stderr = in.env, os.Stderr, os.Stderr
	if quiet {
		c.Stdout, c.Stderr = io.Discard, io.Discard
	}
	if err := c.Run(); err != nil {
		return fmt.Errorf("portal %s: %w", args[0], err)
	}
	return nil
}

// seedTenant creates a tenant with its admin and seeds it.
func (b *bench) seedTenant(in *installation, quiet bool, slug string, sites, contacts, tickets, articles int) error {
	if err := b.portal(in, quiet, "tenant", "create", "--slug", slug, "--name", slug, "--admin-email", "admin@"+slug+".test", "--admin-password", password); err != nil {
		return err
	}
	return b.portal(in, quiet, "seed", "--tenant", slug, "--sites", strconv.Itoa(sites), "--contacts", strconv.Itoa(contacts),
		"--tickets", strconv.Itoa(tickets), "--articles", strconv.Itoa(articles))
}

// serve starts portal serve on the installation and waits until it is ready.
func (b *bench) serve(in *installation) (*server, error) {
	seeder, err := indexHolder(in.dbURL)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(b.bin, "serve")
	cmd.Env, cmd.Stderr = in.env, io.Discard
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, base: "http://" + in.addr, pprof: in.pprof, dbURL: in.dbURL, dir: in.dir}
	if err := waitReady(s.base + "/readyz"); err != nil {
		s.stop()
		return nil, err
	}
	if err := waitIndexed(in.dbURL, seeder); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// openDB opens the installation's database (dbURL: sqlite:… or
// postgres://…) for the benchmark's own reads.
func openDB(dbURL string) (*sql.DB, error) {
	driver, dsn := "sqlite", strings.TrimPrefix(dbURL, "sqlite:")
	if strings.HasPrefix(dbURL, "postgres") {
		driver, dsn = "pgx", dbURL
	}
	return sql.Open(driver, dsn)
}

// indexHolder is who holds the search index's lease ("" for nobody).
func indexHolder(dbURL string) (string, error) {
	db, err := openDB(dbURL)
	if err != nil {
		return "", err
	}
	defer db.Close()
	var holder string
	err = db.QueryRow(`SELECT holder FROM leases WHERE name = 'search-index'`).Scan(&holder)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return holder, err
}

// waitIndexed waits until the server holds the search index (a holder
// other than the seeder's lease, left or not) and has applied its queue:
// an embedded index on PostgreSQL is built anew by the process that takes
// it (app.TakeIndex), which would otherwise run beside the measurements.
func waitIndexed(dbURL, seeder string) error {
	db, err := openDB(dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	said := false
	for deadline := time.Now().Add(15 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		var holder string
		var queued int
		err := db.QueryRow(`SELECT COALESCE((SELECT holder FROM leases WHERE name = 'search-index'), ''),
			(SELECT COUNT(*) FROM search_queue)`).Scan(&holder, &queued)
		if err != nil {
			return err
		}
		if holder != "" && holder != seeder && queued == 0 {
			return nil
		}
		if !said && holder != "" && holder != seeder {
			step("waiting for the server to build its search index")
			said = true
		}
	}
	return errors.New("the server did not apply its search index's queue within 15 minutes")
}

// readerEndpoints signs the tenant's busiest site manager in, and a
// member of that site, and answers the endpoints the benchmark measures,
// as those readers.
func readerEndpoints(s *server, slug string) ([]endpoint, http.Header, error) {
	host := slug + ".localhost"
	manager, member, number, err := readerOf(s.dbURL, slug)
	if err != nil {
		return nil, nil, err
	}
	cookie, csrf, err := signIn(s.base, host, manager)
	if err != nil {
		return nil, nil, err
	}
	auth := http.Header{"Cookie": {"portal_session=" + cookie}, "X-Csrf-Token": {csrf}}
	cookie, csrf, err = signIn(s.base, host, member)
	if err != nil {
		return nil, nil, err
	}
	memberAuth := http.Header{"Cookie": {"portal_session=" + cookie}, "X-Csrf-Token": {csrf}}
	get := func(name, path string, h http.Header) endpoint {
		return endpoint{name: name, method: "GET", path: path, header: h, host: host}
	}
	autocomplete := get("KB autocomplete", "", auth)
	autocomplete.paths = keystrokes()
	return []endpoint{
		get("login page, anonymous", "/login", nil),
		get("help center home, site manager", "/", auth),
		get("ticket list API, site manager", "/api/v1/tickets?scope=site", auth),
		get("ticket list page, site manager", "/tickets?scope=site", auth),
		get("ticket page", fmt.Sprintf("/tickets/%d", number), auth),
		autocomplete,
		get("ticket word search (q=printer)", "/api/v1/tickets?scope=site&q=printer", auth),
		// A word no ticket holds: the search cannot stop at the page's end.
		get("ticket word search, no match (q=zebra)", "/api/v1/tickets?scope=site&q=zebra", auth),
		// Most readers are members: their own tickets, the site's shared
		// ones and their CC, each a branch of the list.
		get("ticket list API, member", "/api/v1/tickets", memberAuth),
		get("ticket word search, member (q=printer)", "/api/v1/tickets?q=printer", memberAuth),
		{name: "ticket creation", method: "POST", path: "/api/v1/tickets", header: auth, body: func(i int64) string {
			return fmt.Sprintf(`{"title":"Bench ticket %d"}`, i)
		}, host: host},
	}, auth, nil
}

// serveSeeded seeds a fresh installation with n tickets in the tenant
// "bench" and serves it, with the profiler on loopback (the soak reads
// goroutines from it).
func (b *bench) serveSeeded(n int) (*server, error) {
	in, err := b.newInstallation(strconv.Itoa(n))
	if err != nil {
		return nil, err
	}
	sites := max(1, (n+b.perSite-1)/b.perSite)
	step(fmt.Sprintf("seeding %d tickets in %d site(s)", n, sites))
	seedStart := time.Now()
	if err := b.seedTenant(in, false, "bench", sites, sites*50, n, b.articles); err != nil {
		return nil, err
	}
	step(fmt.Sprintf("seeded in %s", time.Since(seedStart).Round(100*time.Millisecond)))
	s, err := b.serve(in)
	if err != nil {
		return nil, err
	}
	if s.endpoints, s.auth, err = readerEndpoints(s, "bench"); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// size seeds a fresh installation with n tickets, serves it and measures
// every endpoint; it answers the results and the server's peak RSS.
func (b *bench) size(n int) ([]result, int64, error) {
	srv, err := b.serveSeeded(n)
	if err != nil {
		return nil, 0, err
	}
	defer srv.stop()
	base := srv.base
	var results []result
	for _, e := range srv.endpoints {
		if !strings.Contains(e.name, b.only) {
			continue
		}
		step(fmt.Sprintf("%d tickets: %s", n, e.name))
		r := result{name: e.name}
		var lat []time.Duration
		var portalReqs, bareReqs int64
		var portalTime, bareTime time.Duration
		for i := range 2 {
			var profiled chan error
			if i == 0 && b.profile != "" {
				profiled = make(chan error, 1)
				go func() { profiled <- saveProfile(srv.pprof, b.dur, filepath.Join(b.profile, profileName(n, e.name))) }()
			}
			l, ok, errs, took := load(b.conns, b.dur, base, []endpoint{e})
			if profiled != nil {
				if err := <-profiled; err != nil {
					return nil, 0, err
				}
			}
			lat = append(lat, l...)
			portalReqs += ok
			portalTime += took
			r.errors += errs
			r.total += ok + errs
			_, bok, _, btook := load(b.conns, b.dur, "http://"+b.bare, []endpoint{{name: "bare", method: "GET", path: "/"}})
			bareReqs += bok
			bareTime += btook
		}
		r.rps = float64(portalReqs) / portalTime.Seconds()
		r.bareRPS = float64(bareReqs) / bareTime.Seconds()
		slices.Sort(lat)
		if len(lat) > 0 {
			r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
		}
		results = append(results, r)
	}
	return results, peakRSS(srv.cmd.Process.Pid), nil
}

// saveProfile asks the server's profiler for a CPU profile of the next
// d (whole seconds, at least one) and writes it to path.
func saveProfile(pprofAddr string, d time.Duration, path string) error {
	secs := max(1, int(d.Seconds()))
	res, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, secs))
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("profile: %s", res.Status)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// profileName is the file of an endpoint's profile at n tickets:
// "100000-ticket-list-api-site-manager.pprof".
func profileName(n int, endpoint string) string {
	words := strings.FieldsFunc(strings.ToLower(endpoint), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9')
	})
	return fmt.Sprintf("%d-%s.pprof", n, strings.Join(words, "-"))
}

// load sends requests on conns connections for dur, the endpoints in
// turn, and answers the latencies of the successful ones, their count, the
// failures and the time it took.
func load(conns int, dur time.Duration, base string, eps []endpoint) ([]time.Duration, int64, int64, time.Duration) {
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var (
		ok, failed, seq atomic.Int64
		mu              sync.Mutex
		all             []time.Duration
		wg              sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(dur)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				i := seq.Add(1)
				t0 := time.Now()
				if send(client, base, eps[int(i)%len(eps)], i) != "" {
					failed.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
				ok.Add(1)
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all, ok.Load(), failed.Load(), time.Since(start)
}

// readerOf finds, in a seeded database, the site manager of the tenant's
// site with the most tickets, a member of that site with tickets of
// their own, and the newest open ticket of that site (the ticket page
// measured). Its status matters: `portal seed` draws each ticket's at
// random, and a closed ticket's page, without the forms, costs two
// thirds of an open one's — measuring the newest ticket whatever its
// status made the figure swing from run to run.
func readerOf(dbURL, slug string) (manager, member string, number int64, err error) {
	db, err := openDB(dbURL)
	if err != nil {
		return "", "", 0, err
	}
	defer db.Close()
	// The slug is the benchmark's own (letters and digits).
	var site int64
	err = db.QueryRow(fmt.Sprintf(`SELECT c.email, cs.site_id, COALESCE(
			(SELECT MAX(t.number) FROM tickets t WHERE t.site_id = cs.site_id AND t.status = 'open'),
			(SELECT MAX(t.number) FROM tickets t WHERE t.site_id = cs.site_id))
		FROM contacts c JOIN contact_sites cs ON cs.contact_id = c.id
		WHERE cs.role = 'site_manager' AND c.email LIKE 'seed-%%'
		AND c.tenant_id = (SELECT id FROM tenants WHERE slug = '%s')
		ORDER BY (SELECT COUNT(*) FROM tickets t WHERE t.site_id = cs.site_id) DESC LIMIT 1`, slug)).Scan(&manager, &site, &number)
	if err != nil {
		return "", "", 0, err
	}
	err = db.QueryRow(fmt.Sprintf(`SELECT c.email FROM contacts c JOIN contact_sites cs ON cs.contact_id = c.id
		WHERE cs.role = 'member' AND cs.site_id = %d AND c.email LIKE 'seed-%%'
		AND EXISTS (SELECT 1 FROM tickets t WHERE t.requester_id = c.id AND t.site_id = cs.site_id)
		ORDER BY c.id LIMIT 1`, site)).Scan(&member)
	return manager, member, number, err
}

// freshSchema makes an empty schema on the PostgreSQL server and answers a
// URL that uses it.
func freshSchema(base, name string) (string, error) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer db.Close()
	schema := fmt.Sprintf("bench_%s_%d", name, time.Now().Unix())
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func signIn(base, host, email string) (cookie, csrf string, err error) {
	req, _ := http.NewRequest("POST", base+"/api/v1/auth/login",
		strings.NewReader(fmt.Sprintf(`{"email":%q,"password":%q}`, email, password)))
	req.Host = host
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(res.Body)
		return "", "", fmt.Errorf("sign in as %s: %d %s", email, res.StatusCode, b)
	}
	var ans struct {
		CSRF string `json:"csrf_token"`
	}
	json.NewDecoder(res.Body).Decode(&ans)
	for _, c := range res.Cookies() {
		if c.Name == "portal_session" {
			cookie = c.Value
		}
	}
	return cookie, ans.CSRF, nil
}

// peakRSS reads the high-water mark of a process's resident memory.
func peakRSS(pid int) int64 { return procStatus(pid, "VmHWM:") }

// rss reads a process's resident memory now.
func rss(pid int) int64 { return procStatus(pid, "VmRSS:") }

// procStatus reads a size in kB of /proc/PID/status, in bytes.
func procStatus(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// serveBare is the reference: a gin engine with one constant answer.
func serveBare(addr string) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/", func(c *gin.Context) { c.String(http.StatusOK, "ok") })
	http.ListenAndServe(addr, r)
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func waitReady(u string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if res, err := http.Get(u); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer in time", u)
}

func command(name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Stdout, c.Stderr = os.Stderr, os.Stderr
	return c
}

func step(s string) { fmt.Fprintf(os.Stderr, "== %s\n", s) }

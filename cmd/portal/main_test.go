package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/kb"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/search"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/tenants"
	"github.com/svcportal/svcportal/testkit"
	"github.com/svcportal/svcportal/tickets"
)

// runCmd runs the program with only the given environment.
func runCmd(t *testing.T, ctx context.Context, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(ctx, args, func(k string) string { return env[k] }, &out, &errb)
	return code, out.String(), errb.String()
}

// testEnv is a configuration on a fresh database and data dir.
func testEnv(t *testing.T) map[string]string {
	dir := t.TempDir()
	return map[string]string{
		"PORTAL_DATABASE_URL": testkit.DatabaseURL(t),
		"PORTAL_DATA_DIR":     dir,
		"PORTAL_MAIL_URL":     "file:" + filepath.Join(dir, "mail"),
		"PORTAL_SECRET_KEY":   "cmd-test-secret-key-0123456789abcdef",
	}
}

func TestConfig_Errors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"malformed database URL", map[string]string{"PORTAL_DATABASE_URL": "mysql://root@db/portal"}, nil, "PORTAL_DATABASE_URL: database URL \"mysql://root@db/portal\" must start with sqlite: or postgres://"},
		{"database URL by flag", nil, []string{"--database-url", "postgres://localhost"}, "PORTAL_DATABASE_URL: postgres URL needs a database name"},
		{"listen address", map[string]string{"PORTAL_ADDR": "8080"}, nil, "PORTAL_ADDR: \"8080\" is not host:port"},
		{"port", map[string]string{"PORTAL_ADDR": "localhost:99999"}, nil, "PORTAL_ADDR: port \"99999\""},
		{"base domain", map[string]string{"PORTAL_BASE_DOMAIN": "Bad_Domain"}, nil, "PORTAL_BASE_DOMAIN"},
		{"mail URL", map[string]string{"PORTAL_MAIL_URL": "smtp://mail.example.com"}, nil, "PORTAL_MAIL_URL: the SMTP URL needs a host and a port"},
		{"mail scheme", map[string]string{"PORTAL_MAIL_URL": "sendmail"}, nil, "PORTAL_MAIL_URL: must start with file:, smtp:// or smtps://"},
		{"search URL", map[string]string{"PORTAL_SEARCH_URL": "typesense://localhost:8108"}, nil, "PORTAL_SEARCH_URL: a Typesense URL needs an API key"},
		{"secret key", map[string]string{"PORTAL_SECRET_KEY": "short"}, nil, "PORTAL_SECRET_KEY: must be at least 32 characters"},
		{"secret key with PostgreSQL", map[string]string{"PORTAL_DATABASE_URL": "postgres://portal@db.example/portal"}, nil, "PORTAL_SECRET_KEY: required with PostgreSQL"},
		{"secure cookies", map[string]string{"PORTAL_SECURE_COOKIES": "yes"}, nil, "PORTAL_SECURE_COOKIES: must be true or false"},
		{"search in PostgreSQL without it", map[string]string{"PORTAL_SEARCH_URL": "postgres"}, nil, "PORTAL_SEARCH_URL: \"postgres\" keeps the index in the PostgreSQL database"},
		{"blob URL", map[string]string{"PORTAL_BLOB_URL": "s3://host:9000/bucket"}, nil, "PORTAL_BLOB_URL: an s3:// URL needs an access key and a secret"},
		{"blob scheme", map[string]string{"PORTAL_BLOB_URL": "gs://bucket"}, nil, "PORTAL_BLOB_URL: must be file:DIR or s3://"},
		{"trusted proxies", map[string]string{"PORTAL_TRUSTED_PROXIES": "10.0.0.1, proxy.local"}, nil, "PORTAL_TRUSTED_PROXIES: \"proxy.local\" is neither an IP address nor a CIDR range"},
		{"log format", map[string]string{"PORTAL_LOG_FORMAT": "xml"}, nil, "PORTAL_LOG_FORMAT: must be text or json"},
		{"traces URL", map[string]string{"PORTAL_TRACES_URL": "collector:4318"}, nil, "PORTAL_TRACES_URL: \"collector:4318\" is not an http(s) URL"},
		{"profiler on the network", map[string]string{"PORTAL_PPROF_ADDR": "0.0.0.0:6060"}, nil, "PORTAL_PPROF_ADDR: \"0.0.0.0:6060\" is not a loopback host:port"},
		{"profiler on a public host", nil, []string{"--pprof-addr", "portal.example.com:6060"}, "PORTAL_PPROF_ADDR"},
		{"profiler without a port", map[string]string{"PORTAL_PPROF_ADDR": "127.0.0.1"}, nil, "PORTAL_PPROF_ADDR"},
		{"unknown flag", nil, []string{"--nope"}, "flag provided but not defined"},
		{"stray argument", nil, []string{"now"}, "unexpected argument \"now\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, context.Background(), tt.env, append([]string{"migrate"}, tt.args...)...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("got exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
	t.Run("several mistakes are all reported", func(t *testing.T) {
		_, _, stderr := runCmd(t, context.Background(), map[string]string{"PORTAL_ADDR": "x", "PORTAL_SEARCH_URL": "solr"}, "serve")
		if !strings.Contains(stderr, "PORTAL_ADDR") || !strings.Contains(stderr, "PORTAL_SEARCH_URL") {
			t.Errorf("got %q", stderr)
		}
	})
	t.Run("unknown command", func(t *testing.T) {
		if code, _, stderr := runCmd(t, context.Background(), nil, "launch"); code != 2 || !strings.Contains(stderr, `unknown command "launch"`) {
			t.Errorf("got %d %q", code, stderr)
		}
	})
	t.Run("help lists commands and settings", func(t *testing.T) {
		code, stdout, _ := runCmd(t, context.Background(), nil, "help")
		for _, want := range []string{"demo", "serve", "migrate", "tenant", "PORTAL_DATABASE_URL", "PORTAL_SECRET_KEY"} {
			if code != 0 || !strings.Contains(stdout, want) {
				t.Errorf("help lacks %q", want)
			}
		}
	})
}

func TestConfig_FlagOverridesEnvironment(t *testing.T) {
	var cfgs []*Config
	for _, args := range [][]string{nil, {"-addr", "127.0.0.1:9"}, {"-PORTAL_ADDR", "127.0.0.1:10"}} {
		fs := newFlagSet()
		cfg := bindConfig(fs, func(k string) string { return map[string]string{"PORTAL_ADDR": "0.0.0.0:80"}[k] })
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		cfgs = append(cfgs, cfg)
	}
	if cfgs[0].Addr != "0.0.0.0:80" || cfgs[1].Addr != "127.0.0.1:9" || cfgs[2].Addr != "127.0.0.1:10" {
		t.Errorf("got %q %q %q", cfgs[0].Addr, cfgs[1].Addr, cfgs[2].Addr)
	}
	if cfgs[0].DatabaseURL != "" || cfgs[0].SearchURL != "embedded" || cfgs[0].BaseDomain != "localhost" {
		t.Errorf("defaults: got %+v", cfgs[0])
	}
}

// With only PORTAL_DATA_DIR set, everything the embedded defaults keep
// lives inside it (issue 14), and a command that needs an installation
// does not create an empty one elsewhere.
func TestConfig_DataDirHoldsEverything(t *testing.T) {
	dir := t.TempDir()
	fs := newFlagSet()
	cfg := bindConfig(fs, func(k string) string { return map[string]string{"PORTAL_DATA_DIR": dir}[k] })
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if cfg.DatabaseURL != "sqlite:"+filepath.Join(dir, "portal.db") || cfg.MailURL != "file:"+filepath.Join(dir, "mail") {
		t.Errorf("got database %q, mail %q; want both inside %s", cfg.DatabaseURL, cfg.MailURL, dir)
	}
	env := map[string]string{"PORTAL_DATA_DIR": dir}
	for _, args := range [][]string{{"seed", "--tenant", "acme"}, {"token", "create", "--tenant", "acme", "--email", "a@acme.test"}, {"reindex"}} {
		code, _, stderr := runCmd(t, context.Background(), env, args...)
		if code != 1 || !strings.Contains(stderr, "no database at "+filepath.Join(dir, "portal.db")) {
			t.Errorf("%v on an empty data dir: got %d %q, want 1 and 'no database at …'", args, code, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "portal.db")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a command that needs an installation created a database: %v", err)
	}
	if code, _, stderr := runCmd(t, context.Background(), env, "tenant", "create", "--slug", "acme", "--name", "Acme",
		"--admin-email", "admin@acme.test", "--admin-password", "a-long-password"); code != 0 {
		t.Fatalf("tenant create: %s", stderr)
	}
	for _, name := range []string{"portal.db", "secret.key"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s is not in the data dir: %v", name, err)
		}
	}
}

func TestMigrateCommand(t *testing.T) {
	env := testEnv(t)
	code, stdout, stderr := runCmd(t, context.Background(), env, "migrate")
	if code != 0 || !strings.Contains(stdout, "migration(s): 0001_init, 0002_accounts") {
		t.Fatalf("first run: %d %q %q", code, stdout, stderr)
	}
	code, stdout, _ = runCmd(t, context.Background(), env, "migrate")
	if code != 0 || !strings.Contains(stdout, "up to date") {
		t.Errorf("second run: %d %q", code, stdout)
	}
	env["PORTAL_DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"
	if code, _, stderr := runCmd(t, context.Background(), env, "migrate"); code != 1 || !strings.Contains(stderr, "connect to postgres database") {
		t.Errorf("unreachable database: got %d %q", code, stderr)
	}
}

func TestTenantCreateCommand(t *testing.T) {
	env := testEnv(t)
	args := []string{"tenant", "create", "--slug", "initrode", "--name", "Initrode IT", "--admin-email", "boss@initrode.test",
		"--admin-password", "a-long-password", "--domain", "help.initrode.example", "--domain", "support.initrode.example"}
	code, stdout, stderr := runCmd(t, context.Background(), env, args...)
	if code != 0 || !strings.Contains(stdout, "portal: http://initrode.localhost:8080") || !strings.Contains(stdout, "also:   http://support.initrode.example") {
		t.Fatalf("got %d %q %q", code, stdout, stderr)
	}
	code, _, stderr = runCmd(t, context.Background(), env, args...)
	if code != 2 || !strings.Contains(stderr, "--slug: This name is already used by another portal.") {
		t.Errorf("duplicate: got %d %q", code, stderr)
	}
	code, _, stderr = runCmd(t, context.Background(), env, "tenant", "create", "--slug", "Bad Slug", "--name", "X", "--admin-email", "nope", "--admin-password", "x", "--domain", "bad host")
	for _, want := range []string{"--slug: Use 1 to 40", "--admin-email: Enter a valid email", "--admin-password: Use at least 10", "--domain: bad host is not a valid host name"} {
		if code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("invalid: got %d, stderr lacks %q: %q", code, want, stderr)
		}
	}
	if code, _, stderr := runCmd(t, context.Background(), env, "tenant", "delete"); code != 2 || !strings.Contains(stderr, "usage: portal tenant create") {
		t.Errorf("tenant delete: got %d %q", code, stderr)
	}
}

// TestTenantListDisableEnable: the operator lists tenants, disables one
// (its hosts stop resolving, the other's keep working) and enables it
// again.
func TestTenantListDisableEnable(t *testing.T) {
	env := testEnv(t)
	ctx := context.Background()
	// Without an installation (a SQLite file; a PostgreSQL database is
	// always there) the command says so and creates none.
	if dialect, _, _ := store.ParseURL(env["PORTAL_DATABASE_URL"]); dialect == store.SQLite {
		if code, _, stderr := runCmd(t, ctx, env, "tenant", "list"); code != 1 || !strings.Contains(stderr, "no database") {
			t.Errorf("list without an installation: %d %q", code, stderr)
		}
	}
	st, err := store.Open(ctx, env["PORTAL_DATABASE_URL"]) // an installation, still without tenants
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if code, stdout, stderr := runCmd(t, ctx, env, "tenant", "list"); code != 0 || !strings.Contains(stdout, "No tenants yet") {
		t.Errorf("empty list: %d %q %q", code, stdout, stderr)
	}
	for _, slug := range []string{"acme", "globex"} {
		if code, _, stderr := runCmd(t, ctx, env, "tenant", "create", "--slug", slug, "--name", strings.ToUpper(slug[:1])+slug[1:]+" IT",
			"--admin-email", "admin@"+slug+".test", "--admin-password", "a-long-password", "--domain", "help."+slug+".example"); code != 0 {
			t.Fatalf("tenant create %s: %s", slug, stderr)
		}
	}
	rows := func() map[string]string {
		t.Helper()
		code, stdout, stderr := runCmd(t, ctx, env, "tenant", "list")
		if code != 0 {
			t.Fatalf("list: %d %q", code, stderr)
		}
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if !strings.HasPrefix(lines[0], "SLUG") || len(lines) != 3 {
			t.Fatalf("list: %q", stdout)
		}
		out := map[string]string{}
		for _, l := range lines[1:] {
			out[strings.Fields(l)[0]] = l
		}
		return out
	}
	got := rows()
	if !strings.Contains(got["acme"], "enabled") || !strings.Contains(got["acme"], "Acme IT") ||
		!strings.Contains(got["acme"], "acme.localhost help.acme.example") || !strings.Contains(got["globex"], "enabled") {
		t.Errorf("list: %v", got)
	}
	code, stdout, stderr := runCmd(t, ctx, env, "tenant", "disable", "--slug", "ACME")
	if code != 0 || !strings.Contains(stdout, "Disabled tenant ACME") {
		t.Fatalf("disable: %d %q %q", code, stdout, stderr)
	}
	if got := rows(); !strings.Contains(got["acme"], "disabled since") || !strings.Contains(got["globex"], "enabled") {
		t.Errorf("after disable: %v", got)
	}
	st, err = store.Open(ctx, env["PORTAL_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ts := tenants.New(st, "localhost")
	for host, want := range map[string]bool{"acme.localhost": false, "help.acme.example": false, "globex.localhost": true, "help.globex.example": true} {
		_, err := ts.Resolve(ctx, host)
		if want && err != nil || !want && svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("%s with acme disabled: %v", host, err)
		}
	}
	if code, stdout, _ := runCmd(t, ctx, env, "tenant", "enable", "--slug", "acme"); code != 0 || !strings.Contains(stdout, "Enabled tenant acme") {
		t.Fatalf("enable: %d %q", code, stdout)
	}
	if _, err := ts.Resolve(ctx, "acme.localhost"); err != nil {
		t.Errorf("acme after enable: %v", err)
	}
	for _, tt := range []struct{ args, want string }{
		{"tenant disable", "--slug is required"},
		{"tenant enable --slug nope", `no tenant "nope"`},
		{"tenant disable --slug nope", `no tenant "nope"`},
		{"tenant list extra", `unexpected argument "extra"`},
		{"tenant rename", "portal tenant disable --slug S"},
	} {
		if code, _, stderr := runCmd(t, ctx, env, strings.Fields(tt.args)...); code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: got %d %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
}

func TestLoadDemo_Idempotent(t *testing.T) {
	st := testkit.Store(t)
	pol := policies.New(st)
	ts := tenants.New(st, "localhost", tenants.WithSetup(pol.SeedDefaults))
	tks := tickets.New(st, pol, time.Now)
	index, err := search.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer index.Close()
	kbs := kb.New(st, index, nil)
	ctx := context.Background()
	var steps []string
	if err := loadDemo(ctx, st, ts, pol, tks, kbs, func(s string) { steps = append(steps, s) }); err != nil {
		t.Fatal(err)
	}
	if len(steps) != 36 {
		t.Errorf("first load made %d steps, want 36: %v", len(steps), steps)
	}
	steps = nil
	if err := loadDemo(ctx, st, ts, pol, tks, kbs, func(s string) { steps = append(steps, s) }); err != nil || len(steps) != 0 {
		t.Errorf("second load: %v, steps %v; want nothing to do", err, steps)
	}

	acme, err := ts.Resolve(ctx, "acme.localhost")
	if err != nil || acme.Name != "Acme Managed IT" || acme.DefaultLocale != "en" {
		t.Fatalf("acme: %+v %v", acme, err)
	}
	globex, err := ts.Resolve(ctx, "globex.localhost")
	if err != nil || globex.Name != "Globex Services" || globex.DefaultLocale != "fr" {
		t.Fatalf("globex: %+v %v", globex, err)
	}
	actx, gctx := svcportal.WithTenant(ctx, acme), svcportal.WithTenant(ctx, globex)
	for _, c := range []struct {
		ctx         context.Context
		email, site string
		role        string
	}{
		{actx, "peter@initech.test", "Initech", svcportal.RoleMember},
		{actx, "milton@initech.test", "Initech", svcportal.RoleMember},
		{actx, "bill@initech.test", "Initech", svcportal.RoleSiteManager},
		{actx, "alice@umbrella.test", "Umbrella", svcportal.RoleMember},
		{gctx, "gavin@hooli.test", "Hooli", svcportal.RoleMember},
	} {
		got, err := st.ContactByEmail(c.ctx, c.email)
		if err != nil || len(got.Memberships) != 1 || got.Memberships[0].SiteName != c.site || got.Memberships[0].Role != c.role {
			t.Errorf("%s: got %+v, %v", c.email, got, err)
		}
	}
	if _, err := st.ContactByEmail(gctx, "peter@initech.test"); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("globex sees acme's contact: %v", err)
	}
	for _, f := range []struct {
		key  string
		mode svcportal.FieldMode
	}{{"asset_tag", svcportal.FieldEditable}, {"contract", svcportal.FieldViewOnly}, {"internal_cost", svcportal.FieldHidden}, {"status", svcportal.FieldViewOnly}} {
		for _, role := range svcportal.PortalRoles {
			if m, err := pol.Mode(actx, role, 0, f.key); err != nil || m != f.mode {
				t.Errorf("acme %s for %s: got %v %v, want %v", f.key, role, m, err, f.mode)
			}
		}
	}
	all, total, _ := st.StaffTickets(actx, 0, svcportal.TicketFilter{PerPage: 100})
	statuses := map[string]int{}
	for _, tk := range all {
		statuses[tk.Status]++
	}
	if total != 5 || statuses["awaiting_reply"] != 1 || statuses["in_progress"] != 1 || statuses["closed"] != 1 || statuses["solution_proposed"] != 1 || statuses["open"] != 1 {
		t.Errorf("acme demo tickets: %d, statuses %v", total, statuses)
	}
	if _, n, _ := st.StaffTickets(gctx, 0, svcportal.TicketFilter{}); n != 2 {
		t.Errorf("globex demo tickets: %d, want 2", n)
	}
	if fields, _ := st.TicketFields(gctx, false); len(fields) != 0 {
		t.Errorf("globex has acme's fields: %v", fields)
	}
	if m, _ := pol.Mode(gctx, svcportal.RoleMember, 0, "priority"); m != svcportal.FieldEditable {
		t.Errorf("globex default policy not seeded: priority is %v", m)
	}
	for _, s := range []struct {
		ctx         context.Context
		email, role string
	}{{actx, "admin@acme.test", "admin"}, {actx, "tech@acme.test", "agent"}, {gctx, "admin@globex.test", "admin"}} {
		if got, err := st.StaffByEmail(s.ctx, s.email); err != nil || got.Role != s.role {
			t.Errorf("%s: got %+v, %v", s.email, got, err)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for a server goroutine to write to
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func TestDemoCommand_ServesAndShutsDownGracefully(t *testing.T) {
	env := testEnv(t)
	// On SQLite the key is generated into the data dir at first start; on
	// PostgreSQL it must be configured (instances share it).
	generated := !strings.HasPrefix(env["PORTAL_DATABASE_URL"], "postgres")
	if generated {
		delete(env, "PORTAL_SECRET_KEY")
	}
	port := freePort(t)
	env["PORTAL_ADDR"] = "127.0.0.1:" + port
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() { done <- run(ctx, []string{"demo"}, func(k string) string { return env[k] }, &stdout, &stderr) }()

	base := "http://127.0.0.1:" + port
	get := func(host, path string) (*http.Response, string, error) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b), nil
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, _, err := get("x", "/readyz"); err == nil && resp.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server never became ready; stderr: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, want := range []string{
		"http://acme.localhost:" + port, "http://globex.localhost:" + port, "demo-pass-1234",
		"admin@acme.test (admin)", "tech@acme.test (agent)", "bill@initech.test (Initech, site_manager)", "gavin@hooli.test (Hooli, member)",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	resp, body, err := get("acme.localhost:"+port, "/")
	if err != nil || resp.StatusCode != 200 || !strings.Contains(body, "Acme Managed IT") {
		t.Fatalf("acme portal: %v %v", resp, err)
	}
	resp, body, _ = get("globex.localhost:"+port, "/")
	if resp.StatusCode != 200 || !strings.Contains(body, `lang="fr"`) || strings.Contains(body, "Acme") {
		t.Errorf("globex portal: %d", resp.StatusCode)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d; stderr: %s", code, stderr.String())
		}
	case <-time.After(35 * time.Second):
		t.Fatal("server did not stop")
	}
	if !strings.Contains(stderr.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log: %s", stderr.String())
	}
	if _, _, err := get("x", "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
	key, err := os.ReadFile(filepath.Join(env["PORTAL_DATA_DIR"], "secret.key"))
	if !generated {
		if err == nil {
			t.Errorf("a key was generated although PORTAL_SECRET_KEY is set")
		}
		return
	}
	if err != nil || len(strings.TrimSpace(string(key))) != 64 {
		t.Errorf("secret key not generated: %q %v", key, err)
	}
	if fi, err := os.Stat(filepath.Join(env["PORTAL_DATA_DIR"], "secret.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secret key mode: %v %v", fi.Mode(), err)
	}
}

func TestTokenCreateCommand(t *testing.T) {
	env := testEnv(t)
	if code, _, stderr := runCmd(t, context.Background(), env, "tenant", "create", "--slug", "acme", "--name", "Acme",
		"--admin-email", "admin@acme.test", "--admin-password", "a-long-password"); code != 0 {
		t.Fatalf("tenant create: %s", stderr)
	}
	code, stdout, stderr := runCmd(t, context.Background(), env, "token", "create", "--tenant", "acme", "--email", "ADMIN@acme.test")
	token := strings.TrimSpace(stdout)
	if code != 0 || !strings.HasPrefix(token, "sp_") || len(token) < 40 {
		t.Fatalf("got %d %q %q", code, stdout, stderr)
	}
	code, stdout, stderr = runCmd(t, context.Background(), env, "token", "create", "--tenant", "acme", "--email", "admin@acme.test", "--name", "ci", "--expires", "90d")
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(stdout), "sp_") {
		t.Fatalf("--expires 90d: got %d %q %q", code, stdout, stderr)
	}
	st, err := store.Open(context.Background(), env["PORTAL_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, err := st.TenantBySlug(context.Background(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := st.APITokens(svcportal.WithTenant(context.Background(), tn))
	if err != nil || len(tokens) != 2 || tokens[0].Name != "ci" || tokens[0].ExpiresAt == nil ||
		tokens[0].ExpiresAt.Before(time.Now().AddDate(0, 0, 89)) || tokens[1].ExpiresAt != nil {
		t.Errorf("tokens %+v %v: want ci expiring in 90 days and cli never", tokens, err)
	}
	for _, tt := range []struct{ args, want string }{
		{"token create --tenant nope --email admin@acme.test", `no tenant "nope"`},
		{"token create --tenant acme --email nobody@acme.test", `no staff member "nobody@acme.test"`},
		{"token create --tenant acme", "--tenant and --email are required"},
		{"token list", "usage: portal token create"},
		{"token create --tenant acme --email admin@acme.test --expires soon", `--expires "soon"`},
		{"token create --tenant acme --email admin@acme.test --expires 2001-01-01", "--expires must be in the future"},
	} {
		// A wrong command line is 2; a tenant or staff member that is not
		// there is a failure of the command (1).
		want := 2
		if strings.HasPrefix(tt.want, "no ") {
			want = 1
		}
		if code, _, stderr := runCmd(t, context.Background(), env, strings.Fields(tt.args)...); code != want || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: got %d %q, want %d and %q", tt.args, code, stderr, want, tt.want)
		}
	}
}

func TestSeedCommand(t *testing.T) {
	env := testEnv(t)
	if code, _, stderr := runCmd(t, context.Background(), env, "tenant", "create", "--slug", "acme", "--name", "Acme",
		"--admin-email", "admin@acme.test", "--admin-password", "a-long-password"); code != 0 {
		t.Fatalf("tenant create: %s", stderr)
	}
	code, stdout, stderr := runCmd(t, context.Background(), env, "seed", "--tenant", "acme", "--sites", "2", "--contacts", "5", "--tickets", "4500", "--articles", "120")
	if code != 0 || !strings.Contains(stdout, "tickets   [##############################] 100% 4500/4500") || !strings.Contains(stdout, "Seeded acme: 2 sites, 5 contacts") ||
		!strings.Contains(stdout, "articles  [##############################] 100% 120/120") || !strings.Contains(stdout, "index acme [##############################] 100% 120/120") {
		t.Fatalf("got %d %q %q", code, stdout, stderr)
	}
	st, err := store.Open(context.Background(), env["PORTAL_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, _ := st.TenantBySlug(context.Background(), "acme")
	ctx := svcportal.WithTenant(context.Background(), tn)
	got, total, err := st.StaffTickets(ctx, 0, svcportal.TicketFilter{Sort: "-number", PerPage: 1})
	n, _ := st.DB().NewSelect().TableExpr("tickets").Count(ctx)
	if err != nil || n != 4500 || total != svcportal.TicketCountCap+1 || got[0].Number != 4500 {
		t.Errorf("after seeding: %d tickets (list total %d), highest %v, %v", n, total, got, err)
	}
	idx, _, err := search.Open(filepath.Join(env["PORTAL_DATA_DIR"], "search"))
	if err != nil {
		t.Fatal(err)
	}
	sites, _ := st.Sites(ctx)
	hits, err := idx.Search(ctx, svcportal.ArticleQuery{TenantID: tn.ID, SiteIDs: []int64{sites[0].ID}, Lang: "en", Text: "restart"})
	idx.Close()
	if err != nil || len(hits) == 0 {
		t.Errorf("seeded articles are not searchable: %v, %v", hits, err)
	}
	for _, args := range [][]string{{"seed"}, {"seed", "--tenant", "acme", "--sites", "0"}} {
		if code, _, _ := runCmd(t, context.Background(), env, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, _ := runCmd(t, context.Background(), env, "seed", "--tenant", "nope"); code != 1 {
		t.Errorf("seed --tenant nope: exit %d, want 1", code)
	}
}

// TestSeedCommand_Due: seeded tickets waiting on the client fall due for
// the auto-close job only when asked (--due), so a benchmark does not
// wake the job to thousands of tickets at once.
func TestSeedCommand_Due(t *testing.T) {
	env := testEnv(t)
	if code, _, stderr := runCmd(t, context.Background(), env, "tenant", "create", "--slug", "acme", "--name", "Acme",
		"--admin-email", "admin@acme.test", "--admin-password", "a-long-password"); code != 0 {
		t.Fatalf("tenant create: %s", stderr)
	}
	st, err := store.Open(context.Background(), env["PORTAL_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tn, _ := st.TenantBySlug(context.Background(), "acme")
	ctx := svcportal.WithTenant(context.Background(), tn)
	delay := time.Duration(tn.AutoCloseDays) * 24 * time.Hour
	dueNow := func() int {
		t.Helper()
		now := time.Now()
		ts, err := st.TicketsAwaitingClient(ctx, now.Add(-delay/2), now.Add(-delay), 1000)
		if err != nil {
			t.Fatal(err)
		}
		return len(ts)
	}
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"--tickets", "400"}, 0},
		{[]string{"--tickets", "400", "--due", "25"}, 25},
	} {
		args := append([]string{"seed", "--tenant", "acme", "--sites", "2", "--contacts", "5"}, tc.args...)
		if code, _, stderr := runCmd(t, context.Background(), env, args...); code != 0 {
			t.Fatalf("seed %v: %s", tc.args, stderr)
		}
		if got := dueNow(); got != tc.want {
			t.Errorf("after seed %v: %d tickets for the auto-close job, want %d", tc.args, got, tc.want)
		}
	}
}

package store_test

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
	"github.com/uptrace/bun"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		url, dialect, dsn, err string
	}{
		{url: "sqlite:data/portal.db", dialect: store.SQLite, dsn: "data/portal.db"},
		{url: "sqlite:///tmp/x.db", dialect: store.SQLite, dsn: "/tmp/x.db"},
		{url: "postgres://u:p@localhost:5432/portal", dialect: store.Postgres, dsn: "postgres://u:p@localhost:5432/portal"},
		{url: "postgresql://localhost/portal?sslmode=disable", dialect: store.Postgres, dsn: "postgresql://localhost/portal?sslmode=disable"},
		{url: "", err: "empty"},
		{url: "sqlite:", err: "file path"},
		{url: "sqlite:x.db?mode=ro", err: "plain file path"},
		{url: "mysql://u:secret@h/db", err: "must start with sqlite: or postgres://"},
		{url: "postgres:///portal", err: "needs a host"},
		{url: "postgres://localhost", err: "database name"},
		{url: "postgres://u:p@local host/db", err: "does not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			d, dsn, err := store.ParseURL(tt.url)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("got error %v, want one containing %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if err != nil || d != tt.dialect || dsn != tt.dsn {
				t.Errorf("got %q %q %v, want %q %q", d, dsn, err, tt.dialect, tt.dsn)
			}
		})
	}
}

func TestStore_Migrate(t *testing.T) {
	ctx := context.Background()
	url := testkit.DatabaseURL(t)

	t.Run("concurrent first run applies each migration once", func(t *testing.T) {
		// Two stores stand for two processes starting at once.
		var wg sync.WaitGroup
		results := make([][]string, 2)
		errs := make([]error, 2)
		for i := range 2 {
			st, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = st.Migrate(ctx)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("migrate %d: %v", i, err)
			}
		}
		if total := len(results[0]) + len(results[1]); total == 0 || len(results[0]) > 0 && len(results[1]) > 0 {
			t.Errorf("got applied %v and %v, want all by one process and none by the other", results[0], results[1])
		}
	})

	t.Run("second run applies nothing", func(t *testing.T) {
		st, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		applied, err := st.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Errorf("got %v, %v; want nothing applied", applied, err)
		}
		pending, err := st.Pending(ctx)
		if err != nil || len(pending) != 0 {
			t.Errorf("got pending %v, %v; want none", pending, err)
		}
	})
}

func TestStore_NoTenantInContext(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	if _, err := st.Sites(ctx); err == nil || svcportal.KindOf(err) != svcportal.KindInternal {
		t.Errorf("Sites without tenant: got %v, want an internal error", err)
	}
	if err := st.CreateSite(ctx, &svcportal.Site{Name: "x"}); err == nil {
		t.Error("CreateSite without tenant succeeded")
	}
	if _, err := st.ContactByEmail(ctx, "a@b.test"); err == nil {
		t.Error("ContactByEmail without tenant succeeded")
	}
	if _, err := st.StaffByEmail(ctx, "a@b.test"); err == nil {
		t.Error("StaffByEmail without tenant succeeded")
	}
}

func TestTenantStore(t *testing.T) {
	st := testkit.Store(t)
	ctx := context.Background()
	_, acme := testkit.Tenant(t, st, "acme", "support.acme.example", "help.acme.example")

	t.Run("by slug, case-insensitive, with domains", func(t *testing.T) {
		got, err := st.TenantBySlug(ctx, "ACME")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != acme.ID || got.Name != "Tenant acme" || strings.Join(got.Domains, ",") != "help.acme.example,support.acme.example" {
			t.Errorf("got %+v", got)
		}
		if strings.Join(got.EnabledLocales, ",") != "en,fr,de,es,it" || got.AutoCloseDays != 7 || got.MaxUploadMB != 25 {
			t.Errorf("got settings %v %d %d, want defaults", got.EnabledLocales, got.AutoCloseDays, got.MaxUploadMB)
		}
	})
	t.Run("by domain", func(t *testing.T) {
		got, err := st.TenantByDomain(ctx, "Support.Acme.Example")
		if err != nil || got.ID != acme.ID {
			t.Errorf("got %v, %v; want acme", got, err)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		if _, err := st.TenantBySlug(ctx, "nope"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("got %v, want not found", err)
		}
		if _, err := st.TenantByDomain(ctx, "nope.example"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("got %v, want not found", err)
		}
	})
	t.Run("slug taken", func(t *testing.T) {
		err := st.CreateTenant(ctx, svcportal.NewTenant("acme", "Other"), nil)
		if svcportal.KindOf(err) != svcportal.KindConflict {
			t.Errorf("got %v, want conflict", err)
		}
	})
	t.Run("domain taken leaves nothing behind", func(t *testing.T) {
		tn := svcportal.NewTenant("other", "Other")
		tn.Domains = []string{"help.acme.example"}
		if err := st.CreateTenant(ctx, tn, nil); svcportal.KindOf(err) != svcportal.KindConflict {
			t.Fatalf("got %v, want conflict", err)
		}
		if _, err := st.TenantBySlug(ctx, "other"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("half-created tenant found: %v", err)
		}
	})
	t.Run("assets are per tenant", func(t *testing.T) {
		actx := svcportal.WithTenant(ctx, acme)
		_, globex := testkit.Tenant(t, st, "globex")
		gctx := svcportal.WithTenant(ctx, globex)
		if err := st.PutTenantAsset(actx, &svcportal.Asset{Kind: svcportal.AssetLogo, ContentType: "image/svg+xml", Data: []byte("<svg/>")}); err != nil {
			t.Fatal(err)
		}
		if err := st.PutTenantAsset(actx, &svcportal.Asset{Kind: svcportal.AssetLogo, ContentType: "image/png", Data: []byte("png")}); err != nil {
			t.Fatal(err)
		}
		a, err := st.TenantAsset(actx, svcportal.AssetLogo)
		if err != nil || a.ContentType != "image/png" || string(a.Data) != "png" {
			t.Errorf("got %+v, %v; want the replaced png", a, err)
		}
		if _, err := st.TenantAsset(gctx, svcportal.AssetLogo); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("globex sees acme's logo: %v", err)
		}
	})
	t.Run("a new image is a change of the tenant's", func(t *testing.T) {
		// The pages link to /branding/logo?v=<tenant's time of change>,
		// which browsers keep: without a new time they show the old logo.
		actx := svcportal.WithTenant(ctx, acme)
		before, _ := st.TenantBySlug(ctx, "acme")
		version, err := st.TenantCacheVersion(ctx, acme.ID)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond) // the store's clock is the wall clock here
		if err := st.PutTenantAsset(actx, &svcportal.Asset{Kind: svcportal.AssetFavicon, ContentType: "image/png", Data: []byte("ico")}); err != nil {
			t.Fatal(err)
		}
		after, _ := st.TenantBySlug(ctx, "acme")
		if !after.UpdatedAt.After(before.UpdatedAt) {
			t.Errorf("the tenant's time of change stayed %v", after.UpdatedAt)
		}
		if v, _ := st.TenantCacheVersion(ctx, acme.ID); v <= version {
			t.Errorf("the tenant's cache version stayed %d", v)
		}
	})
}

// TestStore_TenantIsolation shows that tenant B never reads tenant A's rows.
func TestStore_TenantIsolation(t *testing.T) {
	st := testkit.Store(t)
	actx, _ := testkit.Tenant(t, st, "acme")
	bctx, _ := testkit.Tenant(t, st, "globex")
	site := testkit.Site(actx, t, st, "Initech")
	c := testkit.Contact(actx, t, st, "peter@initech.test", site, svcportal.RoleMember)

	t.Run("sites", func(t *testing.T) {
		if _, err := st.Site(bctx, site.ID); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("Site: got %v, want not found", err)
		}
		if _, err := st.SiteByName(bctx, "Initech"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("SiteByName: got %v, want not found", err)
		}
		if sites, err := st.Sites(bctx); err != nil || len(sites) != 0 {
			t.Errorf("Sites: got %v, %v; want none", sites, err)
		}
	})
	t.Run("contacts", func(t *testing.T) {
		if _, err := st.Contact(bctx, c.ID); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("Contact: got %v, want not found", err)
		}
		if _, err := st.ContactByEmail(bctx, c.Email); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("ContactByEmail: got %v, want not found", err)
		}
	})
	t.Run("staff", func(t *testing.T) {
		if _, err := st.StaffByEmail(bctx, "admin@acme.test"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("StaffByEmail: got %v, want not found", err)
		}
	})
	t.Run("membership in another tenant's site is refused", func(t *testing.T) {
		other := &svcportal.Contact{Email: "x@globex.test", Memberships: []svcportal.Membership{{SiteID: site.ID, Role: svcportal.RoleMember}}}
		if err := st.CreateContact(bctx, other); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Fatalf("got %v, want not found", err)
		}
		if _, err := st.ContactByEmail(bctx, "x@globex.test"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("contact was half-created: %v", err)
		}
	})
	t.Run("same email in two tenants", func(t *testing.T) {
		bsite := testkit.Site(bctx, t, st, "Hooli")
		twin := testkit.Contact(bctx, t, st, "PETER@initech.test", bsite, svcportal.RoleSiteManager)
		if twin.ID == c.ID || twin.Email != "peter@initech.test" {
			t.Errorf("got %+v", twin)
		}
	})
}

func TestContactStore(t *testing.T) {
	st := testkit.Store(t)
	ctx, _ := testkit.Tenant(t, st, "acme")
	initech := testkit.Site(ctx, t, st, "Initech")
	umbrella := testkit.Site(ctx, t, st, "Umbrella")
	c := &svcportal.Contact{Email: "Bill@Initech.test", FirstName: "Bill", Locale: "fr", Memberships: []svcportal.Membership{
		{SiteID: initech.ID, Role: svcportal.RoleSiteManager}, {SiteID: umbrella.ID, Role: svcportal.RoleMember}}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateContact(ctx, c); err != nil {
		t.Fatal(err)
	}

	t.Run("by email, case-insensitive, with memberships", func(t *testing.T) {
		got, err := st.ContactByEmail(ctx, "BILL@initech.TEST")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != c.ID || got.Locale != "fr" || len(got.Memberships) != 2 {
			t.Fatalf("got %+v", got)
		}
		if m := got.Memberships[0]; m.SiteName != "Initech" || m.Role != svcportal.RoleSiteManager {
			t.Errorf("got membership %+v, want Initech site_manager", m)
		}
		if got.CreatedAt.IsZero() {
			t.Error("created_at is zero")
		}
	})
	t.Run("email taken", func(t *testing.T) {
		dup := &svcportal.Contact{Email: "bill@initech.test"}
		if err := st.CreateContact(ctx, dup); svcportal.KindOf(err) != svcportal.KindConflict {
			t.Errorf("got %v, want conflict", err)
		}
	})
	t.Run("site name taken", func(t *testing.T) {
		if err := st.CreateSite(ctx, &svcportal.Site{Name: "Initech"}); svcportal.KindOf(err) != svcportal.KindConflict {
			t.Errorf("got %v, want conflict", err)
		}
	})
}

// TestStore_ConnectionsKeptUnderLoad: concurrent requests reuse the
// pool's connections instead of opening and closing one per query
// (database/sql keeps two idle connections unless told otherwise, and on
// PostgreSQL each new one is a new backend process: a page's p99 went from
// 2 ms to 160 ms under 16 connections).
func TestStore_ConnectionsKeptUnderLoad(t *testing.T) {
	st := testkit.Store(t)
	ctx, tenant := testkit.Tenant(t, st, "acme")
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 30 {
				if _, err := st.TenantCacheVersion(ctx, tenant.ID); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	opens := store.PoolOpens(st)
	for role, stats := range st.Pools() {
		s := stats()
		if opens[role] > int64(s.MaxOpenConnections) || s.OpenConnections > s.MaxOpenConnections {
			t.Errorf("pool %s opened %d connections, %d open now, for %d at most", role, opens[role], s.OpenConnections, s.MaxOpenConnections)
		}
		if s.InUse != 0 {
			t.Errorf("pool %s: %d connections still lent after every query ended", role, s.InUse)
		}
	}
}

// TestStore_ConnectionsLentInTurn: when queries outnumber a pool's
// connections, they get one in the order they asked. database/sql gives a
// connection that comes free to a random waiter: with 16 writers on
// SQLite's one writer connection, a ticket creation's p99 was four times
// its median (some waited 60 turns), 186–215 ms against 59–82 ms in turn.
func TestStore_ConnectionsLentInTurn(t *testing.T) {
	st := testkit.Store(t)
	ctx := t.Context()
	db := st.DB()
	pool := st.Pools()["write"]
	if pool == nil {
		pool = st.Pools()["pool"]
	}
	// Take every connection of the writing pool, then hand one back once
	// the queries wait: they pass one at a time through it.
	var held []bun.Tx
	for range pool().MaxOpenConnections {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, tx)
	}
	// Queued, in database/sql's queue or in the store's.
	waiting := func() int64 { return db.DB.Stats().WaitCount + pool().WaitCount }
	var (
		mu    sync.Mutex
		order []int
		wg    sync.WaitGroup
	)
	const n = 12
	for i := range n {
		before := waiting()
		wg.Add(1)
		go func() {
			defer wg.Done()
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			if err := tx.Commit(); err != nil {
				t.Error(err)
			}
		}()
		for waiting() == before {
			runtime.Gosched()
		}
	}
	if err := held[0].Rollback(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for _, tx := range held[1:] {
		tx.Rollback()
	}
	if !slices.IsSorted(order) || len(order) != n {
		t.Errorf("served in the order %v, want 0 to %d in turn", order, n-1)
	}
}

// TestStore_NoStatementKeptPerText: on PostgreSQL the store prepares no
// named statement per SQL text. Texts carry their arguments (bun writes
// them in), so a cache of prepared statements keyed by text filled the
// server's memory and each backend's with statements used once. Only
// bound statements (store/bound.go), one text per shape, are kept.
func TestStore_NoStatementKeptPerText(t *testing.T) {
	st := testkit.Store(t)
	ctx, tenant := testkit.Tenant(t, st, "acme")
	for i := range 20 {
		// Written with its value, as bun writes statements: a text each.
		var n int64
		if err := st.DB().NewRaw("SELECT ? + 0 AS n", int64(i)).Scan(ctx, &n); err != nil || n != int64(i) {
			t.Fatalf("SELECT %d: %d, %v", i, n, err)
		}
		// Bound (store/bound.go): one text for the twenty.
		if _, err := st.TenantCacheVersion(ctx, tenant.ID+int64(i)); err != nil && svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Fatal(err)
		}
	}
	if st.Dialect() != store.Postgres {
		return // SQLite prepares each statement on its connection and frees it after use
	}
	for range 5 { // on whichever connections the pool hands out
		var texts []string
		if err := st.DB().NewRaw("SELECT statement FROM pg_prepared_statements").Scan(ctx, &texts); err != nil {
			t.Fatal(err)
		}
		if len(texts) > 1 {
			t.Fatalf("a connection holds %d prepared statements, want at most the bound one: %q", len(texts), texts)
		}
	}
}

// TestStore_TenantCacheVersionSeesEveryWriter: the cache version every
// request checks is read from the database, except on SQLite while no
// transaction was committed since it was last read (the wal-index
// watch); a commit through another store on the same database (another
// instance, or `portal` run beside the server) is seen at the next read.
func TestStore_TenantCacheVersionSeesEveryWriter(t *testing.T) {
	ctx := context.Background()
	writer, reader, actx := twoInstances(t)
	acme := svcportal.TenantFrom(actx)
	log := &testkit.QueryLog{}
	reader.AddQueryHook(log)
	read := func() (int64, int) {
		t.Helper()
		var v int64
		statements := log.During(func() {
			var err error
			if v, err = reader.TenantCacheVersion(ctx, acme.ID); err != nil {
				t.Fatal(err)
			}
		})
		return v, len(statements)
	}
	unchanged := 1 // statements of a read when nothing changed
	if reader.Dialect() == store.SQLite {
		unchanged = 0
	}
	v0, n := read()
	if n != 1 {
		t.Fatalf("the first read ran %d statements, want 1", n)
	}
	if v, n := read(); v != v0 || n != unchanged {
		t.Errorf("read again: version %d in %d statements, want %d in %d", v, n, v0, unchanged)
	}
	// Another tenant's change is a commit too: read again, same version.
	testkit.Tenant(t, writer, "globex")
	if v, n := read(); v != v0 || n != 1 {
		t.Errorf("after a commit: version %d in %d statements, want %d in 1", v, n, v0)
	}
	// acme's own change, through the other store.
	if err := writer.PutTenantAsset(actx, &svcportal.Asset{Kind: svcportal.AssetLogo, ContentType: "image/png", Data: []byte("png")}); err != nil {
		t.Fatal(err)
	}
	v1, n := read()
	if v1 <= v0 || n != 1 {
		t.Errorf("after acme's change: version %d in %d statements, want more than %d in 1", v1, n, v0)
	}
	if v, n := read(); v != v1 || n != unchanged {
		t.Errorf("read again: version %d in %d statements, want %d in %d", v, n, v1, unchanged)
	}
	// A tenant that is not there is not remembered.
	for range 2 {
		if _, err := reader.TenantCacheVersion(ctx, acme.ID+1000); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("unknown tenant: %v", err)
		}
	}
}

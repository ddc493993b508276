package policies_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/casbin/casbin/v2"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/policies"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

// memStore is an in-memory policies.RuleStore, per tenant of the context.
type memStore struct {
	mu       sync.Mutex
	rules    map[int64][]policies.Rule
	versions map[int64]int64
	reads    int // PolicyRules calls: how often a Service rebuilt
	reverse  bool
}

func newMemStore() *memStore {
	return &memStore{rules: map[int64][]policies.Rule{}, versions: map[int64]int64{}}
}

func tid(ctx context.Context) int64 { return svcportal.TenantFrom(ctx).ID }

func (m *memStore) PolicyRules(ctx context.Context) ([]policies.Rule, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	rules := slices.Clone(m.rules[tid(ctx)])
	if m.reverse {
		slices.Reverse(rules)
	}
	return rules, nil
}

func (m *memStore) ReplacePolicyRule(ctx context.Context, r policies.Rule) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := tid(ctx)
	rules := slices.DeleteFunc(m.rules[t], func(x policies.Rule) bool {
		return x.Role == r.Role && x.SiteID == r.SiteID && x.Field == r.Field
	})
	m.rules[t] = append(rules, r)
	m.versions[t]++
	return nil
}

func (m *memStore) DeletePolicyRule(ctx context.Context, role string, siteID int64, field string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := tid(ctx)
	n := len(m.rules[t])
	m.rules[t] = slices.DeleteFunc(m.rules[t], func(x policies.Rule) bool {
		return x.Role == role && x.SiteID == siteID && x.Field == field
	})
	if len(m.rules[t]) == n {
		return svcportal.ErrNotFound()
	}
	m.versions[t]++
	return nil
}

func (m *memStore) PolicyVersion(ctx context.Context) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.versions[tid(ctx)], nil
}

func (m *memStore) SeedPolicyRules(ctx context.Context, rules []policies.Rule) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := tid(ctx)
	if len(m.rules[t]) > 0 {
		return false, nil
	}
	m.rules[t] = slices.Clone(rules)
	m.versions[t]++
	return true, nil
}

func tenantCtx(id int64) context.Context {
	return svcportal.WithTenant(context.Background(), &svcportal.Tenant{ID: id, Slug: fmt.Sprintf("t%d", id)})
}

const (
	member  = svcportal.RoleMember
	manager = svcportal.RoleSiteManager
)

func mustSet(ctx context.Context, t testing.TB, svc *policies.Service, role string, siteID int64, field string, mode policies.Mode) {
	t.Helper()
	if err := svc.SetMode(ctx, policies.Rule{Role: role, SiteID: siteID, Field: field, Mode: mode}); err != nil {
		t.Fatalf("SetMode %s/%d/%s=%s: %v", role, siteID, field, mode, err)
	}
}

func wantMode(ctx context.Context, t *testing.T, svc *policies.Service, role string, siteID int64, field string, want policies.Mode) {
	t.Helper()
	got, err := svc.Mode(ctx, role, siteID, field)
	if err != nil {
		t.Fatalf("Mode(%s, %d, %s): %v", role, siteID, field, err)
	}
	if got != want {
		t.Errorf("Mode(%s, %d, %s) = %s, want %s", role, siteID, field, got, want)
	}
}

// TestService_Resolution is the model's resolution table: a site's rule
// beats the all-sites rule, no rule means hidden, and every mode comes out
// for each role, whatever order the store lists the rules in.
func TestService_Resolution(t *testing.T) {
	const site7, site8 = 7, 8
	for _, reverse := range []bool{false, true} {
		t.Run(fmt.Sprintf("reversed store order %v", reverse), func(t *testing.T) {
			ms := newMemStore()
			svc := policies.New(ms)
			ctx := tenantCtx(1)
			mustSet(ctx, t, svc, member, 0, "asset_tag", policies.Editable)
			mustSet(ctx, t, svc, member, site7, "asset_tag", policies.Hidden)
			mustSet(ctx, t, svc, member, 0, "contract", policies.ViewOnly)
			mustSet(ctx, t, svc, member, site8, "contract", policies.Editable)
			mustSet(ctx, t, svc, manager, 0, "asset_tag", policies.ViewOnly)
			mustSet(ctx, t, svc, manager, site7, "asset_tag", policies.Editable)
			mustSet(ctx, t, svc, manager, site8, "contract", policies.Hidden)
			mustSet(ctx, t, svc, manager, site7, "contract", policies.ViewOnly)
			ms.reverse = reverse

			tests := []struct {
				role   string
				siteID int64
				field  string
				want   policies.Mode
			}{
				{member, site7, "asset_tag", policies.Hidden},        // site rule beats *
				{member, site8, "asset_tag", policies.Editable},      // * rule
				{member, 0, "asset_tag", policies.Editable},          // no site: * rule
				{member, site7, "contract", policies.ViewOnly},       // * rule
				{member, site8, "contract", policies.Editable},       // site rule beats *
				{manager, site7, "asset_tag", policies.Editable},     // site rule beats *
				{manager, site8, "asset_tag", policies.ViewOnly},     // * rule
				{manager, site7, "contract", policies.ViewOnly},      // site rule, no * rule
				{manager, site8, "contract", policies.Hidden},        // site rule
				{manager, 9, "contract", policies.Hidden},            // no rule at all
				{manager, 0, "contract", policies.Hidden},            // only site rules: none for "no site"
				{member, site7, "internal_cost", policies.Hidden},    // no rule at all
				{member, site7, "status", policies.Hidden},           // built-in without rule
				{member, site7, "asset_tag_x", policies.Hidden},      // no prefix matching
				{member, site7, "ASSET_TAG", policies.Hidden},        // keys are exact
				{manager, site7, "asset_tag", policies.Editable},     // memoised answer is the same
				{member, site7 * 10, "asset_tag", policies.Editable}, // site 70 is not site 7
			}
			for _, tt := range tests {
				wantMode(ctx, t, svc, tt.role, tt.siteID, tt.field, tt.want)
			}

			got, err := svc.Modes(ctx, member, site8, []string{"asset_tag", "contract", "internal_cost"})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]policies.Mode{"asset_tag": policies.Editable, "contract": policies.Editable, "internal_cost": policies.Hidden}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("Modes: got %v, want %v", got, want)
			}
		})
	}
}

// defaultModes is the default policy the product promises new tenants.
var defaultModes = map[string]policies.Mode{
	"status": policies.ViewOnly, "type": policies.Editable, "priority": policies.Editable,
	"impact": policies.Editable, "product_family": policies.Editable, "assignee": policies.ViewOnly,
}

// TestDefaultPolicy checks model.conf and default.csv as plain Casbin files
// (the way any Casbin tool loads them) and through a Service.
func TestDefaultPolicy(t *testing.T) {
	t.Run("plain casbin", func(t *testing.T) {
		e, err := casbin.NewEnforcer("model.conf", "default.csv")
		if err != nil {
			t.Fatal(err)
		}
		for _, role := range svcportal.PortalRoles {
			for field, want := range defaultModes {
				ok, rule, err := e.EnforceEx(role, "12", field)
				if err != nil || !ok || len(rule) != 5 || policies.Mode(rule[4]) != want {
					t.Errorf("%s/%s: got %v %v %v, want a rule with %s", role, field, ok, rule, err, want)
				}
			}
			if ok, rule, err := e.EnforceEx(role, "12", "asset_tag"); err != nil || ok || len(rule) != 0 {
				t.Errorf("%s/asset_tag: got %v %v %v, want no rule", role, ok, rule, err)
			}
		}
	})

	t.Run("every built-in field, both roles, nothing else", func(t *testing.T) {
		rules, err := policies.DefaultRules()
		if err != nil {
			t.Fatal(err)
		}
		if len(rules) != len(svcportal.BuiltinFields)*len(svcportal.PortalRoles) {
			t.Errorf("got %d rules, want one per built-in field and role", len(rules))
		}
		for _, r := range rules {
			if r.SiteID != 0 || !svcportal.IsBuiltinField(r.Field) || defaultModes[r.Field] != r.Mode {
				t.Errorf("unexpected default rule %+v", r)
			}
		}
	})

	t.Run("seeded tenant", func(t *testing.T) {
		svc := policies.New(newMemStore())
		ctx := tenantCtx(1)
		if err := svc.SeedDefaults(ctx); err != nil {
			t.Fatal(err)
		}
		fields := append(slices.Clone(svcportal.BuiltinFields), "asset_tag")
		for _, role := range svcportal.PortalRoles {
			got, err := svc.Modes(ctx, role, 3, fields)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fields {
				want, ok := defaultModes[f]
				if !ok {
					want = policies.Hidden // custom fields start hidden
				}
				if got[f] != want {
					t.Errorf("%s/%s: got %s, want %s", role, f, got[f], want)
				}
			}
		}
	})
}

// TestService_SetModeTakesEffect shows a change is seen by the very next
// decision, with a real store.
func TestService_SetModeTakesEffect(t *testing.T) {
	st := testkit.Store(t)
	ctx, _ := testkit.Tenant(t, st, "acme")
	site := testkit.Site(ctx, t, st, "Initech")
	svc := policies.New(st)

	wantMode(ctx, t, svc, member, site.ID, "asset_tag", policies.Hidden)
	mustSet(ctx, t, svc, member, 0, "asset_tag", policies.Editable)
	wantMode(ctx, t, svc, member, site.ID, "asset_tag", policies.Editable)
	mustSet(ctx, t, svc, member, site.ID, "asset_tag", policies.ViewOnly)
	wantMode(ctx, t, svc, member, site.ID, "asset_tag", policies.ViewOnly)
	wantMode(ctx, t, svc, manager, site.ID, "asset_tag", policies.Hidden)

	if err := svc.DeleteRule(ctx, member, site.ID, "asset_tag"); err != nil {
		t.Fatal(err)
	}
	wantMode(ctx, t, svc, member, site.ID, "asset_tag", policies.Editable)
	if err := svc.DeleteRule(ctx, member, 0, "asset_tag"); err != nil {
		t.Fatal(err)
	}
	wantMode(ctx, t, svc, member, site.ID, "asset_tag", policies.Hidden)

	rules, err := svc.Rules(ctx)
	if err != nil || len(rules) != 0 {
		t.Errorf("Rules: got %v, %v; want none left", rules, err)
	}
}

// TestService_ChangeByAnotherInstance shows a Service notices a change
// made by another process: a second Service on a second connection pool
// to the same database.
func TestService_ChangeByAnotherInstance(t *testing.T) {
	url := testkit.DatabaseURL(t)
	open := func() *store.Store {
		st, err := store.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if _, err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return st
	}
	st1, st2 := open(), open()
	ctx, _ := testkit.Tenant(t, st1, "acme")
	site := testkit.Site(ctx, t, st1, "Initech")
	one, two := policies.New(st1), policies.New(st2)
	if err := one.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}

	// Warm the first instance's cache.
	wantMode(ctx, t, one, member, site.ID, "priority", policies.Editable)
	wantMode(ctx, t, one, member, site.ID, "asset_tag", policies.Hidden)

	mustSet(ctx, t, two, member, site.ID, "priority", policies.Hidden)
	mustSet(ctx, t, two, member, 0, "asset_tag", policies.Editable)
	wantMode(ctx, t, one, member, site.ID, "priority", policies.Hidden)
	wantMode(ctx, t, one, member, site.ID, "asset_tag", policies.Editable)

	if err := two.DeleteRule(ctx, member, site.ID, "priority"); err != nil {
		t.Fatal(err)
	}
	got, err := one.Modes(ctx, member, site.ID, []string{"priority", "asset_tag"})
	if err != nil {
		t.Fatal(err)
	}
	if got["priority"] != policies.Editable || got["asset_tag"] != policies.Editable {
		t.Errorf("Modes after the other instance's delete: got %v, want both editable", got)
	}
}

// TestService_TenantIsolation shows tenant B's rules never decide for
// tenant A, with one Service serving both.
func TestService_TenantIsolation(t *testing.T) {
	st := testkit.Store(t)
	actx, _ := testkit.Tenant(t, st, "acme")
	bctx, _ := testkit.Tenant(t, st, "globex")
	asite := testkit.Site(actx, t, st, "Initech")
	bsite := testkit.Site(bctx, t, st, "Hooli")
	svc := policies.New(st)
	if err := svc.SeedDefaults(actx); err != nil {
		t.Fatal(err)
	}
	wantMode(actx, t, svc, member, asite.ID, "type", policies.Editable)

	mustSet(bctx, t, svc, member, 0, "type", policies.Hidden)
	mustSet(bctx, t, svc, member, 0, "asset_tag", policies.Editable)
	mustSet(bctx, t, svc, manager, bsite.ID, "status", policies.Editable)
	if err := svc.SetMode(bctx, policies.Rule{Role: member, SiteID: asite.ID, Field: "type", Mode: policies.Hidden}); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("rule on another tenant's site: got %v, want not found", err)
	}

	wantMode(actx, t, svc, member, asite.ID, "type", policies.Editable)
	wantMode(actx, t, svc, member, asite.ID, "asset_tag", policies.Hidden)
	wantMode(actx, t, svc, manager, bsite.ID, "status", policies.ViewOnly)
	wantMode(bctx, t, svc, member, bsite.ID, "type", policies.Hidden)
	wantMode(bctx, t, svc, member, bsite.ID, "asset_tag", policies.Editable)
	wantMode(bctx, t, svc, manager, bsite.ID, "status", policies.Editable)

	arules, err := svc.Rules(actx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range arules {
		if r.Field == "asset_tag" || r.Mode == policies.Hidden {
			t.Errorf("acme has globex's rule %+v", r)
		}
	}
}

func TestService_InvalidInput(t *testing.T) {
	ms := newMemStore()
	svc := policies.New(ms)
	ctx := tenantCtx(1)
	tests := []struct {
		name string
		rule policies.Rule
		kind svcportal.Kind
	}{
		{"unknown role", policies.Rule{Role: "admin", Field: "status", Mode: policies.Editable}, svcportal.KindUnprocessable},
		{"unknown mode", policies.Rule{Role: member, Field: "status", Mode: "writable"}, svcportal.KindUnprocessable},
		{"empty mode", policies.Rule{Role: member, Field: "status"}, svcportal.KindUnprocessable},
		{"malformed field", policies.Rule{Role: member, Field: "Status!", Mode: policies.Editable}, svcportal.KindUnprocessable},
		{"negative site", policies.Rule{Role: member, SiteID: -2, Field: "status", Mode: policies.Editable}, svcportal.KindUnprocessable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := svc.SetMode(ctx, tt.rule); svcportal.KindOf(err) != tt.kind {
				t.Errorf("got %v, want kind %v", err, tt.kind)
			}
		})
	}
	if v, _ := ms.PolicyVersion(ctx); v != 0 {
		t.Errorf("refused rules reached the store: version %d", v)
	}
	if _, err := svc.Mode(ctx, "agent", 1, "status"); svcportal.KindOf(err) != svcportal.KindInvalid {
		t.Errorf("Mode for a staff role: got %v, want invalid", err)
	}
	if _, err := svc.Modes(ctx, "", 1, []string{"status"}); svcportal.KindOf(err) != svcportal.KindInvalid {
		t.Errorf("Modes for no role: got %v, want invalid", err)
	}
	if _, err := svc.Mode(context.Background(), member, 1, "status"); err == nil {
		t.Error("Mode without a tenant succeeded")
	}
}

func TestService_SeedDefaults(t *testing.T) {
	st := testkit.Store(t)
	ctx, _ := testkit.Tenant(t, st, "acme")
	svc := policies.New(st)
	for i := range 2 {
		if err := svc.SeedDefaults(ctx); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
	}
	rules, err := svc.Rules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defaults, _ := policies.DefaultRules()
	if len(rules) != len(defaults) {
		t.Errorf("got %d rules after two seeds, want %d", len(rules), len(defaults))
	}
	v, _ := st.PolicyVersion(ctx)

	// An admin's change survives later seeds (every start seeds).
	mustSet(ctx, t, svc, member, 0, "status", policies.Hidden)
	if err := svc.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	wantMode(ctx, t, svc, member, 0, "status", policies.Hidden)
	if v2, _ := st.PolicyVersion(ctx); v2 != v+1 {
		t.Errorf("got version %d, want %d: one change, no re-seed", v2, v+1)
	}
}

// TestService_CachesPerVersion shows the enforcer is rebuilt only when the
// version moves, not on every decision.
func TestService_CachesPerVersion(t *testing.T) {
	ms := newMemStore()
	svc := policies.New(ms)
	ctx := tenantCtx(1)
	if err := svc.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := svc.Modes(ctx, member, 1, svcportal.BuiltinFields); err != nil {
			t.Fatal(err)
		}
	}
	if ms.reads != 1 {
		t.Errorf("got %d rule loads for 5 calls at one version, want 1", ms.reads)
	}
	mustSet(ctx, t, svc, member, 0, "status", policies.Editable)
	wantMode(ctx, t, svc, member, 1, "status", policies.Editable)
	if ms.reads != 2 {
		t.Errorf("got %d rule loads after a change, want 2", ms.reads)
	}
}

// TestService_Concurrent runs decisions while rules change; with -race it
// also checks the cache's locking.
func TestService_Concurrent(t *testing.T) {
	ms := newMemStore()
	svc := policies.New(ms)
	ctx := tenantCtx(1)
	if err := svc.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				modes, err := svc.Modes(ctx, member, int64(i%5), svcportal.BuiltinFields)
				if err != nil {
					errs <- err
					return
				}
				if modes["type"] != policies.Editable {
					errs <- fmt.Errorf("goroutine %d: type is %s, want editable throughout", g, modes["type"])
					return
				}
			}
		}()
	}
	for i := range 50 {
		mode := policies.Hidden
		if i%2 == 0 {
			mode = policies.ViewOnly
		}
		mustSet(ctx, t, svc, member, 0, "status", mode)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	wantMode(ctx, t, svc, member, 3, "status", policies.Hidden)
}

// listFields are the ten fields a ticket list page checks: the built-in
// ones and four custom ones.
var listFields = append(slices.Clone(svcportal.BuiltinFields), "asset_tag", "contract", "internal_cost", "location")

// seedBenchPolicy gives a tenant the defaults, rules for the custom fields
// and overrides for 20 sites: about 100 rules.
func seedBenchPolicy(ctx context.Context, b *testing.B, svc *policies.Service, siteIDs []int64) {
	b.Helper()
	if err := svc.SeedDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	for _, role := range svcportal.PortalRoles {
		mustSet(ctx, b, svc, role, 0, "asset_tag", policies.Editable)
		mustSet(ctx, b, svc, role, 0, "contract", policies.ViewOnly)
		for _, id := range siteIDs {
			mustSet(ctx, b, svc, role, id, "location", policies.Editable)
			mustSet(ctx, b, svc, role, id, "priority", policies.ViewOnly)
		}
	}
}

// BenchmarkModes measures the batch check of a ticket list page: ten
// fields for one role at one site. "store" includes the version query on
// the test database; "memory" is the cached enforcer alone; "rebuild"
// changes the version before every call, so it pays for loading the rules
// into a new Casbin enforcer and ten fresh enforcements.
func BenchmarkModes(b *testing.B) {
	run := func(b *testing.B, ctx context.Context, svc *policies.Service, siteID int64, before func()) {
		b.Helper()
		b.ReportAllocs()
		for b.Loop() {
			if before != nil {
				before()
			}
			modes, err := svc.Modes(ctx, member, siteID, listFields)
			if err != nil {
				b.Fatal(err)
			}
			if modes["location"] != policies.Editable || modes["priority"] != policies.ViewOnly {
				b.Fatalf("got %v", modes)
			}
		}
	}

	b.Run("store", func(b *testing.B) {
		st := testkit.Store(b)
		ctx, _ := testkit.Tenant(b, st, "acme")
		var ids []int64
		for i := range 20 {
			ids = append(ids, testkit.Site(ctx, b, st, fmt.Sprintf("Site %d", i)).ID)
		}
		svc := policies.New(st)
		seedBenchPolicy(ctx, b, svc, ids)
		run(b, ctx, svc, ids[7], nil)
	})

	ids := make([]int64, 20)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	b.Run("memory", func(b *testing.B) {
		ctx := tenantCtx(1)
		svc := policies.New(newMemStore())
		seedBenchPolicy(ctx, b, svc, ids)
		run(b, ctx, svc, ids[7], nil)
	})
	b.Run("rebuild", func(b *testing.B) {
		ctx := tenantCtx(1)
		ms := newMemStore()
		svc := policies.New(ms)
		seedBenchPolicy(ctx, b, svc, ids)
		run(b, ctx, svc, ids[7], func() {
			ms.mu.Lock()
			ms.versions[1]++
			ms.mu.Unlock()
		})
	})
}

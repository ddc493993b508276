package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

func TestPolicyStore(t *testing.T) {
	st := testkit.Store(t)
	ctx, _ := testkit.Tenant(t, st, "acme")
	site := testkit.Site(ctx, t, st, "Initech")

	version := func(t *testing.T) int64 {
		t.Helper()
		v, err := st.PolicyVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	t.Run("version starts at 0 with no rules", func(t *testing.T) {
		if v := version(t); v != 0 {
			t.Errorf("got version %d, want 0", v)
		}
		if rules, err := st.PolicyRules(ctx); err != nil || len(rules) != 0 {
			t.Errorf("got %v, %v; want no rules", rules, err)
		}
	})

	t.Run("replace inserts, then replaces, bumping the version each time", func(t *testing.T) {
		before := version(t)
		r := svcportal.PolicyRule{Role: svcportal.RoleMember, Field: "asset_tag", Mode: svcportal.FieldEditable}
		if err := st.ReplacePolicyRule(ctx, r); err != nil {
			t.Fatal(err)
		}
		mid := version(t)
		r.Mode = svcportal.FieldViewOnly
		if err := st.ReplacePolicyRule(ctx, r); err != nil {
			t.Fatal(err)
		}
		if after := version(t); !(before < mid && mid < after) {
			t.Errorf("got versions %d, %d, %d; want increasing", before, mid, after)
		}
		rules, err := st.PolicyRules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rules) != 1 || rules[0].Mode != svcportal.FieldViewOnly || rules[0].Field != "asset_tag" || rules[0].SiteID != 0 {
			t.Errorf("got %+v, want the one replaced rule", rules)
		}
	})

	t.Run("site rule beside the all-sites rule", func(t *testing.T) {
		r := svcportal.PolicyRule{Role: svcportal.RoleMember, SiteID: site.ID, Field: "asset_tag", Mode: svcportal.FieldHidden}
		if err := st.ReplacePolicyRule(ctx, r); err != nil {
			t.Fatal(err)
		}
		rules, err := st.PolicyRules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rules) != 2 || rules[0].SiteID != 0 || rules[1].SiteID != site.ID || rules[1].Mode != svcportal.FieldHidden {
			t.Errorf("got %+v, want the all-sites rule then the site's", rules)
		}
	})

	t.Run("unknown site", func(t *testing.T) {
		before := version(t)
		r := svcportal.PolicyRule{Role: svcportal.RoleMember, SiteID: site.ID + 1000, Field: "asset_tag", Mode: svcportal.FieldHidden}
		if err := st.ReplacePolicyRule(ctx, r); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("got %v, want not found", err)
		}
		if after := version(t); after != before {
			t.Errorf("refused change moved the version from %d to %d", before, after)
		}
	})

	t.Run("delete", func(t *testing.T) {
		before := version(t)
		if err := st.DeletePolicyRule(ctx, svcportal.RoleMember, site.ID, "asset_tag"); err != nil {
			t.Fatal(err)
		}
		if after := version(t); after <= before {
			t.Errorf("got version %d after %d, want it to grow", after, before)
		}
		rules, err := st.PolicyRules(ctx)
		if err != nil || len(rules) != 1 || rules[0].SiteID != 0 {
			t.Errorf("got %+v, %v; want only the all-sites rule left", rules, err)
		}
		if err := st.DeletePolicyRule(ctx, svcportal.RoleMember, site.ID, "asset_tag"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("second delete: got %v, want not found", err)
		}
	})
}

func TestPolicyStore_Seed(t *testing.T) {
	st := testkit.Store(t)
	defaults := []svcportal.PolicyRule{
		{Role: svcportal.RoleMember, Field: "status", Mode: svcportal.FieldViewOnly},
		{Role: svcportal.RoleSiteManager, Field: "status", Mode: svcportal.FieldViewOnly},
	}

	t.Run("once, then never", func(t *testing.T) {
		ctx, _ := testkit.Tenant(t, st, "acme")
		seeded, err := st.SeedPolicyRules(ctx, defaults)
		if err != nil || !seeded {
			t.Fatalf("first seed: got %v, %v; want true", seeded, err)
		}
		v, _ := st.PolicyVersion(ctx)
		seeded, err = st.SeedPolicyRules(ctx, defaults)
		if err != nil || seeded {
			t.Errorf("second seed: got %v, %v; want false", seeded, err)
		}
		if v2, _ := st.PolicyVersion(ctx); v2 != v || v == 0 {
			t.Errorf("got version %d then %d, want one bump by the first seed only", v, v2)
		}
		if rules, _ := st.PolicyRules(ctx); len(rules) != 2 {
			t.Errorf("got %d rules, want 2", len(rules))
		}
	})

	t.Run("not over an admin's rules", func(t *testing.T) {
		ctx, _ := testkit.Tenant(t, st, "globex")
		if err := st.ReplacePolicyRule(ctx, svcportal.PolicyRule{Role: svcportal.RoleMember, Field: "status", Mode: svcportal.FieldHidden}); err != nil {
			t.Fatal(err)
		}
		if seeded, err := st.SeedPolicyRules(ctx, defaults); err != nil || seeded {
			t.Errorf("got %v, %v; want false", seeded, err)
		}
		if rules, _ := st.PolicyRules(ctx); len(rules) != 1 || rules[0].Mode != svcportal.FieldHidden {
			t.Errorf("got %+v, want the admin's rule alone", rules)
		}
	})

	t.Run("concurrent seeds seed once", func(t *testing.T) {
		ctx, _ := testkit.Tenant(t, st, "initech")
		var wg sync.WaitGroup
		results := make([]bool, 4)
		errs := make([]error, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = st.SeedPolicyRules(ctx, defaults)
			}()
		}
		wg.Wait()
		n := 0
		for i := range results {
			if errs[i] != nil {
				t.Errorf("seed %d: %v", i, errs[i])
			}
			if results[i] {
				n++
			}
		}
		if n != 1 {
			t.Errorf("got %d seeds, want 1", n)
		}
		if rules, _ := st.PolicyRules(ctx); len(rules) != 2 {
			t.Errorf("got %d rules, want 2", len(rules))
		}
	})
}

// TestPolicyStore_TenantIsolation shows tenant B never reads or changes
// tenant A's rules or version, nor writes rules for A's sites.
func TestPolicyStore_TenantIsolation(t *testing.T) {
	st := testkit.Store(t)
	actx, _ := testkit.Tenant(t, st, "acme")
	bctx, _ := testkit.Tenant(t, st, "globex")
	asite := testkit.Site(actx, t, st, "Initech")
	rule := svcportal.PolicyRule{Role: svcportal.RoleMember, Field: "asset_tag", Mode: svcportal.FieldEditable}
	if err := st.ReplacePolicyRule(actx, rule); err != nil {
		t.Fatal(err)
	}
	av, _ := st.PolicyVersion(actx)

	if rules, err := st.PolicyRules(bctx); err != nil || len(rules) != 0 {
		t.Errorf("PolicyRules: got %v, %v; want none", rules, err)
	}
	if v, err := st.PolicyVersion(bctx); err != nil || v != 0 {
		t.Errorf("PolicyVersion: got %d, %v; want 0", v, err)
	}
	if err := st.DeletePolicyRule(bctx, rule.Role, 0, rule.Field); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("DeletePolicyRule: got %v, want not found", err)
	}
	onASite := svcportal.PolicyRule{Role: svcportal.RoleMember, SiteID: asite.ID, Field: "asset_tag", Mode: svcportal.FieldHidden}
	if err := st.ReplacePolicyRule(bctx, onASite); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("rule on another tenant's site: got %v, want not found", err)
	}
	rule.Mode = svcportal.FieldHidden
	if err := st.ReplacePolicyRule(bctx, rule); err != nil {
		t.Fatal(err)
	}
	if rules, err := st.PolicyRules(actx); err != nil || len(rules) != 1 || rules[0].Mode != svcportal.FieldEditable {
		t.Errorf("acme's rules: got %+v, %v; want its editable rule untouched", rules, err)
	}
	if v, _ := st.PolicyVersion(actx); v != av {
		t.Errorf("acme's version moved from %d to %d by globex's change", av, v)
	}
	if _, err := st.PolicyRules(context.Background()); err == nil {
		t.Error("PolicyRules without a tenant succeeded")
	}
}

package fields_test

import (
	"sync"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/fields"
	"github.com/svcportal/svcportal/testkit"
)

// Two admins at once — one makes a field required, the other hides it from
// members — must never both succeed: the invariant is checked in the
// transaction of each change, and changes of a tenant are serialised.
func TestService_RequiredStaysEditableUnderConcurrency(t *testing.T) {
	st := testkit.Store(t)
	ctx, _ := testkit.Tenant(t, st, "acme")
	svc := fields.New(st)
	for round := range 20 {
		key := "asset_" + string(rune('a'+round))
		f := &svcportal.TicketField{Key: key, Type: svcportal.FieldText, Labels: map[string]string{"en": "Asset"}}
		if err := svc.CreateField(ctx, f); err != nil {
			t.Fatal(err)
		}
		for _, role := range svcportal.PortalRoles {
			if err := svc.PutRule(ctx, svcportal.PolicyRule{Role: role, Field: key, Mode: svcportal.FieldEditable}); err != nil {
				t.Fatal(err)
			}
		}
		required := true
		var wg sync.WaitGroup
		var errRequire, errHide error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, errRequire = svc.UpdateField(ctx, key, svcportal.FieldPatch{Required: &required})
		}()
		go func() {
			defer wg.Done()
			errHide = svc.PutRule(ctx, svcportal.PolicyRule{Role: svcportal.RoleMember, Field: key, Mode: svcportal.FieldHidden})
		}()
		wg.Wait()
		if errRequire == nil && errHide == nil {
			t.Fatalf("round %d: both changes succeeded", round)
		}
		for _, err := range []error{errRequire, errHide} {
			if err != nil && svcportal.KindOf(err) != svcportal.KindUnprocessable {
				t.Fatalf("round %d: got %v, want a validation error", round, err)
			}
		}
		all, err := svc.Fields(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		rules, err := svc.Rules(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := svcportal.RequiredStaysEditable(all, rules); err != nil {
			t.Fatalf("round %d: the committed configuration breaks the invariant: %v", round, err)
		}
	}
}

func TestService_Changes(t *testing.T) {
	st := testkit.Store(t)
	ctx, _ := testkit.Tenant(t, st, "acme")
	svc := fields.New(st)
	f := &svcportal.TicketField{Key: "contract", Type: svcportal.FieldText, Labels: map[string]string{"en": "Contract"}}
	if err := svc.CreateField(ctx, f); err != nil {
		t.Fatal(err)
	}
	t.Run("an invalid field is refused", func(t *testing.T) {
		err := svc.CreateField(ctx, &svcportal.TicketField{Key: "Bad Key", Type: svcportal.FieldText})
		if svcportal.KindOf(err) != svcportal.KindUnprocessable {
			t.Errorf("got %v, want KindUnprocessable", err)
		}
	})
	t.Run("a taken key is a conflict", func(t *testing.T) {
		err := svc.CreateField(ctx, &svcportal.TicketField{Key: "contract", Type: svcportal.FieldText, Labels: map[string]string{"en": "Again"}})
		if svcportal.KindOf(err) != svcportal.KindConflict {
			t.Errorf("got %v, want KindConflict", err)
		}
	})
	t.Run("a required field that members cannot edit is refused, and nothing changes", func(t *testing.T) {
		required := true
		_, err := svc.UpdateField(ctx, "contract", svcportal.FieldPatch{Required: &required})
		if svcportal.KindOf(err) != svcportal.KindUnprocessable {
			t.Fatalf("got %v, want KindUnprocessable", err)
		}
		if got, _ := svc.Field(ctx, "contract"); got.Required {
			t.Error("the refused change was saved")
		}
	})
	t.Run("a rule for an unknown field is refused", func(t *testing.T) {
		err := svc.PutRule(ctx, svcportal.PolicyRule{Role: svcportal.RoleMember, Field: "nope", Mode: svcportal.FieldEditable})
		if svcportal.KindOf(err) != svcportal.KindUnprocessable {
			t.Errorf("got %v, want KindUnprocessable", err)
		}
	})
	t.Run("deleting a missing rule or field is not found", func(t *testing.T) {
		if err := svc.DeleteRule(ctx, svcportal.RoleMember, 0, "contract"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("rule: got %v", err)
		}
		if err := svc.DeleteField(ctx, "nope"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("field: got %v", err)
		}
	})
}

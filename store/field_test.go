package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

func newField(t *testing.T, key string, typ svcportal.FieldType, position int, options ...string) *svcportal.TicketField {
	t.Helper()
	f := &svcportal.TicketField{Key: key, Type: typ, Position: position,
		Labels: map[string]string{"en": "Label " + key, "fr": "Libellé " + key}}
	for _, o := range options {
		f.Options = append(f.Options, svcportal.FieldOption{Value: o, Labels: map[string]string{"en": "Option " + o}})
	}
	if err := f.Validate(); err != nil {
		t.Fatalf("field %s: %v", key, err)
	}
	return f
}

func TestTicketFieldStore(t *testing.T) {
	clock := testkit.NewClock()
	st := testkit.Store(t, store.WithClock(clock.Now))
	ctx, _ := testkit.Tenant(t, st, "acme")

	contract := newField(t, "contract", svcportal.FieldDropdown, 2, "gold", "silver")
	contract.Required = true
	contract.TicketTypes = []string{"incident"}
	for _, f := range []*svcportal.TicketField{contract, newField(t, "asset_tag", svcportal.FieldText, 1),
		newField(t, "internal_cost", svcportal.FieldNumber, 2)} {
		if err := st.CreateTicketField(ctx, f); err != nil {
			t.Fatalf("create %s: %v", f.Key, err)
		}
		if f.ID == 0 || !f.CreatedAt.Equal(clock.Now()) {
			t.Errorf("%s: got id %d created %v, want an id and the clock's time", f.Key, f.ID, f.CreatedAt)
		}
	}

	t.Run("read back with JSON columns", func(t *testing.T) {
		got, err := st.TicketField(ctx, "contract")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != contract.ID || got.Type != svcportal.FieldDropdown || !got.Required || got.Position != 2 {
			t.Errorf("got %+v", got)
		}
		if got.Labels["fr"] != "Libellé contract" || len(got.Options) != 2 || got.Options[1].Value != "silver" ||
			got.Options[0].Labels["en"] != "Option gold" {
			t.Errorf("got labels %v options %+v", got.Labels, got.Options)
		}
		if !slices.Equal(got.TicketTypes, []string{"incident"}) || got.DeletedAt != nil {
			t.Errorf("got ticket types %v deleted %v", got.TicketTypes, got.DeletedAt)
		}
		text, err := st.TicketField(ctx, "asset_tag")
		if err != nil {
			t.Fatal(err)
		}
		if text.Options == nil || len(text.Options) != 0 || text.TicketTypes == nil || len(text.TicketTypes) != 0 {
			t.Errorf("got options %#v ticket types %#v, want empty, not nil", text.Options, text.TicketTypes)
		}
	})

	t.Run("ordered by position then key", func(t *testing.T) {
		fields, err := st.TicketFields(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := keys(fields); !slices.Equal(got, []string{"asset_tag", "contract", "internal_cost"}) {
			t.Errorf("got %v", got)
		}
	})

	t.Run("key taken", func(t *testing.T) {
		err := st.CreateTicketField(ctx, newField(t, "asset_tag", svcportal.FieldLongText, 0))
		if svcportal.KindOf(err) != svcportal.KindConflict {
			t.Fatalf("got %v, want conflict", err)
		}
		if e := err.(*svcportal.Error); e.Fields["key"].MessageID != "error.field_key_taken" {
			t.Errorf("got fields %v, want key: error.field_key_taken", e.Fields)
		}
	})

	t.Run("update keeps key, type and creation time", func(t *testing.T) {
		clock.Advance(time.Hour)
		upd := newField(t, "contract", svcportal.FieldMultiSelect, 7, "gold", "silver", "bronze")
		upd.ID = 999999
		upd.Labels = map[string]string{"de": "Vertrag"}
		if err := st.UpdateTicketField(ctx, upd); err != nil {
			t.Fatal(err)
		}
		got, err := st.TicketField(ctx, "contract")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != contract.ID || got.Type != svcportal.FieldDropdown || !got.CreatedAt.Equal(contract.CreatedAt) {
			t.Errorf("got id %d type %s created %v; want them unchanged", got.ID, got.Type, got.CreatedAt)
		}
		if got.Position != 7 || len(got.Options) != 3 || got.Labels["de"] != "Vertrag" || got.Required ||
			!got.UpdatedAt.Equal(clock.Now()) {
			t.Errorf("got %+v, want the update saved", got)
		}
		if upd.ID != contract.ID || upd.Type != svcportal.FieldDropdown {
			t.Errorf("caller's field not refreshed: id %d type %s", upd.ID, upd.Type)
		}
	})

	t.Run("unknown key", func(t *testing.T) {
		if _, err := st.TicketField(ctx, "nope"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("TicketField: got %v, want not found", err)
		}
		if err := st.UpdateTicketField(ctx, newField(t, "nope", svcportal.FieldText, 0)); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("UpdateTicketField: got %v, want not found", err)
		}
		if err := st.DeleteTicketField(ctx, "nope"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("DeleteTicketField: got %v, want not found", err)
		}
	})

	t.Run("soft delete", func(t *testing.T) {
		if err := st.DeleteTicketField(ctx, "internal_cost"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.TicketField(ctx, "internal_cost"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("TicketField: got %v, want not found once deleted", err)
		}
		live, err := st.TicketFields(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := keys(live); slices.Contains(got, "internal_cost") {
			t.Errorf("live fields %v include the deleted one", got)
		}
		all, err := st.TicketFields(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(all, func(f svcportal.TicketField) bool { return f.Key == "internal_cost" })
		if i < 0 || all[i].DeletedAt == nil || !all[i].DeletedAt.Equal(clock.Now()) {
			t.Fatalf("got %+v, want internal_cost with deleted_at", all)
		}
		if err := st.DeleteTicketField(ctx, "internal_cost"); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("second delete: got %v, want not found", err)
		}
		if err := st.UpdateTicketField(ctx, newField(t, "internal_cost", svcportal.FieldNumber, 0)); svcportal.KindOf(err) != svcportal.KindNotFound {
			t.Errorf("update of a deleted field: got %v, want not found", err)
		}
		if err := st.CreateTicketField(ctx, newField(t, "internal_cost", svcportal.FieldText, 0)); svcportal.KindOf(err) != svcportal.KindConflict {
			t.Errorf("reusing a deleted key: got %v, want conflict", err)
		}
	})
}

// TestTicketFieldStore_TenantIsolation shows tenant B never reads or
// changes tenant A's fields, and may use the same keys.
func TestTicketFieldStore_TenantIsolation(t *testing.T) {
	st := testkit.Store(t)
	actx, _ := testkit.Tenant(t, st, "acme")
	bctx, _ := testkit.Tenant(t, st, "globex")
	if err := st.CreateTicketField(actx, newField(t, "asset_tag", svcportal.FieldText, 0)); err != nil {
		t.Fatal(err)
	}

	if _, err := st.TicketField(bctx, "asset_tag"); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("TicketField: got %v, want not found", err)
	}
	if fields, err := st.TicketFields(bctx, true); err != nil || len(fields) != 0 {
		t.Errorf("TicketFields: got %v, %v; want none", fields, err)
	}
	if err := st.UpdateTicketField(bctx, newField(t, "asset_tag", svcportal.FieldText, 5)); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("UpdateTicketField: got %v, want not found", err)
	}
	if err := st.DeleteTicketField(bctx, "asset_tag"); svcportal.KindOf(err) != svcportal.KindNotFound {
		t.Errorf("DeleteTicketField: got %v, want not found", err)
	}
	if got, err := st.TicketField(actx, "asset_tag"); err != nil || got.Position != 0 || got.DeletedAt != nil {
		t.Errorf("acme's field: got %+v, %v; want it untouched", got, err)
	}
	if err := st.CreateTicketField(bctx, newField(t, "asset_tag", svcportal.FieldNumber, 0)); err != nil {
		t.Errorf("same key in another tenant: %v", err)
	}
}

func keys(fields []svcportal.TicketField) []string {
	var out []string
	for _, f := range fields {
		out = append(out, f.Key)
	}
	return out
}

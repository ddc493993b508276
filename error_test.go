package svcportal_test

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/svcportal/svcportal"
)

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want svcportal.Kind
	}{
		{"nil", nil, svcportal.KindNone},
		{"plain error", errors.New("boom"), svcportal.KindInternal},
		{"*Error", svcportal.ErrNotFound(), svcportal.KindNotFound},
		{"wrapped *Error", fmt.Errorf("load: %w", svcportal.NewError(svcportal.KindConflict, "x")), svcportal.KindConflict},
		{"*Error without a kind", &svcportal.Error{MessageID: "x"}, svcportal.KindInternal},
	} {
		if got := svcportal.KindOf(tc.err); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestKinds(t *testing.T) {
	// Every kind String names is in Kinds, and nothing else is.
	for k := svcportal.KindNone; k < svcportal.KindNone+50; k++ {
		named := k == svcportal.KindInternal || k.String() != "internal" && k != svcportal.KindNone
		if named != slices.Contains(svcportal.Kinds, k) {
			t.Errorf("kind %d (%s): named %v, in Kinds %v", k, k, named, !named)
		}
	}
}

func TestFieldErr(t *testing.T) {
	data := map[string]any{"Max": 3}
	e := svcportal.FieldErr(svcportal.KindUnprocessable, "files", "error.too_many_files", data)
	want := &svcportal.Error{Kind: svcportal.KindUnprocessable, MessageID: "error.too_many_files", Data: data,
		Fields: map[string]svcportal.FieldError{"files": {MessageID: "error.too_many_files", Data: data}}}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("got %+v, want %+v", e, want)
	}
	if e := svcportal.FieldErr(svcportal.KindInvalid, "", "error.empty_body", nil); e.Fields != nil {
		t.Errorf("no field: got fields %v, want none", e.Fields)
	}
}

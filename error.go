package svcportal

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error; web maps each kind to one HTTP status.
type Kind int

// The kinds of error. Anything that is not an *Error is KindInternal; no
// error at all is KindNone, so that a switch on KindOf(err) names success
// as a case of its own. KindInternal stays the zero value, so an *Error
// built without a kind counts as a bug.
const (
	KindNone            Kind = iota - 1 // no error: what KindOf(nil) returns
	KindInternal                        // a bug or an outage: logged in full, shown as a generic message
	KindInvalid                         // the request is malformed (bad JSON, wrong type)
	KindUnprocessable                   // well-formed but fails validation; Fields says where
	KindNotFound                        // absent, or not visible to the caller
	KindConflict                        // clashes with existing data (duplicate slug, email…)
	KindForbidden                       // authenticated but not allowed
	KindUnauthorized                    // not authenticated
	KindTooManyRequests                 // throttled
	KindTooLarge                        // body or file over the limit
)

// Error is the one error type of the application. MessageID is a go-i18n
// message id, so the text shown to a person is always translated; Cause is
// internal detail that is logged, never shown.
type Error struct {
	Kind      Kind
	Code      string         // machine-readable code of the JSON API, e.g. "not_found"
	MessageID string         // catalog id of the human message
	Data      map[string]any // template data for the message
	Fields    map[string]FieldError
	Cause     error
	// RetryAfter tells a throttled caller when to try again
	// (KindTooManyRequests); web sends it as the Retry-After header.
	RetryAfter time.Duration
}

// FieldError is the translated complaint about one input field.
type FieldError struct {
	MessageID string
	Data      map[string]any
}

func (e *Error) Error() string {
	s := e.Code
	if s == "" {
		s = e.Kind.String()
	}
	if e.MessageID != "" {
		s += ": " + e.MessageID
	}
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" %v", e.Fields)
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap gives errors.Is and errors.As access to the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Kinds lists every kind of error, KindNone aside.
var Kinds = []Kind{KindInternal, KindInvalid, KindUnprocessable, KindNotFound, KindConflict,
	KindForbidden, KindUnauthorized, KindTooManyRequests, KindTooLarge}

// String names the kind; it is also the default API code.
func (k Kind) String() string {
	switch k {
	case KindNone:
		return "none"
	case KindInvalid:
		return "invalid_request"
	case KindUnprocessable:
		return "validation_failed"
	case KindNotFound:
		return "not_found"
	case KindConflict:
		return "conflict"
	case KindForbidden:
		return "forbidden"
	case KindUnauthorized:
		return "unauthorized"
	case KindTooManyRequests:
		return "too_many_requests"
	case KindTooLarge:
		return "too_large"
	}
	return "internal"
}

// APICode is the code the JSON API reports for e.
func (e *Error) APICode() string {
	if e.Code != "" {
		return e.Code
	}
	return e.Kind.String()
}

// KindOf returns the kind of err: KindNone for nil, that of the first
// *Error in its chain, or KindInternal.
func KindOf(err error) Kind {
	if err == nil {
		return KindNone
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// NewError returns an error of kind k with a translated message.
func NewError(k Kind, messageID string) *Error {
	return &Error{Kind: k, MessageID: messageID}
}

// FieldErr returns an error of kind k about one input field: messageID,
// with data, is both the error's message and the field's complaint. With
// field "" the error names no field. For several fields, use Validation.
func FieldErr(k Kind, field, messageID string, data map[string]any) *Error {
	e := &Error{Kind: k, MessageID: messageID, Data: data}
	if field != "" {
		e.Fields = map[string]FieldError{field: {MessageID: messageID, Data: data}}
	}
	return e
}

// ErrNotFound is the answer for anything absent or invisible to the caller.
func ErrNotFound() *Error { return NewError(KindNotFound, "error.not_found") }

// Validation collects field errors; Err returns nil when there are none.
type Validation struct {
	fields map[string]FieldError
}

// Add records that field fails with messageID, unless the field already
// has a complaint (the first one is the most useful).
func (v *Validation) Add(field, messageID string, data map[string]any) {
	if v.fields == nil {
		v.fields = map[string]FieldError{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = FieldError{MessageID: messageID, Data: data}
	}
}

// Check adds the complaint when ok is false.
func (v *Validation) Check(ok bool, field, messageID string, data map[string]any) {
	if !ok {
		v.Add(field, messageID, data)
	}
}

// Drop forgets the complaint on field, if any.
func (v *Validation) Drop(field string) {
	delete(v.fields, field)
}

// Merge copies the field complaints of a validation error into v, with
// prefix before each field name; other errors are ignored.
func (v *Validation) Merge(err error, prefix string) {
	var e *Error
	if errors.As(err, &e) {
		for f, fe := range e.Fields {
			v.Add(prefix+f, fe.MessageID, fe.Data)
		}
	}
}

// Err returns the collected complaints as one KindUnprocessable error.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	return &Error{Kind: KindUnprocessable, MessageID: "error.validation", Fields: v.fields}
}

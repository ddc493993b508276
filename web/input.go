package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
)

// Every piece of text a client sends — query parameters, the path, form
// fields (URL-encoded or multipart), file names and JSON strings — passes
// one check here before a handler sees it: it must be valid UTF-8 without
// NUL bytes. PostgreSQL refuses both in text columns, so they would
// otherwise surface as 500s deep in a query; they are a 400 naming the
// field instead.

// ValidText reports whether s is acceptable text input.
func ValidText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// errInvalidText is the answer for text that is not valid input; field
// names where it was found ("" when that is unknown).
func errInvalidText(field string) error {
	if !ValidText(field) {
		field = strings.ToValidUTF8(strings.ReplaceAll(field, "\x00", ""), "")
	}
	e := svcportal.FieldErr(svcportal.KindInvalid, field, "error.invalid_text", nil)
	e.Code = "invalid_text"
	return e
}

// CheckValues checks the names and values of query parameters or form
// fields.
func CheckValues(vs url.Values) error {
	for k, list := range vs {
		if !ValidText(k) {
			return errInvalidText(k)
		}
		for _, v := range list {
			if !ValidText(v) {
				return errInvalidText(k)
			}
		}
	}
	return nil
}

// checkURL is middleware of tenant hosts that refuses a request whose
// path or query parameters are not valid text.
func checkURL(c *gin.Context) {
	err := error(nil)
	if !ValidText(c.Request.URL.Path) {
		err = errInvalidText("")
	} else if q, perr := url.ParseQuery(c.Request.URL.RawQuery); perr != nil {
		err = svcportal.NewError(svcportal.KindInvalid, "error.invalid_request")
	} else {
		err = CheckValues(q)
	}
	if err != nil {
		Fail(c, err)
		c.Abort()
		return
	}
	c.Next()
}

// checkJSONText walks a JSON document and refuses it when a key or a
// string holds a NUL or the document is not valid UTF-8 (which
// encoding/json would silently replace). It names the field by the path
// of object keys that lead to it, e.g. "fields.asset_tag".
func checkJSONText(raw []byte) error {
	if !utf8.Valid(raw) {
		return errInvalidText("")
	}
	if !bytes.Contains(raw, []byte(`\u0000`)) {
		return nil // the only way to put a NUL in valid JSON text is the escape
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	type frame struct {
		object    bool
		key       string
		expectKey bool
	}
	var stack []frame
	path := func() string {
		var parts []string
		for _, f := range stack {
			if f.object && f.key != "" {
				parts = append(parts, f.key)
			}
		}
		return strings.Join(parts, ".")
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // malformed documents are refused by the decoder itself
		}
		top := len(stack) - 1
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{object: true, expectKey: true})
			case '[':
				stack = append(stack, frame{})
			default:
				stack = stack[:top]
				if top > 0 && stack[top-1].object {
					stack[top-1].expectKey = true
				}
			}
			continue
		case string:
			if top >= 0 && stack[top].object && stack[top].expectKey {
				stack[top].key = v
				stack[top].expectKey = false
				if strings.IndexByte(v, 0) >= 0 {
					return errInvalidText(path())
				}
				continue
			}
			if strings.IndexByte(v, 0) >= 0 {
				return errInvalidText(path())
			}
		}
		if top >= 0 && stack[top].object {
			stack[top].expectKey = true
		}
	}
}

package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
)

// MaxJSONBody is the largest JSON request body accepted.
const MaxJSONBody = 1 << 20

// BindJSON decodes the request body into dst strictly: malformed JSON, a
// value of the wrong type and an unknown field are 400 with the field
// named, and so is text that is not valid UTF-8 or holds a NUL (see
// checkJSONText); a body over MaxJSONBody is 413.
func BindJSON(c *gin.Context, dst any) error {
	raw, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxJSONBody))
	if err == nil {
		err = DecodeJSON(raw, dst)
	}
	return jsonError(err)
}

// DecodeJSON is BindJSON's decoding of a body already read: strict, and
// refusing text that is not valid input. Its errors are raw; BindJSON
// translates them.
func DecodeJSON(raw []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil && dec.More() {
		err = errors.New("trailing data")
	}
	if err == nil {
		err = checkJSONText(raw)
	}
	return err
}

func jsonError(err error) error {
	if err == nil {
		return nil
	}
	var own *svcportal.Error
	if errors.As(err, &own) {
		return own
	}
	var (
		tooLarge *http.MaxBytesError
		typeErr  *json.UnmarshalTypeError
	)
	invalid := func(field, msg string) error { return svcportal.FieldErr(svcportal.KindInvalid, field, msg, nil) }
	switch {
	case errors.As(err, &tooLarge):
		return svcportal.NewError(svcportal.KindTooLarge, "error.too_large")
	case errors.As(err, &typeErr):
		return invalid(typeErr.Field, "error.wrong_type")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return invalid(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "error.unknown_field")
	case errors.Is(err, io.EOF):
		return invalid("", "error.empty_body")
	}
	return invalid("", "error.invalid_json")
}

// FieldErrors translates the field complaints of err for a form.
func FieldErrors(c *gin.Context, err error) map[string]string {
	var e *svcportal.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return nil
	}
	tr := Translator(c)
	out := make(map[string]string, len(e.Fields))
	for f, fe := range e.Fields {
		out[f] = tr.T(fe.MessageID, fe.Data)
	}
	return out
}

// FormAlert is the message shown above a form shown again for err when no
// field carries the complaint (throttling, a conflict…); "" when the
// fields say it all.
func FormAlert(c *gin.Context, err error) string {
	var e *svcportal.Error
	if errors.As(err, &e) && len(e.Fields) > 0 {
		return ""
	}
	return ErrorMessage(c, err)
}

// ErrorMessage translates err's main message for a page, or the generic
// one for an internal error.
func ErrorMessage(c *gin.Context, err error) string {
	var e *svcportal.Error
	if !errors.As(err, &e) || internal(e) {
		return Translator(c).T("error.internal")
	}
	return Translator(c).T(messageID(e), e.Data)
}

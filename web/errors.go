package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
)

// statusOf is the one table from error kind to HTTP status; a kind it
// lacks is answered as internal (see status).
var statusOf = map[svcportal.Kind]int{
	svcportal.KindInternal:        http.StatusInternalServerError,
	svcportal.KindInvalid:         http.StatusBadRequest,
	svcportal.KindUnprocessable:   http.StatusUnprocessableEntity,
	svcportal.KindNotFound:        http.StatusNotFound,
	svcportal.KindConflict:        http.StatusConflict,
	svcportal.KindForbidden:       http.StatusForbidden,
	svcportal.KindUnauthorized:    http.StatusUnauthorized,
	svcportal.KindTooManyRequests: http.StatusTooManyRequests,
	svcportal.KindTooLarge:        http.StatusRequestEntityTooLarge,
}

// status is the HTTP status of kind k: 500 for a kind statusOf lacks
// (KindNone among them), never a 200 with an error body.
func status(k svcportal.Kind) int {
	if st, ok := statusOf[k]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// internal reports whether err is shown as the generic internal error:
// not an *Error, or of a kind without a status of its own.
func internal(e *svcportal.Error) bool {
	return e == nil || status(e.Kind) == http.StatusInternalServerError
}

// Redisplays is the one rule of which errors a page form answers by
// showing itself again, with what was typed and what is wrong: those the
// reader can act on. No error, an internal one and not found (the thing
// the form is about is gone, or never was theirs) are not among them;
// those go to Fail.
func Redisplays(err error) bool {
	var e *svcportal.Error
	if !errors.As(err, &e) || internal(e) {
		return false
	}
	return e.Kind != svcportal.KindNotFound
}

// HandlerFunc is a gin handler that returns its failure instead of writing
// it, so that every error is rendered in one place.
type HandlerFunc func(c *gin.Context) error

// H adapts a HandlerFunc to gin. A multipart body reaches only the
// handlers of routes marked with AcceptUploads; elsewhere it is refused
// unread.
func H(h HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if IsMultipart(c) && !c.GetBool(keyAcceptsUploads) && c.FullPath() != "" {
			Fail(c, &svcportal.Error{Kind: svcportal.KindInvalid, Code: "uploads_not_accepted", MessageID: "error.uploads_not_accepted"})
			return
		}
		if err := h(c); err != nil {
			Fail(c, err)
		}
	}
}

// IsAPI reports whether the request is for the JSON API, whose errors are
// JSON rather than pages.
func IsAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

// Fail renders err with the status of its kind: JSON on API routes, a page
// elsewhere. Internal errors are logged in full and shown as a generic,
// translated message with the request id.
func Fail(c *gin.Context, err error) {
	var e *svcportal.Error
	if !errors.As(err, &e) || internal(e) {
		Logger(c).ErrorContext(c.Request.Context(), "request failed", "request_id", RequestID(c),
			"method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
		e = &svcportal.Error{Kind: svcportal.KindInternal, MessageID: "error.internal"}
	}
	status := ErrorStatus(c, e)
	if c.Writer.Written() {
		return // too late to change the response; the log line above says why
	}
	if IsAPI(c) {
		c.AbortWithStatusJSON(status, ErrorBody(c, e))
		return
	}
	page := "error"
	if e.Kind == svcportal.KindNotFound {
		page = "notfound"
	}
	page = c.GetString(keyErrorPages) + page
	data := &ErrorPage{Page: NewPage(c), Message: Translator(c).T(messageID(e), e.Data)}
	if err := Render(c, status, page, data); err != nil {
		Logger(c).ErrorContext(c.Request.Context(), "render error page", "request_id", RequestID(c), "err", err)
		c.AbortWithStatus(status)
	}
	c.Abort()
}

// ErrorStatus is the HTTP status of err; it also sets the headers that go
// with it (Retry-After when throttled). For handlers that render their own
// page for an expected error, such as a form shown again.
func ErrorStatus(c *gin.Context, err error) int {
	var e *svcportal.Error
	if !errors.As(err, &e) {
		return http.StatusInternalServerError
	}
	setRetryAfter(c, e)
	return status(e.Kind)
}

// messageID is the catalog id of e's message: its own, else that of its
// kind.
func messageID(e *svcportal.Error) string {
	switch {
	case e.MessageID != "":
		return e.MessageID
	case e.Kind == svcportal.KindUnprocessable:
		return "error.validation"
	}
	return "error." + e.Kind.String()
}

// ErrorPage is the data of the error and not-found pages.
type ErrorPage struct {
	Page
	Message string
	Host    string
}

// APIError is the body of every JSON error answer.
type APIError struct {
	Error APIErrorDetail `json:"error"`
}

// APIErrorDetail says what went wrong, in the reader's language.
type APIErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// ErrorBody translates e into the JSON error body.
func ErrorBody(c *gin.Context, e *svcportal.Error) APIError {
	tr := Translator(c)
	body := APIError{Error: APIErrorDetail{Code: e.APICode(), Message: tr.T(messageID(e), e.Data)}}
	if len(e.Fields) > 0 {
		body.Error.Fields = make(map[string]string, len(e.Fields))
		for f, fe := range e.Fields {
			body.Error.Fields[f] = tr.T(fe.MessageID, fe.Data)
		}
	}
	return body
}

// noHost answers a request for a host that serves no tenant.
func (s *Server) noHost(c *gin.Context) {
	if IsAPI(c) {
		c.AbortWithStatusJSON(http.StatusNotFound, ErrorBody(c, svcportal.ErrNotFound()))
		return
	}
	data := &ErrorPage{Page: NewPage(c), Host: c.Request.Host}
	if err := Render(c, http.StatusNotFound, "nohost", data); err != nil {
		s.opts.Logger.ErrorContext(c.Request.Context(), "render no-host page", "request_id", RequestID(c), "err", err)
		c.AbortWithStatus(http.StatusNotFound)
	}
}

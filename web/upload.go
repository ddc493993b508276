package web

import (
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
)

// multipartMemory is how much of a multipart body is kept in memory; the
// rest goes to temporary files, removed when the request ends.
const multipartMemory = 8 << 20

// MaxFormBody is the largest URL-encoded form body accepted.
const MaxFormBody = 1 << 20

const (
	keyFormParsed     = "web.form_parsed"
	keyAcceptsUploads = "web.accepts_uploads"
)

// AcceptUploads marks a route that takes a multipart body with files
// (placed after the middleware that authorises the caller); every other
// route refuses multipart bodies unread.
func AcceptUploads(c *gin.Context) {
	c.Set(keyAcceptsUploads, true)
	c.Next()
}

// IsMultipart reports whether the request carries a multipart form.
func IsMultipart(c *gin.Context) bool {
	return strings.HasPrefix(c.ContentType(), "multipart/form-data")
}

// uploadLimit is the largest multipart body the tenant takes: its
// MaxFilesPerMessage files of MaxUploadMB, plus room for the form.
func uploadLimit(t *svcportal.Tenant) int64 {
	return int64(t.MaxUploadMB)<<20*svcportal.MaxFilesPerMessage + 1<<20
}

func errFileTooLarge(t *svcportal.Tenant) error {
	return &svcportal.Error{Kind: svcportal.KindTooLarge, MessageID: "error.file_too_large", Data: map[string]any{"MaxMB": t.MaxUploadMB}}
}

// LimitBody is middleware of the tenant's route groups: it caps the body
// (a multipart one at what the tenant's uploads allow, a URL-encoded form
// at MaxFormBody; JSON is capped where it is decoded) and reads none of
// it, so nothing is spooled to disk before the request is authenticated
// and authorised. A body that announces more than the cap is a 413 at
// once.
func LimitBody(c *gin.Context) {
	var limit int64
	switch {
	case IsMultipart(c):
		limit = uploadLimit(svcportal.TenantFrom(c.Request.Context()))
	case strings.HasPrefix(c.ContentType(), "application/x-www-form-urlencoded"):
		limit = MaxFormBody
	default:
		c.Next()
		return
	}
	if c.Request.ContentLength > limit {
		if IsMultipart(c) {
			Fail(c, errFileTooLarge(svcportal.TenantFrom(c.Request.Context())))
		} else {
			Fail(c, svcportal.NewError(svcportal.KindTooLarge, "error.too_large"))
		}
		c.Abort()
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Next()
}

// refuseAnonymousUpload answers 401, without reading the body, a
// multipart request of no signed-in principal: no route takes files from
// strangers.
func refuseAnonymousUpload(c *gin.Context) bool {
	if Principal(c) != nil || !IsMultipart(c) {
		return false
	}
	Fail(c, svcportal.NewError(svcportal.KindUnauthorized, "error.upload_sign_in"))
	c.Abort()
	return true
}

// ParseForm reads the request's form once, URL-encoded or multipart (the
// files of a multipart form spooled to temporary files that
// removeMultipartFiles deletes when the request ends), and checks its text
// like every input (CheckText). A body over the limit set by LimitBody is
// 413. Handlers call it, through FormValues, MultipartForm or Uploads,
// after they have decided the caller may send it.
func ParseForm(c *gin.Context) error {
	if v, ok := c.Get(keyFormParsed); ok {
		err, _ := v.(error)
		return err
	}
	err := parseForm(c)
	c.Set(keyFormParsed, err)
	return err
}

func parseForm(c *gin.Context) error {
	var err error
	if IsMultipart(c) {
		err = c.Request.ParseMultipartForm(multipartMemory)
	} else {
		err = c.Request.ParseForm()
	}
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			if IsMultipart(c) {
				return errFileTooLarge(svcportal.TenantFrom(c.Request.Context()))
			}
			return svcportal.NewError(svcportal.KindTooLarge, "error.too_large")
		}
		return svcportal.NewError(svcportal.KindInvalid, "error.invalid_request")
	}
	if err := CheckValues(c.Request.PostForm); err != nil {
		return err
	}
	if f := c.Request.MultipartForm; f != nil {
		if err := CheckValues(f.Value); err != nil {
			return err
		}
	}
	return nil
}

// FormValues is the request's form fields, URL-encoded or multipart.
func FormValues(c *gin.Context) (url.Values, error) {
	if err := ParseForm(c); err != nil {
		return nil, err
	}
	if f := c.Request.MultipartForm; f != nil {
		return f.Value, nil
	}
	return c.Request.PostForm, nil
}

// MultipartForm is the request's multipart form, or nil when the body is
// not multipart (JSON, say).
func MultipartForm(c *gin.Context) (*multipart.Form, error) {
	if !IsMultipart(c) {
		return nil, nil
	}
	if err := ParseForm(c); err != nil {
		return nil, err
	}
	return c.Request.MultipartForm, nil
}

// removeMultipartFiles deletes, once the request is answered, the files a
// multipart form was spooled to. net/http does it only for the request it
// handed over, and the tenant middleware replaces gin's request with a
// copy that carries the context, so the form lives on that copy.
func removeMultipartFiles(c *gin.Context) {
	orig := c.Request
	defer func() {
		for _, r := range []*http.Request{c.Request, orig} {
			if r.MultipartForm != nil && r.MultipartForm.File != nil {
				r.MultipartForm.RemoveAll()
			}
		}
	}()
	c.Next()
}

// Uploads stores the files of the form field "files" in blobs and returns
// them: at most MaxFilesPerMessage, each at most the tenant's MaxUploadMB
// (413 naming the file otherwise). A request without files gives none.
func Uploads(c *gin.Context, blobs svcportal.BlobStore) ([]svcportal.Upload, error) {
	form, err := MultipartForm(c)
	if err != nil {
		return nil, err
	}
	if form == nil || len(form.File["files"]) == 0 {
		return nil, nil
	}
	files := form.File["files"]
	if len(files) > svcportal.MaxFilesPerMessage {
		return nil, svcportal.FieldErr(svcportal.KindUnprocessable, "files", "error.too_many_files", map[string]any{"Max": svcportal.MaxFilesPerMessage})
	}
	max := int64(svcportal.TenantFrom(c.Request.Context()).MaxUploadMB) << 20
	var out []svcportal.Upload
	for _, fh := range files {
		if fh.Size == 0 && fh.Filename == "" {
			continue // an empty file input
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		up, err := blobs.Put(c.Request.Context(), f, max)
		f.Close()
		if err != nil {
			return nil, err
		}
		up.Filename = svcportal.CleanFilename(fh.Filename)
		out = append(out, up)
	}
	return out, nil
}

// ServeAttachment sends a stored file as a download: never rendered by
// the browser (Content-Disposition: attachment, nosniff, a sandboxing CSP,
// and HTML sent as an opaque type), so an uploaded page cannot run on the
// tenant's host.
func ServeAttachment(c *gin.Context, blobs svcportal.BlobStore, a *svcportal.Attachment) error {
	rc, err := blobs.Open(c.Request.Context(), a.SHA256)
	if err != nil {
		return err
	}
	defer rc.Close()
	ct := a.ContentType
	if ct == "" || strings.Contains(ct, "html") || strings.Contains(ct, "xml") || strings.Contains(ct, "javascript") {
		ct = "application/octet-stream"
	}
	h := c.Writer.Header()
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	c.DataFromReader(http.StatusOK, a.Size, ct, rc, nil)
	return nil
}

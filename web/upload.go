package web

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
)

// multipartMemory is how much of a multipart body is kept in memory; the
// rest goes to temporary files.
const multipartMemory = 8 << 20

// LimitUploads is middleware for routes that take files: it caps a
// multipart body at what the tenant allows (MaxFilesPerMessage files of
// MaxUploadMB, plus room for the form) and parses it at once, so an
// oversized request is a 413 before anything else reads it.
func LimitUploads(c *gin.Context) {
	if !strings.HasPrefix(c.ContentType(), "multipart/form-data") {
		c.Next()
		return
	}
	t := svcportal.TenantFrom(c.Request.Context())
	limit := int64(t.MaxUploadMB)<<20*svcportal.MaxFilesPerMessage + 1<<20
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	if err := c.Request.ParseMultipartForm(multipartMemory); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			Fail(c, &svcportal.Error{Kind: svcportal.KindTooLarge, MessageID: "error.file_too_large", Data: map[string]any{"MaxMB": t.MaxUploadMB}})
		} else {
			Fail(c, svcportal.NewError(svcportal.KindInvalid, "error.invalid_request"))
		}
		c.Abort()
		return
	}
	c.Next()
}

// Uploads stores the files of the form field "files" in blobs and returns
// them: at most MaxFilesPerMessage, each at most the tenant's MaxUploadMB
// (413 naming the file otherwise). A request without files gives none.
func Uploads(c *gin.Context, blobs svcportal.BlobStore) ([]svcportal.Upload, error) {
	form := c.Request.MultipartForm
	if form == nil || len(form.File["files"]) == 0 {
		return nil, nil
	}
	files := form.File["files"]
	if len(files) > svcportal.MaxFilesPerMessage {
		return nil, &svcportal.Error{Kind: svcportal.KindUnprocessable, MessageID: "error.too_many_files",
			Data:   map[string]any{"Max": svcportal.MaxFilesPerMessage},
			Fields: map[string]svcportal.FieldError{"files": {MessageID: "error.too_many_files", Data: map[string]any{"Max": svcportal.MaxFilesPerMessage}}}}
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

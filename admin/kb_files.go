package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// kbFilesAdd attaches the uploaded files (multipart "files") to an
// article, with the rules of ticket attachments.
func (h *handlers) kbFilesAdd(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	added, err := h.attachArticleFiles(c, id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, gin.H{"attachments": added})
	return nil
}

// attachArticleFiles reads the request's files and attaches them to
// article id: the API's and the editor's upload alike. A body that is not
// multipart is KindInvalid; a form without a file, KindUnprocessable.
func (h *handlers) attachArticleFiles(c *gin.Context, id int64) ([]svcportal.Attachment, error) {
	form, err := web.MultipartForm(c)
	if err != nil {
		return nil, err
	}
	if form == nil {
		e := svcportal.FieldErr(svcportal.KindInvalid, "files", "error.required", nil)
		e.MessageID = "error.invalid_request"
		return nil, e
	}
	files, err := web.Uploads(c, h.deps.Blobs)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, invalid("files", "error.required")
	}
	return h.deps.KB.AttachFiles(c.Request.Context(), web.Principal(c), id, files)
}

func (h *handlers) kbFileList(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	files, err := h.deps.KB.ArticleFiles(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"attachments": files})
	return nil
}

func (h *handlers) kbFileDelete(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	file, err := web.IDParam(c, "file")
	if err != nil {
		return err
	}
	if err := h.deps.KB.DetachFile(c.Request.Context(), id, file); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

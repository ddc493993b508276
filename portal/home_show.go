package portal

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal/web"
)

type homePage struct {
	web.Page
	Notices notices
}

// home is the portal's landing page in the tenant's branding.
func (h *handlers) home(c *gin.Context) error {
	pg := &homePage{Page: web.NewPage(c)}
	var err error
	if pg.Notices, err = h.notices(c, pg.Page, nil); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "portal/home", pg)
}

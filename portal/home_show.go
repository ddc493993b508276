package portal

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal/web"
)

type homePage struct {
	web.Page
}

// home is the portal's landing page in the tenant's branding.
func (h *handlers) home(c *gin.Context) error {
	return web.Render(c, http.StatusOK, "portal/home", &homePage{Page: web.NewPage(c)})
}

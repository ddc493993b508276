package admin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

func (h *handlers) webhookList(c *gin.Context) error {
	list, err := h.deps.Webhooks.Webhooks(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"webhooks": list})
	return nil
}

// webhookCreated is a new endpoint with its secret, shown this once.
type webhookCreated struct {
	*svcportal.WebhookEndpoint
	Secret string `json:"secret"`
}

func (h *handlers) webhookCreate(c *gin.Context) error {
	var in svcportal.WebhookInput
	if err := web.BindJSON(c, &in); err != nil {
		return err
	}
	e, secret, err := h.deps.Webhooks.CreateWebhook(c.Request.Context(), in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusCreated, webhookCreated{WebhookEndpoint: e, Secret: secret})
	return nil
}

func (h *handlers) webhookUpdate(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	var in svcportal.WebhookInput
	if err := web.BindJSON(c, &in); err != nil {
		return err
	}
	e, err := h.deps.Webhooks.UpdateWebhook(c.Request.Context(), id, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, e)
	return nil
}

func (h *handlers) webhookDelete(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.Webhooks.DeleteWebhook(c.Request.Context(), id); err != nil {
		return err
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (h *handlers) webhookDeliveries(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	list, err := h.deps.Webhooks.WebhookDeliveries(c.Request.Context(), id)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"deliveries": list})
	return nil
}

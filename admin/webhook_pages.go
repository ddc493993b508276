package admin

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/web"
)

// The /admin/webhooks pages: the endpoints with their state and failures,
// a form to add one (its secret shown once, on the answer), and per
// endpoint a page to change it, turn it on or off, delete it and read
// its delivery log attempt by attempt.

// webhookForm is what the add and edit forms hold.
type webhookForm struct {
	URL             string
	Events          map[string]bool
	IncludeInternal bool
	Enabled         bool
}

type webhooksPage struct {
	page
	Endpoints []svcportal.WebhookEndpoint
	EventList []string
	Form      webhookForm
	// Secret is the new endpoint's secret, on the answer that created it.
	Secret string
	// Failing lists, per endpoint id, its newest deliveries whose last
	// attempt failed (at most recentFailures).
	Failing map[int64][]svcportal.WebhookDelivery
}

// recentFailures is how many failed deliveries the list shows per endpoint.
const recentFailures = 3

type webhookPage struct {
	page
	Endpoint   *svcportal.WebhookEndpoint
	EventList  []string
	Form       webhookForm
	Deliveries []svcportal.WebhookDelivery
}

// webhookNotices are the notices of the redirects after a change.
var webhookNotices = map[string]string{
	"saved": "webhooks.saved", "enabled": "webhooks.turned_on", "disabled": "webhooks.turned_off", "deleted": "webhooks.deleted",
}

func (h *handlers) newWebhooksPage(c *gin.Context) (*webhooksPage, error) {
	list, err := h.deps.Webhooks.Webhooks(c.Request.Context())
	if err != nil {
		return nil, err
	}
	pg := &webhooksPage{page: h.newPage(c), Endpoints: list, EventList: svcportal.WebhookEventTypes,
		Form: webhookForm{Events: allEvents(), Enabled: true}, Failing: map[int64][]svcportal.WebhookDelivery{}}
	for _, e := range list {
		deliveries, err := h.deps.Webhooks.WebhookDeliveries(c.Request.Context(), e.ID)
		if err != nil {
			return nil, err
		}
		for _, d := range deliveries {
			if d.LastError != "" && d.Status != svcportal.WebhookDelivered && len(pg.Failing[e.ID]) < recentFailures {
				pg.Failing[e.ID] = append(pg.Failing[e.ID], d)
			}
		}
	}
	if id, ok := webhookNotices[c.Query("done")]; ok {
		pg.Notice = pg.T(id)
	}
	return pg, nil
}

func allEvents() map[string]bool {
	m := map[string]bool{}
	for _, e := range svcportal.WebhookEventTypes {
		m[e] = true
	}
	return m
}

func (h *handlers) webhooksShow(c *gin.Context) error {
	pg, err := h.newWebhooksPage(c)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/webhooks", pg)
}

// webhookInput reads the add or edit form.
func webhookInput(c *gin.Context) (svcportal.WebhookInput, webhookForm) {
	f := webhookForm{URL: c.PostForm("url"), Events: map[string]bool{}, IncludeInternal: c.PostForm("include_internal") != "",
		Enabled: c.PostForm("enabled") != ""}
	events := c.PostFormArray("events")
	for _, e := range events {
		f.Events[e] = true
	}
	return svcportal.WebhookInput{URL: &f.URL, Events: &events, IncludeInternal: &f.IncludeInternal}, f
}

// webhookCreateSubmit adds an endpoint and answers the list with the
// new secret, shown this once (a redirect would have to carry it).
func (h *handlers) webhookCreateSubmit(c *gin.Context) error {
	in, form := webhookInput(c)
	_, secret, err := h.deps.Webhooks.CreateWebhook(c.Request.Context(), in)
	if err != nil && !web.Redisplays(err) {
		return err
	}
	pg, perr := h.newWebhooksPage(c)
	if perr != nil {
		return perr
	}
	if err != nil {
		pg.Form = form
		pg.fail(c, err, "url", "events")
		return web.Render(c, web.ErrorStatus(c, err), "admin/webhooks", pg)
	}
	pg.Secret = secret
	c.Header("Cache-Control", "no-store")
	return web.Render(c, http.StatusCreated, "admin/webhooks", pg)
}

func (h *handlers) newWebhookPage(c *gin.Context, id int64) (*webhookPage, error) {
	e, err := h.webhook(c, id)
	if err != nil {
		return nil, err
	}
	deliveries, err := h.deps.Webhooks.WebhookDeliveries(c.Request.Context(), id)
	if err != nil {
		return nil, err
	}
	pg := &webhookPage{page: h.newPage(c), Endpoint: e, EventList: svcportal.WebhookEventTypes, Deliveries: deliveries,
		Form: webhookForm{URL: e.URL, Events: map[string]bool{}, IncludeInternal: e.IncludeInternal, Enabled: e.Enabled}}
	for _, ev := range e.Events {
		pg.Form.Events[ev] = true
	}
	if id, ok := webhookNotices[c.Query("done")]; ok {
		pg.Notice = pg.T(id)
	}
	return pg, nil
}

// webhook is one endpoint of the tenant, or KindNotFound.
func (h *handlers) webhook(c *gin.Context, id int64) (*svcportal.WebhookEndpoint, error) {
	list, err := h.deps.Webhooks.Webhooks(c.Request.Context())
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &list[i], nil
		}
	}
	return nil, svcportal.ErrNotFound()
}

func (h *handlers) webhookShow(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	pg, err := h.newWebhookPage(c, id)
	if err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, "admin/webhook", pg)
}

// webhookUpdateSubmit saves the edit form (action save) or turns the
// endpoint on or off (action enable, disable: from the list too).
func (h *handlers) webhookUpdateSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	var in svcportal.WebhookInput
	var form webhookForm
	action := c.PostForm("action")
	switch action {
	case "save":
		in, form = webhookInput(c)
		in.Enabled = &form.Enabled
	case "enable", "disable":
		on := action == "enable"
		in.Enabled = &on
	default:
		return svcportal.NewError(svcportal.KindInvalid, "error.invalid_request")
	}
	_, err = h.deps.Webhooks.UpdateWebhook(c.Request.Context(), id, in)
	if web.Redisplays(err) && action == "save" {
		pg, perr := h.newWebhookPage(c, id)
		if perr != nil {
			return perr
		}
		pg.Form = form
		pg.fail(c, err, "url", "events")
		return web.Render(c, web.ErrorStatus(c, err), "admin/webhook", pg)
	} else if err != nil {
		return err
	}
	done := map[string]string{"save": "saved", "enable": "enabled", "disable": "disabled"}[action]
	if action == "save" {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/admin/webhooks/%d?done=%s", id, done))
	} else {
		c.Redirect(http.StatusSeeOther, "/admin/webhooks?done="+done)
	}
	return nil
}

func (h *handlers) webhookDeleteSubmit(c *gin.Context) error {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if err := h.deps.Webhooks.DeleteWebhook(c.Request.Context(), id); err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/admin/webhooks?done=deleted")
	return nil
}

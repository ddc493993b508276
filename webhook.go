package svcportal

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Webhook event types (SPEC "Webhooks"); docs/webhooks.md says what each
// payload carries.
const (
	WebhookTicketCreated          = "ticket.created"
	WebhookTicketReplied          = "ticket.replied"
	WebhookTicketStatusChanged    = "ticket.status_changed"
	WebhookTicketSolutionAccepted = "ticket.solution_accepted"
	WebhookTicketSolutionRefused  = "ticket.solution_refused"
	WebhookTicketClosed           = "ticket.closed"
)

// WebhookEventTypes lists every event type, in the order of the docs.
var WebhookEventTypes = []string{WebhookTicketCreated, WebhookTicketReplied, WebhookTicketStatusChanged,
	WebhookTicketSolutionAccepted, WebhookTicketSolutionRefused, WebhookTicketClosed}

// Statuses of a webhook delivery.
const (
	WebhookPending   = "pending"
	WebhookDelivered = "delivered"
	WebhookFailed    = "failed"
)

// WebhookEndpoint is an HTTPS address of a tenant that receives ticket
// events. Secret ("whsec_" and base64) signs them; it is shown once, when
// the endpoint is created, and stored sealed.
type WebhookEndpoint struct {
	ID              int64     `bun:"id,pk,autoincrement" json:"id"`
	TenantID        int64     `bun:"tenant_id,notnull" json:"-"`
	URL             string    `bun:"url,notnull" json:"url"`
	Events          []string  `bun:"events,notnull,type:text" json:"events"`
	IncludeInternal bool      `bun:"include_internal,notnull" json:"include_internal"`
	Secret          string    `bun:"secret,notnull" json:"-"`
	Enabled         bool      `bun:"enabled,notnull" json:"enabled"`
	Failures        int       `bun:"failures,notnull" json:"failures"` // failed attempts in a row
	DisabledReason  string    `bun:"disabled_reason,notnull" json:"disabled_reason,omitempty"`
	CreatedAt       time.Time `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt       time.Time `bun:"updated_at,notnull" json:"updated_at"`
}

// Wants reports whether the endpoint takes events of type typ.
func (e *WebhookEndpoint) Wants(typ string) bool {
	return e.Enabled && slices.Contains(e.Events, typ)
}

// WebhookDelivery is one event for one endpoint, in the webhook outbox.
type WebhookDelivery struct {
	ID            int64            `bun:"id,pk,autoincrement" json:"id"`
	TenantID      int64            `bun:"tenant_id,notnull" json:"-"`
	EndpointID    int64            `bun:"endpoint_id,notnull" json:"endpoint_id"`
	Event         string           `bun:"event,notnull" json:"event"`
	MsgID         string           `bun:"msg_id,notnull" json:"webhook_id"` // the webhook-id header, the same on every attempt
	Payload       string           `bun:"payload,notnull" json:"payload"`
	Status        string           `bun:"status,notnull" json:"status"`
	Attempts      int              `bun:"attempts,notnull" json:"attempts"`
	NextAttemptAt time.Time        `bun:"next_attempt_at,notnull" json:"next_attempt_at"`
	LeaseUntil    time.Time        `bun:"lease_until,nullzero" json:"-"`
	LastError     string           `bun:"last_error,notnull" json:"last_error"`
	CreatedAt     time.Time        `bun:"created_at,notnull" json:"created_at"`
	DeliveredAt   time.Time        `bun:"delivered_at,nullzero" json:"delivered_at"`
	Log           []WebhookAttempt `bun:"-" json:"attempt_log"`
}

// WebhookAttempt is one try to deliver: the answer's status or the error.
type WebhookAttempt struct {
	ID         int64     `bun:"id,pk,autoincrement" json:"-"`
	TenantID   int64     `bun:"tenant_id,notnull" json:"-"`
	DeliveryID int64     `bun:"delivery_id,notnull" json:"-"`
	At         time.Time `bun:"at,notnull" json:"at"`
	StatusCode int       `bun:"status_code,notnull" json:"status_code"`
	Error      string    `bun:"error,notnull" json:"error,omitempty"`
	DurationMS int64     `bun:"duration_ms,notnull" json:"duration_ms"`
}

// WebhookInput is what an admin sends to create or change an endpoint;
// nil members are left as they are.
type WebhookInput struct {
	URL             *string   `json:"url"`
	Events          *[]string `json:"events"`
	IncludeInternal *bool     `json:"include_internal"`
	Enabled         *bool     `json:"enabled"`
}

// CheckWebhookURL checks an endpoint address: https (plain http only
// when allowPrivate, for tests and on-premise receivers), a host, no
// credentials, no fragment. Where the host resolves is checked when
// connecting, on every attempt and redirect.
func CheckWebhookURL(v *Validation, raw string, allowPrivate bool) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	ok := err == nil && u.Host != "" && u.User == nil && u.Fragment == "" && len(raw) <= 2000 &&
		(u.Scheme == "https" || u.Scheme == "http" && allowPrivate)
	v.Check(ok, "url", "error.webhook_url", nil)
	return raw
}

// CheckWebhookEvents checks a list of event types: at least one, all known.
func CheckWebhookEvents(v *Validation, events []string) []string {
	out := []string{}
	for _, e := range events {
		if !slices.Contains(WebhookEventTypes, e) {
			v.Add("events", "error.webhook_event", map[string]any{"Event": e})
			return nil
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	v.Check(len(out) > 0, "events", "error.required", nil)
	return out
}

// WebhookAdmin is what the admin console does with the context tenant's
// webhooks.
type WebhookAdmin interface {
	Webhooks(ctx context.Context) ([]WebhookEndpoint, error)
	// CreateWebhook returns the endpoint and its secret (shown once):
	// KindUnprocessable for a wrong URL or event.
	CreateWebhook(ctx context.Context, in WebhookInput) (*WebhookEndpoint, string, error)
	// UpdateWebhook changes what in carries: KindNotFound, KindUnprocessable.
	// Enabling an endpoint again clears its failures.
	UpdateWebhook(ctx context.Context, id int64, in WebhookInput) (*WebhookEndpoint, error)
	DeleteWebhook(ctx context.Context, id int64) error
	// WebhookDeliveries lists the endpoint's newest deliveries with their
	// attempts: KindNotFound.
	WebhookDeliveries(ctx context.Context, id int64) ([]WebhookDelivery, error)
}

// WebhookStore keeps webhook endpoints and their outbox.
type WebhookStore interface {
	WebhookEndpoints(ctx context.Context) ([]WebhookEndpoint, error)
	WebhookEndpoint(ctx context.Context, id int64) (*WebhookEndpoint, error)
	CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	UpdateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	DeleteWebhookEndpoint(ctx context.Context, id int64) error
	WebhookDeliveries(ctx context.Context, endpointID int64, limit int) ([]WebhookDelivery, error)
	// ClaimDueWebhooks leases due deliveries of every tenant, with their
	// endpoint (secret opened) and tenant.
	ClaimDueWebhooks(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]WebhookClaim, error)
	// RecordWebhookAttempt logs an attempt and settles the delivery:
	// status WebhookDelivered, WebhookPending (due again at next) or
	// WebhookFailed; the endpoint's failures are reset on success and
	// counted otherwise. It returns the endpoint's failures in a row.
	RecordWebhookAttempt(ctx context.Context, d *WebhookDelivery, a WebhookAttempt, status string, next time.Time) (int, error)
	// DisableWebhookEndpoint turns an endpoint off with a reason, and
	// queues emails in the same transaction; false when it was off already.
	DisableWebhookEndpoint(ctx context.Context, id int64, reason string, emails []*OutboundEmail) (bool, error)
}

// WebhookClaim is a delivery leased to a worker.
type WebhookClaim struct {
	Delivery WebhookDelivery
	Endpoint WebhookEndpoint
	Tenant   Tenant
}

// WebhookEvent is one event a ticket change causes, before it is fanned
// out to the endpoints that want it.
type WebhookEvent struct {
	Type string
	// Internal marks an internal note: only endpoints with
	// IncludeInternal receive it.
	Internal bool
	Data     map[string]any
}

// WebhookTicket is a ticket as every payload carries it (staff-side data:
// every field, custom ones included; docs/webhooks.md).
func WebhookTicket(t *Ticket) map[string]any {
	fields := t.Fields
	if fields == nil {
		fields = map[string]any{}
	}
	return map[string]any{
		"number": t.Number, "title": t.Title, "status": t.Status, "type": t.Type, "priority": t.Priority,
		"impact": t.Impact, "product_family": t.ProductFamily, "site_id": t.SiteID, "requester_id": t.RequesterID,
		"assignee_id": t.AssigneeID, "shared_with_site": t.SharedWithSite, "fields": fields,
		"created_at": t.CreatedAt.UTC(), "updated_at": t.UpdatedAt.UTC(),
	}
}

// WebhookEventsOf returns the events a change of t causes: ticket.created
// for a creation, ticket.replied for a reply or (Internal) a note,
// ticket.status_changed for each status change and ticket.closed when it
// ends closed, ticket.solution_accepted and ticket.solution_refused for
// a decision. It reads nothing: the store calls it inside the change's
// transaction.
func WebhookEventsOf(t *Ticket, c TicketChange) []WebhookEvent {
	var out []WebhookEvent
	add := func(typ string, e TicketEvent, internal bool, extra map[string]any) {
		data := map[string]any{"ticket": WebhookTicket(t), "actor": map[string]any{"kind": e.ActorKind, "id": e.ActorID, "name": e.ActorName}}
		for k, v := range extra {
			data[k] = v
		}
		out = append(out, WebhookEvent{Type: typ, Internal: internal, Data: data})
	}
	for _, e := range c.Events {
		switch e.Kind {
		case EventCreated:
			add(WebhookTicketCreated, e, false, map[string]any{"description": t.Description})
		case EventReplied, EventNote:
			if c.Message == nil {
				continue
			}
			m := c.Message
			add(WebhookTicketReplied, e, m.Internal, map[string]any{"message": map[string]any{
				"id": m.ID, "author_kind": m.AuthorKind, "author_id": m.AuthorID, "author_name": m.AuthorName,
				"body": m.Body, "internal": m.Internal, "created_at": m.CreatedAt.UTC()}})
		case EventStatusChanged:
			add(WebhookTicketStatusChanged, e, false, map[string]any{"from": e.From, "to": e.To})
			if e.To == StatusClosed {
				add(WebhookTicketClosed, e, false, nil)
			}
		case EventSolutionAccepted:
			add(WebhookTicketSolutionAccepted, e, false, map[string]any{"comment": e.Comment})
		case EventSolutionRefused:
			add(WebhookTicketSolutionRefused, e, false, map[string]any{"comment": e.Comment})
		}
	}
	return out
}

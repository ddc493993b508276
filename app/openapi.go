package app

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// apiOp describes one /api/v1 route for the OpenAPI document. The
// document is generated from the engine's route table, so it lists every
// route there is; a route without a description here is listed with a
// placeholder summary, and TestOpenAPI_EveryRouteDescribed fails until
// it gets one.
type apiOp struct {
	summary string
	status  int    // of success
	body    string // request body: "json", "multipart", "raw" or ""
	auth    string // "contact", "reader" (a contact, or anyone when the knowledge base is public), "staff", "inbound" or "" (none)
	file    bool   // answers a file rather than JSON
}

// Shorthands for the table.
func contactOp(status int, body, summary string) apiOp {
	return apiOp{summary: summary, status: status, body: body, auth: "contact"}
}
func readerOp(status int, body, summary string) apiOp {
	return apiOp{summary: summary, status: status, body: body, auth: "reader"}
}
func staffOp(status int, body, summary string) apiOp {
	return apiOp{summary: summary, status: status, body: body, auth: "staff"}
}

var apiOps = map[string]apiOp{
	"GET /api/v1/openapi.json": {summary: "This document (OpenAPI 3.1)", status: 200},

	// The portal, for contacts.
	"POST /api/v1/auth/login":                                  {summary: "Sign a contact in: sets the session cookie, answers {contact, csrf_token, must_change_password}; 403 sso_required for an address whose site requires single sign-on", status: 200, body: "json"},
	"POST /api/v1/auth/logout":                                 contactOp(204, "", "Sign out"),
	"POST /api/v1/auth/password-reset":                         {summary: "Send a reset code by email (202 whether or not the address is known; an address whose site requires single sign-on is sent to its provider instead of a code)", status: 202, body: "json"},
	"POST /api/v1/auth/password-reset/confirm":                 {summary: "Set a new password with the emailed code (400 invalid_code)", status: 204, body: "json"},
	"POST /api/v1/auth/email-change/confirm":                   {summary: "Confirm a new email address with the emailed code", status: 204, body: "json"},
	"GET /api/v1/me":                                           contactOp(200, "", "The signed-in contact"),
	"PATCH /api/v1/me":                                         contactOp(200, "json", "Change the contact's profile (first_name, last_name, job_title, email, phone, locale, time_zone)"),
	"POST /api/v1/me/password":                                 contactOp(204, "json", "Change the password (current_password, password)"),
	"GET /api/v1/ticket-fields":                                contactOp(200, "", "The ticket fields this contact sees, with their mode"),
	"GET /api/v1/tickets":                                      contactOp(200, "", "The contact's tickets (scope=mine|site, status, q, unread, field.KEY, page, per_page)"),
	"POST /api/v1/tickets":                                     contactOp(201, "json", "Open a ticket (title, description, shared_with_site, cc, fields; or multipart with files)"),
	"GET /api/v1/tickets/{number}":                             contactOp(200, "", "A ticket with its visible fields, public messages and attachments"),
	"PATCH /api/v1/tickets/{number}":                           contactOp(200, "json", "Change editable fields (403 for a field that is not editable)"),
	"POST /api/v1/tickets/{number}/replies":                    contactOp(201, "json", "Reply (body; or multipart with files)"),
	"POST /api/v1/tickets/{number}/solution":                   contactOp(200, "json", "Accept or refuse a proposed solution (decision, comment)"),
	"POST /api/v1/tickets/{number}/close":                      contactOp(200, "json", "Close the ticket (requester or site manager)"),
	"POST /api/v1/tickets/{number}/rating":                     contactOp(200, "json", "Rate a closed ticket once (satisfied, comment)"),
	"GET /api/v1/attachments/{id}":                             {summary: "Download a file of a ticket the contact may see (or of an article, as /api/v1/kb/files/{id})", status: 200, auth: "contact", file: true},
	"GET /api/v1/kb/categories":                                readerOp(200, "", "The knowledge base tree this contact may read (anyone: the articles for every site, when the tenant's kb_public is on), in their language"),
	"GET /api/v1/kb/articles/{id}":                             readerOp(200, "", "An article, with the slug of its address and its languages"),
	"POST /api/v1/kb/articles/{id}/vote":                       contactOp(200, "json", "Vote on an article's helpfulness (helpful); answers the counts"),
	"GET /api/v1/kb/files/{id}":                                {summary: "Download a file of an article the reader may read (anyone, when kb_public is on)", status: 200, auth: "reader", file: true},
	"GET /api/v1/kb/search":                                    readerOp(200, "", "Search articles (q, limit): ranked hits, prefix and typo tolerant; anyone finds the articles for every site when kb_public is on"),
	"POST /api/v1/admin/auth/login":                            {summary: "Sign a staff member in: sets the console session cookie, answers the csrf_token", status: 200, body: "json"},
	"POST /api/v1/admin/auth/logout":                           staffOp(204, "", "Sign out of the console"),
	"GET /api/v1/admin/me":                                     staffOp(200, "", "The signed-in staff member"),
	"GET /api/v1/admin/attachments/{id}":                       {summary: "Download any file of the tenant", status: 200, auth: "staff", file: true},
	"GET /api/v1/admin/tickets":                                staffOp(200, "", "The ticket queue (status, site, assignee, unread, q, page, per_page)"),
	"GET /api/v1/admin/tickets/{number}":                       staffOp(200, "", "A ticket with every field, message and internal note"),
	"PATCH /api/v1/admin/tickets/{number}":                     staffOp(200, "json", "Change status, assignee or fields"),
	"POST /api/v1/admin/tickets/{number}/replies":              staffOp(201, "json", "Reply or add an internal note (body, internal; or multipart with files)"),
	"POST /api/v1/admin/tickets/{number}/propose-solution":     staffOp(200, "json", "Propose a solution for the requester to accept or refuse"),
	"GET /api/v1/admin/ticket-fields":                          staffOp(200, "", "Every ticket field"),
	"POST /api/v1/admin/ticket-fields":                         staffOp(201, "json", "Create a ticket field"),
	"GET /api/v1/admin/ticket-fields/{key}":                    staffOp(200, "", "A ticket field"),
	"PATCH /api/v1/admin/ticket-fields/{key}":                  staffOp(200, "json", "Change a ticket field"),
	"DELETE /api/v1/admin/ticket-fields/{key}":                 staffOp(204, "", "Delete a ticket field"),
	"GET /api/v1/admin/field-policies":                         staffOp(200, "", "Every field's mode per portal role and site"),
	"PUT /api/v1/admin/field-policies":                         staffOp(200, "json", "Set a field's mode for a role, optionally on one site (role, site_id, field, mode)"),
	"DELETE /api/v1/admin/field-policies":                      staffOp(204, "json", "Remove a site's override of a field's mode"),
	"GET /api/v1/admin/sites":                                  staffOp(200, "", "The tenant's sites"),
	"POST /api/v1/admin/sites":                                 staffOp(201, "json", "Create a site"),
	"GET /api/v1/admin/sites/{id}":                             staffOp(200, "", "A site"),
	"PATCH /api/v1/admin/sites/{id}":                           staffOp(200, "json", "Change a site"),
	"DELETE /api/v1/admin/sites/{id}":                          staffOp(204, "", "Delete a site"),
	"GET /api/v1/admin/contacts":                               staffOp(200, "", "The tenant's contacts"),
	"POST /api/v1/admin/contacts":                              staffOp(201, "json", "Create a contact (send_welcome to email them)"),
	"GET /api/v1/admin/contacts/{id}":                          staffOp(200, "", "A contact"),
	"PATCH /api/v1/admin/contacts/{id}":                        staffOp(200, "json", "Change a contact"),
	"DELETE /api/v1/admin/contacts/{id}":                       staffOp(204, "", "Delete a contact"),
	"POST /api/v1/admin/contacts/{id}/welcome":                 staffOp(202, "", "Send the welcome email again"),
	"GET /api/v1/admin/kb/categories":                          staffOp(200, "", "Knowledge base categories"),
	"POST /api/v1/admin/kb/categories":                         staffOp(201, "json", "Create a category"),
	"GET /api/v1/admin/kb/categories/{id}":                     staffOp(200, "", "A category"),
	"PATCH /api/v1/admin/kb/categories/{id}":                   staffOp(200, "json", "Change a category"),
	"DELETE /api/v1/admin/kb/categories/{id}":                  staffOp(204, "", "Delete an empty category"),
	"GET /api/v1/admin/kb/sections":                            staffOp(200, "", "Knowledge base sections (category_id)"),
	"POST /api/v1/admin/kb/sections":                           staffOp(201, "json", "Create a section"),
	"GET /api/v1/admin/kb/sections/{id}":                       staffOp(200, "", "A section"),
	"PATCH /api/v1/admin/kb/sections/{id}":                     staffOp(200, "json", "Change a section"),
	"DELETE /api/v1/admin/kb/sections/{id}":                    staffOp(204, "", "Delete an empty section"),
	"GET /api/v1/admin/kb/articles":                            staffOp(200, "", "Articles (category_id, section_id, state)"),
	"POST /api/v1/admin/kb/articles":                           staffOp(201, "json", "Create an article with its translations"),
	"GET /api/v1/admin/kb/articles/{id}":                       staffOp(200, "", "An article in any state"),
	"PATCH /api/v1/admin/kb/articles/{id}":                     staffOp(200, "json", "Change an article"),
	"DELETE /api/v1/admin/kb/articles/{id}":                    staffOp(204, "", "Delete an article"),
	"POST /api/v1/admin/kb/articles/{id}/publish":              staffOp(200, "", "Publish an article"),
	"POST /api/v1/admin/kb/articles/{id}/unpublish":            staffOp(200, "", "Return an article to draft"),
	"GET /api/v1/admin/kb/articles/{id}/attachments":           staffOp(200, "", "An article's files"),
	"POST /api/v1/admin/kb/articles/{id}/attachments":          staffOp(201, "multipart", "Attach files to an article (files)"),
	"DELETE /api/v1/admin/kb/articles/{id}/attachments/{file}": staffOp(204, "", "Remove a file from an article"),
	"GET /api/v1/admin/settings":                               staffOp(200, "", "The tenant's settings, with its inbound address and token"),
	"PATCH /api/v1/admin/settings":                             staffOp(200, "json", "Change settings (branding, domains, languages, ticket types, auto-close, uploads, welcome email…)"),
	"PUT /api/v1/admin/settings/logo":                          staffOp(200, "raw", "Upload the logo"),
	"PUT /api/v1/admin/settings/favicon":                       staffOp(200, "raw", "Upload the favicon"),
	"GET /api/v1/admin/settings/oidc":                          staffOp(200, "", "Single sign-on settings"),
	"PUT /api/v1/admin/settings/oidc":                          staffOp(200, "json", "Configure single sign-on (OpenID Connect)"),
	"DELETE /api/v1/admin/settings/oidc":                       staffOp(204, "", "Turn single sign-on off"),
	"GET /api/v1/admin/staff":                                  staffOp(200, "", "Staff members"),
	"POST /api/v1/admin/staff":                                 staffOp(201, "json", "Invite a staff member"),
	"PATCH /api/v1/admin/staff/{id}":                           staffOp(200, "json", "Change a staff member's role or name"),
	"DELETE /api/v1/admin/staff/{id}":                          staffOp(204, "", "Remove a staff member"),
	"POST /api/v1/admin/staff/{id}/invitation":                 staffOp(204, "", "Send a staff member who has not set a password yet a new invitation (the earlier link stops working)"),
	"GET /api/v1/admin/tokens":                                 staffOp(200, "", "API tokens"),
	"POST /api/v1/admin/tokens":                                staffOp(201, "json", "Create an API token (the answer shows it once)"),
	"DELETE /api/v1/admin/tokens/{id}":                         staffOp(204, "", "Revoke an API token"),
	"GET /api/v1/admin/audit":                                  staffOp(200, "", "The tenant's audit log"),
	"GET /api/v1/admin/messages":                               staffOp(200, "", "The catalog's messages with the tenant's wording overrides, per language"),
	"PUT /api/v1/admin/messages/{locale}":                      staffOp(200, "json", "Set the tenant's wording overrides of one language"),
	"GET /api/v1/admin/announcements":                          staffOp(200, "", "Announcements"),
	"POST /api/v1/admin/announcements":                         staffOp(201, "json", "Create an announcement (title, body, severity, site_ids, starts_at, ends_at)"),
	"PATCH /api/v1/admin/announcements/{id}":                   staffOp(200, "json", "Change an announcement"),
	"DELETE /api/v1/admin/announcements/{id}":                  staffOp(204, "", "Delete an announcement"),
	"GET /api/v1/admin/sites/{id}/oidc":                        staffOp(200, "", "A site's own OpenID Connect provider (issuer, client_id, client_secret_set, label, domains, allow_create, require_sso)"),
	"PUT /api/v1/admin/sites/{id}/oidc":                        staffOp(200, "json", "Configure a site's own OpenID Connect provider (issuer, client_id, client_secret, label, domains, allow_create, require_sso: refuse passwords to the addresses of its domains)"),
	"DELETE /api/v1/admin/sites/{id}/oidc":                     staffOp(204, "", "Remove a site's own OpenID Connect provider"),
	"GET /api/v1/admin/contacts/{id}/export":                   staffOp(200, "", "Everything the portal holds of a contact (data rights export)"),
	"GET /api/v1/admin/contacts/{id}/identities":               staffOp(200, "", "The contact's accounts at sign-in providers, linked at their first single sign-on (issuer, subject or Entra tid/oid, provider label, when linked and last used)"),
	"DELETE /api/v1/admin/contacts/{id}/identities/{identity}": staffOp(204, "", "Unlink one (admins): the contact's sessions end; the provider's next sign-in links again only by the first sign-in's rules"),
	"POST /api/v1/admin/contacts/{id}/erase":                   staffOp(204, "", "Erase a contact: profile replaced by a placeholder, messages kept as a former contact's (admins)"),
	"POST /api/v1/admin/kb/preview":                            staffOp(200, "json", "Render article Markdown as the portal would show it"),
	"GET /api/v1/admin/webhooks":                               staffOp(200, "", "Webhook endpoints"),
	"POST /api/v1/admin/webhooks":                              staffOp(201, "json", "Add a webhook endpoint (the answer shows its secret once)"),
	"PATCH /api/v1/admin/webhooks/{id}":                        staffOp(200, "json", "Change a webhook endpoint (address, events, notes, state)"),
	"DELETE /api/v1/admin/webhooks/{id}":                       staffOp(204, "", "Delete a webhook endpoint"),
	"GET /api/v1/admin/webhooks/{id}/deliveries":               staffOp(200, "", "A webhook endpoint's delivery attempts"),

	// Inbound email, for an MTA or a mail service (the tenant's inbound token).
	"POST /api/v1/inbound/email": {summary: "Take one raw RFC 5322 message as a new ticket or a reply", status: 200, body: "raw", auth: "inbound"},
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z_]+)`)

// openAPIPath turns gin's /tickets/:number into OpenAPI's /tickets/{number}.
func openAPIPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// OpenAPI generates the OpenAPI 3.1 document of every /api/v1 route the
// engine serves; undescribed lists the routes apiOps lacks.
func (a *App) OpenAPI() (doc []byte, undescribed []string) {
	paths := map[string]map[string]any{}
	for _, r := range a.Web.Engine.Routes() {
		if !strings.HasPrefix(r.Path, "/api/v1/") {
			continue
		}
		path := openAPIPath(r.Path)
		key := r.Method + " " + path
		op, ok := apiOps[key]
		if !ok {
			undescribed = append(undescribed, key)
			op = apiOp{summary: "(not described yet)", status: 200}
		}
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(r.Method)] = operation(r.Method, path, op)
	}
	slices.Sort(undescribed)
	d := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Service portal API", "version": "1",
			"description": "The JSON API of a tenant's portal (contacts) and admin console (staff, /api/v1/admin). The tenant is chosen by the Host header. " +
				"Errors are {\"error\": {\"code\", \"message\", \"fields\"}}; anything the caller may not see, including another tenant's objects, is a 404. " +
				"Cookie-authenticated requests that change state send the csrf_token returned at sign-in in X-CSRF-Token; bearer tokens need none."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"contactSession": map[string]any{"type": "apiKey", "in": "cookie", "name": "portal_session"},
				"staffSession":   map[string]any{"type": "apiKey", "in": "cookie", "name": "portal_admin_session"},
				"bearer":         map[string]any{"type": "http", "scheme": "bearer", "description": "An API token of a staff member (portal token create, or /admin/tokens)"},
			},
			"schemas": map[string]any{
				"Error": map[string]any{"type": "object", "required": []string{"error"}, "properties": map[string]any{
					"error": map[string]any{"type": "object", "required": []string{"code", "message"}, "properties": map[string]any{
						"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
						"fields": map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}},
					}},
				}},
			},
		},
	}
	doc, _ = json.MarshalIndent(d, "", "  ")
	return doc, undescribed
}

func operation(method, path string, op apiOp) map[string]any {
	tag := "portal"
	if strings.HasPrefix(path, "/api/v1/admin/") {
		tag = "admin"
	}
	id := strings.ToLower(method) + strings.NewReplacer("/api/v1", "", "/", "_", "{", "", "}", "", "-", "_", ".", "_").Replace(path)
	o := map[string]any{"summary": op.summary, "operationId": id, "tags": []string{tag}}
	var params []any
	for _, m := range ginParam.FindAllStringSubmatch(strings.NewReplacer("{", ":", "}", "").Replace(path), -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	if params != nil {
		o["parameters"] = params
	}
	switch op.body {
	case "json":
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}
	case "multipart":
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object"}}}}
	case "raw":
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/octet-stream": map[string]any{"schema": map[string]any{}}}}
	}
	switch op.auth {
	case "contact":
		o["security"] = []any{map[string]any{"contactSession": []string{}}}
	case "reader":
		o["security"] = []any{map[string]any{"contactSession": []string{}}, map[string]any{}}
	case "staff":
		o["security"] = []any{map[string]any{"staffSession": []string{}}, map[string]any{"bearer": []string{}}}
	default:
		o["security"] = []any{}
	}
	ok := map[string]any{"description": http.StatusText(op.status)}
	switch {
	case op.file:
		ok["content"] = map[string]any{"application/octet-stream": map[string]any{"schema": map[string]any{}}}
	case op.status != http.StatusNoContent:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{}}}
	}
	errRef := map[string]any{"description": "An error", "content": map[string]any{"application/json": map[string]any{
		"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	o["responses"] = map[string]any{itoa(op.status): ok, "default": errRef}
	return o
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// openAPIHandler serves the document, generated at the first request
// (every area has registered its routes by then).
func (a *App) openAPIHandler() gin.HandlerFunc {
	var once sync.Once
	var doc []byte
	return func(c *gin.Context) {
		once.Do(func() { doc, _ = a.OpenAPI() })
		c.Data(http.StatusOK, "application/json", doc)
	}
}

// OpenAPIDescriptions lists the routes the document describes (tests).
func OpenAPIDescriptions() map[string]bool {
	out := map[string]bool{}
	for k := range apiOps {
		out[k] = true
	}
	return out
}

// Package svcportal is the domain of the service portal platform: the types
// (Tenant, Site, Contact, Staff), their validation, the error codes shared by
// every layer and the small service interfaces the web layer depends on.
//
// It imports only the standard library. Storage lives in store, HTTP in web,
// portal and admin; cmd/portal wires them together.
package svcportal

import "context"

type contextKey int

const tenantKey contextKey = iota

// WithTenant returns a copy of ctx that carries t. Every store method that
// reads or writes tenant data takes its tenant from there, so no query can
// forget it.
func WithTenant(ctx context.Context, t *Tenant) context.Context {
	return context.WithValue(ctx, tenantKey, t)
}

// TenantFrom returns the tenant carried by ctx, or nil.
func TenantFrom(ctx context.Context) *Tenant {
	t, _ := ctx.Value(tenantKey).(*Tenant)
	return t
}

// Package migrations holds the numbered SQL migrations of the database, one
// folder per dialect with the same file names (a test checks it).
//
// Migrations are forward-only and never edited once they have landed: a
// change to the schema is a new file in both folders. They are plain SQL,
// so they never depend on the application's live types.
package migrations

import "embed"

// FS holds sqlite/NNNN_name.sql and postgres/NNNN_name.sql.
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS

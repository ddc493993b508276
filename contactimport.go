package svcportal

import (
	"context"
	"io"
	"time"
)

// ContactCSVColumns are the columns of the contacts CSV that `portal
// contacts import` and the console read, and the console's export writes,
// in this order.
var ContactCSVColumns = []string{"email", "first_name", "last_name", "site", "role", "locale", "phone", "job_title"}

// MaxImportRows bounds the rows of one contacts import.
const MaxImportRows = 100_000

// ContactImportRow is one data row of a contacts CSV: Line is the line of
// the file where the row starts (the header is line 1).
type ContactImportRow struct {
	Line                                                       int
	Email, FirstName, LastName, Site, Role, Locale, Phone, Job string
}

// ContactImportRefusal is one row that was not imported: where, whose,
// and why (a message id with its data, translated where it is shown; Field
// names the column at fault, "" for the whole row).
type ContactImportRefusal struct {
	Line      int            `json:"line"`
	Email     string         `json:"email"`
	Field     string         `json:"field,omitempty"`
	MessageID string         `json:"message_id"`
	Data      map[string]any `json:"data,omitempty"`
}

// ContactImportOptions tune an import: SendWelcome mails each contact it
// creates a set-password link; Progress, when set, is told after each row
// how many of the total rows are done.
type ContactImportOptions struct {
	SendWelcome bool
	Progress    func(done, total int)
}

// ContactImportReport is what an import did: rows read, contacts created
// and updated (a row that changes nothing counts as unchanged), welcome
// emails queued, each refused row, and the columns of the file it did not
// know and ignored.
type ContactImportReport struct {
	Rows           int                    `json:"rows"`
	Created        int                    `json:"created"`
	Updated        int                    `json:"updated"`
	Unchanged      int                    `json:"unchanged"`
	Welcomed       int                    `json:"welcomed"`
	Refused        []ContactImportRefusal `json:"refused"`
	IgnoredColumns []string               `json:"ignored_columns"`
}

// ContactImporter creates or updates a tenant's contacts from a CSV file:
// UTF-8 with or without a byte-order mark, separated by commas or
// semicolons (as spreadsheets export it), a header line naming the
// ContactCSVColumns in any order (email is required; other columns are
// ignored and reported). A row whose email is a contact's updates it (its
// non-empty cells win; its site is added, or its role there changed);
// any other row creates a contact with that site membership. Each row is
// one transaction: a refused row changes nothing and is reported with its
// line and reason; the others are saved.
type ContactImporter interface {
	// ImportContacts reads r: KindUnprocessable (field "file") when the
	// file as a whole cannot be read (no header, no email column, too many
	// rows); row problems are in the report.
	ImportContacts(ctx context.Context, by *Principal, r io.Reader, opts ContactImportOptions) (*ContactImportReport, error)
	// ExportContacts writes every contact of the tenant as a contacts CSV
	// (one line per site membership), cells that a spreadsheet would take
	// for a formula neutralised.
	ExportContacts(ctx context.Context, w io.Writer) error
}

// States of a ContactImport.
const (
	ImportRunning = "running"
	ImportDone    = "done"
	// ImportFailed: stopped before the end (the server stopped, or an
	// internal error); the rows done before are saved.
	ImportFailed = "failed"
)

// ImportStaleAfter is how long a running import may go without telling
// its progress before it is taken for stopped (its process died): its
// page says so and another import may start.
const ImportStaleAfter = 2 * time.Minute

// ContactImport is a contacts import started from the console, run in
// the background: its progress (Done of Total rows) while it runs, its
// report once done.
type ContactImport struct {
	ID          int64                `bun:"id,pk,autoincrement" json:"id"`
	TenantID    int64                `bun:"tenant_id,notnull" json:"-"`
	StaffID     int64                `bun:"staff_id,notnull" json:"staff_id"`
	FileName    string               `bun:"file_name,notnull" json:"file_name"`
	SendWelcome bool                 `bun:"send_welcome,notnull" json:"send_welcome"`
	State       string               `bun:"state,notnull" json:"state"`
	Total       int                  `bun:"total,notnull" json:"total"`
	Done        int                  `bun:"done,notnull" json:"done"`
	Report      *ContactImportReport `bun:"-" json:"report,omitempty"`
	CreatedAt   time.Time            `bun:"created_at,notnull" json:"created_at"`
	UpdatedAt   time.Time            `bun:"updated_at,notnull" json:"updated_at"`
	FinishedAt  *time.Time           `bun:"finished_at" json:"finished_at,omitempty"`
}

// Percent is how much of the import is done, 0 to 100.
func (i *ContactImport) Percent() int {
	if i.Total == 0 {
		if i.State == ImportRunning {
			return 0
		}
		return 100
	}
	return i.Done * 100 / i.Total
}

// ContactImportStore keeps the context tenant's console imports.
type ContactImportStore interface {
	// StartContactImport records imp as running, first failing the
	// tenant's running imports not heard of since staleBefore:
	// KindConflict (error.import_running) while another one runs.
	StartContactImport(ctx context.Context, imp *ContactImport, staleBefore time.Time) error
	// ContactImportProgress records done rows (and that the import is alive).
	ContactImportProgress(ctx context.Context, id int64, done int) error
	// FinishContactImport records the end: state, rows done, the report.
	FinishContactImport(ctx context.Context, id int64, state string, done int, rep *ContactImportReport) error
	// ContactImport returns one import with its report, or KindNotFound.
	ContactImport(ctx context.Context, id int64) (*ContactImport, error)
	// LatestContactImport returns the tenant's newest import, or KindNotFound.
	LatestContactImport(ctx context.Context) (*ContactImport, error)
}

// ContactImports runs contacts imports in the background for the
// console, one per tenant at a time.
type ContactImports interface {
	// StartContactImport reads the file now (its problems are returned
	// as ImportContacts returns them, and nothing starts), records the
	// import and runs its rows in the background: KindConflict
	// (error.import_running) while another import of the tenant runs,
	// KindTooManyRequests when the server runs too many already.
	StartContactImport(ctx context.Context, by *Principal, r io.Reader, fileName string, opts ContactImportOptions) (*ContactImport, error)
	// ContactImport returns an import as it stands (a running import not
	// heard of for ImportStaleAfter reads as failed): KindNotFound.
	ContactImport(ctx context.Context, id int64) (*ContactImport, error)
	// LatestContactImport returns the tenant's newest import: KindNotFound.
	LatestContactImport(ctx context.Context) (*ContactImport, error)
}

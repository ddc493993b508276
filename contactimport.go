package svcportal

import (
	"context"
	"io"
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

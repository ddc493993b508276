// Package contactcsv reads and writes the contacts CSV of `portal
// contacts import` and of the console's import and export: the columns of
// svcportal.ContactCSVColumns under a header line, as spreadsheets save
// them (UTF-8 with or without a byte-order mark, separated by commas or
// semicolons, quoted fields). It only reads and writes: what a row means
// is the import service's business (accounts).
package contactcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/svcportal/svcportal"
)

// MaxBytes bounds the size of one file.
const MaxBytes = 32 << 20

// bom is the UTF-8 byte-order mark spreadsheets put first.
const bom = "\xef\xbb\xbf"

// File is a parsed contacts CSV: the data rows it could read, the lines
// it could not (broken quotes, text that is not UTF-8), and the columns
// of its header that are not ContactCSVColumns (ignored).
type File struct {
	Rows    []svcportal.ContactImportRow
	Refused []svcportal.ContactImportRefusal
	Ignored []string
	// Comma is the separator found: ',' or ';'.
	Comma rune
}

// fileError is a problem with the whole file, shown beside its input.
func fileError(messageID string, data map[string]any) error {
	return &svcportal.Error{Kind: svcportal.KindUnprocessable, MessageID: messageID, Data: data,
		Fields: map[string]svcportal.FieldError{"file": {MessageID: messageID, Data: data}}}
}

// Parse reads a contacts CSV. Blank lines (all cells empty, as
// spreadsheets leave at the end) are skipped; every cell is trimmed and
// loses the quote Write put before a would-be formula. Errors, all
// KindUnprocessable on the field "file": too large, empty, no header
// with an email column, a column named twice, more than
// svcportal.MaxImportRows rows.
func Parse(r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxBytes {
		return nil, fileError("error.csv_too_large", map[string]any{"MaxMB": MaxBytes >> 20})
	}
	data = bytes.TrimPrefix(data, []byte(bom))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fileError("error.csv_empty", nil)
	}
	f := &File{Comma: separator(data)}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = f.Comma
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fileError("error.csv_header", nil)
	}
	cols := map[string]int{}
	for i, h := range header {
		name := columnName(h)
		if name == "" {
			continue
		}
		if _, twice := cols[name]; twice {
			return nil, fileError("error.csv_column_twice", map[string]any{"Column": name})
		}
		cols[name] = i
		if !known(name) {
			f.Ignored = append(f.Ignored, name)
		}
	}
	if _, ok := cols["email"]; !ok {
		return nil, fileError("error.csv_header", nil)
	}
	// Each Read consumes at least one line, so this bounds the loop even
	// if a reader were to return the same error again and again.
	for guard := bytes.Count(data, []byte("\n")) + 2; guard > 0; guard-- {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			f.Refused = append(f.Refused, svcportal.ContactImportRefusal{Line: pe.StartLine, MessageID: "error.csv_quotes"})
			continue
		} else if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		cell := func(name string) string {
			i, ok := cols[name]
			if !ok || i >= len(rec) {
				return ""
			}
			return Unquote(strings.TrimSpace(lineBreaks.Replace(rec[i])))
		}
		if !validUTF8(rec) {
			f.Refused = append(f.Refused, svcportal.ContactImportRefusal{Line: line, Email: strings.ToValidUTF8(cell("email"), "?"),
				MessageID: "error.csv_encoding"})
			continue
		}
		if len(f.Rows) == svcportal.MaxImportRows {
			return nil, fileError("error.csv_too_many_rows", map[string]any{"Max": svcportal.MaxImportRows})
		}
		f.Rows = append(f.Rows, svcportal.ContactImportRow{Line: line, Email: cell("email"), FirstName: cell("first_name"),
			LastName: cell("last_name"), Site: cell("site"), Role: cell("role"), Locale: cell("locale"),
			Phone: cell("phone"), Job: cell("job_title")})
	}
	return f, nil
}

// lineBreaks writes every line break inside a cell as "\n": a CR, alone
// or before an LF, is not kept by CSV's quoting (a reader turns a quoted
// CRLF into LF), so a cell holding one would not read back as exported.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// separator is ';' when the first line (outside quotes) has more
// semicolons than commas, as spreadsheets in French, German, Spanish or
// Italian save CSV; else ','.
func separator(data []byte) rune {
	commas, semis, quoted := 0, 0, false
	for _, b := range data {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n':
			if semis > commas {
				return ';'
			}
			return ','
		case b == ',':
			commas++
		case b == ';':
			semis++
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}

// columnName reads a header cell: "First name", "first-name" and
// "FIRST_NAME" are first_name.
func columnName(h string) string {
	h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, bom)))
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, h)
}

func known(name string) bool {
	for _, c := range svcportal.ContactCSVColumns {
		if c == name {
			return true
		}
	}
	return false
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func validUTF8(rec []string) bool {
	for _, c := range rec {
		if !utf8.ValidString(c) {
			return false
		}
	}
	return true
}

// formulaStart reports whether a spreadsheet would read a cell starting
// with b as a formula (or, for tab and carriage return, strip them and
// read what follows).
func formulaStart(b byte) bool {
	return b == '=' || b == '+' || b == '-' || b == '@' || b == '\t' || b == '\r'
}

// needsQuote reports whether s, written as is, could run as a formula:
// it starts with a formula character, after any number of single quotes
// (those are quoted too, so that Unquote gives back exactly s).
func needsQuote(s string) bool {
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	return i < len(s) && formulaStart(s[i])
}

// Neutralize makes a cell safe to open in a spreadsheet: a value that
// would start a formula (= + - @ tab CR) gets a leading single quote, which
// spreadsheets read as "text" (the OWASP advice for CSV injection).
// Unquote undoes it.
func Neutralize(s string) string {
	if needsQuote(s) {
		return "'" + s
	}
	return s
}

// Unquote removes the quote Neutralize added, so an exported file imports
// back unchanged; any other value is returned as is.
func Unquote(s string) string {
	if strings.HasPrefix(s, "'") && needsQuote(s[1:]) {
		return s[1:]
	}
	return s
}

// Write writes contacts as a contacts CSV that Parse reads back: a
// byte-order mark (so spreadsheets take it for UTF-8), the header, and one
// line per site membership (one without a site for a contact of none),
// every cell neutralised.
func Write(w io.Writer, contacts []svcportal.Contact) error {
	if _, err := io.WriteString(w, bom); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(svcportal.ContactCSVColumns); err != nil {
		return err
	}
	for _, c := range contacts {
		ms := c.Memberships
		if len(ms) == 0 {
			ms = []svcportal.Membership{{}}
		}
		for _, m := range ms {
			rec := []string{c.Email, c.FirstName, c.LastName, m.SiteName, m.Role, c.Locale, c.Phone, c.JobTitle}
			for i := range rec {
				rec[i] = Neutralize(rec[i])
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

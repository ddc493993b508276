package contactcsv_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/contactcsv"
)

func TestParse(t *testing.T) {
	t.Run("BOM, semicolons, quoted fields, header in any order and case", func(t *testing.T) {
		in := "\xef\xbb\xbfSite;Email;First name;LAST_NAME;role;locale;phone;job-title;Notes\r\n" +
			"Initech;peter@initech.test;Peter;\"Gibbons; Jr.\";member;fr;\"+33 1 23\";\"Dev\nTeam\";x\r\n" +
			";;;;;;;;\r\n" +
			"Umbrella;ALICE@umbrella.test;Alice;;site_manager;;;;\r\n"
		f, err := contactcsv.Parse(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if f.Comma != ';' || len(f.Rows) != 2 || len(f.Refused) != 0 || strings.Join(f.Ignored, ",") != "notes" {
			t.Fatalf("got %+v", f)
		}
		p := f.Rows[0]
		if p.Line != 2 || p.Email != "peter@initech.test" || p.LastName != "Gibbons; Jr." || p.Site != "Initech" || p.Phone != "+33 1 23" ||
			p.Job != "Dev\nTeam" || p.Locale != "fr" {
			t.Errorf("row 1: %+v", p)
		}
		if a := f.Rows[1]; a.Line != 5 || a.Email != "ALICE@umbrella.test" || a.Role != "site_manager" {
			t.Errorf("row 2 (after a quoted line break and a blank line): %+v", a)
		}
	})
	t.Run("commas, no BOM, bad rows reported with their lines", func(t *testing.T) {
		in := "email,first_name,site\n" +
			"a@x.test,Ann,Initech\n" +
			"b@x.test,\"Bo\"b,Initech\n" + // a bare quote
			"c@x.test,\xff\xfe,Initech\n" + // not UTF-8
			"d@x.test,Dee\n" // short row: missing cells are empty
		f, err := contactcsv.Parse(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		if f.Comma != ',' || len(f.Rows) != 2 || f.Rows[0].Line != 2 || f.Rows[1].Line != 5 || f.Rows[1].Site != "" {
			t.Fatalf("rows %+v", f.Rows)
		}
		if len(f.Refused) != 2 || f.Refused[0].Line != 3 || f.Refused[0].MessageID != "error.csv_quotes" ||
			f.Refused[1].Line != 4 || f.Refused[1].MessageID != "error.csv_encoding" || f.Refused[1].Email != "c@x.test" {
			t.Errorf("refused %+v", f.Refused)
		}
	})
	for name, c := range map[string]struct{ in, msg string }{
		"empty":         {"\xef\xbb\xbf \n", "error.csv_empty"},
		"no email":      {"name,site\nx,y\n", "error.csv_header"},
		"column twice":  {"email,Email\n", "error.csv_column_twice"},
		"broken header": {"\"email\n", "error.csv_header"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := contactcsv.Parse(strings.NewReader(c.in))
			e, ok := err.(*svcportal.Error)
			if !ok || e.Kind != svcportal.KindUnprocessable || e.Fields["file"].MessageID != c.msg {
				t.Errorf("got %v, want %s on the file", err, c.msg)
			}
		})
	}
}

func TestNeutralize(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")", "+33 1": "'+33 1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)",
		"\tcmd": "'\tcmd", "\rcmd": "'\rcmd", "'=x": "''=x", "plain": "plain", "": "", "'quoted": "'quoted", "a=b": "a=b",
	} {
		if got := contactcsv.Neutralize(in); got != want {
			t.Errorf("Neutralize(%q) = %q, want %q", in, got, want)
		}
		if back := contactcsv.Unquote(contactcsv.Neutralize(in)); back != in {
			t.Errorf("Unquote(Neutralize(%q)) = %q", in, back)
		}
	}
}

// TestWrite_RoundTrip: an export neutralises every would-be formula and
// imports back to the same values.
func TestWrite_RoundTrip(t *testing.T) {
	contacts := []svcportal.Contact{
		{Email: "peter@initech.test", FirstName: "=cmd|' /C calc'!A0", LastName: "Gibbons, \"Jr\"", Phone: "+33 1 23", JobTitle: "@boss",
			Memberships: []svcportal.Membership{{SiteName: "Initech", Role: "member"}, {SiteName: "-Umbrella", Role: "site_manager"}}},
		{Email: "lone@x.test", Locale: "de"},
	}
	var buf bytes.Buffer
	if err := contactcsv.Write(&buf, contacts); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\xef\xbb\xbfemail,first_name,last_name,site,role,locale,phone,job_title\n") {
		t.Errorf("header: %q", out[:80])
	}
	for _, line := range strings.Split(out, "\n")[1:] {
		for _, cell := range strings.Split(line, ",") {
			cell = strings.TrimPrefix(cell, "\"")
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("a cell starts a formula: %q in %q", cell, line)
			}
		}
	}
	f, err := contactcsv.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Rows) != 3 {
		t.Fatalf("rows %+v", f.Rows)
	}
	if r := f.Rows[0]; r.FirstName != contacts[0].FirstName || r.LastName != contacts[0].LastName || r.Phone != "+33 1 23" || r.Job != "@boss" {
		t.Errorf("row 1 back: %+v", r)
	}
	if r := f.Rows[1]; r.Site != "-Umbrella" || r.Role != "site_manager" {
		t.Errorf("row 2 back: %+v", r)
	}
	if r := f.Rows[2]; r.Email != "lone@x.test" || r.Site != "" || r.Locale != "de" {
		t.Errorf("row 3 back: %+v", r)
	}
}

// FuzzContactsCSV: whatever the bytes, Parse neither panics nor loops;
// the rows it keeps are UTF-8 with increasing lines past the header, and
// every kept row survives an export and a new import unchanged.
func FuzzContactsCSV(f *testing.F) {
	f.Add([]byte("email,first_name,site\na@x.test,Ann,Initech\n"))
	f.Add([]byte("\xef\xbb\xbfemail;site\n\"a@x.test\";\"Init;ech\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := contactcsv.Parse(bytes.NewReader(data))
		if err != nil {
			if _, ok := err.(*svcportal.Error); !ok {
				t.Fatalf("not a domain error: %v", err)
			}
			return
		}
		last := 1
		var contacts []svcportal.Contact
		for _, r := range file.Rows {
			if r.Line <= last {
				t.Fatalf("line %d after %d", r.Line, last)
			}
			last = r.Line
			for _, c := range []string{r.Email, r.FirstName, r.LastName, r.Site, r.Role, r.Locale, r.Phone, r.Job} {
				if !utf8.ValidString(c) {
					t.Fatalf("invalid UTF-8 kept: %q", c)
				}
			}
			c := svcportal.Contact{Email: r.Email, FirstName: r.FirstName, LastName: r.LastName, Locale: r.Locale, Phone: r.Phone, JobTitle: r.Job}
			if r.Site != "" || r.Role != "" {
				c.Memberships = []svcportal.Membership{{SiteName: r.Site, Role: r.Role}}
			}
			contacts = append(contacts, c)
		}
		for _, r := range file.Refused {
			if r.Line < 1 {
				t.Fatalf("refusal without a line: %+v", r)
			}
		}
		var buf bytes.Buffer
		if err := contactcsv.Write(&buf, contacts); err != nil {
			t.Fatal(err)
		}
		back, err := contactcsv.Parse(&buf)
		if err != nil {
			t.Fatalf("an export does not import: %v", err)
		}
		// A row whose only cells were in ignored columns exports as blank.
		var kept []svcportal.ContactImportRow
		for _, r := range file.Rows {
			if r.Email+r.FirstName+r.LastName+r.Site+r.Role+r.Locale+r.Phone+r.Job != "" {
				kept = append(kept, r)
			}
		}
		if len(back.Rows) != len(kept) {
			t.Fatalf("%d rows back, want %d", len(back.Rows), len(kept))
		}
		for i, r := range back.Rows {
			w := kept[i]
			if r.Email != w.Email || r.FirstName != w.FirstName || r.LastName != w.LastName || r.Site != w.Site || r.Phone != w.Phone || r.Job != w.Job {
				t.Fatalf("row %d changed by a round trip: %+v → %+v", i, w, r)
			}
		}
	})
}

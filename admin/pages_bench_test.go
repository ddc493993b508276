package admin_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/testkit"
)

// BenchmarkConsolePages measures the CPU and allocations of the console's
// most used lists in process, in a tenant of 200 sites (an MSP's
// clients): the queue (25 of 60 tickets, with its site and assignee
// filters) and the directory of contacts (with the site filter and the
// new contact's form). go test ./admin -bench ConsolePages -benchmem
func BenchmarkConsolePages(b *testing.B) {
	d := newDesk(b)
	for i := range 200 {
		site := testkit.Site(d.actx, b, d.app.Store, fmt.Sprintf("Client %03d", i))
		testkit.Contact(d.actx, b, d.app.Store, fmt.Sprintf("user%03d@client.test", i), site, svcportal.RoleMember)
	}
	for i := range 60 {
		d.ticket(b, d.peter, fmt.Sprintf("Printer %d jams", i), "It jams on page two.")
	}
	for _, path := range []string{"/admin/tickets", "/admin/contacts"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				if rec := d.admin.Get(b, path); rec.Code != http.StatusOK {
					b.Fatalf("%s: %d", path, rec.Code)
				}
			}
		})
	}
}

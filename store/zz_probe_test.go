package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/store"
	"github.com/svcportal/svcportal/testkit"
)

func TestZZProbe(t *testing.T) {
	url := os.Getenv("PROBE_DB")
	if url == "" {
		t.Skip()
	}
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	log := &testkit.QueryLog{}
	st.AddQueryHook(log)
	tn, err := st.TenantBySlug(ctx, "bench")
	if err != nil {
		t.Fatal(err)
	}
	ctx = svcportal.WithTenant(ctx, tn)
	var email string
	st.DB().NewRaw("SELECT c.email FROM contacts c JOIN contact_sites cs ON cs.contact_id = c.id WHERE cs.role = 'site_manager' ORDER BY cs.site_id LIMIT 1").Scan(ctx, &email)
	c, err := st.ContactByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	q := os.Getenv("PROBE_Q")
	for i := 0; i < 3; i++ {
		start := time.Now()
		var n int
		qs := log.During(func() {
			_, n, err = st.ContactTickets(ctx, svcportal.ViewerOf(c), svcportal.TicketFilter{Query: q, Scope: "site"})
		})
		fmt.Println(time.Since(start), n, err)
		if i == 2 {
			for _, s := range qs {
				fmt.Println(s)
			}
		}
	}
}

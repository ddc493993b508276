package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/app"
	"github.com/svcportal/svcportal/password"
)

// runSeed adds bulk data to a tenant for benchmarks: sites, contacts
// spread over them, and tickets spread over the contacts, with a progress
// bar for each.
func runSeed(e *env, args []string) error {
	var slug string
	var sites, contacts, tickets, articles, due int
	cfg, err := e.parseConfig("seed", args, func(fs *flag.FlagSet) {
		fs.StringVar(&slug, "tenant", "", "tenant slug")
		fs.IntVar(&sites, "sites", 10, "sites to add")
		fs.IntVar(&contacts, "contacts", 100, "contacts to add, spread over the sites")
		fs.IntVar(&tickets, "tickets", 1000, "tickets to add, spread over the contacts")
		fs.IntVar(&articles, "articles", 0, "knowledge-base articles to add, each in English and French")
		fs.IntVar(&due, "due", 0, "tickets waiting on the client past the auto-close delay (the job will close them)")
	})
	if err != nil {
		return err
	}
	switch {
	case slug == "":
		return usageError{"--tenant is required"}
	case sites < 1 || contacts < 1 || tickets < 0 || articles < 0 || due < 0 || due > tickets:
		return usageError{"--sites and --contacts must be at least 1, --tickets and --articles at least 0, --due from 0 to --tickets"}
	}
	a, err := e.openApp(cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	t, err := a.Store.TenantBySlug(e.ctx, slug)
	if svcportal.KindOf(err) == svcportal.KindNotFound {
		return fmt.Errorf("no tenant %q", slug)
	} else if err != nil {
		return err
	}
	ctx := svcportal.WithTenant(e.ctx, t)
	if err := a.Store.PrepareBulkLoad(ctx); err != nil {
		return err
	}
	run := fmt.Sprintf("%x", time.Now().UnixNano()) // keeps names unique across runs
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))

	siteIDs := make([]int64, 0, sites)
	bar := newProgress(e.stdout, "sites", sites)
	for i := range sites {
		s := &svcportal.Site{Name: fmt.Sprintf("Seed %s site %d", run, i+1), KBEnabled: true}
		if err := a.Store.CreateSite(ctx, s); err != nil {
			return err
		}
		siteIDs = append(siteIDs, s.ID)
		bar.step(i + 1)
	}
	hash, err := password.Hash(demoPassword) // one hash for all: seeding is about volume
	if err != nil {
		return err
	}
	contactIDs := make([]int64, 0, contacts)
	contactSite := map[int64]int64{}
	bar = newProgress(e.stdout, "contacts", contacts)
	for i := range contacts {
		site := siteIDs[i%len(siteIDs)]
		role := svcportal.RoleMember
		if i < len(siteIDs) {
			role = svcportal.RoleSiteManager // the first contact of each site manages it
		}
		c := &svcportal.Contact{Email: fmt.Sprintf("seed-%s-%d@example.test", run, i+1), FirstName: "Seed", LastName: fmt.Sprint(i + 1),
			PasswordHash: hash, Memberships: []svcportal.Membership{{SiteID: site, Role: role}}}
		if err := a.Store.CreateContact(ctx, c); err != nil {
			return err
		}
		contactIDs = append(contactIDs, c.ID)
		contactSite[c.ID] = site
		bar.step(i + 1)
	}
	words := []string{"printer", "VPN", "laptop", "email", "password", "Wi-Fi", "monitor", "backup", "license", "phone"}
	bar = newProgress(e.stdout, "tickets", tickets)
	dates := seedDates{now: time.Now(), tickets: tickets, due: due, delay: time.Duration(t.AutoCloseDays) * 24 * time.Hour, rng: rng}
	for done := 0; done < tickets; {
		n := min(seedBatch, tickets-done)
		batch := make([]svcportal.Ticket, n)
		for i := range batch {
			requester := contactIDs[rng.IntN(len(contactIDs))]
			status, created, changed := dates.of(done+i, svcportal.Statuses[rng.IntN(len(svcportal.Statuses))])
			batch[i] = svcportal.Ticket{SiteID: contactSite[requester], RequesterID: requester,
				Title:       fmt.Sprintf("%s issue %d", words[rng.IntN(len(words))], done+i+1),
				Description: "Seeded ticket.", Status: status,
				Type: t.TicketTypes[rng.IntN(len(t.TicketTypes))], Priority: svcportal.Priorities[rng.IntN(len(svcportal.Priorities))],
				SharedWithSite: rng.IntN(4) == 0, CreatedAt: created, StatusChangedAt: changed}
		}
		if err := a.Store.SeedTickets(ctx, batch); err != nil {
			return err
		}
		done += n
		bar.step(done)
	}
	if articles > 0 {
		if err := seedArticles(e, a, ctx, run, articles, words, rng); err != nil {
			return err
		}
	}
	if err := a.Store.FinishBulkLoad(ctx); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Seeded %s: %d sites, %d contacts (password %s), %d tickets, %d articles.\n", slug, sites, contacts, demoPassword, tickets, articles)
	return nil
}

// seedBatch is how many tickets one transaction of portal seed inserts.
// Each commit writes every index page the batch touched; batches of
// 50,000 rather than 10,000, with PrepareBulkLoad's statement journals in
// memory, seeded a million tickets on SQLite in 62 s instead of 69 s
// (docs/benchmarks.md).
const seedBatch = 50000

// seedDates dates seeded tickets: created over the past year, one after
// another, and — for those waiting on the client — a last status change
// recent enough that neither a reminder nor the auto-close is due, so
// that the job does not wake to thousands of tickets at once while a
// benchmark runs. The first `due` tickets wait on the client past the
// delay instead, when asked (--due).
type seedDates struct {
	now          time.Time
	tickets, due int
	delay        time.Duration
	rng          *rand.Rand
}

// of dates the i-th ticket and says its status when it must be one
// waiting on the client (one of the first `due`).
func (d *seedDates) of(i int, status string) (string, time.Time, time.Time) {
	const span = 365 * 24 * time.Hour
	created := d.now.Add(-span + time.Duration(i)*(span/time.Duration(max(d.tickets, 1))))
	if i < d.due {
		changed := d.now.Add(-d.delay - time.Duration(d.rng.Int64N(int64(d.delay))))
		if created.After(changed) {
			created = changed
		}
		return svcportal.StatusAwaitingReply, created, changed
	}
	if status != svcportal.StatusAwaitingReply && status != svcportal.StatusSolutionProposed {
		return status, created, created
	}
	// Before the reminder, at half the delay.
	if changed := d.now.Add(-time.Duration(d.rng.Int64N(int64(d.delay / 2)))); changed.After(created) {
		return status, created, changed
	}
	return status, created, created
}

// seedArticles writes articles straight to the store (fast), in one
// category and a section per hundred (each queued for the search index),
// then waits for the index to take them.
func seedArticles(e *env, a *app.App, ctx context.Context, run string, n int, words []string, rng *rand.Rand) error {
	cat := &svcportal.KBCategory{Names: map[string]string{"en": "Seeded " + run}, AllSites: true}
	if err := a.KB.CreateCategory(ctx, cat); err != nil {
		return err
	}
	bar := newProgress(e.stdout, "articles", n)
	var sec *svcportal.KBSection
	for i := range n {
		if i%100 == 0 {
			sec = &svcportal.KBSection{CategoryID: cat.ID, Names: map[string]string{"en": fmt.Sprintf("Section %d", i/100+1)}, AllSites: true}
			if err := a.KB.CreateSection(ctx, sec); err != nil {
				return err
			}
		}
		w1, w2 := words[rng.IntN(len(words))], words[rng.IntN(len(words))]
		art := &svcportal.KBArticle{SectionID: sec.ID, State: svcportal.KBPublished, AllSites: true,
			Translations: map[string]svcportal.KBTranslation{
				"en": {Title: fmt.Sprintf("How to fix the %s when the %s fails (%d)", w1, w2, i+1),
					Body: fmt.Sprintf("Restart the %s, then check the %s settings.", w1, w2), Keywords: []string{w1, w2}},
				"fr": {Title: fmt.Sprintf("Réparer %s quand %s ne marche plus (%d)", w1, w2, i+1),
					Body: fmt.Sprintf("Redémarrez %s, puis vérifiez les réglages de %s.", w1, w2), Keywords: []string{w1, w2}},
			}}
		if err := a.Store.CreateKBArticle(ctx, art); err != nil {
			return err
		}
		bar.step(i + 1)
	}
	// One rebuild of the tenant, rather than an index change per article.
	if _, err := a.Store.QueueTenantRebuild(ctx, cat.TenantID); err != nil {
		return err
	}
	_, err := syncIndex(e, a)
	return err
}

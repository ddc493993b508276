package tickets

import (
	"context"
	"log/slog"
	"time"

	"github.com/svcportal/svcportal"
)

// Tenants lists every tenant for the auto-close job.
type Tenants interface {
	Tenants(ctx context.Context) ([]svcportal.Tenant, error)
}

// The auto-close job must never starve serving: with twenty thousand
// tickets past their delay it once closed them as fast as the database
// allowed, each with its emails, and every page slowed. So it works one
// ticket at a time (one tenant after another, no goroutines of its own),
// in batches of autoCloseBatch, and rests autoClosePause after each full
// batch: at most some twenty tickets a second per instance, and the
// writer free most of the time. The mail worker paces its deliveries the
// same way (mail.Worker.Pause).
const (
	autoCloseBatch = 20
	autoClosePause = time.Second
)

// AutoClose visits every enabled tenant once: a ticket waiting on the client
// (awaiting_reply or solution_proposed) for half the tenant's auto-close
// delay gets a reminder, and one waiting for the whole delay is closed,
// each with an event and emails. Every change is conditional on the
// ticket being unchanged, so several instances running the job at once
// never remind or close a ticket twice, nor send its emails twice.
func (s *Service) AutoClose(ctx context.Context, tenants Tenants) (reminded, closed int, err error) {
	all, err := tenants.Tenants(ctx)
	if err != nil {
		return 0, 0, err
	}
	now := s.now()
	for i := range all {
		t := &all[i]
		if t.DisabledAt != nil {
			continue // a disabled tenant's tickets wait for it to be enabled
		}
		tctx := svcportal.WithTenant(ctx, t)
		delay := time.Duration(t.AutoCloseDays) * 24 * time.Hour
		for {
			due, err := s.st.TicketsAwaitingClient(tctx, now.Add(-delay/2), now.Add(-delay), autoCloseBatch)
			if err != nil {
				return reminded, closed, err
			}
			done, err := s.handleDue(tctx, due, now, delay, &reminded, &closed)
			if err != nil {
				return reminded, closed, err
			}
			if len(due) < autoCloseBatch || done == 0 {
				break // all handled (or none could be: try next round)
			}
			select {
			case <-ctx.Done():
				return reminded, closed, ctx.Err()
			case <-time.After(autoClosePause):
			}
		}
	}
	return reminded, closed, nil
}

// handleDue reminds or closes each ticket of due, one after another,
// and says how many left the job's list (handled here or by another
// instance).
func (s *Service) handleDue(ctx context.Context, due []svcportal.Ticket, now time.Time, delay time.Duration, reminded, closed *int) (int, error) {
	handled := 0
	for j := range due {
		tk := &due[j]
		var count *int
		var err error
		if !tk.StatusChangedAt.After(now.Add(-delay)) {
			count, err = closed, s.autoClose(ctx, tk)
		} else if tk.ReminderSentAt == nil {
			count, err = reminded, s.remind(ctx, tk)
		} else {
			continue
		}
		switch svcportal.KindOf(err) {
		case svcportal.KindNone:
			*count++
			handled++
		case svcportal.KindConflict: // another instance got there first
			handled++
		default:
			return handled, err
		}
	}
	return handled, nil
}

func (s *Service) remind(ctx context.Context, t *svcportal.Ticket) error {
	now := s.now()
	t.ReminderSentAt = &now
	change := svcportal.TicketChange{StatusFrom: t.Status, NoReminderYet: true,
		Events: []svcportal.TicketEvent{{Kind: svcportal.EventAutoCloseWarning}}}
	var err error
	if change.Emails, err = s.notify(ctx, t, "ticket_reminder", nil, ""); err != nil {
		return err
	}
	return s.st.UpdateTicket(ctx, t, change)
}

func (s *Service) autoClose(ctx context.Context, t *svcportal.Ticket) error {
	from := t.Status
	change := svcportal.TicketChange{StatusFrom: from,
		Events: []svcportal.TicketEvent{{Kind: svcportal.EventAutoClosed}, s.setStatus(nil, t, svcportal.StatusClosed)}}
	var err error
	if change.Emails, err = s.notify(ctx, t, "ticket_auto_closed", nil, ""); err != nil {
		return err
	}
	return s.st.UpdateTicket(ctx, t, change)
}

// RunAutoClose runs AutoClose every interval until ctx ends, logging what
// it did and any failure (the next round tries again).
func (s *Service) RunAutoClose(ctx context.Context, tenants Tenants, interval time.Duration, log *slog.Logger) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		reminded, closed, err := s.AutoClose(ctx, tenants)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("auto-close round failed", "err", err)
		case reminded+closed > 0:
			log.Info("auto-close round", "reminded", reminded, "closed", closed)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

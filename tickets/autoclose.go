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

// autoCloseBatch bounds the tickets one round handles per tenant; the next
// round takes the rest.
const autoCloseBatch = 500

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
		due, err := s.st.TicketsAwaitingClient(tctx, now.Add(-delay/2), autoCloseBatch)
		if err != nil {
			return reminded, closed, err
		}
		for j := range due {
			tk := &due[j]
			var done *int
			var err error
			if !tk.StatusChangedAt.After(now.Add(-delay)) {
				done, err = &closed, s.autoClose(tctx, tk)
			} else if tk.ReminderSentAt == nil {
				done, err = &reminded, s.remind(tctx, tk)
			} else {
				continue
			}
			switch svcportal.KindOf(err) {
			case svcportal.KindNone:
				*done++
			case svcportal.KindConflict: // another instance got there first
			default:
				return reminded, closed, err
			}
		}
	}
	return reminded, closed, nil
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

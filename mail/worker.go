package mail

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/svcportal/svcportal"
)

// Worker delivers the outbox: it claims due messages with a lease, sends
// each through its transport and records the outcome. A failed attempt is
// retried after an exponential backoff; after MaxAttempts, or at once for
// a permanent error, the message is marked failed and an ERROR is logged.
// Several workers, in one process or many, may run on the same database.
type Worker struct {
	PollInterval time.Duration // between two rounds of Run
	BatchSize    int           // messages claimed at once
	Lease        time.Duration // how long a claim keeps other workers away
	MaxAttempts  int           // attempts before giving up
	BaseBackoff  time.Duration // wait after the first failed attempt; doubled after each
	MaxBackoff   time.Duration // longest wait between attempts
	// Pause is the rest after a full batch, so that a backlog (a
	// thousand auto-closed tickets' notices) drains at a pace that leaves
	// the database to the people using the portal.
	Pause time.Duration

	store     svcportal.OutboxStore
	transport Transport
	log       *slog.Logger
	now       func() time.Time
}

// Defaults of a new worker: 12 attempts spread over about seven hours.
const (
	DefaultPollInterval = 5 * time.Second
	DefaultBatchSize    = 20
	DefaultLease        = 5 * time.Minute
	DefaultMaxAttempts  = 12
	DefaultBaseBackoff  = time.Minute
	DefaultMaxBackoff   = time.Hour
	DefaultPause        = 200 * time.Millisecond
)

// maxErrorLength bounds the error text kept with a message.
const maxErrorLength = 1000

// NewWorker returns a worker with the default settings. A nil logger
// discards, a nil now means time.Now.
func NewWorker(store svcportal.OutboxStore, t Transport, logger *slog.Logger, now func() time.Time) *Worker {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Worker{
		PollInterval: DefaultPollInterval,
		BatchSize:    DefaultBatchSize,
		Lease:        DefaultLease,
		MaxAttempts:  DefaultMaxAttempts,
		BaseBackoff:  DefaultBaseBackoff,
		MaxBackoff:   DefaultMaxBackoff,
		Pause:        DefaultPause,
		store:        store,
		transport:    t,
		log:          logger,
		now:          now,
	}
}

// Run delivers due messages every PollInterval until ctx ends. A round
// that fails (the database is down) is logged and tried again next time.
func (w *Worker) Run(ctx context.Context) {
	tick := time.NewTicker(w.PollInterval)
	defer tick.Stop()
	for {
		if _, err := w.RunOnce(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("mail worker round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// RunOnce delivers every message due now, batch after batch, and returns
// how many were sent. It stops at the first database error, or when ctx
// ends; messages it had claimed but not tried wait for their lease to end.
func (w *Worker) RunOnce(ctx context.Context) (sent int, err error) {
	for full := false; ctx.Err() == nil; {
		if full && w.Pause > 0 {
			// A backlog: pace it, before claiming the next batch.
			select {
			case <-ctx.Done():
				return sent, ctx.Err()
			case <-time.After(w.Pause):
			}
		}
		batch, err := w.store.ClaimDueEmails(ctx, w.now(), w.BatchSize, w.Lease)
		if err != nil {
			return sent, fmt.Errorf("claim due emails: %w", err)
		}
		if len(batch) == 0 {
			return sent, nil
		}
		full = len(batch) == w.BatchSize
		for i := range batch {
			if ctx.Err() != nil {
				break
			}
			ok, err := w.deliver(ctx, &batch[i])
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
	}
	return sent, ctx.Err()
}

// deliver tries one claimed message and records the outcome; it reports
// whether the message was sent, and returns an error only when the outcome
// could not be recorded.
func (w *Worker) deliver(ctx context.Context, m *svcportal.OutboundEmail) (bool, error) {
	log := w.log.With("email_id", m.ID, "tenant_id", m.TenantID, "kind", m.Kind, "attempt", m.Attempts)
	// Recording the outcome must not be cut short by a shutdown that
	// begins during the send.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	var marked bool
	var markErr error
	markSent := func() {
		if !marked && markErr == nil {
			markErr = w.store.MarkEmailSent(rctx, m.ID, w.now())
			marked = markErr == nil
		}
	}
	var sendErr error
	if m.Attempts > w.MaxAttempts {
		// Earlier attempts ended without an outcome (a crash mid-send):
		// do not let such a message loop forever.
		sendErr = Permanent(fmt.Errorf("no outcome recorded after %d attempts", m.Attempts-1))
	} else if at, ok := w.transport.(AcceptingTransport); ok {
		// Delivery is recorded the moment the server has the message.
		sendErr = at.SendAccepted(ctx, m, markSent)
	} else {
		sendErr = w.transport.Send(ctx, m)
	}
	if markErr != nil {
		return false, fmt.Errorf("mark email %d sent: %w", m.ID, markErr)
	}
	if marked {
		log.Info("email sent")
		return true, nil
	}
	if sendErr != nil && ctx.Err() != nil {
		// Shutting down: this was no fault of the message. Its lease
		// ends and the attempt is made again later.
		return false, nil
	}
	now := w.now()
	switch {
	case sendErr == nil:
		if markSent(); markErr != nil {
			return false, fmt.Errorf("mark email %d sent: %w", m.ID, markErr)
		}
		log.Info("email sent")
		return true, nil
	case IsPermanent(sendErr) || m.Attempts >= w.MaxAttempts:
		if err := w.store.MarkEmailFailed(rctx, m.ID, truncate(sendErr.Error())); err != nil {
			return false, fmt.Errorf("mark email %d failed: %w", m.ID, err)
		}
		log.Error("email delivery failed; giving up, the message stays in the outbox as failed",
			"permanent", IsPermanent(sendErr), "err", sendErr)
		return false, nil
	default:
		next := now.Add(w.backoff(m.Attempts))
		if err := w.store.MarkEmailRetry(rctx, m.ID, truncate(sendErr.Error()), next); err != nil {
			return false, fmt.Errorf("mark email %d for retry: %w", m.ID, err)
		}
		log.Warn("email delivery failed; will retry", "next_attempt_at", next, "err", sendErr)
		return false, nil
	}
}

// backoff is the wait after the given number of failed attempts:
// BaseBackoff doubled for each attempt after the first, capped at MaxBackoff.
func (w *Worker) backoff(attempts int) time.Duration {
	d := w.BaseBackoff
	for i := 1; i < attempts && d < w.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.MaxBackoff)
}

func truncate(s string) string {
	if len(s) <= maxErrorLength {
		return s
	}
	// Cut on a rune boundary.
	cut := maxErrorLength
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

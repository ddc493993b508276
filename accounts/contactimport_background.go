package accounts

import (
	"context"
	"io"
	"log/slog"
	"sync"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/contactcsv"
)

// MaxRunningImports bounds the contacts imports one process runs at once
// (each holds its parsed file, at most contactcsv.MaxBytes, in memory).
const MaxRunningImports = 4

// progressSteps is how many times at most an import writes its progress.
const progressSteps = 100

// backgroundImports are the imports this process runs: Close stops them
// and waits for them to record how far they got.
type backgroundImports struct {
	mu      sync.Mutex
	running int
	closed  bool
	stop    context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// take reserves a place for one more import, or says there is none.
func (b *backgroundImports) take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed || b.running >= MaxRunningImports {
		return false
	}
	if b.stop == nil {
		b.stop, b.cancel = context.WithCancel(context.Background())
	}
	b.running++
	b.wg.Add(1)
	return true
}

func (b *backgroundImports) release() {
	b.mu.Lock()
	b.running--
	b.mu.Unlock()
	b.wg.Done()
}

// Close stops the imports running in this process and waits until each
// has recorded how far it got (the rows done are saved); no import starts
// afterwards. The app calls it before closing the database.
func (s *Service) Close() {
	b := &s.imports
	b.mu.Lock()
	b.closed = true
	if b.cancel != nil {
		b.cancel()
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// StartContactImport implements svcportal.ContactImports.
func (s *Service) StartContactImport(ctx context.Context, by *svcportal.Principal, r io.Reader, fileName string, opts svcportal.ContactImportOptions) (*svcportal.ContactImport, error) {
	f, err := contactcsv.Parse(r)
	if err != nil {
		return nil, err
	}
	if !s.imports.take() {
		return nil, svcportal.NewError(svcportal.KindTooManyRequests, "error.import_busy")
	}
	imp := &svcportal.ContactImport{StaffID: subjectID(by), FileName: fileName, SendWelcome: opts.SendWelcome, Total: len(f.Rows)}
	if err := s.st.StartContactImport(ctx, imp, s.now().Add(-svcportal.ImportStaleAfter)); err != nil {
		s.imports.release()
		return nil, err
	}
	// The import outlives the request: it keeps the request's values (the
	// tenant) but not its end, and stops with the service.
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(s.imports.stop, cancel)
	go func() {
		defer s.imports.release()
		defer cancel()
		defer stop()
		s.runImport(bg, by, imp, f, opts)
	}()
	return imp, nil
}

// runImport imports the rows, telling the store its progress every
// hundredth of the file, then records the report, or the failure.
func (s *Service) runImport(ctx context.Context, by *svcportal.Principal, imp *svcportal.ContactImport, f *contactcsv.File, opts svcportal.ContactImportOptions) {
	step := max(1, imp.Total/progressSteps)
	done := 0
	opts.Progress = func(n, total int) {
		done = n
		if n%step == 0 && n < total {
			if err := s.st.ContactImportProgress(ctx, imp.ID, n); err != nil {
				s.log.WarnContext(ctx, "contacts import progress", "import", imp.ID, "error", err)
			}
		}
	}
	rep, err := s.importRows(ctx, by, f, opts)
	state := svcportal.ImportDone
	if err != nil {
		state, rep = svcportal.ImportFailed, nil
		s.log.Log(ctx, logLevel(ctx), "contacts import stopped", "import", imp.ID, "rows_done", done, "error", err)
	}
	// Recorded even when the import was stopped, so its page says so.
	if err := s.st.FinishContactImport(context.WithoutCancel(ctx), imp.ID, state, done, rep); err != nil {
		s.log.ErrorContext(ctx, "contacts import end", "import", imp.ID, "error", err)
	}
}

// logLevel is a warning for an import stopped with the process, an error
// for any other end.
func logLevel(ctx context.Context) slog.Level {
	if ctx.Err() != nil {
		return slog.LevelWarn
	}
	return slog.LevelError
}

// ContactImport implements svcportal.ContactImports.
func (s *Service) ContactImport(ctx context.Context, id int64) (*svcportal.ContactImport, error) {
	imp, err := s.st.ContactImport(ctx, id)
	return s.asItStands(imp, err)
}

// LatestContactImport implements svcportal.ContactImports.
func (s *Service) LatestContactImport(ctx context.Context) (*svcportal.ContactImport, error) {
	imp, err := s.st.LatestContactImport(ctx)
	return s.asItStands(imp, err)
}

// asItStands reads a running import whose process has not told its
// progress for ImportStaleAfter as failed: that process is gone.
func (s *Service) asItStands(imp *svcportal.ContactImport, err error) (*svcportal.ContactImport, error) {
	if err == nil && imp.State == svcportal.ImportRunning && s.now().Sub(imp.UpdatedAt) > svcportal.ImportStaleAfter {
		imp.State = svcportal.ImportFailed
	}
	return imp, err
}

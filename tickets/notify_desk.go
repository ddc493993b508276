package tickets

import (
	"context"

	"github.com/svcportal/svcportal"
)

// notifyDesk renders the desk's emails (kind) of a client's action that
// is neither a new ticket nor a reply but hands the ticket back to the
// MSP with the client's words, as a refused solution does: the same
// staff as for a reply (staffAudience), none of those already written to
// in written.
func (s *Service) notifyDesk(ctx context.Context, t *svcportal.Ticket, kind string, author *svcportal.Principal, excerpt string, written []*svcportal.OutboundEmail) ([]*svcportal.OutboundEmail, error) {
	if s.mailer == nil || author == nil || author.Contact == nil {
		return nil, nil
	}
	desk, err := s.staffAudience(ctx, t, kind)
	if err != nil {
		return nil, err
	}
	told := map[string]bool{}
	for _, m := range written {
		told[m.ToAddress] = true
	}
	var list []recipient
	for _, r := range desk {
		if !told[r.email] {
			list = append(list, r)
		}
	}
	return s.render(ctx, t, author, excerpt, list)
}

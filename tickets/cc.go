package tickets

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/svcportal/svcportal"
)

// NewCCPerHour is how many people outside the tenant's contacts one
// contact may put in copy of tickets per hour: copies are mailed by the
// tenant, so without a bound the portal would mail strangers in bulk for
// anyone with an account. Colleagues (contacts of the tenant) do not
// count.
const NewCCPerHour = 50

// throttleCC counts the strangers of a new ticket's CC list against the
// contact's hourly allowance, in the database so that every instance
// shares it, and refuses the ticket (429, with when to come back) once it
// is spent. A refused attempt still counts: whoever keeps trying waits
// for the window to end.
func (s *Service) throttleCC(ctx context.Context, p *svcportal.Principal, cc []string) error {
	if p.Contact == nil || len(cc) == 0 {
		return nil
	}
	strangers := 0
	for _, email := range cc {
		if email == p.Contact.Email {
			continue
		}
		_, err := s.st.ContactByEmail(ctx, email)
		switch svcportal.KindOf(err) {
		case svcportal.KindNone:
		case svcportal.KindNotFound:
			strangers++
		default:
			return err
		}
	}
	key := fmt.Sprintf("cc:%d:%d", svcportal.TenantFrom(ctx).ID, p.Contact.ID)
	now := s.now()
	for range strangers {
		n, reset, err := s.st.Hit(ctx, key, time.Hour, now)
		if err != nil {
			return err
		}
		if n > NewCCPerHour {
			wait := reset.Sub(now)
			return &svcportal.Error{Kind: svcportal.KindTooManyRequests, Code: "cc_throttled", MessageID: "error.cc_throttled",
				// Minutes for tenants' wordings saved before the plural forms.
				Data:       map[string]any{"Count": int(math.Ceil(wait.Minutes())), "Minutes": int(math.Ceil(wait.Minutes()))},
				RetryAfter: wait.Round(time.Second) + time.Second}
		}
	}
	return nil
}

// Package tickets holds the rules of tickets: who sees which ticket, which
// fields a reader sees or may change (through the field policies), the
// status flow and its timeline, for contacts on the portal and staff in the
// admin console. It implements svcportal.TicketService; the portal and
// admin packages only parse and render.
package tickets

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/svcportal/svcportal"
	"github.com/svcportal/svcportal/locales"
	"github.com/svcportal/svcportal/tenantcache"
)

// Store is what the service needs from the database.
type Store interface {
	svcportal.TicketStore
	svcportal.TicketFieldStore
	svcportal.StaffStore
	svcportal.ContactStore
	svcportal.AttachmentStore
	svcportal.ThrottleStore
}

// Policy answers which mode each field has for a portal role at a site.
type Policy interface {
	Modes(ctx context.Context, role string, siteID int64, fields []string) (map[string]svcportal.FieldMode, error)
}

// Service implements svcportal.TicketService.
type Service struct {
	st       Store
	pol      Policy
	now      func() time.Time
	mailer   svcportal.EmailRenderer
	url      func(*svcportal.Tenant) string
	articles svcportal.ArticleReader
	// replyTokens and replyDomain make notifications answerable by email
	// (WithReplyByEmail); nil leaves them without Reply-To.
	replyTokens *svcportal.ReplyTokens
	replyDomain string

	fieldCache tenantcache.Map[[]svcportal.TicketField] // custom fields per tenant
	siteCache  tenantcache.Keyed[int64, []int64]        // the sites of each contact's tickets
}

var _ svcportal.TicketService = (*Service)(nil)

// New returns the service.
func New(st Store, pol Policy, now func() time.Time, opts ...Option) *Service {
	s := &Service{st: st, pol: pol, now: now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// fieldSet is every field of the tenant: built-in ones first, then the
// live custom fields in order.
type fieldSet struct {
	list  []svcportal.TicketField
	byKey map[string]*svcportal.TicketField
}

// fields returns the tenant's field definitions. Built-in fields are
// described as custom ones would be, so one validation serves both.
func (s *Service) fields(ctx context.Context) (*fieldSet, error) {
	t := svcportal.TenantFrom(ctx)
	list := make([]svcportal.TicketField, 0, len(svcportal.BuiltinFieldTable))
	for _, b := range svcportal.BuiltinFieldTable {
		f := svcportal.TicketField{Key: b.Key, Type: b.Type}
		if b.Options != nil {
			for _, v := range b.Options(t) {
				f.Options = append(f.Options, svcportal.FieldOption{Value: v})
			}
		}
		list = append(list, f)
	}
	custom, err := s.customFields(ctx)
	if err != nil {
		return nil, err
	}
	list = append(list, custom...)
	fs := &fieldSet{list: list, byKey: make(map[string]*svcportal.TicketField, len(list))}
	for i := range fs.list {
		fs.byKey[fs.list[i].Key] = &fs.list[i]
	}
	return fs, nil
}

func (fs *fieldSet) keys() []string {
	keys := make([]string, len(fs.list))
	for i, f := range fs.list {
		keys[i] = f.Key
	}
	return keys
}

// label is a field's label in lang: built-in ones from the catalog.
func label(f *svcportal.TicketField, lang, fallback string) string {
	if b, ok := svcportal.Builtin(f.Key); ok {
		return locales.For(lang).T(b.LabelID)
	}
	return f.Label(lang, fallback)
}

// optionLabel is the label of a value of field f in lang.
func optionLabel(f *svcportal.TicketField, value, lang, fallback string) string {
	if b, ok := svcportal.Builtin(f.Key); ok {
		tr := locales.For(lang)
		if id := b.OptionLabelID(value); tr.Has(id) || locales.For("en").Has(id) {
			return tr.T(id)
		}
		return value // a ticket type the tenant named itself
	}
	for _, o := range f.Options {
		if o.Value == value {
			return o.Label(lang, fallback)
		}
	}
	return value
}

// modes returns the contact's mode of every field at the ticket's site.
// Staff see and may edit everything: they get nil.
func (s *Service) modes(ctx context.Context, p *svcportal.Principal, role string, siteID int64, fs *fieldSet) (map[string]svcportal.FieldMode, error) {
	if p.Staff != nil {
		return nil, nil
	}
	return s.pol.Modes(ctx, role, siteID, fs.keys())
}

// visible reports whether a reader with modes (nil: staff) sees field key.
func visible(modes map[string]svcportal.FieldMode, key string) bool {
	return modes == nil || modes[key].Visible()
}

// Fields implements svcportal.TicketService.
func (s *Service) Fields(ctx context.Context, p *svcportal.Principal, siteID int64, lang string) ([]svcportal.TicketFieldView, error) {
	fs, err := s.fields(ctx)
	if err != nil {
		return nil, err
	}
	role := svcportal.RoleMember
	if p.Contact != nil {
		v := svcportal.ViewerOf(p.Contact)
		if siteID == 0 && len(p.Contact.Memberships) > 0 {
			siteID = p.Contact.Memberships[0].SiteID
		}
		r, ok := v.Roles[siteID]
		if !ok {
			return nil, svcportal.ErrNotFound()
		}
		role = r
	}
	modes, err := s.modes(ctx, p, role, siteID, fs)
	if err != nil {
		return nil, err
	}
	return fieldViews(ctx, fs, modes, lang), nil
}

// FieldsAs implements svcportal.TicketService.
func (s *Service) FieldsAs(ctx context.Context, role string, siteID int64, lang string) ([]svcportal.TicketFieldView, error) {
	if !slices.Contains(svcportal.PortalRoles, role) {
		return nil, &svcportal.Error{Kind: svcportal.KindUnprocessable, MessageID: "error.role_unknown",
			Fields: map[string]svcportal.FieldError{"role": {MessageID: "error.role_unknown"}}}
	}
	fs, err := s.fields(ctx)
	if err != nil {
		return nil, err
	}
	modes, err := s.pol.Modes(ctx, role, siteID, fs.keys())
	if err != nil {
		return nil, err
	}
	return fieldViews(ctx, fs, modes, lang), nil
}

// fieldViews describes the fields visible under modes (nil: staff, who
// see them all) in lang.
func fieldViews(ctx context.Context, fs *fieldSet, modes map[string]svcportal.FieldMode, lang string) []svcportal.TicketFieldView {
	fallback := svcportal.TenantFrom(ctx).DefaultLocale
	out := []svcportal.TicketFieldView{}
	for i := range fs.list {
		f := &fs.list[i]
		mode := svcportal.FieldEditable
		if modes != nil {
			mode = modes[f.Key]
		}
		if !mode.Visible() {
			continue
		}
		fv := svcportal.TicketFieldView{Key: f.Key, Label: label(f, lang, fallback), Type: f.Type, Mode: mode,
			Required: f.Required, Builtin: svcportal.IsBuiltinField(f.Key), TicketTypes: f.TicketTypes,
			Default: builtinDefault(svcportal.TenantFrom(ctx), f.Key)}
		for _, o := range f.Options {
			fv.Options = append(fv.Options, svcportal.OptionView{Value: o.Value, Label: optionLabel(f, o.Value, lang, fallback)})
		}
		out = append(out, fv)
	}
	return out
}

// view projects t for a reader: hidden fields, internal notes and events
// about hidden fields are left out for contacts (modes non-nil).
func (s *Service) view(t *svcportal.Ticket, fs *fieldSet, modes map[string]svcportal.FieldMode) *svcportal.TicketView {
	v := &svcportal.TicketView{
		Number: t.Number, Title: t.Title, Description: t.Description,
		SiteID: t.SiteID, SiteName: t.SiteName, RequesterName: t.RequesterName, RequesterEmail: t.RequesterMail,
		RequesterErased: t.RequesterErased,
		SharedWithSite:  t.SharedWithSite, CC: t.CC, Unread: t.Unread,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		Fields: map[string]any{}, Modes: modes,
	}
	statusShown := visible(modes, svcportal.FieldKeyStatus)
	if statusShown {
		// Everything that follows from the status goes with it.
		v.Status, v.ClosedAt = t.Status, t.ClosedAt
		if t.RatingSatisfied != nil {
			v.Rating = &svcportal.TicketRating{Satisfied: *t.RatingSatisfied, Comment: t.RatingComment}
		}
	}
	if modes != nil {
		v.UpdatedAt = ContactUpdatedAt(t, statusShown)
	}
	for _, f := range fs.list {
		if !visible(modes, f.Key) {
			continue
		}
		var val any
		if svcportal.IsBuiltinField(f.Key) {
			val = t.BuiltinValue(f.Key)
		} else {
			val = t.Fields[f.Key]
		}
		if val != nil && val != "" {
			v.Fields[f.Key] = val
		}
	}
	return v
}

// ContactUpdatedAt is when a ticket last changed in a way a contact sees:
// its last public message (or its creation), or its last status change
// when they see the status. Changes of other fields, internal notes and
// reminders leave it alone, so it tells nothing of what they may not
// see. The store sorts contacts' lists by the same rule.
func ContactUpdatedAt(t *svcportal.Ticket, statusShown bool) time.Time {
	if statusShown && t.StatusChangedAt.After(t.LastPublicAt) {
		return t.StatusChangedAt
	}
	return t.LastPublicAt
}

// statusEvents are the kinds of event that tell the status or follow from
// it; a contact who may not see the status sees none of them.
var statusEvents = map[string]bool{
	svcportal.EventStatusChanged: true, svcportal.EventSolutionProposed: true, svcportal.EventSolutionAccepted: true,
	svcportal.EventSolutionRefused: true, svcportal.EventClosed: true, svcportal.EventAutoCloseWarning: true,
	svcportal.EventAutoClosed: true, svcportal.EventRated: true,
}

// contactEvent is e as a contact with modes reads it, or false when they
// may not see it: internal notes, changes of fields they do not see and,
// when the status is hidden, whatever tells the status. An event of the
// status flow that came with a public message (a proposed solution, a
// closing comment) reads as the reply it also is, so the message does not
// stand out as the trace of a hidden event.
func contactEvent(e svcportal.TicketEvent, modes map[string]svcportal.FieldMode) (svcportal.TicketEvent, bool) {
	switch {
	case e.Kind == svcportal.EventNote:
		return e, false
	case e.Field != "" && !visible(modes, e.Field):
		return e, false
	case !statusEvents[e.Kind] || visible(modes, svcportal.FieldKeyStatus):
		return e, true
	case e.Kind == svcportal.EventSolutionProposed, e.Comment != "" && e.Kind != svcportal.EventRated:
		e.Kind, e.Comment, e.From, e.To = svcportal.EventReplied, "", "", ""
		return e, true
	}
	return e, false
}

// details adds messages and the timeline to v.
func (s *Service) details(ctx context.Context, t *svcportal.Ticket, v *svcportal.TicketView, staff bool) error {
	th, err := s.st.TicketThread(ctx, t, staff)
	if err != nil {
		return err
	}
	v.Messages, v.Attachments = th.Messages, th.Attachments
	v.Events = []svcportal.TicketEvent{}
	for _, e := range th.Events {
		if !staff {
			var ok bool
			if e, ok = contactEvent(e, v.Modes); !ok {
				continue
			}
		}
		v.Events = append(v.Events, e)
	}
	return nil
}

// actor is how a principal appears in messages and events; no principal
// (a job of the system) is the empty actor.
func actor(p *svcportal.Principal) (kind string, id int64, name string) {
	if p == nil || p.Contact == nil && p.Staff == nil {
		return "", 0, ""
	}
	if p.Contact != nil {
		return svcportal.PrincipalContact, p.Contact.ID, p.Contact.DisplayName()
	}
	name = p.Staff.Name
	if name == "" {
		name = p.Staff.Email
	}
	return svcportal.PrincipalStaff, p.Staff.ID, name
}

func event(p *svcportal.Principal, kind string) svcportal.TicketEvent {
	k, id, name := actor(p)
	return svcportal.TicketEvent{ActorKind: k, ActorID: id, ActorName: name, Kind: kind}
}

// load finds a ticket the principal may see; anything else is not found.
func (s *Service) load(ctx context.Context, p *svcportal.Principal, number int64) (*svcportal.Ticket, string, error) {
	kind, id, _ := actor(p)
	t, err := s.st.TicketByNumber(ctx, number, kind, id)
	if err != nil {
		return nil, "", err
	}
	if p.Staff != nil {
		return t, "", nil
	}
	v := svcportal.ViewerOf(p.Contact)
	if !v.CanSee(t) {
		return nil, "", svcportal.ErrNotFound()
	}
	return t, v.RoleFor(t), nil
}

// result re-reads a ticket after a change and returns the reader's view.
func (s *Service) result(ctx context.Context, p *svcportal.Principal, number int64) (*svcportal.TicketView, error) {
	return s.Get(ctx, p, number)
}

// Get implements svcportal.TicketService.
func (s *Service) Get(ctx context.Context, p *svcportal.Principal, number int64) (*svcportal.TicketView, error) {
	t, role, err := s.load(ctx, p, number)
	if err != nil {
		return nil, err
	}
	fs, err := s.fields(ctx)
	if err != nil {
		return nil, err
	}
	modes, err := s.modes(ctx, p, role, t.SiteID, fs)
	if err != nil {
		return nil, err
	}
	v := s.view(t, fs, modes)
	if err := s.details(ctx, t, v, p.Staff != nil); err != nil {
		return nil, err
	}
	// The ticket came with its read state: one that holds nothing new
	// for the reader costs no statement more.
	if kind, id, _ := actor(p); t.Unread && kind != "" {
		if err := s.st.MarkTicketRead(ctx, t.ID, kind, id, s.now()); err != nil {
			return nil, err
		}
	}
	v.Unread = false
	v.Actions = actions(p, t, role, visible(modes, svcportal.FieldKeyStatus))
	return v, nil
}

// actions says what p may do with t now. A contact who may not see the
// status is offered what does not depend on it: replying, and closing if
// they may; never deciding on a solution or rating, which would tell it.
func actions(p *svcportal.Principal, t *svcportal.Ticket, role string, statusShown bool) *svcportal.TicketActions {
	if p.Staff != nil {
		return &svcportal.TicketActions{Reply: true, Close: t.Status != svcportal.StatusClosed}
	}
	requester := t.RequesterID == p.Contact.ID
	open := t.Status != svcportal.StatusClosed
	settle := maySettle(p, t, role)
	if !statusShown {
		return &svcportal.TicketActions{Reply: true, Close: settle}
	}
	return &svcportal.TicketActions{
		Reply:  open,
		Decide: settle && t.Status == svcportal.StatusSolutionProposed,
		Close:  settle && open,
		Rate:   !open && requester && t.RatingSatisfied == nil,
	}
}

// statusShown reports whether p sees the status of tickets of siteID,
// where their role is role; staff always do.
func (s *Service) statusShown(ctx context.Context, p *svcportal.Principal, role string, siteID int64) (bool, error) {
	if p.Staff != nil {
		return true, nil
	}
	modes, err := s.pol.Modes(ctx, role, siteID, []string{svcportal.FieldKeyStatus})
	if err != nil {
		return false, err
	}
	return modes[svcportal.FieldKeyStatus].Visible(), nil
}

// maySettle is the one rule of who may end a ticket's conversation: close
// it, or accept or refuse a proposed solution. Staff, the requester, and a
// site manager of the ticket's site (role is the contact's role there);
// a colleague who merely sees the ticket may not.
func maySettle(p *svcportal.Principal, t *svcportal.Ticket, role string) bool {
	if p.Staff != nil {
		return true
	}
	return p.Contact != nil && (t.RequesterID == p.Contact.ID || role == svcportal.RoleSiteManager)
}

// List implements svcportal.TicketService.
func (s *Service) List(ctx context.Context, p *svcportal.Principal, f svcportal.TicketFilter) ([]svcportal.TicketView, int, error) {
	fs, err := s.fields(ctx)
	if err != nil {
		return nil, 0, err
	}
	var (
		ts    []svcportal.Ticket
		total int
	)
	if err := s.checkFilter(ctx, p, f, fs); err != nil {
		return nil, 0, err
	}
	if p.Contact != nil {
		if f.Within, f.TicketSites, err = s.within(ctx, svcportal.ViewerOf(p.Contact), fs); err != nil {
			return nil, 0, err
		}
	}
	if p.Staff != nil {
		ts, total, err = s.st.StaffTickets(ctx, p.Staff.ID, f)
	} else {
		ts, total, err = s.st.ContactTickets(ctx, svcportal.ViewerOf(p.Contact), f)
	}
	if err != nil {
		return nil, 0, err
	}
	views := make([]svcportal.TicketView, 0, len(ts))
	v := svcportal.Viewer{}
	if p.Contact != nil {
		v = svcportal.ViewerOf(p.Contact)
	}
	// One policy decision per (role, site) of the page, not per ticket.
	type key struct {
		role string
		site int64
	}
	memo := map[key]map[string]svcportal.FieldMode{}
	for i := range ts {
		k := key{v.RoleFor(&ts[i]), ts[i].SiteID}
		modes, ok := memo[k]
		if !ok {
			if modes, err = s.modes(ctx, p, k.role, k.site, fs); err != nil {
				return nil, 0, err
			}
			memo[k] = modes
		}
		views = append(views, *s.view(&ts[i], fs, modes))
	}
	return views, total, nil
}

// StatusCounts implements svcportal.TicketService.
func (s *Service) StatusCounts(ctx context.Context, p *svcportal.Principal, f svcportal.TicketFilter) (map[string]int, error) {
	if p.Staff == nil {
		return nil, svcportal.NewError(svcportal.KindForbidden, "error.forbidden")
	}
	fs, err := s.fields(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkFilter(ctx, p, f, fs); err != nil {
		return nil, err
	}
	return s.st.StaffTicketCounts(ctx, p.Staff.ID, f)
}

// within maps every field to the sites where the contact sees it, among
// the sites of the tickets they may see (also answered); their role at each site decides
// (a requester who left a site counts as a member there, as RoleFor says).
func (s *Service) within(ctx context.Context, v svcportal.Viewer, fs *fieldSet) (map[string][]int64, []int64, error) {
	sites, err := s.ticketSites(ctx, v)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string][]int64, len(fs.list))
	for _, site := range sites {
		role, ok := v.Roles[site]
		if !ok {
			role = svcportal.RoleMember
		}
		modes, err := s.pol.Modes(ctx, role, site, fs.keys())
		if err != nil {
			return nil, nil, err
		}
		for key, m := range modes {
			if m.Visible() {
				out[key] = append(out[key], site)
			}
		}
	}
	return out, sites, nil
}

// checkFilter refuses a filter on a field the contact may not see in any of
// their sites, so a filter cannot reveal a hidden value; field values are
// normalised to their stored form.
func (s *Service) checkFilter(ctx context.Context, p *svcportal.Principal, f svcportal.TicketFilter, fs *fieldSet) error {
	for key, val := range f.Fields {
		fd, ok := fs.byKey[key]
		if !ok {
			return svcportal.FieldErr(svcportal.KindInvalid, key, "error.field_unknown", nil)
		}
		if p.Contact != nil {
			seen := false
			for _, m := range p.Contact.Memberships {
				modes, err := s.pol.Modes(ctx, m.Role, m.SiteID, []string{key})
				if err != nil {
					return err
				}
				seen = seen || modes[key].Visible()
			}
			if !seen {
				return svcportal.FieldErr(svcportal.KindInvalid, key, "error.field_unknown", nil)
			}
		}
		if key == svcportal.FieldKeyAssignee {
			// A staff id; anything else matches no ticket's column type.
			id, err := strconv.ParseInt(strings.TrimSpace(fmt.Sprint(val)), 10, 64)
			if err != nil || id < 0 {
				return svcportal.FieldErr(svcportal.KindInvalid, "field."+key, "error.wrong_type", nil)
			}
			f.Fields[key] = id
			continue
		}
		norm, err := fd.NormalizeValue(val)
		if err != nil {
			return err
		}
		if list, ok := norm.([]string); ok && len(list) == 1 {
			norm = list[0] // a multi-select filter matches tickets that contain the value
		}
		f.Fields[key] = norm
	}
	if p.Contact != nil && strings.TrimPrefix(f.Sort, "-") == "priority" && !s.visibleSomewhere(ctx, p, svcportal.FieldKeyPriority) {
		return svcportal.FieldErr(svcportal.KindInvalid, "sort", "error.field_unknown", nil) // the order would tell the hidden values
	}
	if p.Contact != nil && len(f.Status) > 0 {
		for _, m := range p.Contact.Memberships {
			modes, err := s.pol.Modes(ctx, m.Role, m.SiteID, []string{svcportal.FieldKeyStatus})
			if err != nil {
				return err
			}
			if modes[svcportal.FieldKeyStatus].Visible() {
				return nil
			}
		}
		return svcportal.FieldErr(svcportal.KindInvalid, "status", "error.field_unknown", nil) // the status parameter
	}
	return nil
}

// applyFields validates and applies field values to t for p. A contact may
// only set fields that are editable for their role at the ticket's site:
// anything else is KindForbidden naming the field, and nothing changes.
func (s *Service) applyFields(ctx context.Context, p *svcportal.Principal, t *svcportal.Ticket, role string, fs *fieldSet, values map[string]any) ([]svcportal.TicketEvent, error) {
	modes, err := s.modes(ctx, p, role, t.SiteID, fs)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	norm, err := s.normalizeFields(ctx, t, fs, modes, keys, values)
	if err != nil {
		return nil, err
	}
	var events []svcportal.TicketEvent
	for _, key := range keys {
		from, to := s.setField(ctx, t, key, norm[key])
		if sameValue(from, to) {
			continue
		}
		kind := svcportal.EventFieldChanged
		if key == svcportal.FieldKeyStatus {
			kind = svcportal.EventStatusChanged
		}
		e := event(p, kind)
		e.Field, e.From, e.To = key, valueText(from), valueText(to)
		events = append(events, e)
	}
	if t.Status == svcportal.StatusClosed && t.ClosedAt == nil {
		now := s.now()
		t.ClosedAt = &now
	} else if t.Status != svcportal.StatusClosed {
		t.ClosedAt = nil
	}
	return events, nil
}

// normalizeFields checks that the reader with modes (nil: staff) may set
// each of keys, and returns their values in stored form; nothing of t
// changes. Value complaints come together as one KindUnprocessable.
func (s *Service) normalizeFields(ctx context.Context, t *svcportal.Ticket, fs *fieldSet, modes map[string]svcportal.FieldMode, keys []string, values map[string]any) (map[string]any, error) {
	var v svcportal.Validation
	norm := map[string]any{}
	for _, key := range keys {
		fd, ok := fs.byKey[key]
		if !ok && modes == nil {
			return nil, svcportal.FieldErr(svcportal.KindInvalid, key, "error.field_unknown", nil)
		}
		if !ok || modes != nil && !modes[key].Editable() {
			// Unknown, hidden and view-only fields get the same answer, so
			// a contact learns nothing of fields they may not see.
			return nil, svcportal.FieldErr(svcportal.KindForbidden, key, "error.field_not_editable", nil)
		}
		if key == svcportal.FieldKeyAssignee {
			id, err := s.assigneeID(ctx, values[key])
			if err != nil {
				return nil, err
			}
			norm[key] = id
			continue
		}
		val, err := fd.NormalizeValue(values[key])
		if err != nil {
			v.Merge(err, "")
			continue
		}
		if !svcportal.IsBuiltinField(key) && val != nil && !fd.AppliesTo(typeAfter(t, values)) {
			v.Add(key, "error.field_not_for_type", nil)
			continue
		}
		if (key == svcportal.FieldKeyStatus || key == svcportal.FieldKeyType) && val == nil {
			v.Add(key, "error.required", nil)
			continue
		}
		norm[key] = val
	}
	return norm, v.Err()
}

// setField sets field key of t to val, a normalised value, and returns
// the value before and after as the timeline tells them.
func (s *Service) setField(ctx context.Context, t *svcportal.Ticket, key string, val any) (from, to any) {
	from, to = t.BuiltinValue(key), val
	switch key {
	case svcportal.FieldKeyStatus:
		if t.Status != val.(string) {
			// Contacts' updated_at follows status changes: only real ones.
			t.StatusChangedAt, t.ReminderSentAt = s.now(), nil
		}
		t.Status = val.(string)
	case svcportal.FieldKeyType:
		t.Type = val.(string)
	case svcportal.FieldKeyPriority:
		t.Priority = str(val)
	case svcportal.FieldKeyImpact:
		t.Impact = str(val)
	case svcportal.FieldKeyProductFamily:
		t.ProductFamily = str(val)
	case svcportal.FieldKeyAssignee:
		t.AssigneeID = val.(int64)
		from, to = t.AssigneeName, ""
		if m, err := s.st.StaffMember(ctx, t.AssigneeID); err == nil {
			to = displayStaff(m)
		}
	default:
		from = t.Fields[key]
		if val == nil {
			delete(t.Fields, key)
		} else {
			t.Fields[key] = val
		}
	}
	return from, to
}

func (s *Service) assigneeID(ctx context.Context, v any) (int64, error) {
	var id int64
	switch x := v.(type) {
	case nil:
		return 0, nil
	case float64:
		id = int64(x)
	case int64:
		id = x
	case int:
		id = int64(x)
	default:
		return 0, svcportal.FieldErr(svcportal.KindUnprocessable, svcportal.FieldKeyAssignee, "error.assignee_unknown", nil)
	}
	if id == 0 {
		return 0, nil
	}
	if _, err := s.st.StaffMember(ctx, id); err != nil {
		if svcportal.KindOf(err) == svcportal.KindNotFound {
			return 0, svcportal.FieldErr(svcportal.KindUnprocessable, svcportal.FieldKeyAssignee, "error.assignee_unknown", nil)
		}
		return 0, err
	}
	return id, nil
}

func displayStaff(m *svcportal.Staff) string {
	if m.Name != "" {
		return m.Name
	}
	return m.Email
}

// builtinDefault is the value a new ticket of tenant t gets for field key
// when it is not given ("" for none).
func builtinDefault(t *svcportal.Tenant, key string) string {
	if b, ok := svcportal.Builtin(key); ok && b.Default != nil {
		return b.Default(t)
	}
	return ""
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return v.(string)
}

// sameValue reports whether a field saved from a form keeps its value,
// so that the timeline tells only real changes: an unset field saved
// blank (nil, or "" for a built-in column) or an unset checkbox saved
// unticked is no change.
func sameValue(from, to any) bool {
	text := func(v any) string {
		if b, ok := v.(bool); ok && !b {
			return ""
		}
		return valueText(v)
	}
	return text(from) == text(to)
}

// valueText is how a value reads in the timeline.
func valueText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []string:
		return strings.Join(x, ", ")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// checkBody validates a message body.
func checkBody(v *svcportal.Validation, field, body string) string {
	body = strings.TrimSpace(body)
	v.Check(body != "", field, "error.required", nil)
	v.Check(utf8.RuneCountInString(body) <= svcportal.MaxMessageLength, field, "error.too_long", map[string]any{"Max": svcportal.MaxMessageLength})
	return body
}

// Attachment implements svcportal.TicketService.
func (s *Service) Attachment(ctx context.Context, p *svcportal.Principal, id int64) (*svcportal.Attachment, error) {
	a, err := s.st.Attachment(ctx, id)
	if err != nil {
		return nil, err
	}
	if p != nil && p.Staff != nil {
		return a, nil
	}
	if a.ArticleID != 0 {
		// A knowledge-base file: the article's reading rules decide.
		if s.articles == nil {
			return nil, svcportal.ErrNotFound()
		}
		if err := s.articles.CanReadArticle(ctx, p, a.ArticleID); err != nil {
			return nil, err
		}
		return a, nil
	}
	if p == nil || p.Contact == nil {
		return nil, svcportal.ErrNotFound() // a visitor reads no ticket's file
	}
	t, err := s.st.TicketByID(ctx, a.TicketID)
	if err != nil {
		return nil, err
	}
	if a.Internal || !svcportal.ViewerOf(p.Contact).CanSee(t) {
		return nil, svcportal.ErrNotFound()
	}
	return a, nil
}

// attachments turns uploads into attachment records by p, after checking
// their number.
func attachments(p *svcportal.Principal, files []svcportal.Upload) ([]svcportal.Attachment, error) {
	if len(files) > svcportal.MaxFilesPerMessage {
		return nil, svcportal.FieldErr(svcportal.KindUnprocessable, "files", "error.too_many_files", nil)
	}
	kind, id, _ := actor(p)
	out := make([]svcportal.Attachment, 0, len(files))
	for _, f := range files {
		out = append(out, svcportal.Attachment{Filename: svcportal.CleanFilename(f.Filename), ContentType: f.ContentType,
			Size: f.Size, SHA256: f.SHA256, UploaderKind: kind, UploaderID: id})
	}
	return out, nil
}

// visibleSomewhere reports whether a contact sees field at one of their
// sites at least.
func (s *Service) visibleSomewhere(ctx context.Context, p *svcportal.Principal, field string) bool {
	for _, m := range p.Contact.Memberships {
		modes, err := s.pol.Modes(ctx, m.Role, m.SiteID, []string{field})
		if err == nil && modes[field].Visible() {
			return true
		}
	}
	return false
}

// typeAfter is the ticket type once values are applied.
func typeAfter(t *svcportal.Ticket, values map[string]any) string {
	if ty, ok := values[svcportal.FieldKeyType].(string); ok && ty != "" {
		return ty
	}
	return t.Type
}

// Package policies decides, with Casbin, which ticket fields the contacts of
// a tenant's portal may edit, only view, or not see at all.
//
// A tenant's rules (svcportal.PolicyRule) give a mode per portal role, per
// field, for every site or for one site; model.conf holds the Casbin model
// that resolves them and documents how, default.csv the rules of a new
// tenant. Both are embedded.
//
// A Service keeps one Casbin enforcer per tenant, built from that tenant's
// rules. Before each decision it reads the tenant's policy version (one
// primary-key query) and rebuilds the enforcer when the version moved, so a
// change made through any instance of the application takes effect on the
// next request everywhere. A request that carries its tenant's cache
// version (svcportal.Tenant.CacheVersion), which every rule change moves
// too, skips that read once the enforcer is known current at it. Decisions are memoised per enforcer, so the
// batch check of a list page costs one query and a few map reads.
package policies

import (
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/svcportal/svcportal"
)

// Mode is what a portal role may do with a field; see svcportal.FieldMode.
type Mode = svcportal.FieldMode

// The modes, from most to least open. A field without a rule is Hidden.
const (
	Editable = svcportal.FieldEditable
	ViewOnly = svcportal.FieldViewOnly
	Hidden   = svcportal.FieldHidden
)

// Rule is one field-visibility rule: the Mode of Field for Role at SiteID
// (0: every site). See svcportal.PolicyRule.
type Rule = svcportal.PolicyRule

// RuleStore keeps the rules and the policy version of the context tenant;
// see svcportal.PolicyStore. *store.Store implements it.
type RuleStore = svcportal.PolicyStore

var (
	//go:embed model.conf
	modelText string
	//go:embed default.csv
	defaultCSV string
)

// Priorities of the rules in the Casbin model: lower wins, so a site's own
// rule beats the rule for every site.
const (
	sitePriority = "10"
	allPriority  = "20"
)

// allSites is the site of a rule for every site, in Casbin's terms.
const allSites = "*"

// modeIndex is the position of the mode in a policy line of model.conf
// (p = priority, role, site, field, mode).
const modeIndex = 4

// memoLimit caps the decisions remembered per enforcer: field keys come
// from requests, and a stream of made-up ones must not grow memory.
const memoLimit = 4096

// Service answers field-mode questions for the tenant in the context.
type Service struct {
	store RuleStore

	mu      sync.Mutex
	tenants map[int64]*tenantPolicy
}

// tenantPolicy is the cached policy of one tenant.
type tenantPolicy struct {
	rebuild sync.Mutex // one rebuild at a time per tenant
	current atomic.Pointer[snapshot]
}

// snapshot is an enforcer built from the tenant's rules at version, with
// the decisions it has made. The enforcer is never changed after build,
// so concurrent reads are safe.
type snapshot struct {
	version  int64
	enforcer *casbin.Enforcer
	// currentAt is the latest tenant cache version (Tenant.CacheVersion)
	// at which the snapshot was found current: a request at that version
	// uses it without reading the policy version (a rule change moves
	// the cache version too).
	currentAt atomic.Int64

	mu   sync.RWMutex
	memo map[decisionKey]Mode
}

type decisionKey struct {
	role   string
	siteID int64
	field  string
}

// New returns a Service reading rules from store.
func New(store RuleStore) *Service {
	return &Service{store: store, tenants: map[int64]*tenantPolicy{}}
}

// Mode returns the mode of field for contacts of role at siteID (0 when
// the ticket has no site yet: only rules for every site apply). A site's
// own rule beats the rule for every site; with no rule the field is
// Hidden. KindInvalid for a role that is not a portal role.
func (s *Service) Mode(ctx context.Context, role string, siteID int64, field string) (Mode, error) {
	if err := checkRole(role); err != nil {
		return Hidden, err
	}
	snap, err := s.snapshot(ctx)
	if err != nil {
		return Hidden, err
	}
	return snap.mode(role, siteID, field)
}

// Modes returns the mode of each of fields for role at siteID, as Mode
// would, for the price of one version check.
func (s *Service) Modes(ctx context.Context, role string, siteID int64, fields []string) (map[string]Mode, error) {
	if err := checkRole(role); err != nil {
		return nil, err
	}
	snap, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	modes := make(map[string]Mode, len(fields))
	for _, f := range fields {
		m, err := snap.mode(role, siteID, f)
		if err != nil {
			return nil, err
		}
		modes[f] = m
	}
	return modes, nil
}

// SetMode saves r for the context tenant (replacing the rule with the same
// role, site and field); it takes effect on the next decision of every
// instance. KindUnprocessable for an unknown role or mode or a malformed
// field key, KindNotFound for a site that is not the tenant's.
func (s *Service) SetMode(ctx context.Context, r Rule) error {
	r.Field = strings.TrimSpace(r.Field)
	if err := r.Validate(); err != nil {
		return err
	}
	return s.store.ReplacePolicyRule(ctx, r)
}

// DeleteRule removes one rule of the context tenant, so the field falls
// back to the rule for every site, or to Hidden. KindNotFound if there is
// no such rule.
func (s *Service) DeleteRule(ctx context.Context, role string, siteID int64, field string) error {
	return s.store.DeletePolicyRule(ctx, role, siteID, field)
}

// Rules lists the context tenant's rules by field, role, then site.
func (s *Service) Rules(ctx context.Context) ([]Rule, error) {
	return s.store.PolicyRules(ctx)
}

// SeedDefaults gives the context tenant the rules of default.csv if it has
// no rule at all; otherwise it changes nothing. Safe to call on every
// start and from several instances at once.
func (s *Service) SeedDefaults(ctx context.Context) error {
	rules, err := DefaultRules()
	if err != nil {
		return err
	}
	_, err = s.store.SeedPolicyRules(ctx, rules)
	return err
}

// DefaultRules returns the rules of default.csv, the policy of a new
// tenant: built-in fields only, so custom fields start hidden.
func DefaultRules() ([]Rule, error) {
	r := csv.NewReader(strings.NewReader(defaultCSV))
	r.TrimLeadingSpace = true
	r.Comment = '#'
	lines, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("policies: read default.csv: %w", err)
	}
	rules := make([]Rule, 0, len(lines))
	for _, l := range lines {
		if len(l) != 6 || l[0] != "p" {
			return nil, fmt.Errorf("policies: default.csv: want p, priority, role, site, field, mode; got %q", l)
		}
		rule := Rule{Role: l[2], Field: l[4], Mode: Mode(l[5])}
		if l[3] != allSites {
			if rule.SiteID, err = strconv.ParseInt(l[3], 10, 64); err != nil || rule.SiteID <= 0 {
				return nil, fmt.Errorf("policies: default.csv: bad site %q", l[3])
			}
		}
		if err := rule.Validate(); err != nil {
			return nil, fmt.Errorf("policies: default.csv: %q: %w", l, err)
		}
		if l[1] != priorityOf(rule) {
			return nil, fmt.Errorf("policies: default.csv: %q: want priority %s", l, priorityOf(rule))
		}
		rules = append(rules, rule)
	}
	return rules, nil
}

// snapshot returns the context tenant's enforcer, rebuilt first if the
// tenant's policy version has moved since it was built.
func (s *Service) snapshot(ctx context.Context) (*snapshot, error) {
	t := svcportal.TenantFrom(ctx)
	if t == nil || t.ID == 0 {
		return nil, errors.New("policies: no tenant in context")
	}
	tp := s.tenant(t.ID)
	if snap := tp.current.Load(); snap != nil && t.CacheVersion != 0 && snap.currentAt.Load() == t.CacheVersion {
		return snap, nil
	}
	version, err := s.store.PolicyVersion(ctx)
	if err != nil {
		return nil, err
	}
	if snap := tp.current.Load(); snap != nil && snap.version >= version {
		snap.seenAt(t.CacheVersion)
		return snap, nil
	}
	tp.rebuild.Lock()
	defer tp.rebuild.Unlock()
	if snap := tp.current.Load(); snap != nil && snap.version >= version {
		return snap, nil // rebuilt by another request meanwhile
	}
	// The version was read before the rules: if a change lands between the
	// two reads, this snapshot holds newer rules under an older version and
	// is merely rebuilt once more, never left stale.
	rules, err := s.store.PolicyRules(ctx)
	if err != nil {
		return nil, err
	}
	e, err := newEnforcer(rules)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{version: version, enforcer: e, memo: map[decisionKey]Mode{}}
	snap.seenAt(t.CacheVersion)
	tp.current.Store(snap)
	return snap, nil
}

// seenAt records that the snapshot was current at cache version v: its
// rules were read (or its policy version checked) after the request at v
// began.
func (sn *snapshot) seenAt(v int64) {
	for {
		old := sn.currentAt.Load()
		if v <= old || sn.currentAt.CompareAndSwap(old, v) {
			return
		}
	}
}

func (s *Service) tenant(id int64) *tenantPolicy {
	s.mu.Lock()
	defer s.mu.Unlock()
	tp := s.tenants[id]
	if tp == nil {
		tp = &tenantPolicy{}
		s.tenants[id] = tp
	}
	return tp
}

// mode decides with the enforcer, remembering the answer.
func (sn *snapshot) mode(role string, siteID int64, field string) (Mode, error) {
	key := decisionKey{role, siteID, field}
	sn.mu.RLock()
	m, ok := sn.memo[key]
	sn.mu.RUnlock()
	if ok {
		return m, nil
	}
	m, err := decide(sn.enforcer, role, siteID, field)
	if err != nil {
		return Hidden, err
	}
	sn.mu.Lock()
	if len(sn.memo) < memoLimit {
		sn.memo[key] = m
	}
	sn.mu.Unlock()
	return m, nil
}

// decide asks the enforcer once: the matched rule, if any, carries the mode.
func decide(e *casbin.Enforcer, role string, siteID int64, field string) (Mode, error) {
	ok, rule, err := e.EnforceEx(role, siteString(siteID), field)
	if err != nil {
		return Hidden, fmt.Errorf("policies: enforce %s/%d/%s: %w", role, siteID, field, err)
	}
	if !ok || len(rule) <= modeIndex {
		return Hidden, nil
	}
	if m := Mode(rule[modeIndex]); m.Known() {
		return m, nil
	}
	return Hidden, nil
}

// newEnforcer builds an enforcer of model.conf holding rules.
func newEnforcer(rules []Rule) (*casbin.Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("policies: parse model.conf: %w", err)
	}
	if len(rules) > 0 {
		lines := make([][]string, len(rules))
		for i, r := range rules {
			lines[i] = []string{priorityOf(r), r.Role, siteString(r.SiteID), r.Field, string(r.Mode)}
		}
		if err := m.AddPolicies("p", "p", lines); err != nil {
			return nil, fmt.Errorf("policies: load rules: %w", err)
		}
	}
	// The priority effect lets the first matching rule decide: order them.
	if err := m.SortPoliciesByPriority(); err != nil {
		return nil, fmt.Errorf("policies: sort rules: %w", err)
	}
	e, err := casbin.NewEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("policies: new enforcer: %w", err)
	}
	return e, nil
}

func priorityOf(r Rule) string {
	if r.SiteID != 0 {
		return sitePriority
	}
	return allPriority
}

func siteString(siteID int64) string {
	if siteID == 0 {
		return allSites
	}
	return strconv.FormatInt(siteID, 10)
}

func checkRole(role string) error {
	if !slices.Contains(svcportal.PortalRoles, role) {
		return &svcportal.Error{Kind: svcportal.KindInvalid, MessageID: "error.role_unknown",
			Cause: fmt.Errorf("policies: %q is not a portal role", role)}
	}
	return nil
}

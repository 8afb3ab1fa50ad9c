package watch

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Kinds of alert.
const (
	NewHit      = "new-hit"           // a designated entity now matches the party
	HitGone     = "hit-gone"          // a designated hit no longer matches, or was delisted
	HitChanged  = "hit-changed"       // a designated hit's evidence changed: names, designations
	NewPath     = "new-path"          // a designated entity is now within the hops of the party
	PathBroken  = "path-broken"       // no path to a designated entity any more
	PathChanged = "path-changed"      // the path to a designated entity is another one
	Blocked     = "became-blocked"    // the party is now owned 50% or more by blocked persons
	Unblocked   = "no-longer-blocked" // it no longer is
)

// Kinds lists every kind of alert.
var Kinds = []string{NewHit, HitGone, HitChanged, NewPath, PathBroken, PathChanged, Blocked, Unblocked}

// Statuses of an alert.
const (
	Open      = "open"
	Confirmed = "confirmed"
	Dismissed = "dismissed"
)

// Alert is one change of a party's state, with the evidence before and
// after, and the analyst's decisions on it.
type Alert struct {
	ID        uint64 `json:"id"`
	Watchlist string `json:"watchlist"`
	Party     string `json:"party"` // the party's ref
	PartyName string `json:"partyName"`
	Kind      string `json:"kind"`
	Subject   string `json:"subject"`
	// Reason says what changed in a sentence.
	Reason string `json:"reason"`
	// Fingerprint is the subject's evidence after the change ("" when it
	// is gone), PrevFingerprint before it ("" when it is new).
	Fingerprint     string    `json:"fingerprint,omitempty"`
	PrevFingerprint string    `json:"prevFingerprint,omitempty"`
	Before          *Evidence `json:"before,omitempty"`
	After           *Evidence `json:"after,omitempty"`
	// Lists are the list versions the evidence cites (dataset and date).
	Lists []string `json:"lists,omitempty"`
	// Cause is the change of the store that led to the evaluation.
	Cause     Cause      `json:"cause"`
	Created   time.Time  `json:"created"`
	Status    string     `json:"status"`
	Decisions []Decision `json:"decisions,omitempty"`
}

// Cause is what made the store evaluate a party again.
type Cause struct {
	// Kinds: "import" (the party was added or changed), "ingest" (a run
	// of a list or file), "finding" (a change through the API), "merge"
	// (records merged or unmerged), "full" (a full re-evaluation).
	Kinds []string `json:"kinds"`
	Runs  []Run    `json:"runs,omitempty"`
	// Audits are the audit entries of the findings changed.
	Audits []uint64 `json:"audits,omitempty"`
}

// Run names an ingest run.
type Run struct {
	ID     uint64 `json:"id"`
	Source string `json:"source"`
}

// String says the cause in words.
func (c Cause) String() string {
	var parts []string
	for _, k := range c.Kinds {
		switch k {
		case "ingest":
			var rs []string
			for _, r := range c.Runs {
				rs = append(rs, fmt.Sprintf("run %d (%s)", r.ID, r.Source))
			}
			parts = append(parts, "ingest "+strings.Join(rs, ", "))
		case "finding":
			var as []string
			for _, a := range c.Audits {
				as = append(as, fmt.Sprintf("#%d", a))
			}
			parts = append(parts, "findings changed (audit "+strings.Join(as, ", ")+")")
		case "merge":
			parts = append(parts, "records merged or unmerged")
		case "import":
			parts = append(parts, "watchlist import")
		case "full":
			parts = append(parts, "full re-evaluation")
		default:
			parts = append(parts, k)
		}
	}
	return strings.Join(parts, "; ")
}

// Decision is an analyst's decision on an alert.
type Decision struct {
	Status string    `json:"status"` // confirmed or dismissed
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// MaxReasonLen bounds the reason of a decision.
const MaxReasonLen = 4000

// Decide records who decided what about a, and why. Returns an error
// wrapping graph.ErrInvalid for an unknown status or an empty reason.
func (a *Alert) Decide(status, reason, by string, at time.Time) error {
	reason = strings.TrimSpace(reason)
	switch {
	case status != Confirmed && status != Dismissed:
		return fmt.Errorf("%w: decision: %q is not %s or %s", graph.ErrInvalid, status, Confirmed, Dismissed)
	case reason == "":
		return fmt.Errorf("%w: reason: required (why the alert is %s)", graph.ErrInvalid, status)
	case len(reason) > MaxReasonLen:
		return fmt.Errorf("%w: reason: longer than %d bytes", graph.ErrInvalid, MaxReasonLen)
	case strings.TrimSpace(by) == "":
		return fmt.Errorf("%w: who decided is required", graph.ErrInvalid)
	}
	a.Status = status
	a.Decisions = append(a.Decisions, Decision{Status: status, Reason: reason, By: by, At: at.UTC()})
	return nil
}

// Change is one difference between two states of a party that alerts.
type Change struct {
	Kind, Subject, Reason        string
	Fingerprint, PrevFingerprint string
	Before, After                *Evidence
}

// Diff returns the changes from before to after (either may be nil: a
// party evaluated for the first time, a party removed), in the order of
// hits, paths, exposure, each by subject. A subject dismissed with
// fingerprint f (dismissed[subject] == f) does not alert while its
// evidence is f, nor when it goes away: only other evidence alerts again.
//
// A subject of after that is a subject of before under another id (a
// merge or unmerge, Renames) is compared with it, and its changes are
// under the subject of before.
func Diff(before, after *State, dismissed map[string]string) []Change {
	b, a := before.Subjects(), after.Subjects()
	orig := map[string]string{} // subject as compared -> subject in after
	for sa, sb := range Renames(before, after) {
		a[sb] = a[sa]
		delete(a, sa)
		orig[sb] = sa
	}
	subjects := make([]string, 0, len(b)+len(a))
	for s := range b {
		subjects = append(subjects, s)
	}
	for s := range a {
		if _, ok := b[s]; !ok {
			subjects = append(subjects, s)
		}
	}
	sort.Slice(subjects, func(i, j int) bool {
		oi, oj := subjectOrder(subjects[i]), subjectOrder(subjects[j])
		if oi != oj {
			return oi < oj
		}
		return subjects[i] < subjects[j]
	})
	var out []Change
	for _, s := range subjects {
		fb, fa := b[s], a[s]
		if fb == fa {
			continue
		}
		if d, ok := dismissed[s]; ok && (fa == "" || fa == d) {
			continue
		}
		sa := s
		if o, ok := orig[s]; ok {
			sa = o
		}
		c := Change{Subject: s, Fingerprint: fa, PrevFingerprint: fb, Before: before.Evidence(s), After: after.Evidence(sa)}
		c.Kind, c.Reason = describe(s, before, after, c.Before, c.After)
		out = append(out, c)
	}
	return out
}

func subjectOrder(s string) int {
	switch {
	case strings.HasPrefix(s, subjectHit):
		return 0
	case strings.HasPrefix(s, subjectPath):
		return 1
	}
	return 2
}

// describe names the kind of a change and says it in a sentence.
func describe(subject string, before, after *State, b, a *Evidence) (kind, reason string) {
	switch {
	case strings.HasPrefix(subject, subjectHit):
		return describeHit(before, after, b, a)
	case strings.HasPrefix(subject, subjectPath):
		return describePath(after, b, a)
	}
	if a != nil {
		x := a.Exposure
		return Blocked, fmt.Sprintf("%s is owned %s by blocked persons (OFAC 50 Percent Rule)", x.Entity.Name, percent(x.Percentage, x.MaxPercentage))
	}
	x := b.Exposure
	why := "it is no longer owned 50% or more by blocked persons"
	if after != nil && after.Exposure != nil && after.Exposure.PossiblyBlocked {
		why += " (it possibly is: some percentages are unknown)"
	}
	return Unblocked, fmt.Sprintf("%s: %s", x.Entity.Name, why)
}

func percent(lo, hi float64) string {
	if lo == hi {
		return fmt.Sprintf("%.4g%%", lo)
	}
	return fmt.Sprintf("%.4g%% to %.4g%%", lo, hi)
}

func describeHit(before, after *State, b, a *Evidence) (kind, reason string) {
	switch {
	case b == nil:
		h := a.Hit
		why := fmt.Sprintf("%s (%s) matches the party: %s; designated by %s", h.Entity.Name, h.Entity.Ref, h.Explanation, designationWords(h.Designations))
		if old := before.hit(h.Entity.ID); old != nil {
			why = fmt.Sprintf("%s (%s), which matched the party, is now designated by %s", h.Entity.Name, h.Entity.Ref, designationWords(h.Designations))
		}
		return NewHit, why
	case a == nil:
		h := b.Hit
		if now := after.hit(h.Entity.ID); now != nil {
			return HitGone, fmt.Sprintf("%s (%s) still matches the party but is no longer designated (delisted)", h.Entity.Name, h.Entity.Ref)
		}
		if after == nil {
			return HitGone, fmt.Sprintf("%s (%s): the party was removed from the watchlist", h.Entity.Name, h.Entity.Ref)
		}
		return HitGone, fmt.Sprintf("%s (%s) no longer matches the party at the threshold (renamed, removed or merged)", h.Entity.Name, h.Entity.Ref)
	}
	hb, ha := b.Hit, a.Hit
	var what []string
	added, removed := setDiff(hb.Names, ha.Names)
	if len(added) > 0 {
		what = append(what, "new names "+quoteAll(added))
	}
	if len(removed) > 0 {
		what = append(what, "names no longer stated "+quoteAll(removed))
	}
	dadd, drem := setDiff(designationKeys(hb.Designations), designationKeys(ha.Designations))
	if len(dadd) > 0 {
		what = append(what, "now designated under "+strings.Join(dadd, ", "))
	}
	if len(drem) > 0 {
		what = append(what, "no longer designated under "+strings.Join(drem, ", "))
	}
	if len(what) == 0 {
		what = append(what, "its evidence changed")
	}
	return HitChanged, fmt.Sprintf("%s (%s), a hit on the party: %s", ha.Entity.Name, ha.Entity.Ref, strings.Join(what, "; "))
}

func describePath(after *State, b, a *Evidence) (kind, reason string) {
	switch {
	case b == nil:
		p := a.Path
		return NewPath, fmt.Sprintf("%s, designated by %s, is %d hop(s) from the party: %s", p.Target.Name, designationWords(p.Designations), p.Hops(), PathWords(p))
	case a == nil:
		p := b.Path
		if after == nil {
			return PathBroken, fmt.Sprintf("%s: the party was removed from the watchlist", p.Target.Name)
		}
		if h := after.hit(p.Target.ID); h != nil && h.Designated {
			return PathBroken, fmt.Sprintf("%s is now a hit on the party itself (before: %s)", p.Target.Name, PathWords(p))
		}
		return PathBroken, fmt.Sprintf("%s (%s) is no longer a designated entity within the hops of the party (was: %s)", p.Target.Name, p.Target.Ref, PathWords(p))
	}
	return PathChanged, fmt.Sprintf("the path to %s changed: was %s; now %s", a.Path.Target.Name, PathWords(b.Path), PathWords(a.Path))
}

// PathWords writes a path on one line: A -[owns]-> B <-[linked-to]- C.
func PathWords(p *PathEvidence) string {
	var b strings.Builder
	b.WriteString(p.Start.Name)
	for _, s := range p.Steps {
		if s.Forward {
			fmt.Fprintf(&b, " -[%s]-> %s", s.Kind, s.To.Name)
		} else {
			fmt.Fprintf(&b, " <-[%s]- %s", s.Kind, s.To.Name)
		}
	}
	return b.String()
}

func designationWords(ds []Designation) string {
	keys := designationKeys(ds)
	if len(keys) == 0 {
		return "no authority named"
	}
	return strings.Join(keys, ", ")
}

func designationKeys(ds []Designation) []string {
	var out []string
	for _, d := range ds {
		k := d.Authority
		if d.Programme != "" {
			k += " / " + d.Programme
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// setDiff returns what b has and a lacks, and the other way round.
func setDiff(a, b []string) (added, removed []string) {
	for _, x := range b {
		if !slices.Contains(a, x) {
			added = append(added, x)
		}
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			removed = append(removed, x)
		}
	}
	return added, removed
}

func quoteAll(l []string) string {
	const most = 5
	var q []string
	for i, s := range l {
		if i == most {
			q = append(q, fmt.Sprintf("and %d more", len(l)-most))
			break
		}
		q = append(q, fmt.Sprintf("%q", s))
	}
	return strings.Join(q, ", ")
}

// ListsOf returns the list versions the evidence of a change cites.
func ListsOf(evs ...*Evidence) []string {
	var out []string
	add := func(ds []Designation) {
		for _, d := range ds {
			for _, l := range d.Lists {
				if !slices.Contains(out, l) {
					out = append(out, l)
				}
			}
		}
	}
	for _, e := range evs {
		switch {
		case e == nil:
		case e.Hit != nil:
			add(e.Hit.Designations)
		case e.Path != nil:
			add(e.Path.Designations)
			for _, s := range e.Path.Steps {
				for _, src := range s.Sources {
					l := src.Dataset
					if src.Date != "" {
						l += " " + src.Date
					}
					if l != "" && !slices.Contains(out, l) {
						out = append(out, l)
					}
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// NewAlert makes the alert of change c of party p in watchlist list.
func NewAlert(list string, p *Party, c Change, cause Cause, now time.Time) Alert {
	name := p.Name
	if name == "" && len(p.Identifiers) > 0 {
		name = p.Identifiers[0]
	}
	return Alert{Watchlist: list, Party: p.Ref, PartyName: name, Kind: c.Kind, Subject: c.Subject, Reason: c.Reason,
		Fingerprint: c.Fingerprint, PrevFingerprint: c.PrevFingerprint, Before: c.Before, After: c.After,
		Lists: ListsOf(c.Before, c.After), Cause: cause, Created: now.UTC(), Status: Open}
}

// AlertFilter selects alerts. Zero fields select everything.
type AlertFilter struct {
	Watchlist string
	Party     string
	Kinds     []string
	Status    string
	Since     time.Time // created at or after
	Until     time.Time // created before
	// After lists alerts with ids above it (a feed's cursor), oldest
	// first; without it the newest come first.
	After    uint64
	HasAfter bool
	Limit    int // 0: DefaultAlerts
}

// Alert listing bounds.
const (
	DefaultAlerts = 100
	MaxAlerts     = 10000
)

// Check returns an error wrapping graph.ErrInvalid that names a bad field.
func (f *AlertFilter) Check() error {
	for _, k := range f.Kinds {
		if !slices.Contains(Kinds, k) {
			return fmt.Errorf("%w: kind: %q is not one of %s", graph.ErrInvalid, k, strings.Join(Kinds, ", "))
		}
	}
	if f.Status != "" && f.Status != Open && f.Status != Confirmed && f.Status != Dismissed {
		return fmt.Errorf("%w: status: %q is not open, confirmed or dismissed", graph.ErrInvalid, f.Status)
	}
	if f.Limit < 0 || f.Limit > MaxAlerts {
		return fmt.Errorf("%w: first: must be between 1 and %d", graph.ErrInvalid, MaxAlerts)
	}
	return nil
}

// Match reports whether a passes the filter (all but After and Limit).
func (f *AlertFilter) Match(a *Alert) bool {
	switch {
	case f.Watchlist != "" && a.Watchlist != f.Watchlist,
		f.Party != "" && a.Party != f.Party,
		len(f.Kinds) > 0 && !slices.Contains(f.Kinds, a.Kind),
		f.Status != "" && a.Status != f.Status,
		!f.Since.IsZero() && a.Created.Before(f.Since),
		!f.Until.IsZero() && !a.Created.Before(f.Until):
		return false
	}
	return true
}

package watch

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// State is what was found for a party at one evaluation, with the
// evidence of each finding.
type State struct {
	Evaluated time.Time `json:"evaluated"`
	// Input is the fingerprint of the definition and settings evaluated
	// (Input).
	Input string `json:"input"`
	// Entity is the party's own entity in the graph (Party.Entity), when
	// it resolves.
	Entity *EntityRef `json:"entity,omitempty"`
	// Hits are the screening hits at or above the threshold, best first;
	// only designated ones are alert subjects, the others are where the
	// party may be in the graph (paths and exposure start from them).
	Hits []Hit `json:"hits,omitempty"`
	// Paths are the nearest designated entities within the watchlist's
	// hops of the party's entity or of a hit, one path each, nearest
	// first. A designated hit is not also a path.
	Paths []PathEvidence `json:"paths,omitempty"`
	// Exposure is set when the party's entity or a hit that is not itself
	// designated is owned 50% or more by blocked persons, or possibly so.
	Exposure *Exposure `json:"exposure,omitempty"`
	// Related are the entities this state rests on (hits, the party's
	// entity, every entity on a path or an ownership chain): a change to
	// one of them, or near one, means evaluating the party again.
	Related []uuid.UUID `json:"related,omitempty"`
	// Notes say what was left out or could not be read ("entity: ... not
	// in the graph", a search limit hit).
	Notes []string `json:"notes,omitempty"`
}

// Anchors returns the entities of the state a change must be near to
// affect it: the party's own entity, its hits (and the records merged as
// them), and the entities of its exposure and ownership chains. Paths
// start from the own entity and the hits, so a change that could add or
// shorten a path within the hops is within the hops of an anchor; a
// change on an existing path touches an entity of Related itself. The
// entities in between on a path are not anchors: a change near one of
// them but farther than the hops from every anchor changes no path.
func (st *State) Anchors() []uuid.UUID {
	var out []uuid.UUID
	add := func(id uuid.UUID) {
		if id != uuid.Nil && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if st.Entity != nil {
		add(st.Entity.ID)
		for _, m := range st.Entity.Members {
			add(m)
		}
	}
	for _, h := range st.Hits {
		add(h.Entity.ID)
		for _, m := range h.Entity.Members {
			add(m)
		}
	}
	if x := st.Exposure; x != nil {
		add(x.Entity.ID)
		for _, c := range x.Chains {
			for _, s := range c {
				add(s.From.ID)
				add(s.To.ID)
			}
		}
	}
	return out
}

// EntityRef names an entity of the graph.
type EntityRef struct {
	ID     uuid.UUID `json:"uuid"`
	Ref    string    `json:"id"`
	Name   string    `json:"name"`
	Schema string    `json:"schema,omitempty"`
	// Members are the records merged as this party (graph.Parties), for
	// a hit or the end of a path on a merged party: a merge or unmerge
	// changes the party's id, and its members say it is the same party.
	Members []uuid.UUID `json:"members,omitempty"`
}

// shares reports whether two entities are, or share, a record.
func (e *EntityRef) shares(o *EntityRef) bool {
	a, b := e.Members, o.Members
	if len(a) == 0 {
		a = []uuid.UUID{e.ID}
	}
	if len(b) == 0 {
		b = []uuid.UUID{o.ID}
	}
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// RefOf returns the EntityRef of e.
func RefOf(e *graph.Entity) EntityRef {
	return EntityRef{ID: e.ID, Ref: e.Ref, Name: e.Name(), Schema: e.Schema}
}

// Designation is a designation in force, with the list versions that
// state it.
type Designation struct {
	Authority string `json:"authority"`
	Programme string `json:"programme,omitempty"`
	ListedOn  string `json:"listedOn,omitempty"`
	Reference string `json:"reference,omitempty"`
	// Lists are the list versions stating it: dataset, and the date of
	// the version when the source has one ("us_ofac_sdn 2024-05-03").
	Lists []string `json:"lists,omitempty"`
}

// DesignationOf describes a graph designation.
func DesignationOf(d graph.Designation) Designation {
	out := Designation{Authority: d.Authority, Programme: d.Programme, ListedOn: d.ListedOn, Reference: d.Reference}
	for _, s := range d.Sources {
		l := s.Dataset
		if s.Date != "" {
			l += " " + s.Date
		}
		if l != "" && !slices.Contains(out.Lists, l) {
			out.Lists = append(out.Lists, l)
		}
	}
	slices.Sort(out.Lists)
	return out
}

// Hit is a screening hit with its evidence.
type Hit struct {
	Entity  EntityRef `json:"entity"`
	Score   float64   `json:"score"`
	Matched string    `json:"matched"`
	// Explanation is the hit's explanation in a sentence (screen.Hit.Summary).
	Explanation string `json:"explanation"`
	// Designated: the entity has a designation in force (by the
	// watchlist's authority, if it names one).
	Designated   bool          `json:"designated"`
	Designations []Designation `json:"designations,omitempty"`
	// Names are the entity's names and aliases (not its weak aliases),
	// sorted.
	Names []string `json:"names,omitempty"`
}

// Step is one hop of a path with every relationship that states it.
type Step struct {
	From    EntityRef `json:"from"`
	To      EntityRef `json:"to"`
	Kind    string    `json:"kind"`
	Forward bool      `json:"forward"` // the relationship points from From to To
	Role    string    `json:"role,omitempty"`
	// Sources are the sources of the step's relationships: the lists or
	// findings that state the link.
	Sources []graph.Source `json:"sources,omitempty"`
}

// PathEvidence is a path from the party to a designated entity.
type PathEvidence struct {
	Target EntityRef `json:"target"`
	// Start is the entity the path starts from: the party's own entity
	// (Via "entity") or a screening hit (Via "hit").
	Start        EntityRef     `json:"start"`
	Via          string        `json:"via"`
	Steps        []Step        `json:"steps"`
	Designations []Designation `json:"designations,omitempty"` // the target's, in force
}

// Hops returns the number of steps.
func (p *PathEvidence) Hops() int { return len(p.Steps) }

// Exposure is the ownership exposure of the party under the OFAC 50
// Percent Rule: of its own entity or of a hit that is not itself
// designated.
type Exposure struct {
	Entity          EntityRef `json:"entity"`
	Blocked         bool      `json:"blocked"`
	PossiblyBlocked bool      `json:"possiblyBlocked,omitempty"`
	Percentage      float64   `json:"percentage"`
	MaxPercentage   float64   `json:"maxPercentage"`
	Explanation     string    `json:"explanation"`
	// Chains are ownership paths from a designated owner down to Entity.
	Chains [][]Step `json:"chains,omitempty"`
}

// Subjects of alerts.
const (
	subjectHit     = "hit:"
	subjectPath    = "path:"
	SubjectBlocked = "blocked"
)

// HitSubject and PathSubject name the subject of a hit on, or a path to,
// entity id.
func HitSubject(id uuid.UUID) string  { return subjectHit + id.String() }
func PathSubject(id uuid.UUID) string { return subjectPath + id.String() }

// fingerprint hashes parts, each ended by a 0 byte.
func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Fingerprint is the hit's evidence fingerprint (see the package
// documentation): the designations in force and the names of the entity.
// The entity itself is the subject's (HitSubject), so that a merge that
// changes only its id changes no evidence.
func (h *Hit) Fingerprint() string {
	parts := []string{"hit"}
	var ds []string
	for _, d := range h.Designations {
		ds = append(ds, d.Authority+"\x01"+d.Programme)
	}
	slices.Sort(ds)
	parts = append(parts, strings.Join(slices.Compact(ds), "\x02"))
	return fingerprint(append(parts, h.Names...)...)
}

// Fingerprint is the path's evidence fingerprint: its end, and the
// entities, kinds and directions of its steps from the first on (not the
// entity it starts from, a hit whose id a merge may change).
func (p *PathEvidence) Fingerprint() string {
	parts := []string{"path", p.Target.ID.String()}
	for _, s := range p.Steps {
		dir := "<"
		if s.Forward {
			dir = ">"
		}
		parts = append(parts, s.Kind+dir+s.To.ID.String())
	}
	return fingerprint(parts...)
}

// blockedFingerprint is the fingerprint of a blocked party: being blocked
// is the whole evidence that alerts.
var blockedFingerprint = fingerprint("blocked")

// Subjects returns the alert subjects of the state with their
// fingerprints: designated hits, paths, and blocked.
func (s *State) Subjects() map[string]string {
	out := map[string]string{}
	if s == nil {
		return out
	}
	for i := range s.Hits {
		if s.Hits[i].Designated {
			out[HitSubject(s.Hits[i].Entity.ID)] = s.Hits[i].Fingerprint()
		}
	}
	for i := range s.Paths {
		out[PathSubject(s.Paths[i].Target.ID)] = s.Paths[i].Fingerprint()
	}
	if s.Exposure != nil && s.Exposure.Blocked {
		out[SubjectBlocked] = blockedFingerprint
	}
	return out
}

// Renames pairs the subjects of after that before lacks with subjects
// of before that after lacks when they are about the same party under
// another id (a merge or unmerge changed its canonical entity): a hit on
// a party that shares a record with a hit before, a path to one. It maps
// the subject in after to the subject in before.
func Renames(before, after *State) map[string]string {
	if before == nil || after == nil {
		return nil
	}
	b, a := before.Subjects(), after.Subjects()
	var out map[string]string
	pair := func(sa string, ea *EntityRef, olds func(func(string, *EntityRef) bool)) {
		if _, ok := b[sa]; ok {
			return
		}
		olds(func(sb string, eb *EntityRef) bool {
			if _, ok := a[sb]; ok || !ea.shares(eb) {
				return true
			}
			for _, used := range out {
				if used == sb {
					return true
				}
			}
			if out == nil {
				out = map[string]string{}
			}
			out[sa] = sb
			return false
		})
	}
	for i := range after.Hits {
		h := &after.Hits[i]
		if !h.Designated {
			continue
		}
		pair(HitSubject(h.Entity.ID), &h.Entity, func(yield func(string, *EntityRef) bool) {
			for j := range before.Hits {
				if before.Hits[j].Designated && !yield(HitSubject(before.Hits[j].Entity.ID), &before.Hits[j].Entity) {
					return
				}
			}
		})
	}
	for i := range after.Paths {
		p := &after.Paths[i]
		pair(PathSubject(p.Target.ID), &p.Target, func(yield func(string, *EntityRef) bool) {
			for j := range before.Paths {
				if !yield(PathSubject(before.Paths[j].Target.ID), &before.Paths[j].Target) {
					return
				}
			}
		})
	}
	return out
}

// Evidence returns the evidence of a subject in the state, or nil.
func (s *State) Evidence(subject string) *Evidence {
	if s == nil {
		return nil
	}
	switch {
	case strings.HasPrefix(subject, subjectHit):
		for i := range s.Hits {
			if s.Hits[i].Designated && HitSubject(s.Hits[i].Entity.ID) == subject {
				return &Evidence{Hit: &s.Hits[i]}
			}
		}
	case strings.HasPrefix(subject, subjectPath):
		for i := range s.Paths {
			if PathSubject(s.Paths[i].Target.ID) == subject {
				return &Evidence{Path: &s.Paths[i]}
			}
		}
	case subject == SubjectBlocked:
		if s.Exposure != nil && s.Exposure.Blocked {
			return &Evidence{Exposure: s.Exposure}
		}
	}
	return nil
}

// hit returns the hit on entity id, designated or not, or nil.
func (s *State) hit(id uuid.UUID) *Hit {
	if s == nil {
		return nil
	}
	for i := range s.Hits {
		if s.Hits[i].Entity.ID == id {
			return &s.Hits[i]
		}
	}
	return nil
}

// Evidence is what an alert shows of one side of a change: a hit, a path
// or an exposure.
type Evidence struct {
	Hit      *Hit          `json:"hit,omitempty"`
	Path     *PathEvidence `json:"path,omitempty"`
	Exposure *Exposure     `json:"exposure,omitempty"`
}

package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Findings are what investigators add through the API: entities and
// relationships with a source, written one mutation at a time.
//
// A finding's source of truth is its Finding record (key f<id>), which a
// mutation never deletes. While the finding is active, the record is also
// projected into the graph as an ordinary record under its ref (entity or
// edge keys, index keys, manifest), so that reads, search and path search
// see it. Retracting a finding marks its Finding record retracted (when,
// by whom, why, on what source) and removes the projection: search, the
// graph index and path search no longer see it, while the record, every
// earlier version (in the audit log's before and after) and the retraction
// stay readable through Finding and Audit.
//
// Findings never share a ref with a list record: a finding created through
// the API gets a random UUID, and an imported findings CSV row whose id
// names a record ingested from a list is refused. So re-ingesting a list,
// which replaces only the records of that list by ref, never touches a
// finding; and the API never changes a list's record.

// FindingsDataset is the dataset of findings written through the API.
const FindingsDataset = "findings"

// Finding states, as FindingState reports them.
const (
	FindingActive    = "active"
	FindingRetracted = "retracted"
	// NotAFinding: the id names a record ingested from a list or file,
	// which the API does not change.
	NotAFinding = "not-a-finding"
)

// Finding kinds.
const (
	KindEntity       = "entity"
	KindRelationship = "relationship"
)

// Finding is the state of one finding (key f<id>).
type Finding struct {
	Ref          string              `json:"id"`
	Kind         string              `json:"kind"` // KindEntity or KindRelationship
	Status       string              `json:"status"`
	Version      int                 `json:"version"`
	Entity       *graph.Entity       `json:"entity,omitempty"`
	Relationship *graph.Relationship `json:"relationship,omitempty"`
	// SourceID and TargetID are the storage ids of a relationship's ends.
	SourceID      uuid.UUID     `json:"sourceUuid,omitzero"`
	TargetID      uuid.UUID     `json:"targetUuid,omitzero"`
	CreatedAt     time.Time     `json:"createdAt"`
	CreatedBy     string        `json:"createdBy"`
	UpdatedAt     time.Time     `json:"updatedAt"`
	UpdatedBy     string        `json:"updatedBy"`
	RetractedAt   time.Time     `json:"retractedAt,omitzero"`
	RetractedBy   string        `json:"retractedBy,omitempty"`
	RetractReason string        `json:"retractReason,omitempty"`
	RetractSource *graph.Source `json:"retractSource,omitempty"`
}

// record is the finding's projection into the graph.
func (f *Finding) record() graph.Record {
	id := graph.KeyFor(f.Ref)
	if f.Kind == KindEntity {
		e := f.Entity.Clone()
		e.ID, e.Ref = id, f.Ref
		return graph.Record{Ref: f.Ref, Entity: e}
	}
	r := f.Relationship.Clone()
	r.ID, r.Ref, r.Source, r.Target = id, f.Ref, f.SourceID, f.TargetID
	return graph.Record{Ref: f.Ref, Relationships: []graph.Relationship{*r}}
}

// clone returns a deep copy of f (nil if f is nil).
func (f *Finding) clone() *Finding {
	if f == nil {
		return nil
	}
	c := *f
	if f.Entity != nil {
		c.Entity = f.Entity.Clone()
	}
	if f.Relationship != nil {
		c.Relationship = f.Relationship.Clone()
	}
	if f.RetractSource != nil {
		rs := *f.RetractSource
		c.RetractSource = &rs
	}
	return &c
}

// content is what a finding states, to tell an import that changes nothing.
func (f *Finding) content() []byte {
	var b []byte
	if f.Entity != nil {
		b, _ = json.Marshal(f.Entity)
	} else {
		b, _ = json.Marshal(struct {
			R    *graph.Relationship
			S, T uuid.UUID
		}{f.Relationship, f.SourceID, f.TargetID})
	}
	return b
}

// mutation is one finding change in progress: one Badger transaction that
// writes the findings, their graph projection and the audit entry.
type mutation struct {
	tx    *Tx
	w     writer
	now   time.Time
	entry AuditEntry
}

// mutate runs fn in one transaction with its audit entry, retrying on
// conflicts with concurrent writers. When it returns without error the
// change is committed and synced to disk.
func (s *Store) mutate(ctx context.Context, who, action, reason string, fn func(*mutation) error) (*AuditEntry, error) {
	if s.opt.ReadOnly {
		return nil, fmt.Errorf("%s: %w: store opened read-only", action, graph.ErrInvalid)
	}
	if strings.TrimSpace(who) == "" {
		return nil, fmt.Errorf("%s: %w: who made the change is required", action, graph.ErrInvalid)
	}
	// One mutation at a time (Store.findingsMu): audit entries are
	// numbered in the order their changes commit and the in-memory index
	// learns them in that order; a mutation holds it for one small
	// transaction and a sync (about a millisecond).
	s.findingsMu.Lock()
	defer s.findingsMu.Unlock()
	// Before the transaction commits: an ingest batch that began without
	// checking for findings and writes the same record conflicts with
	// this transaction (both read its manifest) and is applied again.
	s.hasFindings.Store(true)
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		txn := s.db.NewTransaction(true)
		m := &mutation{
			tx:    &Tx{txn: txn, ctx: ctx, parties: s.parties()},
			w:     writer{txn: txn, tracking: s.Index() != nil},
			now:   time.Now().UTC(),
			entry: AuditEntry{Who: who, Action: action, Reason: reason},
		}
		m.entry.When = m.now
		err := fn(m)
		if err == nil {
			err = m.writeEntry()
		}
		if err == nil {
			err = s.commit(txn, m.w.ops)
		}
		txn.Discard()
		switch {
		case err == nil:
		case errors.Is(err, badger.ErrConflict) && attempt < 20:
			time.Sleep(time.Duration(attempt+1) * time.Millisecond)
			continue
		default:
			// Too big a change is graph.ErrInvalid, a conflict that
			// outlasted the retries graph.ErrConflict (dbErr).
			return nil, fmt.Errorf("%s: %w", action, dbErr(err))
		}
		// Acknowledged means durable: the commit is in the write-ahead
		// log; Sync puts it on disk before the caller answers.
		if err := s.db.Sync(); err != nil {
			return nil, fmt.Errorf("%s: sync: %w", action, badgerErr(err))
		}
		return &m.entry, nil
	}
}

func (m *mutation) writeEntry() error {
	last, err := lastAuditSeq(m.w.txn)
	if err != nil {
		return err
	}
	m.entry.Seq = last + 1
	if m.entry.Refs == nil {
		m.entry.Refs = []string{}
	}
	b, err := json.Marshal(&m.entry)
	if err != nil {
		return err
	}
	return m.w.txn.Set(auditKey(m.entry.Seq), b)
}

// finding reads the finding ref, nil if there is none.
func (m *mutation) finding(ref string) (*Finding, error) {
	v, err := m.w.get(findingKey(graph.KeyFor(ref)))
	if err != nil || v == nil {
		return nil, err
	}
	var f Finding
	if err := json.Unmarshal(v, &f); err != nil {
		return nil, fmt.Errorf("finding %q: %w", ref, err)
	}
	if !sameFinding(&f, ref) {
		return nil, nil // another ref with the same key: not this finding
	}
	return &f, nil
}

// sameFinding reports whether ref names f: its own id, or the UUID it is
// stored under (a finding imported with an id of its own, such as
// finding:rfs, is also known by that UUID).
func sameFinding(f *Finding, ref string) bool {
	if f.Ref == ref {
		return true
	}
	u, err := uuid.Parse(ref)
	return err == nil && u.String() == ref && graph.KeyFor(f.Ref) == u
}

// active returns the active finding ref of kind (any kind if empty).
func (m *mutation) active(ref, kind string) (*Finding, error) {
	f, err := m.finding(ref)
	if err != nil {
		return nil, err
	}
	if f == nil {
		man, err := m.w.get(manifestKey(ref))
		if err != nil {
			return nil, err
		}
		if man != nil {
			return nil, fmt.Errorf("%w: %q is a record ingested from a list or file, not a finding; the API changes only findings", graph.ErrInvalid, ref)
		}
		return nil, fmt.Errorf("%w: no finding has id %q", graph.ErrNotFound, ref)
	}
	if f.Status != FindingActive {
		return nil, fmt.Errorf("%w: finding %q is %s", graph.ErrInvalid, ref, f.Status)
	}
	if kind != "" && f.Kind != kind {
		return nil, fmt.Errorf("%w: finding %q is a %s, not a %s", graph.ErrInvalid, ref, f.Kind, kind)
	}
	return f, nil
}

// save writes after (the new state of a finding whose state was before)
// with its graph projection, and records the change in the audit entry.
func (m *mutation) save(before, after *Finding) error {
	b, err := json.Marshal(after)
	if err != nil {
		return err
	}
	if err := m.w.txn.Set(findingKey(graph.KeyFor(after.Ref)), b); err != nil {
		return err
	}
	if after.Status == FindingActive {
		rec := after.record()
		p, err := prepare(&rec)
		if err != nil {
			return err
		}
		if _, err := m.w.apply(p); err != nil {
			return err
		}
	} else if _, err := m.w.deleteRecord(after.Ref); err != nil {
		return err
	}
	m.entry.Refs = append(m.entry.Refs, after.Ref)
	m.entry.Changes = append(m.entry.Changes, AuditChange{Ref: after.Ref, Before: before.clone(), After: after.clone()})
	return nil
}

// resolve finds the entity ref names for a relationship end.
func (m *mutation) resolve(end, ref string) (uuid.UUID, error) {
	id, err := m.tx.Resolve(ref)
	if err != nil {
		return uuid.Nil, fmt.Errorf("%s: %w", end, err)
	}
	return id, nil
}

func findingSource(src graph.Source, ref string) graph.Source {
	src.Dataset, src.RecordID = FindingsDataset, ref
	return src
}

// withSource puts src first in sources, once.
func withSource(sources []graph.Source, src graph.Source) []graph.Source {
	out := []graph.Source{src}
	for _, s := range sources {
		if s != src {
			out = append(out, s)
		}
	}
	return out
}

// AddEntity stores e as a new finding with a random UUID, stating src, and
// returns it with the sequence number of its audit entry. who is the name
// of the writer. Returns an error wrapping graph.ErrInvalid if e or src is
// incomplete.
func (s *Store) AddEntity(ctx context.Context, who string, e *graph.Entity, src graph.Source) (*graph.Entity, uint64, error) {
	if err := graph.CheckSource(src); err != nil {
		return nil, 0, err
	}
	if err := graph.CheckEntityFinding(e); err != nil {
		return nil, 0, err
	}
	e = e.Clone()
	id := graph.NewID()
	e.ID, e.Ref, e.Referents, e.Held = id, id.String(), nil, nil
	if e.Caption == "" {
		e.Caption = e.First("name")
	}
	e.Sources = []graph.Source{findingSource(src, e.Ref)}
	entry, err := s.mutate(ctx, who, "add-entity", "", func(m *mutation) error {
		return m.save(nil, &Finding{Ref: e.Ref, Kind: KindEntity, Status: FindingActive, Version: 1, Entity: e,
			CreatedAt: m.now, CreatedBy: who, UpdatedAt: m.now, UpdatedBy: who})
	})
	if err != nil {
		return nil, 0, err
	}
	return e, entry.Seq, nil
}

// UpdateEntity changes the entity finding ref: edit changes a copy of its
// current version (its id cannot change), and src, the source of the
// change, is put first among its sources. Returns graph.ErrNotFound if no
// finding has id ref, graph.ErrInvalid if ref is not an active entity
// finding or the result is incomplete.
func (s *Store) UpdateEntity(ctx context.Context, who, ref string, src graph.Source, edit func(*graph.Entity) error) (*graph.Entity, uint64, error) {
	if err := graph.CheckSource(src); err != nil {
		return nil, 0, err
	}
	var out *graph.Entity
	entry, err := s.mutate(ctx, who, "update-entity", "", func(m *mutation) error {
		f, err := m.active(ref, KindEntity)
		if err != nil {
			return err
		}
		after := f.clone()
		e := after.Entity
		if err := edit(e); err != nil {
			return err
		}
		e.ID, e.Ref, e.Held = graph.KeyFor(f.Ref), f.Ref, nil
		if err := graph.CheckEntityFinding(e); err != nil {
			return err
		}
		e.Sources = withSource(e.Sources, findingSource(src, f.Ref))
		after.Version++
		after.UpdatedAt, after.UpdatedBy = m.now, who
		out = e
		return m.save(f, after)
	})
	if err != nil {
		return nil, 0, err
	}
	return out, entry.Seq, nil
}

// AddRelationship stores r as a new finding with a random UUID, stating
// src. r.SourceRef and r.TargetRef name its ends by any id the graph knows
// them by; both must exist. Returns an error wrapping graph.ErrNotFound
// (naming the end) if one does not, graph.ErrInvalid if src is incomplete.
func (s *Store) AddRelationship(ctx context.Context, who string, r *graph.Relationship, src graph.Source) (*graph.Relationship, uint64, error) {
	if err := graph.CheckSource(src); err != nil {
		return nil, 0, err
	}
	r = r.Clone()
	id := graph.NewID()
	r.ID, r.Ref = id, id.String()
	r.Sources = []graph.Source{findingSource(src, r.Ref)}
	entry, err := s.mutate(ctx, who, "add-relationship", "", func(m *mutation) error {
		var err error
		if r.Source, err = m.resolve("source", r.SourceRef); err != nil {
			return err
		}
		if r.Target, err = m.resolve("target", r.TargetRef); err != nil {
			return err
		}
		return m.save(nil, &Finding{Ref: r.Ref, Kind: KindRelationship, Status: FindingActive, Version: 1, Relationship: r,
			SourceID: r.Source, TargetID: r.Target, CreatedAt: m.now, CreatedBy: who, UpdatedAt: m.now, UpdatedBy: who})
	})
	if err != nil {
		return nil, 0, err
	}
	return r, entry.Seq, nil
}

// UpdateRelationship changes the relationship finding ref as UpdateEntity
// changes an entity. edit may change its kind, properties and ends (by
// setting SourceRef or TargetRef to another entity's id).
func (s *Store) UpdateRelationship(ctx context.Context, who, ref string, src graph.Source, edit func(*graph.Relationship) error) (*graph.Relationship, uint64, error) {
	if err := graph.CheckSource(src); err != nil {
		return nil, 0, err
	}
	var out *graph.Relationship
	entry, err := s.mutate(ctx, who, "update-relationship", "", func(m *mutation) error {
		f, err := m.active(ref, KindRelationship)
		if err != nil {
			return err
		}
		after := f.clone()
		r := after.Relationship
		oldSrc, oldTgt := r.SourceRef, r.TargetRef
		if err := edit(r); err != nil {
			return err
		}
		if r.SourceRef != oldSrc {
			if after.SourceID, err = m.resolve("source", r.SourceRef); err != nil {
				return err
			}
		}
		if r.TargetRef != oldTgt {
			if after.TargetID, err = m.resolve("target", r.TargetRef); err != nil {
				return err
			}
		}
		r.ID, r.Ref, r.Source, r.Target = graph.KeyFor(f.Ref), f.Ref, after.SourceID, after.TargetID
		r.Sources = withSource(r.Sources, findingSource(src, f.Ref))
		after.Version++
		after.UpdatedAt, after.UpdatedBy = m.now, who
		out = r
		return m.save(f, after)
	})
	if err != nil {
		return nil, 0, err
	}
	return out, entry.Seq, nil
}

// Retract retracts the finding ref, for reason, on the strength of src.
// Retracting an entity retracts the active relationship findings that
// touch it too. It returns the ids of every finding retracted and the
// sequence number of the audit entry. Nothing is deleted: see the comment
// at the top of this file.
func (s *Store) Retract(ctx context.Context, who, ref, reason string, src graph.Source) ([]string, uint64, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, 0, fmt.Errorf("%w: reason: required", graph.ErrInvalid)
	}
	if err := graph.CheckSource(src); err != nil {
		return nil, 0, err
	}
	entry, err := s.mutate(ctx, who, "retract", reason, func(m *mutation) error {
		f, err := m.active(ref, "")
		if err != nil {
			return err
		}
		todo := []*Finding{f}
		if f.Kind == KindEntity {
			rels, err := m.touching(graph.KeyFor(f.Ref))
			if err != nil {
				return err
			}
			todo = append(todo, rels...)
		}
		for _, f := range todo {
			after := f.clone()
			after.Status, after.Version = FindingRetracted, f.Version+1
			after.RetractedAt, after.RetractedBy, after.RetractReason = m.now, who, reason
			rs := findingSource(src, f.Ref)
			after.RetractSource = &rs
			if err := m.save(f, after); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return entry.Refs, entry.Seq, nil
}

// touching returns the active relationship findings with id at one end.
func (m *mutation) touching(id uuid.UUID) ([]*Finding, error) {
	var eids []uuid.UUID
	for _, tag := range []byte{tagOut, tagIn} {
		err := m.tx.keys(edgePrefix(tag, id), func(k []byte) error {
			l, err := parseEdgeKey(k)
			if err == nil {
				eids = append(eids, l.ID)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	var out []*Finding
	seen := map[uuid.UUID]bool{}
	for _, eid := range eids {
		if seen[eid] {
			continue
		}
		seen[eid] = true
		v, err := m.w.get(findingKey(eid))
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue // a list's relationship
		}
		var f Finding
		if err := json.Unmarshal(v, &f); err != nil {
			return nil, err
		}
		if f.Kind == KindRelationship && f.Status == FindingActive {
			out = append(out, &f)
		}
	}
	return out, nil
}

// ImportFindings stores the records of a findings CSV (ingest's findings
// format) as findings, in one transaction with one audit entry: all of
// them or none. Each record holds one entity or one relationship; its ref
// is the row's id. A row with the id of an existing finding updates it.
// Returns an error wrapping graph.ErrInvalid if a record is neither, if a
// ref names a record ingested from a list, or a retracted finding.
func (s *Store) ImportFindings(ctx context.Context, who string, recs []graph.Record) ([]graph.Outcome, uint64, error) {
	for i := range recs {
		r := &recs[i]
		if r.Ref == "" || r.Delete || r.Held != nil || (r.Entity == nil) == (len(r.Relationships) != 1) {
			return nil, 0, fmt.Errorf("%w: record %d: want one entity or one relationship with an id", graph.ErrInvalid, i+1)
		}
	}
	outs := make([]graph.Outcome, len(recs))
	_, seq, err := s.importFindings(ctx, who, recs, outs)
	return outs, seq, err
}

func (s *Store) importFindings(ctx context.Context, who string, recs []graph.Record, outs []graph.Outcome) (*AuditEntry, uint64, error) {
	entry, err := s.mutate(ctx, who, "import-findings", "", func(m *mutation) error {
		for i := range recs {
			rec := &recs[i]
			f, err := m.finding(rec.Ref)
			if err != nil {
				return err
			}
			if f != nil && f.Ref != rec.Ref {
				return fmt.Errorf("%w: id %q is the storage id of finding %q; use that id", graph.ErrInvalid, rec.Ref, f.Ref)
			}
			if f == nil {
				man, err := m.w.get(manifestKey(rec.Ref))
				if err != nil {
					return err
				}
				if man != nil {
					return fmt.Errorf("%w: id %q names a record ingested from a list or file, not a finding", graph.ErrInvalid, rec.Ref)
				}
			} else if f.Status != FindingActive {
				return fmt.Errorf("%w: finding %q was retracted; give the row a new id", graph.ErrInvalid, rec.Ref)
			}
			after := &Finding{Ref: rec.Ref, Status: FindingActive, Version: 1, CreatedAt: m.now, CreatedBy: who}
			if f != nil {
				after = f.clone()
				after.Version++
			}
			after.UpdatedAt, after.UpdatedBy = m.now, who
			after.Entity, after.Relationship = nil, nil
			if rec.Entity != nil {
				e := rec.Entity.Clone()
				e.ID, e.Ref = graph.KeyFor(rec.Ref), rec.Ref
				after.Kind, after.Entity = KindEntity, e
			} else {
				r := rec.Relationships[0].Clone()
				r.ID, r.Ref = graph.KeyFor(rec.Ref), rec.Ref
				if r.Source == uuid.Nil {
					r.Source = graph.KeyFor(r.SourceRef)
				}
				if r.Target == uuid.Nil {
					r.Target = graph.KeyFor(r.TargetRef)
				}
				after.Kind, after.Relationship, after.SourceID, after.TargetID = KindRelationship, r, r.Source, r.Target
			}
			switch {
			case f == nil:
				outs[i] = graph.Added
			case f.Kind != after.Kind:
				return fmt.Errorf("%w: finding %q is a %s, the row a %s", graph.ErrInvalid, rec.Ref, f.Kind, after.Kind)
			case bytes.Equal(f.content(), after.content()):
				outs[i] = graph.Unchanged
				continue
			default:
				outs[i] = graph.Updated
			}
			if err := m.save(f, after); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return entry, entry.Seq, nil
}

// FindingState says what ref names: for a finding, its kind (KindEntity
// or KindRelationship) and FindingActive or FindingRetracted; for a record
// or entity ingested from a list or file, "" and NotAFinding. Returns
// graph.ErrNotFound if ref names nothing.
func (s *Store) FindingState(ctx context.Context, ref string) (kind, state string, err error) {
	f, err := s.Finding(ctx, ref)
	if err == nil {
		return f.Kind, f.Status, nil
	}
	if !errors.Is(err, graph.ErrNotFound) {
		return "", "", err
	}
	err = s.View(ctx, func(tx *Tx) error {
		man, err := tx.value(manifestKey(ref))
		if err != nil || man != nil {
			return err
		}
		_, err = tx.Resolve(ref)
		return err
	})
	if err != nil {
		return "", "", err
	}
	return "", NotAFinding, nil
}

// Finding returns the finding ref, active or retracted. Returns
// graph.ErrNotFound if no finding has that id.
func (s *Store) Finding(ctx context.Context, ref string) (*Finding, error) {
	var f *Finding
	err := s.View(ctx, func(tx *Tx) error {
		v, err := tx.value(findingKey(graph.KeyFor(ref)))
		if err != nil || v == nil {
			return err
		}
		f = &Finding{}
		return json.Unmarshal(v, f)
	})
	if err != nil {
		return nil, fmt.Errorf("read finding %q: %w", ref, err)
	}
	if f == nil || !sameFinding(f, ref) {
		return nil, fmt.Errorf("%w: no finding has id %q", graph.ErrNotFound, ref)
	}
	return f, nil
}

// Findings calls fn with every finding, active or retracted, in key order.
func (s *Store) Findings(ctx context.Context, fn func(*Finding) error) error {
	return s.View(ctx, func(tx *Tx) error {
		return tx.values([]byte{tagFinding}, func(k, v []byte) error {
			if _, err := parseFindingKey(k); err != nil {
				return err
			}
			var f Finding
			if err := json.Unmarshal(v, &f); err != nil {
				return fmt.Errorf("finding %x: %w", k, err)
			}
			return fn(&f)
		})
	})
}

// FindingsReport is the result of CheckFindings.
type FindingsReport struct {
	Findings     int      `json:"findings"`
	Active       int      `json:"active"`
	Retracted    int      `json:"retracted"`
	AuditEntries int      `json:"auditEntries"`
	Problems     []string `json:"problems,omitempty"` // the first 100
	Count        int      `json:"problemCount"`
}

// OK reports whether CheckFindings found nothing wrong.
func (r *FindingsReport) OK() bool { return r.Count == 0 }

func (r *FindingsReport) add(f string, a ...any) {
	r.Count++
	if len(r.Problems) < 100 {
		r.Problems = append(r.Problems, fmt.Sprintf(f, a...))
	}
}

// CheckFindings verifies on one snapshot that findings, their graph
// projection and the audit log agree: audit entries are numbered 1, 2, 3,
// ... without a gap; every finding is in the state the last audit change
// for it states, and every finding an audit entry changed exists; an
// active finding's record is in the graph (its manifest lists its entity
// or edge, which is stored), and a retracted one's is not.
func (s *Store) CheckFindings(ctx context.Context) (*FindingsReport, error) {
	rep := &FindingsReport{}
	err := s.View(ctx, func(tx *Tx) error {
		last := map[string]*Finding{}
		var want uint64 = 1
		err := tx.values([]byte{tagAudit}, func(k, v []byte) error {
			rep.AuditEntries++
			seq, err := parseAuditKey(k)
			if err != nil {
				rep.add("%v", err)
				return nil
			}
			if seq != want {
				rep.add("audit entry %d follows entry %d", seq, want-1)
			}
			want = seq + 1
			var e AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				rep.add("audit entry %d: %v", seq, err)
				return nil
			}
			for _, c := range e.Changes {
				last[c.Ref] = c.After
			}
			return ctx.Err()
		})
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		err = tx.values([]byte{tagFinding}, func(k, v []byte) error {
			rep.Findings++
			id, err := parseFindingKey(k)
			if err != nil {
				rep.add("%v", err)
				return nil
			}
			var f Finding
			if err := json.Unmarshal(v, &f); err != nil {
				rep.add("finding %s: %v", id, err)
				return nil
			}
			seen[f.Ref] = true
			if graph.KeyFor(f.Ref) != id {
				rep.add("finding %q stored under %s", f.Ref, id)
			}
			switch f.Status {
			case FindingActive:
				rep.Active++
			case FindingRetracted:
				rep.Retracted++
			default:
				rep.add("finding %q has status %q", f.Ref, f.Status)
			}
			if l := last[f.Ref]; l == nil {
				rep.add("finding %q has no audit entry", f.Ref)
			} else if l.Version != f.Version || l.Status != f.Status {
				rep.add("finding %q is %s v%d, its last audit entry says %s v%d", f.Ref, f.Status, f.Version, l.Status, l.Version)
			}
			man, err := tx.value(manifestKey(f.Ref))
			if err != nil {
				return err
			}
			if f.Status != FindingActive {
				if man != nil {
					rep.add("retracted finding %q is still in the graph", f.Ref)
				}
				return nil
			}
			if man == nil {
				rep.add("active finding %q is not in the graph", f.Ref)
				return nil
			}
			items, err := decodeManifest(man)
			if err != nil || len(items) != 1 {
				rep.add("finding %q: manifest of %d items (%v), want 1", f.Ref, len(items), err)
				return nil
			}
			it := items[0]
			switch {
			case f.Kind == KindEntity && (it.tag != tagNode || it.id != id):
				rep.add("entity finding %q projects to %q", f.Ref, it.key())
			case f.Kind == KindRelationship && (it.tag != tagOut || it.edge.ID != id || it.edge.Src != f.SourceID || it.edge.Dst != f.TargetID):
				rep.add("relationship finding %q projects to %q", f.Ref, it.key())
			}
			if v, err := tx.value(it.key()); err != nil {
				return err
			} else if v == nil {
				rep.add("finding %q: its graph item %q is missing", f.Ref, it.key())
			}
			return ctx.Err()
		})
		if err != nil {
			return err
		}
		for ref := range last {
			if !seen[ref] {
				rep.add("the audit log changed finding %q, which does not exist", ref)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("check findings: %w", err)
	}
	return rep, nil
}

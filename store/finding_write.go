package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Changing findings: each change is one mutation, one Badger transaction
// that writes the findings, their projection into the graph and the audit
// entry (see finding.go for what a finding is).

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
	// One mutation at a time (Store.decideMu): audit entries are
	// numbered in the order their changes commit and the in-memory index
	// learns them in that order; a mutation holds it for one small
	// transaction and a sync (about a millisecond).
	s.decideMu.Lock()
	defer s.decideMu.Unlock()
	// Before the transaction commits: an ingest batch that began without
	// checking for findings and writes the same record conflicts with
	// this transaction (both read its manifest) and is applied again.
	s.hasFindings.Store(true)
	var m *mutation
	err := retryConflicts(ctx, func() error {
		txn := s.db.NewTransaction(true)
		defer txn.Discard()
		m = &mutation{
			tx:    &Tx{txn: txn, ctx: ctx, parties: s.parties()},
			w:     writer{txn: txn, tracking: s.Index() != nil || s.watchingNow()},
			now:   time.Now().UTC(),
			entry: AuditEntry{Who: who, Action: action, Reason: reason},
		}
		m.entry.When = m.now
		err := fn(m)
		if err == nil {
			err = m.writeEntry()
		}
		if err == nil {
			err = s.noteChanges(txn, m.w.ops, changeCause{audit: m.entry.Seq})
		}
		if err == nil {
			err = s.commit(txn, m.w.ops)
		}
		return err
	})
	if err != nil {
		// Too big a change is graph.ErrInvalid, a conflict that outlasted
		// the retries graph.ErrConflict (dbErr).
		return nil, fmt.Errorf("%s: %w", action, dbErr(err))
	}
	// Acknowledged means durable: the commit is in the write-ahead log;
	// Sync puts it on disk before the caller answers.
	if err := s.db.Sync(); err != nil {
		return nil, fmt.Errorf("%s: sync: %w", action, badgerErr(err))
	}
	return &m.entry, nil
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
	seq, err := s.add(ctx, who, "add-entity", &Finding{Ref: e.Ref, Kind: KindEntity, Entity: e}, nil)
	if err != nil {
		return nil, 0, err
	}
	return e, seq, nil
}

// add stores f as a new active finding in one mutation. complete, if not
// nil, completes it in the mutation's transaction (resolving the ends of a
// relationship). It returns the sequence number of the audit entry.
func (s *Store) add(ctx context.Context, who, action string, f *Finding, complete func(*mutation, *Finding) error) (uint64, error) {
	entry, err := s.mutate(ctx, who, action, "", func(m *mutation) error {
		f.Status, f.Version = FindingActive, 1
		f.CreatedAt, f.CreatedBy, f.UpdatedAt, f.UpdatedBy = m.now, who, m.now, who
		if complete != nil {
			if err := complete(m, f); err != nil {
				return err
			}
		}
		return m.save(nil, f)
	})
	if err != nil {
		return 0, err
	}
	return entry.Seq, nil
}

// UpdateEntity changes the entity finding ref: edit changes a copy of its
// current version (its id cannot change), and src, the source of the
// change, is put first among its sources. Returns graph.ErrNotFound if no
// finding has id ref, graph.ErrInvalid if ref is not an active entity
// finding or the result is incomplete.
func (s *Store) UpdateEntity(ctx context.Context, who, ref string, src graph.Source, edit func(*graph.Entity) error) (*graph.Entity, uint64, error) {
	var out *graph.Entity
	seq, err := s.update(ctx, who, "update-entity", ref, KindEntity, src, func(_ *mutation, after *Finding) error {
		e := after.Entity
		if err := edit(e); err != nil {
			return err
		}
		e.ID, e.Ref, e.Held = graph.KeyFor(after.Ref), after.Ref, nil
		if err := graph.CheckEntityFinding(e); err != nil {
			return err
		}
		e.Sources = withSource(e.Sources, findingSource(src, after.Ref))
		out = e
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, seq, nil
}

// update changes the active finding ref of kind on the strength of src in
// one mutation: change changes a copy of its current state, then update
// counts the version, records who changed it and saves it. It returns the
// sequence number of the audit entry.
func (s *Store) update(ctx context.Context, who, action, ref, kind string, src graph.Source, change func(m *mutation, after *Finding) error) (uint64, error) {
	if err := graph.CheckSource(src); err != nil {
		return 0, err
	}
	entry, err := s.mutate(ctx, who, action, "", func(m *mutation) error {
		f, err := m.active(ref, kind)
		if err != nil {
			return err
		}
		after := f.clone()
		if err := change(m, after); err != nil {
			return err
		}
		after.Version++
		after.UpdatedAt, after.UpdatedBy = m.now, who
		return m.save(f, after)
	})
	if err != nil {
		return 0, err
	}
	return entry.Seq, nil
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
	seq, err := s.add(ctx, who, "add-relationship", &Finding{Ref: r.Ref, Kind: KindRelationship, Relationship: r}, func(m *mutation, f *Finding) error {
		var err error
		if r.Source, err = m.resolve("source", r.SourceRef); err != nil {
			return err
		}
		if r.Target, err = m.resolve("target", r.TargetRef); err != nil {
			return err
		}
		f.SourceID, f.TargetID = r.Source, r.Target
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return r, seq, nil
}

// UpdateRelationship changes the relationship finding ref as UpdateEntity
// changes an entity. edit may change its kind, properties and ends (by
// setting SourceRef or TargetRef to another entity's id). Returns
// graph.ErrNotFound if no finding has id ref or a new end names no entity,
// graph.ErrInvalid if ref is not an active relationship finding or src is
// incomplete.
func (s *Store) UpdateRelationship(ctx context.Context, who, ref string, src graph.Source, edit func(*graph.Relationship) error) (*graph.Relationship, uint64, error) {
	var out *graph.Relationship
	seq, err := s.update(ctx, who, "update-relationship", ref, KindRelationship, src, func(m *mutation, after *Finding) error {
		r := after.Relationship
		oldSrc, oldTgt := r.SourceRef, r.TargetRef
		if err := edit(r); err != nil {
			return err
		}
		var err error
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
		r.ID, r.Ref, r.Source, r.Target = graph.KeyFor(after.Ref), after.Ref, after.SourceID, after.TargetID
		r.Sources = withSource(r.Sources, findingSource(src, after.Ref))
		out = r
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, seq, nil
}

// Retract retracts the finding ref, for reason, on the strength of src.
// Retracting an entity retracts the active relationship findings that
// touch it too. It returns the ids of every finding retracted and the
// sequence number of the audit entry. Nothing is deleted: see the comment
// at the top of finding.go. Returns graph.ErrNotFound if no finding has
// id ref, graph.ErrInvalid if it is not active or reason or src is
// missing.
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
	return outs, entry.Seq, nil
}

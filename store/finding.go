package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

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

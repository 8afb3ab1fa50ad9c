package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Delisting: a newer version of an official list that lacks an entry ends
// the entry's designations. Nothing is deleted: the entity, its sources
// and its links stay, and its designated-by edges get an end date, so the
// history shows when it was listed and that it no longer is.

// ListedUnder returns the refs of the records whose ref starts with prefix
// and that hold a designated-by relationship without an end date. It
// implements ingest.Delister.
func (r *Run) ListedUnder(ctx context.Context, prefix string) ([]string, error) {
	if prefix == "" {
		return nil, fmt.Errorf("%w: empty list prefix", graph.ErrInvalid)
	}
	if err := r.wait(); err != nil {
		return nil, err
	}
	var out []string
	err := r.s.View(ctx, func(tx *Tx) error {
		scan := append([]byte{tagManifest}, prefix...)
		return tx.values(scan, func(k, v []byte) error {
			ref, err := parseManifestKey(k)
			if err != nil {
				return err
			}
			items, err := decodeManifest(v)
			if err != nil {
				return fmt.Errorf("record %q: %w", ref, err)
			}
			for _, it := range items {
				if it.tag != tagOut || it.edge.Rel != graph.RelDesignatedBy {
					continue
				}
				val, err := tx.value(it.key())
				if err != nil {
					return err
				}
				if val == nil {
					continue
				}
				rel, err := decodeRelationship(it.edge, val)
				if err != nil {
					return err
				}
				if rel.EndDate() == "" {
					out = append(out, ref)
					break
				}
			}
			return nil
		})
	})
	return out, err
}

// EndDesignations gives the designated-by relationships without an end
// date of each record in refs the end date endDate, and the reason as
// their status; everything else the records hold stays as it is. It
// implements ingest.Delister and returns how many records changed.
func (r *Run) EndDesignations(ctx context.Context, refs []string, endDate, reason string) (int, error) {
	if _, ok := graph.ParseDay(endDate, false); !ok || len(endDate) != 10 {
		return 0, fmt.Errorf("%w: end date %q is not YYYY-MM-DD", graph.ErrInvalid, endDate)
	}
	if err := r.wait(); err != nil {
		return 0, err
	}
	changed := 0
	for i := 0; i < len(refs); i += 500 {
		part := refs[i:min(i+500, len(refs))]
		var recs []graph.Record
		err := r.s.View(ctx, func(tx *Tx) error {
			for _, ref := range part {
				rec, ok, err := tx.recordOf(ref)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				ended := false
				for j := range rec.Relationships {
					rel := &rec.Relationships[j]
					if rel.Kind != graph.RelDesignatedBy || rel.EndDate() != "" {
						continue
					}
					props := make(map[string][]string, len(rel.Props)+2)
					for k, v := range rel.Props {
						props[k] = v
					}
					props["endDate"] = []string{endDate}
					props["status"] = append(append([]string(nil), props["status"]...), reason)
					rel.Props = props
					ended = true
				}
				if ended {
					recs = append(recs, rec)
				}
			}
			return nil
		})
		if err != nil {
			return changed, err
		}
		outs, err := r.Apply(ctx, recs)
		if err != nil {
			return changed, err
		}
		for _, o := range outs {
			if o == graph.Updated {
				changed++
			}
		}
	}
	return changed, nil
}

// recordOf rebuilds the Record that ref contributed from what the store
// holds: its entity (without held documents), the documents it holds
// (one document with its holders) and its relationships. It returns false
// if there is no such record.
func (tx *Tx) recordOf(ref string) (graph.Record, bool, error) {
	man, err := tx.value(manifestKey(ref))
	if err != nil || man == nil {
		return graph.Record{}, false, err
	}
	items, err := decodeManifest(man)
	if err != nil {
		return graph.Record{}, false, fmt.Errorf("record %q: %w", ref, err)
	}
	rec := graph.Record{Ref: ref}
	for _, it := range items {
		val, err := tx.value(it.key())
		if err != nil {
			return rec, false, err
		}
		if val == nil {
			return rec, false, fmt.Errorf("store inconsistent: record %q lists an item it does not hold", ref)
		}
		switch it.tag {
		case tagNode:
			e, err := decodeEntity(it.id, val)
			if err != nil {
				return rec, false, err
			}
			rec.Entity = e
		case tagHeld:
			if rec.Held == nil {
				d, err := decodeEntity(it.id, val)
				if err != nil {
					return rec, false, err
				}
				rec.Held = d
			} else if rec.Held.ID != it.id {
				return rec, false, fmt.Errorf("record %q holds several documents", ref)
			}
			holder, err := tx.refOf(it.holder)
			if err != nil {
				return rec, false, err
			}
			rec.Holders = append(rec.Holders, holder)
		case tagOut:
			rel, err := decodeRelationship(it.edge, val)
			if err != nil {
				return rec, false, err
			}
			rec.Relationships = append(rec.Relationships, *rel)
		}
	}
	return rec, true, nil
}

// refOf returns the ref of the entity with id, or the id itself for an
// entity not (yet) stored: KeyFor maps a canonical UUID string to itself.
func (tx *Tx) refOf(id [16]byte) (string, error) {
	v, err := tx.value(nodeKey(id))
	if err != nil {
		return "", err
	}
	if v != nil {
		e, err := decodeEntity(id, v)
		if err != nil {
			return "", err
		}
		if graph.KeyFor(e.Ref) == e.ID {
			return e.Ref, nil
		}
	}
	return strings.ToLower(fmt.Sprintf("%x-%x-%x-%x-%x", id[0:4], id[4:6], id[6:8], id[8:10], id[10:16])), nil
}

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Consistency checks, read-only, on one snapshot each: Check for the
// records and their indexes, CheckFindings for findings, their projection
// into the graph and the audit log.

// problems is what a check found wrong.
type problems struct {
	Problems []string `json:"problems,omitempty"` // the first 100
	Count    int      `json:"problemCount"`
}

// OK reports whether the check found nothing wrong.
func (p *problems) OK() bool { return p.Count == 0 }

func (p *problems) add(f string, a ...any) {
	p.Count++
	if len(p.Problems) < 100 {
		p.Problems = append(p.Problems, fmt.Sprintf(f, a...))
	}
}

// CheckReport is the result of Check.
type CheckReport struct {
	Keys int `json:"keys"`
	problems
}

// Check verifies the store's invariants on one snapshot: every index key
// (kind, name, identifier, referent, in-edge) is implied by a stored entity,
// document or relationship and every implied index key is there; every
// manifest item exists; no undo journal survives a finished run. It reads
// the whole store and keeps an 8-byte hash per index key in memory.
func (s *Store) Check(ctx context.Context) (*CheckReport, error) {
	rep := &CheckReport{}
	seed := maphash.MakeSeed()
	hash := func(k []byte) uint64 { return maphash.Bytes(seed, k) }
	want := map[uint64]int{}         // hash of implied index key -> count
	kindValue := map[uint64]uint64{} // hash of implied kind key -> hash of its value
	err := s.View(ctx, func(tx *Tx) error {
		// Items and what they imply.
		for _, tag := range []byte{tagNode, tagHeld, tagOut} {
			err := tx.values([]byte{tag}, func(k, v []byte) error {
				rep.Keys++
				var it item
				switch tag {
				case tagNode:
					id, err := parseNodeKey(k)
					if err != nil {
						rep.add("%v", err)
						return nil
					}
					it = item{tag: tag, id: id}
				case tagHeld:
					h, d, err := parseHeldKey(k)
					if err != nil {
						rep.add("%v", err)
						return nil
					}
					it = item{tag: tag, holder: h, id: d}
				case tagOut:
					l, err := parseEdgeKey(k)
					if err != nil {
						rep.add("%v", err)
						return nil
					}
					it = item{tag: tag, edge: l}
				}
				ni, err := decodeItem(it, v)
				if err != nil {
					rep.add("undecodable value under %q: %v", k, err)
					return nil
				}
				for _, d := range ni.derived {
					switch d[0] {
					case tagIn: // its value is the validity
						d = append(append([]byte(nil), d...), encodeValidity(ni.meta.from, ni.meta.to)...)
					case tagKind: // its value (the lists) is checked apart
						kindValue[hash(d)] = hash(derivedValue(d, ni.meta))
					}
					want[hash(d)]++
				}
				return ctx.Err()
			})
			if err != nil {
				return err
			}
		}
		// Index keys that exist.
		for _, tag := range []byte{tagKind, tagName, tagIdent, tagReferent, tagIn} {
			err := tx.values([]byte{tag}, func(k, v []byte) error {
				rep.Keys++
				if tag == tagIn {
					k = append(append([]byte(nil), k...), v...)
				}
				h := hash(k)
				if want[h] == 0 {
					rep.add("index key %q is implied by nothing stored", k)
					return nil
				}
				// A kind key's value is its record's lists, or empty in a
				// store written before kind keys held them.
				if tag == tagKind && len(v) > 0 && hash(v) != kindValue[h] {
					rep.add("kind key %q: value %q is not its record's lists", k, v)
				}
				want[h]--
				if want[h] == 0 {
					delete(want, h)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if len(want) > 0 {
			rep.add("%d index keys implied by stored records are missing", len(want))
		}
		// Manifests point at items that exist.
		err := tx.values([]byte{tagManifest}, func(k, v []byte) error {
			rep.Keys++
			ref, err := parseManifestKey(k)
			if err != nil {
				rep.add("%v", err)
				return nil
			}
			items, err := decodeManifest(v)
			if err != nil {
				rep.add("record %q: %v", ref, err)
				return nil
			}
			for _, it := range items {
				if v, err := tx.value(it.key()); err != nil {
					return err
				} else if v == nil {
					rep.add("record %q lists an item %q that is not stored", ref, it.key())
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		return tx.keys([]byte{tagUndo}, func(k []byte) error {
			rep.add("undo journal key %x left behind", k)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	return rep, nil
}

// FindingsReport is the result of CheckFindings.
type FindingsReport struct {
	Findings     int `json:"findings"`
	Active       int `json:"active"`
	Retracted    int `json:"retracted"`
	AuditEntries int `json:"auditEntries"`
	problems
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

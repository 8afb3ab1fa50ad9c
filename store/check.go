package store

import (
	"context"
	"fmt"
	"hash/maphash"
)

// CheckReport is the result of Check.
type CheckReport struct {
	Keys     int      `json:"keys"`
	Problems []string `json:"problems,omitempty"` // the first 100
	Count    int      `json:"problemCount"`
}

// OK reports whether the check found nothing wrong.
func (r *CheckReport) OK() bool { return r.Count == 0 }

func (r *CheckReport) add(f string, a ...any) {
	r.Count++
	if len(r.Problems) < 100 {
		r.Problems = append(r.Problems, fmt.Sprintf(f, a...))
	}
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
	want := map[uint64]int{} // hash of implied index key -> count
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
					if d[0] == tagIn { // its value is the validity
						d = append(append([]byte(nil), d...), encodeValidity(ni.meta.from, ni.meta.to)...)
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

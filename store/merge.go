package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// One party, one entity. The same party listed by several sources (the
// Foreign Trade Bank of the DPRK on the OFAC, UN and EU lists) is one
// entity to readers, while the store keeps each source's record as it
// came: merging is a layer of decisions on top of the records.
//
// A decision is a same-as link between two entities (key j), made by the
// rules of graph.SameParty (AutoMerge) or by a person (Merge), with its
// evidence. The entities linked directly or indirectly form a party; the
// member with the smallest id is its canonical entity, under which readers
// see the union of the members' names, identifiers, sources and
// relationships. Unmerge removes an entity's links and records keep-apart
// decisions (key J) that AutoMerge respects from then on. Records are
// never rewritten, so merges survive any re-ingest, and undoing one
// restores exactly what was there.

// loadParties reads the party structure.
func (tx *Tx) loadParties() (*graph.Parties, error) {
	var same, apart [][2]uuid.UUID
	for _, l := range []struct {
		tag   byte
		pairs *[][2]uuid.UUID
	}{{tagSame, &same}, {tagApart, &apart}} {
		err := tx.keys([]byte{l.tag}, func(k []byte) error {
			a, b, err := parsePairKey(k, l.tag)
			*l.pairs = append(*l.pairs, [2]uuid.UUID{a, b})
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return graph.NewParties(same, apart), nil
}

// parties returns the current party structure.
func (s *Store) parties() *graph.Parties {
	if p := s.merged.Load(); p != nil {
		return p
	}
	return graph.NoParties
}

// reloadParties reads the party structure again and rebuilds the graph
// index on it.
func (s *Store) reloadParties(ctx context.Context) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	var p *graph.Parties
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		p, err = tx.loadParties()
		return err
	})
	if err != nil {
		return fmt.Errorf("read merges: %w", err)
	}
	s.merged.Store(p)
	return s.rebuildIndex(ctx)
}

// Merges returns every same-as link, in key order.
func (s *Store) Merges(ctx context.Context) ([]graph.MergeLink, error) {
	var out []graph.MergeLink
	err := s.View(ctx, func(tx *Tx) error {
		return tx.values([]byte{tagSame}, func(k, v []byte) error {
			var m graph.MergeLink
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("merge %x: %w", k, err)
			}
			out = append(out, m)
			return nil
		})
	})
	return out, err
}

// Party returns the party of entity id: its members, the links that join
// them and the keep-apart decisions that concern them.
func (s *Store) Party(ctx context.Context, id uuid.UUID) (*graph.Party, error) {
	c := s.parties()
	p := &graph.Party{Canonical: c.Canonical(id)}
	members := c.Members(id)
	in := map[uuid.UUID]bool{}
	for _, m := range members {
		in[m] = true
	}
	err := s.View(ctx, func(tx *Tx) error {
		for _, m := range members {
			e, err := tx.physicalEntity(m)
			if errors.Is(err, graph.ErrNotFound) {
				p.Members = append(p.Members, graph.PartyMember{ID: m, Ref: m.String(), Name: "(no longer stored)"})
				continue
			}
			if err != nil {
				return err
			}
			p.Members = append(p.Members, graph.PartyMember{ID: m, Ref: e.Ref, Schema: e.Schema, Name: e.Name(), Datasets: e.Datasets()})
		}
		if err := tx.values([]byte{tagSame}, func(k, v []byte) error {
			a, _, err := parsePairKey(k, tagSame)
			if err != nil || !in[a] {
				return err
			}
			var m graph.MergeLink
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			p.Links = append(p.Links, m)
			return nil
		}); err != nil {
			return err
		}
		return tx.values([]byte{tagApart}, func(k, v []byte) error {
			a, b, err := parsePairKey(k, tagApart)
			if err != nil || !(in[a] || in[b]) {
				return err
			}
			var ka graph.KeepApart
			if err := json.Unmarshal(v, &ka); err != nil {
				return err
			}
			p.Apart = append(p.Apart, ka)
			return nil
		})
	})
	return p, err
}

// Merge records a person's decision that a and b are the same party. It
// lifts a keep-apart decision between them. by names who decided. Returns
// graph.ErrNotFound if no entity is stored under a or b, graph.ErrInvalid
// if they are one party already, if either is an authority or programme,
// if reason is empty or the store was opened read-only.
func (s *Store) Merge(ctx context.Context, a, b uuid.UUID, reason, by string) (*graph.MergeLink, error) {
	if s.opt.ReadOnly {
		return nil, fmt.Errorf("merge: %w: store opened read-only", graph.ErrInvalid)
	}
	if reason == "" {
		return nil, fmt.Errorf("merge: %w: a reason is required", graph.ErrInvalid)
	}
	s.decideMu.Lock()
	defer s.decideMu.Unlock()
	var link *graph.MergeLink
	err := s.db.Update(func(txn *badger.Txn) error {
		tx := &Tx{txn: txn, ctx: ctx, parties: s.parties()}
		ea, err := tx.physicalEntity(a)
		if err != nil {
			return err
		}
		eb, err := tx.physicalEntity(b)
		if err != nil {
			return err
		}
		if a == b || tx.parties.Canonical(a) == tx.parties.Canonical(b) {
			return fmt.Errorf("%w: %s and %s are already one party", graph.ErrInvalid, ea.Ref, eb.Ref)
		}
		if ea.IsDesignator() || eb.IsDesignator() {
			return fmt.Errorf("%w: authorities and programmes are not merged", graph.ErrInvalid)
		}
		link = &graph.MergeLink{A: ea.Ref, B: eb.Ref, AID: a, BID: b, Rule: "manual", Detail: reason, By: by, At: time.Now().UTC()}
		v, err := json.Marshal(link)
		if err != nil {
			return err
		}
		if err := txn.Delete(pairKey(tagApart, a, b)); err != nil {
			return err
		}
		return txn.Set(pairKey(tagSame, a, b), v)
	})
	if err != nil {
		return nil, fmt.Errorf("merge: %w", dbErr(err))
	}
	return link, s.reloadParties(ctx)
}

// Unmerge takes entity id out of its party: its same-as links are removed
// and it is kept apart from every other member, so that AutoMerge does not
// merge them again. It returns the links it removed. Returns
// graph.ErrNotFound if no entity is stored under id, graph.ErrInvalid if it
// is merged with no other, if reason is empty or the store was opened
// read-only.
func (s *Store) Unmerge(ctx context.Context, id uuid.UUID, reason, by string) ([]graph.MergeLink, error) {
	if s.opt.ReadOnly {
		return nil, fmt.Errorf("unmerge: %w: store opened read-only", graph.ErrInvalid)
	}
	if reason == "" {
		return nil, fmt.Errorf("unmerge: %w: a reason is required", graph.ErrInvalid)
	}
	s.decideMu.Lock()
	defer s.decideMu.Unlock()
	c := s.parties()
	members := c.Members(id)
	if len(members) < 2 {
		return nil, fmt.Errorf("unmerge: %w: the entity is not merged with any other", graph.ErrInvalid)
	}
	var removed []graph.MergeLink
	err := s.db.Update(func(txn *badger.Txn) error {
		tx := &Tx{txn: txn, ctx: ctx, parties: c}
		self, err := tx.physicalEntity(id)
		if err != nil {
			return err
		}
		for _, m := range members {
			if m == id {
				continue
			}
			k := pairKey(tagSame, id, m)
			v, err := tx.value(k)
			if err != nil {
				return err
			}
			if v != nil {
				var l graph.MergeLink
				if err := json.Unmarshal(v, &l); err != nil {
					return err
				}
				removed = append(removed, l)
				if err := txn.Delete(k); err != nil {
					return err
				}
			}
			ref := m.String()
			if e, err := tx.physicalEntity(m); err == nil {
				ref = e.Ref
			}
			ka, err := json.Marshal(graph.KeepApart{A: self.Ref, B: ref, AID: id, BID: m, Reason: reason, By: by, At: time.Now().UTC()})
			if err != nil {
				return err
			}
			if err := txn.Set(pairKey(tagApart, id, m), ka); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unmerge: %w", dbErr(err))
	}
	return removed, s.reloadParties(ctx)
}

// writeLinks records links in one transaction (a crash records all of
// them or none) and reloads the party structure.
func (s *Store) writeLinks(ctx context.Context, links []graph.MergeLink) error {
	if len(links) == 0 {
		return nil
	}
	err := s.db.Update(func(txn *badger.Txn) error {
		for _, l := range links {
			v, err := json.Marshal(l)
			if err != nil {
				return err
			}
			if err := txn.Set(pairKey(tagSame, l.AID, l.BID), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return dbErr(err)
	}
	return s.reloadParties(ctx)
}

// RecordEntity returns the id of the entity that ref names as it is
// stored, not the canonical entity of its party (Resolve): the record an
// unmerge or a merge is about. Returns graph.ErrNotFound if ref names no
// entity, graph.ErrAmbiguous if it names several.
func (s *Store) RecordEntity(ctx context.Context, ref string) (id uuid.UUID, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		id, err = (&Tx{txn: txn, ctx: ctx, parties: graph.NoParties}).Resolve(ref)
		return err
	})
	return id, dbErr(err)
}

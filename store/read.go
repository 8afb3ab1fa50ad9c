package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/index"
)

// Tx is a consistent read-only snapshot of the store: everything read
// through one Tx reflects the same moment, whatever writes go on meanwhile.
type Tx struct {
	txn     *badger.Txn
	ctx     context.Context
	parties *graph.Parties // the merged parties of the same moment
}

// View runs fn on a snapshot of the store.
func (s *Store) View(ctx context.Context, fn func(*Tx) error) error {
	return dbErr(s.db.View(func(txn *badger.Txn) error {
		return fn(&Tx{txn: txn, ctx: ctx, parties: s.parties()})
	}))
}

// Resolve returns the id of the entity that ref names: any of its source ids
// (an FtM id, "ofac:15603", an FtM referent) or its UUID.
// Returns graph.ErrNotFound if none does, graph.ErrAmbiguous if several do.
func (s *Store) Resolve(ctx context.Context, ref string) (id uuid.UUID, err error) {
	err = s.View(ctx, func(tx *Tx) error {
		id, err = tx.Resolve(ref)
		return err
	})
	return id, err
}

// Entity returns the entity with id, with the documents it holds.
// Returns graph.ErrNotFound if there is none.
func (s *Store) Entity(ctx context.Context, id uuid.UUID) (e *graph.Entity, err error) {
	err = s.View(ctx, func(tx *Tx) error {
		e, err = tx.Entity(id)
		return err
	})
	return e, err
}

// Resolve: see Store.Resolve.
func (tx *Tx) Resolve(ref string) (uuid.UUID, error) {
	if ref == "" {
		return uuid.Nil, fmt.Errorf("%w: empty id", graph.ErrInvalid)
	}
	man, err := tx.value(manifestKey(ref))
	if err != nil {
		return uuid.Nil, err
	}
	if man != nil {
		items, err := decodeManifest(man)
		if err != nil {
			return uuid.Nil, fmt.Errorf("record %q: %w", ref, err)
		}
		for _, it := range items {
			if it.tag == tagNode {
				return tx.parties.Canonical(it.id), nil
			}
		}
	}
	var found []uuid.UUID
	prefix := stringPrefix(tagReferent, ref)
	err = tx.keys(prefix, func(k []byte) error {
		_, id, err := parseStringIDKey(k, tagReferent)
		if err == nil && !slices.Contains(found, tx.parties.Canonical(id)) {
			found = append(found, tx.parties.Canonical(id))
		}
		return err
	})
	if err != nil {
		return uuid.Nil, err
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
	default:
		amb := &graph.AmbiguousError{Query: ref}
		for _, id := range found {
			amb.Candidates = append(amb.Candidates, graph.Candidate{ID: id, Score: 1, Matched: ref})
		}
		return uuid.Nil, amb
	}
	if u, err := uuid.Parse(ref); err == nil {
		if v, err := tx.value(nodeKey(u)); err != nil {
			return uuid.Nil, err
		} else if v != nil {
			return tx.parties.Canonical(u), nil
		}
	}
	return uuid.Nil, fmt.Errorf("%w: no entity has id %q", graph.ErrNotFound, ref)
}

// Entity: see Store.Entity. The entity of a merged party is the union of
// its members (graph.MergeEntities).
func (tx *Tx) Entity(id uuid.UUID) (*graph.Entity, error) {
	members := tx.parties.Members(id)
	if len(members) == 1 {
		return tx.physicalEntity(id)
	}
	ents := make([]*graph.Entity, 0, len(members))
	for _, m := range members {
		e, err := tx.physicalEntity(m)
		if errors.Is(err, graph.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		ents = append(ents, e)
	}
	if len(ents) == 0 {
		return nil, fmt.Errorf("%w: no entity %s", graph.ErrNotFound, id)
	}
	return graph.MergeEntities(tx.parties.Canonical(id), ents), nil
}

// physicalEntity reads the entity stored under id, as its record states
// it, whatever party it belongs to.
func (tx *Tx) physicalEntity(id uuid.UUID) (*graph.Entity, error) {
	v, err := tx.value(nodeKey(id))
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("%w: no entity %s", graph.ErrNotFound, id)
	}
	e, err := decodeEntity(id, v)
	if err != nil {
		return nil, err
	}
	prefix := heldPrefix(id)
	err = tx.values(prefix, func(k, v []byte) error {
		_, doc, err := parseHeldKey(k)
		if err != nil {
			return err
		}
		d, err := decodeEntity(doc, v)
		if err != nil {
			return err
		}
		e.Held = append(e.Held, d)
		return nil
	})
	return e, err
}

// canonRel makes a relationship's ends the canonical entities of their
// parties (the refs stay as the record states them).
func (tx *Tx) canonRel(r *graph.Relationship) *graph.Relationship {
	r.Source, r.Target = tx.parties.Canonical(r.Source), tx.parties.Canonical(r.Target)
	return r
}

// Relationships lists the relationships of entity id that q selects: for
// a merged party, those of every member, without the ones between two
// members. Returns graph.ErrInvalid if q.After is not a cursor of this
// listing.
func (tx *Tx) Relationships(id uuid.UUID, q graph.RelQuery) (*graph.RelPage, error) {
	page := &graph.RelPage{}
	var kinds map[graph.RelType]bool
	if len(q.Kinds) > 0 {
		kinds = map[graph.RelType]bool{}
		for _, k := range q.Kinds {
			kinds[k] = true
		}
	}
	var tags []byte
	switch q.Direction {
	case graph.Outgoing:
		tags = []byte{tagOut}
	case graph.Incoming:
		tags = []byte{tagIn}
	default:
		tags = []byte{tagOut, tagIn}
	}
	members := tx.parties.Members(id)
	canon := tx.parties.Canonical(id)
	afterMember := -1
	if q.After != nil {
		if len(q.After) == edgeLen && (q.After[0] == tagOut || q.After[0] == tagIn) {
			for i, m := range members {
				if bytes.Equal(q.After[1:1+idLen], m[:]) {
					afterMember = i
				}
			}
		}
		if afterMember < 0 {
			return nil, fmt.Errorf("%w: the cursor does not belong to this listing", graph.ErrInvalid)
		}
	}
	for _, tag := range tags {
		if q.After != nil && q.After[0] == tagIn && tag == tagOut {
			continue // outgoing ones were all listed before the cursor
		}
		for mi, m := range members {
			prefix := edgePrefix(tag, m)
			start := prefix
			if q.After != nil && q.After[0] == tag {
				if mi < afterMember {
					continue
				}
				if mi == afterMember {
					start = append(append([]byte(nil), q.After...), 0)
				}
			}
			more, err := tx.edgesFrom(page, tag, prefix, start, kinds, q.Limit, len(members) > 1, canon)
			if err != nil || more {
				return page, err
			}
		}
	}
	return page, nil
}

// edgesFrom appends the edges under prefix from start to page; it returns
// true when the page is full and more follow.
func (tx *Tx) edgesFrom(page *graph.RelPage, tag byte, prefix, start []byte, kinds map[graph.RelType]bool, limit int, merged bool, canon uuid.UUID) (bool, error) {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues, opts.Prefix = false, prefix
	it := tx.txn.NewIterator(opts)
	defer it.Close()
	for it.Seek(start); it.ValidForPrefix(prefix); it.Next() {
		k := it.Item().Key()
		l, err := parseEdgeKey(k)
		if err != nil {
			return false, err
		}
		if kinds != nil && !kinds[l.Rel] {
			continue
		}
		if merged && tx.parties.Canonical(l.Src) == canon && tx.parties.Canonical(l.Dst) == canon && l.Src != l.Dst {
			continue // between two members of the party
		}
		if limit > 0 && len(page.Relationships) == limit {
			page.More = true
			return true, nil
		}
		var v []byte
		if tag == tagOut {
			v, err = it.Item().ValueCopy(nil)
			err = badgerErr(err)
		} else {
			v, err = tx.value(outKey(l))
		}
		if err != nil {
			return false, err
		}
		if v == nil {
			return false, fmt.Errorf("store inconsistent: in-edge %x has no out-edge", k)
		}
		r, err := decodeRelationship(l, v)
		if err != nil {
			return false, err
		}
		page.Relationships = append(page.Relationships, tx.canonRel(r))
		page.Cursors = append(page.Cursors, append([]byte(nil), k...))
	}
	return false, tx.ctx.Err()
}

// Relationship returns the relationship with id ref: the id of the record
// that states it (an FtM Ownership's id), or, for a relationship read from
// an entity's properties or one of several of a record, that record's id
// followed by "/" or "#" and more. Returns graph.ErrNotFound if there is
// none.
func (tx *Tx) Relationship(ref string) (*graph.Relationship, error) {
	want := graph.KeyFor(ref)
	candidates := []string{ref}
	for i := len(ref) - 1; i > 0; i-- {
		if ref[i] == '/' || ref[i] == '#' {
			candidates = append(candidates, ref[:i])
		}
	}
	for _, rec := range candidates {
		man, err := tx.value(manifestKey(rec))
		if err != nil {
			return nil, err
		}
		if man == nil {
			continue
		}
		items, err := decodeManifest(man)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if it.tag == tagOut && it.edge.ID == want {
				v, err := tx.value(outKey(it.edge))
				if err != nil {
					return nil, err
				}
				if v == nil {
					break
				}
				r, err := decodeRelationship(it.edge, v)
				if err != nil {
					return nil, err
				}
				return tx.canonRel(r), nil
			}
		}
	}
	return nil, fmt.Errorf("%w: no relationship has id %q", graph.ErrNotFound, ref)
}

// Stats counts the graph.
type Stats struct {
	Entities      int            `json:"entities"`
	Relationships int            `json:"relationships"`
	BySchema      map[string]int `json:"entitiesBySchema"`
	ByKind        map[string]int `json:"relationshipsByKind"`
	// Unresolved counts relationships with an end the store does not hold
	// (yet): they resolve when the entity arrives.
	Unresolved int `json:"unresolvedRelationships"`
	Documents  int `json:"heldDocuments"`
	Records    int `json:"records"`
	// Parties counts merged parties and MergedEntities the entities in
	// them: readers see Entities - MergedEntities + Parties entities.
	Parties        int `json:"mergedParties"`
	MergedEntities int `json:"mergedEntities"`
	// AllParties counts the entities as readers see them, every merged
	// party once: Entities - MergedEntities + Parties.
	AllParties int `json:"parties"`
}

// Stats counts entities per schema and relationships per kind by scanning
// the key-only indexes.
func (s *Store) Stats(ctx context.Context) (*Stats, error) {
	st := &Stats{BySchema: map[string]int{}, ByKind: map[string]int{}}
	err := s.View(ctx, func(tx *Tx) error {
		nodes := map[uuid.UUID]struct{}{}
		err := tx.keys([]byte{tagKind}, func(k []byte) error {
			schema, id, err := parseStringIDKey(k, tagKind)
			if err != nil {
				return err
			}
			st.BySchema[schema]++
			st.Entities++
			nodes[id] = struct{}{}
			return nil
		})
		if err != nil {
			return err
		}
		err = tx.keys([]byte{tagOut}, func(k []byte) error {
			l, err := parseEdgeKey(k)
			if err != nil {
				return err
			}
			st.ByKind[l.Rel.String()]++
			st.Relationships++
			_, a := nodes[l.Src]
			_, b := nodes[l.Dst]
			if !a || !b {
				st.Unresolved++
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := tx.keys([]byte{tagHeld}, func([]byte) error { st.Documents++; return nil }); err != nil {
			return err
		}
		st.Parties, st.MergedEntities = tx.parties.Counts()
		return tx.keys([]byte{tagManifest}, func([]byte) error { st.Records++; return nil })
	})
	if err != nil {
		return nil, fmt.Errorf("stats: %w", err)
	}
	st.AllParties = st.Entities - st.MergedEntities + st.Parties
	return st, nil
}

// value returns a copy of key's value, or nil if absent.
func (tx *Tx) value(key []byte) ([]byte, error) {
	it, err := tx.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, badgerErr(err)
	}
	v, err := it.ValueCopy(nil)
	return v, badgerErr(err)
}

// keys calls fn with every key under prefix, without reading values. The
// slice is only valid during the call.
func (tx *Tx) keys(prefix []byte, fn func(k []byte) error) error {
	opts := badger.DefaultIteratorOptions
	opts.PrefetchValues, opts.Prefix = false, prefix
	it := tx.txn.NewIterator(opts)
	defer it.Close()
	n := 0
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		if n++; n%4096 == 0 {
			if err := tx.ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(it.Item().Key()); err != nil {
			return err
		}
	}
	return nil
}

// values calls fn with every key and value under prefix.
func (tx *Tx) values(prefix []byte, fn func(k, v []byte) error) error {
	opts := badger.DefaultIteratorOptions
	// Prefetching starts a goroutine per item: a loss for small values,
	// which are stored inline in the tree.
	opts.PrefetchValues = false
	opts.Prefix = prefix
	it := tx.txn.NewIterator(opts)
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		var fnErr error
		if err := item.Value(func(v []byte) error { fnErr = fn(item.Key(), v); return fnErr }); err != nil {
			if fnErr != nil {
				return fnErr
			}
			return badgerErr(err) // reading the value failed
		}
	}
	return nil
}

// entitiesByIdentifier: see Store.EntitiesByIdentifier.
func (tx *Tx) entitiesByIdentifier(v string) ([]uuid.UUID, error) {
	return tx.idsUnder(tagIdent, graph.IdentifierKey(v))
}

func (tx *Tx) idsUnder(tag byte, s string) ([]uuid.UUID, error) {
	if s == "" {
		return nil, nil
	}
	var out []uuid.UUID
	err := tx.keys(stringPrefix(tag, s), func(k []byte) error {
		_, id, err := parseStringIDKey(k, tag)
		if id = tx.parties.Canonical(id); err == nil && !slices.Contains(out, id) {
			out = append(out, id)
		}
		return err
	})
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i][:], out[j][:]) < 0 })
	return out, err
}

// ScanEntities calls fn with every stored entity (without held documents,
// each member of a merged party on its own), in id order.
func (tx *Tx) ScanEntities(fn func(*graph.Entity) error) error {
	return tx.values([]byte{tagNode}, func(k, v []byte) error {
		id, err := parseNodeKey(k)
		if err != nil {
			return err
		}
		e, err := decodeEntity(id, v)
		if err != nil {
			return err
		}
		return fn(e)
	})
}

// ScanRelationships calls fn with every relationship, in source id order,
// with its ends as stored (not mapped to merged parties).
func (tx *Tx) ScanRelationships(fn func(*graph.Relationship) error) error {
	return tx.values([]byte{tagOut}, func(k, v []byte) error {
		l, err := parseEdgeKey(k)
		if err != nil {
			return err
		}
		r, err := decodeRelationship(l, v)
		if err != nil {
			return err
		}
		return fn(r)
	})
}

// Relationships lists the relationships of entity id that q selects (see
// Tx.Relationships, and for its errors).
func (s *Store) Relationships(ctx context.Context, id uuid.UUID, q graph.RelQuery) (p *graph.RelPage, err error) {
	err = s.View(ctx, func(tx *Tx) error {
		p, err = tx.Relationships(id, q)
		return err
	})
	return p, err
}

// Relationship returns the relationship whose record has ref, or whose id
// (UUID) is ref. Returns graph.ErrNotFound if there is none.
func (s *Store) Relationship(ctx context.Context, ref string) (r *graph.Relationship, err error) {
	err = s.View(ctx, func(tx *Tx) error {
		r, err = tx.Relationship(ref)
		return err
	})
	return r, err
}

// EntitiesByIdentifier returns the ids of the entities (merged parties as
// their canonical entity) that carry identifier v, themselves or on a
// document they hold, in id order; none if v is empty or unknown.
func (s *Store) EntitiesByIdentifier(ctx context.Context, v string) (ids []uuid.UUID, err error) {
	err = s.View(ctx, func(tx *Tx) error {
		ids, err = tx.entitiesByIdentifier(v)
		return err
	})
	return ids, err
}

// Among returns the relationships whose both ends are in ids (of the kinds
// in via, all if empty), at most limit, and whether the limit cut the list.
// A relationship between two records of one merged party is left out: it
// is inside the party, not a loop on it (the party's merge lists them).
// It fails if the store was opened without its index.
func (s *Store) Among(ctx context.Context, ids []uuid.UUID, via []graph.RelType, limit int) ([]*graph.Relationship, bool, error) {
	var triples []graph.LinkTriple
	var truncated bool
	sn, err := s.pin(func(ix *index.Index) error {
		triples, truncated = ix.LinksAmong(ids, via, limit)
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	defer sn.release()
	var out []*graph.Relationship
	err = func(tx *Tx) error {
		for _, t := range triples {
			for _, src := range tx.parties.Members(t.Source) {
				for _, dst := range tx.parties.Members(t.Target) {
					prefix := append(edgeKindPrefix(tagOut, src, t.Kind), dst[:]...)
					err := tx.values(prefix, func(k, v []byte) error {
						if len(out) == limit {
							truncated = true
							return nil
						}
						loc, err := parseEdgeKey(k)
						if err != nil {
							return err
						}
						if loc.Src != loc.Dst && tx.parties.Canonical(loc.Src) == tx.parties.Canonical(loc.Dst) {
							return nil // between two records of one party: not a self-loop of the party
						}
						r, err := decodeRelationship(loc, v)
						if err == nil {
							out = append(out, tx.canonRel(r))
						}
						return err
					})
					if err != nil {
						return err
					}
				}
			}
		}
		return nil
	}(sn.tx(ctx))
	return out, truncated, err
}

// Degree returns the number of relationships of entity id (0 without index).
func (s *Store) Degree(id uuid.UUID) int {
	if ix := s.Index(); ix != nil {
		return ix.Degree(id)
	}
	return 0
}

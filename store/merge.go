package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
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

func pairKey(tag byte, a, b uuid.UUID) []byte {
	if bytes.Compare(a[:], b[:]) > 0 {
		a, b = b, a
	}
	k := make([]byte, 0, 1+2*idLen)
	k = append(k, tag)
	k = append(k, a[:]...)
	return append(k, b[:]...)
}

func parsePairKey(k []byte, tag byte) (a, b uuid.UUID, err error) {
	if len(k) != 1+2*idLen || k[0] != tag {
		return a, b, fmt.Errorf("bad %c key %x", tag, k)
	}
	return uuid.UUID(k[1 : 1+idLen]), uuid.UUID(k[1+idLen:]), nil
}

// clusters is the party structure: which entities are merged. It is
// immutable; a change builds a new one.
type clusters struct {
	canon   map[uuid.UUID]uuid.UUID   // every member of a party of two or more -> canonical entity
	members map[uuid.UUID][]uuid.UUID // canonical entity -> members, canonical first, then in id order
	apart   map[[2]uuid.UUID]bool     // keep-apart pairs (smaller id first)
}

var emptyClusters = &clusters{canon: map[uuid.UUID]uuid.UUID{}, members: map[uuid.UUID][]uuid.UUID{}, apart: map[[2]uuid.UUID]bool{}}

// of returns the canonical entity of id's party (id itself if unmerged).
func (c *clusters) of(id uuid.UUID) uuid.UUID {
	if x, ok := c.canon[id]; ok {
		return x
	}
	return id
}

// membersOf returns the members of id's party ([id] if unmerged).
func (c *clusters) membersOf(id uuid.UUID) []uuid.UUID {
	if m, ok := c.members[c.of(id)]; ok {
		return m
	}
	return []uuid.UUID{id}
}

// aliases returns member -> canonical for every member that is not canonical.
func (c *clusters) aliases() map[uuid.UUID]uuid.UUID {
	out := make(map[uuid.UUID]uuid.UUID, len(c.canon))
	for m, x := range c.canon {
		if m != x {
			out[m] = x
		}
	}
	return out
}

func pairOf(a, b uuid.UUID) [2]uuid.UUID {
	if bytes.Compare(a[:], b[:]) > 0 {
		a, b = b, a
	}
	return [2]uuid.UUID{a, b}
}

// unionFind groups ids.
type unionFind map[uuid.UUID]uuid.UUID

func (u unionFind) find(x uuid.UUID) uuid.UUID {
	p, ok := u[x]
	if !ok {
		return x
	}
	if p == x {
		return x
	}
	r := u.find(p)
	u[x] = r
	return r
}

func (u unionFind) union(a, b uuid.UUID) {
	ra, rb := u.find(a), u.find(b)
	if ra == rb {
		return
	}
	if bytes.Compare(ra[:], rb[:]) > 0 {
		ra, rb = rb, ra
	}
	u[ra] = ra
	u[rb] = ra
}

// buildClusters makes the party structure from same-as links.
func buildClusters(links [][2]uuid.UUID, apart map[[2]uuid.UUID]bool) *clusters {
	u := unionFind{}
	for _, l := range links {
		u.union(l[0], l[1])
	}
	groups := map[uuid.UUID][]uuid.UUID{}
	for x := range u {
		r := u.find(x)
		groups[r] = append(groups[r], x)
	}
	c := &clusters{canon: map[uuid.UUID]uuid.UUID{}, members: map[uuid.UUID][]uuid.UUID{}, apart: apart}
	for _, ms := range groups {
		if len(ms) < 2 {
			continue
		}
		sort.Slice(ms, func(i, j int) bool { return bytes.Compare(ms[i][:], ms[j][:]) < 0 })
		canon := ms[0]
		c.members[canon] = ms
		for _, m := range ms {
			c.canon[m] = canon
		}
	}
	if c.apart == nil {
		c.apart = map[[2]uuid.UUID]bool{}
	}
	return c
}

// loadClusters reads the party structure.
func (tx *Tx) loadClusters() (*clusters, error) {
	var links [][2]uuid.UUID
	err := tx.keys([]byte{tagSame}, func(k []byte) error {
		a, b, err := parsePairKey(k, tagSame)
		links = append(links, [2]uuid.UUID{a, b})
		return err
	})
	if err != nil {
		return nil, err
	}
	apart := map[[2]uuid.UUID]bool{}
	err = tx.keys([]byte{tagApart}, func(k []byte) error {
		a, b, err := parsePairKey(k, tagApart)
		apart[[2]uuid.UUID{a, b}] = true
		return err
	})
	if err != nil {
		return nil, err
	}
	return buildClusters(links, apart), nil
}

// clusters returns the current party structure.
func (s *Store) clusterMap() *clusters {
	if c := s.cl.Load(); c != nil {
		return c
	}
	return emptyClusters
}

// reloadClusters reads the party structure again and rebuilds the graph
// index on it.
func (s *Store) reloadClusters(ctx context.Context) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	var c *clusters
	err := s.View(ctx, func(tx *Tx) error {
		var err error
		c, err = tx.loadClusters()
		return err
	})
	if err != nil {
		return fmt.Errorf("read merges: %w", err)
	}
	s.cl.Store(c)
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
	c := s.clusterMap()
	p := &graph.Party{Canonical: c.of(id)}
	members := c.membersOf(id)
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
			a, b, err := parsePairKey(k, tagSame)
			if err != nil || !in[a] {
				return err
			}
			var m graph.MergeLink
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			_ = b
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
// lifts a keep-apart decision between them. by names who decided.
func (s *Store) Merge(ctx context.Context, a, b uuid.UUID, reason, by string) (*graph.MergeLink, error) {
	if s.opt.ReadOnly {
		return nil, fmt.Errorf("merge: %w: store opened read-only", graph.ErrInvalid)
	}
	if reason == "" {
		return nil, fmt.Errorf("merge: %w: a reason is required", graph.ErrInvalid)
	}
	s.mergeMu.Lock()
	defer s.mergeMu.Unlock()
	var link *graph.MergeLink
	err := s.db.Update(func(txn *badger.Txn) error {
		tx := &Tx{txn: txn, ctx: ctx, cl: s.clusterMap()}
		ea, err := tx.physicalEntity(a)
		if err != nil {
			return err
		}
		eb, err := tx.physicalEntity(b)
		if err != nil {
			return err
		}
		if a == b || tx.cl.of(a) == tx.cl.of(b) {
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
	return link, s.reloadClusters(ctx)
}

// Unmerge takes entity id out of its party: its same-as links are removed
// and it is kept apart from every other member, so that AutoMerge does not
// merge them again. It returns the links it removed.
func (s *Store) Unmerge(ctx context.Context, id uuid.UUID, reason, by string) ([]graph.MergeLink, error) {
	if s.opt.ReadOnly {
		return nil, fmt.Errorf("unmerge: %w: store opened read-only", graph.ErrInvalid)
	}
	if reason == "" {
		return nil, fmt.Errorf("unmerge: %w: a reason is required", graph.ErrInvalid)
	}
	s.mergeMu.Lock()
	defer s.mergeMu.Unlock()
	c := s.clusterMap()
	members := c.membersOf(id)
	if len(members) < 2 {
		return nil, fmt.Errorf("unmerge: %w: the entity is not merged with any other", graph.ErrInvalid)
	}
	var removed []graph.MergeLink
	err := s.db.Update(func(txn *badger.Txn) error {
		tx := &Tx{txn: txn, ctx: ctx, cl: c}
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
	return removed, s.reloadClusters(ctx)
}

// AutoMergeReport says what AutoMerge did.
type AutoMergeReport struct {
	Candidates int            `json:"candidatePairs"` // pairs sharing a name or identifier, from different parties
	Merged     int            `json:"merged"`         // links recorded
	ByRule     map[string]int `json:"byRule"`
	// Refused counts pairs SameParty accepted but that could not be joined:
	// their parties would hold two records of one dataset, a keep-apart
	// decision, or members that contradict each other.
	Refused int           `json:"refused"`
	Crowded int           `json:"crowdedKeys"` // names or identifiers shared by too many entities to compare
	Parties int           `json:"parties"`     // merged parties after the run
	Took    time.Duration `json:"took"`
}

// maxGroup bounds the entities compared for one shared name or
// identifier: a name shared by more is too common to merge on.
const maxGroup = 40

// AutoMerge finds entities that graph.SameParty says are the same party
// and records same-as links between them. It is deterministic: the same
// store gives the same merges, whatever order the records came in.
func (s *Store) AutoMerge(ctx context.Context) (*AutoMergeReport, error) {
	if s.opt.ReadOnly {
		return nil, fmt.Errorf("merge: %w: store opened read-only", graph.ErrInvalid)
	}
	start := time.Now()
	s.mergeMu.Lock()
	defer s.mergeMu.Unlock()
	rep := &AutoMergeReport{ByRule: map[string]int{}}
	c := s.clusterMap()
	type cand struct {
		a, b uuid.UUID
		ev   graph.MergeEvidence
	}
	var accepted []cand
	ents := map[uuid.UUID]*graph.Entity{}
	err := s.View(ctx, func(tx *Tx) error {
		load := func(id uuid.UUID) (*graph.Entity, error) {
			if e, ok := ents[id]; ok {
				return e, nil
			}
			e, err := tx.physicalEntity(id)
			if errors.Is(err, graph.ErrNotFound) {
				e, err = nil, nil
			}
			if err != nil {
				return nil, err
			}
			ents[id] = e
			return e, nil
		}
		pairs := map[[2]uuid.UUID]bool{}
		group := func(ids []uuid.UUID) error {
			if len(ids) < 2 {
				return nil
			}
			if len(ids) > maxGroup {
				rep.Crowded++
				return nil
			}
			for i := range ids {
				for j := i + 1; j < len(ids); j++ {
					a, b := ids[i], ids[j]
					if c.of(a) == c.of(b) || pairs[pairOf(a, b)] {
						continue
					}
					pairs[pairOf(a, b)] = true
					rep.Candidates++
					ea, err := load(a)
					if err != nil {
						return err
					}
					eb, err := load(b)
					if err != nil {
						return err
					}
					if ea == nil || eb == nil {
						continue
					}
					if ev, ok := graph.SameParty(ea, eb); ok {
						accepted = append(accepted, cand{a: ea.ID, b: eb.ID, ev: ev})
					}
				}
			}
			return nil
		}
		for _, tag := range []byte{tagIdent, tagName} {
			var cur string
			var ids []uuid.UUID
			err := tx.keys([]byte{tag}, func(k []byte) error {
				key, id, err := parseStringIDKey(k, tag)
				if err != nil {
					return err
				}
				if key != cur {
					if err := group(ids); err != nil {
						return err
					}
					cur, ids = key, ids[:0]
				}
				if len(ids) == 0 || ids[len(ids)-1] != id {
					ids = append(ids, id)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if err := group(ids); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	// Strongest evidence first, then by id: the same store always gives
	// the same parties.
	rank := map[string]int{"imoNumber": 0, "mmsi": 1, "swiftBic": 2, "leiCode": 3, "registrationNumber": 4, "ogrnCode": 5, "innCode": 6,
		"taxNumber": 7, "passportNumber": 8, "name+birthDate": 9, "name+country": 10, "name+birthYear+nationality": 11}
	slices.SortFunc(accepted, func(x, y cand) int {
		if rx, ry := rank[x.ev.Rule], rank[y.ev.Rule]; rx != ry {
			return rx - ry
		}
		if d := bytes.Compare(x.a[:], y.a[:]); d != 0 {
			return d
		}
		return bytes.Compare(x.b[:], y.b[:])
	})
	u := unionFind{}
	groupOf := map[uuid.UUID][]uuid.UUID{} // union-find root -> members
	for canon, ms := range c.members {
		for _, m := range ms {
			u.union(canon, m)
		}
		groupOf[u.find(canon)] = append([]uuid.UUID(nil), ms...)
	}
	membersOf := func(x uuid.UUID) []uuid.UUID {
		if ms, ok := groupOf[u.find(x)]; ok {
			return ms
		}
		return []uuid.UUID{x}
	}
	var links []graph.MergeLink
	err = s.View(ctx, func(tx *Tx) error {
		for _, cd := range accepted {
			if u.find(cd.a) == u.find(cd.b) {
				continue
			}
			ma, mb := membersOf(cd.a), membersOf(cd.b)
			ok := true
			for _, x := range ma {
				for _, y := range mb {
					if c.apart[pairOf(x, y)] {
						ok = false
						continue
					}
					ex, ey := ents[x], ents[y]
					var err error
					if ex == nil {
						if ex, err = tx.physicalEntity(x); err != nil && !errors.Is(err, graph.ErrNotFound) {
							return err
						}
						ents[x] = ex
					}
					if ey == nil {
						if ey, err = tx.physicalEntity(y); err != nil && !errors.Is(err, graph.ErrNotFound) {
							return err
						}
						ents[y] = ey
					}
					if ex != nil && ey != nil && graph.Conflict(ex, ey) != "" {
						ok = false
					}
				}
			}
			if !ok {
				rep.Refused++
				continue
			}
			ra, rb := u.find(cd.a), u.find(cd.b)
			merged := append(append([]uuid.UUID(nil), ma...), mb...)
			delete(groupOf, ra)
			delete(groupOf, rb)
			u.union(cd.a, cd.b)
			groupOf[u.find(cd.a)] = merged
			ea, eb := ents[cd.a], ents[cd.b]
			links = append(links, graph.MergeLink{A: ea.Ref, B: eb.Ref, AID: cd.a, BID: cd.b, Rule: cd.ev.Rule, Detail: cd.ev.Detail, By: "auto", At: time.Now().UTC()})
			rep.ByRule[cd.ev.Rule]++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	if len(links) > 0 {
		// One transaction: a crash records all of the run's merges or none.
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
			return nil, fmt.Errorf("merge: %w", dbErr(err))
		}
		if err := s.reloadClusters(ctx); err != nil {
			return nil, err
		}
	}
	rep.Merged = len(links)
	rep.Parties = len(s.clusterMap().members)
	rep.Took = time.Since(start)
	return rep, nil
}

// RecordEntity returns the id of the entity that ref names as it is
// stored, not the canonical entity of its party (Resolve): the record an
// unmerge or a merge is about.
func (s *Store) RecordEntity(ctx context.Context, ref string) (id uuid.UUID, err error) {
	err = s.db.View(func(txn *badger.Txn) error {
		id, err = (&Tx{txn: txn, ctx: ctx, cl: emptyClusters}).Resolve(ref)
		return err
	})
	return id, dbErr(err)
}

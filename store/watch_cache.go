package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/index"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
)

// watchCache is the in-memory view of every watched party that the
// choice of the parties a change can affect needs: their definitions,
// their names in a name look-up of their own (screening in reverse: which
// parties could a changed entity's names match), their identifiers, and
// which entities their states rest on. It is built from the p keys at the
// first use and kept in step by the watch writers, which hold
// watchState.mu.
type watchCache struct {
	lists   map[string]*watch.Watchlist
	parties map[pkey]*cachedParty
	// names holds one node per party, with the party's names: a
	// screen.Lookup over it finds the parties a name may match.
	names  *index.Index
	lookup *screen.Lookup
	byNode map[uuid.UUID]pkey
	idents map[string][]pkey
	// related maps an entity to the parties whose state rests on it
	// (watch.State.Related), anchored to the parties it is an anchor of
	// (watch.State.Anchors): a change near an anchor can affect the
	// party, one near another entity of Related cannot.
	related  map[uuid.UUID][]pkey
	anchored map[uuid.UUID][]pkey
}

// pkey names a party: its watchlist and its ref.
type pkey struct{ list, ref string }

func partyKeyOf(list, ref string) pkey { return pkey{list, ref} }

type cachedParty struct {
	party      watch.Party
	input      string // watch.WatchedParty.Input
	stateInput string // its state's Input, "" without a state
	related    []uuid.UUID
	anchors    []uuid.UUID
	nameKeys   []string
	idKeys     []string
}

// node is the id of a party's node in the name look-up.
func (k pkey) node() uuid.UUID { return graph.KeyFor("watch\x00" + k.list + "\x00" + k.ref) }

// watchCache returns the cache, reading it from the store at the first
// call. The caller holds watch.mu.
func (s *Store) watchCache(ctx context.Context) (*watchCache, error) {
	if s.watch.cache != nil {
		return s.watch.cache, nil
	}
	c := &watchCache{lists: map[string]*watch.Watchlist{}, parties: map[pkey]*cachedParty{}, names: index.New(),
		byNode: map[uuid.UUID]pkey{}, idents: map[string][]pkey{}, related: map[uuid.UUID][]pkey{}, anchored: map[uuid.UUID][]pkey{}}
	c.lookup = screen.NewLookup(c.names)
	err := s.View(ctx, func(tx *Tx) error {
		err := tx.values([]byte{tagWatchlist}, func(k, v []byte) error {
			var wl watch.Watchlist
			if err := json.Unmarshal(v, &wl); err != nil {
				return fmt.Errorf("watchlist %q: %w", k, err)
			}
			c.lists[wl.Name] = &wl
			return nil
		})
		if err != nil {
			return err
		}
		return tx.values([]byte{tagParty}, func(k, v []byte) error {
			wp, err := decodeParty(v)
			if err != nil {
				return fmt.Errorf("%w (key %q)", err, k)
			}
			c.put(wp)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read watchlists: %w", err)
	}
	s.watch.cache = c
	return c, nil
}

// put records a party as written.
func (c *watchCache) put(wp *watch.WatchedParty) {
	k := partyKeyOf(wp.Watchlist, wp.Party.Ref)
	old := c.parties[k]
	cp := &cachedParty{party: wp.Party, input: wp.Input}
	if wp.State != nil {
		cp.stateInput, cp.related, cp.anchors = wp.State.Input, wp.State.Related, wp.State.Anchors()
	}
	for _, n := range wp.Party.Names() {
		if key := graph.NameKey(n); key != "" && !slices.Contains(cp.nameKeys, key) {
			cp.nameKeys = append(cp.nameKeys, key)
		}
	}
	for _, id := range wp.Party.Identifiers {
		if key := graph.IdentifierKey(id); key != "" && !slices.Contains(cp.idKeys, key) {
			cp.idKeys = append(cp.idKeys, key)
		}
	}
	if old != nil {
		if !slices.Equal(old.nameKeys, cp.nameKeys) {
			c.names.RemoveNames(k.node(), old.nameKeys)
		}
		c.unindex(k, old.idKeys, old.related, old.anchors)
	}
	if old == nil || !slices.Equal(old.nameKeys, cp.nameKeys) {
		// LegalEntity: screenable, and any kind of query fits it.
		c.names.SetNode(k.node(), "LegalEntity", nil)
		c.names.AddNames(k.node(), cp.nameKeys)
		c.byNode[k.node()] = k
	}
	for _, key := range cp.idKeys {
		c.idents[key] = append(c.idents[key], k)
	}
	c.indexState(k, cp)
	c.parties[k] = cp
}

// indexState records what the party's state rests on.
func (c *watchCache) indexState(k pkey, cp *cachedParty) {
	for _, id := range cp.related {
		c.related[id] = append(c.related[id], k)
	}
	for _, id := range cp.anchors {
		c.anchored[id] = append(c.anchored[id], k)
	}
}

// setState records a party's new state.
func (c *watchCache) setState(k pkey, st *watch.State) {
	cp := c.parties[k]
	if cp == nil {
		return
	}
	c.unindex(k, nil, cp.related, cp.anchors)
	cp.stateInput, cp.related, cp.anchors = st.Input, st.Related, st.Anchors()
	c.indexState(k, cp)
}

// remove forgets a party.
func (c *watchCache) remove(k pkey) {
	cp := c.parties[k]
	if cp == nil {
		return
	}
	c.names.RemoveNames(k.node(), cp.nameKeys)
	c.names.DeleteNode(k.node())
	delete(c.byNode, k.node())
	c.unindex(k, cp.idKeys, cp.related, cp.anchors)
	delete(c.parties, k)
}

func (c *watchCache) unindex(k pkey, idKeys []string, related, anchors []uuid.UUID) {
	drop := func(l []pkey) []pkey {
		return slices.DeleteFunc(l, func(x pkey) bool { return x == k })
	}
	for _, key := range idKeys {
		if l := drop(c.idents[key]); len(l) > 0 {
			c.idents[key] = l
		} else {
			delete(c.idents, key)
		}
	}
	for _, id := range related {
		if l := drop(c.related[id]); len(l) > 0 {
			c.related[id] = l
		} else {
			delete(c.related, id)
		}
	}
	for _, id := range anchors {
		if l := drop(c.anchored[id]); len(l) > 0 {
			c.anchored[id] = l
		} else {
			delete(c.anchored, id)
		}
	}
}

// maxHops is the largest number of hops a watchlist looks: how far a
// change reaches.
func (c *watchCache) maxHops() int {
	h := 0
	for _, wl := range c.lists {
		h = max(h, wl.Settings.Normalized().Hops)
	}
	return h
}

// candidates returns the parties a name may match (screening in reverse,
// with the bounds of screening), and whether the bound cut the list.
func (c *watchCache) candidates(ctx context.Context, name string) ([]pkey, bool, error) {
	p, err := screen.Prepare(screen.Query{Name: name})
	if err != nil {
		return nil, false, nil // no words to look up (the identifiers are looked up on their own)
	}
	cands, truncated, err := c.lookup.Candidates(ctx, p, 0)
	if err != nil {
		return nil, false, err
	}
	out := make([]pkey, 0, len(cands))
	for _, cd := range cands {
		if k, ok := c.byNode[cd.ID]; ok {
			out = append(out, k)
		}
	}
	return out, truncated, nil
}

// candidateMargin is how far below its watchlist's threshold a party may
// score against a changed entity and still be evaluated again. The score
// is screening's own (screen.ScoreRecord on the record screenPrepared
// scores: the entity's, or for a merged party the merged records of its
// members, with the index's word weights as they are now), so a party
// scoring below the threshold would get no hit on the entity from
// screening either; the margin only absorbs rounding. A party that had a
// hit on the entity is evaluated anyway: the entity is in its Related.
const candidateMargin = 0.02

// mayMatch reports whether any name of party k scores against one of
// recs, screening records, as screening scores it (country and birth date
// included), at least its watchlist's threshold less candidateMargin.
func (c *watchCache) mayMatch(k pkey, recs []*screen.Record, sc *screen.Lookup) bool {
	cp, wl := c.parties[k], c.lists[k.list]
	if cp == nil || wl == nil {
		return true
	}
	set := wl.Settings.Normalized()
	ok := false
	sc.WithWeights(func(weigh screen.Weigher) {
		for _, q := range cp.party.Queries(set) {
			p, err := sc.Prepare(q)
			if err != nil {
				continue
			}
			for _, r := range recs {
				if h, hit := screen.ScoreRecord(p, r, weigh); hit && h.Score >= set.Threshold-candidateMargin {
					ok = true
					return
				}
			}
		}
	})
	return ok
}

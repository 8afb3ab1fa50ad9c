package store

import (
	"context"
	"errors"
	"sync"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/index"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
)

// screenState is the screener of one index and a cache of the prepared
// screening records of the stored entities, each valid while the entity's
// index generation is unchanged (screen.Lookup.Generations). Reading and
// decoding the records from Badger was most of the cost of a screen.
type screenState struct {
	sc   *screen.Lookup
	mu   sync.RWMutex
	recs map[uuid.UUID]cachedRecord
}

type cachedRecord struct {
	gen uint32
	rec *screen.Record // nil: not screenable
}

// maxCachedRecords bounds the cache; past it, it starts over.
const maxCachedRecords = 1 << 20

// newScreenState returns the screening state of a new index: each index
// gets its own (openIndex), so a rebuilt index starts an empty cache.
func newScreenState(ix *index.Index) *screenState {
	return &screenState{sc: screen.NewLookup(ix), recs: map[uuid.UUID]cachedRecord{}}
}

// screenState returns the screening state of the current index.
func (s *Store) screenState() (*screenState, error) {
	s.live.mu.RLock()
	defer s.live.mu.RUnlock()
	if s.live.ix == nil {
		return nil, errNoIndex
	}
	return s.live.screen, nil
}

// Screen compares a query with the names, aliases and identifiers of the
// stored parties and returns the hits at or above the query's threshold,
// best first, at most q.Limit. A merged party is one hit. Bad queries give
// errors wrapping graph.ErrInvalid that name the field.
func (s *Store) Screen(ctx context.Context, q screen.Query) (*screen.Result, error) {
	p, err := screen.Prepare(q)
	if err != nil {
		return nil, err
	}
	st, err := s.screenState()
	if err != nil {
		return nil, err
	}
	return s.screenPrepared(ctx, st, p)
}

// screenCandidates is how many of the best-covered candidates are scored
// per query (at least three times the hits asked for).
const screenCandidates = 30

func (s *Store) screenPrepared(ctx context.Context, st *screenState, p *screen.Prepared) (*screen.Result, error) {
	cands, truncated, err := st.sc.Candidates(ctx, p, max(screenCandidates, 3*p.Q.Limit))
	if err != nil {
		return nil, err
	}
	res := &screen.Result{Truncated: truncated}
	c := s.parties()
	// The parties to score, in candidate order, identifier hits first,
	// and their member records.
	var parties []uuid.UUID
	seen := map[uuid.UUID]bool{}
	addParty := func(id uuid.UUID) {
		if id = c.Canonical(id); !seen[id] {
			seen[id] = true
			parties = append(parties, id)
		}
	}
	if keys := p.IdentifierKeys(); len(keys) > 0 {
		err := s.View(ctx, func(tx *Tx) error {
			for _, k := range keys {
				ids, err := tx.idsUnder(tagIdent, k)
				if err != nil {
					return err
				}
				for _, id := range ids {
					addParty(id)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for _, cd := range cands {
		addParty(cd.ID)
	}
	var members []uuid.UUID
	for _, id := range parties {
		members = append(members, c.Members(id)...)
	}
	recs, err := s.screenRecords(ctx, st, members)
	if err != nil {
		return nil, err
	}
	st.sc.WithWeights(func(weigh screen.Weigher) {
		at := 0
		var mine []*screen.Record
		for _, id := range parties {
			n := len(c.Members(id))
			mine = mine[:0]
			for _, r := range recs[at : at+n] {
				if r != nil {
					mine = append(mine, r)
				}
			}
			at += n
			if len(mine) == 0 {
				continue
			}
			res.Candidates++
			h, ok := screen.ScoreRecord(p, screen.MergeRecords(mine), weigh)
			if ok && h.Score >= p.Q.Threshold {
				h.ID = id
				res.Hits = append(res.Hits, h)
			}
		}
	})
	screen.SortHits(res.Hits)
	if len(res.Hits) > p.Q.Limit {
		res.Hits = res.Hits[:p.Q.Limit]
	}
	return res, nil
}

// screenRecords returns the screening records of stored entities (nil for
// one that is gone or not screenable), from the cache where it is fresh.
func (s *Store) screenRecords(ctx context.Context, st *screenState, ids []uuid.UUID) ([]*screen.Record, error) {
	// Generations first, then the snapshot: a write between the two makes
	// the record newer than its generation, never older.
	gens := st.sc.Generations(ids, nil)
	out := make([]*screen.Record, len(ids))
	var miss []int
	st.mu.RLock()
	for i, id := range ids {
		if cr, ok := st.recs[id]; ok && cr.gen == gens[i] {
			out[i] = cr.rec
		} else {
			miss = append(miss, i)
		}
	}
	st.mu.RUnlock()
	if len(miss) == 0 {
		return out, nil
	}
	fresh := make([]cachedRecord, len(miss))
	err := s.View(ctx, func(tx *Tx) error {
		for j, i := range miss {
			if j%32 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			e, err := tx.physicalEntity(ids[i])
			if errors.Is(err, graph.ErrNotFound) {
				fresh[j] = cachedRecord{gen: gens[i]}
				continue
			}
			if err != nil {
				return err
			}
			fresh[j] = cachedRecord{gen: gens[i]}
			if screen.Screenable(e.Schema) {
				fresh[j].rec = screen.NewRecord(e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	st.mu.Lock()
	if len(st.recs)+len(miss) > maxCachedRecords {
		st.recs = map[uuid.UUID]cachedRecord{}
	}
	for j, i := range miss {
		st.recs[ids[i]] = fresh[j]
		out[i] = fresh[j].rec
	}
	st.mu.Unlock()
	return out, nil
}

// WithScreenWeights calls fn with the word weights screening uses (the
// IDF of the words of the stored names), for tools that score names
// against one another as the store would. fn must not write to the store.
func (s *Store) WithScreenWeights(fn func(screen.Weigher)) error {
	st, err := s.screenState()
	if err != nil {
		return err
	}
	st.sc.WithWeights(fn)
	return nil
}

package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// buildIndex reads the in-memory graph index from the key-only indexes:
// the kind keys give the entities, the in-edge keys (whose values hold the
// validity) the relationships. Only authorities and programmes are read in
// full.
func (s *Store) buildIndex(ctx context.Context) (*graph.Index, error) {
	start := time.Now()
	ix := graph.NewIndexSized(s.sizeHint())
	ix.SetAliases(s.clusterMap().aliases())
	err := s.View(ctx, func(tx *Tx) error {
		var designators []uuid.UUID
		err := tx.keys([]byte{tagKind}, func(k []byte) error {
			schema, id, err := parseStringIDKey(k, tagKind)
			if err != nil {
				return err
			}
			if schema == graph.SchemaAuthority || schema == graph.SchemaProgramme {
				designators = append(designators, id)
				return nil
			}
			ix.SetNode(id, schema, nil)
			return nil
		})
		if err != nil {
			return err
		}
		for _, id := range designators {
			e, err := tx.Entity(id)
			if err != nil {
				return err
			}
			ix.SetNode(id, e.Schema, graph.DesignatorOf(e))
		}
		s.dropScanned()
		err = tx.keys([]byte{tagName}, func(k []byte) error {
			key, id, err := parseStringIDKey(k, tagName)
			if err != nil {
				return err
			}
			ix.AddNames(id, []string{key})
			return nil
		})
		if err != nil {
			return err
		}
		s.dropScanned()
		batch := make([]graph.LinkSpec, 0, 4096)
		err = tx.values([]byte{tagIn}, func(k, v []byte) error {
			l, err := parseEdgeKey(k)
			if err != nil {
				return err
			}
			from, to, _ := decodeValidity(v)
			batch = append(batch, graph.LinkSpec{Src: l.Src, Dst: l.Dst, Kind: l.Rel, From: from, To: to})
			if len(batch) == cap(batch) {
				ix.AddLinks(batch)
				batch = batch[:0]
			}
			return nil
		})
		ix.AddLinks(batch)
		s.dropScanned()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("build graph index: %w", err)
	}
	ix.Compact()
	n, l := ix.Counts()
	s.log.Info("graph index built", "entities", n, "relationships", l, "took", time.Since(start))
	return ix, nil
}

// Index returns the in-memory graph index, or nil if the store was opened
// without one (Options.Index).
func (s *Store) Index() *graph.Index {
	s.ixMu.RLock()
	defer s.ixMu.RUnlock()
	return s.index
}

// rebuildIndex replaces the index with a fresh one read from the store (after
// a rollback, whose changes are not tracked one by one).
func (s *Store) rebuildIndex(ctx context.Context) error {
	if s.Index() == nil {
		return nil
	}
	ix, err := s.buildIndex(ctx)
	if err != nil {
		return err
	}
	s.ixMu.Lock()
	s.index = ix
	s.ixMu.Unlock()
	return nil
}

// applyOps applies the changes of a committed transaction to the index.
func (s *Store) applyOps(ops []indexOp) {
	if ix := s.Index(); ix != nil && len(ops) > 0 {
		applyIndexOps(ix, ops)
	}
}

func (s *Store) needIndex() (*graph.Index, error) {
	ix := s.Index()
	if ix == nil {
		return nil, fmt.Errorf("the store was opened without its graph index")
	}
	return ix, nil
}

// Paths finds paths between two entities (see graph.Index.Paths).
func (s *Store) Paths(ctx context.Context, q graph.PathQuery) (*graph.PathSearch, error) {
	ix, err := s.needIndex()
	if err != nil {
		return nil, err
	}
	return ix.Paths(ctx, q)
}

// Nearest finds the designated entities nearest to one (see graph.Index.Nearest).
func (s *Store) Nearest(ctx context.Context, q graph.NearestQuery) (*graph.PathSearch, error) {
	ix, err := s.needIndex()
	if err != nil {
		return nil, err
	}
	return ix.Nearest(ctx, q)
}

// Neighbourhood lists the entities around one (see graph.Index.Neighbourhood).
func (s *Store) Neighbourhood(ctx context.Context, q graph.NeighbourhoodQuery) ([]uuid.UUID, bool, error) {
	ix, err := s.needIndex()
	if err != nil {
		return nil, false, err
	}
	return ix.Neighbourhood(ctx, q)
}

// SearchNames looks entities up by name (see graph.Index.SearchNames).
// A merged party is one hit, under its canonical entity, with the best
// score of its members.
func (s *Store) SearchNames(ctx context.Context, q graph.SearchQuery) ([]graph.SearchHit, error) {
	ix, err := s.needIndex()
	if err != nil {
		return nil, err
	}
	c := s.clusterMap()
	if len(c.canon) == 0 {
		return ix.SearchNames(ctx, q)
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 10
	}
	q.Limit = limit * 2
	hits, err := ix.SearchNames(ctx, q)
	if err != nil {
		return nil, err
	}
	out := hits[:0]
	at := map[uuid.UUID]int{}
	for _, h := range hits {
		h.ID = c.of(h.ID)
		if i, ok := at[h.ID]; ok {
			out[i].Score = max(out[i].Score, h.Score)
			continue
		}
		at[h.ID] = len(out)
		out = append(out, h)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out[:min(len(out), limit)], nil
}

// dropScanned drops the mapped pages a scan touched, with RandomAccess:
// the index build reads a large part of the tree once.
func (s *Store) dropScanned() {
	if s.opt.RandomAccess && !s.opt.InMemory {
		s.advise(s.dir, true)
	}
}

// sizeHint estimates the number of entities from the last committed run's
// counts of records, to size the index's maps once.
func (s *Store) sizeHint() int {
	runs, err := s.Runs(context.Background())
	if err != nil {
		return 0
	}
	n := 0
	for _, r := range runs {
		if r.State == RunCommitted {
			n += r.Counts.Added
		}
	}
	return n / 2 // about half the records are entities
}

// LinksBetween returns what the index knows of the relationships between
// two entities (see graph.Index.LinksBetween); nil without index.
func (s *Store) LinksBetween(a, b uuid.UUID) []graph.Link {
	if ix := s.Index(); ix != nil {
		return ix.LinksBetween(a, b)
	}
	return nil
}

package store

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/index"
)

// The read side of queries: the in-memory graph index and the Badger
// snapshot that matches it.
//
// A path query walks the index, then reads the relationships and entities
// on the paths it found from Badger. Both reads must show the same
// committed state, or an ingest running meanwhile could remove a
// relationship the search walked before its record is read. So every write
// that changes the graph commits under commitMu, and, while still holding
// it, publishes its changes: under live.mu it applies them to the index
// and replaces the current snapshot with a read transaction opened after
// the commit. No other graph write can commit in between (commitMu), so
// that snapshot holds exactly what the index now says. A reader that holds
// live.mu for reading therefore sees an index and a snapshot of one state;
// it keeps the snapshot (reference-counted) after releasing the lock, and
// reads from it while ingests go on.

// snapshot is a Badger read transaction shared by the queries that pinned
// it, and the party structure of the same moment.
type snapshot struct {
	txn     *badger.Txn
	parties *graph.Parties
	refs    atomic.Int64 // one for being current, one per reader
}

func (sn *snapshot) acquire() { sn.refs.Add(1) }

// release drops a reference; the last one discards the transaction.
func (sn *snapshot) release() {
	if sn.refs.Add(-1) == 0 {
		sn.txn.Discard()
	}
}

// tx returns a Tx reading the snapshot.
func (sn *snapshot) tx(ctx context.Context) *Tx {
	return &Tx{txn: sn.txn, ctx: ctx, parties: sn.parties}
}

// live is the index and the snapshot that matches it.
type live struct {
	mu     sync.RWMutex
	ix     *index.Index // nil without Options.Index
	snap   *snapshot    // nil without Options.Index
	screen *screenState // the screening state of ix (screen.go)
	// loaded is the token of the file ix was loaded from (nil if it was
	// built), changed whether any write was applied to ix since it was
	// loaded or built (indexfile.go).
	loaded  []byte
	changed bool
}

// newSnapshot opens a read transaction on the latest committed state.
func (s *Store) newSnapshot(p *graph.Parties) *snapshot {
	sn := &snapshot{txn: s.db.NewTransaction(false), parties: p}
	sn.refs.Store(1)
	return sn
}

// commit commits a transaction that changes the graph and publishes ops,
// the changes it made, to the index.
func (s *Store) commit(txn *badger.Txn, ops []indexOp) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	if err := txn.Commit(); err != nil {
		return badgerErr(err)
	}
	s.publish(ops)
	return nil
}

// publish applies the changes of a committed transaction to the index and
// makes a snapshot of the state after it current. The caller holds
// commitMu, from before the commit.
func (s *Store) publish(ops []indexOp) {
	s.live.mu.Lock()
	ix := s.live.ix
	if ix == nil {
		s.live.mu.Unlock()
		return
	}
	applyIndexOps(ix, ops)
	s.live.changed = true
	old := s.live.snap
	s.live.snap = s.newSnapshot(s.parties())
	s.live.mu.Unlock()
	old.release()
}

// pin runs fn on the index (under live.mu, so that no write is published
// meanwhile) and returns the snapshot of the state fn saw; the caller
// releases it. Without an index it fails.
func (s *Store) pin(fn func(ix *index.Index) error) (*snapshot, error) {
	s.live.mu.RLock()
	ix, sn := s.live.ix, s.live.snap
	if ix == nil {
		s.live.mu.RUnlock()
		return nil, errNoIndex
	}
	sn.acquire()
	err := fn(ix)
	s.live.mu.RUnlock()
	if err != nil {
		sn.release()
		return nil, err
	}
	return sn, nil
}

var errNoIndex = fmt.Errorf("the store was opened without its graph index")

// buildIndex reads the in-memory graph index from the key-only indexes of
// the snapshot sn: the kind keys give the entities, the in-edge keys (whose
// values hold the validity) the relationships. Only authorities and
// programmes are read in full.
func (s *Store) buildIndex(ctx context.Context, sn *snapshot) (*index.Index, error) {
	start := time.Now()
	ix := index.NewSized(s.sizeHint(ctx))
	ix.SetAliases(sn.parties.Aliases())
	tx := sn.tx(ctx)
	err := func() error {
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
		batch := make([]index.LinkSpec, 0, 4096)
		err = tx.values([]byte{tagIn}, func(k, v []byte) error {
			l, err := parseEdgeKey(k)
			if err != nil {
				return err
			}
			from, to, _ := decodeValidity(v)
			batch = append(batch, index.LinkSpec{Src: l.Src, Dst: l.Dst, Kind: l.Rel, From: from, To: to})
			if len(batch) == cap(batch) {
				if err := ctx.Err(); err != nil {
					return err
				}
				ix.AddLinks(batch)
				batch = batch[:0]
			}
			return nil
		})
		ix.AddLinks(batch)
		s.dropScanned()
		return err
	}()
	if err != nil {
		return nil, fmt.Errorf("build graph index: %w", err)
	}
	ix.Compact()
	n, l := ix.Counts()
	s.log.Info("graph index built", "entities", n, "relationships", l, "took", time.Since(start))
	return ix, nil
}

// openIndex builds the index on a snapshot of the current state and makes
// both current. The caller holds commitMu (or no other goroutine can write:
// Open), so the snapshot stays the latest state while the index is built.
//
// If token is set (Open found the token of a clean Close), the index is
// loaded from its file when the file matches the token (indexfile.go).
func (s *Store) openIndex(ctx context.Context, token []byte) error {
	sn := s.newSnapshot(s.parties())
	ix := s.loadIndex(token)
	if ix == nil {
		token = nil
		var err error
		if ix, err = s.buildIndex(ctx, sn); err != nil {
			sn.release()
			return err
		}
	}
	s.live.mu.Lock()
	old := s.live.snap
	s.live.ix, s.live.snap, s.live.screen = ix, sn, newScreenState(ix)
	s.live.loaded, s.live.changed = token, old != nil
	s.live.mu.Unlock()
	if old != nil {
		old.release()
	}
	return nil
}

// Index returns the in-memory graph index, or nil if the store was opened
// without one (Options.Index).
func (s *Store) Index() *index.Index {
	s.live.mu.RLock()
	defer s.live.mu.RUnlock()
	return s.live.ix
}

// rebuildIndex replaces the index with a fresh one read from the store
// (after a rollback or a change of the merged parties, whose changes are
// not tracked one by one). The caller holds commitMu.
func (s *Store) rebuildIndex(ctx context.Context) error {
	if s.Index() == nil {
		return nil
	}
	return s.openIndex(ctx, nil)
}

// closeIndex drops the current snapshot (before the database closes).
func (s *Store) closeIndex() {
	s.live.mu.Lock()
	sn := s.live.snap
	s.live.ix, s.live.snap, s.live.screen = nil, nil, nil
	s.live.mu.Unlock()
	if sn != nil {
		sn.release()
	}
}

// Paths finds paths between two entities (see index.Index.Paths) and
// reads what q.Load asks for on the same snapshot: what the answer shows
// is what the search walked. It fails if the store was opened without its
// index (Options.Index); the search's own errors (graph.ErrInvalid for a
// bad query) come back as they are.
func (s *Store) Paths(ctx context.Context, q graph.PathQuery) (*graph.PathResult, error) {
	var res *graph.PathResult
	sn, err := s.pin(func(ix *index.Index) (err error) {
		res, err = ix.Paths(ctx, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	defer sn.release()
	return res, s.loadPaths(sn.tx(ctx), res, q.Load, q.AsOf, q.HasAsOf)
}

// Nearest finds the designated entities nearest to one (see
// index.Index.Nearest), read like Paths, and fails as Paths does.
func (s *Store) Nearest(ctx context.Context, q graph.NearestQuery) (*graph.PathResult, error) {
	var res *graph.PathResult
	sn, err := s.pin(func(ix *index.Index) (err error) {
		res, err = ix.Nearest(ctx, q)
		return err
	})
	if err != nil {
		return nil, err
	}
	defer sn.release()
	return res, s.loadPaths(sn.tx(ctx), res, q.Load, q.AsOf, q.HasAsOf)
}

// loadPaths reads the relationships of every step and the entities on
// the paths, as load asks.
func (s *Store) loadPaths(tx *Tx, res *graph.PathResult, load graph.PathLoad, asOf graph.Day, hasAsOf bool) error {
	if load.Relationships {
		for i := range res.Paths {
			for j := range res.Paths[i].Steps {
				st := &res.Paths[i].Steps[j]
				rels, err := tx.stepRelationships(st, asOf, hasAsOf)
				if err != nil {
					return err
				}
				st.Relationships = rels
			}
		}
	}
	if load.Entities {
		res.Entities = map[uuid.UUID]*graph.Entity{}
		for _, p := range res.Paths {
			for _, id := range p.Entities {
				if _, ok := res.Entities[id]; ok {
					continue
				}
				e, err := tx.Entity(id)
				if err != nil {
					return err
				}
				res.Entities[id] = e
			}
		}
	}
	return nil
}

// stepRelationships reads the relationships of a step's links between the
// members of its two parties, valid on asOf if hasAsOf; in the order of
// the links, then by id.
func (tx *Tx) stepRelationships(st *graph.Step, asOf graph.Day, hasAsOf bool) ([]*graph.Relationship, error) {
	var out []*graph.Relationship
	for _, l := range st.Links {
		src, dst := st.From, st.To
		if !l.Forward {
			src, dst = dst, src
		}
		for _, sm := range tx.parties.Members(src) {
			for _, dm := range tx.parties.Members(dst) {
				prefix := append(edgeKindPrefix(tagOut, sm, l.Kind), dm[:]...)
				err := tx.values(prefix, func(k, v []byte) error {
					loc, err := parseEdgeKey(k)
					if err != nil {
						return err
					}
					r, err := decodeRelationship(loc, v)
					if err != nil {
						return err
					}
					if hasAsOf {
						if from, to := r.Validity(); asOf < from || asOf > to {
							return nil
						}
					}
					out = append(out, tx.canonRel(r))
					return nil
				})
				if err != nil {
					return nil, err
				}
			}
		}
	}
	if len(out) == 0 && len(st.Links) > 0 {
		// The index and the snapshot are of one state (see above): a link
		// the index has is in the snapshot.
		return nil, fmt.Errorf("store inconsistent: no relationship %s between %s and %s", st.Links[0].Kind, st.From, st.To)
	}
	return out, nil
}

// Neighbourhood lists the entities around one (see index.Index.Neighbourhood).
// It fails if the store was opened without its index.
func (s *Store) Neighbourhood(ctx context.Context, q graph.NeighbourhoodQuery) (ids []uuid.UUID, truncated bool, err error) {
	sn, err := s.pin(func(ix *index.Index) (err error) {
		ids, truncated, err = ix.Neighbourhood(ctx, q)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	sn.release()
	return ids, truncated, nil
}

// SearchNames looks entities up by name (see index.Index.SearchNames).
// A merged party is one hit, under its canonical entity, with the best
// score of its members. It fails if the store was opened without its
// index.
func (s *Store) SearchNames(ctx context.Context, q graph.SearchQuery) ([]graph.SearchHit, error) {
	ix := s.Index()
	if ix == nil {
		return nil, errNoIndex
	}
	c := s.parties()
	if n, _ := c.Counts(); n == 0 {
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
		h.ID = c.Canonical(h.ID)
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
func (s *Store) sizeHint(ctx context.Context) int {
	runs, err := s.Runs(ctx)
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

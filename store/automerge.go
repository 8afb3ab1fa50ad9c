package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// AutoMerge in four steps, each small: blocking (the entities that share a
// name or identifier key, read from the key indexes: blocks), comparing
// (each pair of a block once, graph.Blocker and graph.SameParty), joining
// (graph.Parties.Join: strongest evidence first, refusing what a
// keep-apart decision or a contradiction forbids) and writing the links
// (one transaction).

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

// AutoMerge finds entities that graph.SameParty says are the same party
// and records same-as links between them. It is deterministic: the same
// store gives the same merges, whatever order the records came in.
// Returns an error wrapping graph.ErrInvalid on a read-only store.
func (s *Store) AutoMerge(ctx context.Context) (*AutoMergeReport, error) {
	if s.opt.ReadOnly {
		return nil, fmt.Errorf("merge: %w: store opened read-only", graph.ErrInvalid)
	}
	start := time.Now()
	s.decideMu.Lock()
	defer s.decideMu.Unlock()
	rep := &AutoMergeReport{ByRule: map[string]int{}}
	parties := s.parties()
	var links []graph.MergeLink
	err := s.View(ctx, func(tx *Tx) error {
		entity := tx.entityCache()
		cands, err := tx.compareBlocks(parties, entity, rep)
		if err != nil {
			return err
		}
		joined, refused, err := parties.Join(cands, entity)
		if err != nil {
			return err
		}
		rep.Refused = refused
		now := time.Now().UTC()
		for _, c := range joined {
			ea, _ := entity(c.A) // read by compareBlocks
			eb, _ := entity(c.B)
			links = append(links, graph.MergeLink{A: ea.Ref, B: eb.Ref, AID: c.A, BID: c.B, Rule: c.Evidence.Rule, Detail: c.Evidence.Detail, By: "auto", At: now})
			rep.ByRule[c.Evidence.Rule]++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	if err := s.writeLinks(ctx, links); err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	rep.Merged = len(links)
	rep.Parties, _ = s.parties().Counts()
	rep.Took = time.Since(start)
	return rep, nil
}

// entityCache returns a reader of entities as stored (not merged), nil
// for an id no entity is stored under, that reads each id once.
func (tx *Tx) entityCache() func(uuid.UUID) (*graph.Entity, error) {
	ents := map[uuid.UUID]*graph.Entity{}
	return func(id uuid.UUID) (*graph.Entity, error) {
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
}

// compareBlocks compares the pairs of every block (graph.Blocker) with
// graph.SameParty and returns those it accepts. It counts candidates and
// crowded blocks in rep.
func (tx *Tx) compareBlocks(parties *graph.Parties, entity func(uuid.UUID) (*graph.Entity, error), rep *AutoMergeReport) ([]graph.MergeCandidate, error) {
	b := graph.NewBlocker(parties)
	var out []graph.MergeCandidate
	err := tx.blocks(func(block []uuid.UUID) error {
		for _, pair := range b.Pairs(block) {
			rep.Candidates++
			ea, err := entity(pair[0])
			if err != nil {
				return err
			}
			eb, err := entity(pair[1])
			if err != nil {
				return err
			}
			if ea == nil || eb == nil {
				continue
			}
			if ev, ok := graph.SameParty(ea, eb); ok {
				out = append(out, graph.MergeCandidate{A: ea.ID, B: eb.ID, Evidence: ev})
			}
		}
		return nil
	})
	rep.Crowded = b.Crowded
	return out, err
}

// blocks calls fn with the ids of the entities that share each identifier
// key, then each name key, read from the key-only indexes (d and x keys),
// in key order. The slice is reused between calls.
func (tx *Tx) blocks(fn func(ids []uuid.UUID) error) error {
	for _, tag := range []byte{tagIdent, tagName} {
		var cur string
		var ids []uuid.UUID
		flush := func() error {
			if len(ids) == 0 {
				return nil
			}
			return fn(ids)
		}
		err := tx.keys([]byte{tag}, func(k []byte) error {
			key, id, err := parseStringIDKey(k, tag)
			if err != nil {
				return err
			}
			if key != cur {
				if err := flush(); err != nil {
					return err
				}
				cur, ids = key, ids[:0]
			}
			if len(ids) == 0 || ids[len(ids)-1] != id {
				ids = append(ids, id)
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

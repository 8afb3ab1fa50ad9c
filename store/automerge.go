package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// AutoMerge in four steps, each small: blocking (the entities that share a
// number, a UN listing or a name key: blocks), comparing (each pair of a
// block once, graph.Blocker and graph.CompareViews), joining
// (graph.Parties.Join: strongest evidence first, refusing what a
// keep-apart decision or a contradiction forbids) and writing the links
// (one transaction).
//
// Blocks come from the key indexes where they can: a name key (x keys),
// an identifier that is one number (d keys, by graph.NumberKeyOf). An
// identifier that holds words besides its number ("5835049799 (Tax
// ID/INN)") is read from its record (graph.NumberKeys), and the UN
// listings from the designations (their unscId), which the comparison
// sees as the record's unscId.

// AutoMergeReport says what AutoMerge did.
type AutoMergeReport struct {
	// Candidates counts the pairs compared: sharing a name, number or UN
	// listing, of one kind of party, from different lists and parties.
	Candidates int            `json:"candidatePairs"`
	Merged     int            `json:"merged"` // links recorded
	ByRule     map[string]int `json:"byRule"`
	// Refused counts the pairs a rule found to be one party that were not
	// merged because of a contradiction between the two records or the
	// parties they would join (Refusals lists them).
	Refused  int                  `json:"refused"`
	Refusals []graph.RefusedMerge `json:"refusals,omitempty"`
	Crowded  int                  `json:"crowdedKeys"` // names or identifiers shared by too many entities to compare
	Parties  int                  `json:"parties"`     // merged parties after the run
	Took     time.Duration        `json:"took"`
}

// AutoMerge finds entities that graph.CompareViews says are the same party
// and records same-as links between them, each with its evidence. It is
// deterministic: the same store gives the same merges, whatever order the
// records came in. Returns an error wrapping graph.ErrInvalid on a
// read-only store.
func (s *Store) AutoMerge(ctx context.Context) (*AutoMergeReport, error) {
	if s.opt.ReadOnly {
		return nil, fmt.Errorf("merge: %w: store opened read-only", graph.ErrInvalid)
	}
	start := time.Now()
	s.decideMu.Lock()
	defer s.decideMu.Unlock()
	rep, links, err := s.planMerges(ctx)
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

// RefusedMerges returns the pairs of records a merge rule finds to be one
// party but that a contradiction keeps apart (two valid, different
// registry numbers, different birth dates, ...), as AutoMerge would find
// them now. It writes nothing, so it works on a read-only store.
func (s *Store) RefusedMerges(ctx context.Context) ([]graph.RefusedMerge, error) {
	rep, _, err := s.planMerges(ctx)
	if err != nil {
		return nil, fmt.Errorf("refused merges: %w", err)
	}
	return rep.Refusals, nil
}

// planMerges runs blocking, comparing and joining in one read
// transaction, and returns the links to record.
func (s *Store) planMerges(ctx context.Context) (*AutoMergeReport, []graph.MergeLink, error) {
	rep := &AutoMergeReport{ByRule: map[string]int{}}
	parties := s.parties()
	var links []graph.MergeLink
	err := s.View(ctx, func(tx *Tx) error {
		mv, err := tx.newMergeViews()
		if err != nil {
			return err
		}
		cands, err := tx.compareBlocks(parties, mv, rep)
		if err != nil {
			return err
		}
		joined, refused, err := parties.Join(cands, mv.entity)
		if err != nil {
			return err
		}
		for _, r := range refused {
			if r.Reason == graph.ReasonKeptApart {
				continue // a person's decision, shown with the party
			}
			rf, err := mv.refusal(r.A, r.B, r.Evidence, r.Reason)
			if err != nil {
				return err
			}
			rep.Refusals = append(rep.Refusals, rf)
		}
		now := time.Now().UTC()
		for _, c := range joined {
			// Read by compareBlocks, but maybe dropped from the cache since.
			ea, err := mv.entity(c.A)
			if err != nil {
				return err
			}
			eb, err := mv.entity(c.B)
			if err != nil {
				return err
			}
			links = append(links, graph.MergeLink{A: ea.Ref, B: eb.Ref, AID: c.A, BID: c.B, Rule: c.Evidence.Rule, Detail: c.Evidence.Detail,
				Agreed: c.Evidence.Agreed, Checked: c.Evidence.Checked, By: "auto", At: now})
			rep.ByRule[c.Evidence.Rule]++
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	sort.Slice(rep.Refusals, func(i, j int) bool {
		x, y := rep.Refusals[i], rep.Refusals[j]
		if x.A != y.A {
			return x.A < y.A
		}
		return x.B < y.B
	})
	rep.Refused = len(rep.Refusals)
	return rep, links, nil
}

// mergeViews reads records for comparison, each once: as stored (not
// merged), with the UN listings their designations cite as unscId and the
// dates they were listed on as listingDate.
type mergeViews struct {
	tx     *Tx
	views  map[uuid.UUID]*graph.MergeView // nil: no entity stored under the id
	unRefs map[uuid.UUID][]string         // entity -> UN reference numbers its designations cite
	listed map[uuid.UUID][]string         // entity -> dates its designations were listed on
	// scopes holds the merge scope of every entity, from its kind key and
	// the lists its value holds, so that the pairs that can never be one
	// party (of one list, or of different kinds) are skipped unread: most
	// pairs of a large load of one source. An entity of a store written
	// before kind keys held their lists has nil, and its scope is read
	// from its record when needed (scope). Scopes of the same kind and
	// lists are one pointer.
	scopes   map[uuid.UUID]*graph.MergeScope
	interned map[string]*graph.MergeScope // schema 0x00 kind key value -> scope
	persons  map[uuid.UUID]bool           // entities of schema Person
}

// noScope is the scope of an id under which no entity is stored: nothing
// is compared with it.
var noScope = graph.NewMergeScope("", nil)

// newMergeViews reads the kind and lists of every entity, and the UN
// reference numbers of every designation.
func (tx *Tx) newMergeViews() (*mergeViews, error) {
	mv := &mergeViews{tx: tx, views: map[uuid.UUID]*graph.MergeView{}, unRefs: map[uuid.UUID][]string{}, listed: map[uuid.UUID][]string{},
		scopes: map[uuid.UUID]*graph.MergeScope{}, interned: map[string]*graph.MergeScope{}, persons: map[uuid.UUID]bool{}}
	var ikey []byte
	err := tx.values([]byte{tagKind}, func(k, v []byte) error {
		schema, id, err := parseStringIDKey(k, tagKind)
		if err != nil {
			return err
		}
		if schema == "Person" {
			mv.persons[id] = true
		}
		if len(v) == 0 {
			mv.scopes[id] = nil // written before kind keys held lists
			return nil
		}
		ikey = append(append(append(ikey[:0], schema...), 0), v...)
		sc, ok := mv.interned[string(ikey)]
		if !ok {
			lists, _, err := decodeKindValue(v)
			if err != nil {
				return fmt.Errorf("entity %s: %w", id, err)
			}
			sc = graph.NewMergeScope(schema, lists)
			mv.interned[string(ikey)] = sc
		}
		mv.scopes[id] = sc
		return nil
	})
	if err != nil {
		return nil, err
	}
	var keys [][]byte
	err = tx.keys([]byte{tagOut}, func(k []byte) error {
		l, err := parseEdgeKey(k)
		if err == nil && l.Rel == graph.RelDesignatedBy {
			keys = append(keys, slices.Clone(k))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		l, _ := parseEdgeKey(k)
		v, err := tx.value(k)
		if err != nil || v == nil {
			return nil, err
		}
		r, err := decodeRelationship(l, v)
		if err != nil {
			return nil, err
		}
		for _, ref := range r.Props["unscId"] {
			if ref = strings.TrimSpace(ref); ref != "" && !slices.Contains(mv.unRefs[l.Src], ref) {
				mv.unRefs[l.Src] = append(mv.unRefs[l.Src], ref)
			}
		}
		for _, d := range r.Props["listingDate"] {
			if d = strings.TrimSpace(d); d != "" && !slices.Contains(mv.listed[l.Src], d) {
				mv.listed[l.Src] = append(mv.listed[l.Src], d)
			}
		}
	}
	return mv, nil
}

// view returns the record under id prepared for comparison, nil if none
// is stored.
func (mv *mergeViews) view(id uuid.UUID) (*graph.MergeView, error) {
	if v, ok := mv.views[id]; ok {
		return v, nil
	}
	e, err := mv.tx.physicalEntity(id)
	if errors.Is(err, graph.ErrNotFound) {
		mv.views[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if refs, dates := mv.unRefs[id], mv.listed[id]; len(refs) > 0 || len(dates) > 0 {
		e = e.Clone()
		e.Props["unscId"] = append(slices.Clone(e.Props["unscId"]), refs...)
		e.Props["listingDate"] = append(slices.Clone(e.Props["listingDate"]), dates...)
	}
	v := graph.NewMergeView(e)
	if len(mv.views) >= mergeViewCache {
		// Views are recomputed from the store: a bounded cache keeps the
		// merge search of millions of records in bounded memory.
		clear(mv.views)
	}
	mv.views[id] = v
	return v, nil
}

// scope returns the merge scope of the entity id (noScope if none is
// stored).
func (mv *mergeViews) scope(id uuid.UUID) (*graph.MergeScope, error) {
	sc, ok := mv.scopes[id]
	if !ok {
		return noScope, nil
	}
	if sc != nil {
		return sc, nil
	}
	e, err := mv.entity(id)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return noScope, nil
	}
	lists := graph.MergeLists(e)
	ikey := e.Schema + "\x00" + string(encodeKindValue(lists))
	if sc = mv.interned[ikey]; sc == nil {
		sc = graph.NewMergeScope(e.Schema, lists)
		mv.interned[ikey] = sc
	}
	mv.scopes[id] = sc
	return sc, nil
}

// mergeViewCache is how many records' merge views are kept at once (a
// variable for the tests).
var mergeViewCache = 100_000

// entity returns the record under id as compared, nil if none is stored.
func (mv *mergeViews) entity(id uuid.UUID) (*graph.Entity, error) {
	v, err := mv.view(id)
	if v == nil || err != nil {
		return nil, err
	}
	return v.Entity(), nil
}

func (mv *mergeViews) refusal(a, b uuid.UUID, ev graph.MergeEvidence, reason string) (graph.RefusedMerge, error) {
	r := graph.RefusedMerge{AID: a, BID: b, Rule: ev.Rule, Detail: ev.Detail, Agreed: ev.Agreed, Reason: reason}
	for _, x := range []struct {
		id  uuid.UUID
		ref *string
	}{{a, &r.A}, {b, &r.B}} {
		e, err := mv.entity(x.id) // compared, but maybe dropped from the cache since
		if err != nil {
			return r, err
		}
		if e != nil {
			*x.ref = e.Ref
		}
	}
	if r.A > r.B {
		r.A, r.B, r.AID, r.BID = r.B, r.A, r.BID, r.AID
	}
	return r, nil
}

// compareBlocks compares the pairs of every block (graph.Blocker) and
// returns those that are one party. It counts candidates and crowded
// blocks in rep, and adds the pairs a contradiction refuses to
// rep.Refusals.
func (tx *Tx) compareBlocks(parties *graph.Parties, mv *mergeViews, rep *AutoMergeReport) ([]graph.MergeCandidate, error) {
	b := graph.NewBlocker(parties)
	var out []graph.MergeCandidate
	var scopes []*graph.MergeScope
	err := tx.blocks(mv, func(block []uuid.UUID) error {
		var sc []*graph.MergeScope
		if len(block) >= 2 && len(block) <= graph.MaxBlock { // else no pairs (Pairs)
			scopes = scopes[:0]
			for _, id := range block {
				s, err := mv.scope(id)
				if err != nil {
					return err
				}
				scopes = append(scopes, s)
			}
			sc = scopes
		}
		for _, pair := range b.Pairs(block, sc) {
			rep.Candidates++
			va, err := mv.view(pair[0])
			if err != nil {
				return err
			}
			vb, err := mv.view(pair[1])
			if err != nil {
				return err
			}
			if va == nil || vb == nil {
				continue
			}
			c := graph.CompareViews(va, vb)
			switch {
			case c.Same():
				out = append(out, graph.MergeCandidate{A: pair[0], B: pair[1], Evidence: c.Evidence})
			case c.Refused() && !parties.Apart(pair[0], pair[1]):
				rf, err := mv.refusal(pair[0], pair[1], c.Evidence, c.Contradiction.Detail)
				if err != nil {
					return err
				}
				rep.Refusals = append(rep.Refusals, rf)
			}
		}
		return nil
	})
	rep.Crowded = b.Crowded
	return out, err
}

// blocks calls fn with the ids of the entities that share each number,
// then each UN listing, then each name key, then each word of a person's
// name keys. The slice is reused between calls.
func (tx *Tx) blocks(mv *mergeViews, fn func(ids []uuid.UUID) error) error {
	type keyed struct {
		key string
		id  uuid.UUID
	}
	var nums []keyed
	var wordy []uuid.UUID // entities with an identifier that holds more than a number
	err := tx.keys([]byte{tagIdent}, func(k []byte) error {
		key, id, err := parseStringIDKey(k, tagIdent)
		if err != nil {
			return err
		}
		if n, ok := graph.NumberKeyOf(key); !ok {
			wordy = append(wordy, id)
		} else if n != "" {
			nums = append(nums, keyed{n, id})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range wordy {
		e, err := mv.entity(id)
		if err != nil {
			return err
		}
		if e != nil {
			for _, n := range graph.NumberKeys(e) {
				nums = append(nums, keyed{n, id})
			}
		}
	}
	for id, refs := range mv.unRefs {
		for _, r := range refs {
			nums = append(nums, keyed{"\x00un:" + r, id})
		}
	}
	slices.SortFunc(nums, func(x, y keyed) int {
		if c := strings.Compare(x.key, y.key); c != 0 {
			return c
		}
		return compareUUID(x.id, y.id)
	})
	var ids []uuid.UUID
	for i, n := range nums {
		if i > 0 && n.key != nums[i-1].key {
			if err := fn(ids); err != nil {
				return err
			}
			ids = ids[:0]
		}
		if len(ids) == 0 || ids[len(ids)-1] != n.id {
			ids = append(ids, n.id)
		}
	}
	if len(ids) > 0 {
		if err := fn(ids); err != nil {
			return err
		}
	}
	// Persons: a name key, and each word of four letters or more of
	// their name keys (a surname), for the names that differ by a word
	// ("MEDVEDCHUK, Viktor" and "Viktor Volodymyrovych MEDVEDCHUK"),
	// which only the same day of birth makes one person.
	persons := mv.persons
	var words []keyed
	var cur string
	ids = ids[:0]
	flush := func() error {
		if len(ids) == 0 {
			return nil
		}
		return fn(ids)
	}
	err = tx.keys([]byte{tagName}, func(k []byte) error {
		key, id, err := parseStringIDKey(k, tagName)
		if err != nil {
			return err
		}
		if persons[id] {
			for _, w := range strings.Fields(key) {
				if len(w) >= 4 {
					words = append(words, keyed{w, id})
				}
			}
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
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	slices.SortFunc(words, func(x, y keyed) int {
		if c := strings.Compare(x.key, y.key); c != 0 {
			return c
		}
		return compareUUID(x.id, y.id)
	})
	ids = ids[:0]
	for i, w := range words {
		if i > 0 && w.key != words[i-1].key {
			// A word shared by many ("mohammad") blocks nothing; it is
			// no name, so not counted as crowded.
			if len(ids) <= graph.MaxBlock {
				if err := fn(ids); err != nil {
					return err
				}
			}
			ids = ids[:0]
		}
		if len(ids) == 0 || ids[len(ids)-1] != w.id {
			ids = append(ids, w.id)
		}
	}
	if len(ids) > 0 && len(ids) <= graph.MaxBlock {
		return fn(ids)
	}
	return nil
}

func compareUUID(a, b uuid.UUID) int { return strings.Compare(string(a[:]), string(b[:])) }

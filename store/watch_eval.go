package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/exposure"
	"github.com/sanctionsgraph/sanctionsgraph/graph/index"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
)

// Re-evaluation of the watchlists: after every change to the store, each
// party the change can affect is evaluated again (watch.Evaluate), and a
// party whose state changed gets its new state and the alerts describing
// the change in one transaction.
//
// Which parties a change can affect, from the entities it touched (the
// change log, watch_log.go, and the same-as links added or removed since
// the last evaluation):
//   - the parties whose state rests on one of them (a hit, an entity on a
//     path or an ownership chain, the party's own entity);
//   - the parties whose state rests on an entity within the largest
//     number of hops of a watchlist of one of them (graph/index Within):
//     a new relationship or designation there can make a new path;
//   - the parties one of their names or identifiers may match (screening
//     in reverse, over the parties' own name look-up, then kept if
//     screening scores them near their threshold against the entity's
//     party as it is now): a new alias or a new entry can make a new hit.
// Parties added or changed by an import are evaluated too; a full
// re-evaluation (WatchOptions.Full) evaluates every party.
//
// Not caught incrementally, by design: a score that crosses the threshold
// only because the word weights (IDF) of every name moved with a new list
// version, for a party no changed entity's name is near, and a hit that
// leaves or enters screening's bounded list of candidates because a
// changed entity, scored below the threshold, entered or left it. A full
// re-evaluation finds those, and one is run without being asked for when
// the graph grew by more than a tenth since the last evaluation (a new
// list, a version adding thousands of entries: the weights of most names
// move).

// WatchOptions configure WatchUpdate.
type WatchOptions struct {
	// Full evaluates every party of Lists (every watchlist if empty), not
	// only those the changes can affect.
	Full  bool
	Lists []string
	// Emit, if set, is called with each alert once it is on disk, in the
	// order raised.
	Emit func(watch.Alert)
	// Workers evaluate parties at once; 0: GOMAXPROCS.
	Workers int
}

// WatchReport says what a WatchUpdate did.
type WatchReport struct {
	Changes  int `json:"changes"`  // change-log entries read
	Entities int `json:"entities"` // entities they touched, and merged or unmerged
	// Parties found to evaluate: pending (imported or changed), related to
	// a changed entity or near one, possibly matching one by name or
	// identifier, or all of them (Full).
	Pending   int  `json:"pending"`
	Related   int  `json:"related"`
	Candidate int  `json:"candidates"`
	Full      bool `json:"full"`
	// FullReason says why a full evaluation was run without being asked
	// for (too many changed entities to look their names up one by one).
	FullReason string        `json:"fullReason,omitempty"`
	Evaluated  int           `json:"evaluated"`
	Written    int           `json:"written"` // states that changed (written)
	Alerts     int           `json:"alerts"`
	Failed     int           `json:"failed"` // parties whose evaluation failed (logged; evaluated again next time)
	Took       time.Duration `json:"took"`
}

// Bounds of the choice of parties to evaluate.
const (
	// maxWithin bounds the entities a change reaches (Within); past it
	// every party is evaluated.
	maxWithin = 2_000_000
	// watchBatch is the number of parties written per transaction.
	watchBatch = 64
)

// WatchUpdate evaluates again the parties the changes since the last
// evaluation can affect (or every party, with opt.Full), writes the states
// that changed with their alerts, and then forgets the changes. A crash
// in between loses nothing: the changes are read again next time, and a
// party whose state is already written raises nothing twice. It holds the
// store's ingest lock (no run interleaves) and needs the graph index.
func (s *Store) WatchUpdate(ctx context.Context, opt WatchOptions) (*WatchReport, error) {
	start := time.Now()
	if s.opt.ReadOnly {
		return nil, fmt.Errorf("watch: %w: store opened read-only", graph.ErrInvalid)
	}
	if s.Index() == nil {
		return nil, fmt.Errorf("watch: %w", errNoIndex)
	}
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	s.runMu.Lock()
	defer s.runMu.Unlock()
	rep := &WatchReport{Full: opt.Full}
	c, err := s.watchCache(ctx)
	if err != nil {
		return nil, err
	}
	for _, l := range opt.Lists {
		if c.lists[l] == nil {
			return nil, fmt.Errorf("watch: %w: no watchlist %q", graph.ErrNotFound, l)
		}
	}
	entries, err := s.readChanges(ctx)
	if err != nil {
		return nil, err
	}
	rep.Changes = len(entries)
	merges, mergedIDs, err := s.mergesSince(ctx)
	if err != nil {
		return nil, err
	}
	nodes := s.indexNodes()
	prevNodes, err := s.watchMeta(ctx, "nodes")
	if err != nil {
		return nil, err
	}
	todo, cause, err := s.chooseParties(ctx, c, entries, mergedIDs, grown(prevNodes, nodes), opt, rep)
	if err != nil {
		return nil, err
	}
	if err := s.evaluateParties(ctx, c, todo, opt, rep); err != nil {
		return nil, err
	}
	_ = cause
	// Everything the changes led to is written: make it durable, then
	// forget them.
	if err := s.db.Sync(); err != nil {
		return nil, fmt.Errorf("watch: %w", badgerErr(err))
	}
	if rep.Failed == 0 {
		if err := s.dropChanges(entries); err != nil {
			return nil, err
		}
		if err := s.setWatchMeta("merges", merges); err != nil {
			return nil, err
		}
		if err := s.setWatchMeta("nodes", binary.BigEndian.AppendUint64(nil, uint64(nodes))); err != nil {
			return nil, err
		}
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// CheckWatchlists is WatchUpdate of the changes since the last check: it
// returns the parties evaluated and the alerts raised.
func (s *Store) CheckWatchlists(ctx context.Context) (evaluated, alerts int, err error) {
	rep, err := s.WatchUpdate(ctx, WatchOptions{})
	if err != nil {
		return 0, 0, err
	}
	return rep.Evaluated, rep.Alerts, nil
}

// job is a party to evaluate and why.
type job struct {
	k     pkey
	cause watch.Cause
}

// chooseParties returns the parties to evaluate, each with its cause.
// If grown is not "", every party is evaluated, for that reason (see
// grown).
func (s *Store) chooseParties(ctx context.Context, c *watchCache, entries []changeEntry, merged []uuid.UUID, grown string, opt WatchOptions, rep *WatchReport) ([]job, watch.Cause, error) {
	var change watch.Cause
	var ids []uuid.UUID
	seen := map[uuid.UUID]bool{}
	runs := map[uint64]bool{}
	for _, e := range entries {
		if e.cause.run != 0 && !runs[e.cause.run] {
			runs[e.cause.run] = true
		}
		if e.cause.audit != 0 && !slices.Contains(change.Audits, e.cause.audit) && len(change.Audits) < 50 {
			change.Audits = append(change.Audits, e.cause.audit)
		}
		for _, id := range e.ids {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	for _, id := range merged {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	rep.Entities = len(ids)
	if len(runs) > 0 {
		change.Kinds = append(change.Kinds, "ingest")
		infos, err := s.Runs(ctx)
		if err != nil {
			return nil, change, err
		}
		for _, r := range infos {
			if runs[r.ID] && len(change.Runs) < 50 {
				change.Runs = append(change.Runs, watch.Run{ID: r.ID, Source: r.Source})
			}
		}
	}
	if len(change.Audits) > 0 {
		change.Kinds = append(change.Kinds, "finding")
	}
	if len(merged) > 0 {
		change.Kinds = append(change.Kinds, "merge")
	}
	inLists := func(k pkey) bool { return len(opt.Lists) == 0 || slices.Contains(opt.Lists, k.list) }
	causes := map[pkey]*watch.Cause{}
	add := func(k pkey, kind string, base *watch.Cause) {
		cs := causes[k]
		if cs == nil {
			cs = &watch.Cause{}
			causes[k] = cs
		}
		if base != nil {
			cs.Kinds = append(cs.Kinds, base.Kinds...)
			cs.Runs, cs.Audits = base.Runs, base.Audits
		} else if !slices.Contains(cs.Kinds, kind) {
			cs.Kinds = append(cs.Kinds, kind)
		}
	}
	for k, cp := range c.parties {
		if cp.input != cp.stateInput {
			add(k, "import", nil)
			rep.Pending++
		}
	}
	full := opt.Full
	var affected map[pkey]bool
	if !full && len(ids) > 0 && grown != "" {
		full, rep.FullReason = true, grown
	}
	if !full && len(ids) > 0 {
		var why string
		var err error
		affected, why, err = s.affectedBy(ctx, c, ids, rep)
		if err != nil {
			return nil, change, err
		}
		if why != "" {
			full, rep.FullReason = true, why
		}
	}
	for k := range c.parties {
		switch {
		case full && inLists(k):
			if opt.Full {
				add(k, "full", nil)
			} else {
				add(k, "", &change)
			}
		case affected[k]:
			add(k, "", &change)
		}
	}
	jobs := make([]job, 0, len(causes))
	for k, cs := range causes {
		slices.Sort(cs.Kinds)
		cs.Kinds = slices.Compact(cs.Kinds)
		jobs = append(jobs, job{k: k, cause: *cs})
	}
	// In order of watchlist and ref: a re-run after a crash takes the
	// same parties in the same order.
	sort.Slice(jobs, func(i, j int) bool {
		if jobs[i].k.list != jobs[j].k.list {
			return jobs[i].k.list < jobs[j].k.list
		}
		return jobs[i].k.ref < jobs[j].k.ref
	})
	return jobs, change, nil
}

// indexNodes returns the number of entities the graph index numbers: the
// total the word weights of screening are computed over.
func (s *Store) indexNodes() (n int) {
	s.Index().ReadNames(func(ns index.Names) { n = ns.Nodes() })
	return n
}

// grown says why every party is to be evaluated when the graph grew by
// more than a tenth since the last evaluation, which recorded prev (its
// node count, 8 bytes; nil before the first): the word weights of most
// names then moved, and a score may cross the threshold against an
// entity no change touched. It returns "" otherwise.
//
// Measured on OFAC 2021 + UN to OFAC 2024 (10,062 entities to 16,944) with
// 12,000 parties, checked incrementally: 15 parties kept a state a full
// evaluation changes, by hits on entities no change touched, gained or
// lost, scoring 0.80 to 0.82 (2 parties when every name candidate of a
// merged party was evaluated, scored or not). After OFAC deltas of up to
// 2,000 entries, which add no entity, none did.
func grown(prev []byte, now int) string {
	if len(prev) != 8 {
		return ""
	}
	was := int(binary.BigEndian.Uint64(prev))
	if was <= 0 || now-was <= was/10 {
		return ""
	}
	return fmt.Sprintf("the graph grew from %d to %d entities since the last check, by more than a tenth: the word weights of most names moved", was, now)
}

// affectedBy returns the parties that changes to ids can affect, or a
// reason to evaluate every party instead.
func (s *Store) affectedBy(ctx context.Context, c *watchCache, ids []uuid.UUID, rep *WatchReport) (map[pkey]bool, string, error) {
	if len(ids) > len(c.parties) {
		// Looking up the names of each changed entity costs about what
		// screening a party does.
		return nil, fmt.Sprintf("%d entities changed, more than the %d parties watched", len(ids), len(c.parties)), nil
	}
	out := map[pkey]bool{}
	parties := s.parties()
	var seeds []uuid.UUID
	for _, id := range ids {
		seeds = append(seeds, id)
		if cid := parties.Canonical(id); cid != id {
			seeds = append(seeds, cid)
		}
	}
	related := func(id uuid.UUID) {
		for _, k := range c.related[id] {
			if !out[k] {
				out[k] = true
				rep.Related++
			}
		}
	}
	for _, id := range seeds {
		related(id)
	}
	near, truncated, err := s.Index().Within(ctx, seeds, c.maxHops(), maxWithin)
	if err != nil {
		return nil, "", err
	}
	if truncated {
		return nil, fmt.Sprintf("the changes reach more than %d entities within %d hops", maxWithin, c.maxHops()), nil
	}
	// Near a change: the parties it is within the hops of an anchor of.
	for _, id := range near {
		for _, k := range c.anchored[id] {
			if !out[k] {
				out[k] = true
				rep.Related++
			}
		}
	}
	// Names and identifiers of the changed entities, as they are now, and
	// the record screening scores each one's party by.
	type look struct {
		members []uuid.UUID
		names   []string
		ids     []string
		rec     *screen.Record
	}
	var looks []look
	err = s.View(ctx, func(tx *Tx) error {
		done := map[uuid.UUID]bool{}
		for _, id := range seeds {
			cid := tx.parties.Canonical(id)
			if done[cid] {
				continue
			}
			done[cid] = true
			e, err := tx.Entity(cid)
			if errors.Is(err, graph.ErrNotFound) {
				continue // deleted: the parties resting on it are related
			}
			if err != nil {
				return err
			}
			if e.IsDesignator() {
				continue
			}
			l := look{members: tx.parties.Members(cid), names: watch.StrongNames(e)}
			for _, x := range e.Identifiers() {
				l.ids = append(l.ids, graph.IdentifierKey(x.Value))
			}
			looks = append(looks, l)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	ss, err := s.screenState()
	if err != nil {
		return nil, "", err
	}
	// The records are screening's own (screenPrepared): one per member,
	// merged for a merged party, none for a record that is not screenable.
	kept := looks[:0]
	for _, l := range looks {
		recs, err := s.screenRecords(ctx, ss, l.members)
		if err != nil {
			return nil, "", err
		}
		var mine []*screen.Record
		for _, r := range recs {
			if r != nil {
				mine = append(mine, r)
			}
		}
		if len(mine) == 0 {
			continue // screening scores none of its records
		}
		l.rec = screen.MergeRecords(mine)
		kept = append(kept, l)
	}
	looks = kept
	// The name look-up is wide (any word alike, for each name): first
	// the parties it finds for each entity (out is only read meanwhile),
	// then, once for each party found and not chosen yet, whether
	// screening would score it near its threshold against one of those
	// entities as they are now. Most are far from it, and scoring one
	// costs about a twentieth of evaluating it (0.1 ms against 2 ms in
	// BenchmarkWatchDelta).
	var mu sync.Mutex
	found := map[pkey][]int32{} // party -> the looks that found it
	err = parallel(ctx, len(looks), 0, func(i int) error {
		l := looks[i]
		var ks []pkey
		seen := map[pkey]bool{}
		for _, n := range l.names {
			cands, _, err := c.candidates(ctx, n)
			if err != nil {
				return err
			}
			for _, k := range cands {
				if !seen[k] && !out[k] {
					seen[k] = true
					ks = append(ks, k)
				}
			}
		}
		mu.Lock()
		for _, k := range ks {
			found[k] = append(found[k], int32(i))
		}
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	keys := make([]pkey, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	match := make([]bool, len(keys))
	err = parallel(ctx, len(keys), 0, func(i int) error {
		var recs []*screen.Record
		for _, j := range found[keys[i]] {
			recs = append(recs, looks[j].rec)
		}
		match[i] = c.mayMatch(keys[i], recs, ss.sc)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	add := func(k pkey) {
		if !out[k] {
			out[k] = true
			rep.Candidate++
		}
	}
	for i, k := range keys {
		if match[i] {
			add(k)
		}
	}
	// An identifier is an exact match: no scoring.
	for _, l := range looks {
		for _, key := range l.ids {
			for _, k := range c.idents[key] {
				add(k)
			}
		}
	}
	return out, "", nil
}

// parallel calls fn(i) for i in [0, n) on workers goroutines (0:
// GOMAXPROCS) and returns the first error.
func parallel(ctx context.Context, n, workers int, fn func(i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	var next int
	var mu sync.Mutex
	var first error
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := first != nil
				mu.Unlock()
				if i >= n || stop {
					return
				}
				if err := ctx.Err(); err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					first = cmpErr(first, err)
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// result is an evaluated party on its way to the writer.
type result struct {
	job
	input string
	state *watch.State
}

// evaluateParties evaluates the jobs on the workers and writes the
// results in batches from one goroutine (this one), so that alert ids
// follow the order of writing.
func (s *Store) evaluateParties(ctx context.Context, c *watchCache, jobs []job, opt WatchOptions, rep *WatchReport) error {
	if len(jobs) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	src := watchSource{s}
	results := make(chan result, 4*watchBatch)
	var evalErr error
	var failed []pkey
	var mu sync.Mutex
	go func() {
		defer close(results)
		err := parallel(ctx, len(jobs), opt.Workers, func(i int) error {
			j := jobs[i]
			cp := c.parties[j.k]
			wl := c.lists[j.k.list]
			if cp == nil || wl == nil {
				return nil
			}
			st, err := watch.Evaluate(ctx, src, wl.Settings, &cp.party, time.Now())
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				s.log.Error("watch: evaluating a party failed", "watchlist", j.k.list, "ref", j.k.ref, "err", err)
				mu.Lock()
				failed = append(failed, j.k)
				mu.Unlock()
				return nil
			}
			select {
			case results <- result{job: j, input: cp.input, state: st}:
			case <-ctx.Done():
				return ctx.Err()
			}
			return nil
		})
		mu.Lock()
		evalErr = err
		mu.Unlock()
	}()
	var batch []result
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.writeStates(ctx, c, batch, opt.Emit, rep)
		batch = batch[:0]
		return err
	}
	for r := range results {
		rep.Evaluated++
		batch = append(batch, r)
		if len(batch) == watchBatch || len(results) == 0 {
			if err := flush(); err != nil {
				cancel()
				for range results {
				}
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	rep.Failed = len(failed)
	return evalErr
}

// writeStates writes a batch of evaluated parties in one transaction:
// each state that changed, with the alerts of the change. A decision on
// one of the parties committed meanwhile makes the transaction conflict;
// it is then written again from the parties as they are now.
func (s *Store) writeStates(ctx context.Context, c *watchCache, batch []result, emit func(watch.Alert), rep *WatchReport) error {
	if !s.watch.alertLoaded {
		last, err := s.LastAlert(ctx)
		if err != nil {
			return err
		}
		s.watch.alertSeq, s.watch.alertLoaded = last, true
	}
	var seq uint64
	var alerts []watch.Alert
	var states []result
	err := retryConflicts(ctx, func() error {
		seq, alerts, states = s.watch.alertSeq, nil, nil
		txn := s.db.NewTransaction(true)
		defer txn.Discard()
		return func() error {
			tx := &Tx{txn: txn, ctx: ctx}
			for _, r := range batch {
				key := partyKey(r.k.list, r.k.ref)
				v, err := tx.value(key)
				if err != nil {
					return err
				}
				if v == nil {
					continue // removed since
				}
				wp, err := decodeParty(v)
				if err != nil {
					return err
				}
				if wp.Input != r.input {
					continue // changed since: evaluated again next time
				}
				if sameState(wp.State, r.state) {
					continue
				}
				now := r.state.Evaluated
				changes := watch.Diff(wp.State, r.state, wp.Dismissed)
				// A party under a new id keeps what was dismissed of it.
				for sa, sb := range watch.Renames(wp.State, r.state) {
					if d, ok := wp.Dismissed[sb]; ok {
						delete(wp.Dismissed, sb)
						wp.Dismissed[sa] = d
					}
				}
				for _, ch := range changes {
					seq++
					a := watch.NewAlert(r.k.list, &wp.Party, ch, r.cause, now)
					a.ID = seq
					av, err := json.Marshal(a)
					if err != nil {
						return err
					}
					if err := txn.Set(alertKey(a.ID), av); err != nil {
						return err
					}
					alerts = append(alerts, a)
				}
				wp.State = r.state
				pv, err := json.Marshal(wp)
				if err != nil {
					return err
				}
				if err := txn.Set(key, pv); err != nil {
					return err
				}
				states = append(states, r)
			}
			return txn.Commit()
		}()
	})
	if err != nil {
		return fmt.Errorf("watch: write states: %w", dbErr(err))
	}
	s.watch.alertSeq = seq
	for _, r := range states {
		c.setState(r.k, r.state)
	}
	rep.Written += len(states)
	rep.Alerts += len(alerts)
	if len(alerts) > 0 {
		// Acknowledged means on disk.
		if err := s.db.Sync(); err != nil {
			return fmt.Errorf("watch: %w", badgerErr(err))
		}
		if emit != nil {
			for _, a := range alerts {
				emit(a)
			}
		}
	}
	return nil
}

// sameState reports whether two states say the same, apart from when
// they were found.
func sameState(a, b *watch.State) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	x.Evaluated, y.Evaluated = time.Time{}, time.Time{}
	bx, err1 := json.Marshal(x)
	by, err2 := json.Marshal(y)
	return err1 == nil && err2 == nil && bytes.Equal(bx, by)
}

// mergesSince returns the same-as links as they are now (to record once
// evaluated) and the entities of the links added or removed since the
// links last recorded.
func (s *Store) mergesSince(ctx context.Context) ([]byte, []uuid.UUID, error) {
	var now []byte
	err := s.View(ctx, func(tx *Tx) error {
		return tx.keys([]byte{tagSame}, func(k []byte) error {
			now = append(now, k[1:]...)
			return nil
		})
	})
	if err != nil {
		return nil, nil, err
	}
	prev, err := s.watchMeta(ctx, "merges")
	if err != nil {
		return nil, nil, err
	}
	if prev == nil {
		return now, nil, nil // the first evaluation: every party is new to it
	}
	pairs := func(b []byte) map[[2 * idLen]byte]bool {
		m := map[[2 * idLen]byte]bool{}
		for i := 0; i+2*idLen <= len(b); i += 2 * idLen {
			m[[2 * idLen]byte(b[i:i+2*idLen])] = true
		}
		return m
	}
	a, b := pairs(prev), pairs(now)
	var ids []uuid.UUID
	for p := range a {
		if !b[p] {
			ids = append(ids, uuid.UUID(p[:idLen]), uuid.UUID(p[idLen:]))
		}
	}
	for p := range b {
		if !a[p] {
			ids = append(ids, uuid.UUID(p[:idLen]), uuid.UUID(p[idLen:]))
		}
	}
	return now, ids, nil
}

// watchSource is what watch.Evaluate reads: the store, and the
// designations of an entity.
type watchSource struct{ s *Store }

func (w watchSource) Screen(ctx context.Context, q screen.Query) (*screen.Result, error) {
	return w.s.Screen(ctx, q)
}

func (w watchSource) Nearest(ctx context.Context, q graph.NearestQuery) (*graph.PathResult, error) {
	return w.s.Nearest(ctx, q)
}

func (w watchSource) OwnershipExposure(ctx context.Context, q exposure.Query) (*exposure.Result, error) {
	return w.s.OwnershipExposure(ctx, q)
}

func (w watchSource) Resolve(ctx context.Context, ref string) (uuid.UUID, error) {
	return w.s.Resolve(ctx, ref)
}

func (w watchSource) Entity(ctx context.Context, id uuid.UUID) (*graph.Entity, error) {
	return w.s.Entity(ctx, id)
}

func (w watchSource) Members(id uuid.UUID) []uuid.UUID { return w.s.parties().Members(id) }

func (w watchSource) Designations(ctx context.Context, id uuid.UUID) (ds []graph.Designation, err error) {
	err = w.s.View(ctx, func(tx *Tx) error {
		ds, err = (&exposureData{tx: tx, designators: map[uuid.UUID]*graph.Entity{}}).Designations(ctx, id)
		return err
	})
	return ds, err
}

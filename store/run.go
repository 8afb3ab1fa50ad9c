package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// RunState is the life-cycle state of an ingest run.
type RunState string

const (
	RunApplying   RunState = "applying"
	RunCommitted  RunState = "committed"
	RunRolledBack RunState = "rolled-back"
)

// RunCounts counts what a run did to records.
type RunCounts struct {
	Added     int `json:"added"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Deleted   int `json:"deleted"`
	Missing   int `json:"missing"` // deletions of records the store did not hold
}

func (c *RunCounts) add(o graph.Outcome) {
	switch o {
	case graph.Added:
		c.Added++
	case graph.Updated:
		c.Updated++
	case graph.Unchanged:
		c.Unchanged++
	case graph.Deleted:
		c.Deleted++
	case graph.Missing:
		c.Missing++
	}
}

// RunInfo is the persisted description of an ingest run (key g<run>).
type RunInfo struct {
	ID       uint64    `json:"id"`
	Source   string    `json:"source"` // what was ingested, e.g. file names
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished,omitzero"`
	State    RunState  `json:"state"`
	Counts   RunCounts `json:"counts"`
	Error    string    `json:"error,omitempty"`
}

// Run is an ingest run: a sequence of Apply calls that lands as a whole
// (Commit) or not at all (Rollback, a failure, or a crash).
//
// Each Record is applied in one Badger transaction together with an undo
// entry holding the record's previous state, so the store never holds half
// a record. Rollback replays the undo entries newest first. If the process
// dies during a run, the next Open finds the run still "applying" and rolls
// it back. Only one run can be open at a time; BeginRun waits for the
// previous one.
type Run struct {
	s    *Store
	info RunInfo
	seq  uint64
	done bool
}

// BeginRun starts an ingest run described by source (file names, say).
func (s *Store) BeginRun(ctx context.Context, source string) (*Run, error) {
	if s.opt.ReadOnly {
		return nil, fmt.Errorf("begin ingest: %w: store opened read-only", graph.ErrInvalid)
	}
	s.runMu.Lock()
	var last uint64
	err := s.db.View(func(txn *badger.Txn) error {
		io := badger.DefaultIteratorOptions
		io.PrefetchValues, io.Reverse, io.Prefix = false, true, []byte{tagRun}
		it := txn.NewIterator(io)
		defer it.Close()
		it.Seek([]byte{tagRun, 0xff})
		if it.ValidForPrefix([]byte{tagRun}) {
			id, err := parseRunKey(it.Item().Key())
			if err != nil {
				return err
			}
			last = id
		}
		return nil
	})
	if err != nil {
		s.runMu.Unlock()
		return nil, fmt.Errorf("begin ingest: %s", badgerMessage(err))
	}
	r := &Run{s: s, info: RunInfo{ID: last + 1, Source: source, Started: time.Now().UTC(), State: RunApplying}}
	if err := r.saveInfo(); err != nil {
		s.runMu.Unlock()
		return nil, err
	}
	return r, nil
}

// ID returns the run's number.
func (r *Run) ID() uint64 { return r.info.ID }

// Counts returns what the run has done so far.
func (r *Run) Counts() RunCounts { return r.info.Counts }

func (r *Run) saveInfo() error {
	b, err := json.Marshal(r.info)
	if err != nil {
		return err
	}
	if err := r.s.db.Update(func(txn *badger.Txn) error { return txn.Set(runKey(r.info.ID), b) }); err != nil {
		return fmt.Errorf("save ingest run %d: %s", r.info.ID, badgerMessage(err))
	}
	return nil
}

// maxBatchRecords bounds one transaction. Badger refuses a transaction
// bigger than a share of its memtable (ErrTxnTooBig); a batch that hits it
// is split in two and retried.
const maxBatchRecords = 2000

// Apply applies recs in order and returns what happened to each. Each
// record lands whole or not at all; a returned error means the records from
// the failing one on were not applied (the run should then be rolled back).
func (r *Run) Apply(ctx context.Context, recs []graph.Record) ([]graph.Outcome, error) {
	if r.done {
		return nil, fmt.Errorf("apply: run %d is finished", r.info.ID)
	}
	outs := make([]graph.Outcome, len(recs))
	for i := 0; i < len(recs); i += maxBatchRecords {
		if err := ctx.Err(); err != nil {
			return outs, err
		}
		j := min(i+maxBatchRecords, len(recs))
		if err := r.applyBatch(recs[i:j], outs[i:j]); err != nil {
			return outs, err
		}
	}
	for _, o := range outs {
		r.info.Counts.add(o)
	}
	return outs, nil
}

func (r *Run) applyBatch(recs []graph.Record, outs []graph.Outcome) error {
	for attempt := 0; ; attempt++ {
		seq := r.seq
		err := r.tryBatch(recs, outs, &seq)
		switch {
		case err == nil:
			r.seq = seq
			return nil
		case errors.Is(err, badger.ErrTxnTooBig) && len(recs) > 1:
			h := len(recs) / 2
			if err := r.applyBatch(recs[:h], outs[:h]); err != nil {
				return err
			}
			return r.applyBatch(recs[h:], outs[h:])
		case errors.Is(err, badger.ErrTxnTooBig):
			return fmt.Errorf("record %q is too large to store in one transaction", recs[0].Ref)
		case errors.Is(err, badger.ErrConflict) && attempt < 10:
			continue // a concurrent writer touched the same keys: redo the batch
		default:
			return fmt.Errorf("apply records: %s", badgerMessage(err))
		}
	}
}

func (r *Run) tryBatch(recs []graph.Record, outs []graph.Outcome, seq *uint64) error {
	txn := r.s.db.NewTransaction(true)
	defer txn.Discard()
	w := writer{txn: txn, run: r.info.ID, seq: seq}
	for i := range recs {
		o, err := w.apply(&recs[i])
		if err != nil {
			return err
		}
		outs[i] = o
	}
	return txn.Commit()
}

// Commit makes the run permanent and removes its undo journal.
func (r *Run) Commit(ctx context.Context) error {
	if r.done {
		return fmt.Errorf("commit: run %d is finished", r.info.ID)
	}
	r.done = true
	defer r.s.runMu.Unlock()
	r.info.State, r.info.Finished = RunCommitted, time.Now().UTC()
	if err := r.saveInfo(); err != nil {
		return err
	}
	if err := r.s.db.Sync(); err != nil {
		return fmt.Errorf("commit run %d: %s", r.info.ID, badgerMessage(err))
	}
	return r.s.dropJournal(r.info.ID)
}

// Rollback undoes everything the run applied; cause (may be nil) is
// recorded with the run.
func (r *Run) Rollback(ctx context.Context, cause error) error {
	if r.done {
		return nil
	}
	r.done = true
	defer r.s.runMu.Unlock()
	if cause != nil {
		r.info.Error = cause.Error()
	}
	return r.s.rollback(&r.info)
}

// rollback replays the undo journal of run newest first, then marks the
// run rolled back and drops the journal.
func (s *Store) rollback(info *RunInfo) error {
	prefix := undoPrefix(info.ID)
	for {
		// Take entries from the end in chunks; each chunk is restored in
		// one transaction and its entries deleted in the same one, so a
		// crash during rollback resumes where it stopped.
		var entries []undoEntry
		var keys [][]byte
		err := s.db.View(func(txn *badger.Txn) error {
			io := badger.DefaultIteratorOptions
			io.Reverse, io.Prefix = true, prefix
			it := txn.NewIterator(io)
			defer it.Close()
			for it.Seek(append(append([]byte(nil), prefix...), 0xff)); it.ValidForPrefix(prefix) && len(entries) < 500; it.Next() {
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					return err
				}
				u, err := decodeUndo(v)
				if err != nil {
					return fmt.Errorf("undo entry %x: %w", it.Item().Key(), err)
				}
				entries = append(entries, u)
				keys = append(keys, it.Item().KeyCopy(nil))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("roll back run %d: %s", info.ID, badgerMessage(err))
		}
		if len(entries) == 0 {
			break
		}
		err = s.db.Update(func(txn *badger.Txn) error {
			w := writer{txn: txn}
			for i, u := range entries {
				if err := w.restore(u); err != nil {
					return err
				}
				if err := txn.Delete(keys[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("roll back run %d: %s", info.ID, badgerMessage(err))
		}
	}
	info.State, info.Finished = RunRolledBack, time.Now().UTC()
	b, _ := json.Marshal(info)
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(runKey(info.ID), b) }); err != nil {
		return fmt.Errorf("roll back run %d: %s", info.ID, badgerMessage(err))
	}
	return s.db.Sync()
}

// dropJournal deletes the undo entries of a finished run.
func (s *Store) dropJournal(run uint64) error {
	prefix := undoPrefix(run)
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	err := s.db.View(func(txn *badger.Txn) error {
		io := badger.DefaultIteratorOptions
		io.PrefetchValues, io.Prefix = false, prefix
		it := txn.NewIterator(io)
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			if err := wb.Delete(it.Item().KeyCopy(nil)); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		err = wb.Flush()
	}
	if err != nil {
		return fmt.Errorf("drop undo journal of run %d: %s", run, badgerMessage(err))
	}
	return nil
}

// recover rolls back runs left "applying" by a crash and drops journals
// left behind by committed runs.
func (s *Store) recover(ctx context.Context) error {
	runs, err := s.Runs(ctx)
	if err != nil {
		return err
	}
	for i := range runs {
		info := &runs[i]
		switch info.State {
		case RunApplying:
			if s.opt.ReadOnly {
				return fmt.Errorf("open store: ingest run %d (%s) did not finish; open the store read-write once to roll it back", info.ID, info.Source)
			}
			s.log.Warn("rolling back unfinished ingest run", "run", info.ID, "source", info.Source)
			info.Error = "interrupted: the process stopped before the run finished"
			if err := s.rollback(info); err != nil {
				return err
			}
		case RunCommitted, RunRolledBack:
			if !s.opt.ReadOnly {
				if err := s.dropJournal(info.ID); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Runs lists the ingest runs, oldest first.
func (s *Store) Runs(ctx context.Context) ([]RunInfo, error) {
	var out []RunInfo
	err := s.db.View(func(txn *badger.Txn) error {
		io := badger.DefaultIteratorOptions
		io.Prefix = []byte{tagRun}
		it := txn.NewIterator(io)
		defer it.Close()
		for it.Seek(io.Prefix); it.ValidForPrefix(io.Prefix); it.Next() {
			var info RunInfo
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &info) }); err != nil {
				return fmt.Errorf("run %x: %w", it.Item().Key(), err)
			}
			out = append(out, info)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list ingest runs: %s", badgerMessage(err))
	}
	return out, nil
}

// writer applies records inside one Badger transaction.
type writer struct {
	txn *badger.Txn
	run uint64
	seq *uint64 // next undo sequence number; nil when restoring
}

// newItem is an item to write with its value and decoded form.
type newItem struct {
	item
	val []byte
	ent *graph.Entity       // node or held document
	rel *graph.Relationship // relationship
}

func (w *writer) apply(rec *graph.Record) (graph.Outcome, error) {
	if rec.Delete {
		return w.deleteRecord(rec.Ref)
	}
	for i := range rec.Ensure {
		e := &rec.Ensure[i]
		if err := w.ensure(e.Ref, func() ([]newItem, error) { return entityItems(e) }); err != nil {
			return 0, err
		}
	}
	for i := range rec.EnsureRelationships {
		rel := &rec.EnsureRelationships[i]
		if err := w.ensure(rel.Ref, func() ([]newItem, error) { return relItems([]graph.Relationship{*rel}) }); err != nil {
			return 0, err
		}
	}
	items, err := recordItems(rec)
	if err != nil {
		return 0, err
	}
	return w.put(rec.Ref, items)
}

func recordItems(rec *graph.Record) ([]newItem, error) {
	var items []newItem
	if rec.Entity != nil {
		it, err := entityItems(rec.Entity)
		if err != nil {
			return nil, err
		}
		items = append(items, it...)
	}
	if rec.Held != nil {
		h := rec.Held
		if h.ID == uuid.Nil {
			h.ID = graph.KeyFor(h.Ref)
		}
		v, err := encodeEntity(h)
		if err != nil {
			return nil, err
		}
		for _, holder := range rec.Holders {
			items = append(items, newItem{item: item{tag: tagHeld, id: h.ID, holder: graph.KeyFor(holder)}, val: v, ent: h})
		}
	}
	rels, err := relItems(rec.Relationships)
	if err != nil {
		return nil, err
	}
	return append(items, rels...), nil
}

func entityItems(e *graph.Entity) ([]newItem, error) {
	if e.ID == uuid.Nil {
		e.ID = graph.KeyFor(e.Ref)
	}
	v, err := encodeEntity(e)
	if err != nil {
		return nil, err
	}
	return []newItem{{item: item{tag: tagNode, id: e.ID}, val: v, ent: e}}, nil
}

func relItems(rels []graph.Relationship) ([]newItem, error) {
	out := make([]newItem, 0, len(rels))
	for i := range rels {
		r := &rels[i]
		if r.ID == uuid.Nil {
			r.ID = graph.KeyFor(r.Ref)
		}
		if r.Source == uuid.Nil {
			r.Source = graph.KeyFor(r.SourceRef)
		}
		if r.Target == uuid.Nil {
			r.Target = graph.KeyFor(r.TargetRef)
		}
		v, err := encodeRelationship(r)
		if err != nil {
			return nil, err
		}
		out = append(out, newItem{item: item{tag: tagOut, edge: edgeLoc{Src: r.Source, Dst: r.Target, ID: r.ID, Rel: r.Kind}}, val: v, rel: r})
	}
	return out, nil
}

// ensure writes the items of ref only if no record with ref exists.
func (w *writer) ensure(ref string, build func() ([]newItem, error)) error {
	_, err := w.txn.Get(manifestKey(ref))
	if err == nil {
		return nil
	}
	if !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	items, err := build()
	if err != nil {
		return err
	}
	_, err = w.put(ref, items)
	return err
}

// get returns a copy of the value of key, or nil if it is absent.
func (w *writer) get(key []byte) ([]byte, error) {
	it, err := w.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return it.ValueCopy(nil)
}

// current reads the manifest of ref and the values of its items.
func (w *writer) current(ref string) (man []byte, items []item, vals [][]byte, err error) {
	man, err = w.get(manifestKey(ref))
	if err != nil || man == nil {
		return nil, nil, nil, err
	}
	items, err = decodeManifest(man)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("record %q: %w", ref, err)
	}
	vals = make([][]byte, len(items))
	for i, it := range items {
		if vals[i], err = w.get(it.key()); err != nil {
			return nil, nil, nil, err
		}
	}
	return man, items, vals, nil
}

func (w *writer) put(ref string, items []newItem) (graph.Outcome, error) {
	plain := make([]item, len(items))
	for i, it := range items {
		plain[i] = it.item
	}
	newMan := encodeManifest(plain)
	oldMan, oldItems, oldVals, err := w.current(ref)
	if err != nil {
		return 0, err
	}
	if oldMan != nil && bytes.Equal(oldMan, newMan) {
		same := true
		for i := range items {
			if !bytes.Equal(oldVals[i], items[i].val) {
				same = false
				break
			}
		}
		if same {
			return graph.Unchanged, nil
		}
	}
	if err := w.journal(undoEntry{ref: ref, manifest: oldMan, values: oldVals}); err != nil {
		return 0, err
	}
	for i, it := range oldItems {
		if err := w.deleteItem(it, oldVals[i]); err != nil {
			return 0, err
		}
	}
	for _, it := range items {
		if err := w.writeItem(it); err != nil {
			return 0, err
		}
	}
	if err := w.txn.Set(manifestKey(ref), newMan); err != nil {
		return 0, err
	}
	if oldMan == nil {
		return graph.Added, nil
	}
	return graph.Updated, nil
}

func (w *writer) deleteRecord(ref string) (graph.Outcome, error) {
	oldMan, oldItems, oldVals, err := w.current(ref)
	if err != nil {
		return 0, err
	}
	if oldMan == nil {
		return graph.Missing, nil
	}
	if err := w.journal(undoEntry{ref: ref, manifest: oldMan, values: oldVals}); err != nil {
		return 0, err
	}
	for i, it := range oldItems {
		if err := w.deleteItem(it, oldVals[i]); err != nil {
			return 0, err
		}
	}
	return graph.Deleted, w.txn.Delete(manifestKey(ref))
}

func (w *writer) journal(u undoEntry) error {
	if w.seq == nil {
		return nil
	}
	k := undoKey(w.run, *w.seq)
	*w.seq++
	return w.txn.Set(k, encodeUndo(u))
}

// restore puts the record u.ref back into the state u describes.
func (w *writer) restore(u undoEntry) error {
	_, curItems, curVals, err := w.current(u.ref)
	if err != nil {
		return err
	}
	for i, it := range curItems {
		if err := w.deleteItem(it, curVals[i]); err != nil {
			return err
		}
	}
	if u.manifest == nil {
		return w.txn.Delete(manifestKey(u.ref))
	}
	items, err := decodeManifest(u.manifest)
	if err != nil {
		return fmt.Errorf("undo %q: %w", u.ref, err)
	}
	if len(items) != len(u.values) {
		return fmt.Errorf("undo %q: %w", u.ref, errBadUndo)
	}
	for i, it := range items {
		if u.values[i] == nil {
			continue
		}
		ni, err := decodeItem(it, u.values[i])
		if err != nil {
			return err
		}
		if err := w.writeItem(ni); err != nil {
			return err
		}
	}
	return w.txn.Set(manifestKey(u.ref), u.manifest)
}

func decodeItem(it item, val []byte) (newItem, error) {
	ni := newItem{item: it, val: val}
	var err error
	switch it.tag {
	case tagNode, tagHeld:
		ni.ent, err = decodeEntity(it.id, val)
	case tagOut:
		ni.rel, err = decodeRelationship(it.edge, val)
	}
	return ni, err
}

func (w *writer) writeItem(it newItem) error {
	if err := w.txn.Set(it.key(), it.val); err != nil {
		return err
	}
	for _, k := range derivedKeys(it) {
		if err := w.txn.Set(k, nil); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) deleteItem(it item, val []byte) error {
	if err := w.txn.Delete(it.key()); err != nil {
		return err
	}
	if val == nil {
		return nil
	}
	ni, err := decodeItem(it, val)
	if err != nil {
		return err
	}
	for _, k := range derivedKeys(ni) {
		if err := w.txn.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// derivedKeys returns the index keys an item implies.
func derivedKeys(it newItem) [][]byte {
	switch it.tag {
	case tagOut:
		return [][]byte{inKey(it.edge)}
	case tagHeld:
		var out [][]byte
		for _, id := range it.ent.Identifiers() {
			if k := graph.IdentifierKey(id.Value); k != "" {
				out = append(out, identKey(k, it.holder, it.id))
			}
		}
		return out
	}
	e := it.ent
	out := [][]byte{kindKey(e.Schema, e.ID)}
	seen := map[string]bool{}
	for _, n := range e.Names() {
		if k := graph.NameKey(n); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, nameKey(k, e.ID))
		}
	}
	for _, id := range e.Identifiers() {
		if k := graph.IdentifierKey(id.Value); k != "" && !seen["\x00"+k] {
			seen["\x00"+k] = true
			out = append(out, identKey(k, e.ID))
		}
	}
	for _, r := range e.Referents {
		if r != "" && r != e.Ref {
			out = append(out, referentKey(r, e.ID))
		}
	}
	return out
}

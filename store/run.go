package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/dgraph-io/badger/v4"
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
	Missing   int `json:"missing"`                // deletions of records the store did not hold
	Kept      int `json:"keptFindings,omitempty"` // records naming findings, left as they were
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
	case graph.Kept:
		c.Kept++
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
	Undone   int       `json:"undone,omitempty"` // records a rollback restored
	Bulk     bool      `json:"bulk,omitempty"`   // loaded a fresh store in bulk (bulk.go)
	// Lists are the versions of official lists the run read.
	Lists []graph.ListVersion `json:"lists,omitempty"`
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
	s       *Store
	info    RunInfo
	seq     uint64
	done    bool
	pending *pendingCommit
	bulk    *bulkLoader // non-nil: the run loads a fresh store in bulk (bulk.go)
}

// BeginRun starts an ingest run described by source (file names, say).
// It waits while another run is open. Returns graph.ErrInvalid if the
// store was opened read-only.
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
		return nil, fmt.Errorf("begin ingest: %w", dbErr(err))
	}
	r := &Run{s: s, info: RunInfo{ID: last + 1, Source: source, Started: time.Now().UTC(), State: RunApplying}}
	if s.bulkPossible() {
		if r.bulk, err = newBulkLoader(s.dir); err != nil {
			s.runMu.Unlock()
			return nil, fmt.Errorf("begin ingest: %w", err)
		}
		r.info.Bulk = true
	}
	if err := r.saveInfo(); err != nil {
		s.runMu.Unlock()
		return nil, err
	}
	return r, nil
}

// RecordList notes that the run read version v of a list
// (ingest.ListRecorder); it is kept with the run when the run commits.
func (r *Run) RecordList(v graph.ListVersion) {
	v.Run = r.info.ID
	r.info.Lists = append(r.info.Lists, v)
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
		return fmt.Errorf("save ingest run %d: %w", r.info.ID, dbErr(err))
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
//
// The last batch may still be being written when Apply returns: Badger
// applies it while the caller reads on. Commit and the next Apply wait for
// it and report its error.
func (r *Run) Apply(ctx context.Context, recs []graph.Record) ([]graph.Outcome, error) {
	if r.done {
		return nil, fmt.Errorf("apply: run %d is finished", r.info.ID)
	}
	outs := make([]graph.Outcome, len(recs))
	preps, err := prepareAll(recs)
	if err != nil {
		return outs, err
	}
	if r.bulk != nil {
		if err := r.bulk.add(preps, outs); err != nil {
			return outs, fmt.Errorf("bulk load: %w", err)
		}
		for _, o := range outs {
			r.info.Counts.add(o)
		}
		return outs, ctx.Err()
	}
	for i := 0; i < len(preps); i += maxBatchRecords {
		if err := ctx.Err(); err != nil {
			return outs, err
		}
		j := min(i+maxBatchRecords, len(preps))
		if err := r.applyBatch(preps[i:j], outs[i:j], true); err != nil {
			return outs, err
		}
	}
	for _, o := range outs {
		r.info.Counts.add(o)
	}
	return outs, nil
}

// pendingCommit is a batch whose transaction Badger is still writing.
type pendingCommit struct {
	preps []*prepared
	ops   []indexOp
	done  chan error
}

// wait waits for the batch in flight. If it lost a conflict with a
// concurrent writer it is applied again (its outcomes were reported as
// first computed).
func (r *Run) wait() error {
	p := r.pending
	if p == nil {
		return nil
	}
	r.pending = nil
	err := <-p.done
	if err == nil {
		r.s.publish(p.ops)
	}
	r.s.commitMu.Unlock() // taken in tryBatch
	if errors.Is(err, badger.ErrConflict) {
		return r.applyBatch(p.preps, make([]graph.Outcome, len(p.preps)), false)
	}
	if err != nil {
		return fmt.Errorf("apply records: %w", badgerErr(err))
	}
	return nil
}

func (r *Run) applyBatch(preps []*prepared, outs []graph.Outcome, async bool) error {
	for attempt := 0; ; attempt++ {
		if err := r.wait(); err != nil {
			return err
		}
		seq := r.seq
		err := r.tryBatch(preps, outs, &seq, async)
		switch {
		case err == nil:
			r.seq = seq
			return nil
		case errors.Is(dbErr(err), errTooLarge) && len(preps) > 1:
			h := len(preps) / 2
			if err := r.applyBatch(preps[:h], outs[:h], async); err != nil {
				return err
			}
			return r.applyBatch(preps[h:], outs[h:], async)
		case errors.Is(dbErr(err), errTooLarge):
			return &graph.RefError{Ref: preps[0].ref, Err: dbErr(err)}
		case errors.Is(err, badger.ErrConflict) && attempt < 10:
			continue // a concurrent writer touched the same keys: redo the batch
		default:
			return fmt.Errorf("apply records: %w", dbErr(err))
		}
	}
}

func (r *Run) tryBatch(preps []*prepared, outs []graph.Outcome, seq *uint64, async bool) error {
	txn := r.s.db.NewTransaction(true)
	w := writer{txn: txn, journaling: true, tracking: r.s.Index() != nil || r.s.watchingNow(), keepFindings: r.s.hasFindings.Load()}
	for i, p := range preps {
		o, err := w.apply(p)
		if err != nil {
			txn.Discard()
			return err
		}
		outs[i] = o
	}
	if err := r.s.noteChanges(txn, w.ops, changeCause{run: r.info.ID}); err != nil {
		txn.Discard()
		return err
	}
	// One undo entry per transaction holds the old state of every record
	// the transaction changed: one key instead of one per record.
	if len(w.undo) > 0 {
		if err := txn.Set(undoKey(r.info.ID, *seq), w.undo); err != nil {
			txn.Discard()
			return err
		}
		*seq++
	}
	if !async {
		defer txn.Discard()
		return r.s.commit(txn, w.ops)
	}
	p := &pendingCommit{preps: preps, ops: w.ops, done: make(chan error, 1)}
	// Held until wait publishes the batch: no other graph write commits
	// between this one and its publication (index.go).
	r.s.commitMu.Lock()
	txn.CommitWith(func(err error) { p.done <- err })
	r.pending = p
	return nil
}

// Commit makes the run permanent and removes its undo journal. If the last
// batch of Apply failed, Commit rolls the run back and returns that error.
// A run that is already finished cannot be committed.
func (r *Run) Commit(ctx context.Context) error {
	if r.done {
		return fmt.Errorf("commit: run %d is finished", r.info.ID)
	}
	r.done = true
	defer r.s.runMu.Unlock()
	if r.bulk != nil {
		defer r.bulk.close()
		r.info.State, r.info.Finished = RunCommitted, time.Now().UTC()
		for i := range r.info.Lists {
			r.info.Lists[i].Ingested = r.info.Finished
		}
		// commitBulk writes this run info (with its list versions) among
		// the streamed keys.
		if err := r.commitBulk(ctx); err != nil {
			r.info.State, r.info.Error = RunApplying, err.Error()
			if rerr := r.s.recoverBulk(); rerr != nil {
				return fmt.Errorf("%w (and the rollback failed: %v)", err, rerr)
			}
			r.info.State, r.info.Finished = RunRolledBack, time.Now().UTC()
			r.saveInfo()
			return err
		}
		return nil
	}
	if err := r.wait(); err != nil {
		r.info.Error = err.Error()
		if rerr := r.s.rollback(&r.info); rerr != nil {
			return fmt.Errorf("%w (and the rollback failed: %v)", err, rerr)
		}
		return err
	}
	r.info.State, r.info.Finished = RunCommitted, time.Now().UTC()
	for i := range r.info.Lists {
		r.info.Lists[i].Ingested = r.info.Finished
	}
	if err := r.saveInfo(); err != nil {
		return err
	}
	if err := r.s.db.Sync(); err != nil {
		return fmt.Errorf("commit run %d: %w", r.info.ID, badgerErr(err))
	}
	return r.s.dropJournal(r.info.ID)
}

// Rollback undoes everything the run applied; cause (may be nil) is
// recorded with the run. On a finished run it does nothing.
func (r *Run) Rollback(ctx context.Context, cause error) error {
	if r.done {
		return nil
	}
	r.done = true
	defer r.s.runMu.Unlock()
	if r.bulk != nil {
		r.bulk.close() // nothing of the run is in Badger yet
	}
	r.wait() // its error does not matter: everything is undone
	if cause != nil {
		r.info.Error = cause.Error()
	}
	return r.s.rollback(&r.info)
}

// rollback replays the undo journal of run newest first, then marks the
// run rolled back and drops the journal.
func (s *Store) rollback(info *RunInfo) error {
	s.commitMu.Lock()
	defer s.commitMu.Unlock()
	prefix := undoPrefix(info.ID)
	for {
		// Take the newest journal key; restore its records newest first.
		// Its key is deleted in the transaction that restores its oldest
		// record, so a crash during rollback resumes where it stopped
		// (restoring a record to an old state twice is harmless).
		var key []byte
		var entries []undoEntry
		err := s.db.View(func(txn *badger.Txn) error {
			io := badger.DefaultIteratorOptions
			io.Reverse, io.Prefix = true, prefix
			it := txn.NewIterator(io)
			defer it.Close()
			it.Seek(append(append([]byte(nil), prefix...), 0xff))
			if !it.ValidForPrefix(prefix) {
				return nil
			}
			key = it.Item().KeyCopy(nil)
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return badgerErr(err)
			}
			entries, err = decodeUndoList(v)
			if err != nil {
				return fmt.Errorf("undo entry %x: %w", key, err)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("roll back run %d: %w", info.ID, dbErr(err))
		}
		if key == nil {
			break
		}
		const chunk = 250
		for end := len(entries); end > 0; end -= chunk {
			start := max(0, end-chunk)
			err = s.db.Update(func(txn *badger.Txn) error {
				w := writer{txn: txn}
				for i := end - 1; i >= start; i-- {
					if err := w.restore(entries[i]); err != nil {
						return err
					}
				}
				if start == 0 {
					return txn.Delete(key)
				}
				return nil
			})
			if err == nil {
				info.Undone += end - start
			}
			if err != nil {
				return fmt.Errorf("roll back run %d: %w", info.ID, dbErr(err))
			}
		}
	}
	if err := s.rebuildIndex(context.Background()); err != nil {
		return fmt.Errorf("roll back run %d: %w", info.ID, err)
	}
	info.State, info.Finished = RunRolledBack, time.Now().UTC()
	b, _ := json.Marshal(info)
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(runKey(info.ID), b) }); err != nil {
		return fmt.Errorf("roll back run %d: %w", info.ID, dbErr(err))
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("roll back run %d: %w", info.ID, badgerErr(err))
	}
	return nil
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
		return fmt.Errorf("drop undo journal of run %d: %w", run, dbErr(err))
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
		return nil, fmt.Errorf("list ingest runs: %w", dbErr(err))
	}
	return out, nil
}

// ListVersions returns the versions of official lists the store's
// records are: for each list file (a dataset may be published in several,
// such as the EU journal's one per regulation), the version the last
// committed run that read it read; by dataset, then file.
func (s *Store) ListVersions(ctx context.Context) ([]graph.ListVersion, error) {
	runs, err := s.Runs(ctx)
	if err != nil {
		return nil, err
	}
	type key struct{ dataset, file string }
	latest := map[key]graph.ListVersion{}
	for _, r := range runs { // oldest first
		if r.State != RunCommitted {
			continue
		}
		for _, v := range r.Lists {
			latest[key{v.Dataset, v.File}] = v
		}
	}
	out := make([]graph.ListVersion, 0, len(latest))
	for _, v := range latest {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Dataset != out[j].Dataset {
			return out[i].Dataset < out[j].Dataset
		}
		return out[i].File < out[j].File
	})
	return out, nil
}

package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
)

// The change log. Every committed write that changes the graph (a batch
// of an ingest run, a change of findings) writes, in its own transaction,
// the ids of the entities it touched: c <seq>. The re-evaluation of the
// watchlists (watch_eval.go) reads the entries, evaluates the parties
// they can affect, and deletes them only once every state they led to is
// written. An entry is therefore never lost by a crash: at worst it is
// read twice, which evaluates parties whose state is already current and
// raises nothing. Merges and unmerges are found by comparing the same-as
// links with those the last evaluation saw (watch_eval.go), so that their
// code writes nothing for the watchlists.
//
// Only a store that holds a watchlist keeps the log (Store.watchingNow):
// the first evaluation of an imported party is a full one.
//
// The hook into the write paths is noteChanges, called once per
// transaction with the index operations the writer collected.

// changeCause says which write an entry comes from: an ingest run, or an
// audit entry of a findings change.
type changeCause struct {
	run, audit uint64
}

// changeEntry is one entry of the log.
type changeEntry struct {
	seq   uint64
	cause changeCause
	ids   []uuid.UUID
}

// changeVersion is the first byte of an entry's value.
const changeVersion = 1

// encodeChange writes the value of an entry: the version byte, the run
// and the audit sequence as uvarints, then the ids, 16 bytes each.
func encodeChange(c changeCause, ids []uuid.UUID) []byte {
	b := make([]byte, 0, 1+2*binary.MaxVarintLen64+idLen*len(ids))
	b = append(b, changeVersion)
	b = binary.AppendUvarint(b, c.run)
	b = binary.AppendUvarint(b, c.audit)
	for _, id := range ids {
		b = append(b, id[:]...)
	}
	return b
}

func decodeChange(v []byte) (changeCause, []uuid.UUID, error) {
	var c changeCause
	if len(v) == 0 || v[0] != changeVersion {
		return c, nil, fmt.Errorf("change-log entry: unknown version")
	}
	v = v[1:]
	for _, f := range []*uint64{&c.run, &c.audit} {
		x, n := binary.Uvarint(v)
		if n <= 0 {
			return c, nil, fmt.Errorf("change-log entry: bad header")
		}
		*f, v = x, v[n:]
	}
	if len(v)%idLen != 0 {
		return c, nil, fmt.Errorf("change-log entry: %d bytes of ids", len(v))
	}
	ids := make([]uuid.UUID, len(v)/idLen)
	for i := range ids {
		ids[i] = uuid.UUID(v[i*idLen : (i+1)*idLen])
	}
	return c, ids, nil
}

// changedIDs returns the entities that index operations touched, once
// each: an entity written or deleted, both ends of a relationship, the
// holder of a document.
func changedIDs(ops []indexOp) []uuid.UUID {
	seen := make(map[uuid.UUID]bool, len(ops))
	var out []uuid.UUID
	add := func(id uuid.UUID) {
		if id != uuid.Nil && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, op := range ops {
		switch op.item.tag {
		case tagNode:
			add(op.item.id)
		case tagOut:
			add(op.item.edge.Src)
			add(op.item.edge.Dst)
		case tagHeld:
			add(op.item.holder)
		}
	}
	return out
}

// watchingNow reports whether the store holds a watchlist, and so keeps
// the change log. The first call looks; ImportWatchlist sets it.
func (s *Store) watchingNow() bool {
	s.watch.once.Do(func() {
		errFound := errors.New("found")
		err := s.db.View(func(txn *badger.Txn) error {
			return (&Tx{txn: txn, ctx: context.Background()}).keys([]byte{tagWatchlist}, func([]byte) error { return errFound })
		})
		if err == errFound {
			s.watch.on.Store(true)
		}
	})
	return s.watch.on.Load()
}

// noteChanges writes the change-log entry of a transaction that applied
// ops, if the store keeps the log.
func (s *Store) noteChanges(txn *badger.Txn, ops []indexOp, cause changeCause) error {
	if len(ops) == 0 || !s.watchingNow() {
		return nil
	}
	ids := changedIDs(ops)
	if len(ids) == 0 {
		return nil
	}
	seq, err := s.nextChangeSeq()
	if err != nil {
		return err
	}
	return txn.Set(changeKey(seq), encodeChange(cause, ids))
}

// nextChangeSeq numbers change-log entries: after the last entry present
// when first called. The order of the numbers does not matter (the log is
// read whole and its entries deleted one by one), only that an entry's
// key is not one present.
func (s *Store) nextChangeSeq() (uint64, error) {
	var err error
	s.watch.seqOnce.Do(func() {
		err = s.db.View(func(txn *badger.Txn) error {
			io := badger.DefaultIteratorOptions
			io.PrefetchValues, io.Reverse, io.Prefix = false, true, []byte{tagChange}
			it := txn.NewIterator(io)
			defer it.Close()
			it.Seek([]byte{tagChange, 0xff})
			if it.ValidForPrefix([]byte{tagChange}) {
				last, err := parseChangeKey(it.Item().Key())
				if err != nil {
					return err
				}
				s.watch.changeSeq.Store(last)
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("change log: %w", dbErr(err))
	}
	return s.watch.changeSeq.Add(1), nil
}

// maxChangesRead bounds the ids one re-evaluation reads from the log; the
// rest waits for the next one.
const maxChangesRead = 5_000_000

// readChanges reads the change log, oldest entry first.
func (s *Store) readChanges(ctx context.Context) ([]changeEntry, error) {
	var out []changeEntry
	n := 0
	err := s.db.View(func(txn *badger.Txn) error {
		return (&Tx{txn: txn, ctx: ctx}).values([]byte{tagChange}, func(k, v []byte) error {
			if n >= maxChangesRead {
				return nil
			}
			seq, err := parseChangeKey(k)
			if err != nil {
				return err
			}
			c, ids, err := decodeChange(v)
			if err != nil {
				return fmt.Errorf("%w (key %x)", err, k)
			}
			n += len(ids)
			out = append(out, changeEntry{seq: seq, cause: c, ids: ids})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read the change log: %w", dbErr(err))
	}
	return out, nil
}

// dropChanges deletes change-log entries once what they led to is written.
func (s *Store) dropChanges(entries []changeEntry) error {
	wb := s.db.NewWriteBatch()
	defer wb.Cancel()
	for _, e := range entries {
		if err := wb.Delete(changeKey(e.seq)); err != nil {
			return fmt.Errorf("drop change-log entries: %w", dbErr(err))
		}
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("drop change-log entries: %w", dbErr(err))
	}
	return nil
}

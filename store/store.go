package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Options configure Open.
type Options struct {
	// InMemory keeps everything in memory (tests); the directory is ignored.
	InMemory bool
	// ReadOnly opens an existing store without writing to it; several
	// read-only processes may share a store no writer holds.
	ReadOnly bool
	// Logger receives Badger's warnings and the store's own messages. Nil
	// discards them.
	Logger *slog.Logger
	// GCInterval is how often the value log is garbage-collected; 0 means
	// every 10 minutes, a negative value never.
	GCInterval time.Duration
	// Index keeps an in-memory graph index for path queries, built at open
	// and kept in step with every committed write.
	Index bool
	// RandomAccess tells the kernel the store's files are read at random
	// (a server): page faults read one page rather than a window around it,
	// and after the index build the pages it scanned are dropped and the
	// store's files evicted from the page cache, so that pages come back
	// as they are read. It keeps the resident memory of a server near what
	// it uses.
	RandomAccess bool
	// MaxMapped bounds the resident pages of the store's mapped files
	// (checked twice a second): above it they are all dropped, from
	// memory and from the page cache, and read from disk again when needed.
	// Set it well above the working set: each drop costs disk reads. 0: no
	// bound.
	MaxMapped int64
	// KeepPageCache makes the MaxMapped bound, and the bulk load's own,
	// drop the pages from the process only: they stay in the page cache,
	// and nothing tells the kernel the files are read at random. For an
	// ingest, which reads back what it wrote (merge search, index build)
	// and whose resident memory is what is bounded: with the pages evicted
	// and read-ahead off, the merge search after a 2M-entity load read the
	// tables back one page per fault (431k major faults, 12 s of CPU in
	// them). Ignored with RandomAccess.
	KeepPageCache bool
}

// Store is a sanctionsgraph graph in Badger. It is safe for concurrent use.
//
// Three locks, each for a reason Badger's transactions do not cover (taken
// in this order when nested; live.mu, the fourth, is index.go's own):
//   - runMu: one ingest run at a time, held from BeginRun to Commit or
//     Rollback, because a run's undo journal assumes no other run
//     interleaves its records.
//   - decideMu: one decision at a time (a finding mutation, a merge or
//     unmerge, an AutoMerge): each reads state, decides and writes, audit
//     entries must be numbered in the order their changes commit, and a
//     merge reads the party structure it replaces. Decisions are rare
//     (a person's, or one AutoMerge per ingest, never in a server), so
//     one lock for all costs nothing.
//   - commitMu: held by a write that changes the graph from before it
//     commits until its changes are published to the index, so that the
//     index and its snapshot show one state (index.go).
type Store struct {
	db       *badger.DB
	opt      Options
	log      *slog.Logger
	dir      string
	runMu    sync.Mutex
	decideMu sync.Mutex
	commitMu sync.Mutex
	live     live // the graph index, the snapshot that matches it, its screening state
	// merged is the party structure (merge.go), replaced whole under
	// decideMu and commitMu.
	merged atomic.Pointer[graph.Parties]
	// hasFindings is set once the store holds a finding: only then do
	// ingest runs check each record against the findings (write.go), a
	// read per record that a store of lists alone need not pay.
	hasFindings atomic.Bool
	stopGC      context.CancelFunc
	gcDone      chan struct{}
	stopMB      context.CancelFunc
	mbDone      chan struct{}

	// watch is the watchlists' state: the change log's switch and
	// numbering, the cache of the parties (watch*.go).
	watch watchState
}

// Open opens (creating it if needed) the store in dir. It refuses a
// directory written with an unknown key layout. If a previous ingest run
// did not finish (the process was killed), Open rolls it back before
// returning, unless ReadOnly is set, in which case it fails.
func Open(ctx context.Context, dir string, opt Options) (*Store, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(discard{}, nil))
	}
	bo := badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log}).
		// Values above 128 bytes (entity and relationship records) go to the
		// value log, so the LSM tree holds mostly keys: key-only scans of the
		// edge and kind indexes (stats, index rebuild) read far less.
		WithValueThreshold(128).
		// Measured on a 0.9M-record synthetic ingest (BenchmarkIngest, 2
		// cores): 49k records/s with Badger's defaults, 61k with two
		// compactors (the default four fight the ingest for the two cores),
		// no block compression (the tree holds mostly keys and value
		// pointers, which compress poorly) and ten level-0 tables before
		// compaction starts.
		WithNumCompactors(2).
		WithCompression(options.None).
		WithNumLevelZeroTables(10).
		WithNumLevelZeroTablesStall(30).
		// No block cache: without compression or encryption, blocks are
		// read in place from the memory-mapped tables, and Badger counts a
		// cached block at the capacity of the mapped slice (megabytes),
		// so a cache of any size held a handful of blocks, missed most
		// reads and warned "Block cache might be too small" every minute
		// on a 16,000-entity store. Badger's documentation advises no
		// cache in this case; BenchmarkReadsOnDisk measured no loss.
		WithBlockCacheSize(0).
		WithIndexCacheSize(32 << 20).
		WithNumVersionsToKeep(1)
	if opt.RandomAccess {
		// A server writes little: a smaller memtable (its arena is
		// allocated whole) keeps 50 MB off the resident memory.
		bo = bo.WithMemTableSize(32 << 20)
	}
	if opt.InMemory {
		// In memory there is no value log: values must stay in the tree.
		bo = bo.WithInMemory(true).WithDir("").WithValueDir("").WithValueThreshold(1 << 20)
	}
	if opt.ReadOnly {
		if _, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("open store %s: %w", dir, err)
		}
		bo = bo.WithReadOnly(true)
	}
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", dir, badgerErr(err))
	}
	s := &Store{db: db, opt: opt, log: log, dir: dir}
	// Before anything can write: the index file is trusted only while the
	// token of the Close that wrote it is in Badger (indexfile.go).
	token, err := s.takeIndexToken()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", dir, err)
	}
	// The file is trusted only if nothing below writes either (a rollback
	// of a run left unfinished changes what the index would hold).
	before := s.readTs()
	// A bulk ingest a crash interrupted may have left a store without its
	// version key: put it back before checking the version.
	if err := s.recoverBulk(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.checkVersion(); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.recover(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if s.readTs() != before {
		token = nil
	}
	if err := s.View(ctx, func(tx *Tx) error {
		p, err := tx.loadParties()
		s.merged.Store(p)
		if err != nil {
			return err
		}
		// Does the store hold findings? (Stop at the first.)
		errFound := errors.New("found")
		err = tx.keys([]byte{tagFinding}, func([]byte) error { return errFound })
		s.hasFindings.Store(err == errFound)
		if err == errFound {
			err = nil
		}
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: read merges: %w", dir, err)
	}
	// With KeepPageCache the bound holds during the index build too (its
	// pages are dropped from the process only, and read again from the
	// page cache); a server's bound starts after it, which drops the pages
	// the build scanned (RandomAccess).
	bound := opt.MaxMapped > 0 && !opt.InMemory
	if bound && opt.KeepPageCache {
		s.startMappedBound(opt.MaxMapped)
	}
	if opt.Index {
		if err := s.openIndex(ctx, token); err != nil {
			s.stopMappedBound()
			db.Close()
			return nil, err
		}
	}
	if opt.RandomAccess && !opt.InMemory {
		s.advise(dir, true)
		evictCache(dir)
	}
	if bound && !opt.KeepPageCache {
		s.startMappedBound(opt.MaxMapped)
	}
	if !opt.InMemory && !opt.ReadOnly && opt.GCInterval >= 0 {
		s.startGC(opt.GCInterval)
	}
	return s, nil
}

// Close flushes and closes the store. Closing a closed store does nothing.
func (s *Store) Close() error {
	if s.stopGC != nil {
		s.stopGC()
		<-s.gcDone
	}
	s.stopMappedBound()
	// An ingest run left open with a batch in flight holds commitMu until
	// it is committed or rolled back, which will not happen now: the
	// index is then not saved (the next Open rolls the run back and
	// rebuilds it).
	if s.commitMu.TryLock() {
		if err := s.saveIndex(); err != nil {
			// The index is derived data: the next Open rebuilds it.
			s.log.Warn("graph index not saved; the next open rebuilds it", "err", err)
		}
		s.commitMu.Unlock()
	} else if s.Index() != nil {
		s.log.Warn("graph index not saved: an ingest run is still writing; the next open rebuilds it")
	}
	s.closeIndex()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", badgerErr(err))
	}
	return nil
}

// readTs is the timestamp of the latest commit.
func (s *Store) readTs() uint64 {
	txn := s.db.NewTransaction(false)
	defer txn.Discard()
	return txn.ReadTs()
}

func (s *Store) checkVersion() error {
	var have uint32
	var empty = true
	err := s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(versionKey)
		if err == nil {
			empty = false
			return it.Value(func(v []byte) error {
				if len(v) != 4 {
					return fmt.Errorf("bad layout version value %x", v)
				}
				have = binary.BigEndian.Uint32(v)
				return nil
			})
		}
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		io := badger.DefaultIteratorOptions
		io.PrefetchValues = false
		iter := txn.NewIterator(io)
		defer iter.Close()
		iter.Rewind()
		if iter.Valid() {
			return fmt.Errorf("directory holds a Badger database that is not a sanctionsgraph store (no layout version key)")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("open store: %w", dbErr(err))
	}
	if empty {
		if s.opt.ReadOnly {
			return fmt.Errorf("open store: the store is empty or missing; ingest something first")
		}
		err := s.db.Update(func(txn *badger.Txn) error {
			return txn.Set(versionKey, binary.BigEndian.AppendUint32(nil, layoutVersion))
		})
		if err != nil {
			return fmt.Errorf("open store: %w", dbErr(err))
		}
		return nil
	}
	if have < oldestLayoutVersion || have > layoutVersion {
		return fmt.Errorf("open store: key layout version %d, this build reads versions %d to %d", have, oldestLayoutVersion, layoutVersion)
	}
	if have < layoutVersion && !s.opt.ReadOnly {
		// Nothing to rewrite (keys.go): the records this build writes
		// from now on are version 2.
		err := s.db.Update(func(txn *badger.Txn) error {
			return txn.Set(versionKey, binary.BigEndian.AppendUint32(nil, layoutVersion))
		})
		if err != nil {
			return fmt.Errorf("open store: %w", dbErr(err))
		}
	}
	return nil
}

func (s *Store) startGC(every time.Duration) {
	if every == 0 {
		every = 10 * time.Minute
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.stopGC, s.gcDone = cancel, make(chan struct{})
	go func() {
		defer close(s.gcDone)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				// 0.5 is the discard ratio Badger recommends; loop while it
				// finds files worth rewriting.
				for ctx.Err() == nil && s.db.RunValueLogGC(0.5) == nil {
				}
				if s.opt.RandomAccess {
					s.advise(s.dir, false) // files created since
				}
			}
		}
	}()
}

// Size returns the bytes used by the LSM tree and the value log.
func (s *Store) Size() (lsm, vlog int64) { return s.db.Size() }

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// badgerLogger sends Badger's log lines to slog; its Info and Debug chatter
// is dropped.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, a ...any)   { b.l.Error("badger: " + fmt.Sprintf(f, a...)) }
func (b badgerLogger) Warningf(f string, a ...any) { b.l.Warn("badger: " + fmt.Sprintf(f, a...)) }
func (b badgerLogger) Infof(string, ...any)        {}
func (b badgerLogger) Debugf(string, ...any)       {}

func (s *Store) advise(dir string, pageout bool) {
	if n, err := adviseMappings(dir, pageout, false); err != nil {
		s.log.Warn("madvise on the store's mappings", "err", err)
	} else {
		s.log.Debug("madvise", "ranges", n, "pageout", pageout)
	}
}

// dropMapped drops the store's mapped pages from the process, and from
// the page cache unless KeepPageCache.
func (s *Store) dropMapped() {
	unmap := s.opt.KeepPageCache && !s.opt.RandomAccess
	if n, err := adviseMappings(s.dir, !unmap, unmap); err != nil {
		s.log.Warn("madvise on the store's mappings", "err", err)
	} else {
		s.log.Debug("madvise", "ranges", n, "unmap", unmap)
	}
}

// startMappedBound drops the store's mapped pages whenever their resident
// size exceeds limit, until Close.
func (s *Store) startMappedBound(limit int64) {
	s.stopMB, s.mbDone = s.boundMapped(limit)
}

// stopMappedBound stops what startMappedBound started, if it did.
func (s *Store) stopMappedBound() {
	if s.stopMB != nil {
		s.stopMB()
		<-s.mbDone
		s.stopMB = nil
	}
}

// boundMapped drops the store's mapped pages whenever their resident size
// exceeds limit, until stop is called; done is closed when it has stopped.
func (s *Store) boundMapped(limit int64) (stop context.CancelFunc, done chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	done = make(chan struct{})
	go func() {
		defer close(done)
		// Twice a second: with a page cache hot from an ingest, the
		// kernel maps up to 16 cached pages around each page fault
		// (fault-around ignores MADV_RANDOM), so the mapped pages can grow
		// by hundreds of MB a second under load. With KeepPageCache the
		// page cache is always hot (an ingest's merge search read 480 MB
		// between two checks): ten times a second (reading
		// /proc/self/status costs microseconds).
		every := 500 * time.Millisecond
		if s.opt.KeepPageCache && !s.opt.RandomAccess {
			every = 100 * time.Millisecond
		}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if mappedResident() > limit {
					s.dropMapped()
				}
			}
		}
	}()
	return cancel, done
}

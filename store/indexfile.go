package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph/index"
)

// The graph index is derived from Badger; building it reads every kind,
// name and in-edge key (15 s for 2 million entities). Close writes it to a
// file beside the store, and the next Open loads it instead, in about a
// second, if the file still describes the store.
//
// How Open knows: Close writes the file, then puts a fresh random token
// in Badger (indexTokenKey) and in the file's stamp. Every Open that may
// write takes the token out of Badger before anything else, so while any
// process has the store open for writing, and after it was killed, there
// is no token and the file is not trusted. A file is loaded only if its
// stamp equals the token Open found, its format version is the running
// code's, and its checksum holds; otherwise the index is rebuilt from
// Badger, which stays the only truth. Badger's own versions are not used
// for this: compaction can drop the deletes at the top of the history, and
// with them the version a file would be checked against.

const indexFileName = "graph-index.sgi"

var indexTokenKey = []byte{tagMeta, 'i', 'x', 't', 'o', 'k', 'e', 'n'}

// indexStamp is what a file's stamp must be for the token: the token and
// the key layout version.
func indexStamp(token []byte) []byte {
	return binary.BigEndian.AppendUint32(append([]byte(nil), token...), layoutVersion)
}

// takeIndexToken reads the token a clean Close left and, unless the store
// is read-only, removes it from Badger. It returns nil if there is none.
func (s *Store) takeIndexToken() ([]byte, error) {
	if s.opt.InMemory {
		return nil, nil
	}
	var token []byte
	err := s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(indexTokenKey)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		token, err = it.ValueCopy(nil)
		return err
	})
	if err != nil || token == nil || s.opt.ReadOnly {
		return token, badgerErr(err)
	}
	err = s.db.Update(func(txn *badger.Txn) error { return txn.Delete(indexTokenKey) })
	return token, badgerErr(err)
}

// loadIndex reads the index file if it matches token; it returns nil (and
// logs why) if it does not.
func (s *Store) loadIndex(token []byte) *index.Index {
	if token == nil {
		return nil
	}
	start := time.Now()
	name := filepath.Join(s.dir, indexFileName)
	data, err := os.ReadFile(name)
	if err != nil {
		s.log.Info("graph index file not read; rebuilding", "file", name, "err", err)
		return nil
	}
	ix, err := index.Read(data, indexStamp(token))
	if err != nil {
		s.log.Warn("graph index file not used; rebuilding", "file", name, "err", err)
		return nil
	}
	n, l := ix.Counts()
	s.log.Info("graph index loaded", "file", name, "bytes", len(data), "entities", n, "relationships", l, "took", time.Since(start))
	return ix
}

// saveIndex writes the index to its file and puts the token that makes it
// trusted (see above). If nothing was committed since the index was loaded
// from the file, the file is kept and only its token put back. The caller
// holds commitMu (no write can commit meanwhile).
func (s *Store) saveIndex() error {
	if s.opt.InMemory || s.opt.ReadOnly {
		return nil
	}
	s.live.mu.RLock()
	defer s.live.mu.RUnlock()
	ix := s.live.ix
	if ix == nil {
		return nil
	}
	if s.live.loaded != nil && !s.live.changed {
		token := s.live.loaded
		return badgerErr(s.db.Update(func(txn *badger.Txn) error { return txn.Set(indexTokenKey, token) }))
	}
	start := time.Now()
	token := uuid.New()
	name := filepath.Join(s.dir, indexFileName)
	tmp := name + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("save graph index: %w", err)
	}
	n, err := ix.WriteTo(f, indexStamp(token[:]))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err == nil {
		err = syncDir(s.dir)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("save graph index: %w", err)
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(indexTokenKey, token[:]) }); err != nil {
		return fmt.Errorf("save graph index: %w", badgerErr(err))
	}
	s.log.Info("graph index saved", "file", name, "bytes", n, "took", time.Since(start))
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

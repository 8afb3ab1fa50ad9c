package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"

	"github.com/dgraph-io/badger/v4"
)

// Backup writes a consistent snapshot of the whole store to w while the
// store stays in use: readers and writers go on, and the snapshot is the
// state at one moment (one Badger read transaction; Badger's own
// DB.Backup reads with one transaction per goroutine, so it can mix
// moments). An ingest run open at that moment is in the snapshot as
// unfinished and is rolled back when the restored store is opened, as after
// a crash. It returns the bytes written. If ctx ends first it returns
// ctx's error; an error of w comes back wrapped.
//
// The format: the line "sanctionsgraph backup 1\n", then per key
// uvarint(len key) key uvarint(len value) value, then a zero byte, the
// uvarint count of keys and the CRC-32C of everything before it (4 bytes BE).
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	cw := &ctxWriter{ctx: ctx, w: bufio.NewWriterSize(w, 256<<10)}
	h := crc32.New(crcTable)
	out := io.MultiWriter(cw, h)
	var n int64
	err := s.db.View(func(txn *badger.Txn) error {
		if _, err := io.WriteString(out, backupMagic); err != nil {
			return err
		}
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		it := txn.NewIterator(opts)
		defer it.Close()
		var lb [binary.MaxVarintLen64]byte
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			k := item.Key()
			if len(k) == 0 {
				continue
			}
			err := item.Value(func(v []byte) error {
				for _, b := range [][]byte{k, v} {
					if _, err := out.Write(lb[:binary.PutUvarint(lb[:], uint64(len(b)))]); err != nil {
						return err
					}
					if _, err := out.Write(b); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			n++
		}
		trailer := append([]byte{0}, lb[:binary.PutUvarint(lb[:], uint64(n))]...)
		if _, err := out.Write(trailer); err != nil {
			return err
		}
		_, err := cw.Write(binary.BigEndian.AppendUint32(nil, h.Sum32()))
		return err
	})
	if err == nil {
		err = cw.w.(*bufio.Writer).Flush()
	}
	if err != nil {
		if ctx.Err() != nil {
			return cw.n, ctx.Err()
		}
		return cw.n, fmt.Errorf("backup: %w", dbErr(err))
	}
	return cw.n, nil
}

const backupMagic = "sanctionsgraph backup 1\n"

// maxBackupValue bounds a key or value read from a backup, so that a
// damaged file cannot make Restore allocate without bound.
const maxBackupValue = 1 << 30

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// ctxWriter stops a backup when ctx ends and counts bytes.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
	n   int64
}

func (c *ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Restore loads a backup written by Backup into a new store in dir, which
// must be missing or empty, and checks that the result opens as a store.
// On failure dir is left as it was found (or removed if Restore made it).
// It fails if dir holds anything, and if the backup is damaged (a bad
// header, length, key count or checksum: nothing is kept).
func Restore(ctx context.Context, dir string, r io.Reader) (err error) {
	made := false
	switch ents, err := os.ReadDir(dir); {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		made = true
	case err != nil:
		return fmt.Errorf("restore: %w", err)
	case len(ents) > 0:
		return fmt.Errorf("restore: %w: %s is not empty; restore into a new directory", errNotEmpty, dir)
	}
	defer func() {
		if err != nil {
			clearDir(dir, made)
		}
	}()
	bo := badger.DefaultOptions(dir).WithLogger(nil).WithValueThreshold(128).WithNumVersionsToKeep(1)
	db, err := badger.Open(bo)
	if err != nil {
		return fmt.Errorf("restore: %w", badgerErr(err))
	}
	wb := db.NewWriteBatch()
	_, err = load(ctx, r, wb.Set)
	if err == nil {
		err = badgerErr(wb.Flush())
	} else {
		wb.Cancel()
	}
	if err != nil {
		db.Close()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("restore: %w", err)
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("restore: %w", badgerErr(err))
	}
	// Open checks the layout version and rolls back a run the backup
	// caught in flight.
	s, err := Open(ctx, dir, Options{GCInterval: -1})
	if err != nil {
		return fmt.Errorf("restore: the restored store does not open: %w", err)
	}
	return s.Close()
}

var errNotEmpty = errors.New("directory not empty")

// clearDir removes what a failed restore wrote into dir.
func clearDir(dir string, made bool) {
	if made {
		os.RemoveAll(dir)
		return
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		os.RemoveAll(dir + string(os.PathSeparator) + e.Name())
	}
}

// VerifyBackup reads a backup through and checks its framing, key count
// and checksum, and returns the number of keys it holds.
func VerifyBackup(ctx context.Context, r io.Reader) (int64, error) {
	n, err := load(ctx, r, func(k, v []byte) error { return nil })
	if err != nil {
		return n, fmt.Errorf("verify backup: %w", err)
	}
	return n, nil
}

// load reads a backup, passing each key and value to set, and checks its
// framing and checksum; on an error, what set received must be discarded.
func load(ctx context.Context, r io.Reader, set func(k, v []byte) error) (int64, error) {
	br := &hashReader{r: bufio.NewReaderSize(r, 256<<10), h: crc32.New(crcTable)}
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != backupMagic {
		return 0, fmt.Errorf("not a sanctionsgraph backup (no %q header)", backupMagic[:len(backupMagic)-1])
	}
	var n uint64
	bad := func(what string, err error) error {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("the backup is truncated (%s after %d keys)", what, n)
		}
		if err != nil {
			return fmt.Errorf("the backup cannot be read (%s after %d keys): %w", what, n, err)
		}
		return fmt.Errorf("the backup is damaged (%s after %d keys)", what, n)
	}
	readField := func(what string) ([]byte, error) {
		l, err := binary.ReadUvarint(br)
		if err != nil {
			return nil, bad(what+" length", err)
		}
		if l > maxBackupValue {
			return nil, bad(what+" length", nil)
		}
		b := make([]byte, l)
		if _, err := io.ReadFull(br, b); err != nil {
			return nil, bad(what, err)
		}
		return b, nil
	}
	for {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return int64(n), err
			}
		}
		k, err := readField("key")
		if err != nil {
			return int64(n), err
		}
		if len(k) == 0 { // the trailer
			break
		}
		v, err := readField("value")
		if err != nil {
			return int64(n), err
		}
		if err := set(k, v); err != nil {
			return int64(n), fmt.Errorf("write: %w", badgerErr(err))
		}
		n++
	}
	count, err := binary.ReadUvarint(br)
	if err != nil {
		return int64(n), bad("key count", err)
	}
	sum := br.h.Sum32()
	var crc [4]byte
	if _, err := io.ReadFull(br.r, crc[:]); err != nil {
		return int64(n), bad("checksum", err)
	}
	if count != n || binary.BigEndian.Uint32(crc[:]) != sum {
		return int64(n), bad("checksum", nil)
	}
	return int64(n), nil
}

// hashReader hashes what is read through it.
type hashReader struct {
	r *bufio.Reader
	h hash.Hash32
}

func (x *hashReader) Read(p []byte) (int, error) {
	n, err := x.r.Read(p)
	x.h.Write(p[:n])
	return n, err
}

func (x *hashReader) ReadByte() (byte, error) {
	b, err := x.r.ReadByte()
	if err == nil {
		x.h.Write([]byte{b})
	}
	return b, err
}

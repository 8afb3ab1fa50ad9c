package store

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/ristretto/v2/z"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Bulk loading. The first ingest into a fresh store (no records yet, no
// server reading it) writes its keys near the disk, not through Badger's
// transactions: nothing can conflict and nothing needs undoing, so every
// key a record implies is appended to a buffer, buffers are sorted and
// spilled to run files in a temporary folder, and at Commit the runs are
// merged and streamed into sorted tables by Badger's StreamWriter. That
// skips the memtable (one writer goroutine inserting every key into a
// skiplist, most of an ingest's time) and the read of each record's
// previous state.
//
// A record whose ref comes again later in the run (the same id twice in a
// file) is written as its last version, as the transactional path would
// leave it: each key carries the sequence number of its record's version,
// a version is marked superseded when a later one of its ref comes, and
// the merge drops the keys of superseded versions.
//
// Crashes: until Commit, Badger holds nothing of the run but its run info
// (state "applying"), so a crash leaves a run that Open rolls back with
// nothing to undo, and a temporary folder Open removes. Commit writes a
// marker file holding the store's run infos before it lets the
// StreamWriter drop the (fresh) store and write its tables; Open finding
// the marker drops what a crash left and writes the run infos back, the
// bulk run marked rolled back. The marker goes once the stream is flushed
// and synced.

const (
	bulkDirName    = "bulk-loading.tmp" // spilled runs, inside the store's directory
	bulkMarkerName = "BULK-LOADING"     // present while Commit streams
	// bulkStreamBatch is how much is handed to the StreamWriter at once.
	bulkStreamBatch = 16 << 20
)

// bulkChunkBytesVar is how much key and value data is sorted in memory
// before it is spilled to a run file (a variable for the tests).
var bulkChunkBytesVar = 64 << 20

// bulkMappedLimit bounds the resident pages of the store's mapped files
// while a bulk load streams its tables.
const bulkMappedLimit = 128 << 20

// bulkLoader collects the keys of a bulk run.
type bulkLoader struct {
	dir   string // temporary folder
	seed  maphash.Seed
	seq   uint32 // records so far
	chunk bulkChunk
	runs  []string // spilled run files
	// A full chunk is sorted and written in the background while the next
	// one fills; spare is the arena it gives back, spilling its error.
	spilling chan error
	spare    *bulkChunk
	// last maps the hash of each ref to the number of its last version
	// (with bulkFull). A hash is 8 bytes where a ref is tens: at millions
	// of refs, two with one hash are a chance of about one in a million.
	last map[uint64]uint32
	// superseded has bit n set when version n is not its ref's last. The
	// merge reads it for every key: a bit array indexed by version is a
	// few hundred KB that stays in the CPU's caches, where a look-up of
	// last per key (21M keys at 2M entities, in a map of 4.9M refs) took
	// 9 s of CPU.
	superseded []uint64
}

// bulkEntry locates one key/value in a chunk's arena.
type bulkEntry struct {
	// pfx and pfx2 are the key's first 16 bytes, big-endian, zero-padded:
	// most comparisons end there. (Eight were not enough: every kind key
	// begins "kCompany", every manifest of the synthetic file "esyn-",
	// and every edge key from one entity with its 17 bytes.)
	pfx, pfx2       uint64
	off, klen, vlen uint32
	seq             uint32 // the number of the record's version in the run
}

type bulkChunk struct {
	arena   []byte
	entries []bulkEntry
}

func (c *bulkChunk) add(key, val []byte, seq uint32) {
	off := uint32(len(c.arena))
	c.arena = append(c.arena, key...)
	c.arena = append(c.arena, val...)
	var p [16]byte
	copy(p[:], key)
	c.entries = append(c.entries, bulkEntry{pfx: binary.BigEndian.Uint64(p[:8]), pfx2: binary.BigEndian.Uint64(p[8:]),
		off: off, klen: uint32(len(key)), vlen: uint32(len(val)), seq: seq})
}

func newBulkChunk() bulkChunk {
	return bulkChunk{arena: make([]byte, 0, bulkChunkBytesVar+(1<<20)), entries: make([]bulkEntry, 0, bulkChunkBytesVar/64)}
}

func (c *bulkChunk) key(e bulkEntry) []byte { return c.arena[e.off : e.off+e.klen] }
func (c *bulkChunk) val(e bulkEntry) []byte {
	return c.arena[e.off+e.klen : e.off+e.klen+e.vlen]
}

// bulkPossible reports whether a run may load in bulk: a store on disk,
// opened without its index (no server reads it: the StreamWriter replaces
// Badger's timestamps under any open read transaction), that holds no
// records yet.
func (s *Store) bulkPossible() bool {
	if s.opt.InMemory || s.opt.ReadOnly || s.Index() != nil || s.dir == "" {
		return false
	}
	empty := true
	err := s.db.View(func(txn *badger.Txn) error {
		io := badger.DefaultIteratorOptions
		io.PrefetchValues = false
		it := txn.NewIterator(io)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if t := it.Item().Key()[0]; t != tagMeta && t != tagRun {
				empty = false
				return nil
			}
		}
		return nil
	})
	return err == nil && empty
}

func newBulkLoader(storeDir string) (*bulkLoader, error) {
	dir := filepath.Join(storeDir, bulkDirName)
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &bulkLoader{dir: dir, seed: maphash.MakeSeed(), last: map[uint64]uint32{}, chunk: newBulkChunk()}, nil
}

// add records the keys of prepared records; every record is Added (the
// store was empty; a repeated ref is sorted out at the merge).
func (b *bulkLoader) add(preps []*prepared, outs []graph.Outcome) error {
	for i, p := range preps {
		// A ref that came earlier in this run is replaced (or deleted) by
		// its later version, as the transactional path does; only whether
		// the versions were the same is not told (Updated, never
		// Unchanged).
		live := b.live(p.ref)
		if p.delete {
			// A delete is a version with no keys.
			b.record(p.ref, nil, false)
			outs[i] = graph.Missing
			if live {
				outs[i] = graph.Deleted
			}
			continue
		}
		for _, e := range p.ensures {
			b.record(e.ref, e, true)
		}
		b.record(p.ref, p, false)
		outs[i] = graph.Added
		if live {
			outs[i] = graph.Updated
		}
		if len(b.chunk.arena) >= bulkChunkBytesVar {
			if err := b.spill(); err != nil {
				return err
			}
		}
	}
	return nil
}

// record adds the keys of one version of the record ref (none for p
// nil); ensure marks a shared node or edge another record ensures, written
// only if no version of it is there (as the transactional path does).
func (b *bulkLoader) record(ref string, p *prepared, ensure bool) {
	h := maphash.String(b.seed, ref)
	v, seen := b.last[h]
	if ensure && seen && v&bulkGone == 0 {
		return // written only if absent
	}
	b.seq++
	seq := b.seq
	if seen {
		b.supersede(v & bulkSeq)
	}
	switch {
	case ensure:
		b.last[h] = seq
	case p == nil:
		b.last[h] = seq | bulkFull | bulkGone
		return
	default:
		b.last[h] = seq | bulkFull
	}
	for _, it := range p.items {
		b.chunk.add(it.key(), it.val, seq)
		for _, k := range it.derived {
			b.chunk.add(k, derivedValue(k, it.meta), seq)
		}
	}
	b.chunk.add(manifestKey(p.ref), p.manifest, seq)
}

// supersede marks version seq as not its ref's last.
func (b *bulkLoader) supersede(seq uint32) {
	w := int(seq / 64)
	if w >= len(b.superseded) {
		b.superseded = slices.Grow(b.superseded, w+1-len(b.superseded))[:w+1]
	}
	b.superseded[w] |= 1 << (seq % 64)
}

// isSuperseded reports whether version seq is not its ref's last.
func (b *bulkLoader) isSuperseded(seq uint32) bool {
	w := int(seq / 64)
	return w < len(b.superseded) && b.superseded[w]&(1<<(seq%64)) != 0
}

// bulkFull marks, in bulkLoader.last, a ref whose last version is a record
// of its own (not a node or edge another record ensures), and bulkGone one
// whose last version deleted it.
const (
	bulkFull = 1 << 31
	bulkGone = 1 << 30
	bulkSeq  = bulkGone - 1 // the version's number
)

// live reports whether the run holds a version of its own of ref (added,
// not deleted since).
func (b *bulkLoader) live(ref string) bool {
	v, ok := b.last[maphash.String(b.seed, ref)]
	return ok && v&bulkFull != 0 && v&bulkGone == 0
}

// spill hands the chunk to a goroutine that sorts it and writes it to a
// run file, and goes on with the arena of the last spill (waiting for it).
func (b *bulkLoader) spill() error {
	if len(b.chunk.entries) == 0 {
		return nil
	}
	if err := b.waitSpill(); err != nil {
		return err
	}
	c := b.chunk
	if b.spare != nil {
		b.chunk, b.spare = *b.spare, nil
		b.chunk.arena, b.chunk.entries = b.chunk.arena[:0], b.chunk.entries[:0]
	} else {
		b.chunk = newBulkChunk()
	}
	name := filepath.Join(b.dir, fmt.Sprintf("run-%04d", len(b.runs)))
	b.runs = append(b.runs, name)
	b.spilling = make(chan error, 1)
	go func() {
		err := writeRun(name, &c)
		b.spare = &c // read by waitSpill after the channel
		b.spilling <- err
	}()
	return nil
}

// waitSpill waits for the spill in progress.
func (b *bulkLoader) waitSpill() error {
	if b.spilling == nil {
		return nil
	}
	err := <-b.spilling
	b.spilling = nil
	return err
}

// writeRun sorts c and writes it to the run file name.
func writeRun(name string, c *bulkChunk) error {
	sortChunk(c)
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var hdr [12]byte
	for _, e := range c.entries {
		binary.LittleEndian.PutUint32(hdr[0:], e.klen)
		binary.LittleEndian.PutUint32(hdr[4:], e.vlen)
		binary.LittleEndian.PutUint32(hdr[8:], e.seq)
		w.Write(hdr[:])
		w.Write(c.key(e))
		w.Write(c.val(e))
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// sortChunk sorts a chunk's entries by key, then by record number.
func sortChunk(c *bulkChunk) {
	slices.SortFunc(c.entries, func(a, b bulkEntry) int {
		if d := cmp.Compare(a.pfx, b.pfx); d != 0 {
			return d
		}
		if d := cmp.Compare(a.pfx2, b.pfx2); d != 0 {
			return d
		}
		// The first 16 bytes agree (zero-padded): the rest decides, and
		// of two keys with no rest the shorter (a prefix of the other,
		// which has zeros there) comes first.
		ka, kb := c.key(a), c.key(b)
		if d := bytes.Compare(ka[min(16, len(ka)):], kb[min(16, len(kb)):]); d != 0 {
			return d
		}
		if d := cmp.Compare(a.klen, b.klen); d != 0 {
			return d
		}
		return cmp.Compare(a.seq, b.seq)
	})
}

// cursor reads the entries of one sorted run, from a file or the last
// chunk in memory.
type cursor struct {
	r       *bufio.Reader
	f       *os.File
	chunk   *bulkChunk
	at      int
	key     []byte
	val     []byte
	seq     uint32
	hdr     [12]byte
	scratch []byte
}

// next reads the next entry; false at the end.
func (c *cursor) next() (bool, error) {
	if c.chunk != nil {
		if c.at >= len(c.chunk.entries) {
			return false, nil
		}
		e := c.chunk.entries[c.at]
		c.at++
		c.key, c.val, c.seq = c.chunk.key(e), c.chunk.val(e), e.seq
		return true, nil
	}
	if _, err := io.ReadFull(c.r, c.hdr[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, err
	}
	kl, vl := binary.LittleEndian.Uint32(c.hdr[0:]), binary.LittleEndian.Uint32(c.hdr[4:])
	c.seq = binary.LittleEndian.Uint32(c.hdr[8:])
	n := int(kl + vl)
	if cap(c.scratch) < n {
		c.scratch = make([]byte, n)
	}
	buf := c.scratch[:n]
	if _, err := io.ReadFull(c.r, buf); err != nil {
		return false, err
	}
	c.key, c.val = buf[:kl], buf[kl:]
	return true, nil
}

// cursorHeap orders cursors by their current key, then record number.
type cursorHeap []*cursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	if d := bytes.Compare(h[i].key, h[j].key); d != 0 {
		return d < 0
	}
	return h[i].seq < h[j].seq
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// close removes the temporary folder.
func (b *bulkLoader) close() {
	b.waitSpill()
	os.RemoveAll(b.dir)
}

// bulkMarker is the content of the marker file: what Open needs to put the
// store back as it was before the bulk run.
type bulkMarker struct {
	Run  uint64    `json:"run"`
	Runs []RunInfo `json:"runs"`
}

// commitBulk merges the runs into the store through a StreamWriter,
// together with the version key and every run info (the StreamWriter
// starts from an empty store), then removes the marker. The caller holds
// runMu.
func (r *Run) commitBulk(ctx context.Context) error {
	if err := r.commitBulkUntilMarker(ctx); err != nil {
		return err
	}
	return os.Remove(filepath.Join(r.s.dir, bulkMarkerName))
}

// commitBulkUntilMarker is commitBulk but for the removal of the marker.
func (r *Run) commitBulkUntilMarker(ctx context.Context) error {
	b := r.bulk
	s := r.s
	runs, err := s.Runs(ctx)
	if err != nil {
		return err
	}
	// Every run info as it will stand: this one committed.
	for i := range runs {
		if runs[i].ID == r.info.ID {
			runs[i] = r.info
		}
	}
	marker, err := json.Marshal(bulkMarker{Run: r.info.ID, Runs: runs})
	if err != nil {
		return err
	}
	if err := writeFileSync(filepath.Join(s.dir, bulkMarkerName), marker); err != nil {
		return fmt.Errorf("bulk load: %w", err)
	}
	cursors := make([]*cursor, 0, len(b.runs)+1)
	defer func() {
		for _, c := range cursors {
			if c.f != nil {
				c.f.Close()
			}
		}
	}()
	if err := b.waitSpill(); err != nil {
		return err
	}
	b.spare = nil // the arena of the last spill: not needed any more
	// The StreamWriter writes tables and the value log through memory
	// maps; the pages written stay resident (1.5 GB of a 2M-entity load)
	// unless dropped. They are in the page cache, so dropping them costs
	// nothing but their (due anyway) write-back.
	if !s.opt.InMemory {
		stop, done := s.boundMapped(bulkMappedLimit)
		defer func() { stop(); <-done }()
	}
	for _, name := range b.runs {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		cursors = append(cursors, &cursor{f: f, r: bufio.NewReaderSize(f, 1<<20)})
	}
	sortChunk(&b.chunk)
	cursors = append(cursors, &cursor{chunk: &b.chunk})
	h := &cursorHeap{}
	for _, c := range cursors {
		ok, err := c.next()
		if err != nil {
			return err
		}
		if ok {
			*h = append(*h, c)
		}
	}
	heap.Init(h)

	sw := s.db.NewStreamWriter()
	if err := sw.Prepare(); err != nil {
		return fmt.Errorf("bulk load: %w", badgerErr(err))
	}
	pipe := newStreamPipe(sw)
	defer pipe.close()
	buf := pipe.take()
	// Tags in key order are separate streams: their key ranges do not
	// overlap. Each stream is closed (StreamDone) when the next begins:
	// a StreamWriter's open stream holds a table builder of up to 256 MB,
	// and the keys come in order, so a finished stream never gets more.
	// (Left open, the ten streams of a 200k-entity load held 1.15 GB.)
	stream, lastTag := uint32(0), byte(0)
	put := func(key, val []byte) error {
		if key[0] != lastTag {
			if stream > 0 {
				appendStreamKV(buf, nil, nil, stream, true)
			}
			stream++
			lastTag = key[0]
		}
		appendStreamKV(buf, key, val, stream, false)
		if buf.LenNoPadding() >= bulkStreamBatch {
			var err error
			if buf, err = pipe.swap(buf); err != nil {
				return err
			}
		}
		return nil
	}
	// The keys that precede every graph key ('a'... 'g'... 'm'...) are
	// merged in order with them: collect the store's own keys first.
	own := []bulkKV{{versionKey, binary.BigEndian.AppendUint32(nil, layoutVersion)}}
	for _, info := range runs {
		v, err := json.Marshal(info)
		if err != nil {
			return err
		}
		own = append(own, bulkKV{runKey(info.ID), v})
	}
	slices.SortFunc(own, func(a, b bulkKV) int { return bytes.Compare(a.k, b.k) })
	var prev []byte
	dropped := 0
	for h.Len() > 0 {
		if err := ctx.Err(); err != nil {
			sw.Cancel()
			return err
		}
		c := (*h)[0]
		for len(own) > 0 && bytes.Compare(own[0].k, c.key) < 0 {
			if err := put(own[0].k, own[0].v); err != nil {
				return err
			}
			own = own[1:]
		}
		switch {
		case b.isSuperseded(c.seq):
			dropped++ // a key of an earlier version of the record
		case prev != nil && bytes.Equal(prev, c.key):
			// The same key from two records: only the shared nodes two
			// records ensure can do that, with the same value.
		default:
			if err := put(c.key, c.val); err != nil {
				return err
			}
			prev = append(prev[:0], c.key...)
		}
		ok, err := c.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	for _, kv := range own {
		if err := put(kv.k, kv.v); err != nil {
			return err
		}
	}
	if buf.LenNoPadding() > 0 {
		pipe.give(buf)
	}
	if err := pipe.close(); err != nil {
		return fmt.Errorf("bulk load: %w", badgerErr(err))
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("bulk load: %w", badgerErr(err))
	}
	if err := s.db.Sync(); err != nil {
		return fmt.Errorf("bulk load: %w", badgerErr(err))
	}
	s.log.Info("bulk load", "records", b.seq, "runs", len(b.runs), "earlierVersionKeysDropped", dropped)
	return nil
}

type bulkKV struct{ k, v []byte }

// streamPipe writes full buffers to a StreamWriter from a goroutine of its
// own, so that merging the runs into the next buffer and Badger's work on
// the last one (StreamWriter.Write decodes every KV and hands them to its
// table builders) overlap: the merge of a 2M-entity load took 20 s with
// 14 s of CPU, one goroutine waiting on the other. Two buffers go back and
// forth.
type streamPipe struct {
	full chan *z.Buffer // to write
	free chan *z.Buffer // written, reset
	done chan error     // the first error of a write, when full is closed
	bufs []*z.Buffer
	err  atomic.Pointer[error] // the first error of a write, as soon as it happens
	shut bool
}

func newStreamPipe(sw *badger.StreamWriter) *streamPipe {
	p := &streamPipe{full: make(chan *z.Buffer, 1), free: make(chan *z.Buffer, 2), done: make(chan error, 1)}
	for range 2 {
		b := z.NewBuffer(bulkStreamBatch+(1<<20), "sanctionsgraph.bulk")
		p.bufs = append(p.bufs, b)
		p.free <- b
	}
	go func() {
		var err error
		for b := range p.full {
			if err == nil {
				if err = sw.Write(b); err != nil {
					p.err.Store(&err)
				}
			}
			b.Reset()
			p.free <- b
		}
		p.done <- err
	}()
	return p
}

// take returns an empty buffer, waiting for one to be written.
func (p *streamPipe) take() *z.Buffer { return <-p.free }

// give hands a full buffer to be written.
func (p *streamPipe) give(b *z.Buffer) { p.full <- b }

// swap hands a full buffer to be written and returns an empty one, or the
// error of an earlier write.
func (p *streamPipe) swap(b *z.Buffer) (*z.Buffer, error) {
	if err := p.err.Load(); err != nil {
		return b, *err
	}
	p.give(b)
	return p.take(), nil
}

// close waits for the buffers given to be written, releases the buffers
// and returns the first error of a write. Closing again does nothing.
func (p *streamPipe) close() error {
	if p.shut {
		return nil
	}
	p.shut = true
	close(p.full)
	err := <-p.done
	for _, b := range p.bufs {
		b.Release()
	}
	return err
}

// appendStreamKV appends to buf what badger.KVToBuffer appends for
// pb.KV{Key: key, Value: val, Version: 1, StreamId: stream, StreamDone:
// done}: its protocol buffer encoding, fields in order, empty ones left
// out (TestAppendStreamKV compares the two). KVToBuffer sizes and encodes
// through reflection, with a pb.KV allocated per key: 2.9 s of the
// 2M-entity ingest's CPU.
func appendStreamKV(buf *z.Buffer, key, val []byte, stream uint32, done bool) {
	const (
		tagKey     = 1<<3 | 2
		tagValue   = 2<<3 | 2
		tagVersion = 4<<3 | 0
		tagStream  = 10<<3 | 0
		tagDone    = 11<<3 | 0
	)
	n := 0
	if len(key) > 0 {
		n += 1 + uvarintLen(uint64(len(key))) + len(key)
	}
	if len(val) > 0 {
		n += 1 + uvarintLen(uint64(len(val))) + len(val)
	}
	if !done {
		n += 2 // version 1
	}
	if stream != 0 {
		n += 1 + uvarintLen(uint64(stream))
	}
	if done {
		n += 2
	}
	b := buf.SliceAllocate(n)[:0]
	if len(key) > 0 {
		b = append(binary.AppendUvarint(append(b, tagKey), uint64(len(key))), key...)
	}
	if len(val) > 0 {
		b = append(binary.AppendUvarint(append(b, tagValue), uint64(len(val))), val...)
	}
	if !done {
		b = append(b, tagVersion, 1)
	}
	if stream != 0 {
		b = binary.AppendUvarint(append(b, tagStream), uint64(stream))
	}
	if done {
		b = append(b, tagDone, 1)
	}
	if len(b) != n {
		panic("appendStreamKV: size")
	}
}

func uvarintLen(x uint64) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}

func writeFileSync(name string, data []byte) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	d, err := os.Open(filepath.Dir(name))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// recoverBulk puts the store back as it was before a bulk run a crash
// interrupted while streaming (the marker file is there), and removes what
// a bulk run left in the folder.
func (s *Store) recoverBulk() error {
	if s.opt.InMemory || s.dir == "" {
		return nil
	}
	os.RemoveAll(filepath.Join(s.dir, bulkDirName))
	name := filepath.Join(s.dir, bulkMarkerName)
	data, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.opt.ReadOnly {
		return fmt.Errorf("open store: a bulk ingest did not finish; open the store read-write once to roll it back")
	}
	var m bulkMarker
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("open store: bulk marker %s: %w", name, err)
	}
	s.log.Warn("rolling back an interrupted bulk ingest", "run", m.Run)
	if err := s.db.DropAll(); err != nil {
		return fmt.Errorf("open store: roll back bulk ingest: %w", badgerErr(err))
	}
	err = s.db.Update(func(txn *badger.Txn) error {
		if err := txn.Set(versionKey, binary.BigEndian.AppendUint32(nil, layoutVersion)); err != nil {
			return err
		}
		for _, info := range m.Runs {
			if info.ID == m.Run {
				info.State, info.Error = RunRolledBack, "interrupted: the process stopped while the bulk ingest was writing"
			}
			v, err := json.Marshal(info)
			if err != nil {
				return err
			}
			if err := txn.Set(runKey(info.ID), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("open store: roll back bulk ingest: %w", dbErr(err))
	}
	if err := s.db.Sync(); err != nil {
		return badgerErr(err)
	}
	return os.Remove(name)
}

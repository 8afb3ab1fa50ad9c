package index

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// An Index can be written to a file and read back, so that a store of
// millions of entities opens in seconds instead of rebuilding its index
// from Badger. The file is derived data: the store decides whether it
// still matches (its Stamp), and rebuilds the index when it does not.
//
// Layout, little-endian: the magic "SGIX", the format version (uint32),
// the stamp (length-prefixed bytes, given by the caller), then the
// sections below, then a CRC-32C of everything before it.

// FormatVersion is the version of the file layout. Bump it whenever the
// layout or what an Index holds changes: files of another version are not
// read. The file holds what cannot be derived; counts, the id table, word
// numbers and the sorted word list are rebuilt from it on reading.
const FormatVersion = 2

var magic = [4]byte{'S', 'G', 'I', 'X'}

// ErrStale is returned by Read when the file is valid but of another
// format version or stamp: it describes some other state of the store.
var ErrStale = errors.New("graph index file is stale")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteTo writes the Index, with stamp, to w. It holds the read lock
// while it writes: updates wait.
func (ix *Index) WriteTo(w io.Writer, stamp []byte) (int64, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	h := crc32.New(castagnoli)
	cw := &countWriter{w: io.MultiWriter(w, h)}
	e := &encoder{w: bufio.NewWriterSize(cw, 1<<20)}
	e.bytes(magic[:])
	e.u32(FormatVersion)
	e.blob(stamp)

	n := len(ix.ids)
	e.u64(uint64(n))
	for _, id := range ix.ids {
		e.bytes(id[:])
	}
	for _, c := range ix.schema {
		e.u16(c)
	}
	e.u64(uint64(len(ix.schemaNames)))
	for _, s := range ix.schemaNames {
		e.str(s)
	}
	desig := make([]int32, 0, len(ix.desig))
	for k := range ix.desig {
		desig = append(desig, k)
	}
	slices.Sort(desig)
	e.u64(uint64(len(desig)))
	for _, k := range desig {
		d := ix.desig[k]
		e.u32(uint32(k))
		e.str(d.Authority)
		e.str(d.Programme)
		e.str(d.Name)
	}
	alias := make([]uuid.UUID, 0, len(ix.alias))
	for k := range ix.alias {
		alias = append(alias, k)
	}
	slices.SortFunc(alias, func(a, b uuid.UUID) int { return strings.Compare(string(a[:]), string(b[:])) })
	e.u64(uint64(len(alias)))
	for _, k := range alias {
		c := ix.alias[k]
		e.bytes(k[:])
		e.bytes(c[:])
	}
	// Adjacency: each node's count, then every link in node order.
	for _, a := range ix.adj {
		e.u32(uint32(len(a)))
	}
	for _, a := range ix.adj {
		for _, l := range a {
			e.u32(uint32(l.Other))
			e.u16(uint16(l.from))
			e.u16(uint16(l.to))
			e.u16(uint16(l.Kind))
			if l.Out {
				e.u16(1)
			} else {
				e.u16(0)
			}
		}
	}
	// Names.
	nx := &ix.names
	e.u64(uint64(len(nx.strs)))
	for _, s := range nx.strs {
		e.str(s)
	}
	for _, p := range nx.postings {
		e.u32(uint32(len(p)))
	}
	for _, ps := range nx.postings {
		for _, p := range ps {
			e.u32(uint32(p.Node))
			e.u16(p.Words)
			e.u16(p.Slot)
		}
	}
	e.u64(uint64(len(nx.count)))
	for _, c := range nx.count {
		e.u16(c)
	}
	if e.err == nil {
		e.err = e.w.Flush()
	}
	if e.err != nil {
		return cw.n, e.err
	}
	var sum [4]byte
	binary.LittleEndian.PutUint32(sum[:], h.Sum32())
	_, err := w.Write(sum[:])
	return cw.n + 4, err
}

// Read reads an Index written by WriteTo from data, the whole file. It
// returns ErrStale (wrapped) if the file is of another format version or
// was written with another stamp, and an error naming the section if the
// file is corrupt or cut short.
func Read(data []byte, stamp []byte) (*Index, error) {
	if len(data) < len(magic)+8 {
		return nil, fmt.Errorf("graph index file: %d bytes, too short", len(data))
	}
	if string(data[:4]) != string(magic[:]) {
		return nil, fmt.Errorf("graph index file: bad magic %q", data[:4])
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	d := &decoder{b: body[4:]}
	if v := d.u32(); v != FormatVersion {
		return nil, fmt.Errorf("%w: format version %d, want %d", ErrStale, v, FormatVersion)
	}
	if got := d.blob(); d.err == nil && string(got) != string(stamp) {
		return nil, fmt.Errorf("%w: written for another state of the store", ErrStale)
	}
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, fmt.Errorf("graph index file: checksum mismatch (corrupt or cut short)")
	}
	d.section = "counts"
	n := d.count(16)
	ix := NewSized(0)
	d.section = "ids"
	ix.ids = make([]uuid.UUID, n)
	for i := range ix.ids {
		copy(ix.ids[i][:], d.take(16))
	}
	d.section = "schemas"
	ix.schema = make([]uint16, n)
	for i := range ix.schema {
		ix.schema[i] = d.u16()
	}
	ns := d.count(1)
	ix.schemaNames = make([]string, 0, ns)
	for range ns {
		ix.schemaNames = append(ix.schemaNames, d.str())
	}
	for code, s := range ix.schemaNames {
		if code > 0 {
			ix.codes[s] = uint16(code)
		}
	}
	d.section = "designators"
	nd := d.count(4)
	for range nd {
		k := int32(d.u32())
		ix.desig[k] = graph.DesignatorInfo{Authority: d.str(), Programme: d.str(), Name: d.str()}
	}
	d.section = "aliases"
	na := d.count(32)
	if na > 0 {
		ix.alias = make(map[uuid.UUID]uuid.UUID, na)
	}
	for range na {
		var k, c uuid.UUID
		copy(k[:], d.take(16))
		copy(c[:], d.take(16))
		ix.alias[k] = c
	}
	d.section = "adjacency"
	counts := make([]int, n)
	total := 0
	for i := range counts {
		counts[i] = int(d.u32())
		if total += counts[i]; d.err == nil && total > len(d.b)/12 {
			d.fail("%d links or more, more than the file holds", total)
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	slab := make([]Link, total)
	for i := range slab {
		b := d.take(12)
		if b == nil {
			break
		}
		slab[i] = Link{Other: int32(binary.LittleEndian.Uint32(b)), from: day16(binary.LittleEndian.Uint16(b[4:])),
			to: day16(binary.LittleEndian.Uint16(b[6:])), Kind: graph.RelType(binary.LittleEndian.Uint16(b[8:])), Out: b[10] == 1}
		if slab[i].Other < 0 || int(slab[i].Other) >= n {
			d.fail("link to node %d of %d", slab[i].Other, n)
			break
		}
	}
	ix.adj = make([][]Link, n)
	off := 0
	for i, c := range counts {
		if off+c > len(slab) {
			break
		}
		ix.adj[i] = slab[off : off+c : off+c]
		off += c
	}
	// What follows from the above: flags and counts.
	ix.flags = make([]uint8, n)
	for i, code := range ix.schema {
		switch {
		case code == 0:
			continue
		case int(code) >= len(ix.schemaNames):
			d.fail("entity %d has schema code %d of %d", i, code, len(ix.schemaNames))
		}
		ix.flags[i] = flagStored
		if _, ok := ix.desig[int32(i)]; ok {
			ix.flags[i] |= flagDesignator
		}
		ix.stored++
	}
	for _, l := range slab {
		if l.Out {
			ix.links++
		}
	}
	d.section = "names"
	nx := &ix.names
	nw := d.count(4)
	nx.strs = make([]string, nw)
	nx.tokens = make(map[string]WordID, nw)
	for i := range nx.strs {
		nx.strs[i] = d.str()
		nx.tokens[nx.strs[i]] = WordID(i)
	}
	pcounts := make([]int, nw)
	ptotal := 0
	for i := range pcounts {
		pcounts[i] = int(d.u32())
		if ptotal += pcounts[i]; d.err == nil && ptotal > len(d.b)/8 {
			d.fail("%d postings or more, more than the file holds", ptotal)
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	pslab := make([]Posting, ptotal)
	for i := range pslab {
		b := d.take(8)
		if b == nil {
			break
		}
		pslab[i] = Posting{Node: Node(binary.LittleEndian.Uint32(b)), Words: binary.LittleEndian.Uint16(b[4:]), Slot: binary.LittleEndian.Uint16(b[6:])}
		if pslab[i].Node < 0 || int(pslab[i].Node) >= n {
			d.fail("posting of node %d of %d", pslab[i].Node, n)
			break
		}
	}
	nx.postings = make([][]Posting, nw)
	off = 0
	for i, c := range pcounts {
		if off+c > len(pslab) {
			break
		}
		nx.postings[i] = pslab[off : off+c : off+c]
		off += c
	}
	nc := d.count(2)
	nx.count = make([]uint16, nc)
	for i := range nx.count {
		nx.count[i] = d.u16()
	}
	if d.err != nil {
		return nil, d.err
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("graph index file: %d bytes left over after the last section", len(d.b))
	}
	nx.dirty = true // sortedWords sorts them at the first prefix look-up
	ix.nums.reserve(nil, n)
	for i, id := range ix.ids {
		if _, dup := ix.nums.get(ix.ids, id); dup {
			return nil, fmt.Errorf("graph index file: entity %s numbered twice", id)
		}
		ix.nums.put(ix.ids, id, int32(i))
	}
	return ix, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type encoder struct {
	w   *bufio.Writer
	buf [8]byte
	err error
}

func (e *encoder) bytes(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *encoder) u16(v uint16) {
	binary.LittleEndian.PutUint16(e.buf[:], v)
	e.bytes(e.buf[:2])
}

func (e *encoder) u32(v uint32) {
	binary.LittleEndian.PutUint32(e.buf[:], v)
	e.bytes(e.buf[:4])
}

func (e *encoder) u64(v uint64) {
	binary.LittleEndian.PutUint64(e.buf[:], v)
	e.bytes(e.buf[:8])
}

func (e *encoder) blob(b []byte) {
	e.u32(uint32(len(b)))
	e.bytes(b)
}

func (e *encoder) str(s string) {
	e.u32(uint32(len(s)))
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

// decoder reads what encoder wrote; the first error sticks, and reads
// after it return zeros.
type decoder struct {
	b       []byte
	section string
	err     error
}

func (d *decoder) fail(format string, a ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("graph index file: section %s: %s", d.section, fmt.Sprintf(format, a...))
	}
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.fail("cut short (%d bytes wanted, %d left)", n, len(d.b))
		return nil
	}
	b := d.b[:n]
	d.b = d.b[n:]
	return b
}

func (d *decoder) u16() uint16 {
	if b := d.take(2); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

func (d *decoder) u32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// count reads an element count and checks that the file can hold that
// many elements of at least size bytes each.
func (d *decoder) count(size int) int {
	v := d.u64()
	if d.err == nil && (v > math.MaxInt32 || int(v)*size > len(d.b)) {
		d.fail("count %d larger than the file", v)
		return 0
	}
	return int(v)
}

func (d *decoder) blob() []byte {
	n := int(d.u32())
	return d.take(n)
}

func (d *decoder) str() string {
	n := int(d.u32())
	return string(d.take(n))
}

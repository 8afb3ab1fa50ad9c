package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Values of n, h and o keys are a version byte followed by the record:
// binary (recordBinary, record.go) since layout version 2, JSON (recordJSON)
// before, still read. The id and the edge ends are in the key and are not
// repeated in the value.

// valueVersion is the version byte of manifests, undo entries and kind
// values.
const valueVersion = 1

func encodeEntity(e *graph.Entity) ([]byte, error) {
	return appendEntityRecord(make([]byte, 0, 256), e), nil
}

func decodeEntity(id uuid.UUID, b []byte) (*graph.Entity, error) {
	var e graph.Entity
	var err error
	switch {
	case len(b) > 0 && b[0] == recordBinary:
		err = readEntityRecord(b, &e)
	case len(b) > 0 && b[0] == recordJSON:
		err = json.Unmarshal(b[1:], &e)
	default:
		return nil, fmt.Errorf("entity %s: unknown value version", id)
	}
	if err != nil {
		return nil, fmt.Errorf("entity %s: %w", id, err)
	}
	e.ID = id
	return &e, nil
}

func encodeRelationship(r *graph.Relationship) ([]byte, error) {
	return appendRelationshipRecord(make([]byte, 0, 192), r), nil
}

func decodeRelationship(l edgeLoc, b []byte) (*graph.Relationship, error) {
	var r graph.Relationship
	var err error
	switch {
	case len(b) > 0 && b[0] == recordBinary:
		err = readRelationshipRecord(b, &r)
	case len(b) > 0 && b[0] == recordJSON:
		err = json.Unmarshal(b[1:], &r)
	default:
		return nil, fmt.Errorf("relationship %s: unknown value version", l.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("relationship %s: %w", l.ID, err)
	}
	r.ID, r.Source, r.Target, r.Kind = l.ID, l.Src, l.Dst, l.Rel
	return &r, nil
}

// sameRecord reports whether the stored value old and the new value of an
// item hold the same record: the same bytes, or the same record once read
// (a record stored in JSON, before layout version 2), but for the dates of
// their sources (date, retrievedAt). A record that did not change is not
// rewritten (Unchanged), whichever form it was stored in. A list that
// states its date on every entry (the UN's, OFAC's XML, the UK's) gives
// every record a new source date with each version; a record whose
// content did not change keeps the date of the version that first stated
// it so, and is no change: the next day's version of the UN list changes
// the entries that changed, not all of them (a watchlist re-check then
// looks at those only).
func sameRecord(it item, old, new []byte) bool {
	if bytes.Equal(old, new) {
		return true
	}
	undate := func(ss []graph.Source) {
		for i := range ss {
			ss[i].Date, ss[i].RetrievedAt = "", ""
		}
	}
	var x, y []byte
	switch it.tag {
	case tagOut:
		r1, err1 := decodeRelationship(it.edge, old)
		r2, err2 := decodeRelationship(it.edge, new)
		if err1 != nil || err2 != nil {
			return false
		}
		undate(r1.Sources)
		undate(r2.Sources)
		x, _ = encodeRelationship(r1)
		y, _ = encodeRelationship(r2)
	default:
		e1, err1 := decodeEntity(it.id, old)
		e2, err2 := decodeEntity(it.id, new)
		if err1 != nil || err2 != nil {
			return false
		}
		undate(e1.Sources)
		undate(e2.Sources)
		x, _ = encodeEntity(e1)
		y, _ = encodeEntity(e2)
	}
	return x != nil && bytes.Equal(x, y)
}

// The value of a kind key is the record's lists (graph.MergeLists), so
// that the merge search knows which pairs can never be one party (of one
// list) without reading their records: a version byte, then per list its
// length (uvarint) and bytes. Stores written before it hold kind keys with
// empty values, which say nothing: their records are read instead.
func encodeKindValue(lists []string) []byte {
	b := []byte{valueVersion}
	for _, l := range lists {
		b = binary.AppendUvarint(b, uint64(len(l)))
		b = append(b, l...)
	}
	return b
}

// decodeKindValue returns the lists a kind key's value holds; ok is false
// for an empty value (a store written before kind keys held them) and an
// error for one it cannot read.
func decodeKindValue(b []byte) (lists []string, ok bool, err error) {
	if len(b) == 0 {
		return nil, false, nil
	}
	if b[0] != valueVersion {
		return nil, false, fmt.Errorf("kind key: unknown value version %d", b[0])
	}
	for p := 1; p < len(b); {
		n, w := binary.Uvarint(b[p:])
		if w <= 0 || uint64(len(b)-p-w) < n {
			return nil, false, errors.New("kind key: bad value")
		}
		p += w
		lists = append(lists, string(b[p:p+int(n)]))
		p += int(n)
	}
	return lists, true, nil
}

// item is one thing a record contributes: an entity, a held document or a
// relationship.
type item struct {
	tag    byte      // tagNode, tagHeld or tagOut
	id     uuid.UUID // entity or document id
	holder uuid.UUID // tagHeld only
	edge   edgeLoc   // tagOut only
}

func (it item) key() []byte {
	switch it.tag {
	case tagNode:
		return nodeKey(it.id)
	case tagHeld:
		return heldKey(it.holder, it.id)
	default:
		return outKey(it.edge)
	}
}

// A manifest lists a record's items: a version byte, then per item its tag
// and fixed-width location.
func encodeManifest(items []item) []byte {
	b := []byte{valueVersion}
	for _, it := range items {
		b = append(b, it.tag)
		switch it.tag {
		case tagNode:
			b = append(b, it.id[:]...)
		case tagHeld:
			b = append(b, it.holder[:]...)
			b = append(b, it.id[:]...)
		case tagOut:
			b = append(b, outKey(it.edge)[1:]...)
		}
	}
	return b
}

var errBadManifest = errors.New("bad manifest")

func decodeManifest(b []byte) ([]item, error) {
	if len(b) == 0 || b[0] != valueVersion {
		return nil, errBadManifest
	}
	var out []item
	for p := 1; p < len(b); {
		tag := b[p]
		p++
		switch tag {
		case tagNode:
			if p+idLen > len(b) {
				return nil, errBadManifest
			}
			out = append(out, item{tag: tag, id: uuid.UUID(b[p : p+idLen])})
			p += idLen
		case tagHeld:
			if p+2*idLen > len(b) {
				return nil, errBadManifest
			}
			out = append(out, item{tag: tag, holder: uuid.UUID(b[p : p+idLen]), id: uuid.UUID(b[p+idLen : p+2*idLen])})
			p += 2 * idLen
		case tagOut:
			if p+edgeLen-1 > len(b) {
				return nil, errBadManifest
			}
			l, err := parseEdgeKey(append([]byte{tagOut}, b[p:p+edgeLen-1]...))
			if err != nil {
				return nil, err
			}
			out = append(out, item{tag: tag, edge: l})
			p += edgeLen - 1
		default:
			return nil, errBadManifest
		}
	}
	return out, nil
}

// An undo entry holds the state of one record before a run changed it: its
// ref, its old manifest (absent if the record was new) and the old value of
// every item in that manifest, in manifest order.
type undoEntry struct {
	ref      string
	manifest []byte // nil: the record did not exist
	values   [][]byte
}

func encodeUndo(u undoEntry) []byte {
	b := binary.AppendUvarint(nil, uint64(len(u.ref)))
	b = append(b, u.ref...)
	if u.manifest == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	b = binary.AppendUvarint(b, uint64(len(u.manifest)))
	b = append(b, u.manifest...)
	b = binary.AppendUvarint(b, uint64(len(u.values)))
	for _, v := range u.values {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	return b
}

var errBadUndo = errors.New("bad undo entry")

// An undo journal value is a list of undo entries, each prefixed with its
// length, oldest first.
func appendUndo(b []byte, u undoEntry) []byte {
	e := encodeUndo(u)
	b = binary.AppendUvarint(b, uint64(len(e)))
	return append(b, e...)
}

func decodeUndoList(b []byte) ([]undoEntry, error) {
	var out []undoEntry
	for len(b) > 0 {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			return nil, errBadUndo
		}
		u, err := decodeUndo(b[w : w+int(n)])
		if err != nil {
			return nil, err
		}
		out = append(out, u)
		b = b[w+int(n):]
	}
	return out, nil
}

func decodeUndo(b []byte) (undoEntry, error) {
	var u undoEntry
	next := func() ([]byte, bool) {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			return nil, false
		}
		v := b[w : w+int(n)]
		b = b[w+int(n):]
		return v, true
	}
	ref, ok := next()
	if !ok || len(b) == 0 {
		return u, errBadUndo
	}
	u.ref = string(ref)
	present := b[0]
	b = b[1:]
	if present == 0 {
		return u, nil
	}
	man, ok := next()
	if !ok {
		return u, errBadUndo
	}
	u.manifest = append([]byte(nil), man...)
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)) {
		return u, errBadUndo
	}
	b = b[w:]
	for i := uint64(0); i < n; i++ {
		v, ok := next()
		if !ok {
			return u, errBadUndo
		}
		u.values = append(u.values, append([]byte(nil), v...))
	}
	if len(b) != 0 {
		return u, errBadUndo
	}
	return u, nil
}

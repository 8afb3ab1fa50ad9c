package store

import (
	"encoding/binary"
	"errors"
	"slices"
	"unicode/utf8"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// The binary form of records (values of n, h and o keys), written since
// layout version 2. JSON (recordJSON, still read) cost a bulk load a fifth
// of its CPU to write and every reader as much to decode: at 1M records,
// json.Marshal in prepare took 2.8 s of 27 s.
//
// A record is its version byte (recordBinary), then its fields in a fixed
// order, each string as a uvarint length and its bytes, each list as a
// uvarint count and its items. It decodes to exactly what the JSON form
// decoded to (TestRecordCodecMatchesJSON), which is what readers have
// always seen:
//
//   - a string that is not valid UTF-8 has each bad byte replaced by
//     U+FFFD, as encoding/json writes it;
//   - where JSON writes null and [] or {} apart (an entity's properties,
//     the values of a property), the count is stored plus one, 0 for nil;
//     where it omits an empty list (omitempty), an empty list decodes as
//     nil;
//   - properties are written in key order, so that a record gives the same
//     bytes whatever its map's order (writes compare values to find the
//     records that did not change).
//
// The entity's id and Held (read from h keys) are not in it, nor the
// relationship's id, kind and ends: the key holds them.
//
//	entity:       ref schema caption props(count+1) referents sources
//	relationship: ref schema source-ref target-ref props(count) sources
//	props:        per key in order: key, values(count+1)
//	source:       dataset recordId url document date retrievedAt quote part
const (
	recordJSON   = 1 // JSON; also the version byte of manifests, undo entries, kind values
	recordBinary = 2
)

// recordFields are the fields of the records the binary form writes, by
// type (TestRecordCodecCoversFields fails when one is added, so that the
// codec learns it).
var recordFields = map[string][]string{
	"Entity":       {"ID", "Ref", "Schema", "Caption", "Props", "Referents", "Sources", "Held"},
	"Relationship": {"ID", "Ref", "Kind", "Schema", "Source", "Target", "SourceRef", "TargetRef", "Props", "Sources"},
	"Source":       {"Dataset", "RecordID", "URL", "Document", "Date", "RetrievedAt", "Quote", "Part"},
}

func appendEntityRecord(b []byte, e *graph.Entity) []byte {
	b = append(b, recordBinary)
	b = appendString(b, e.Ref)
	b = appendString(b, e.Schema)
	b = appendString(b, e.Caption)
	b = appendProps(b, e.Props, true)
	b = appendStrings(b, e.Referents, false)
	return appendSources(b, e.Sources)
}

func appendRelationshipRecord(b []byte, r *graph.Relationship) []byte {
	b = append(b, recordBinary)
	b = appendString(b, r.Ref)
	b = appendString(b, r.Schema)
	b = appendString(b, r.SourceRef)
	b = appendString(b, r.TargetRef)
	b = appendProps(b, r.Props, false)
	return appendSources(b, r.Sources)
}

func appendString(b []byte, s string) []byte {
	if !utf8.ValidString(s) {
		s = validUTF8(s)
	}
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// validUTF8 replaces each byte of s that is not part of valid UTF-8 by
// U+FFFD, as encoding/json does (strings.ToValidUTF8 replaces a run of
// them by one).
func validUTF8(s string) string {
	out := make([]byte, 0, len(s)+8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, s[i:i+n]...)
		}
		i += n
	}
	return string(out)
}

// appendStrings writes a list; with null, nil and empty are told apart
// (count plus one, 0 for nil).
func appendStrings(b []byte, v []string, null bool) []byte {
	n := uint64(len(v))
	if null && v != nil {
		n++
	}
	b = binary.AppendUvarint(b, n)
	for _, s := range v {
		b = appendString(b, s)
	}
	return b
}

func appendProps(b []byte, m map[string][]string, null bool) []byte {
	n := uint64(len(m))
	if null && m != nil {
		n++
	}
	b = binary.AppendUvarint(b, n)
	if len(m) == 0 {
		return b
	}
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = appendString(b, k)
		b = appendStrings(b, m[k], true)
	}
	return b
}

func appendSources(b []byte, v []graph.Source) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	for i := range v {
		s := &v[i]
		for _, f := range [...]string{s.Dataset, s.RecordID, s.URL, s.Document, s.Date, s.RetrievedAt, s.Quote, s.Part} {
			b = appendString(b, f)
		}
	}
	return b
}

var errBadRecord = errors.New("bad record")

// recordReader reads the binary form. Its strings share one copy of the
// value (one allocation for all of them).
type recordReader struct {
	s   string
	p   int
	err error
}

func newRecordReader(b []byte) *recordReader { return &recordReader{s: string(b[1:])} }

func (r *recordReader) uvarint() uint64 {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if r.p >= len(r.s) {
			break
		}
		c := r.s[r.p]
		r.p++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x
		}
	}
	r.err = errBadRecord
	return 0
}

// count reads a count of items that take at least a byte each.
func (r *recordReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.s)-r.p)+1 {
		r.err = errBadRecord
		return 0
	}
	return int(n)
}

func (r *recordReader) str() string {
	n := r.uvarint()
	if r.err != nil || n > uint64(len(r.s)-r.p) {
		r.err = errBadRecord
		return ""
	}
	s := r.s[r.p : r.p+int(n)]
	r.p += int(n)
	return s
}

func (r *recordReader) strs(null bool) []string {
	n := r.count()
	if null {
		if n == 0 {
			return nil
		}
		n--
		if n == 0 {
			return []string{}
		}
	}
	if n == 0 || r.err != nil {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = r.str()
	}
	return out
}

func (r *recordReader) props(null bool) map[string][]string {
	n := r.count()
	if null {
		if n == 0 {
			return nil
		}
		n--
	} else if n == 0 {
		return nil
	}
	if r.err != nil {
		return nil
	}
	m := make(map[string][]string, n)
	for range n {
		k := r.str()
		m[k] = r.strs(true)
	}
	return m
}

func (r *recordReader) sources() []graph.Source {
	n := r.count()
	if n == 0 || r.err != nil {
		return nil
	}
	out := make([]graph.Source, n)
	for i := range out {
		s := &out[i]
		for _, f := range [...]*string{&s.Dataset, &s.RecordID, &s.URL, &s.Document, &s.Date, &s.RetrievedAt, &s.Quote, &s.Part} {
			*f = r.str()
		}
	}
	return out
}

// done reports the reader's error, or one if bytes are left over.
func (r *recordReader) done() error {
	if r.err == nil && r.p != len(r.s) {
		return errBadRecord
	}
	return r.err
}

func readEntityRecord(b []byte, e *graph.Entity) error {
	r := newRecordReader(b)
	e.Ref, e.Schema, e.Caption = r.str(), r.str(), r.str()
	e.Props = r.props(true)
	e.Referents = r.strs(false)
	e.Sources = r.sources()
	return r.done()
}

func readRelationshipRecord(b []byte, rel *graph.Relationship) error {
	r := newRecordReader(b)
	rel.Ref, rel.Schema, rel.SourceRef, rel.TargetRef = r.str(), r.str(), r.str(), r.str()
	rel.Props = r.props(false)
	rel.Sources = r.sources()
	return r.done()
}

package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// jsonEntity and jsonRelationship are the records as layout version 1
// wrote them.
func jsonEntity(t testing.TB, e *graph.Entity) []byte {
	c := *e
	c.Held = nil
	b, err := json.Marshal(&c)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{recordJSON}, b...)
}

func jsonRelationship(t testing.TB, r *graph.Relationship) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte{recordJSON}, b...)
}

// randomStrings gives nil, empty and full lists, and strings with bytes
// that are not UTF-8, escapes and 0x00.
func randomString(r *rand.Rand) string {
	words := []string{"", "a", "Ivan", "ИВАН", "<&>", "\"q\"", "\\", "\x00", "\xff", "a\xc3", "\u2028", "日本", "x\xed\xa0\x80y"}
	s := ""
	for range r.IntN(3) {
		s += words[r.IntN(len(words))]
	}
	return s
}

func randomStrings(r *rand.Rand) []string {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return []string{}
	}
	out := make([]string, 1+r.IntN(3))
	for i := range out {
		out[i] = randomString(r)
	}
	return out
}

func randomProps(r *rand.Rand) map[string][]string {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return map[string][]string{}
	}
	m := map[string][]string{}
	for range 1 + r.IntN(20) { // more than the encoder's 16 on its stack
		m[randomString(r)] = randomStrings(r)
	}
	return m
}

func randomSources(r *rand.Rand) []graph.Source {
	switch r.IntN(3) {
	case 0:
		return nil
	case 1:
		return []graph.Source{}
	}
	out := make([]graph.Source, 1+r.IntN(2))
	for i := range out {
		out[i] = graph.Source{Dataset: randomString(r), RecordID: randomString(r), URL: randomString(r), Document: randomString(r),
			Date: randomString(r), RetrievedAt: randomString(r), Quote: randomString(r), Part: randomString(r)}
	}
	return out
}

// badKeys reports whether property names that are not UTF-8 are in m:
// JSON made several of them one, so the record read from JSON and written
// again is not the record (it is reported updated once).
func badKeys(m map[string][]string) bool {
	for k := range m {
		if !utf8.ValidString(k) {
			return true
		}
	}
	return false
}

// The binary form reads back as exactly what the JSON form read back as,
// which is what every reader of a store has seen: nil and empty lists
// where JSON tells them apart, bad UTF-8 replaced as encoding/json does.
func TestRecordCodecMatchesJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	id := uuid.MustParse("00000000-0000-0000-0000-0000000000e1")
	loc := edgeLoc{Src: idA, Dst: idB, ID: idC, Rel: graph.RelOwns}
	for i := range 3000 {
		e := &graph.Entity{ID: id, Ref: randomString(r), Schema: randomString(r), Caption: randomString(r), Props: randomProps(r),
			Referents: randomStrings(r), Sources: randomSources(r), Held: []*graph.Entity{{Ref: "held"}}}
		want, err := decodeEntity(id, jsonEntity(t, e))
		if err != nil {
			t.Fatal(err)
		}
		v, _ := encodeEntity(e)
		got, err := decodeEntity(id, v)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("entity %d: binary reads back %#v, %v\nJSON reads back %#v", i, got, err, want)
		}
		// Written again (as a re-ingest compares it), the same; but for
		// keys that bad UTF-8 made one, as in JSON.
		again, _ := encodeEntity(got)
		if e2, err := decodeEntity(id, again); err != nil || !reflect.DeepEqual(e2, got) {
			t.Fatalf("entity %d: written again reads %#v, %v, want %#v", i, e2, err, got)
		}
		if !sameRecord(item{tag: tagNode, id: id}, jsonEntity(t, e), v) && !badKeys(e.Props) {
			t.Fatalf("entity %d: its JSON form is not the same record", i)
		}

		rel := &graph.Relationship{ID: loc.ID, Ref: randomString(r), Kind: loc.Rel, Schema: randomString(r), Source: loc.Src, Target: loc.Dst,
			SourceRef: randomString(r), TargetRef: randomString(r), Props: randomProps(r), Sources: randomSources(r)}
		wantRel, err := decodeRelationship(loc, jsonRelationship(t, rel))
		if err != nil {
			t.Fatal(err)
		}
		v, _ = encodeRelationship(rel)
		gotRel, err := decodeRelationship(loc, v)
		if err != nil || !reflect.DeepEqual(gotRel, wantRel) {
			t.Fatalf("relationship %d: binary reads back %#v, %v\nJSON reads back %#v", i, gotRel, err, wantRel)
		}
		if !sameRecord(item{tag: tagOut, edge: loc}, jsonRelationship(t, rel), v) && !badKeys(rel.Props) {
			t.Fatalf("relationship %d: its JSON form is not the same record", i)
		}
	}
	// Different records are not the same, in either form.
	a := &graph.Entity{Ref: "a", Schema: "Person", Props: map[string][]string{"name": {"A"}}}
	b := &graph.Entity{Ref: "a", Schema: "Person", Props: map[string][]string{"name": {"B"}}}
	vb, _ := encodeEntity(b)
	if sameRecord(item{tag: tagNode}, jsonEntity(t, a), vb) || sameRecord(item{tag: tagNode}, vb[:len(vb)-1], vb) {
		t.Error("sameRecord holds for different records")
	}
}

// The binary form writes every field of the records: a field added to
// graph.Entity, graph.Relationship or graph.Source fails here until the
// codec (record.go) writes it and recordFields lists it.
func TestRecordCodecCoversFields(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[graph.Entity](), reflect.TypeFor[graph.Relationship](), reflect.TypeFor[graph.Source]()} {
		var got []string
		for f := range typ.Fields() {
			got = append(got, f.Name)
		}
		if want := recordFields[typ.Name()]; !slices.Equal(got, want) {
			t.Errorf("%s has fields %v; the record codec knows %v", typ.Name(), got, want)
		}
	}
}

// A damaged record is an error, never a panic or a wrong record.
func TestRecordCodecRejectsDamage(t *testing.T) {
	e := &graph.Entity{Ref: "r", Schema: "Person", Props: map[string][]string{"name": {"Ivan"}, "alias": nil},
		Referents: []string{"x"}, Sources: []graph.Source{{Dataset: "d", Part: "p"}}}
	v, _ := encodeEntity(e)
	for n := 1; n < len(v); n++ {
		if _, err := decodeEntity(idA, v[:n]); err == nil {
			t.Errorf("entity cut to %d of %d bytes: no error", n, len(v))
		}
	}
	if _, err := decodeEntity(idA, append(slices.Clone(v), 0)); err == nil {
		t.Error("entity with a byte too many: no error")
	}
	huge := binary.AppendUvarint([]byte{recordBinary}, 1<<62)
	for _, b := range [][]byte{nil, {0}, {3}, huge, append(slices.Clone(huge), 'x')} {
		if _, err := decodeEntity(idA, b); err == nil {
			t.Errorf("decodeEntity(%q): no error", b)
		}
		if _, err := decodeRelationship(edgeLoc{}, b); err == nil {
			t.Errorf("decodeRelationship(%q): no error", b)
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	v, _ := encodeEntity(&graph.Entity{Ref: "r", Schema: "Person", Props: map[string][]string{"name": {"Ivan"}}, Sources: []graph.Source{{Dataset: "d"}}})
	f.Add(v)
	v, _ = encodeRelationship(&graph.Relationship{Ref: "r", SourceRef: "a", TargetRef: "b", Props: map[string][]string{"p": {"1"}}})
	f.Add(v)
	f.Fuzz(func(t *testing.T, b []byte) {
		// Never a panic; what reads can be written again.
		if e, err := decodeEntity(idA, b); err == nil {
			again, _ := encodeEntity(e)
			if _, err := decodeEntity(idA, again); err != nil {
				t.Errorf("%q reads as %#v, written again does not read: %v", b, e, err)
			}
		}
		if r, err := decodeRelationship(edgeLoc{}, b); err == nil {
			again, _ := encodeRelationship(r)
			if _, err := decodeRelationship(edgeLoc{}, again); err != nil {
				t.Errorf("%q reads as %#v, written again does not read: %v", b, r, err)
			}
		}
	})
}

// A store of layout version 1 (records in JSON) is read as it is, marked
// version 2 when opened for writing, and its records, ingested again
// unchanged, are not rewritten.
func TestLayoutVersion1Store(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := openIn(t, dir, Options{GCInterval: -1})
	recs := mergeFixture()
	apply(t, s, recs...)
	// Back to version 1: every record in JSON, the version key 1.
	err := s.db.Update(func(txn *badger.Txn) error {
		for _, tag := range []byte{tagNode, tagHeld, tagOut} {
			opts := badger.DefaultIteratorOptions
			opts.Prefix = []byte{tag}
			it := txn.NewIterator(opts)
			var keys, vals [][]byte
			for it.Rewind(); it.Valid(); it.Next() {
				k := it.Item().KeyCopy(nil)
				v, err := it.Item().ValueCopy(nil)
				if err != nil {
					it.Close()
					return err
				}
				switch tag {
				case tagOut:
					l, err := parseEdgeKey(k)
					if err != nil {
						it.Close()
						return err
					}
					r, err := decodeRelationship(l, v)
					if err != nil {
						it.Close()
						return err
					}
					v = jsonRelationship(t, r)
				default:
					e, err := decodeEntity(idA, v)
					if err != nil {
						it.Close()
						return err
					}
					v = jsonEntity(t, e)
				}
				keys, vals = append(keys, k), append(vals, v)
			}
			it.Close()
			for i := range keys {
				if err := txn.Set(keys[i], vals[i]); err != nil {
					return err
				}
			}
		}
		return txn.Set(versionKey, binary.BigEndian.AppendUint32(nil, 1))
	})
	if err != nil {
		t.Fatal(err)
	}
	before, err := s.Entity(ctx, graph.KeyFor("un:6908622"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	version := func(s *Store) uint32 {
		var v uint32
		if err := s.db.View(func(txn *badger.Txn) error {
			it, err := txn.Get(versionKey)
			if err != nil {
				return err
			}
			return it.Value(func(b []byte) error { v = binary.BigEndian.Uint32(b); return nil })
		}); err != nil {
			t.Fatal(err)
		}
		return v
	}
	ro := openIn(t, dir, Options{ReadOnly: true, GCInterval: -1})
	if v := version(ro); v != 1 {
		t.Errorf("read-only open: layout version %d, want 1 left as it was", v)
	}
	got, err := ro.Entity(ctx, graph.KeyFor("un:6908622"))
	if err != nil || !reflect.DeepEqual(got, before) {
		t.Errorf("read-only, a JSON record reads %+v, %v, want %+v", got, err, before)
	}
	ro.Close()

	s = openIn(t, dir, Options{GCInterval: -1})
	if v := version(s); v != layoutVersion {
		t.Errorf("opened for writing: layout version %d, want %d", v, layoutVersion)
	}
	got, err = s.Entity(ctx, graph.KeyFor("un:6908622"))
	if err != nil || !reflect.DeepEqual(got, before) {
		t.Errorf("a JSON record reads %+v, %v, want %+v", got, err, before)
	}
	for i, o := range apply(t, s, mergeFixture()...) {
		if o != graph.Unchanged {
			t.Errorf("record %s ingested again: %v, want unchanged", recs[i].Ref, o)
		}
	}
	if rep, err := s.Check(ctx); err != nil || !rep.OK() {
		t.Errorf("Check = %+v, %v", rep, err)
	}
	if _, err := s.AutoMerge(ctx); err != nil {
		t.Error(err)
	}
	s.Close()

	// A later version is refused.
	s = openIn(t, dir, Options{GCInterval: -1})
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(versionKey, binary.BigEndian.AppendUint32(nil, layoutVersion+1))
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(ctx, dir, Options{GCInterval: -1}); err == nil {
		s.Close()
		t.Error("a store of a later layout version opened")
	}
}

package store

import (
	"bytes"
	"sort"
	"testing"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

var (
	idA = uuid.MustParse("00000000-0000-0000-0000-00000000000a")
	idB = uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	idC = uuid.MustParse("ffffffff-0000-0000-0000-00000000000c")
)

func TestKeyRoundTrip(t *testing.T) {
	if got, err := parseNodeKey(nodeKey(idA)); err != nil || got != idA {
		t.Errorf("parseNodeKey(nodeKey(%v)) = %v, %v", idA, got, err)
	}
	for _, tc := range []struct {
		tag byte
		s   string
		key []byte
	}{
		{tagKind, "Company", kindKey("Company", idA)},
		{tagName, "bank foreign trade", nameKey("bank foreign trade", idA)},
		{tagReferent, "ofac-15603", referentKey("ofac-15603", idA)},
		{tagIdent, "FTBDKPPY", identKey("FTBDKPPY", idA)},
		{tagIdent, "FTBDKPPY", identKey("FTBDKPPY", idA, idB)},
	} {
		s, id, err := parseStringIDKey(tc.key, tc.tag)
		if err != nil || s != tc.s || id != idA {
			t.Errorf("parseStringIDKey(%q) = %q, %v, %v; want %q, %v", tc.key, s, id, err, tc.s, idA)
		}
	}
	l := edgeLoc{Src: idA, Dst: idB, ID: idC, Rel: graph.RelOpenedAccountsFor}
	for _, k := range [][]byte{outKey(l), inKey(l)} {
		if got, err := parseEdgeKey(k); err != nil || got != l {
			t.Errorf("parseEdgeKey(%q) = %+v, %v; want %+v", k, got, err, l)
		}
	}
	if h, d, err := parseHeldKey(heldKey(idA, idB)); err != nil || h != idA || d != idB {
		t.Errorf("parseHeldKey = %v %v %v", h, d, err)
	}
	if r, err := parseManifestKey(manifestKey("NK-abc")); err != nil || r != "NK-abc" {
		t.Errorf("parseManifestKey = %q, %v", r, err)
	}
	if r, err := parseRunKey(runKey(42)); err != nil || r != 42 {
		t.Errorf("parseRunKey = %d, %v", r, err)
	}
	if r, s, err := parseUndoKey(undoKey(7, 9)); err != nil || r != 7 || s != 9 {
		t.Errorf("parseUndoKey = %d %d %v", r, s, err)
	}
	if id, err := parseFindingKey(findingKey(idC)); err != nil || id != idC {
		t.Errorf("parseFindingKey = %v, %v", id, err)
	}
	if s, err := parseAuditKey(auditKey(1 << 40)); err != nil || s != 1<<40 {
		t.Errorf("parseAuditKey = %d, %v", s, err)
	}
	for _, tag := range []byte{tagSame, tagApart} {
		// One key whichever way round the pair is named, smaller id first.
		if !bytes.Equal(pairKey(tag, idB, idA), pairKey(tag, idA, idB)) {
			t.Errorf("pairKey(%c, b, a) != pairKey(%c, a, b)", tag, tag)
		}
		if a, b, err := parsePairKey(pairKey(tag, idB, idA), tag); err != nil || a != idA || b != idB {
			t.Errorf("parsePairKey(pairKey(%c, b, a)) = %v, %v, %v; want %v, %v", tag, a, b, err, idA, idB)
		}
	}
	if _, _, err := parsePairKey(pairKey(tagSame, idA, idB), tagApart); err == nil {
		t.Errorf("parsePairKey accepted a same-as key as a keep-apart key")
	}
	if _, err := parseAuditKey(findingKey(idA)); err == nil {
		t.Errorf("parseAuditKey accepted a finding key")
	}
	if _, err := parseFindingKey(auditKey(3)); err == nil {
		t.Errorf("parseFindingKey accepted an audit key")
	}
	// Audit keys sort by sequence number: listing in key order is listing in
	// order of writing.
	if bytes.Compare(auditKey(255), auditKey(256)) >= 0 {
		t.Errorf("auditKey(255) sorts after auditKey(256)")
	}
}

func TestKeyParseRejectsGarbage(t *testing.T) {
	bad := [][]byte{nil, {tagNode}, {tagOut, 1, 2}, []byte("xno-separator"), append(nodeKey(idA), 0)}
	for _, k := range bad {
		if _, err := parseNodeKey(k); err == nil && len(k) != 17 {
			t.Errorf("parseNodeKey(%q) accepted", k)
		}
		if _, err := parseEdgeKey(k); err == nil {
			t.Errorf("parseEdgeKey(%q) accepted", k)
		}
		if _, _, err := parseStringIDKey(k, tagName); err == nil {
			t.Errorf("parseStringIDKey(%q) accepted", k)
		}
	}
}

// Edge keys of one entity sort by kind, then by the other end, so a prefix
// scan on o<src><rel> lists one kind.
func TestEdgeKeySortOrder(t *testing.T) {
	keys := [][]byte{
		outKey(edgeLoc{Src: idA, Dst: idC, ID: idA, Rel: graph.RelOwns}),
		outKey(edgeLoc{Src: idA, Dst: idB, ID: idC, Rel: graph.RelLinkedTo}),
		outKey(edgeLoc{Src: idA, Dst: idB, ID: idA, Rel: graph.RelOwns}),
		outKey(edgeLoc{Src: idB, Dst: idA, ID: idA, Rel: graph.RelOwns}),
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
	var got []string
	for _, k := range keys {
		l, _ := parseEdgeKey(k)
		got = append(got, l.Src.String()[35:]+l.Rel.String()+l.Dst.String()[35:])
	}
	want := []string{"aownsb", "aownsc", "alinked-tob", "bownsa"}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("sorted edge keys = %v, want %v", got, want)
		}
	}
	p := edgeKindPrefix(tagOut, idA, graph.RelOwns)
	n := 0
	for _, k := range keys {
		if bytes.HasPrefix(k, p) {
			n++
		}
	}
	if n != 2 {
		t.Errorf("prefix o<a><owns> matches %d keys, want 2", n)
	}
}

// A name that is a prefix of another must not capture the other's keys when
// scanning the exact name: the 0x00 terminator sorts first.
func TestStringKeysDoNotCollide(t *testing.T) {
	short := nameKey("bank", idC)
	long := nameKey("bank foreign", idA)
	if bytes.HasPrefix(long, stringPrefix(tagName, "bank")) {
		t.Errorf("prefix of %q captures %q", "bank", long)
	}
	if bytes.Compare(short, long) >= 0 {
		t.Errorf("nameKey(bank) sorts after nameKey(bank foreign)")
	}
}

// Every tag is distinct, so no key family's prefix captures another.
func TestTagsDistinct(t *testing.T) {
	tags := []byte{tagMeta, tagNode, tagKind, tagName, tagIdent, tagReferent, tagOut, tagIn, tagHeld, tagManifest, tagRun, tagUndo, tagSame, tagApart, tagFinding, tagAudit, tagWatchlist, tagParty, tagAlert, tagChange, tagWatchMeta}
	seen := map[byte]bool{}
	for _, tg := range tags {
		if seen[tg] {
			t.Errorf("tag %q used twice", tg)
		}
		seen[tg] = true
	}
}

func FuzzKeyRoundTrip(f *testing.F) {
	f.Add([]byte("Company"), []byte(idA[:]), uint16(3))
	f.Add([]byte(""), []byte(idB[:]), uint16(0))
	f.Fuzz(func(t *testing.T, s []byte, idb []byte, rel uint16) {
		if len(idb) < 16 || bytes.IndexByte(s, 0) >= 0 {
			return
		}
		id := uuid.UUID(idb[:16])
		got, gid, err := parseStringIDKey(nameKey(string(s), id), tagName)
		if err != nil || got != string(s) || gid != id {
			t.Fatalf("name key round trip %q %v: %q %v %v", s, id, got, gid, err)
		}
		l := edgeLoc{Src: id, Dst: idA, ID: idB, Rel: graph.RelType(rel)}
		if gl, err := parseEdgeKey(outKey(l)); err != nil || gl != l {
			t.Fatalf("edge key round trip %+v: %+v %v", l, gl, err)
		}
		// Parsers must never panic on arbitrary bytes.
		parseEdgeKey(s)
		parseStringIDKey(s, tagName)
		parseHeldKey(s)
		decodeManifest(s)
		decodeUndo(s)
		decodeUndoList(s)
	})
}

func TestManifestAndUndoRoundTrip(t *testing.T) {
	items := []item{
		{tag: tagNode, id: idA},
		{tag: tagHeld, holder: idA, id: idB},
		{tag: tagOut, edge: edgeLoc{Src: idA, Dst: idB, ID: idC, Rel: graph.RelOwns}},
	}
	got, err := decodeManifest(encodeManifest(items))
	if err != nil || len(got) != 3 || got[0] != items[0] || got[1] != items[1] || got[2] != items[2] {
		t.Fatalf("decodeManifest(encodeManifest(%v)) = %v, %v", items, got, err)
	}
	u := undoEntry{ref: "NK-1", manifest: encodeManifest(items), values: [][]byte{{1, 2}, {3}, {4, 5, 6}}}
	gu, err := decodeUndo(encodeUndo(u))
	if err != nil || gu.ref != u.ref || !bytes.Equal(gu.manifest, u.manifest) || len(gu.values) != 3 || !bytes.Equal(gu.values[2], u.values[2]) {
		t.Fatalf("undo round trip = %+v, %v", gu, err)
	}
	if gu, err := decodeUndo(encodeUndo(undoEntry{ref: "x"})); err != nil || gu.manifest != nil || gu.ref != "x" {
		t.Fatalf("undo of a new record = %+v, %v", gu, err)
	}
	list, err := decodeUndoList(appendUndo(appendUndo(nil, u), undoEntry{ref: "y"}))
	if err != nil || len(list) != 2 || list[0].ref != "NK-1" || list[1].ref != "y" {
		t.Fatalf("undo list round trip = %+v, %v", list, err)
	}
}

// A kind key's value holds its record's lists; an empty one (a store
// written before) says nothing, and a damaged one is an error.
func TestKindValueRoundTrip(t *testing.T) {
	for _, lists := range [][]string{nil, {"us_ofac_sdn"}, {"eu_journal_sanctions/32014R0833", "un_sc_sanctions"}, {""}} {
		got, ok, err := decodeKindValue(encodeKindValue(lists))
		if err != nil || !ok || len(got) != len(lists) {
			t.Errorf("decodeKindValue(encodeKindValue(%q)) = %q, %v, %v", lists, got, ok, err)
			continue
		}
		for i := range lists {
			if got[i] != lists[i] {
				t.Errorf("decodeKindValue(encodeKindValue(%q)) = %q", lists, got)
			}
		}
	}
	if got, ok, err := decodeKindValue(nil); got != nil || ok || err != nil {
		t.Errorf("decodeKindValue(empty) = %q, %v, %v, want nothing known", got, ok, err)
	}
	for _, bad := range [][]byte{{2}, {valueVersion, 5, 'a'}, {valueVersion, 0x80}} {
		if _, _, err := decodeKindValue(bad); err == nil {
			t.Errorf("decodeKindValue(%q): no error", bad)
		}
	}
}

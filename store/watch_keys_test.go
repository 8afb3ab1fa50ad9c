package store

import (
	"bytes"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

func TestWatchKeyRoundTrip(t *testing.T) {
	if l, err := parseWatchlistKey(watchlistKey("customers")); err != nil || l != "customers" {
		t.Errorf("parseWatchlistKey = %q, %v", l, err)
	}
	for _, tc := range [][2]string{{"customers", "C-1"}, {"a b", "ref with spaces"}, {"x", "é"}} {
		l, r, err := parsePartyKey(partyKey(tc[0], tc[1]))
		if err != nil || l != tc[0] || r != tc[1] {
			t.Errorf("parsePartyKey(partyKey(%q, %q)) = %q, %q, %v", tc[0], tc[1], l, r, err)
		}
	}
	if id, err := parseAlertKey(alertKey(1 << 33)); err != nil || id != 1<<33 {
		t.Errorf("parseAlertKey = %d, %v", id, err)
	}
	if s, err := parseChangeKey(changeKey(7)); err != nil || s != 7 {
		t.Errorf("parseChangeKey = %d, %v", s, err)
	}
	// Garbage and other families are refused.
	for _, k := range [][]byte{nil, {tagParty}, append([]byte{tagParty}, "nolist"...), partyKey("a", "b")[:4], alertKey(3)[:5], auditKey(3)} {
		if _, _, err := parsePartyKey(k); err == nil {
			t.Errorf("parsePartyKey(%q) accepted", k)
		}
		if _, err := parseAlertKey(k); err == nil {
			t.Errorf("parseAlertKey(%q) accepted", k)
		}
		if _, err := parseChangeKey(k); err == nil {
			t.Errorf("parseChangeKey(%q) accepted", k)
		}
	}
}

// The parties of one watchlist are under its prefix and no other's, even
// when one list's name is the start of another's; alerts sort by id.
func TestWatchKeysOrderAndPrefixes(t *testing.T) {
	if bytes.HasPrefix(partyKey("customers-eu", "C1"), partyPrefix("customers")) {
		t.Errorf("the prefix of watchlist customers captures a party of customers-eu")
	}
	if !bytes.HasPrefix(partyKey("customers", "C1"), partyPrefix("customers")) {
		t.Errorf("a party is not under its watchlist's prefix")
	}
	if bytes.Compare(alertKey(255), alertKey(256)) >= 0 || bytes.Compare(changeKey(255), changeKey(256)) >= 0 {
		t.Errorf("alert or change keys do not sort by number")
	}
	if bytes.Compare(partyKey("a", "b"), partyKey("a", "b c")) >= 0 {
		t.Errorf("party keys do not sort by ref")
	}
}

func TestChangeLogEntryRoundTrip(t *testing.T) {
	ids := []uuid.UUID{graph.KeyFor("ofac:1"), graph.KeyFor("ofac:2")}
	for _, c := range []changeCause{{run: 3}, {audit: 1 << 40}, {}} {
		gc, gids, err := decodeChange(encodeChange(c, ids))
		if err != nil || gc != c || !slices.Equal(gids, ids) {
			t.Errorf("decodeChange(encodeChange(%+v)) = %+v, %v, %v", c, gc, gids, err)
		}
	}
	for _, bad := range [][]byte{nil, {9}, {changeVersion}, append(encodeChange(changeCause{}, ids), 1)} {
		if _, _, err := decodeChange(bad); err == nil {
			t.Errorf("decodeChange(%x) accepted", bad)
		}
	}
}

func FuzzDecodeChange(f *testing.F) {
	f.Add(encodeChange(changeCause{run: 1}, []uuid.UUID{graph.KeyFor("x")}))
	f.Add([]byte{1, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		c, ids, err := decodeChange(b)
		if err != nil {
			return
		}
		c2, ids2, err := decodeChange(encodeChange(c, ids))
		if err != nil || c2 != c || !slices.Equal(ids2, ids) {
			t.Fatalf("%x: decode, encode, decode gives %+v %v %v, want %+v %v", b, c2, ids2, err, c, ids)
		}
	})
}

// changedIDs names the entities a write touched: an entity, both ends of
// a relationship, a document's holder; once each.
func TestChangedIDs(t *testing.T) {
	ops := []indexOp{
		{add: true, item: item{tag: tagNode, id: idA}},
		{item: item{tag: tagOut, edge: edgeLoc{Src: idA, Dst: idB, ID: idC, Rel: graph.RelOwns}}},
		{add: true, item: item{tag: tagHeld, holder: idC, id: idB}},
	}
	if got := changedIDs(ops); !slices.Equal(got, []uuid.UUID{idA, idB, idC}) {
		t.Errorf("changedIDs = %v", got)
	}
}

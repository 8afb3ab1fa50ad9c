package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Key layout, version 2. This file is the one source of truth; keys_test.go
// pins it. Ids are 16 raw bytes; fixed-width fields need no separator and a
// variable-width field ends in 0x00 (names, identifiers and refs never hold
// 0x00: Fold and IdentifierKey drop it, and ingest rejects refs with it).
//
//	key                                         value
//	m "version"                                 uint32 BE layout version
//	n <id:16>                                   entity record (codec.go)
//	k <schema> 0x00 <id:16>                     the record's lists (codec.go; empty if written before them): one per entity (counts, kind filters, index rebuild, merge scopes)
//	x <graph.NameKey(name)> 0x00 <id:16>        empty: one per distinct name key of an entity
//	d <graph.IdentifierKey(v)> 0x00 <id:16>     empty: an identifier stated on the entity itself
//	d <graph.IdentifierKey(v)> 0x00 <id:16> <doc:16>  empty: an identifier of a document it holds
//	s <ref> 0x00 <id:16>                        empty: another id (referent) of the entity
//	o <src:16> <rel:2 BE> <dst:16> <eid:16>     relationship record
//	i <dst:16> <rel:2 BE> <src:16> <eid:16>     empty: written in the same txn as its "o" key
//	h <holder:16> <doc:16>                      held document record (Passport, Identification, Risk, Note)
//	e <ref> 0x00                                manifest: the items the record with that ref contributed
//	g <run:8 BE>                                ingest run state (JSON)
//	u <run:8 BE> <seq:8 BE>                     undo-journal entry of a run
//	j <a:16> <b:16>                             same-as link: a and b are one party (JSON MergeLink); a < b
//	J <a:16> <b:16>                             keep-apart decision: a and b are different parties (JSON KeepApart); a < b
//	f <id:16>                                   finding written through the API: its state and current version (JSON Finding, finding.go)
//	a <seq:8 BE>                                audit entry: who, when, action, refs, before, after (JSON AuditEntry, audit.go)
//	W <list> 0x00                               watchlist: name and settings (JSON watch.Watchlist, watch.go)
//	p <list> 0x00 <ref> 0x00                    watched party: definition, current state, dismissals (JSON watch.WatchedParty)
//	A <seq:8 BE>                                alert, numbered in the order raised (JSON watch.Alert); written with the party state it describes
//	c <seq:8 BE>                                change log: the entities one committed graph write touched, written in its transaction (watch_log.go)
//	C <name>                                    watch bookkeeping: "merges" (the same-as pairs last evaluated), "webhook" (the last alert delivered)
//
// The relationship id (eid) is part of the edge keys because the same two
// parties can be linked several times by the same kind: the zala fixture
// has four Ownership records between one owner and one asset, with
// different dates and percentages.
//
// Version 2 writes records (n, h, o values) in a binary form (record.go)
// where version 1 wrote JSON; the keys are the same. A version 1 store is
// read as it is (JSON records are still read) and marked version 2 when
// opened for writing, so that a build that reads only JSON refuses it
// instead of failing on its records.
const (
	layoutVersion       = 2
	oldestLayoutVersion = 1 // the oldest this build reads
)

const (
	tagMeta     = 'm'
	tagNode     = 'n'
	tagKind     = 'k'
	tagName     = 'x'
	tagIdent    = 'd'
	tagReferent = 's'
	tagOut      = 'o'
	tagIn       = 'i'
	tagHeld     = 'h'
	tagManifest = 'e'
	tagRun      = 'g'
	tagUndo     = 'u'
	tagSame     = 'j'
	tagApart    = 'J'
	tagFinding  = 'f'
	tagAudit    = 'a'
	// Ongoing screening (watch*.go).
	tagWatchlist = 'W'
	tagParty     = 'p'
	tagAlert     = 'A'
	tagChange    = 'c'
	tagWatchMeta = 'C'
)

const (
	idLen   = 16
	edgeLen = 1 + idLen + 2 + idLen + idLen // an "o" or "i" key
)

var versionKey = []byte{tagMeta, 'v', 'e', 'r', 's', 'i', 'o', 'n'}

func nodeKey(id uuid.UUID) []byte {
	k := make([]byte, 1+idLen)
	k[0] = tagNode
	copy(k[1:], id[:])
	return k
}

func parseNodeKey(k []byte) (uuid.UUID, error) {
	if len(k) != 1+idLen || k[0] != tagNode {
		return uuid.Nil, fmt.Errorf("bad node key %q", k)
	}
	return uuid.UUID(k[1:]), nil
}

// stringIDKey builds tag <s> 0x00 <ids...>, the shape of k, x, d and s keys.
func stringIDKey(tag byte, s string, ids ...uuid.UUID) []byte {
	k := make([]byte, 0, 2+len(s)+idLen*len(ids))
	k = append(k, tag)
	k = append(k, s...)
	k = append(k, 0)
	for _, id := range ids {
		k = append(k, id[:]...)
	}
	return k
}

// stringPrefix is tag <s> 0x00: every key of one string value.
func stringPrefix(tag byte, s string) []byte { return stringIDKey(tag, s) }

// parseStringIDKey splits tag <s> 0x00 <id:16> [<doc:16>] and returns s and the
// first id.
func parseStringIDKey(k []byte, tag byte) (string, uuid.UUID, error) {
	if len(k) < 2+idLen || k[0] != tag {
		return "", uuid.Nil, fmt.Errorf("bad %c key %q", tag, k)
	}
	z := bytes.IndexByte(k[1:], 0)
	if z < 0 {
		return "", uuid.Nil, fmt.Errorf("bad %c key %q: no separator", tag, k)
	}
	rest := k[1+z+1:]
	if len(rest) != idLen && len(rest) != 2*idLen {
		return "", uuid.Nil, fmt.Errorf("bad %c key %q: id part of %d bytes", tag, k, len(rest))
	}
	return string(k[1 : 1+z]), uuid.UUID(rest[:idLen]), nil
}

func kindKey(schema string, id uuid.UUID) []byte  { return stringIDKey(tagKind, schema, id) }
func nameKey(name string, id uuid.UUID) []byte    { return stringIDKey(tagName, name, id) }
func referentKey(ref string, id uuid.UUID) []byte { return stringIDKey(tagReferent, ref, id) }
func identKey(v string, ids ...uuid.UUID) []byte  { return stringIDKey(tagIdent, v, ids...) }
func manifestKey(ref string) []byte               { return stringPrefix(tagManifest, ref) }
func parseManifestKey(k []byte) (string, error)   { return parseTerminated(k, tagManifest) }
func heldPrefix(holder uuid.UUID) []byte          { return append([]byte{tagHeld}, holder[:]...) }
func edgePrefix(tag byte, id uuid.UUID) []byte    { return append([]byte{tag}, id[:]...) }
func edgeKindPrefix(tag byte, id uuid.UUID, rel graph.RelType) []byte {
	return binary.BigEndian.AppendUint16(edgePrefix(tag, id), uint16(rel))
}

func parseTerminated(k []byte, tag byte) (string, error) {
	if len(k) < 2 || k[0] != tag || k[len(k)-1] != 0 {
		return "", fmt.Errorf("bad %c key %q", tag, k)
	}
	return string(k[1 : len(k)-1]), nil
}

func heldKey(holder, doc uuid.UUID) []byte {
	k := make([]byte, 1+2*idLen)
	k[0] = tagHeld
	copy(k[1:], holder[:])
	copy(k[1+idLen:], doc[:])
	return k
}

func parseHeldKey(k []byte) (holder, doc uuid.UUID, err error) {
	if len(k) != 1+2*idLen || k[0] != tagHeld {
		return uuid.Nil, uuid.Nil, fmt.Errorf("bad held key %q", k)
	}
	return uuid.UUID(k[1 : 1+idLen]), uuid.UUID(k[1+idLen:]), nil
}

// edgeLoc locates one relationship: the fields of its "o" key.
type edgeLoc struct {
	Src, Dst, ID uuid.UUID
	Rel          graph.RelType
}

func outKey(l edgeLoc) []byte { return edgeKey(tagOut, l.Src, l.Rel, l.Dst, l.ID) }
func inKey(l edgeLoc) []byte  { return edgeKey(tagIn, l.Dst, l.Rel, l.Src, l.ID) }

func edgeKey(tag byte, a uuid.UUID, rel graph.RelType, b, id uuid.UUID) []byte {
	k := make([]byte, edgeLen)
	k[0] = tag
	copy(k[1:], a[:])
	binary.BigEndian.PutUint16(k[1+idLen:], uint16(rel))
	copy(k[3+idLen:], b[:])
	copy(k[3+2*idLen:], id[:])
	return k
}

// parseEdgeKey decodes an "o" or "i" key into the relationship it locates.
func parseEdgeKey(k []byte) (edgeLoc, error) {
	if len(k) != edgeLen || (k[0] != tagOut && k[0] != tagIn) {
		return edgeLoc{}, fmt.Errorf("bad edge key %q", k)
	}
	a := uuid.UUID(k[1 : 1+idLen])
	rel := graph.RelType(binary.BigEndian.Uint16(k[1+idLen:]))
	b := uuid.UUID(k[3+idLen : 3+2*idLen])
	id := uuid.UUID(k[3+2*idLen:])
	if k[0] == tagOut {
		return edgeLoc{Src: a, Dst: b, ID: id, Rel: rel}, nil
	}
	return edgeLoc{Src: b, Dst: a, ID: id, Rel: rel}, nil
}

func runKey(run uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{tagRun}, run)
}

func parseRunKey(k []byte) (uint64, error) {
	if len(k) != 9 || k[0] != tagRun {
		return 0, fmt.Errorf("bad run key %q", k)
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}

func undoPrefix(run uint64) []byte { return runKeyWithTag(tagUndo, run) }

func runKeyWithTag(tag byte, run uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{tag}, run)
}

func undoKey(run, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(undoPrefix(run), seq)
}

func parseUndoKey(k []byte) (run, seq uint64, err error) {
	if len(k) != 17 || k[0] != tagUndo {
		return 0, 0, fmt.Errorf("bad undo key %q", k)
	}
	return binary.BigEndian.Uint64(k[1:9]), binary.BigEndian.Uint64(k[9:]), nil
}

func findingKey(id uuid.UUID) []byte { return append([]byte{tagFinding}, id[:]...) }

func parseFindingKey(k []byte) (uuid.UUID, error) {
	if len(k) != 1+idLen || k[0] != tagFinding {
		return uuid.Nil, fmt.Errorf("bad finding key %q", k)
	}
	return uuid.UUID(k[1:]), nil
}

func auditKey(seq uint64) []byte { return runKeyWithTag(tagAudit, seq) }

func parseAuditKey(k []byte) (uint64, error) {
	if len(k) != 9 || k[0] != tagAudit {
		return 0, fmt.Errorf("bad audit key %q", k)
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}

// pairKey is the j or J key of the pair a, b, the smaller id first
// (graph.OrderedPair), so that a pair has one key whichever way round it
// is named.
func pairKey(tag byte, a, b uuid.UUID) []byte {
	p := graph.OrderedPair(a, b)
	k := make([]byte, 0, 1+2*idLen)
	k = append(k, tag)
	k = append(k, p[0][:]...)
	return append(k, p[1][:]...)
}

func parsePairKey(k []byte, tag byte) (a, b uuid.UUID, err error) {
	if len(k) != 1+2*idLen || k[0] != tag {
		return a, b, fmt.Errorf("bad %c key %x", tag, k)
	}
	return uuid.UUID(k[1 : 1+idLen]), uuid.UUID(k[1+idLen:]), nil
}

func watchlistKey(list string) []byte            { return stringPrefix(tagWatchlist, list) }
func parseWatchlistKey(k []byte) (string, error) { return parseTerminated(k, tagWatchlist) }

// partyKey is p <list> 0x00 <ref> 0x00: a party's ref never holds 0x00
// (watch.Party.Check).
func partyKey(list, ref string) []byte {
	k := make([]byte, 0, 3+len(list)+len(ref))
	k = append(k, tagParty)
	k = append(k, list...)
	k = append(k, 0)
	k = append(k, ref...)
	return append(k, 0)
}

// partyPrefix is every party key of one watchlist.
func partyPrefix(list string) []byte { return stringPrefix(tagParty, list) }

func parsePartyKey(k []byte) (list, ref string, err error) {
	if len(k) < 3 || k[0] != tagParty || k[len(k)-1] != 0 {
		return "", "", fmt.Errorf("bad party key %q", k)
	}
	list, ref, ok := strings.Cut(string(k[1:len(k)-1]), "\x00")
	if !ok || strings.IndexByte(ref, 0) >= 0 {
		return "", "", fmt.Errorf("bad party key %q", k)
	}
	return list, ref, nil
}

func alertKey(id uint64) []byte { return runKeyWithTag(tagAlert, id) }

func parseAlertKey(k []byte) (uint64, error) {
	if len(k) != 9 || k[0] != tagAlert {
		return 0, fmt.Errorf("bad alert key %q", k)
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}

func changeKey(seq uint64) []byte { return runKeyWithTag(tagChange, seq) }

func parseChangeKey(k []byte) (uint64, error) {
	if len(k) != 9 || k[0] != tagChange {
		return 0, fmt.Errorf("bad change key %q", k)
	}
	return binary.BigEndian.Uint64(k[1:]), nil
}

func watchMetaKey(name string) []byte { return append([]byte{tagWatchMeta}, name...) }

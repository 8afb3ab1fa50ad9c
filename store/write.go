package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/index"
)

// prepared is a record made ready to write: ids resolved, values encoded,
// index keys derived, manifest built. Preparing needs no transaction, so it
// runs in parallel, ahead of the write.
type prepared struct {
	ref      string
	delete   bool
	items    []newItem
	manifest []byte
	ensures  []*prepared // shared nodes and edges, written only if absent
}

// newItem is an item to write with its value and the index keys it implies.
type newItem struct {
	item
	val     []byte
	derived [][]byte // index keys (their values: derivedValue); for a relationship, its in-edge key
	meta    itemMeta
}

// itemMeta is what the in-memory graph index and the values of the index
// keys need to know of an item.
type itemMeta struct {
	schema     string                // entity schema
	designator *graph.DesignatorInfo // authority or programme
	nameKeys   []string              // the entity's name keys (its x keys)
	lists      []string              // the entity's lists (graph.MergeLists), its kind key's value
	from, to   graph.Day             // relationship validity
}

// derivedValue returns the value of the index key k an item with meta m
// implies: the validity of an in-edge key, the lists of a kind key, nothing
// for the others.
func derivedValue(k []byte, m itemMeta) []byte {
	switch k[0] {
	case tagIn:
		return encodeValidity(m.from, m.to)
	case tagKind:
		return encodeKindValue(m.lists)
	}
	return nil
}

func metaOf(ent *graph.Entity, rel *graph.Relationship) itemMeta {
	switch {
	case rel != nil:
		from, to := rel.Validity()
		return itemMeta{from: from, to: to}
	case ent != nil:
		keys := graph.NameKeys(ent)
		for i := range keys {
			keys[i] = clip(keys[i])
		}
		return itemMeta{schema: ent.Schema, designator: graph.DesignatorOf(ent), nameKeys: keys, lists: graph.MergeLists(ent)}
	}
	return itemMeta{}
}

// prepareAll prepares recs on all cores.
func prepareAll(recs []graph.Record) ([]*prepared, error) {
	out := make([]*prepared, len(recs))
	workers := min(runtime.GOMAXPROCS(0), (len(recs)+63)/64)
	if workers <= 1 {
		for i := range recs {
			p, err := prepare(&recs[i])
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(recs); i += workers {
				p, err := prepare(&recs[i])
				if err != nil {
					errs[w] = err
					return
				}
				out[i] = p
			}
		}(w)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func prepare(rec *graph.Record) (*prepared, error) {
	if rec.Delete {
		return &prepared{ref: rec.Ref, delete: true}, nil
	}
	p := &prepared{ref: rec.Ref}
	for i := range rec.Ensure {
		e := &rec.Ensure[i]
		items, err := entityItems(e)
		if err != nil {
			return nil, err
		}
		p.ensures = append(p.ensures, withManifest(&prepared{ref: e.Ref, items: items}))
	}
	for i := range rec.EnsureRelationships {
		items, err := relItems(rec.EnsureRelationships[i : i+1])
		if err != nil {
			return nil, err
		}
		p.ensures = append(p.ensures, withManifest(&prepared{ref: rec.EnsureRelationships[i].Ref, items: items}))
	}
	if rec.Entity != nil {
		items, err := entityItems(rec.Entity)
		if err != nil {
			return nil, err
		}
		p.items = append(p.items, items...)
	}
	if rec.Held != nil {
		h := rec.Held
		if h.ID == uuid.Nil {
			h.ID = graph.KeyFor(h.Ref)
		}
		v, err := encodeEntity(h)
		if err != nil {
			return nil, err
		}
		for _, holder := range rec.Holders {
			it := item{tag: tagHeld, id: h.ID, holder: graph.KeyFor(holder)}
			p.items = append(p.items, newItem{item: it, val: v, derived: derive(it, h, nil)})
		}
	}
	rels, err := relItems(rec.Relationships)
	if err != nil {
		return nil, err
	}
	p.items = append(p.items, rels...)
	return withManifest(p), nil
}

func withManifest(p *prepared) *prepared {
	plain := make([]item, len(p.items))
	for i, it := range p.items {
		plain[i] = it.item
	}
	p.manifest = encodeManifest(plain)
	return p
}

func entityItems(e *graph.Entity) ([]newItem, error) {
	if e.ID == uuid.Nil {
		e.ID = graph.KeyFor(e.Ref)
	}
	v, err := encodeEntity(e)
	if err != nil {
		return nil, err
	}
	it := item{tag: tagNode, id: e.ID}
	m := metaOf(e, nil)
	return []newItem{{item: it, val: v, derived: derive(it, e, m.nameKeys), meta: m}}, nil
}

func relItems(rels []graph.Relationship) ([]newItem, error) {
	out := make([]newItem, 0, len(rels))
	for i := range rels {
		r := &rels[i]
		if r.ID == uuid.Nil {
			r.ID = graph.KeyFor(r.Ref)
		}
		if r.Source == uuid.Nil {
			r.Source = graph.KeyFor(r.SourceRef)
		}
		if r.Target == uuid.Nil {
			r.Target = graph.KeyFor(r.TargetRef)
		}
		v, err := encodeRelationship(r)
		if err != nil {
			return nil, err
		}
		it := item{tag: tagOut, edge: edgeLoc{Src: r.Source, Dst: r.Target, ID: r.ID, Rel: r.Kind}}
		out = append(out, newItem{item: it, val: v, derived: derive(it, nil, nil), meta: metaOf(nil, r)})
	}
	return out, nil
}

// maxIndexKey bounds the string part of name and identifier keys: a longer
// name is indexed by its first bytes.
const maxIndexKey = 512

// derive returns the index keys an item implies; ent is the decoded entity
// or document for tagNode and tagHeld items, nameKeys the entity's name
// keys, clipped (metaOf: computed once for both).
func derive(it item, ent *graph.Entity, nameKeys []string) [][]byte {
	switch it.tag {
	case tagOut:
		return [][]byte{inKey(it.edge)}
	case tagHeld:
		var out [][]byte
		for _, id := range ent.Identifiers() {
			if k := clip(graph.IdentifierKey(id.Value)); k != "" {
				out = append(out, identKey(k, it.holder, it.id))
			}
		}
		return out
	}
	out := [][]byte{kindKey(ent.Schema, it.id)}
	seen := map[string]bool{}
	for _, k := range nameKeys {
		if !seen[k] {
			seen[k] = true
			out = append(out, nameKey(k, it.id))
		}
	}
	for _, id := range ent.Identifiers() {
		if k := clip(graph.IdentifierKey(id.Value)); k != "" && !seen["\x00"+k] {
			seen["\x00"+k] = true
			out = append(out, identKey(k, it.id))
		}
	}
	for _, r := range ent.Referents {
		if r != "" && r != ent.Ref {
			out = append(out, referentKey(clip(r), it.id))
		}
	}
	return out
}

func clip(s string) string {
	if len(s) > maxIndexKey {
		return s[:maxIndexKey]
	}
	return s
}

// decodeItem decodes a stored value into the newItem that wrote it.
func decodeItem(it item, val []byte) (newItem, error) {
	ni := newItem{item: it, val: val}
	switch it.tag {
	case tagOut:
		r, err := decodeRelationship(it.edge, val)
		if err != nil {
			return ni, err
		}
		ni.derived, ni.meta = derive(it, nil, nil), metaOf(nil, r)
	default:
		e, err := decodeEntity(it.id, val)
		if err != nil {
			return ni, err
		}
		ni.meta = metaOf(e, nil)
		ni.derived = derive(it, e, ni.meta.nameKeys)
	}
	return ni, nil
}

// derivedOf decodes a stored value to find the index keys it implies.
func derivedOf(it item, val []byte) ([][]byte, error) {
	if it.tag == tagOut {
		return derive(it, nil, nil), nil
	}
	ni, err := decodeItem(it, val)
	return ni.derived, err
}

// The value of an in-edge key is the relationship's validity, so that the
// in-memory index is built from the tree alone: from and to as int32 days.
func encodeValidity(from, to graph.Day) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b, uint32(from))
	binary.BigEndian.PutUint32(b[4:], uint32(to))
	return b
}

func decodeValidity(b []byte) (from, to graph.Day, ok bool) {
	if len(b) != 8 {
		return graph.DayMin, graph.DayMax, false
	}
	return graph.Day(int32(binary.BigEndian.Uint32(b))), graph.Day(int32(binary.BigEndian.Uint32(b[4:]))), true
}

// writer applies prepared records inside one Badger transaction.
type writer struct {
	txn        *badger.Txn
	journaling bool   // record the old state of changed records in undo
	undo       []byte // the transaction's undo entries (appendUndo)
	tracking   bool   // collect what the in-memory graph index must learn
	// keepFindings: records whose ref names a finding are left alone (an
	// ingest run never overwrites or deletes what an investigator wrote
	// through the API; mutations write findings themselves).
	keepFindings bool
	ops          []indexOp // changes to apply to it once the transaction commits
}

func (w *writer) apply(p *prepared) (graph.Outcome, error) {
	if w.keepFindings {
		f, err := w.get(findingKey(graph.KeyFor(p.ref)))
		if err != nil {
			return 0, err
		}
		if f != nil {
			return graph.Kept, nil
		}
	}
	if p.delete {
		return w.deleteRecord(p.ref)
	}
	for _, e := range p.ensures {
		_, err := w.txn.Get(manifestKey(e.ref))
		if err == nil {
			continue
		}
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return 0, err
		}
		if _, err := w.put(e); err != nil {
			return 0, err
		}
	}
	return w.put(p)
}

// get returns a copy of the value of key, or nil if it is absent.
func (w *writer) get(key []byte) ([]byte, error) {
	it, err := w.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return it.ValueCopy(nil)
}

// current reads the manifest of ref and the values of its items.
func (w *writer) current(ref string) (man []byte, items []item, vals [][]byte, err error) {
	man, err = w.get(manifestKey(ref))
	if err != nil || man == nil {
		return nil, nil, nil, err
	}
	items, err = decodeManifest(man)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("record %q: %w", ref, err)
	}
	vals = make([][]byte, len(items))
	for i, it := range items {
		if vals[i], err = w.get(it.key()); err != nil {
			return nil, nil, nil, err
		}
	}
	return man, items, vals, nil
}

func (w *writer) put(p *prepared) (graph.Outcome, error) {
	oldMan, oldItems, oldVals, err := w.current(p.ref)
	if err != nil {
		return 0, err
	}
	if oldMan != nil && bytes.Equal(oldMan, p.manifest) {
		same := true
		for i := range p.items {
			if !sameRecord(p.items[i].item, oldVals[i], p.items[i].val) {
				same = false
				break
			}
		}
		if same {
			return graph.Unchanged, nil
		}
	}
	w.journal(undoEntry{ref: p.ref, manifest: oldMan, values: oldVals})
	for i, it := range oldItems {
		if err := w.deleteItem(it, oldVals[i]); err != nil {
			return 0, err
		}
	}
	for _, it := range p.items {
		if err := w.writeItem(it); err != nil {
			return 0, err
		}
	}
	if err := w.txn.Set(manifestKey(p.ref), p.manifest); err != nil {
		return 0, err
	}
	if oldMan == nil {
		return graph.Added, nil
	}
	return graph.Updated, nil
}

func (w *writer) deleteRecord(ref string) (graph.Outcome, error) {
	oldMan, oldItems, oldVals, err := w.current(ref)
	if err != nil {
		return 0, err
	}
	if oldMan == nil {
		return graph.Missing, nil
	}
	w.journal(undoEntry{ref: ref, manifest: oldMan, values: oldVals})
	for i, it := range oldItems {
		if err := w.deleteItem(it, oldVals[i]); err != nil {
			return 0, err
		}
	}
	return graph.Deleted, w.txn.Delete(manifestKey(ref))
}

func (w *writer) journal(u undoEntry) {
	if w.journaling {
		w.undo = appendUndo(w.undo, u)
	}
}

// restore puts the record u.ref back into the state u describes.
func (w *writer) restore(u undoEntry) error {
	_, curItems, curVals, err := w.current(u.ref)
	if err != nil {
		return err
	}
	for i, it := range curItems {
		if err := w.deleteItem(it, curVals[i]); err != nil {
			return err
		}
	}
	if u.manifest == nil {
		return w.txn.Delete(manifestKey(u.ref))
	}
	items, err := decodeManifest(u.manifest)
	if err != nil {
		return fmt.Errorf("undo %q: %w", u.ref, err)
	}
	if len(items) != len(u.values) {
		return fmt.Errorf("undo %q: %w", u.ref, errBadUndo)
	}
	for i, it := range items {
		if u.values[i] == nil {
			continue
		}
		ni, err := decodeItem(it, u.values[i])
		if err != nil {
			return err
		}
		if err := w.writeItem(ni); err != nil {
			return err
		}
	}
	return w.txn.Set(manifestKey(u.ref), u.manifest)
}

func (w *writer) writeItem(it newItem) error {
	if err := w.txn.Set(it.key(), it.val); err != nil {
		return err
	}
	for _, k := range it.derived {
		if err := w.txn.Set(k, derivedValue(k, it.meta)); err != nil {
			return err
		}
	}
	if w.tracking {
		w.ops = append(w.ops, indexOp{add: true, item: it.item, meta: it.meta})
	}
	return nil
}

func (w *writer) deleteItem(it item, val []byte) error {
	if err := w.txn.Delete(it.key()); err != nil {
		return err
	}
	if val == nil {
		return nil
	}
	old, err := decodeItem(it, val)
	if err != nil {
		return err
	}
	for _, k := range old.derived {
		if err := w.txn.Delete(k); err != nil {
			return err
		}
	}
	if w.tracking {
		w.ops = append(w.ops, indexOp{item: it, meta: old.meta})
	}
	return nil
}

// indexOp is one change to the in-memory graph index.
type indexOp struct {
	add  bool
	item item
	meta itemMeta
}

// applyIndexOps applies committed changes to the in-memory index.
// They are applied as one (index.Index.Update): a query never sees a
// record half rewritten.
func applyIndexOps(ix *index.Index, ops []indexOp) {
	ix.Update(func(ix index.Updater) {
		for _, op := range ops {
			switch op.item.tag {
			case tagNode:
				if op.add {
					ix.SetNode(op.item.id, op.meta.schema, op.meta.designator)
					ix.AddNames(op.item.id, op.meta.nameKeys)
				} else {
					ix.DeleteNode(op.item.id)
					ix.RemoveNames(op.item.id, op.meta.nameKeys)
				}
			case tagOut:
				l := op.item.edge
				if op.add {
					ix.AddLink(l.Src, l.Dst, l.Rel, op.meta.from, op.meta.to)
				} else {
					ix.RemoveLink(l.Src, l.Dst, l.Rel, op.meta.from, op.meta.to)
				}
			}
		}
	})
}

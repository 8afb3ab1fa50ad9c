package store

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/export"
	"github.com/sanctionsgraph/sanctionsgraph/graph/resolve"
)

// Bounds of Subgraph's own reading; the bounds of the export itself are
// the query's, with the defaults of package export.
const (
	// maxDesignationsPerEntity bounds the designations read per entity.
	maxDesignationsPerEntity = 200
	// exportCheckEvery is how many entities Subgraph reads between two
	// checks of ctx.
	exportCheckEvery = 64
)

// Subgraph collects what q selects for an export: the neighbourhood of the
// seeds within q.Hops over q.Via (or the steps of the q.K shortest paths
// from q.From to q.To), the relationships among those entities, each
// entity's records and designations. A merged party is one node whose
// records are its members; relationship ends are the parties' canonical
// ids. The result is bounded by q.MaxEntities and q.MaxRelationships
// (export.DefaultMaxEntities and export.DefaultMaxRelationships when 0),
// and Limits names a limit that cut it.
//
// Returns an *export.ParamError (graph.ErrInvalid) for a bad query and an
// *export.UnknownIDError (graph.ErrNotFound) for an id that names no
// entity. Needs the store's graph index (Options.Index).
func (s *Store) Subgraph(ctx context.Context, q export.Query) (*export.Subgraph, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if q.MaxEntities <= 0 {
		q.MaxEntities = export.DefaultMaxEntities
	}
	if q.MaxRelationships <= 0 {
		q.MaxRelationships = export.DefaultMaxRelationships
	}
	sg := &export.Subgraph{Report: q.Report, Generated: time.Now().UTC()}
	// Seeds and ends are any id, identifier or name (graph/resolve).
	resolveRef := func(param, ref string) (uuid.UUID, error) {
		res, err := resolve.Ref(ctx, s, ref)
		var amb *graph.AmbiguousError
		switch {
		case errors.As(err, &amb):
			return uuid.Nil, &export.AmbiguousRefError{Param: param, Err: amb}
		case errors.Is(err, graph.ErrNotFound):
			return uuid.Nil, &export.UnknownIDError{Param: param, ID: ref}
		case errors.Is(err, graph.ErrInvalid):
			return uuid.Nil, &export.ParamError{Param: param, Msg: fmt.Sprintf("%q is not an id or a name", ref)}
		case err != nil:
			return uuid.Nil, err
		}
		sg.Resolved = append(sg.Resolved, res)
		return res.ID, nil
	}
	var ids []uuid.UUID
	in := map[uuid.UUID]bool{}
	add := func(id uuid.UUID) bool {
		if in[id] {
			return true
		}
		if len(ids) == q.MaxEntities {
			sg.AddLimit(export.LimitEntities)
			return false
		}
		in[id] = true
		ids = append(ids, id)
		return true
	}
	seeds := map[uuid.UUID]bool{}
	var rels []*graph.Relationship
	if q.From != "" {
		from, err := resolveRef("from", q.From)
		if err != nil {
			return nil, err
		}
		to, err := resolveRef("to", q.To)
		if err != nil {
			return nil, err
		}
		seeds[from], seeds[to] = true, true
		res, err := s.Paths(ctx, graph.PathQuery{From: from, To: to, K: q.K, MaxHops: q.MaxHops, Via: q.Via, MaxVisited: q.MaxVisited,
			Load: graph.PathLoad{Relationships: true}})
		if err != nil {
			return nil, err
		}
		for _, l := range res.Limits {
			sg.AddLimit("paths: " + l)
		}
		sg.PathExport, sg.Paths, sg.K = true, res.Paths, q.K
		if sg.K == 0 {
			sg.K = graph.DefaultPaths
		}
		add(from)
		add(to)
		type pair struct{ a, b uuid.UUID }
		done := map[pair]bool{}
	paths:
		for _, p := range res.Paths {
			for i, id := range p.Entities {
				if !add(id) {
					break paths
				}
				if i == 0 || done[pair{p.Entities[i-1], id}] {
					continue
				}
				done[pair{p.Entities[i-1], id}], done[pair{id, p.Entities[i-1]}] = true, true
				for _, r := range p.Steps[i-1].Relationships {
					if len(rels) == q.MaxRelationships {
						sg.AddLimit(export.LimitRelationships)
						break paths
					}
					rels = append(rels, r)
				}
			}
		}
	} else {
		var seedIDs []uuid.UUID
		for _, ref := range q.Seeds {
			id, err := resolveRef("seed", ref)
			if err != nil {
				return nil, err
			}
			seeds[id] = true
			seedIDs = append(seedIDs, id)
			add(id)
		}
		if q.Hops > 0 {
			for _, id := range seedIDs {
				near, truncated, err := s.Neighbourhood(ctx, graph.NeighbourhoodQuery{From: id, Hops: q.Hops, Via: q.Via, MaxNodes: q.MaxEntities})
				if err != nil {
					return nil, err
				}
				if truncated {
					sg.AddLimit(export.LimitEntities)
				}
				for _, n := range near {
					if !add(n) {
						break
					}
				}
			}
		}
		among, more, err := s.Among(ctx, ids, q.Via, q.MaxRelationships)
		if err != nil {
			return nil, err
		}
		if more {
			sg.AddLimit(export.LimitRelationships)
		}
		rels = among
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	err := s.View(ctx, func(tx *Tx) error {
		for i, id := range ids {
			if i%exportCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			n, err := tx.exportNode(id)
			if errors.Is(err, graph.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return err
			}
			n.Seed = seeds[id]
			sg.Nodes = append(sg.Nodes, n)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Relationships between two records of one party are inside a node.
	sg.Relationships = slices.DeleteFunc(rels, func(r *graph.Relationship) bool { return r.Source == r.Target && !selfLoop(r) })
	sg.Finish()
	sg.Query = describeQuery(q, sg)
	lists, err := s.ListVersions(ctx)
	if err != nil {
		return nil, err
	}
	sg.Lists = listsOf(sg, lists)
	return sg, nil
}

// listsOf returns the versions of the lists that the records, designations
// and relationships of sg come from. A list published in several files
// (the EU journal's one per regulation) counts by the files its sources
// name (the regulation in the record id or URL), or all of them if none
// is named.
func listsOf(sg *export.Subgraph, lists []graph.ListVersion) []graph.ListVersion {
	cited := map[string][]graph.Source{}
	add := func(src []graph.Source) {
		for _, x := range src {
			cited[x.Dataset] = append(cited[x.Dataset], x)
		}
	}
	for _, n := range sg.Nodes {
		add(n.Entity.Sources)
		for _, d := range n.Designations {
			add(d.Sources)
		}
	}
	for _, r := range sg.Relationships {
		add(r.Sources)
	}
	files := map[string]int{}
	for _, l := range lists {
		files[l.Dataset]++
	}
	var out []graph.ListVersion
	for _, l := range lists {
		src, ok := cited[l.Dataset]
		if !ok {
			continue
		}
		if files[l.Dataset] > 1 {
			stem := strings.TrimSuffix(l.File, filepath.Ext(l.File))
			if !slices.ContainsFunc(src, func(x graph.Source) bool {
				return stem != "" && (strings.Contains(x.RecordID, stem) || strings.Contains(x.URL, stem))
			}) {
				continue
			}
		}
		out = append(out, l)
	}
	return out
}

// selfLoop reports whether r was stated from an entity to itself (as
// opposed to between two records of one party).
func selfLoop(r *graph.Relationship) bool {
	return graph.KeyFor(r.SourceRef) == graph.KeyFor(r.TargetRef) || r.SourceRef == r.TargetRef
}

// exportNode reads entity id as a node: the party's merged entity, its
// records as stored, and its designations.
func (tx *Tx) exportNode(id uuid.UUID) (*export.Node, error) {
	e, err := tx.Entity(id)
	if err != nil {
		return nil, err
	}
	n := &export.Node{Entity: e}
	members := tx.parties.Members(id)
	if len(members) == 1 {
		n.Records = []*graph.Entity{e}
	} else {
		for _, m := range members {
			rec, err := tx.physicalEntity(m)
			if errors.Is(err, graph.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			n.Records = append(n.Records, rec)
		}
	}
	page, err := tx.Relationships(id, graph.RelQuery{Direction: graph.Outgoing, Kinds: []graph.RelType{graph.RelDesignatedBy}, Limit: maxDesignationsPerEntity})
	if err != nil {
		return nil, err
	}
	for _, r := range page.Relationships {
		target, err := tx.Entity(r.Target)
		if err != nil && !errors.Is(err, graph.ErrNotFound) {
			return nil, err
		}
		n.Designations = append(n.Designations, graph.NewDesignation(r, target))
	}
	return n, nil
}

// describeQuery says in words what an export holds, for its heading,
// naming the entities as the report shows them.
func describeQuery(q export.Query, sg *export.Subgraph) string {
	var via []string
	for _, k := range q.Via {
		via = append(via, k.String())
	}
	viaText := "any relationship"
	if len(via) > 0 {
		viaText = strings.Join(via, ", ")
	}
	var names []string
	for _, r := range sg.Resolved {
		name := r.Query
		if n := sg.Node(r.ID); n != nil {
			name = n.Entity.Name()
		}
		names = append(names, name)
	}
	if sg.PathExport && len(names) == 2 {
		maxHops := q.MaxHops
		if maxHops == 0 {
			maxHops = graph.DefaultMaxHops
		}
		found := "no path"
		switch n := len(sg.Paths); {
		case n == 1:
			found = "1 path"
		case n > 1:
			found = fmt.Sprintf("%d paths", n)
		}
		return fmt.Sprintf("Paths from %s to %s of at most %d hops over %s: %s found (the %d shortest were asked for).",
			names[0], names[1], maxHops, viaText, found, sg.K)
	}
	hops := "the relationships among them"
	if q.Hops == 1 {
		hops = "the entities 1 hop from them"
	} else if q.Hops > 1 {
		hops = fmt.Sprintf("the entities within %d hops of them", q.Hops)
	}
	return fmt.Sprintf("%s and %s, over %s.", strings.Join(names, "; "), hops, viaText)
}

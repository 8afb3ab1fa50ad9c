package export

import (
	"encoding/json"
	"io"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// ftmLine is one FollowTheMoney entity as ingest reads it.
type ftmLine struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Caption    string              `json:"caption,omitempty"`
	Properties map[string][]string `json:"properties"`
	Datasets   []string            `json:"datasets,omitempty"`
	Referents  []string            `json:"referents,omitempty"`
	LastSeen   string              `json:"last_seen,omitempty"`
	// Sources are the record's sources in full (dataset, record id, URL,
	// document, date, retrieval date, quote): an extension of the FtM
	// line that other FtM tools ignore and ingest reads back, so that an
	// export loses no provenance. datasets and last_seen say the same in
	// FtM's own fields.
	Sources []graph.Source `json:"sources,omitempty"`
}

// encodeFTM writes one FtM entity per line: every record of every node
// (with the documents it holds), then every relationship as its FtM
// schema (Ownership with owner and asset, Sanction with entity, ...): the
// relationships among the nodes and the designations of every node, so
// that a path's entities keep their Sanction records. Each line carries
// its sources in full.
//
// What ingest derives is not written, so that it is derived again the same
// way: relationships read from an entity's properties (addressEntity, a
// vessel's owner) come back from the entity's line; authorities,
// programmes and programme-of links come back from the Sanction lines that
// name them. An authority or programme that no exported designation names
// is written as an entity of its own, with its programme-of link.
//
// A kind without an FtM schema of its own (opened-accounts-for, linked-to,
// has-address, ...) is written as an UnknownLink whose role ingest reads
// back as that kind (graph.UnknownLinkRoles): export, ingest into an empty
// store and export again gives the same bytes.
//
// FtM JSON lines have no comments, so a truncated export says so only
// where it is delivered (the HTTP header, the API's truncated field).
func encodeFTM(w io.Writer, s *Subgraph) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	rels := ftmRelationships(s)
	derived := map[string]bool{} // refs of designators the Sanction lines recreate
	for _, r := range rels {
		if r.Kind == graph.RelDesignatedBy {
			derived[r.TargetRef] = true
		}
	}
	for _, r := range rels {
		if r.Kind == graph.RelProgrammeOf && derived[r.SourceRef] {
			derived[r.TargetRef] = true
		}
	}
	written := map[string]bool{}
	for _, n := range s.Nodes {
		for _, rec := range n.Records {
			if rec.IsDesignator() && derived[rec.Ref] {
				continue
			}
			if !written[rec.Ref] {
				written[rec.Ref] = true
				if err := enc.Encode(entityLine(rec)); err != nil {
					return err
				}
			}
			for _, h := range rec.Held {
				if written[h.Ref] {
					continue
				}
				written[h.Ref] = true
				if err := enc.Encode(entityLine(h)); err != nil {
					return err
				}
			}
		}
	}
	for _, r := range rels {
		l, ok := relationshipLine(r, derived)
		if !ok || written[l.ID] {
			continue
		}
		written[l.ID] = true
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return nil
}

// ftmRelationships returns the relationships among the nodes and the
// designated-by relationships of every node (the Sanction records of
// entities whose programmes are not in the subgraph), each once, by ref.
func ftmRelationships(s *Subgraph) []*graph.Relationship {
	out := append([]*graph.Relationship(nil), s.Relationships...)
	seen := make(map[uuid.UUID]bool, len(out))
	for _, r := range out {
		seen[r.ID] = true
	}
	for _, n := range s.Nodes {
		for _, d := range n.Designations {
			if r := d.Relationship; r != nil && !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, r)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Ref != out[j].Ref {
			return out[i].Ref < out[j].Ref
		}
		return out[i].ID.String() < out[j].ID.String()
	})
	return out
}

func entityLine(e *graph.Entity) ftmLine {
	props := e.Props
	if props == nil {
		props = map[string][]string{}
	}
	l := ftmLine{ID: e.Ref, Schema: e.Schema, Caption: e.Caption, Properties: props, Datasets: datasets(e.Sources), Referents: e.Referents, Sources: e.Sources}
	if len(e.Sources) > 0 {
		l.LastSeen = e.Sources[0].RetrievedAt
	}
	return l
}

// relationshipLine returns the FtM entity that states r, and false for a
// relationship ingest derives from something else that is written: a link
// read from an entity property, or the programme-of link of a programme
// a Sanction line recreates (derived).
func relationshipLine(r *graph.Relationship, derived map[string]bool) (ftmLine, bool) {
	if r.Kind == graph.RelProgrammeOf && derived[r.SourceRef] {
		return ftmLine{}, false
	}
	schema := r.Schema
	def, known := graph.LookupSchema(schema)
	if known && def.Edge == nil && schema != "Sanction" &&
		(strings.HasPrefix(r.Ref, r.SourceRef+"/") || strings.HasPrefix(r.Ref, r.TargetRef+"/")) {
		return ftmLine{}, false // read from an entity property
	}
	props := make(map[string][]string, len(r.Props)+2)
	for k, v := range r.Props {
		props[k] = v
	}
	switch {
	case r.Kind == graph.RelDesignatedBy:
		schema = "Sanction"
		props["entity"] = []string{r.SourceRef}
	case known && def.Edge != nil:
		props[def.Edge.Source] = []string{r.SourceRef}
		props[def.Edge.Target] = []string{r.TargetRef}
	default:
		schema = r.Kind.FtMSchema()
		if schema == "" {
			schema = "UnknownLink"
		}
		def, _ := graph.LookupSchema(schema)
		props[def.Edge.Source] = []string{r.SourceRef}
		props[def.Edge.Target] = []string{r.TargetRef}
	}
	if schema == "UnknownLink" {
		if roles := graph.UnknownLinkRoles(r.Kind, r.Props["role"]); len(roles) > 0 {
			props["role"] = roles
		}
	}
	l := ftmLine{ID: r.Ref, Schema: schema, Properties: props, Datasets: datasets(r.Sources), Sources: r.Sources}
	if len(r.Sources) > 0 {
		l.LastSeen = r.Sources[0].RetrievedAt
	}
	return l, true
}

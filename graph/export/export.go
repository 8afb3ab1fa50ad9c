// Package export writes a subgraph (entities, the records they merge, their
// designations and the relationships among them) in formats other tools
// read: FollowTheMoney JSON lines that re-ingest to the same graph, GraphML
// (Gephi, yEd), CSV for neo4j-admin import, a Cypher script, Graphviz DOT,
// and a self-contained HTML report.
//
// The encoders are pure: they write to an io.Writer as they go and never
// read a store. A store (or anything else) collects the Subgraph.
package export

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Format is an export format.
type Format string

// The export formats, by the name the API and the command line use.
const (
	FTM     Format = "ftm"
	GraphML Format = "graphml"
	CSV     Format = "csv"
	Cypher  Format = "cypher"
	DOT     Format = "dot"
	HTML    Format = "html"
)

// Formats lists every format, in the order the documentation gives them.
func Formats() []Format { return []Format{FTM, GraphML, CSV, Cypher, DOT, HTML} }

// ParseFormat reads a format name (case-insensitive). It returns an error
// wrapping graph.ErrInvalid for an unknown name.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, x := range Formats() {
		if f == x {
			return f, nil
		}
	}
	names := make([]string, 0, len(Formats()))
	for _, x := range Formats() {
		names = append(names, string(x))
	}
	return "", fmt.Errorf("%w: unknown export format %q (want one of %s)", graph.ErrInvalid, s, strings.Join(names, ", "))
}

// ContentType is the MIME type of the format's output.
func (f Format) ContentType() string {
	switch f {
	case FTM:
		return "application/x-ndjson; charset=utf-8"
	case GraphML:
		return "application/graphml+xml; charset=utf-8"
	case CSV:
		return "application/zip"
	case Cypher:
		return "application/x-cypher-query; charset=utf-8"
	case DOT:
		return "text/vnd.graphviz; charset=utf-8"
	case HTML:
		return "text/html; charset=utf-8"
	}
	return "application/octet-stream"
}

// Extension is the file name extension of the format, without a dot.
func (f Format) Extension() string {
	switch f {
	case FTM:
		return "ftm.json"
	case CSV:
		return "csv.zip"
	case Cypher:
		return "cypher"
	}
	return string(f)
}

// Filename is the name an export of the format is saved under.
func (f Format) Filename(base string) string { return base + "." + f.Extension() }

// Binary reports whether the format's output is not text (a zip).
func (f Format) Binary() bool { return f == CSV }

// Query selects a subgraph: the neighbourhood of seed entities within
// Hops over relationships of the kinds in Via, or (with From and To set)
// the K shortest paths between two entities.
type Query struct {
	Seeds []string // ids of any kind: FtM id, list id, referent, UUID
	Hops  int      // 0: the seeds only
	Via   []graph.RelType

	From, To string // a path export when both are set
	K        int    // number of paths; 0: graph.DefaultPaths
	MaxHops  int    // longest path; 0: graph.DefaultMaxHops

	// MaxEntities and MaxRelationships bound the export (0:
	// DefaultMaxEntities, DefaultMaxRelationships); a limit that cut it is
	// named in Subgraph.Limits.
	MaxEntities      int
	MaxRelationships int
	// MaxVisited bounds the entities a path search visits; 0: its default.
	MaxVisited int

	// Report is what the HTML report says of itself.
	Report Report
}

// Report is what a report says of itself besides its content: a title (by
// default made from the question), the case it is for and who made it.
type Report struct {
	Title  string // "": "How X is linked to Y", or the seeds' names
	Case   string // the case reference
	Author string
}

// MaxReportField bounds each field of a Report, in bytes.
const MaxReportField = 300

// check names the first field of r that is not one line of at most
// MaxReportField bytes.
func (r Report) check() error {
	for _, f := range []struct{ name, v string }{{"title", r.Title}, {"case", r.Case}, {"author", r.Author}} {
		if len(f.v) > MaxReportField {
			return &ParamError{Param: f.name, Msg: fmt.Sprintf("at most %d bytes", MaxReportField)}
		}
		if strings.ContainsFunc(f.v, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
			return &ParamError{Param: f.name, Msg: "one line of text, without control characters"}
		}
	}
	return nil
}

// Limits that can cut an export, as named in Subgraph.Limits.
const (
	LimitEntities      = "entities"
	LimitRelationships = "relationships"
)

// Defaults of a Query: what an export holds when the request does not say.
// The store's Subgraph, GET /export and the export command all start from
// these.
const (
	// DefaultHops is how far from the seeds an export reaches.
	DefaultHops = 1
	// DefaultMaxEntities bounds the entities of an export (Query.MaxEntities 0).
	DefaultMaxEntities = 5000
	// RelationshipsPerEntity is how many relationships an export may hold
	// for each entity it may hold: it sets DefaultMaxRelationships, and
	// the relationship bound of GET /export from the server's entity bound.
	RelationshipsPerEntity = 4
	// DefaultMaxRelationships bounds the relationships of an export
	// (Query.MaxRelationships 0).
	DefaultMaxRelationships = RelationshipsPerEntity * DefaultMaxEntities
)

// Caps on Query fields that Validate enforces, for the API and the command
// line alike.
const (
	MaxHopsArg     = 6                   // Hops of a neighbourhood export
	MaxPathsArg    = graph.MaxPathsLimit // K of a path export
	MaxPathHopsArg = graph.MaxHopsLimit  // MaxHops of a path export
	MaxSeeds       = 100                 // Seeds
	MaxIDLength    = 1024                // bytes of one id (a seed, From or To)
)

// Validate checks q's fields and names the first one that is wrong. The
// error wraps graph.ErrInvalid and is a *ParamError.
func (q *Query) Validate() error {
	paths := q.From != "" || q.To != ""
	switch {
	case paths && (q.From == "" || q.To == ""):
		if q.From == "" {
			return &ParamError{Param: "from", Msg: "a path export needs both from and to"}
		}
		return &ParamError{Param: "to", Msg: "a path export needs both from and to"}
	case paths && len(q.Seeds) > 0:
		return &ParamError{Param: "seed", Msg: "give either seeds or from and to, not both"}
	case !paths && len(q.Seeds) == 0:
		return &ParamError{Param: "seed", Msg: "give at least one seed (or from and to)"}
	case len(q.Seeds) > MaxSeeds:
		return &ParamError{Param: "seed", Msg: fmt.Sprintf("at most %d seeds", MaxSeeds)}
	case q.Hops < 0 || q.Hops > MaxHopsArg:
		return &ParamError{Param: "hops", Msg: fmt.Sprintf("must be between 0 and %d", MaxHopsArg)}
	case q.K < 0 || q.K > MaxPathsArg:
		return &ParamError{Param: "first", Msg: fmt.Sprintf("must be between 1 and %d", MaxPathsArg)}
	case q.MaxHops < 0 || q.MaxHops > MaxPathHopsArg:
		return &ParamError{Param: "maxHops", Msg: fmt.Sprintf("must be between 1 and %d", MaxPathHopsArg)}
	case q.MaxEntities < 0:
		return &ParamError{Param: "limit", Msg: "must not be negative"}
	}
	for _, s := range append(append([]string(nil), q.Seeds...), q.From, q.To) {
		if len(s) > MaxIDLength {
			return &ParamError{Param: "seed", Msg: fmt.Sprintf("an id is at most %d bytes", MaxIDLength)}
		}
	}
	for i, s := range q.Seeds {
		if strings.TrimSpace(s) == "" {
			return &ParamError{Param: "seed", Msg: fmt.Sprintf("seed %d is empty", i+1)}
		}
	}
	return q.Report.check()
}

// ParamError is a bad query parameter. It wraps graph.ErrInvalid.
type ParamError struct {
	Param string // the parameter's name: seed, hops, via, format, from, to, first
	Msg   string
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Msg }
func (e *ParamError) Unwrap() error { return graph.ErrInvalid }

// UnknownIDError says an id of the query names no entity. It wraps
// graph.ErrNotFound.
type UnknownIDError struct {
	Param string // seed, from or to
	ID    string
}

func (e *UnknownIDError) Error() string {
	return fmt.Sprintf("%s: no entity has id %q", e.Param, e.ID)
}
func (e *UnknownIDError) Unwrap() error { return graph.ErrNotFound }

// AmbiguousRefError says an id or name of the query names several
// entities. It wraps the *graph.AmbiguousError that lists them.
type AmbiguousRefError struct {
	Param string // seed, from or to
	Err   *graph.AmbiguousError
}

func (e *AmbiguousRefError) Error() string { return e.Param + ": " + e.Err.Error() }
func (e *AmbiguousRefError) Unwrap() error { return e.Err }

// Subgraph is what an export writes.
type Subgraph struct {
	// Nodes are the entities, one per party, sorted by Entity.Ref.
	Nodes []*Node
	// Relationships have their ends (Source, Target) mapped to the
	// parties' canonical ids, which are the Nodes' Entity.ID; sorted by Ref.
	Relationships []*graph.Relationship
	// Limits names the limits that cut the export ("entities",
	// "relationships", or a path search's); empty if none did.
	Limits []string
	// Query describes what was asked, for the report's heading.
	Query string

	// What the HTML report says besides the entities and relationships.
	// A store fills them; they are zero in a subgraph built by hand.
	Report    Report
	Generated time.Time // when the export was made
	// Resolved says how each seed (or from and to) was resolved, in the
	// order given.
	Resolved []graph.Resolution
	// PathExport is set for the answer to a path query (from, to): Paths
	// are the paths found, shortest first, with the relationships of
	// their steps, and K is how many were asked for.
	PathExport bool
	Paths      []graph.Path
	K          int
	// Lists are the versions of the official lists the export's records
	// come from (graph.ListVersion).
	Lists []graph.ListVersion

	byID map[uuid.UUID]*Node
}

// Node is one entity of a subgraph.
type Node struct {
	// Entity is the entity as readers see it: for a party of several
	// records, their union (graph.MergeEntities) under the canonical id.
	Entity *graph.Entity
	// Records are the stored records the entity is made of (the entity
	// itself, with its held documents, when it merges nothing), sorted by
	// Ref. The FtM export writes these, so that ingesting it gives the
	// same records, which merge again the same way.
	Records []*graph.Entity
	// Designations are the entity's designations (whatever Via selected).
	Designations []graph.Designation
	// Seed marks an entity the query named.
	Seed bool
}

// Truncated reports whether a limit cut the subgraph.
func (s *Subgraph) Truncated() bool { return len(s.Limits) > 0 }

// AddLimit records that limit cut the subgraph (once).
func (s *Subgraph) AddLimit(limit string) {
	for _, l := range s.Limits {
		if l == limit {
			return
		}
	}
	s.Limits = append(s.Limits, limit)
}

// Finish sorts nodes and relationships and drops relationships whose ends
// are not both nodes, so that every format is consistent.
func (s *Subgraph) Finish() {
	sort.SliceStable(s.Nodes, func(i, j int) bool { return s.Nodes[i].Entity.Ref < s.Nodes[j].Entity.Ref })
	s.byID = make(map[uuid.UUID]*Node, len(s.Nodes))
	for _, n := range s.Nodes {
		s.byID[n.Entity.ID] = n
		sort.SliceStable(n.Records, func(i, j int) bool { return n.Records[i].Ref < n.Records[j].Ref })
	}
	rels := s.Relationships[:0]
	seen := map[uuid.UUID]bool{}
	for _, r := range s.Relationships {
		if s.byID[r.Source] == nil || s.byID[r.Target] == nil || seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		rels = append(rels, r)
	}
	s.Relationships = rels
	sort.SliceStable(s.Relationships, func(i, j int) bool {
		a, b := s.Relationships[i], s.Relationships[j]
		if a.Ref != b.Ref {
			return a.Ref < b.Ref
		}
		return a.ID.String() < b.ID.String()
	})
}

// Node returns the node of entity id, nil if there is none.
func (s *Subgraph) Node(id uuid.UUID) *Node {
	if s.byID == nil {
		s.Finish()
	}
	return s.byID[id]
}

// nodeRef is the id a relationship end has in the output: the node's ref.
func (s *Subgraph) nodeRef(id uuid.UUID) string {
	if n := s.Node(id); n != nil {
		return n.Entity.Ref
	}
	return id.String()
}

// Encode writes the subgraph in format f to w.
func Encode(w io.Writer, f Format, s *Subgraph) error {
	if s.byID == nil {
		s.Finish()
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	var err error
	switch f {
	case FTM:
		err = encodeFTM(bw, s)
	case GraphML:
		err = encodeGraphML(bw, s)
	case CSV:
		err = encodeCSV(bw, s)
	case Cypher:
		err = encodeCypher(bw, s)
	case DOT:
		err = encodeDOT(bw, s)
	case HTML:
		err = encodeHTML(bw, s)
	default:
		_, err = ParseFormat(string(f))
		if err == nil {
			err = errors.New("export: format not implemented")
		}
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// truncationNote says which limits cut the export, for formats that can
// carry a comment.
func (s *Subgraph) truncationNote() string {
	if !s.Truncated() {
		return ""
	}
	return "TRUNCATED: this export is incomplete; limits reached: " + strings.Join(s.Limits, ", ")
}

// datasets returns the distinct datasets of sources, in order.
func datasets(src []graph.Source) []string {
	var out []string
	for _, s := range src {
		if s.Dataset == "" {
			continue
		}
		dup := false
		for _, d := range out {
			dup = dup || d == s.Dataset
		}
		if !dup {
			out = append(out, s.Dataset)
		}
	}
	return out
}

// sourceText describes sources for a table cell or attribute: dataset,
// record and URL of each.
func sourceText(src []graph.Source) []string {
	out := make([]string, 0, len(src))
	for _, s := range src {
		parts := []string{s.Dataset}
		if s.RecordID != "" {
			parts = append(parts, s.RecordID)
		}
		if s.URL != "" {
			parts = append(parts, s.URL)
		} else if s.Document != "" {
			parts = append(parts, s.Document)
		}
		if s.Date != "" {
			parts = append(parts, s.Date)
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

// designationText describes a designation in one line.
func designationText(d graph.Designation) string {
	parts := []string{d.Authority}
	if d.Programme != "" {
		parts = append(parts, d.Programme)
	}
	if d.Reference != "" {
		parts = append(parts, "ref "+d.Reference)
	}
	if d.ListedOn != "" {
		parts = append(parts, "listed "+d.ListedOn)
	}
	if d.EndedOn != "" {
		parts = append(parts, "ended "+d.EndedOn)
	}
	return strings.Join(parts, " / ")
}

// sanctioned reports whether a node has a designation in force.
func (n *Node) sanctioned() bool {
	today := graph.Today().String()
	for _, d := range n.Designations {
		if d.Active(today) {
			return true
		}
	}
	return false
}

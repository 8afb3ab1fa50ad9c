package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// ftmEntity is one FollowTheMoney entity as OpenSanctions and Aleph write it.
type ftmEntity struct {
	ID         string                `json:"id"`
	Schema     string                `json:"schema"`
	Caption    string                `json:"caption"`
	Properties map[string]propValues `json:"properties"`
	Datasets   []string              `json:"datasets"`
	Referents  []string              `json:"referents"`
	FirstSeen  string                `json:"first_seen"`
	LastSeen   string                `json:"last_seen"`
	LastChange string                `json:"last_change"`
	// Sources is sanctionsgraph's extension of the FtM line: the record's
	// sources in full, as its FtM export writes them (graph.Source).
	Sources []graph.Source `json:"sources"`

	props map[string][]string // Properties as plain lists, set by convertFTM
}

// propValues are the values of one property. FtM writes a list of
// strings; like FollowTheMoney itself (ensure_list), a single string or
// number is taken as a list of one, and null as no value. Structured values
// (objects, nested lists), which some exports put in properties the model
// does not define, are kept as their JSON text; convertFTM refuses them in
// properties the model defines.
type propValues struct {
	v          []string
	structured bool
}

func (p *propValues) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '[':
		if v, ok := plainStrings(b); ok {
			p.v = v
			return nil
		}
		if err := json.Unmarshal(b, &p.v); err == nil {
			return nil
		}
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		p.v = make([]string, 0, len(raw))
		for _, x := range raw {
			var one propValues
			if err := one.UnmarshalJSON(x); err != nil {
				return err
			}
			p.v = append(p.v, one.v...)
			p.structured = p.structured || one.structured
		}
		return nil
	case '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		p.v = []string{v}
	case 'n':
		p.v = nil
	case 't', 'f', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		p.v = []string{string(b)}
	default: // an object
		var buf bytes.Buffer
		if err := json.Compact(&buf, b); err != nil {
			return err
		}
		p.v, p.structured = []string{buf.String()}, true
	}
	return nil
}

// plainStrings reads a JSON list of strings without escapes ("[\"a\",
// \"b\"]", nearly every property value of real files) without a second
// pass of the JSON decoder, which has checked the syntax already; false for
// anything else (escapes, other values, bytes that are not UTF-8), which
// the decoder reads.
func plainStrings(b []byte) ([]string, bool) {
	if len(b) < 2 || b[0] != '[' {
		return nil, false
	}
	i, n := 1, len(b)
	skip := func() {
		for i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
	}
	skip()
	if i < n && b[i] == ']' {
		return []string{}, i == n-1
	}
	var out []string
	for i < n {
		if b[i] != '"' {
			return nil, false
		}
		j := i + 1
		for j < n && b[j] != '"' {
			if b[j] == '\\' || b[j] < 0x20 {
				return nil, false
			}
			j++
		}
		if j >= n || !utf8.Valid(b[i+1:j]) {
			return nil, false
		}
		out = append(out, string(b[i+1:j]))
		i = j + 1
		skip()
		if i < n && b[i] == ']' {
			return out, i == n-1
		}
		if i >= n || b[i] != ',' {
			return nil, false
		}
		i++
		skip()
	}
	return nil, false
}

// ftmLine is a line of an FtM file: an entity, or a delta operation
// {"op": "ADD"|"MOD"|"DEL", "entity": {...}}.
type ftmLine struct {
	ftmEntity
	Op     string     `json:"op"`
	Entity *ftmEntity `json:"entity"`
}

const maxRefLen = 1024

// parseFTMLine decodes one line into a Record. file and line locate errors;
// dataset names the source when the entity lists no datasets.
func parseFTMLine(b []byte, file string, line int, dataset string) (graph.Record, *ftmInfo, *RecordError) {
	fail := func(field, f string, a ...any) (graph.Record, *ftmInfo, *RecordError) {
		return graph.Record{}, nil, &RecordError{File: file, Line: line, Field: field, Msg: fmt.Sprintf(f, a...)}
	}
	var l ftmLine
	if !parseFTMFast(b, &l) {
		if err := json.Unmarshal(b, &l); err != nil {
			field, msg := describeJSONError(b, err)
			return fail(field, "%s", msg)
		}
	}
	e, prefix := &l.ftmEntity, ""
	if l.Op != "" || l.Entity != nil {
		switch l.Op {
		case "ADD", "MOD", "DEL":
		case "":
			return fail("op", "a delta line needs an op (ADD, MOD or DEL)")
		default:
			return fail("op", "unknown delta op %q (want ADD, MOD or DEL)", l.Op)
		}
		if l.Entity == nil {
			return fail("entity", "a delta line needs an entity")
		}
		e, prefix = l.Entity, "entity."
		if l.Op == "DEL" {
			if err := checkRef(e.ID); err != "" {
				return fail(prefix+"id", "%s", err)
			}
			return graph.Record{Ref: e.ID, Delete: true}, &ftmInfo{op: "DEL"}, nil
		}
	}
	rec, info, rerr := convertFTM(e, dataset)
	if rerr != nil {
		rerr.File, rerr.Line, rerr.Field = file, line, prefix+rerr.Field
		return graph.Record{}, nil, rerr
	}
	info.op = l.Op
	for _, ve := range info.dropped {
		ve.File, ve.Line, ve.Field = file, line, prefix+ve.Field
	}
	return rec, info, nil
}

// ftmInfo tells the caller what kind of record a line was, for the summary.
type ftmInfo struct {
	op            string
	schema        string
	unknownSchema bool
	incomplete    bool           // a relationship with one end missing, kept as a document
	dropped       []*RecordError // values left out (checkValues); the record is kept
}

// describeJSONError turns a decoding error into a field and a message.
func describeJSONError(b []byte, err error) (string, string) {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		field := strings.TrimPrefix(te.Field, "ftmEntity.")
		if field == "properties" || field == "entity.properties" {
			// Find the property that is not a list of strings.
			var raw struct {
				Properties map[string]json.RawMessage `json:"properties"`
				Entity     *struct {
					Properties map[string]json.RawMessage `json:"properties"`
				} `json:"entity"`
			}
			if json.Unmarshal(b, &raw) == nil {
				props := raw.Properties
				if raw.Entity != nil {
					props = raw.Entity.Properties
				}
				keys := make([]string, 0, len(props))
				for k := range props {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					var v propValues
					if json.Unmarshal(props[k], &v) != nil {
						return field + "." + k, fmt.Sprintf("want a list of strings, got %s", shorten(string(props[k]), 60))
					}
				}
			}
			return field, fmt.Sprintf("want an object of string lists, got %s", te.Value)
		}
		want := te.Type.String()
		switch te.Type.Kind().String() {
		case "string":
			want = "string"
		case "slice":
			want = "list"
		case "struct", "ptr", "map":
			want = "object"
		}
		return field, fmt.Sprintf("want a %s, got %s", want, te.Value)
	case errors.As(err, &se):
		return "", fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	return "", fmt.Sprintf("invalid JSON: %v", err)
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func checkRef(id string) string {
	switch {
	case id == "":
		return "missing or empty id"
	case len(id) > maxRefLen:
		return fmt.Sprintf("id is %d bytes long; at most %d", len(id), maxRefLen)
	case !utf8.ValidString(id):
		return "id is not valid UTF-8"
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return "id contains a control character"
	}
	return ""
}

// convertFTM maps one FtM entity to a Record. The RecordError it returns
// names the field only; the caller adds file and line.
func convertFTM(e *ftmEntity, dataset string) (graph.Record, *ftmInfo, *RecordError) {
	bad := func(field, f string, a ...any) (graph.Record, *ftmInfo, *RecordError) {
		return graph.Record{}, nil, &RecordError{Field: field, Msg: fmt.Sprintf(f, a...)}
	}
	if msg := checkRef(e.ID); msg != "" {
		return bad("id", "%s", msg)
	}
	if e.Schema == "" {
		return bad("schema", "missing schema")
	}
	schemaDef, _ := graph.LookupSchema(e.Schema)
	e.props = make(map[string][]string, len(e.Properties))
	for k, v := range e.Properties {
		if v.structured && schemaDef != nil {
			if _, defined := schemaDef.Props[k]; defined {
				return bad("properties."+k, "want a list of strings, got a JSON object")
			}
		}
		if len(v.v) > 0 {
			e.props[k] = v.v
		}
	}
	for k, vs := range e.props {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				return bad("properties."+k, "value is not valid UTF-8")
			}
		}
	}
	for i, src := range e.Sources {
		if field, msg := checkSource(src); msg != "" {
			return bad(fmt.Sprintf("sources[%d].%s", i, field), "%s", msg)
		}
	}
	info := &ftmInfo{schema: e.Schema, dropped: checkValues(e.Schema, e.props)}
	sources := ftmSources(e, dataset)
	s, known := graph.LookupSchema(e.Schema)
	switch {
	case !known:
		info.unknownSchema = true
	case s.Edge != nil && (len(e.props[s.Edge.Source]) == 0) != (len(e.props[s.Edge.Target]) == 0):
		// A relationship with one end missing (real exports have Occupancy
		// records without a post) still says something about the end that
		// is there: keep it as a document held by that end.
		end := s.Edge.Source
		if len(e.props[end]) == 0 {
			end = s.Edge.Target
		}
		for _, h := range e.props[end] {
			if msg := checkRef(h); msg != "" {
				return bad("properties."+end, "%s", msg)
			}
		}
		info.incomplete = true
		return graph.Record{Ref: e.ID, Held: ftmNode(e, sources), Holders: e.props[end]}, info, nil
	case s.Edge != nil:
		rels, rerr := edgeRelationships(e, s, sources)
		if rerr != nil {
			return graph.Record{}, nil, rerr
		}
		return graph.Record{Ref: e.ID, Relationships: rels}, info, nil
	case s.Is("Sanction"):
		rec, rerr := sanctionRecord(e, sources)
		return rec, info, rerr
	case s.Is("Identification") || s.Is("Risk") || s.Is("Note"):
		holderProp := "holder"
		if !s.Is("Identification") {
			holderProp = "entity"
		}
		holders := e.props[holderProp]
		if len(holders) == 0 {
			return bad("properties."+holderProp, "%s record has no %s", e.Schema, holderProp)
		}
		for _, h := range holders {
			if msg := checkRef(h); msg != "" {
				return bad("properties."+holderProp, "%s", msg)
			}
		}
		return graph.Record{Ref: e.ID, Held: ftmNode(e, sources), Holders: holders}, info, nil
	}
	ent := ftmNode(e, sources)
	rec := graph.Record{Ref: e.ID, Entity: ent}
	// Entity-typed properties of a node schema (addressEntity, a vessel's
	// owner, a position's organization, ...) become relationships, so the
	// link is searchable in both directions.
	props := make([]string, 0, len(e.props))
	for p := range e.props {
		props = append(props, p)
	}
	sort.Strings(props)
	for _, p := range props {
		if graph.PropType(e.Schema, p) != "entity" {
			continue
		}
		for _, target := range e.props[p] {
			if msg := checkRef(target); msg != "" {
				return bad("properties."+p, "%s", msg)
			}
			rec.Relationships = append(rec.Relationships, referenceRelationship(e, s, p, target, sources))
		}
	}
	return rec, info, nil
}

func first(v []string) string {
	if len(v) > 0 {
		return v[0]
	}
	return ""
}

func ftmNode(e *ftmEntity, sources []graph.Source) *graph.Entity {
	caption := e.Caption
	if caption == "" {
		props := []string{"name"}
		if s, ok := graph.LookupSchema(e.Schema); ok && len(s.Caption) > 0 {
			props = s.Caption
		}
		for _, p := range props {
			if caption = first(e.props[p]); caption != "" {
				break
			}
		}
	}
	var refs []string
	for _, r := range e.Referents {
		if r != "" && r != e.ID && checkRef(r) == "" {
			refs = append(refs, r)
		}
	}
	props := e.props
	if props == nil {
		props = map[string][]string{}
	}
	return &graph.Entity{Ref: e.ID, Schema: e.Schema, Caption: caption, Props: props, Referents: refs, Sources: sources}
}

// maxSourceField bounds each field of a source read from an FtM line.
const maxSourceField = 8 << 10

// checkSource checks a source read from an FtM line's "sources" and names
// the field that is wrong.
func checkSource(s graph.Source) (field, msg string) {
	if s.Dataset == "" {
		return "dataset", "a source needs its dataset"
	}
	for _, f := range []struct{ name, v string }{{"dataset", s.Dataset}, {"recordId", s.RecordID}, {"url", s.URL},
		{"document", s.Document}, {"date", s.Date}, {"retrievedAt", s.RetrievedAt}, {"quote", s.Quote}} {
		switch {
		case len(f.v) > maxSourceField:
			return f.name, fmt.Sprintf("longer than %d bytes", maxSourceField)
		case !utf8.ValidString(f.v):
			return f.name, "not valid UTF-8"
		}
	}
	return "", ""
}

// ftmSources gives the sources the line states in full ("sources", as
// sanctionsgraph's FtM export writes them), else one Source per dataset
// the entity names.
func ftmSources(e *ftmEntity, dataset string) []graph.Source {
	if len(e.Sources) > 0 {
		return e.Sources
	}
	url := first(e.props["sourceUrl"])
	ds := e.Datasets
	if len(ds) == 0 {
		ds = []string{dataset}
	}
	out := make([]graph.Source, 0, len(ds))
	for _, d := range ds {
		out = append(out, graph.Source{Dataset: d, RecordID: e.ID, URL: url, RetrievedAt: e.LastSeen})
	}
	return out
}

// edgeKinds maps FtM relationship schemata to kinds. UnknownLink is decided
// by its role text (linkKind).
var edgeKinds = map[string]graph.RelType{
	"Ownership":          graph.RelOwns,
	"Control":            graph.RelControls,
	"Directorship":       graph.RelDirectorOf,
	"Family":             graph.RelFamily,
	"Associate":          graph.RelAssociate,
	"Membership":         graph.RelMemberOf,
	"Employment":         graph.RelEmployeeOf,
	"Representation":     graph.RelRepresents,
	"Occupancy":          graph.RelHoldsPosition,
	"Payment":            graph.RelPaid,
	"Debt":               graph.RelOwes,
	"Succession":         graph.RelSucceededBy,
	"CourtCaseParty":     graph.RelPartyTo,
	"ContractAward":      graph.RelAwardedTo,
	"ProjectParticipant": graph.RelParticipantIn,
	"Documentation":      graph.RelDocuments,
}

func edgeRelationships(e *ftmEntity, s *graph.Schema, sources []graph.Source) ([]graph.Relationship, *RecordError) {
	srcs, dsts := e.props[s.Edge.Source], e.props[s.Edge.Target]
	if len(srcs) == 0 && len(dsts) == 0 {
		return nil, &RecordError{Field: "properties." + s.Edge.Source, Msg: fmt.Sprintf("%s record has neither %s nor %s", e.Schema, s.Edge.Source, s.Edge.Target)}
	}
	kind, ok := edgeKinds[e.Schema]
	props := map[string][]string{}
	for k, v := range e.props {
		if k != s.Edge.Source && k != s.Edge.Target {
			props[k] = v
		}
	}
	if !ok {
		kind = graph.RelLinkedTo
		if e.Schema == "UnknownLink" {
			// The role says the kind (graph.UnknownLinkKind).
			var roles []string
			kind, roles = graph.UnknownLinkKind(props["role"])
			if len(roles) == 0 {
				delete(props, "role")
			} else {
				props["role"] = roles
			}
		}
	}
	var out []graph.Relationship
	for i, a := range srcs {
		if msg := checkRef(a); msg != "" {
			return nil, &RecordError{Field: "properties." + s.Edge.Source, Msg: msg}
		}
		for j, b := range dsts {
			if msg := checkRef(b); msg != "" {
				return nil, &RecordError{Field: "properties." + s.Edge.Target, Msg: msg}
			}
			ref := e.ID
			if i > 0 || j > 0 { // FtM allows several ends; each pair is an edge
				ref = fmt.Sprintf("%s#%d.%d", e.ID, i, j)
			}
			out = append(out, graph.Relationship{Ref: ref, Kind: kind, Schema: e.Schema, SourceRef: a, TargetRef: b, Props: props, Sources: sources})
		}
	}
	return out, nil
}

// referenceRelationship turns an entity-typed property of a node into an
// edge from the node to the entity it names (or, for a vehicle's owner,
// from the owner to the vehicle).
func referenceRelationship(e *ftmEntity, s *graph.Schema, prop, target string, sources []graph.Source) graph.Relationship {
	label := prop
	if s != nil {
		if d, ok := s.Props[prop]; ok && d.Label != "" {
			label = d.Label
		}
	}
	r := graph.Relationship{
		Ref:       e.ID + "/" + prop + "/" + target,
		Kind:      graph.RelLinkedTo,
		Schema:    e.Schema,
		SourceRef: e.ID,
		TargetRef: target,
		Props:     map[string][]string{"role": {label}, "property": {prop}},
		Sources:   sources,
	}
	switch {
	case prop == "addressEntity":
		r.Kind, r.Props = graph.RelHasAddress, nil
	case prop == "owner" && s != nil && s.Is("Asset"):
		r.Kind, r.SourceRef, r.TargetRef, r.Props = graph.RelOwns, target, e.ID, nil
	}
	return r
}

// sanctionRecord turns an FtM Sanction into a designated-by edge from the
// sanctioned entity to the programme (or, without one, the authority).
func sanctionRecord(e *ftmEntity, sources []graph.Source) (graph.Record, *RecordError) {
	targets := e.props["entity"]
	if len(targets) == 0 {
		return graph.Record{}, &RecordError{Field: "properties.entity", Msg: "Sanction record has no entity"}
	}
	d := Designator(first(e.props["authority"]), first(e.props["country"]), first(e.props["programId"]), first(e.props["program"]))
	props := map[string][]string{}
	for k, v := range e.props {
		if k != "entity" {
			props[k] = v
		}
	}
	rec := graph.Record{Ref: e.ID, Ensure: d.Nodes(), EnsureRelationships: d.Links()}
	for i, target := range targets {
		if msg := checkRef(target); msg != "" {
			return graph.Record{}, &RecordError{Field: "properties.entity", Msg: msg}
		}
		ref := e.ID
		if i > 0 {
			ref = fmt.Sprintf("%s#%d", e.ID, i)
		}
		rec.Relationships = append(rec.Relationships, graph.Relationship{
			Ref: ref, Kind: graph.RelDesignatedBy, Schema: "Sanction",
			SourceRef: target, TargetRef: d.TargetRef(), Props: props, Sources: sources,
		})
	}
	return rec, nil
}

// DesignatorNodes are the authority and (optional) programme a designation
// points at.
type DesignatorNodes struct {
	Authority     string // canonical name: "US OFAC"
	AuthorityRef  string // "authority:us-ofac"
	Programme     string // "DPRK3"; empty if unknown
	ProgrammeName string
	ProgrammeRef  string // "programme:us-ofac/dprk3"
}

// Designator names the nodes for a designation by authority (any spelling:
// "OFAC", "Office of Foreign Assets Control"), country and programme.
func Designator(authority, country, programID, program string) DesignatorNodes {
	d := DesignatorNodes{Authority: graph.CanonicalAuthority(authority, country)}
	d.AuthorityRef = "authority:" + slug(d.Authority)
	switch {
	case programID != "":
		d.Programme, d.ProgrammeName = programID, program
	case program != "":
		d.Programme = program
	}
	if d.ProgrammeName == "" {
		d.ProgrammeName = d.Programme
	}
	if d.Programme != "" {
		d.ProgrammeRef = "programme:" + slug(d.Authority) + "/" + slug(d.Programme)
	}
	return d
}

// TargetRef is where a designated-by edge points: the programme if known.
func (d DesignatorNodes) TargetRef() string {
	if d.ProgrammeRef != "" {
		return d.ProgrammeRef
	}
	return d.AuthorityRef
}

// Nodes returns the authority and programme entities.
func (d DesignatorNodes) Nodes() []graph.Entity {
	out := []graph.Entity{{Ref: d.AuthorityRef, Schema: graph.SchemaAuthority, Caption: d.Authority,
		Props: map[string][]string{"name": {d.Authority}}}}
	if d.ProgrammeRef != "" {
		name := d.Authority + " / " + d.ProgrammeName
		props := map[string][]string{"name": {name}, "authority": {d.Authority}}
		if d.Programme != d.ProgrammeName {
			props["programId"] = []string{d.Programme}
			props["alias"] = []string{d.Authority + " / " + d.Programme}
		}
		out = append(out, graph.Entity{Ref: d.ProgrammeRef, Schema: graph.SchemaProgramme, Caption: name, Props: props})
	}
	return out
}

// Links returns the programme-of edge from the programme to its authority.
func (d DesignatorNodes) Links() []graph.Relationship {
	if d.ProgrammeRef == "" {
		return nil
	}
	return []graph.Relationship{{Ref: d.ProgrammeRef + "#of", Kind: graph.RelProgrammeOf, SourceRef: d.ProgrammeRef, TargetRef: d.AuthorityRef}}
}

// slug makes a readable, stable id part: "US OFAC" -> "us-ofac".
func slug(s string) string {
	f := graph.Fold(s)
	var b bytes.Buffer
	for _, r := range f {
		if r == ' ' {
			b.WriteByte('-')
		} else {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if len(out) > 120 {
		out = out[:120]
	}
	if out == "" {
		out = "x"
	}
	return out
}

// checkValues checks the values of date and country properties: a
// country name becomes its code ("Russia" -> "ru"); a value that is not a
// date or a country ("99999-99-99", "ru\"><script>", "Ottoman Empire")
// leaves its property and is kept as a note ("nationality: Ottoman
// Empire"), so nothing is lost and no property holds what it cannot; an
// empty value is dropped. It says which values it moved: the record is
// kept.
func checkValues(schema string, props map[string][]string) []*RecordError {
	var moved []*RecordError
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vs := props[k]
		var check func(string) (string, string)
		switch graph.PropType(schema, k) {
		case "date":
			check = func(v string) (string, string) {
				if d, _, _ := strings.Cut(v, "T"); graph.IsPartialDate(d) { // "2017-08-05T00:00:00"
					return v, ""
				}
				return "", fmt.Sprintf("%q is not a date (YYYY, YYYY-MM or YYYY-MM-DD): kept as a note", shorten(v, 40))
			}
		case "country":
			check = func(v string) (string, string) {
				if graph.CountryName(v) != "" {
					return v, ""
				}
				if c := graph.CountryCode(v); c != "" {
					return c, ""
				}
				return "", fmt.Sprintf("%q is not a country: kept as a note", shorten(v, 40))
			}
		default:
			continue
		}
		kept := vs[:0:0]
		for _, v := range vs {
			if strings.TrimSpace(v) == "" {
				continue
			}
			good, msg := check(v)
			if msg != "" {
				moved = append(moved, &RecordError{Field: "properties." + k, Msg: msg})
				props["notes"] = append(props["notes"], k+": "+v)
				continue
			}
			kept = append(kept, good)
		}
		if len(kept) == 0 {
			delete(props, k)
		} else {
			props[k] = kept
		}
	}
	return moved
}

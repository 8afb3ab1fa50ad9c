package graph

import (
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// Entity is a node of the graph: a person, company, organisation, bank,
// vessel, address, ... (a FollowTheMoney schema) or a designating authority
// or programme.
//
// Props holds the FtM properties by their FtM names (name, alias, country,
// swiftBic, imoNumber, birthDate, ...), so that what was ingested comes back
// out exactly. The accessor methods read the well-known ones.
type Entity struct {
	ID        uuid.UUID           `json:"-"`
	Ref       string              `json:"id"` // public id: an FtM id, "ofac:15603", or a UUID
	Schema    string              `json:"schema"`
	Caption   string              `json:"caption,omitempty"`
	Props     map[string][]string `json:"properties"`
	Referents []string            `json:"referents,omitempty"` // other ids the entity is known by
	Sources   []Source            `json:"sources,omitempty"`
	// Held lists the identification documents, risks and notes that name this
	// entity as their holder. Stores fill it when reading; it is not part of
	// the entity's own record.
	Held []*Entity `json:"held,omitempty"`
}

// Source is the provenance of an entity or relationship: where a statement
// comes from, so that an analyst can cite it.
type Source struct {
	Dataset     string `json:"dataset"`               // list or dataset: "us_ofac_sdn", "demo", a file name
	RecordID    string `json:"recordId,omitempty"`    // the record's id in that dataset
	URL         string `json:"url,omitempty"`         // public page that states it
	Document    string `json:"document,omitempty"`    // title of a document without URL
	Date        string `json:"date,omitempty"`        // publication date of the source
	RetrievedAt string `json:"retrievedAt,omitempty"` // when the list version was seen
	Quote       string `json:"quote,omitempty"`       // the words that state it
	// Part is the list within the dataset that the record is from, where
	// a dataset joins several lists that each name a party once (the
	// EU journal's framework act, "32014R0833"). Records of one dataset
	// and part are never one party; of one dataset and different parts
	// they may be (a party designated under two EU regimes).
	Part string `json:"part,omitempty"`
}

// Identifier is a strong identifier of an entity: a SWIFT/BIC, IMO number,
// registration, tax or passport number.
type Identifier struct {
	Scheme string `json:"scheme"` // the FtM property: swiftBic, imoNumber, passportNumber, ...
	Value  string `json:"value"`
}

// SchemaDef returns the entity's schema, or nil if the model does not know it.
func (e *Entity) SchemaDef() *Schema {
	s, _ := LookupSchema(e.Schema)
	return s
}

// Is reports whether the entity's schema is name or extends it.
func (e *Entity) Is(name string) bool {
	if s := e.SchemaDef(); s != nil {
		return s.Is(name)
	}
	return e.Schema == name
}

// IsDesignator reports whether the entity is a designating authority or a
// programme: paths may end at such a node but never pass through it.
func (e *Entity) IsDesignator() bool {
	return e.Schema == SchemaAuthority || e.Schema == SchemaProgramme
}

// First returns the first value of property p, or "".
func (e *Entity) First(p string) string {
	if v := e.Props[p]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Name returns the entity's display name.
func (e *Entity) Name() string {
	if e.Caption != "" {
		return e.Caption
	}
	if n := e.First("name"); n != "" {
		return n
	}
	return e.Ref
}

// Names returns the display name followed by every other name-typed value
// (name, alias, weakAlias, previousName, ...), without duplicates.
func (e *Entity) Names() []string {
	out := []string{e.Name()}
	seen := map[string]bool{out[0]: true}
	for _, p := range e.propsOfType("name") {
		for _, v := range e.Props[p] {
			if v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// Aliases returns Names without the display name and without the weak
// aliases (WeakAliases).
func (e *Entity) Aliases() []string {
	weak := e.WeakAliases()
	out := []string{}
	for _, n := range e.Names()[1:] {
		if !slices.Contains(weak, n) {
			out = append(out, n)
		}
	}
	return out
}

// WeakAliases returns the entity's weak aliases (FtM weakAlias: a
// nickname, a single given name, an acronym; OFAC's quoted a.k.a.s, the
// UN's low-quality aliases) that are not also one of its other names.
// Screening never takes one alone for a match.
func (e *Entity) WeakAliases() []string {
	var out []string
	for _, n := range e.Props["weakAlias"] {
		if n == "" || n == e.Name() || slices.Contains(out, n) {
			continue
		}
		strong := false
		for _, p := range []string{"name", "alias", "previousName"} {
			strong = strong || slices.Contains(e.Props[p], n)
		}
		if !strong {
			out = append(out, n)
		}
	}
	return out
}

// Countries returns the distinct values of the entity's country-typed
// properties (country, nationality, jurisdiction, citizenship, ...).
func (e *Entity) Countries() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range e.propsOfType("country") {
		for _, v := range e.Props[p] {
			v = strings.ToLower(v)
			if v != "" && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// notIdentifying lists identifier-typed FtM properties that do not identify
// the entity that carries them.
var notIdentifying = map[string]bool{
	"programId": true, "authorityId": true, "cpvCode": true, "nutsCode": true,
	"callId": true, "projectId": true, "osmId": true, "googlePlaceId": true,
}

// Identifiers returns the entity's identifiers and those of the documents it
// holds (a Passport's number), sorted by scheme and value.
func (e *Entity) Identifiers() []Identifier {
	var out []Identifier
	seen := map[Identifier]bool{}
	add := func(x *Entity) {
		for _, p := range x.propsOfType("identifier", "iban") {
			if notIdentifying[p] {
				continue
			}
			scheme := p
			if p == "number" && x.Is("Passport") {
				scheme = "passportNumber"
			}
			for _, v := range x.Props[p] {
				id := Identifier{Scheme: scheme, Value: v}
				if v != "" && !seen[id] {
					seen[id] = true
					out = append(out, id)
				}
			}
		}
	}
	add(e)
	for _, h := range e.Held {
		add(h)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Scheme != out[j].Scheme {
			return out[i].Scheme < out[j].Scheme
		}
		return out[i].Value < out[j].Value
	})
	return out
}

// BirthDates returns the birthDate values.
func (e *Entity) BirthDates() []string { return e.Props["birthDate"] }

// Addresses returns the address strings stated on the entity itself.
func (e *Entity) Addresses() []string { return e.Props["address"] }

// Topics returns the FtM topics (sanction, role.pep, crime, ...).
func (e *Entity) Topics() []string { return e.Props["topics"] }

// propsOfType returns the entity's property names of the given FtM types, sorted.
func (e *Entity) propsOfType(types ...string) []string {
	var out []string
	for p := range e.Props {
		t := PropType(e.Schema, p)
		for _, want := range types {
			if t == want {
				out = append(out, p)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// Clone returns a deep copy.
func (e *Entity) Clone() *Entity {
	c := *e
	c.Props = cloneProps(e.Props)
	c.Referents = append([]string(nil), e.Referents...)
	c.Sources = append([]Source(nil), e.Sources...)
	c.Held = nil
	for _, h := range e.Held {
		c.Held = append(c.Held, h.Clone())
	}
	return &c
}

func cloneProps(p map[string][]string) map[string][]string {
	if p == nil {
		return nil
	}
	out := make(map[string][]string, len(p))
	for k, v := range p {
		out[k] = append([]string(nil), v...)
	}
	return out
}

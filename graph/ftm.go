package graph

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
)

//go:generate go run ./internal/ftmgen -model ../../shared/data/ftm-schema/alephdata-defaultModel.json -out ftmmodel.json

//go:embed ftmmodel.json
var ftmModelJSON []byte

// Schema names that sanctionsgraph adds to the FollowTheMoney model: the
// bodies that designate parties and the sanctions programmes they run.
const (
	SchemaAuthority = "Authority"
	SchemaProgramme = "Programme"
)

// EdgeDef says which two entity properties of a relationship schema (such as
// Ownership) are its ends.
type EdgeDef struct {
	Source   string `json:"source"`
	Target   string `json:"target"`
	Label    string `json:"label,omitempty"`
	Directed bool   `json:"directed"`
}

// PropDef describes one property of a schema.
type PropDef struct {
	Type  string `json:"type"` // FtM type: name, entity, date, country, identifier, ...
	Label string `json:"label,omitempty"`
	Range string `json:"range,omitempty"` // for entity properties, the schema referred to
}

// Schema is one FollowTheMoney schema with its inherited properties.
type Schema struct {
	Name     string
	Label    string
	Abstract bool
	Caption  []string           // properties that make the display name, in order of preference
	Edge     *EdgeDef           // set for relationship schemata (Ownership, ...)
	Props    map[string]PropDef // own and inherited
	extends  []string
	ancestry map[string]bool // the schema itself and every ancestor
}

// Is reports whether s is the schema name or extends it (Company is a LegalEntity).
func (s *Schema) Is(name string) bool { return s.ancestry[name] }

var (
	schemata  map[string]*Schema
	propTypes map[string]string // property name -> type, over all schemata
)

func init() {
	var m struct {
		Schemata map[string]struct {
			Label      string             `json:"label"`
			Extends    []string           `json:"extends"`
			Abstract   bool               `json:"abstract"`
			Caption    []string           `json:"caption"`
			Edge       *EdgeDef           `json:"edge"`
			Properties map[string]PropDef `json:"properties"`
		} `json:"schemata"`
	}
	if err := json.Unmarshal(ftmModelJSON, &m); err != nil {
		panic(fmt.Sprintf("graph: embedded FtM model: %v", err))
	}
	schemata = map[string]*Schema{}
	for name, s := range m.Schemata {
		schemata[name] = &Schema{Name: name, Label: s.Label, Abstract: s.Abstract, Caption: s.Caption, Edge: s.Edge, Props: s.Properties, extends: s.Extends}
	}
	schemata[SchemaAuthority] = &Schema{Name: SchemaAuthority, Label: "Designating authority", extends: []string{"PublicBody"}, Props: map[string]PropDef{}}
	schemata[SchemaProgramme] = &Schema{Name: SchemaProgramme, Label: "Sanctions programme", extends: []string{"Thing"}, Props: map[string]PropDef{
		"authority": {Type: "string", Label: "Authority"},
		"programId": {Type: "identifier", Label: "Programme id"},
	}}
	for _, s := range schemata {
		s.ancestry = map[string]bool{}
		var walk func(n string)
		walk = func(n string) {
			if s.ancestry[n] {
				return
			}
			s.ancestry[n] = true
			if p, ok := schemata[n]; ok {
				for _, e := range p.extends {
					walk(e)
				}
			}
		}
		walk(s.Name)
	}
	// Flatten inherited properties.
	for _, s := range schemata {
		flat := map[string]PropDef{}
		for anc := range s.ancestry {
			if p, ok := schemata[anc]; ok {
				for k, v := range p.Props {
					if _, own := s.Props[k]; !own {
						flat[k] = v
					}
				}
			}
		}
		for k, v := range s.Props {
			flat[k] = v
		}
		s.Props = flat
	}
	propTypes = map[string]string{}
	names := SchemaNames()
	for _, n := range names {
		for p, d := range schemata[n].Props {
			if _, ok := propTypes[p]; !ok {
				propTypes[p] = d.Type
			}
		}
	}
}

// LookupSchema returns the named schema, or false if the model has no such schema.
func LookupSchema(name string) (*Schema, bool) {
	s, ok := schemata[name]
	return s, ok
}

// SchemaNames returns every known schema name, sorted.
func SchemaNames() []string {
	out := make([]string, 0, len(schemata))
	for n := range schemata {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// PropType returns the FtM type of property prop in schema. A property a
// known schema does not define is a "string" (exports carry free-form extra
// properties such as "children" that must not be read as entity links). For
// a schema the model does not know, it falls back to the type the property
// has elsewhere in the model, then to "string".
func PropType(schema, prop string) string {
	if s, ok := schemata[schema]; ok {
		if d, ok := s.Props[prop]; ok {
			return d.Type
		}
		return "string"
	}
	if t, ok := propTypes[prop]; ok {
		return t
	}
	return "string"
}

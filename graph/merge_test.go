package graph

import (
	"testing"

	"github.com/google/uuid"
)

func ent(ref, dataset, schema string, props map[string][]string) *Entity {
	return &Entity{ID: KeyFor(ref), Ref: ref, Schema: schema, Props: props, Sources: []Source{{Dataset: dataset, RecordID: ref}}}
}

func TestSameParty(t *testing.T) {
	p := func(kv ...string) map[string][]string {
		m := map[string][]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = append(m[kv[i]], kv[i+1])
		}
		return m
	}
	cases := []struct {
		name string
		a, b *Entity
		rule string // "" = not the same party
	}{
		{"swift", ent("a", "x", "Organization", p("name", "Foreign Trade Bank of the DPRK", "swiftBic", "FTBDKPPY")),
			ent("b", "y", "LegalEntity", p("name", "FOREIGN TRADE BANK (FTB)", "swiftBic", "FTBDKPPYXXX")), "swiftBic"},
		{"swift other branch", ent("a", "x", "Organization", p("name", "Bank Melli", "swiftBic", "MELIIRTH123")),
			ent("b", "y", "Organization", p("name", "Bank Melli", "swiftBic", "MELIIRTH456")), ""},
		{"swift but no shared word", ent("a", "x", "Organization", p("name", "Alpha Holdings", "swiftBic", "FTBDKPPY")),
			ent("b", "y", "Organization", p("name", "Omega Shipping", "swiftBic", "FTBDKPPY")), ""},
		{"same dataset", ent("a", "x", "Organization", p("name", "Foreign Trade Bank", "swiftBic", "FTBDKPPY")),
			ent("b", "x", "Organization", p("name", "Foreign Trade Bank", "swiftBic", "FTBDKPPY")), ""},
		{"imo", ent("a", "x", "Vessel", p("name", "SEA STAR", "imoNumber", "9030591")),
			ent("b", "y", "Vessel", p("name", "OCEAN QUEEN", "imoNumber", "IMO 9030591")), "imoNumber"},
		{"different imo", ent("a", "x", "Vessel", p("name", "SEA STAR", "imoNumber", "9030591")),
			ent("b", "y", "Vessel", p("name", "SEA STAR", "imoNumber", "7406784", "country", "kp")), ""},
		{"vessel and company", ent("a", "x", "Vessel", p("name", "SEA STAR")), ent("b", "y", "Company", p("name", "SEA STAR")), ""},
		{"registration with country", ent("a", "x", "Company", p("name", "Russian Financial Society", "registrationNumber", "1027744004903", "country", "ru")),
			ent("b", "y", "Company", p("name", "LLC NCO Russian Financial Society", "registrationNumber", "1027744004903")), "registrationNumber"},
		{"registration, other country", ent("a", "x", "Company", p("name", "Acme Trading", "registrationNumber", "1027744004903", "country", "ru")),
			ent("b", "y", "Company", p("name", "Acme Trading", "registrationNumber", "1027744004903", "country", "cy")), ""},
		{"short registration", ent("a", "x", "Company", p("name", "Acme Trading", "registrationNumber", "12345")),
			ent("b", "y", "Company", p("name", "Acme Trading Co", "registrationNumber", "12345")), ""},
		{"name and country", ent("a", "x", "Organization", p("name", "KOREA KWANGSON BANKING CORP", "country", "kp")),
			ent("b", "y", "LegalEntity", p("name", "Korea Kwangson Banking Corporation (KKBC)", "alias", "Korea Kwangson Banking Corporation", "country", "kp")), "name+country"},
		{"name without country", ent("a", "x", "Organization", p("name", "KOREA KWANGSON BANKING CORP")),
			ent("b", "y", "Organization", p("name", "Korea Kwangson Banking Corporation", "country", "kp")), ""},
		{"short name", ent("a", "x", "Organization", p("name", "HAMAS", "country", "ps")),
			ent("b", "y", "Organization", p("name", "Hamas", "country", "ps")), ""},
		{"weak alias only", ent("a", "x", "Organization", p("name", "Alpha", "weakAlias", "Korea Trading Bank", "country", "kp")),
			ent("b", "y", "Organization", p("name", "Korea Trading Bank", "country", "kp")), ""},
		{"person name and dob", ent("a", "x", "Person", p("name", "HAN, Jang Su", "birthDate", "1969-11-08")),
			ent("b", "y", "Person", p("name", "Jang Su Han", "birthDate", "1969-11-08")), "name+birthDate"},
		{"person name and year", ent("a", "x", "Person", p("name", "HAN, Jang Su", "birthDate", "1969")),
			ent("b", "y", "Person", p("name", "Jang Su Han", "birthDate", "1969-11-08")), ""},
		{"person name, year and nationality", ent("a", "x", "Person", p("name", "HAN, Jang Su", "birthDate", "1969", "nationality", "kp")),
			ent("b", "y", "Person", p("name", "Jang Su Han", "birthDate", "1969-11-08", "nationality", "kp")), "name+birthYear+nationality"},
		{"person name only", ent("a", "x", "Person", p("name", "HAN, Jang Su")), ent("b", "y", "Person", p("name", "Jang Su Han")), ""},
		{"person other dob", ent("a", "x", "Person", p("name", "Kim Chol", "birthDate", "1960-01-01")),
			ent("b", "y", "Person", p("name", "Kim Chol", "birthDate", "1962-05-05")), ""},
		{"person passport", ent("a", "x", "Person", p("name", "SUN, Wei", "passportNumber", "G12345678")),
			ent("b", "y", "Person", p("name", "Wei Sun", "passportNumber", "G 12345678")), "passportNumber"},
		{"passport, other gender", ent("a", "x", "Person", p("name", "SUN, Wei", "passportNumber", "G12345678", "gender", "male")),
			ent("b", "y", "Person", p("name", "Wei Sun", "passportNumber", "G12345678", "gender", "female")), ""},
		{"programme", &Entity{ID: uuid.New(), Schema: SchemaProgramme, Props: p("name", "US OFAC / NPWMD")},
			&Entity{ID: uuid.New(), Schema: SchemaProgramme, Props: p("name", "US OFAC / NPWMD")}, ""},
	}
	for _, c := range cases {
		ev, ok := SameParty(c.a, c.b)
		if got := ev.Rule; !ok && got != "" || (ok != (c.rule != "")) || got != c.rule {
			t.Errorf("%s: SameParty = %v %q (%s), want %q", c.name, ok, got, ev.Detail, c.rule)
		}
		ev2, ok2 := SameParty(c.b, c.a)
		if ok2 != ok || ev2.Rule != ev.Rule {
			t.Errorf("%s: not symmetric: %v %v", c.name, ev, ev2)
		}
	}
}

func TestMergeEntities(t *testing.T) {
	a := ent("ofac:1", "us", "Organization", map[string][]string{"name": {"FTB"}, "swiftBic": {"FTBDKPPY"}})
	a.Referents = []string{"ofac-1"}
	b := ent("eu:1", "eu", "Company", map[string][]string{"name": {"Foreign Trade Bank", "ftb"}, "country": {"kp"}})
	m := MergeEntities(b.ID, []*Entity{a, b})
	if m.ID != b.ID || m.Ref != "eu:1" || m.Schema != "Company" {
		t.Errorf("merged id/ref/schema %s %s %s", m.ID, m.Ref, m.Schema)
	}
	if len(m.Props["name"]) != 2 || m.Props["swiftBic"][0] != "FTBDKPPY" || m.Props["country"][0] != "kp" {
		t.Errorf("merged props %v", m.Props)
	}
	if len(m.Referents) != 2 || len(m.Sources) != 2 {
		t.Errorf("merged referents %v sources %v", m.Referents, m.Sources)
	}
}

package graph

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
)

func TestKeyFor(t *testing.T) {
	a, b := KeyFor("ofac:15603"), KeyFor("ofac:15603")
	if a != b || a == uuid.Nil {
		t.Fatalf("KeyFor not deterministic: %v %v", a, b)
	}
	if KeyFor("ofac:15603") == KeyFor("ofac:15604") {
		t.Fatal("different refs share a key")
	}
	u := uuid.New()
	if got := KeyFor(u.String()); got != u {
		t.Errorf("KeyFor(%q) = %v, want the UUID itself", u, got)
	}
	// Only the canonical form is taken as a UUID: a 32-hex Aleph id is not.
	hex := strings.ReplaceAll(u.String(), "-", "")
	if KeyFor(hex) == u {
		t.Errorf("KeyFor(%q) parsed a non-canonical form as a UUID", hex)
	}
	if KeyFor(strings.ToUpper(u.String())) == u {
		t.Errorf("upper-case UUID taken as canonical")
	}
	// Every stored key depends on it: the same as uuid.NewSHA1 in the
	// namespace, for refs of every length.
	for _, ref := range []string{"", "a", "ofac:15603", "NK-2Tbri3s6GgNtAwsSXh4qpL", hex, strings.Repeat("x", 111), strings.Repeat("y", 112), strings.Repeat("z", 5000), "\xff\x00"} {
		if got, want := KeyFor(ref), uuid.NewSHA1(Namespace, []byte(ref)); got != want {
			t.Errorf("KeyFor(%q) = %v, want %v", ref, got, want)
		}
	}
	if got := KeyFor("ofac:15603"); got.String() != "9e5705e3-f35e-5849-a837-9b2b60da0bf7" {
		t.Errorf("KeyFor(ofac:15603) = %v, want the key stores hold", got)
	}
}

func BenchmarkKeyFor(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		KeyFor("syn-rel-1234567")
	}
}

func TestNameKey(t *testing.T) {
	tests := []struct{ a, b string }{
		{"PUTIN, Vladimir", "Vladimir Putin"},
		{"Dandong Zhongsheng Industry & Trade Co., Ltd.", "DANDONG ZHONGSHENG INDUSTRY AND TRADE CO LTD"},
		{"LLC NCO Russian Financial Society", "Russian Financial Society NCO"},
		{"Limited Liability Company Sputnik", "SPUTNIK, LLC"},
		{"Müller GmbH", "MULLER"},
		{"Российское финансовое общество", "Rossiyskoe finansovoe obshchestvo"},
		{"Foreign Trade Bank of the DPRK", "DPRK Foreign Trade Bank"},
		{"People's Bank", "Peoples Bank"},
	}
	for _, tt := range tests {
		if ka, kb := NameKey(tt.a), NameKey(tt.b); ka != kb {
			t.Errorf("NameKey(%q) = %q, NameKey(%q) = %q; want equal", tt.a, ka, tt.b, kb)
		}
	}
	if k := NameKey("LLC"); k != "llc" {
		t.Errorf("NameKey(LLC) = %q: a name made only of legal forms must keep them", k)
	}
	if NameKey("Bank of Kunlun") == NameKey("Kunlun Trading") {
		t.Error("different names share a key")
	}
}

func TestFold(t *testing.T) {
	tests := map[string]string{
		"  Ḑàñdöng  Zhōngshēng ":  "dandong zhongsheng",
		"AL-QAIDA IN IRAQ":        "al qaida in iraq",
		"Ж. Захарова":             "zh zakharova",
		"Straße":                  "strasse",
		"O'Brien & Sons":          "obrien and sons",
		"tab\tand\x00nul":         "tab and nul",
		"Αθήνα":                   "athina",
		"":                        "",
		"ＦＵＬＬＷＩＤＴＨ":               "fullwidth",
		"شركة":                    "شركة",
		"Joson\u2019s Trade Bank": "josons trade bank",
	}
	for in, want := range tests {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIdentifierKey(t *testing.T) {
	if a, b := IdentifierKey("ftbd-kp py"), IdentifierKey("FTBDKPPY"); a != b || a != "FTBDKPPY" {
		t.Errorf("IdentifierKey = %q, %q", a, b)
	}
	if k := IdentifierKey("---"); k != "" {
		t.Errorf("IdentifierKey(---) = %q, want empty", k)
	}
}

func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"PUTIN, Vladimir", "Дандун", "Co., Ltd.", "\x00\xff", "s a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := NameKey(s)
		if strings.IndexByte(k, 0) >= 0 {
			t.Fatalf("NameKey(%q) = %q contains NUL", s, k)
		}
		if NameKey(k) != k && strings.Contains(Fold(s), " ") == false && k != "" {
			// a single-token key is its own key
			if !IsLegalForm(k, true) && !nameStopwords[k] {
				t.Fatalf("NameKey not idempotent on %q: %q -> %q", s, k, NameKey(k))
			}
		}
		if strings.Contains(Fold(s), "  ") || strings.HasPrefix(Fold(s), " ") || strings.HasSuffix(Fold(s), " ") {
			t.Fatalf("Fold(%q) = %q has stray spaces", s, Fold(s))
		}
		if strings.IndexByte(IdentifierKey(s), 0) >= 0 {
			t.Fatalf("IdentifierKey(%q) contains NUL", s)
		}
	})
}

func TestRelTypeNames(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range RelTypes() {
		if seen[k.String()] {
			t.Errorf("kind name %q used twice", k)
		}
		seen[k.String()] = true
		for _, form := range []string{k.String(), k.EnumName(), strings.ReplaceAll(k.String(), "-", " ")} {
			if got, err := ParseRelType(form); err != nil || got != k {
				t.Errorf("ParseRelType(%q) = %v, %v; want %v", form, got, err, k)
			}
		}
	}
	// Persisted numbers must never change.
	pinned := map[RelType]string{1: "owns", 3: "opened-accounts-for", 4: "designated-by", 11: "linked-to", 17: "programme-of"}
	for n, name := range pinned {
		if n.String() != name {
			t.Errorf("RelType(%d) = %q, want %q: persisted kinds must not be renumbered", n, n, name)
		}
	}
	if _, err := ParseRelType("owns-ish"); err == nil {
		t.Error("ParseRelType accepted an unknown kind")
	}
}

func TestSchemaModel(t *testing.T) {
	co, ok := LookupSchema("Company")
	if !ok || !co.Is("LegalEntity") || !co.Is("Asset") || !co.Is("Thing") || co.Is("Person") {
		t.Fatalf("Company ancestry wrong: %+v", co)
	}
	if co.Props["name"].Type != "name" || co.Props["swiftBic"].Type != "identifier" {
		t.Errorf("Company inherited props: name=%v swiftBic=%v", co.Props["name"], co.Props["swiftBic"])
	}
	own, _ := LookupSchema("Ownership")
	if own.Edge == nil || own.Edge.Source != "owner" || own.Edge.Target != "asset" {
		t.Errorf("Ownership edge = %+v", own.Edge)
	}
	ctl, ok := LookupSchema("Control")
	if !ok || ctl.Edge == nil || ctl.Edge.Source != "controller" {
		t.Errorf("Control (opensanctions extra) = %+v", ctl)
	}
	if PropType("NoSuchSchema", "name") != "name" || PropType("Person", "noSuchProp") != "string" || PropType("Person", "children") != "string" {
		t.Error("PropType fallbacks wrong")
	}
}

// The embedded model subset must match the shared FollowTheMoney model:
// run "go generate ./graph" when it changes.
func TestModelMatchesShared(t *testing.T) {
	path := graphtest.SharedData(t, "ftm-schema/alephdata-defaultModel.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Schemata map[string]struct {
			Extends    []string `json:"extends"`
			Edge       *EdgeDef `json:"edge"`
			Properties map[string]struct {
				Type string `json:"type"`
			} `json:"properties"`
		} `json:"schemata"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Schemata) < 60 {
		t.Fatalf("shared model has %d schemata", len(m.Schemata))
	}
	for name, want := range m.Schemata {
		got, ok := LookupSchema(name)
		if !ok {
			t.Errorf("schema %s missing from the embedded model", name)
			continue
		}
		if !reflect.DeepEqual(got.extends, want.Extends) && !(len(got.extends) == 0 && len(want.Extends) == 0) {
			t.Errorf("%s extends %v, shared model says %v", name, got.extends, want.Extends)
		}
		if (got.Edge == nil) != (want.Edge == nil) || (got.Edge != nil && (got.Edge.Source != want.Edge.Source || got.Edge.Target != want.Edge.Target)) {
			t.Errorf("%s edge %+v, shared model says %+v", name, got.Edge, want.Edge)
		}
		for p, d := range want.Properties {
			if got.Props[p].Type != d.Type {
				t.Errorf("%s.%s type %q, shared model says %q", name, p, got.Props[p].Type, d.Type)
			}
		}
	}
}

func TestEntityAccessors(t *testing.T) {
	e := &Entity{Ref: "x", Schema: "Person", Caption: "Han Jang Su", Props: map[string][]string{
		"name": {"Han Jang Su"}, "alias": {"HAN, Chang-su", "Han Jang Su"}, "nationality": {"KP"}, "country": {"ru", "kp"},
		"passportNumber": {"745420176"}, "birthDate": {"1969-11-08"}, "programId": {"US-X"},
	}}
	e.Held = []*Entity{{Schema: "Passport", Props: map[string][]string{"number": {"PS1"}, "holder": {"x"}}}}
	if got, want := e.Names(), []string{"Han Jang Su", "HAN, Chang-su"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names = %v, want %v", got, want)
	}
	if got, want := e.Countries(), []string{"ru", "kp"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Countries = %v, want %v", got, want)
	}
	want := []Identifier{{"passportNumber", "745420176"}, {"passportNumber", "PS1"}}
	if got := e.Identifiers(); !reflect.DeepEqual(got, want) {
		t.Errorf("Identifiers = %v, want %v (programId is not an identifier of the person)", got, want)
	}
}

func TestPercentage(t *testing.T) {
	for in, want := range map[string]float64{"51": 51, "49.5%": 49.5, " 2,5 ": 2.5} {
		r := Relationship{Props: map[string][]string{"percentage": {in}}}
		if got, ok := r.Percentage(); !ok || got != want {
			t.Errorf("Percentage(%q) = %v, %v; want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "majority", "150", "-1"} {
		r := Relationship{Props: map[string][]string{"percentage": {in}}}
		if got, ok := r.Percentage(); ok {
			t.Errorf("Percentage(%q) = %v, want unknown", in, got)
		}
	}
}

package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
)

// The OFAC advanced XML reader is tested on hand-made fixtures only: no
// published SDN_ADVANCED.XML or cons_advanced.xml could be obtained. The
// fixtures are valid against OFAC's XSD (TestOFACAdvancedFixturesValid).

const (
	advSDNFixture  = "testdata/ofacadv_sdn.xml"
	advConsFixture = "testdata/ofacadv_cons.xml"
)

func parseAdvBytes(data []byte) (*ListParse, error) {
	return parseOFACAdvanced(context.Background(), &listSource{Name: "adv.xml", In: bufio.NewReader(bytes.NewReader(data))})
}

// advEdge returns the edge of r of kind to target.
func advEdge(t *testing.T, r graph.Record, kind graph.RelType, target string) graph.Relationship {
	t.Helper()
	for _, rel := range r.Relationships {
		if rel.Kind == kind && rel.TargetRef == target {
			return rel
		}
	}
	t.Errorf("%s has no %s edge to %s", r.Ref, kind, target)
	return graph.Relationship{Props: map[string][]string{}, Sources: []graph.Source{{}}}
}

func TestOFACAdvancedFixture(t *testing.T) {
	lp := parseListFile(t, advSDNFixture, "ofac-advanced-xml")
	want := ListInfo{Dataset: "us_ofac_sdn", Title: "OFAC Specially Designated Nationals (SDN) list", Prefix: "ofac:", Date: "2024-05-03", Snapshot: true, URL: ofacAdvSDNURL}
	if lp.Info != want {
		t.Errorf("info = %+v, want %+v", lp.Info, want)
	}
	if len(lp.Records) != 5 || len(lp.Rejects) != 0 || len(lp.Unresolved) != 0 || lp.Links != 6 {
		t.Fatalf("%d records, rejects %v, unresolved %v, %d links; want 5, none, none, 6", len(lp.Records), lp.Rejects, lp.Unresolved, lp.Links)
	}
	var refs []string
	for _, r := range lp.Records {
		refs = append(refs, r.Ref)
	}
	if !reflect.DeepEqual(refs, []string{"ofac:15603", "ofac:99101", "ofac:99102", "ofac:99201", "ofac:99301"}) {
		t.Errorf("refs %v", refs)
	}

	// Foreign Trade Bank, field by field.
	r := recordByRef(t, lp, "ofac:15603")
	e := r.Entity
	if e.Schema != "Organization" {
		t.Errorf("schema %s", e.Schema)
	}
	ukWantProps(t, e, "name", "FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA")
	ukWantProps(t, e, "alias", "NORTH KOREA'S FOREIGN TRADE BANK", "조선무역은행")
	ukWantProps(t, e, "weakAlias", "FTB")
	ukWantProps(t, e, "swiftBic", "FTBDKPPY")
	ukWantProps(t, e, "address", "FTB Building, Jungsong-dong, Central District, Pyongyang, Korea, North")
	ukWantProps(t, e, "country", "kp")
	ukWantProps(t, e, "notes", "Secondary sanctions risk: North Korea Sanctions Regulations section 510.210")
	if s := e.Sources[0]; s != (graph.Source{Dataset: "us_ofac_sdn", RecordID: "15603", URL: "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=15603", Date: "2024-05-03"}) {
		t.Errorf("source %+v", s)
	}
	if got := designations(r); !reflect.DeepEqual(got, []string{"programme:us-ofac/npwmd", "programme:us-ofac/dprk3"}) {
		t.Errorf("designations %v", got)
	}
	for _, p := range []string{"NPWMD", "DPRK3"} {
		ukWantRelProps(t, ukDesignation(t, r, "ofac:15603#"+p), map[string][]string{"authority": {"US OFAC"}, "program": {p},
			"listingDate": {"2013-03-11"}, "authorityId": {"15603"}, "provisions": {"Block"},
			"sourceUrl": {"https://sanctionssearch.ofac.treas.gov/Details.aspx?id=15603"}, "description": {"Legal basis: Executive Order 13382 (WMD)"}})
	}
	// "EXAMPLE DANDONG TRADING Owned or Controlled By FTB": FTB controls it.
	c := advEdge(t, r, graph.RelControls, "ofac:99201")
	if c.Sources[0].Quote != "EXAMPLE DANDONG TRADING CO., LTD. Owned or Controlled By FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA" {
		t.Errorf("quote %q", c.Sources[0].Quote)
	}

	// A person linked to it.
	r = recordByRef(t, lp, "ofac:99101")
	e = r.Entity
	if e.Schema != "Person" {
		t.Errorf("schema %s", e.Schema)
	}
	ukWantProps(t, e, "name", "HAN, Example Chol")
	ukWantProps(t, e, "lastName", "HAN")
	ukWantProps(t, e, "firstName", "Example Chol")
	ukWantProps(t, e, "weakAlias", "Chol Example")
	ukWantProps(t, e, "previousName", "HAN, Ekzampl Ch'ol", "한 예철")
	ukWantProps(t, e, "birthDate", "1966", "1967", "1968", "1967-04-15")
	ukWantProps(t, e, "birthPlace", "Pyongyang, Korea, North")
	ukWantProps(t, e, "nationality", "kp")
	ukWantProps(t, e, "gender", "male")
	ukWantProps(t, e, "passportNumber", "836420186")
	ukWantProps(t, e, "position", "Foreign Trade Bank Representative in Dandong")
	ukWantProps(t, e, "notes", "Birthdate: 1966-01-01 to 1968-12-31", "Passport 836420186 (Korea, North)")
	ukWantRelProps(t, ukDesignation(t, r, "ofac:99101#DPRK3"), map[string][]string{"listingDate": {"2017-06-01"}, "modifiedAt": {"2019-02-14"}})
	if rel := advEdge(t, r, graph.RelRepresents, "ofac:15603"); rel.Props["role"][0] != "Acting for or on behalf of" {
		t.Errorf("role %v", rel.Props["role"])
	}
	advEdge(t, r, graph.RelAssociate, "ofac:99102")

	r = recordByRef(t, lp, "ofac:99102")
	ukWantProps(t, r.Entity, "name", "RI, Example Song")
	ukWantProps(t, r.Entity, "middleName", "Song")
	ukWantProps(t, r.Entity, "birthDate", "1970")
	ukWantProps(t, r.Entity, "notes", "Birthdate: circa 1970")
	advEdge(t, r, graph.RelDirectorOf, "ofac:99201")
	if rel := advEdge(t, r, graph.RelLinkedTo, "ofac:15603"); rel.Props["role"][0] != "former Providing support to" {
		t.Errorf("role %v", rel.Props["role"])
	}

	r = recordByRef(t, lp, "ofac:99201")
	ukWantProps(t, r.Entity, "registrationNumber", "912106000000000001")
	ukWantProps(t, r.Entity, "taxNumber", "210600000000001")
	ukWantProps(t, r.Entity, "address", "No. 1 Example Road, Dandong, Liaoning, China")
	ukWantProps(t, r.Entity, "country", "cn")
	// The vessel's owner, stated by name, resolves to this entry.
	advEdge(t, r, graph.RelOwns, "ofac:99301")

	// A vessel.
	e = recordByRef(t, lp, "ofac:99301").Entity
	if e.Schema != "Vessel" {
		t.Errorf("schema %s", e.Schema)
	}
	ukWantProps(t, e, "name", "EXAMPLE SPIRIT")
	ukWantProps(t, e, "flag", "kp")
	ukWantProps(t, e, "imoNumber", "9999993")
	ukWantProps(t, e, "mmsi", "445999000")
	ukWantProps(t, e, "callSign", "HMEX")
	ukWantProps(t, e, "type", "Crude Oil Tanker")
	ukWantProps(t, e, "grossRegisteredTonnage", "2734")
}

// TestOFACAdvancedFixtureMatchesSDN checks the fixture's Foreign Trade
// Bank against the published legacy sdn.csv, read with encoding/csv: the
// refs and names of both readers coincide.
func TestOFACAdvancedFixtureMatchesSDN(t *testing.T) {
	f, err := os.Open(graphtest.SharedData(t, "ofac/sdn.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var row []string
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		if rec[0] == "15603" {
			row = rec
			break
		}
	}
	if row == nil {
		t.Fatal("sdn.csv has no entry 15603")
	}
	lp := parseListFile(t, advSDNFixture, "ofac-advanced-xml")
	e := recordByRef(t, lp, "ofac:"+row[0]).Entity
	if e.First("name") != row[1] {
		t.Errorf("name %q, sdn.csv %q", e.First("name"), row[1])
	}
	var progs []string
	for _, p := range strings.Split(strings.Trim(row[3], "[] "), "] [") {
		progs = append(progs, "programme:us-ofac/"+strings.ToLower(p))
	}
	if got := designations(recordByRef(t, lp, "ofac:15603")); !reflect.DeepEqual(got, progs) {
		t.Errorf("designations %v, sdn.csv %v", got, progs)
	}
	if !strings.Contains(row[11], "SWIFT/BIC FTBDKPPY") {
		t.Errorf("remarks %q", row[11])
	}
}

func TestOFACAdvancedCons(t *testing.T) {
	lp := parseListFile(t, advConsFixture, "ofac-advanced-xml")
	if lp.Info.Dataset != "us_ofac_cons" || lp.Info.Prefix != "ofac-cons:" || lp.Info.URL != ofacAdvConsURL {
		t.Errorf("info %+v", lp.Info)
	}
	r := recordByRef(t, lp, "ofac-cons:99401")
	if got := designations(r); !reflect.DeepEqual(got, []string{"programme:us-ofac/russia-eo14024"}) {
		t.Errorf("designations %v", got)
	}
	ukWantRelProps(t, ukDesignation(t, r, "ofac-cons:99401#RUSSIA-EO14024"), map[string][]string{"listingDate": {"2022-09-15"}, "authorityId": {"99401"}})
}

// TestOFACAdvancedLegalBasisProgramme reads the programme from the legal
// basis of the entry event when no measure is of type "Program".
func TestOFACAdvancedLegalBasisProgramme(t *testing.T) {
	data := bytes.Replace(ukRead(t, advSDNFixture), []byte(`<SanctionsMeasure ID="107" SanctionsTypeID="1">`), []byte(`<SanctionsMeasure ID="107" SanctionsTypeID="2">`), 1)
	lp, err := parseAdvBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	checkListParse(t, lp)
	r := recordByRef(t, lp, "ofac:99301")
	if got := designations(r); !reflect.DeepEqual(got, []string{"programme:us-ofac/npwmd"}) {
		t.Errorf("designations %v", got)
	}
	ukWantRelProps(t, ukDesignation(t, r, "ofac:99301#NPWMD"), map[string][]string{"provisions": {"Block: NPWMD"}})
}

// TestOFACAdvancedFixturesValid validates the fixtures against OFAC's XSD
// with xmllint (package libxml2-utils), which CI installs.
func TestOFACAdvancedFixturesValid(t *testing.T) {
	xsd := graphtest.SharedData(t, "schemas-xsd/ofac_sdn_advanced.xsd")
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint is not installed (apt-get install libxml2-utils)")
		}
		t.Skip("xmllint is not installed")
	}
	for _, f := range []string{advSDNFixture, advConsFixture} {
		out, err := exec.Command(xmllint, "--noout", "--schema", xsd, f).CombinedOutput()
		if err != nil {
			t.Errorf("%s is not valid: %v\n%s", f, err, out)
		}
	}
	// xmllint checks the ID references too: a wrong one fails.
	bad := bytes.Replace(ukRead(t, advSDNFixture), []byte(`AliasTypeID="1401"`), []byte(`AliasTypeID="1499"`), 1)
	path := t.TempDir() + "/bad.xml"
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", "--schema", xsd, path).CombinedOutput(); err == nil {
		t.Errorf("xmllint accepts an unknown AliasTypeID: %s", out)
	}
}

// lineOf returns the line of the first occurrence of s in data.
func lineOf(t *testing.T, data []byte, s string) int {
	t.Helper()
	i := bytes.Index(data, []byte(s))
	if i < 0 {
		t.Fatalf("fixture lacks %q", s)
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

func TestOFACAdvancedMalformed(t *testing.T) {
	fixture := ukRead(t, advSDNFixture)
	repl := func(old, new string) []byte {
		if !bytes.Contains(fixture, []byte(old)) {
			t.Fatalf("fixture lacks %q", old)
		}
		return bytes.Replace(fixture, []byte(old), []byte(new), 1)
	}
	half := fixture[:len(fixture)/2]
	fileErrs := []struct {
		name string
		data []byte
		line int
		msg  string
	}{
		{"not XML", []byte("ent_num,name\n1,X\n"), 0, "not an OFAC advanced XML file"},
		{"empty", nil, 0, "not an OFAC advanced XML file"},
		{"truncated", half, bytes.Count(half, []byte("\n")) + 1, "truncated"},
		{"truncated after a section", fixture[:bytes.Index(fixture, []byte("  <SanctionsEntries>"))], lineOf(t, fixture, "  <SanctionsEntries>"), "truncated"},
		{"wrong root", []byte(`<?xml version="1.0"?>` + "\n<sdnList><publshInformation/></sdnList>"), 2, "root element is <sdnList>"},
		{"not well-formed", repl(`<Alias FixedRef="99102"`, `<Alias <FixedRef="99102"`), lineOf(t, fixture, `<Alias FixedRef="99102"`), "not well-formed"},
		{"no parties", append(append([]byte(nil), fixture[:bytes.Index(fixture, []byte("<DistinctParties>"))]...), "<DistinctParties/></Sanctions>"...), 0, "no entries"},
		{"bad date of issue", repl("<Month>5</Month><Day>3</Day>", "<Month>13</Month><Day>3</Day>"), lineOf(t, fixture, "<DateOfIssue"), "not a date"},
	}
	for _, c := range fileErrs {
		_, err := parseAdvBytes(c.data)
		var fe *FileError
		if !errors.As(err, &fe) || fe.Line != c.line || !strings.Contains(fe.Msg, c.msg) {
			t.Errorf("%s: error %v, want a FileError at line %d saying %q", c.name, err, c.line, c.msg)
		}
	}

	party := func(ref string) int { return lineOf(t, fixture, `<DistinctParty FixedRef="`+ref+`">`) }
	recErrs := []struct {
		name     string
		data     []byte
		line     int
		field    string
		msg      string
		rejected string
	}{
		{"unknown alias type", repl(`AliasTypeID="1401"`, `AliasTypeID="1499"`), party("99101"),
			"DistinctParty[@FixedRef=99101]/Profile/Identity/Alias/@AliasTypeID", `AliasType ID "1499"`, "ofac:99101"},
		{"unknown feature type", repl(`FeatureTypeID="224"`, `FeatureTypeID="999"`), party("99101"),
			"DistinctParty[@FixedRef=99101]/Profile/Feature[@ID=6104]/@FeatureTypeID", `FeatureType ID "999"`, "ofac:99101"},
		{"unknown location", repl(`LocationID="702"`, `LocationID="799"`), party("99201"),
			"DistinctParty[@FixedRef=99201]/Profile/Feature[@ID=6200]/FeatureVersion/VersionLocation/@LocationID", `Location ID "799"`, "ofac:99201"},
		{"unknown name part group", repl(`NamePartGroupID="5301"`, `NamePartGroupID="5399"`), party("99301"),
			"DistinctParty[@FixedRef=99301]/Profile/Identity/Alias/DocumentedName[@ID=9301]/DocumentedNamePart/NamePartValue/@NamePartGroupID", `NamePartGroup ID "5399"`, "ofac:99301"},
		{"unknown party sub-type", repl(`PartySubTypeID="1">`, `PartySubTypeID="9">`), party("99301"),
			"DistinctParty[@FixedRef=99301]/Profile/@PartySubTypeID", `PartySubType ID "9"`, "ofac:99301"},
		{"unknown document type", repl(`IDRegDocTypeID="91264"`, `IDRegDocTypeID="1"`), lineOf(t, fixture, `<IDRegDocument ID="804"`),
			"IDRegDocument[@ID=804]/@IDRegDocTypeID", `IDRegDocType ID "1"`, "ofac:99301"},
		{"unknown list", repl(`ListID="1550">`+"\n      <EntryEvent ID=\"4\"", `ListID="1999">`+"\n      <EntryEvent ID=\"4\""), lineOf(t, fixture, `<SanctionsEntry ID="99102"`),
			"SanctionsEntry[@ID=99102]/@ListID", `List ID "1999"`, "ofac:99102"},
		{"unknown sanctions type", repl(`<SanctionsMeasure ID="106" SanctionsTypeID="1">`, `<SanctionsMeasure ID="106" SanctionsTypeID="7">`), lineOf(t, fixture, `<SanctionsEntry ID="99201"`),
			"SanctionsEntry[@ID=99201]/SanctionsMeasure/@SanctionsTypeID", `SanctionsType ID "7"`, "ofac:99201"},
		{"unknown relation type", repl(`RelationTypeID="91422"`, `RelationTypeID="4"`), lineOf(t, fixture, `<ProfileRelationship ID="7004"`),
			"ProfileRelationship[@ID=7004]/@RelationTypeID", `RelationType ID "4"`, "ofac:99102"},
	}
	for _, c := range recErrs {
		lp, err := parseAdvBytes(c.data)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		checkListParse(t, lp)
		if len(lp.Rejects) != 1 || lp.Rejects[0].Line != c.line || lp.Rejects[0].Field != c.field || !strings.Contains(lp.Rejects[0].Msg, c.msg) {
			t.Errorf("%s: rejects %v, want one at line %d, field %q, saying %q", c.name, lp.Rejects, c.line, c.field, c.msg)
			continue
		}
		if len(lp.Records) != 4 {
			t.Errorf("%s: %d records, want 4", c.name, len(lp.Records))
		}
		for _, r := range lp.Records {
			if r.Ref == c.rejected {
				t.Errorf("%s: %s was not rejected", c.name, r.Ref)
			}
		}
	}

	// References to profiles that are not in the file: the entry or
	// relationship is rejected, the parties stay.
	for _, c := range []struct {
		name, old, new, field string
		line                  int
	}{
		{"entry of an unknown profile", `<SanctionsEntry ID="99301" ProfileID="99301"`, `<SanctionsEntry ID="99301" ProfileID="12345"`,
			"SanctionsEntry[@ID=99301]/@ProfileID", lineOf(t, fixture, `<SanctionsEntry ID="99301"`)},
		{"relation to an unknown profile", `To-ProfileID="99102"`, `To-ProfileID="12345"`, "ProfileRelationship[@ID=7003]/@To-ProfileID",
			lineOf(t, fixture, `<ProfileRelationship ID="7003"`)},
		{"relation from an unknown profile", `<ProfileRelationship ID="7004" From-ProfileID="99102"`, `<ProfileRelationship ID="7004" From-ProfileID="12345"`,
			"ProfileRelationship[@ID=7004]/@From-ProfileID", lineOf(t, fixture, `<ProfileRelationship ID="7004"`)},
	} {
		lp, err := parseAdvBytes(repl(c.old, c.new))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		checkListParse(t, lp)
		if len(lp.Records) != 5 || len(lp.Rejects) != 1 || lp.Rejects[0].Field != c.field || lp.Rejects[0].Line != c.line || !strings.Contains(lp.Rejects[0].Msg, `"12345"`) {
			t.Errorf("%s: %d records, rejects %v", c.name, len(lp.Records), lp.Rejects)
		}
	}
}

func TestSniffOFACAdvanced(t *testing.T) {
	cases := map[string]bool{
		string(ukRead(t, advSDNFixture)):  true,
		string(ukRead(t, advConsFixture)): true,
		"\xef\xbb\xbf<Sanctions xmlns=\"https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML\">\n<DateOfIssue>": true,
		"<sdnList><publshInformation/></sdnList>":                       false,
		"<CONSOLIDATED_LIST dateGenerated=\"2026-02-27\"><INDIVIDUALS>": false,
		"<export generationDate=\"2024\"><sanctionEntity>":              false,
		"<Other><DateOfIssue/></Other>":                                 false,
		string(ukRead(t, "testdata/uk_conlist.csv")):                    false,
	}
	for in, want := range cases {
		if got := sniffOFACAdvanced([]byte(in)); got != want {
			t.Errorf("sniffOFACAdvanced(%.50q) = %v", in, got)
		}
	}
}

func TestAdvPeriodDates(t *testing.T) {
	p := func(y1, m1, d1, y2, m2, d2 int, approx bool) *advDatePeriod {
		pt := func(y, m, d int) *advDatePoint {
			return &advDatePoint{Year: fmt.Sprint(y), Month: fmt.Sprint(m), Day: fmt.Sprint(d)}
		}
		a := fmt.Sprint(approx)
		return &advDatePeriod{Start: &advBoundary{Approximate: a, From: pt(y1, m1, d1), To: pt(y1, m1, d1)},
			End: &advBoundary{Approximate: a, From: pt(y2, m2, d2), To: pt(y2, m2, d2)}}
	}
	cases := []struct {
		in    *advDatePeriod
		dates []string
		note  string
	}{
		{p(1962, 4, 15, 1962, 4, 15, false), []string{"1962-04-15"}, ""},
		{p(1962, 1, 1, 1962, 12, 31, false), []string{"1962"}, ""},
		{p(1962, 2, 1, 1962, 2, 28, false), []string{"1962-02"}, ""},
		{p(1964, 2, 1, 1964, 2, 29, false), []string{"1964-02"}, ""},
		{p(1960, 1, 1, 1962, 12, 31, false), []string{"1960", "1961", "1962"}, "1960-01-01 to 1962-12-31"},
		{p(1962, 1, 1, 1962, 12, 31, true), []string{"1962"}, "circa 1962"},
		{p(1900, 1, 1, 1990, 12, 31, false), nil, "1900-01-01 to 1990-12-31"},
		{p(1962, 13, 1, 1962, 12, 31, false), nil, ""},
		{&advDatePeriod{}, nil, ""},
		{nil, nil, ""},
	}
	for i, c := range cases {
		dates, note := advPeriodDates(c.in)
		if !reflect.DeepEqual(dates, c.dates) || note != c.note {
			t.Errorf("case %d: %q, %q; want %q, %q", i, dates, note, c.dates, c.note)
		}
	}
}

func TestAdvRelationKind(t *testing.T) {
	cases := map[string]struct {
		kind    graph.RelType
		reverse bool
	}{
		"Associate Of": {graph.RelAssociate, false}, "Family member of": {graph.RelFamily, false},
		"Owned or Controlled By": {graph.RelControls, true}, "Acting for or on behalf of": {graph.RelRepresents, false},
		"Leader or official of": {graph.RelDirectorOf, false}, "Principal Executive Officer": {graph.RelDirectorOf, false},
		"Providing support to": {graph.RelLinkedTo, false}, "playing a significant role in": {graph.RelLinkedTo, false},
	}
	for name, want := range cases {
		kind, role, reverse := advRelationKind(name)
		if kind != want.kind || reverse != want.reverse || role == "" {
			t.Errorf("%s: %s, %q, %v", name, kind, role, reverse)
		}
	}
}

// FuzzOFACAdvanced feeds the reader variations of its fixtures: it must
// never panic, fail only with a FileError, and what it reads must be
// well formed.
//
//	go test -run='^$' -fuzz=FuzzOFACAdvanced -fuzztime=60s ./ingest
func FuzzOFACAdvanced(f *testing.F) {
	sdn := ukRead(f, advSDNFixture)
	f.Add(sdn)
	f.Add(ukRead(f, advConsFixture))
	// A small file: the reference values and one party.
	i, j := bytes.Index(sdn, []byte("    <DistinctParty FixedRef=\"99101\">")), bytes.Index(sdn, []byte("  </DistinctParties>"))
	f.Add(append(append([]byte(nil), sdn[:i]...), sdn[j:]...))
	f.Add([]byte(`<Sanctions><DateOfIssue><Year>2024</Year><Month>1</Month><Day>1</Day></DateOfIssue><DistinctParties><DistinctParty FixedRef="1"><Profile ID="1"/></DistinctParty></DistinctParties></Sanctions>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lp, err := parseAdvBytes(data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Msg == "" {
				t.Fatalf("error %v is not a FileError", err)
			}
			return
		}
		checkListParse(t, lp)
		for _, e := range lp.Rejects {
			if e.Msg == "" || e.Field == "" {
				t.Fatalf("reject without field or message %+v", e)
			}
		}
	})
}

// BenchmarkOFACAdvanced parses a file generated from the fixture with
// 18,000 parties, the size of the SDN list (no published file could be
// obtained).
//
//	go test -run='^$' -bench=BenchmarkOFACAdvanced -benchtime=5x ./ingest
func BenchmarkOFACAdvanced(b *testing.B) {
	sdn := ukRead(b, advSDNFixture)
	ps, pe := bytes.Index(sdn, []byte("    <DistinctParty FixedRef=\"99101\">")), bytes.Index(sdn, []byte("    <DistinctParty FixedRef=\"99102\">"))
	es, ee := bytes.Index(sdn, []byte("    <SanctionsEntry ID=\"99101\"")), bytes.Index(sdn, []byte("    <SanctionsEntry ID=\"99102\""))
	party, entry := string(sdn[ps:pe]), string(sdn[es:ee])
	var out bytes.Buffer
	out.Write(sdn[:bytes.Index(sdn, []byte("  </DistinctParties>"))])
	const n = 18000
	for i := 0; i < n; i++ {
		id := fmt.Sprint(200000 + i)
		out.WriteString(strings.NewReplacer(`"99101"`, `"`+id+`"`, `ID="8101"`, `ID="`+id+`"`, `IdentityID="8101"`, `IdentityID="`+id+`"`,
			"Chol<", "Chol "+id+"<", "Ch'ol<", "Ch'ol "+id+"<", "예철<", "예철 "+id+"<").Replace(party))
	}
	rest := sdn[bytes.Index(sdn, []byte("  </DistinctParties>")):]
	k := bytes.Index(rest, []byte("  </SanctionsEntries>"))
	out.Write(rest[:k])
	for i := 0; i < n; i++ {
		id := fmt.Sprint(200000 + i)
		out.WriteString(strings.ReplaceAll(strings.ReplaceAll(entry, `"99101"`, `"`+id+`"`), `ProfileRelationshipReference ProfileRelationshipID="7001"`, `ProfileRelationshipReference ProfileRelationshipID="7002"`))
	}
	out.Write(rest[k:])
	data := out.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lp, err := parseAdvBytes(data)
		if err != nil || len(lp.Rejects) > 0 || len(lp.Records) != n+5 {
			b.Fatal(err, len(lp.Records), lp.Rejects)
		}
	}
}

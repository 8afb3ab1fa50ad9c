package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
)

// parseEUJournalString parses an EU journal CSV given as text.
func parseEUJournalString(name, text string) (*ListParse, error) {
	return parseEUJournal(context.Background(), &listSource{Name: name, In: bufio.NewReader(strings.NewReader(text))})
}

// wantProps fails unless property prop of the entity is exactly want.
func wantProps(t *testing.T, r graph.Record, prop string, want ...string) {
	t.Helper()
	if got := r.Entity.Props[prop]; !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("%s %s = %q, want %q", r.Ref, prop, got, want)
	}
}

// hasProp fails unless property prop of the entity holds v.
func hasProp(t *testing.T, r graph.Record, prop, v string) {
	t.Helper()
	for _, x := range r.Entity.Props[prop] {
		if x == v {
			return
		}
	}
	t.Errorf("%s %s = %q, lacks %q", r.Ref, prop, r.Entity.Props[prop], v)
}

// designation returns the designated-by edge of r to programme ref.
func designation(t *testing.T, r graph.Record, programme string) graph.Relationship {
	t.Helper()
	for _, rel := range r.Relationships {
		if rel.Kind == graph.RelDesignatedBy && rel.TargetRef == programme {
			return rel
		}
	}
	t.Fatalf("%s is not designated under %s (designations: %v)", r.Ref, programme, designations(r))
	return graph.Relationship{}
}

func wantRelProp(t *testing.T, rel graph.Relationship, prop string, want ...string) {
	t.Helper()
	if got := rel.Props[prop]; !reflect.DeepEqual(got, want) {
		t.Errorf("%s %s = %q, want %q", rel.Ref, prop, got, want)
	}
}

const euJournalHeaderLine = "celex,recordId,programKey,annex,measure,startDate,reason,schema,name,alias,weakAlias,previousName,country,nationality,jurisdiction,birthDate,birthPlace,position,passportNumber,gender,appearance,ethnicity,fatherName,motherName,incorporationDate,legalForm,sector,registrationNumber,taxNumber,idNumber,innCode,ogrnCode,kppCode,okpoCode,leiCode,swiftBic,ticker,imoNumber,mmsi,flag,address,phone,email,website,notes"

var euJournalAmendmentHeaderLine = "amendedCelex,amendmentCelex," + euJournalHeaderLine[len("celex,"):]

// euJournalRowLine makes a consolidated row of 45 cells from the leading
// ones.
func euJournalRowLine(cells ...string) string {
	for len(cells) < 45 {
		cells = append(cells, "")
	}
	return strings.Join(cells, ",")
}

func TestEUJournalFixture(t *testing.T) {
	lp := parseListFile(t, "testdata/eu_journal_consolidated.csv", "eu-journal-csv")
	info := lp.Info
	if info.Dataset != "eu_journal_sanctions" || info.Prefix != "eu:32099R0999:" || !info.Snapshot ||
		info.Title != "EU Official Journal sanctions (32099R0999)" || info.URL != "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32099R0999" {
		t.Errorf("info = %+v", info)
	}
	var refs []string
	for _, r := range lp.Records {
		refs = append(refs, r.Ref)
	}
	wantRefs := []string{"eu:32099R0999:XIII.B:47", "eu:32099R0999:XIII.A:25", "eu:32099R0999:XIII.A:25~Vessel",
		"eu:32099R0999:XIV:n-ali-test-himmat", "eu:32099R0999:XIV:n-ali-test-himmat~2", "eu:32099R0999:XV:5(a)", "eu:32099R0999:XIII.B:62"}
	if !reflect.DeepEqual(refs, wantRefs) {
		t.Errorf("refs = %q, want %q", refs, wantRefs)
	}
	// 11 rows: 7 entries, 2 rejected rows, 2 rows that add designations.
	if len(lp.Rejects) != 2 {
		t.Fatalf("rejects = %v", lp.Rejects)
	}
	if e := lp.Rejects[0]; e.Line != 8 || e.Field != "name" || !strings.Contains(e.Msg, "no name") {
		t.Errorf("reject 0 = %v", e)
	}
	if e := lp.Rejects[1]; e.Line != 9 || e.Field != "schema" || !strings.Contains(e.Msg, `"Airplane"`) {
		t.Errorf("reject 1 = %v", e)
	}
	if len(lp.Notes) != 1 || !strings.Contains(lp.Notes[0], "2 rows (lines 4, 11)") {
		t.Errorf("notes = %q", lp.Notes)
	}

	bank := recordByRef(t, lp, "eu:32099R0999:XIII.B:47")
	wantProps(t, bank, "name", "Test Trade Bank (TTB)")
	wantProps(t, bank, "alias", "Test Trade Bank", "Alpha Bank", "Beta; Gamma Bank")
	wantProps(t, bank, "weakAlias", "TTB")
	wantProps(t, bank, "swiftBic", "TESTKPPY") // stated in the reason
	wantProps(t, bank, "address", "Building 1; Central District, Pyongyang, DPRK")
	wantProps(t, bank, "country", "kp")
	if s := bank.Entity.Sources[0]; s.RecordID != "32099R0999 XIII.B 47" || s.URL != "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32099R0999" {
		t.Errorf("source = %+v", s)
	}
	d := designation(t, bank, "programme:eu-council/eu-prk")
	wantRelProp(t, d, "listingDate", "2017-08-04")
	wantRelProp(t, d, "authorityId", "32099R0999 XIII.B 47")
	wantRelProp(t, d, "programId", "EU-PRK")
	wantRelProp(t, d, "provisions", "Asset freeze")
	wantRelProp(t, d, "reason", "SWIFT: TESTKPPY; Test Trade Bank is a state-owned bank.")
	if d.Ref != "eu:32099R0999:XIII.B:47#eu" {
		t.Errorf("designation ref = %q", d.Ref)
	}

	ko := recordByRef(t, lp, "eu:32099R0999:XIII.A:25")
	wantProps(t, ko, "alias", "Kim Test", "Ko Tae-hun") // the second from row 4
	wantProps(t, ko, "nationality", "kp")
	wantProps(t, ko, "birthDate", "1963-04-11", "1960")
	wantProps(t, ko, "notes", "birthDate: (a) 11.4.1963; (b) circa 1960")
	wantProps(t, ko, "gender", "male")
	wantProps(t, ko, "passportNumber", "563120630")
	wantProps(t, ko, "birthPlace", "Pyongyang, DPRK")
	if len(designations(ko)) != 1 {
		t.Errorf("Ko has designations %v, want one with two measures", designations(ko))
	}
	d = designation(t, ko, "programme:eu-council/eu-prk")
	wantRelProp(t, d, "provisions", "Asset freeze", "Travel ban")
	wantRelProp(t, d, "listingDate", "2016-03-02")

	ship := recordByRef(t, lp, "eu:32099R0999:XIII.A:25~Vessel")
	if ship.Entity.Schema != "Vessel" {
		t.Errorf("schema = %s", ship.Entity.Schema)
	}
	wantProps(t, ship, "flag", "cm")
	wantProps(t, ship, "imoNumber", "9030591")
	wantProps(t, ship, "notes", "Owned by Ko Test Hun.")

	ali1 := recordByRef(t, lp, "eu:32099R0999:XIV:n-ali-test-himmat")
	wantProps(t, ali1, "nationality", "it")
	wantProps(t, ali1, "notes", "nationality: Italian since 1990")
	wantProps(t, ali1, "birthDate", "1938-06-16")
	if s := ali1.Entity.Sources[0]; s.RecordID != "32099R0999 XIV Ali Test Himmat" {
		t.Errorf("source = %+v", s)
	}
	ali2 := recordByRef(t, lp, "eu:32099R0999:XIV:n-ali-test-himmat~2")
	wantProps(t, ali2, "nationality", "de", "dz")
	wantProps(t, ali2, "birthDate")
	wantProps(t, ali2, "notes", "birthDate: Between 1959 and 1965")
	if _, ok := designation(t, ali2, "programme:eu-council/eu-prk").Props["listingDate"]; ok {
		t.Errorf("a row without startDate has a listingDate")
	}

	asset := recordByRef(t, lp, "eu:32099R0999:XV:5(a)")
	wantProps(t, asset, "country", "kp") // from the address
	hasProp(t, asset, "notes", "country: Southern Lebanon")
	hasProp(t, asset, "notes", "legalForm: Nuclear site")
	if got := designations(asset); !reflect.DeepEqual(got, []string{"programme:eu-council/eu-prk", "programme:eu-council/eu-xyz"}) {
		t.Errorf("asset designations = %v", got)
	}
	wantRelProp(t, designation(t, asset, "programme:eu-council/eu-prk"), "listingDate", "2011-02-26")
	wantRelProp(t, designation(t, asset, "programme:eu-council/eu-xyz"), "listingDate", "2020-01-01")

	co := recordByRef(t, lp, "eu:32099R0999:XIII.B:62")
	wantProps(t, co, "jurisdiction", "hk")
	wantProps(t, co, "previousName", "Old Test Trading")
	wantProps(t, co, "incorporationDate", "1990-07-02")
	wantProps(t, co, "notes", "incorporationDate: 2.7.1990 (incorporation date 30.7.2002)")
	wantProps(t, co, "innCode", "6732050064")
	wantProps(t, co, "registrationNumber", "1126733000063")
	wantProps(t, co, "email", "a@test.example", "b@test.example")
	wantProps(t, co, "phone", "+7 1; +7 2") // one quoted value
}

func TestEUJournalAmendmentFixture(t *testing.T) {
	lp := parseListFile(t, "testdata/eu_journal_amendment.csv", "eu-journal-csv")
	info := lp.Info
	if info.Prefix != "eu:32099R0999:" || info.Snapshot || info.Title != "EU Official Journal sanctions (32099R1000)" ||
		info.URL != "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32099R1000" {
		t.Errorf("info = %+v", info)
	}
	if len(lp.Records) != 2 || len(lp.Rejects) != 0 {
		t.Fatalf("records %d, rejects %v", len(lp.Records), lp.Rejects)
	}
	// The amendment updates the entry of the consolidated file.
	bank := recordByRef(t, lp, "eu:32099R0999:XIII.B:47")
	if s := bank.Entity.Sources[0]; s.RecordID != "32099R0999 XIII.B 47" || s.URL != "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32099R1000" {
		t.Errorf("source = %+v", s)
	}
	wantProps(t, bank, "alias", "Test Trade Bank", "Delta Bank")
	wantProps(t, bank, "swiftBic", "TESTKPPY")
	d := designation(t, bank, "programme:eu-council/eu-prk")
	wantRelProp(t, d, "listingDate", "2026-07-23")
	wantRelProp(t, d, "authorityId", "32099R0999 XIII.B 47")
	p := recordByRef(t, lp, "eu:32099R0999:XIV:n-novyy-test")
	wantProps(t, p, "nationality", "ru")
}

func TestEUJournalKinds(t *testing.T) {
	row := euJournalRowLine("32099R0999", "1", "EU-PRK", "I", "Asset freeze", "1.1.2020", "", "Person", "A Person")
	amRow := func(amended string) string {
		return strings.Join(append([]string{amended, "32099R1000", "1", "EU-PRK", "I", "Asset freeze", "1.1.2020", "", "Person", "A Person"}, make([]string, 36)...), ",")
	}
	// An amendment of two framework acts is no version of either.
	lp, err := parseEUJournalString("am.csv", euJournalAmendmentHeaderLine+"\n"+amRow("32099R0999")+"\n"+amRow("32099R0888")+"\n")
	if err != nil {
		t.Fatal(err)
	}
	checkListParse(t, lp)
	if lp.Info.Prefix != "eu:" || lp.Info.Snapshot || len(lp.Records) != 2 || len(lp.Notes) != 1 {
		t.Errorf("two frameworks: info %+v, %d records, notes %q", lp.Info, len(lp.Records), lp.Notes)
	}
	// A consolidated file whose rows name two acts is not a snapshot.
	lp, err = parseEUJournalString("c.csv", euJournalHeaderLine+"\n"+row+"\n"+strings.Replace(row, "32099R0999", "32099R0888", 1)+"\n")
	if err != nil {
		t.Fatal(err)
	}
	checkListParse(t, lp)
	if lp.Info.Prefix != "eu:" || lp.Info.Snapshot {
		t.Errorf("mixed consolidated: info %+v", lp.Info)
	}
	// A BOM and CRLF line ends.
	lp, err = parseEUJournalString("bom.csv", "\ufeff"+euJournalHeaderLine+"\r\n"+row+"\r\n")
	if err != nil || len(lp.Records) != 1 || lp.Records[0].Ref != "eu:32099R0999:I:1" {
		t.Errorf("BOM: %v %+v", err, lp)
	}
	// An empty consolidated file is the version of the act its name gives.
	lp, err = parseEUJournalString("consolidated/32004R0314.csv", euJournalHeaderLine+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if lp.Info.Prefix != "eu:32004R0314:" || !lp.Info.Snapshot || len(lp.Records) != 0 {
		t.Errorf("empty consolidated: %+v", lp.Info)
	}
	// A row that repeats an entry under another name adds it as an alias.
	lp, err = parseEUJournalString("c.csv", euJournalHeaderLine+"\n"+row+"\n"+strings.Replace(strings.Replace(row, "A Person", "Another Spelling", 1), "Asset freeze", "Travel ban", 1)+"\n")
	if err != nil || len(lp.Records) != 1 {
		t.Fatalf("%v %+v", err, lp)
	}
	wantProps(t, lp.Records[0], "name", "A Person")
	wantProps(t, lp.Records[0], "alias", "Another Spelling")
	// A bad CELEX rejects the row.
	lp, err = parseEUJournalString("c.csv", euJournalHeaderLine+"\n"+row+"\n"+strings.Replace(row, "32099R0999", "CELEX:32099R0999", 1)+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(lp.Rejects) != 1 || lp.Rejects[0].Field != "celex" || lp.Rejects[0].Line != 3 {
		t.Errorf("bad celex: %v", lp.Rejects)
	}
}

func TestEUJournalMalformed(t *testing.T) {
	row := euJournalRowLine("32099R0999", "1", "EU-PRK", "I", "Asset freeze", "1.1.2020", "", "Person", "A Person")
	cases := []struct {
		name, text string
		line       int
		want       string
	}{
		{"empty", "", 0, "empty"},
		{"unknown column", strings.Replace(euJournalHeaderLine, "ticker", "tickerSymbol", 1) + "\n" + row + "\n", 1, `"tickerSymbol"`},
		{"missing column", strings.Replace(euJournalHeaderLine, ",schema", "", 1) + "\n", 1, `"schema"`},
		{"duplicate column", strings.Replace(euJournalHeaderLine, ",ticker", ",alias", 1) + "\n", 1, `"alias" appears twice`},
		{"mixed kinds", "amendedCelex," + euJournalHeaderLine + "\n", 1, `unknown column "celex"`},
		{"short row", euJournalHeaderLine + "\n" + row + "\n" + row[:len(row)-3] + "\n", 3, "42 cells, the header has 45"},
		{"long row", euJournalHeaderLine + "\n" + row + ",x\n", 2, "46 cells"},
		{"unterminated quote", euJournalHeaderLine + "\n" + row + "\n" + strings.Replace(row, "A Person", `"A Person`, 1) + "\n", 3, "malformed CSV"},
		{"bare quote", euJournalHeaderLine + "\n" + strings.Replace(row, "A Person", `A "Person"`, 1) + "\n", 2, "malformed CSV"},
		{"header only, no CELEX in the name", euJournalHeaderLine + "\n", 1, "no rows"},
		{"amendment without rows", euJournalAmendmentHeaderLine + "\n", 1, "no rows"},
	}
	for _, c := range cases {
		lp, err := parseEUJournalString("bad.csv", c.text)
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("%s: got %+v, %v; want a FileError", c.name, lp, err)
			continue
		}
		if fe.File != "bad.csv" || fe.Line != c.line || !strings.Contains(fe.Error(), c.want) {
			t.Errorf("%s: %v (line %d); want line %d and %q", c.name, fe, fe.Line, c.line, c.want)
		}
	}
}

func TestEUJournalSniff(t *testing.T) {
	yes := []string{euJournalHeaderLine + "\n", euJournalAmendmentHeaderLine + "\r\n1,2", `"celex","recordId","programKey"`}
	no := []string{
		`{"id":"x","schema":"Person","properties":{}}`,
		"record,id,schema,name\n",
		`36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0-`,
		"Last Updated,14/01/2026\nName 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,Name Non-Latin Script,Group ID\n",
		`<?xml version="1.0"?><export xmlns="http://eu.europa.ec/fpi/fsd/export">`,
		"celex\n",
	}
	for _, s := range yes {
		if !sniffEUJournal([]byte(s)) {
			t.Errorf("sniff(%.40q) = false", s)
		}
	}
	for _, s := range no {
		if sniffEUJournal([]byte(s)) {
			t.Errorf("sniff(%.40q) = true", s)
		}
	}
}

func TestEUDates(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		lost bool
	}{
		{"25.5.1972", []string{"1972-05-25"}, false},
		{"4 Apr. 1944", []string{"1944-04-04"}, false},
		{"10.8. 1960", []string{"1960-08-10"}, false},
		{"8 Oct.1967", []string{"1967-10-08"}, false},
		{"(a) 11.4.1963; (b) 11.4.1960", []string{"1963-04-11", "1960-04-11"}, false},
		{"(a) 3.3.1965, (b) 1.1.1965, (c) 11.1.1965", []string{"1965-03-03", "1965-01-01", "1965-01-11"}, false},
		{"a) 1 Jun. 1976; b) 1976", []string{"1976-06-01", "1976"}, false},
		{"circa 1957", []string{"1957"}, true},
		{"Approximately 1973", []string{"1973"}, true},
		{"Circa 1957 or 14 March 1942", []string{"1957", "1942-03-14"}, true},
		{"Between 1959 and 1965", nil, true},
		{"before 1964", nil, true},
		{"(a) 19.4.1982, (b) 24.6.1402 (Hijri Calendar)", nil, true},
		{"Qom, Iran", nil, true},
		{"N/D", nil, true},
		{"2.7.1990 (incorporation date 30.7.2002)", []string{"1990-07-02"}, true},
	}
	for _, c := range cases {
		got, lost := euDates(c.in)
		if !reflect.DeepEqual(got, c.want) || lost != c.lost {
			t.Errorf("euDates(%q) = %q, %v; want %q, %v", c.in, got, lost, c.want, c.lost)
		}
	}
}

func TestEUCountryCodes(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		lost bool
	}{
		{"DPRK", []string{"kp"}, false},
		{"Democratic People’s Republic of Korea (DPRK)", []string{"kp"}, false},
		{"Russian Federation", []string{"ru"}, false},
		{"Ukrainian, Russian", []string{"ua", "ru"}, false},
		{"(a) German; (b) Algerian", []string{"de", "dz"}, false},
		{"(a) Trinidad and Tobago; (b) United States of America", []string{"tt", "us"}, false},
		{"Iranian and US", []string{"ir", "us"}, false},
		{"Syrian/Lebanese", []string{"sy", "lb"}, false},
		{"Finnish", []string{"fi"}, false},
		{"allegedly Russian", []string{"ru"}, true},
		{"Sudanese by birth", []string{"sd"}, true},
		{"Gaza Strip, West Bank", []string{"ps"}, false},
		{"Southern Lebanon", nil, true},
		{"Russian, USSR (until 1991)", []string{"ru", "suhh"}, true},
	}
	for _, c := range cases {
		got, lost := euCountryCodes(c.in)
		if !reflect.DeepEqual(got, c.want) || lost != c.lost {
			t.Errorf("euCountryCodes(%q) = %q, %v; want %q, %v", c.in, got, lost, c.want, c.lost)
		}
	}
	for w, code := range euDemonyms {
		if graph.CountryName(code) == "" {
			t.Errorf("euDemonyms[%q] = %q, not an FtM country code", w, code)
		}
	}
}

func TestEUSplitCell(t *testing.T) {
	cases := map[string][]string{
		"Foo; Bar":                   {"Foo", "Bar"},
		`"Foo; Bar"; Baz`:            {"Foo; Bar", "Baz"},
		`"Say ""hi"""; x;; `:         {`Say "hi"`, "x"},
		`"Room 1, 2; 4a St"; Russia`: {"Room 1, 2; 4a St", "Russia"},
		`"unterminated; x`:           {"unterminated; x"},
		"single":                     {"single"},
	}
	for in, want := range cases {
		if got := euSplitCell(in); !reflect.DeepEqual(got, want) {
			t.Errorf("euSplitCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// euJournalFiles lists the shared journal CSV files.
func euJournalFiles(t testing.TB) []string {
	dir := graphtest.SharedData(t, "eu/opensanctions-eu-journal")
	files, _ := filepath.Glob(filepath.Join(dir, "consolidated", "*.csv"))
	am, _ := filepath.Glob(filepath.Join(dir, "amendments", "*.csv"))
	if len(files) < 40 || len(am) < 10 {
		t.Fatalf("found %d consolidated and %d amendment files under %s", len(files), len(am), dir)
	}
	return append(files, am...)
}

// euJournalCount counts a file's rows with plain encoding/csv, and the rows
// that repeat an earlier row's entry (framework act, annex, recordId,
// schema), which the parser adds to that entry.
func euJournalCount(t *testing.T, path string) (rows, repeats int) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for i, h := range all[0] {
		idx[h] = i
	}
	act := idx["celex"]
	if i, ok := idx["amendedCelex"]; ok {
		act = i
	}
	seen := map[[4]string]bool{}
	for _, r := range all[1:] {
		rows++
		k := [4]string{r[act], r[idx["annex"]], r[idx["recordId"]], r[idx["schema"]]}
		if k[2] != "" && seen[k] {
			repeats++
		}
		seen[k] = true
	}
	return rows, repeats
}

func TestEUJournalSharedFiles(t *testing.T) {
	total, records := 0, 0
	for _, path := range euJournalFiles(t) {
		lp := parseListFile(t, path, "eu-journal-csv")
		rows, repeats := euJournalCount(t, path)
		total += rows
		records += len(lp.Records)
		if got := len(lp.Records) + len(lp.Rejects); got != rows-repeats {
			t.Errorf("%s: %d records + %d rejects, want %d rows - %d rows that repeat an entry", path, len(lp.Records), len(lp.Rejects), rows, repeats)
		}
		for _, e := range lp.Rejects {
			t.Errorf("reject: %v", e)
		}
		stem := strings.TrimSuffix(filepath.Base(path), ".csv")
		amendment := filepath.Base(filepath.Dir(path)) == "amendments"
		if amendment == lp.Info.Snapshot || lp.Info.Title != "EU Official Journal sanctions ("+stem+")" || !strings.HasPrefix(lp.Info.Prefix, "eu:3") {
			t.Errorf("%s: info %+v", path, lp.Info)
		}
		if !amendment && lp.Info.Prefix != "eu:"+stem+":" {
			t.Errorf("%s: prefix %q", path, lp.Info.Prefix)
		}
	}
	t.Logf("%d rows, %d records", total, records)
}

func TestEUJournalDPRK(t *testing.T) {
	lp := parseListFile(t, graphtest.SharedData(t, "eu/opensanctions-eu-journal/consolidated/32017R1509.csv"), "eu-journal-csv")
	ftb := recordByRef(t, lp, "eu:32017R1509:XIII.B:47")
	if ftb.Entity.Schema != "LegalEntity" {
		t.Errorf("FTB schema %s", ftb.Entity.Schema)
	}
	wantProps(t, ftb, "name", "Foreign Trade Bank")
	wantProps(t, ftb, "alias", "Mooyokbank", "Korea Trading Bank")
	wantProps(t, ftb, "swiftBic", "FTBDKPPY")
	wantProps(t, ftb, "country", "kp")
	wantProps(t, ftb, "address", "FTB Building, Jungsong-dong, Central District, Pyongyang, DPRK")
	if s := ftb.Entity.Sources[0]; s.Dataset != "eu_journal_sanctions" || s.RecordID != "32017R1509 XIII.B 47" ||
		s.URL != "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32017R1509" {
		t.Errorf("FTB source %+v", s)
	}
	if got := designations(ftb); !reflect.DeepEqual(got, []string{"programme:eu-council/eu-prk"}) {
		t.Errorf("FTB designations %v", got)
	}
	d := designation(t, ftb, "programme:eu-council/eu-prk")
	wantRelProp(t, d, "listingDate", "2017-08-04")
	wantRelProp(t, d, "authorityId", "32017R1509 XIII.B 47")
	wantRelProp(t, d, "programId", "EU-PRK")
	wantRelProp(t, d, "provisions", "Asset freeze")
	if !strings.Contains(strings.Join(d.Props["reason"], ""), "Korea Kwangson Banking Corporation") {
		t.Errorf("FTB reason %q", d.Props["reason"])
	}

	kkbc := recordByRef(t, lp, "eu:32017R1509:XIII.B:25")
	wantProps(t, kkbc, "name", "Korea Kwangson Banking Corporation (KKBC)")
	hasProp(t, kkbc, "alias", "Korea Kwangson Banking Corporation")
	hasProp(t, kkbc, "alias", "KKBC")
	wantProps(t, kkbc, "weakAlias", "KKBC")
	wantProps(t, kkbc, "country", "kp")
	wantProps(t, kkbc, "address", "Jungson-dong, Sungri Street, Central District, Pyongyang, DPRK")
	d = designation(t, kkbc, "programme:eu-council/eu-prk")
	wantRelProp(t, d, "listingDate", "2016-03-02")
	wantRelProp(t, d, "authorityId", "32017R1509 XIII.B 25")

	ko := recordByRef(t, lp, "eu:32017R1509:XIII.A:25")
	if ko.Entity.Schema != "Person" {
		t.Errorf("Ko schema %s", ko.Entity.Schema)
	}
	wantProps(t, ko, "name", "Ko Tae Hun")
	wantProps(t, ko, "alias", "Kim Myong Gi")
	wantProps(t, ko, "birthDate", "1972-05-25")
	wantProps(t, ko, "nationality", "kp")
	wantProps(t, ko, "passportNumber", "563120630")
	wantProps(t, ko, "notes")
	d = designation(t, ko, "programme:eu-council/eu-prk")
	wantRelProp(t, d, "listingDate", "2016-03-02")
	wantRelProp(t, d, "authorityId", "32017R1509 XIII.A 25")
	wantRelProp(t, d, "reason", "Tanchon Commercial Bank official.")

	// Ilsim International Bank states its SWIFT code in the reason.
	ilsim := recordByRef(t, lp, "eu:32017R1509:XIII.B:34")
	wantProps(t, ilsim, "swiftBic", "ILSIKPPY")
	// 22 rows print no number: their refs come from their names.
	named := 0
	for _, r := range lp.Records {
		if strings.Contains(r.Ref, ":n-") {
			named++
		}
	}
	if named != 22 {
		t.Errorf("%d entries without recordId, want 22", named)
	}
}

func FuzzEUJournal(f *testing.F) {
	for _, p := range []string{"testdata/eu_journal_consolidated.csv", "testdata/eu_journal_amendment.csv"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	dir := filepath.Join(graphtest.SharedDir(), "eu", "opensanctions-eu-journal")
	for _, p := range []string{"consolidated/32017R1509.csv", "amendments/32026R1817.csv", "consolidated/32002R0881.csv"} {
		if b, err := os.ReadFile(filepath.Join(dir, p)); err == nil {
			lines := bytes.SplitAfter(b, []byte("\n"))
			f.Add(bytes.Join(lines[:min(len(lines), 12)], nil))
		}
	}
	f.Add([]byte(euJournalHeaderLine + "\n" + euJournalRowLine("32099R0999", "", "", "", "", "", "", "Person", "\x00\xff") + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lp, err := parseEUJournal(context.Background(), &listSource{Name: "fuzz.csv", In: bufio.NewReader(bytes.NewReader(data))})
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "fuzz.csv" || fe.Msg == "" {
				t.Fatalf("error %v is not a located FileError", err)
			}
			return
		}
		checkListParse(t, lp)
		for _, e := range lp.Rejects {
			if e.Line < 2 || e.Field == "" || e.Msg == "" {
				t.Fatalf("badly located reject %+v", e)
			}
		}
	})
}

func BenchmarkEUJournal(b *testing.B) {
	path := graphtest.SharedData(b, "eu/opensanctions-eu-journal/consolidated/32014R0269.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		lp, err := parseEUJournal(context.Background(), &listSource{Name: path, In: bufio.NewReader(bytes.NewReader(data))})
		if err != nil || len(lp.Records) < 2000 {
			b.Fatalf("%v", err)
		}
	}
}

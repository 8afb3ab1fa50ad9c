package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
)

const unFile = "un/UN_consolidated_2026-02-27.xml"

// parseUNBytes parses b as a UN list file named name.
func parseUNBytes(b []byte, name string) (*ListParse, error) {
	return parseUNXML(context.Background(), &listSource{Name: name, In: bufio.NewReader(bytes.NewReader(b))})
}

// countUNEntries counts INDIVIDUAL and ENTITY elements with a plain token
// walk, independently of the parser.
func countUNEntries(tb testing.TB, path string) (individuals, entities int) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	dec := xml.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			tb.Fatal(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch se.Name.Local {
			case "INDIVIDUAL":
				individuals++
			case "ENTITY":
				entities++
			}
		}
	}
}

func wantProp(t *testing.T, e *graph.Entity, prop string, want ...string) {
	t.Helper()
	got := e.Props[prop]
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s %s = %q, want it to hold %q", e.Ref, prop, got, w)
		}
	}
}

func wantExactly(t *testing.T, e *graph.Entity, prop string, want ...string) {
	t.Helper()
	got := e.Props[prop]
	if len(want) == 0 {
		want = nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s %s = %q, want %q", e.Ref, prop, got, want)
	}
}

func wantNote(t *testing.T, e *graph.Entity, sub string) {
	t.Helper()
	for _, n := range e.Props["notes"] {
		if strings.Contains(n, sub) {
			return
		}
	}
	t.Errorf("%s: no note contains %q; notes: %q", e.Ref, sub, e.Props["notes"])
}

// unDesignation returns the one designated-by edge of a record.
func unDesignation(t *testing.T, r graph.Record) graph.Relationship {
	t.Helper()
	var out []graph.Relationship
	for _, rel := range r.Relationships {
		if rel.Kind == graph.RelDesignatedBy {
			out = append(out, rel)
		}
	}
	if len(out) != 1 {
		t.Fatalf("%s has %d designations, want 1: %+v", r.Ref, len(out), r.Relationships)
	}
	return out[0]
}

func checkUNDesignation(t *testing.T, r graph.Record, programme, unscID, listed string) {
	t.Helper()
	d := unDesignation(t, r)
	if d.TargetRef != programme {
		t.Errorf("%s designated under %q, want %q", r.Ref, d.TargetRef, programme)
	}
	if got := d.Props["unscId"]; !reflect.DeepEqual(got, []string{unscID}) {
		t.Errorf("%s unscId = %q, want %q", r.Ref, got, unscID)
	}
	if got := d.Props["listingDate"]; !reflect.DeepEqual(got, []string{listed}) {
		t.Errorf("%s listingDate = %q, want %q", r.Ref, got, listed)
	}
	if got := d.Props["authority"]; !reflect.DeepEqual(got, []string{"UN Security Council"}) {
		t.Errorf("%s authority = %q", r.Ref, got)
	}
}

func checkUNSource(t *testing.T, e *graph.Entity, refNo string) {
	t.Helper()
	// Every entry checked is on the DPRK committee's list, the part.
	want := graph.Source{Dataset: "un_sc_sanctions", RecordID: refNo, URL: unListURL, Date: "2026-02-27", Part: "DPRK"}
	if len(e.Sources) != 1 || e.Sources[0] != want {
		t.Errorf("%s sources = %+v, want %+v", e.Ref, e.Sources, want)
	}
	if want := []string{"un:" + refNo, refNo}; !reflect.DeepEqual(e.Referents, want) {
		t.Errorf("%s referents = %q, want %q", e.Ref, e.Referents, want)
	}
}

func TestUNInfo(t *testing.T) {
	lp := parseListFile(t, filepath.Join("testdata", "un_small.xml"), "un-xml")
	want := ListInfo{Dataset: "un_sc_sanctions", Title: "UN Security Council consolidated list", Prefix: "un:",
		Date: "2026-02-27", Snapshot: true, URL: "https://scsanctions.un.org/resources/xml/en/consolidated.xml"}
	if lp.Info != want {
		t.Errorf("info = %+v, want %+v", lp.Info, want)
	}
	if len(lp.Records) != 5 || len(lp.Rejects) != 0 {
		t.Fatalf("%d records, %d rejects; want 5, 0: %v", len(lp.Records), len(lp.Rejects), lp.Rejects)
	}
	// An unknown list type and an unknown element are reported.
	var sawType, sawElem bool
	for _, n := range lp.Notes {
		sawType = sawType || strings.Contains(n, `"Atlantis"`)
		sawElem = sawElem || strings.Contains(n, "FAVOURITE_COLOUR")
	}
	if !sawType || !sawElem {
		t.Errorf("notes = %q, want the unknown list type and element", lp.Notes)
	}
}

func TestUNSmallEntity(t *testing.T) {
	lp := parseListFile(t, filepath.Join("testdata", "un_small.xml"), "un-xml")
	ftb := recordByRef(t, lp, "un:6908622")
	e := ftb.Entity
	if e.Schema != "Organization" {
		t.Errorf("FTB schema = %s", e.Schema)
	}
	wantExactly(t, e, "name", "FOREIGN TRADE BANK (FTB)")
	wantExactly(t, e, "alias", "FOREIGN TRADE BANK", "Mooyokbank", "Korea Trading Bank")
	wantExactly(t, e, "weakAlias", "FTB")
	wantExactly(t, e, "previousName", "Old Trade Bank")
	wantExactly(t, e, "swiftBic", "FTBDKPPY")
	wantExactly(t, e, "country", "kp")
	wantExactly(t, e, "address", "FTB Building, Jungsong-dong, Central District, Pyongyang, Democratic People's Republic of Korea")
	wantNote(t, e, "primary foreign exchange bank")
	checkUNSource(t, e, "KPe.047")
	checkUNDesignation(t, ftb, "programme:un-security-council/1718-committee", "KPe.047", "2017-08-05")
	d := unDesignation(t, ftb)
	if got := d.Props["modifiedAt"]; !reflect.DeepEqual(got, []string{"2022-07-26"}) {
		t.Errorf("FTB modifiedAt = %q", got)
	}
	// COMMENTS1 is prose: it names KKBC, but no link is made.
	if len(ftb.Relationships) != 1 {
		t.Errorf("FTB has %d relationships, want only its designation", len(ftb.Relationships))
	}

	ship := recordByRef(t, lp, "un:6908516").Entity
	wantExactly(t, ship, "name", "CHONGCHONGANG SHIPPING COMPANY")
	wantExactly(t, ship, "imoNumber", "5342883") // a company number: no ship check digit
	wantExactly(t, ship, "country", "hk")
	wantExactly(t, ship, "address", "Hong Kong, China, Hong Kong Special Administrative Region")
	checkUNDesignation(t, recordByRef(t, lp, "un:6908516"), "programme:un-security-council/atlantis", "KPe.022", "2014-07-28")

	aeoi := recordByRef(t, lp, "un:110398")
	checkUNDesignation(t, aeoi, "programme:un-security-council/1737-committee", "IRe.008", "2006-12-23")
	wantExactly(t, aeoi.Entity, "alias", "ATOMIC ENERGY ORGANISATION OF IRAN")
	wantExactly(t, aeoi.Entity, "notes")
}

func TestUNSmallIndividuals(t *testing.T) {
	lp := parseListFile(t, filepath.Join("testdata", "un_small.xml"), "un-xml")
	han := recordByRef(t, lp, "un:6908614")
	e := han.Entity
	if e.Schema != "Person" {
		t.Errorf("schema = %s", e.Schema)
	}
	wantExactly(t, e, "name", "HAN JANG SU")
	wantExactly(t, e, "firstName", "HAN")
	wantExactly(t, e, "secondName", "JANG SU")
	wantExactly(t, e, "alias", "Chang-Su Han")
	wantExactly(t, e, "birthDate", "1969-11-07")
	wantExactly(t, e, "birthPlace", "Pyongyang, Democratic People's Republic of Korea")
	wantExactly(t, e, "birthCountry", "kp")
	wantExactly(t, e, "nationality", "kp")
	wantExactly(t, e, "passportNumber", "745420176")
	wantExactly(t, e, "position", "Former Representative of the Foreign Trade Bank")
	wantExactly(t, e, "gender", "male")
	wantExactly(t, e, "address")
	wantExactly(t, e, "country")
	wantNote(t, e, "Passport 745420176: expires on October 19, 2020")
	checkUNSource(t, e, "KPi.055")
	checkUNDesignation(t, han, "programme:un-security-council/1718-committee", "KPi.055", "2017-08-05")

	r := recordByRef(t, lp, "un:100001")
	e = r.Entity
	wantExactly(t, e, "name", "ABDUL RAHMAN MUHAMMAD ALI") // "na" is the schema's empty value
	wantExactly(t, e, "firstName", "ABDUL")
	wantExactly(t, e, "secondName", "RAHMAN")
	wantExactly(t, e, "middleName", "MUHAMMAD ALI")
	wantExactly(t, e, "lastName")
	wantExactly(t, e, "gender", "male")
	wantExactly(t, e, "title", "Maulavi")
	wantExactly(t, e, "nationality", "af")
	wantNote(t, e, "Nationality: former Soviet Union")
	wantExactly(t, e, "alias", "عبد الرحمن محمد علي", "Abdul Rehman", "Abd Ur-Rehman")
	wantExactly(t, e, "weakAlias", "Abu Example", "Amir Khazmat", "Амир Хазмат")
	wantNote(t, e, "Alias Abdul Rehman; Abd Ur-Rehman: previously listed as")
	wantNote(t, e, "date of birth 1979-12-31; place of birth Mascara, Algeria")
	// Dates of birth: approximate year, a short range (every year), a long
	// range (its bounds), a month in the note; a Hijri date is kept in words.
	wantExactly(t, e, "birthDate", "1979-12-31", "1966", "1970", "1971", "1972", "1940", "1950", "1973-11")
	wantNote(t, e, "Date of birth: approximately 1966")
	wantNote(t, e, "Date of birth: approximately between 1970 and 1972")
	wantNote(t, e, "Date of birth: between 1940 and 1950")
	wantNote(t, e, "Date of birth: 24/06/1402 (Hijri Calendar)")
	wantExactly(t, e, "birthPlace", "Mascara, Algeria", "Noori village, Kandahar, Afghanistan")
	wantNote(t, e, "Place of birth Noori village, Kandahar, Afghanistan: possibly")
	wantExactly(t, e, "address", "Kachray Road, Pashtunabad, Quetta, Baluchistan Province, Pakistan")
	wantExactly(t, e, "country", "pk", "af")
	wantNote(t, e, "Address Kachray Road, Pashtunabad, Quetta, Baluchistan Province, Pakistan: as of 2019")
	wantExactly(t, e, "passportNumber", "SE 012820", "L 191609")
	wantExactly(t, e, "idNumber", "44103-5251752-5", "D1234567")
	wantNote(t, e, "Passport Afghan passport number SE 012820: issued by Afghanistan; issued on 2000-11-04")
	wantNote(t, e, "Driver's Permit D1234567")
	wantNote(t, e, "INTERPOL-UN Security Council")
	// The comment names another entry; no link is made from prose.
	d := unDesignation(t, r)
	if len(r.Relationships) != 1 {
		t.Errorf("%s has %d relationships, want only its designation", r.Ref, len(r.Relationships))
	}
	checkUNDesignation(t, r, "programme:un-security-council/1267-1989-2253-isil-daesh-and-al-qaida-sanctions-committee", "QDi.901", "2015-07-01")
	if got := d.Props["endDate"]; !reflect.DeepEqual(got, []string{"2025-01-15"}) {
		t.Errorf("endDate from DELISTED_ON = %q", got)
	}
	if got := d.Props["modifiedAt"]; !reflect.DeepEqual(got, []string{"2019-03-01"}) {
		t.Errorf("modifiedAt = %q, want the last LAST_DAY_UPDATED", got)
	}
}

func TestUNRejects(t *testing.T) {
	path := filepath.Join("testdata", "un_rejects.xml")
	lp := parseListFile(t, path, "un-xml")
	if len(lp.Records) != 2 {
		t.Errorf("%d records, want 2", len(lp.Records))
	}
	want := []struct {
		line         int
		field, inMsg string
	}{
		{13, "INDIVIDUAL/DATAID", "no DATAID"},
		{20, "INDIVIDUAL/FIRST_NAME", "no name"},
		{28, "INDIVIDUAL/DATAID", "appears twice (first at line 5)"},
		{35, "INDIVIDUAL/DATAID", "not a number"},
	}
	if len(lp.Rejects) != len(want) {
		t.Fatalf("rejects = %v, want %d", lp.Rejects, len(want))
	}
	for i, w := range want {
		e := lp.Rejects[i]
		if e.File != path || e.Line != w.line || e.Field != w.field || !strings.Contains(e.Msg, w.inMsg) {
			t.Errorf("reject %d = %+v, want line %d, field %s, %q", i, e, w.line, w.field, w.inMsg)
		}
	}
	// No reference number: the DATAID is the record id; no list type: the
	// authority itself designates.
	r := recordByRef(t, lp, "un:6")
	if r.Entity.Sources[0].RecordID != "6" || len(r.Entity.Referents) != 0 {
		t.Errorf("un:6 source %+v referents %q", r.Entity.Sources, r.Entity.Referents)
	}
	if d := unDesignation(t, r); d.TargetRef != "authority:un-security-council" {
		t.Errorf("un:6 designated by %q", d.TargetRef)
	}
}

func TestUNMalformed(t *testing.T) {
	small, err := os.ReadFile(filepath.Join("testdata", "un_small.xml"))
	if err != nil {
		t.Fatal(err)
	}
	cut := bytes.Index(small, []byte("<DATAID>6908622"))
	cases := []struct {
		name, data string
		line       int
		inMsg      string
	}{
		{"truncated", string(small[:cut+20]), 159, "truncated"},
		{"truncated-after-entry", string(small[:bytes.Index(small, []byte("</INDIVIDUALS>"))]), 156, "<INDIVIDUALS> opened at line 5 is not closed"},
		{"wrong-root", "<?xml version=\"1.0\"?>\n<sdnList>\n<sdnEntry/>\n</sdnList>\n", 2, "root element is <sdnList>"},
		{"not-xml", "DATAID,NAME\n1,X\n", 1, "not XML"},
		{"empty", "", 1, "empty"},
		{"no-entries", "<CONSOLIDATED_LIST dateGenerated=\"2026-02-27\">\n<INDIVIDUALS/>\n<ENTITIES/>\n</CONSOLIDATED_LIST>\n", 0, "no INDIVIDUAL or ENTITY"},
		{"mismatched", "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<INDIVIDUAL><DATAID>1</DATAID>\n</ENTITY>\n</INDIVIDUALS></CONSOLIDATED_LIST>", 4, "not well-formed"},
		{"two-roots", "<CONSOLIDATED_LIST><ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>X</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>\n<CONSOLIDATED_LIST/>", 2, "more than one XML document"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lp, err := parseUNBytes([]byte(c.data), "bad.xml")
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v (%+v), want a FileError", err, lp)
			}
			if fe.File != "bad.xml" || fe.Line != c.line || !strings.Contains(fe.Msg, c.inMsg) {
				t.Errorf("err = %+v, want line %d and %q", fe, c.line, c.inMsg)
			}
		})
	}
}

func TestSniffUN(t *testing.T) {
	yes := [][]byte{
		[]byte("<CONSOLIDATED_LIST dateGenerated=\"x\">"),
		[]byte("<?xml version=\"1.0\"?>\n<!-- c -->\n<CONSOLIDATED_LIST>"),
	}
	for _, name := range []string{"un_small.xml", "un_rejects.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		yes = append(yes, b)
	}
	for _, b := range yes {
		if !sniffUNXML(b) {
			t.Errorf("sniffUNXML(%.60q) = false", b)
		}
	}
	no := [][]byte{
		[]byte(`{"id":"x","schema":"Person","properties":{}}`),
		[]byte("record,id\n"),
		[]byte("<?xml version=\"1.0\"?>\n<sdnList xmlns=\"http://tempuri.org/sdnList.xsd\">"),
		[]byte("<export generationDate=\"2026\"><sanctionEntity>"),
		[]byte("<CONSOLIDATED_LISTS>"),
		[]byte("text <CONSOLIDATED_LIST>"),
		[]byte("<!-- <CONSOLIDATED_LIST> -->\n<other/>"),
	}
	for _, b := range no {
		if sniffUNXML(b) {
			t.Errorf("sniffUNXML(%q) = true", b)
		}
	}
}

// The deriv-com sample: 7 individuals of the 2024-10-17 list, no ENTITIES
// element.
func TestUNSample(t *testing.T) {
	path := graphtest.SharedData(t, "format-samples/deriv-perl-Data-Validate-Sanctions/sample_unsc.xml")
	lp := parseListFile(t, path, "un-xml")
	ind, ent := countUNEntries(t, path)
	if ind+ent != len(lp.Records)+len(lp.Rejects) || len(lp.Rejects) != 0 || ind != 7 {
		t.Errorf("%d records, %d rejects; the file has %d individuals, %d entities", len(lp.Records), len(lp.Rejects), ind, ent)
	}
	if lp.Info.Date != "2024-10-17" {
		t.Errorf("date = %q", lp.Info.Date)
	}
	r := recordByRef(t, lp, "un:2797952")
	wantExactly(t, r.Entity, "name", "JABER ABDALLAH JABER AHMAD AL-JALAHMAH")
	wantExactly(t, r.Entity, "nationality", "kw")
	checkUNDesignation(t, r, "programme:un-security-council/1267-1989-2253-isil-daesh-and-al-qaida-sanctions-committee", "QDi.237", "2014-01-03")
}

func TestUNShared(t *testing.T) {
	path := graphtest.SharedData(t, unFile)
	lp := parseListFile(t, path, "un-xml")
	ind, ent := countUNEntries(t, path)
	if ind != 730 || ent != 273 {
		t.Errorf("independent count: %d individuals, %d entities; SOURCES.md says 730 and 273", ind, ent)
	}
	if got := len(lp.Records) + len(lp.Rejects); got != ind+ent {
		t.Errorf("%d records + %d rejects, the file has %d entries", len(lp.Records), len(lp.Rejects), ind+ent)
	}
	if len(lp.Rejects) != 0 || len(lp.Notes) != 0 {
		t.Errorf("rejects %v, notes %q; want none", lp.Rejects, lp.Notes)
	}
	if lp.Info.Date != "2026-02-27" {
		t.Errorf("date = %q", lp.Info.Date)
	}
	schemata := map[string]int{}
	programmes := map[string]int{}
	for _, r := range lp.Records {
		schemata[r.Entity.Schema]++
		programmes[unDesignation(t, r).TargetRef]++
	}
	if schemata["Person"] != ind || schemata["Organization"] != ent {
		t.Errorf("schemata = %v", schemata)
	}
	for prog, n := range map[string]int{
		"1718-committee": 155, "1737-committee": 121, "1988-committee": 140,
		"1267-1989-2253-isil-daesh-and-al-qaida-sanctions-committee": 341,
	} {
		if got := programmes["programme:un-security-council/"+prog]; got != n {
			t.Errorf("%s: %d entries, want %d", prog, got, n)
		}
	}

	ftb := recordByRef(t, lp, "un:6908622")
	e := ftb.Entity
	wantExactly(t, e, "name", "FOREIGN TRADE BANK (FTB)")
	wantExactly(t, e, "alias", "FOREIGN TRADE BANK", "Mooyokbank", "Korea Trading Bank")
	wantExactly(t, e, "weakAlias", "FTB")
	wantExactly(t, e, "swiftBic", "FTBDKPPY")
	wantExactly(t, e, "country", "kp")
	checkUNSource(t, e, "KPe.047")
	checkUNDesignation(t, ftb, "programme:un-security-council/1718-committee", "KPe.047", "2017-08-05")

	kkbc := recordByRef(t, lp, "un:6908518")
	e = kkbc.Entity
	wantExactly(t, e, "name", "KOREA KWANGSON BANKING CORPORATION (KKBC)")
	wantExactly(t, e, "alias", "KOREA KWANGSON BANKING CORPORATION", "KKBC")
	wantExactly(t, e, "weakAlias", "KKBC")
	wantExactly(t, e, "country", "kp")
	wantExactly(t, e, "address", "Jungson-dong, Sungri Street, Central District, Pyongyang, Democratic People's Republic of Korea")
	checkUNSource(t, e, "KPe.025")
	checkUNDesignation(t, kkbc, "programme:un-security-council/1718-committee", "KPe.025", "2016-03-02")
	if len(kkbc.Relationships) != 1 {
		t.Errorf("KKBC has %d relationships, want only its designation", len(kkbc.Relationships))
	}

	han := recordByRef(t, lp, "un:6908614")
	e = han.Entity
	wantExactly(t, e, "name", "HAN JANG SU")
	wantExactly(t, e, "alias", "Chang-Su Han")
	wantExactly(t, e, "birthDate", "1969-11-07")
	wantExactly(t, e, "birthPlace", "Pyongyang, Democratic People's Republic of Korea")
	wantExactly(t, e, "nationality", "kp")
	wantExactly(t, e, "passportNumber", "745420176")
	wantExactly(t, e, "position", "Former Representative of the Foreign Trade Bank")
	wantExactly(t, e, "gender", "male")
	checkUNSource(t, e, "KPi.055")
	checkUNDesignation(t, han, "programme:un-security-council/1718-committee", "KPi.055", "2017-08-05")

	// A shipping company's IMO company number; a time zone after LISTED_ON.
	wantExactly(t, recordByRef(t, lp, "un:6908516").Entity, "imoNumber", "5342883")
	for _, r := range lp.Records {
		if ld := unDesignation(t, r).Props["listingDate"]; len(ld) != 1 {
			t.Errorf("%s listingDate = %q", r.Ref, ld)
		}
	}
}

// FuzzUNXML feeds arbitrary documents to the UN reader, seeded with the
// fixtures and a slice of the shared list. It must never panic, and what
// it accepts must pass checkListParse.
//
//	go test -run='^$' -fuzz=FuzzUNXML -fuzztime=60s ./ingest
func FuzzUNXML(f *testing.F) {
	for _, name := range []string{"un_small.xml", "un_rejects.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	if b, err := os.ReadFile(filepath.Join(graphtest.SharedDir(), unFile)); err == nil {
		// The FTB and KKBC entries, wrapped in the root.
		i := bytes.Index(b, []byte("<DATAID>6908518<"))
		j := bytes.Index(b, []byte("<DATAID>6908623<"))
		if i > 0 && j > i {
			i = bytes.LastIndex(b[:i], []byte("<ENTITY>"))
			j = bytes.LastIndex(b[:j], []byte("<ENTITY>"))
			doc := "<CONSOLIDATED_LIST dateGenerated=\"2026-02-27T00:00:09.554Z\"><INDIVIDUALS/><ENTITIES>" + string(b[i:j]) + "</ENTITIES></CONSOLIDATED_LIST>"
			f.Add([]byte(doc))
		}
		f.Add(b[:min(len(b), 16<<10)])
	}
	f.Add([]byte("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1990</FROM_YEAR><TO_YEAR>1900</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lp, err := parseUNBytes(data, "fuzz.xml")
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a FileError", err)
			}
			return
		}
		checkListParse(t, lp)
		for _, e := range lp.Rejects {
			if e.Line <= 0 || e.Field == "" || e.Msg == "" {
				t.Fatalf("reject without line, field or message: %+v", e)
			}
		}
	})
}

func BenchmarkUNXML(b *testing.B) {
	path := graphtest.SharedData(b, unFile)
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		lp, err := parseUNBytes(data, path)
		if err != nil || len(lp.Records) != 1003 {
			b.Fatalf("parse: %v", err)
		}
	}
}

package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
)

const ukSample = "format-samples/deriv-perl-Data-Validate-Sanctions/sample_hmt.csv"

// parseUKBytes parses data as a UK HMT CSV without detection.
// parseUKBytes parses data as the UK list, decoded as ingest decodes
// every CSV file (encoding.go).
func parseUKBytes(data []byte) (*ListParse, error) {
	in := bufio.NewReader(newTextReader("uk.csv", bytes.NewReader(data), true))
	return parseUKHMT(context.Background(), &listSource{Name: "uk.csv", In: in})
}

// ukWantProps fails unless property p of e holds exactly want, in order.
func ukWantProps(t *testing.T, e *graph.Entity, p string, want ...string) {
	t.Helper()
	if got := e.Props[p]; !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("%s %s = %q, want %q", e.Ref, p, got, want)
	}
}

// ukWantHas fails unless property p of e holds every value of want.
func ukWantHas(t *testing.T, e *graph.Entity, p string, want ...string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, v := range e.Props[p] {
			found = found || v == w
		}
		if !found {
			t.Errorf("%s %s = %q, lacks %q", e.Ref, p, e.Props[p], w)
		}
	}
}

// ukDesignation returns the designated-by edge of r with ref.
func ukDesignation(t *testing.T, r graph.Record, ref string) graph.Relationship {
	t.Helper()
	for _, rel := range r.Relationships {
		if rel.Ref == ref && rel.Kind == graph.RelDesignatedBy {
			return rel
		}
	}
	t.Fatalf("%s has no designation %s (has %v)", r.Ref, ref, designations(r))
	return graph.Relationship{}
}

func ukWantRelProps(t *testing.T, rel graph.Relationship, want map[string][]string) {
	t.Helper()
	for k, v := range want {
		if got := rel.Props[k]; !reflect.DeepEqual(got, v) {
			t.Errorf("%s %s = %q, want %q", rel.Ref, k, got, v)
		}
	}
}

func TestUKHMTFixture(t *testing.T) {
	lp := parseListFile(t, "testdata/uk_conlist.csv", "uk-hmt-csv")
	want := ListInfo{Dataset: "gb_hmt_sanctions", Title: "UK HM Treasury (OFSI) consolidated list", Prefix: "uk:", Date: "2024-05-03", Snapshot: true,
		URL: "https://www.gov.uk/government/publications/financial-sanctions-consolidated-list-of-targets"}
	if lp.Info != want {
		t.Errorf("info = %+v, want %+v", lp.Info, want)
	}
	if len(lp.Records) != 4 || len(lp.Rejects) != 0 {
		t.Fatalf("%d records, rejects %v; want 4 and none", len(lp.Records), lp.Rejects)
	}
	const dprk = "programme:uk-hm-treasury-ofsi/democratic-peoples-republic-of-korea"

	// An entity, field by field.
	r := recordByRef(t, lp, "uk:90001")
	e := r.Entity
	if e.Schema != "Organization" {
		t.Errorf("schema %s", e.Schema)
	}
	ukWantProps(t, e, "name", "FOREIGN TRADE BANK (FTB)")
	ukWantProps(t, e, "alias", "FOREIGN TRADE BANK", "조선무역은행", "MOOYOKBANK")
	ukWantProps(t, e, "weakAlias", "FTB")
	ukWantProps(t, e, "previousName", "KOREA TRADING BANK")
	ukWantProps(t, e, "swiftBic", "FTBDKPPY")
	ukWantProps(t, e, "address", "FTB Building, Jungsong-dong, Central District, Pyongyang, North Korea")
	ukWantProps(t, e, "country", "kp")
	if s := e.Sources[0]; s.RecordID != "90001" || s.Date != "2024-05-03" || s.Dataset != "gb_hmt_sanctions" {
		t.Errorf("source %+v", s)
	}
	d := ukDesignation(t, r, "uk:90001#uk")
	if d.TargetRef != dprk {
		t.Errorf("designation target %s", d.TargetRef)
	}
	ukWantRelProps(t, d, map[string][]string{"authority": {"UK HM Treasury (OFSI)"}, "program": {"Democratic People's Republic of Korea"},
		"listingDate": {"2017-08-05"}, "startDate": {"2020-12-31"}, "modifiedAt": {"2020-12-31"}, "unscId": {"KPe.047"}, "authorityId": {"90001"}})

	// An individual: one row per date of birth, a weak alias.
	r = recordByRef(t, lp, "uk:90002")
	e = r.Entity
	if e.Schema != "Person" {
		t.Errorf("schema %s", e.Schema)
	}
	ukWantProps(t, e, "name", "Example Chol HAN")
	ukWantProps(t, e, "alias")
	ukWantProps(t, e, "weakAlias", "Chol HAN")
	ukWantProps(t, e, "firstName", "Example")
	ukWantProps(t, e, "middleName", "Chol")
	ukWantProps(t, e, "lastName", "HAN")
	ukWantProps(t, e, "title", "Mr")
	ukWantProps(t, e, "birthDate", "1967", "1967-04-15")
	ukWantProps(t, e, "birthPlace", "Pyongyang, North Korea")
	ukWantProps(t, e, "birthCountry", "kp")
	ukWantProps(t, e, "nationality", "kp")
	ukWantProps(t, e, "passportNumber", "836420186", "745310094")
	ukWantProps(t, e, "idNumber", "123456789")
	ukWantProps(t, e, "position", "Representative of Foreign Trade Bank in Dandong")
	ukWantHas(t, e, "notes", "Nationality: Ruritanian", "Passport details: (1) Issued 28 March 2016 (2) Expired", "National identification number 123456789: North Korean")
	ukWantRelProps(t, ukDesignation(t, r, "uk:90002#uk"), map[string][]string{"listingDate": {"2017-06-01"}, "modifiedAt": {"2019-02-14"}, "startDate": nil, "unscId": nil})

	// A ship.
	e = recordByRef(t, lp, "uk:90003").Entity
	if e.Schema != "Vessel" {
		t.Errorf("schema %s", e.Schema)
	}
	ukWantProps(t, e, "imoNumber", "9999993")

	// Two regimes: two designations.
	r = recordByRef(t, lp, "uk:90004")
	ukWantProps(t, r.Entity, "birthDate", "1970-06")
	if got := designations(r); !reflect.DeepEqual(got, []string{dprk, "programme:uk-hm-treasury-ofsi/russia"}) {
		t.Errorf("designations %v", got)
	}
	ukWantRelProps(t, ukDesignation(t, r, "uk:90004#uk:russia"), map[string][]string{"listingDate": {"2022-03-15"}})
}

// TestUKHMTOldLayout reads the layout of older files: no date line, no
// "UK Sanctions List Date Designated", "NI Details", CRLF line ends.
func TestUKHMTOldLayout(t *testing.T) {
	lp := parseListFile(t, "testdata/uk_conlist_2013.csv", "uk-hmt-csv")
	if lp.Info.Date != "" || len(lp.Records) != 2 || len(lp.Rejects) != 0 {
		t.Fatalf("date %q, %d records, rejects %v", lp.Info.Date, len(lp.Records), lp.Rejects)
	}
	e := recordByRef(t, lp, "uk:1001").Entity
	ukWantProps(t, e, "name", "Person SAMPLE")
	ukWantProps(t, e, "birthDate", "1960")
	ukWantProps(t, e, "nationality", "sy")
	ukWantProps(t, e, "position", "Minister")
	e = recordByRef(t, lp, "uk:1002").Entity
	ukWantProps(t, e, "name", "SAMPLE COMPANY LTD")
	ukWantProps(t, e, "weakAlias", "SAMPLE CO")
	ukWantProps(t, e, "address", "Street 1, Damascus, Syria")
}

// ukGroupIDs counts the distinct Group IDs of a list CSV with plain
// encoding/csv.
func ukGroupIDs(t *testing.T, path string) int {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	ids := map[string]bool{}
	for _, row := range rows {
		if col < 0 {
			for i, c := range row {
				if c == "Group ID" {
					col = i
				}
			}
			continue
		}
		ids[row[col]] = true
	}
	if col < 0 {
		t.Fatalf("%s: no Group ID column", path)
	}
	return len(ids)
}

func TestUKHMTSample(t *testing.T) {
	path := graphtest.SharedData(t, ukSample)
	lp := parseListFile(t, path, "uk-hmt-csv")
	if n := ukGroupIDs(t, path); n != len(lp.Records)+len(lp.Rejects) || n != 6 {
		t.Errorf("%d Group IDs, %d records + %d rejects", n, len(lp.Records), len(lp.Rejects))
	}
	if len(lp.Rejects) > 0 {
		t.Errorf("rejects: %v", lp.Rejects)
	}
	if lp.Info.Date != "2020-04-27" {
		t.Errorf("date %q", lp.Info.Date)
	}
	// The sample holds individuals only; the entity and ship of the
	// fixture above stand in for the others.
	for _, r := range lp.Records {
		if r.Entity.Schema != "Person" {
			t.Errorf("%s is a %s", r.Ref, r.Entity.Schema)
		}
	}

	r := recordByRef(t, lp, "uk:9053")
	e := r.Entity
	ukWantProps(t, e, "name", "Mohsen HOJATI")
	ukWantProps(t, e, "firstName", "Mohsen")
	ukWantProps(t, e, "lastName", "HOJATI")
	ukWantProps(t, e, "alias", "محسن حجتی")
	ukWantProps(t, e, "birthDate", "1955-09-28")
	ukWantProps(t, e, "position", "Head of Fajr Industrial Group")
	ukWantProps(t, e, "notes", "UN Ref IRi.018.  Passport no: G4506013, issued in Iran (Islamic Republic of)")
	d := ukDesignation(t, r, "uk:9053#uk")
	if d.TargetRef != "programme:uk-hm-treasury-ofsi/iran-nuclear-proliferation" {
		t.Errorf("target %s", d.TargetRef)
	}
	ukWantRelProps(t, d, map[string][]string{"program": {"Iran (nuclear proliferation)"}, "listingDate": {"2007-03-24"}, "modifiedAt": {"2017-06-27"},
		"unscId": {"IRi.018"}, "authorityId": {"9053"}})

	e = recordByRef(t, lp, "uk:9215").Entity
	ukWantProps(t, e, "name", "Hafez Mohammad SAEED")
	ukWantProps(t, e, "alias", "سعید حافظ محمد")
	ukWantProps(t, e, "birthDate", "1950-06-05")
	ukWantProps(t, e, "birthPlace", "Sargodha, Punjab, Pakistan")
	ukWantProps(t, e, "nationality", "pk")
	ukWantProps(t, e, "idNumber", "3520025509842-7")
	ukWantProps(t, e, "address", "House No 116E, Mohalla Johar, Lahore, Tehsil, Lahore City, Lahore District, 123321, Pakistan (location as at May 2008)")
	ukWantProps(t, e, "country", "pk")
	ukWantRelProps(t, ukDesignation(t, recordByRef(t, lp, "uk:9215"), "uk:9215#uk"), map[string][]string{"unscId": {"QDi.263"}, "listingDate": {"2008-12-12"}})

	// Dates of birth with unknown parts, one row each.
	ukWantProps(t, recordByRef(t, lp, "uk:13063").Entity, "birthDate", "1983-07-05", "1983", "1984-04")
	e = recordByRef(t, lp, "uk:11039").Entity
	ukWantProps(t, e, "name", "Sang-kuk SO")
	ukWantProps(t, e, "alias", "Sang Kuk SO")
	if len(e.Props["birthDate"]) != 7 {
		t.Errorf("birth dates %v", e.Props["birthDate"])
	}
}

func TestUKHMTMalformed(t *testing.T) {
	fixture, err := os.ReadFile("testdata/uk_conlist.csv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(fixture), "\n")
	header := lines[1]
	// row returns line i of the fixture with cell col replaced.
	row := func(i int, col string, v string) string {
		cells, err := csv.NewReader(strings.NewReader(lines[i])).Read()
		if err != nil {
			t.Fatal(err)
		}
		hdr, _ := csv.NewReader(strings.NewReader(header)).Read()
		for j, h := range hdr {
			if h == col {
				cells[j] = v
			}
		}
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write(cells)
		w.Flush()
		return b.String()
	}
	with := func(i int, line string) string {
		out := append([]string(nil), lines...)
		out[i] = line
		return strings.Join(out, "")
	}
	fileErrs := []struct {
		name, data string
		line       int
		msg        string
	}{
		{"empty", "", 0, "empty"},
		{"no header", "Last Updated,27/04/2020\nHOJATI,Mohsen\n", 2, "no column header"},
		{"another CSV", "ent_num,name\n1,X\n", 1, "no column header"},
		{"header lacks columns", "Name 6,Name 1,Group ID\nX,Y,1\n", 1, "lacks the columns Group Type"},
		{"header twice a column", "Name 6,Name 1,Group Type,Group ID,Name 1\nX,Y,Entity,1,Z\n", 1, "twice"},
		{"header only", lines[0] + header, 2, "no entries"},
		{"truncated in a quoted cell", string(fixture[:bytes.Index(fixture, []byte("(UN Ref):KPe.047"))]), 3, "malformed CSV"},
		{"truncated row", strings.Join(lines[:3], "") + strings.SplitN(lines[3], ",", 5)[0], 4, "truncated"},
	}
	for _, c := range fileErrs {
		_, err := parseUKBytes([]byte(c.data))
		var fe *FileError
		if !errors.As(err, &fe) || fe.Line != c.line || !strings.Contains(fe.Msg, c.msg) {
			t.Errorf("%s: error %v, want a FileError at line %d saying %q", c.name, err, c.line, c.msg)
		}
	}

	recErrs := []struct {
		name, data   string
		line         int
		field, msg   string
		records      int
		rejectedRefs string // the group that must not be a record
	}{
		{"a row of the wrong width", with(5, strings.TrimSuffix(lines[5], "\n")+",extra\n"), 6, "", "37 cells, the header 36", 4, ""},
		{"a row without Group ID", with(4, row(4, "Group ID", "")), 5, "Group ID", "no Group ID", 4, ""},
		{"a row without name", with(4, row(4, "Name 6", "")), 5, "Name 6", "no name", 3, "uk:90001"},
		{"rows disagreeing on Group Type", with(4, row(4, "Group Type", "Individual")), 5, "Group Type", "disagree", 3, "uk:90001"},
	}
	for _, c := range recErrs {
		lp, err := parseUKBytes([]byte(c.data))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		checkListParse(t, lp)
		if len(lp.Rejects) != 1 || lp.Rejects[0].Line != c.line || lp.Rejects[0].Field != c.field || !strings.Contains(lp.Rejects[0].Msg, c.msg) {
			t.Errorf("%s: rejects %v, want one at line %d, field %q, saying %q", c.name, lp.Rejects, c.line, c.field, c.msg)
		}
		if len(lp.Records) != c.records {
			t.Errorf("%s: %d records, want %d", c.name, len(lp.Records), c.records)
		}
		for _, r := range lp.Records {
			if r.Ref == c.rejectedRefs {
				t.Errorf("%s: %s was not rejected", c.name, r.Ref)
			}
		}
	}
}

func TestUKHMTWindows1252(t *testing.T) {
	data := bytes.Replace(ukRead(t, "testdata/uk_conlist_2013.csv"), []byte("Hand-made test entry."), []byte("Former \x93Minister\x94 \xe9l\xe8ve."), 1)
	lp, err := parseUKBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	checkListParse(t, lp)
	e := lp.Records[0].Entity
	ukWantProps(t, e, "notes", "Former “Minister” élève.")
}

func TestUKHMTExtraColumns(t *testing.T) {
	data := "Last Updated,01/02/2023\n" +
		"Name 6,Name 1,Group Type,Alias Type,Regime,Listed On,IMO number,Current believed flag of ship,Hull colour,Group ID\n" +
		"EXAMPLE STAR,,Ship,Primary name,Russia,01/02/2023,IMO 9999993,Panama,red,7\n"
	lp, err := parseUKBytes([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	checkListParse(t, lp)
	e := recordByRef(t, lp, "uk:7").Entity
	ukWantProps(t, e, "imoNumber", "9999993")
	ukWantProps(t, e, "flag", "pa")
	ukWantProps(t, e, "notes", "Hull colour: red")
	if len(lp.Notes) != 1 || !strings.Contains(lp.Notes[0], `"Hull colour"`) {
		t.Errorf("notes %v", lp.Notes)
	}
}

func TestSniffUKHMT(t *testing.T) {
	fixture := ukRead(t, "testdata/uk_conlist.csv")
	cases := map[string]bool{
		string(fixture):                                   true,
		"\xef\xbb\xbf" + string(fixture):                  true,
		string(ukRead(t, "testdata/uk_conlist_2013.csv")): true,
		"Last Updated,27/04/2020\nfoo,bar\n":              false,
		"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\"\n":   false,
		"record,id,name\n":                                false,
		string(ukRead(t, "testdata/ofacadv_sdn.xml")):     false,
	}
	for in, want := range cases {
		if got := sniffUKHMT([]byte(in)); got != want {
			t.Errorf("sniffUKHMT(%.40q) = %v", in, got)
		}
	}
}

func TestUKDate(t *testing.T) {
	for in, want := range map[string]string{"27/04/2020": "2020-04-27", "00/09/1962": "1962-09", "00/00/1936": "1936",
		"10/00/1983": "1983", "31/02/2020": "", "2020-04-27": "2020-04-27", "unknown": ""} {
		if got := ukDate(in); got != want {
			t.Errorf("ukDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func ukRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzUKHMT feeds the UK HMT reader variations of its fixtures and of the
// shared sample: it must never panic, and what it reads must be well
// formed.
//
//	go test -run='^$' -fuzz=FuzzUKHMT -fuzztime=60s ./ingest
func FuzzUKHMT(f *testing.F) {
	f.Add(ukRead(f, "testdata/uk_conlist.csv"))
	f.Add(ukRead(f, "testdata/uk_conlist_2013.csv"))
	if b, err := os.ReadFile(graphtest.SharedDir() + "/" + ukSample); err == nil {
		ls := bytes.SplitAfter(b, []byte("\n"))
		f.Add(bytes.Join(ls[:min(len(ls), 8)], nil))
		f.Add(append(bytes.Join(ls[:2], nil), ls[len(ls)-1]...))
	}
	f.Add([]byte("Name 6,Group Type,Group ID\nX,Entity,1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lp, err := parseUKBytes(data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.Msg == "" {
				t.Fatalf("error %v is not a FileError", err)
			}
			return
		}
		checkListParse(t, lp)
		for _, e := range lp.Rejects {
			if e.Line <= 0 || e.Msg == "" {
				t.Fatalf("badly located reject %+v", e)
			}
		}
	})
}

// BenchmarkUKHMT parses the shared sample and a generated list of the
// size of OFSI's (about 20,000 rows).
//
//	go test -run='^$' -bench=BenchmarkUKHMT -benchtime=5x ./ingest
func BenchmarkUKHMT(b *testing.B) {
	sample := ukRead(b, graphtest.SharedData(b, ukSample))
	ls := bytes.SplitAfter(sample, []byte("\n"))
	var big bytes.Buffer
	big.Write(ls[0])
	big.Write(ls[1])
	var rows [][]byte
	for _, r := range ls[2:] {
		if len(bytes.TrimSpace(r)) > 0 {
			rows = append(rows, r)
		}
	}
	for i := 0; big.Len() < 8<<20 && i < 20000; i++ {
		r := bytes.TrimRight(rows[i%len(rows)], "\n")
		r = r[:bytes.LastIndexByte(r, ',')+1]
		fmt.Fprintf(&big, "%s%d\n", r, 100000+i/3)
	}
	for _, c := range []struct {
		name string
		data []byte
	}{{"sample", sample}, {"20000rows", big.Bytes()}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			for i := 0; i < b.N; i++ {
				lp, err := parseUKBytes(c.data)
				if err != nil || len(lp.Rejects) > 0 {
					b.Fatal(err, lp.Rejects)
				}
			}
		})
	}
}

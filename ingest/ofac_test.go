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
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
)

func props(t *testing.T, r graph.Record, p string, want ...string) {
	t.Helper()
	if got := r.Entity.Props[p]; !reflect.DeepEqual(got, want) {
		t.Errorf("%s %s = %q, want %q", r.Ref, p, got, want)
	}
}

func edgesOf(r graph.Record, kind graph.RelType) []string {
	var out []string
	for _, rel := range r.Relationships {
		if rel.Kind == kind {
			out = append(out, rel.SourceRef+">"+rel.TargetRef)
		}
	}
	return out
}

func TestOFACCSVFixture(t *testing.T) {
	lp := parseListFile(t, "testdata/ofac_set/sdn.csv", "ofac-csv")
	if lp.Info.Dataset != "us_ofac_sdn" || lp.Info.Prefix != "ofac:" || !lp.Info.Snapshot {
		t.Errorf("info = %+v", lp.Info)
	}
	if len(lp.Records) != 9 || len(lp.Rejects) != 0 {
		t.Fatalf("records %d rejects %v", len(lp.Records), lp.Rejects)
	}
	ftb := recordByRef(t, lp, "ofac:15603")
	props(t, ftb, "swiftBic", "FTBDKPPY")
	props(t, ftb, "website", "www.example.kp")
	props(t, ftb, "alias", "NORTH KOREA'S FOREIGN TRADE BANK")
	props(t, ftb, "address", "FTB Building, Jungsong-dong, Central District, Pyongyang, Korea, North")
	props(t, ftb, "country", "kp")
	if ftb.Entity.Schema != "Organization" {
		t.Errorf("FTB schema %s", ftb.Entity.Schema)
	}
	if got := designations(ftb); !reflect.DeepEqual(got, []string{"programme:us-ofac/npwmd", "programme:us-ofac/dprk3"}) {
		t.Errorf("FTB designations %v", got)
	}
	for _, rel := range ftb.Relationships {
		if rel.Kind == graph.RelDesignatedBy && (rel.First("authorityId") != "15603" || rel.Sources[0].URL != OFACEntryURL+"15603") {
			t.Errorf("designation %+v", rel)
		}
	}
	sun := recordByRef(t, lp, "ofac:22623")
	if sun.Entity.Schema != "Person" {
		t.Errorf("SUN schema %s", sun.Entity.Schema)
	}
	props(t, sun, "birthDate", "1983-01-01", "1984")
	props(t, sun, "birthPlace", "Dandong, Liaoning, China")
	props(t, sun, "birthCountry", "cn")
	props(t, sun, "nationality", "cn")
	props(t, sun, "gender", "male")
	props(t, sun, "passportNumber", "G12345678")
	props(t, sun, "idNumber", "210602198301012345")
	props(t, sun, "position", "General Manager")
	props(t, sun, "lastName", "SUN")
	props(t, sun, "firstName", "Wei")
	props(t, sun, "weakAlias", "SUN, Wei (weak)")
	if !slices.Contains(sun.Entity.Props["notes"], "alt. DOB circa 1984") || !slices.Contains(sun.Entity.Props["notes"], "Passport G12345678 (China) expires 01 Jan 2020") {
		t.Errorf("SUN notes %q", sun.Entity.Props["notes"])
	}
	ming := recordByRef(t, lp, "ofac:22583")
	if got := edgesOf(ming, graph.RelLinkedTo); !reflect.DeepEqual(got, []string{"ofac:22583>ofac:15603", "ofac:22583>ofac:22623"}) {
		t.Errorf("Mingzheng links %v", got)
	}
	for _, rel := range ming.Relationships {
		if rel.Kind == graph.RelLinkedTo && (rel.Sources[0].Quote == "" || rel.Sources[0].RecordID != "22583") {
			t.Errorf("link without quote or record: %+v", rel.Sources)
		}
	}
	kim := recordByRef(t, lp, "ofac:900001")
	props(t, kim, "birthDate", "1960", "1961", "1962")
	if !slices.Contains(kim.Entity.Props["notes"], "nationality Atlantis") {
		t.Errorf("unknown nationality not kept: %q", kim.Entity.Props["notes"])
	}
	ship := recordByRef(t, lp, "ofac:900004")
	if ship.Entity.Schema != "Vessel" {
		t.Errorf("vessel schema %s", ship.Entity.Schema)
	}
	props(t, ship, "imoNumber", "9030591")
	props(t, ship, "mmsi", "445123000")
	props(t, ship, "flag", "kp")
	props(t, ship, "pastFlags", "pa")
	props(t, ship, "callSign", "HMXY")
	props(t, ship, "type", "Crude Oil Tanker")
	props(t, ship, "tonnage", "5000")
	props(t, ship, "grossRegisteredTonnage", "3100")
	props(t, ship, "buildDate", "1995")
	props(t, ship, "weakAlias", "OCEAN STAR") // names in the remarks are OFAC's weak a.k.a.s
	if got := edgesOf(ship, graph.RelOwns); !reflect.DeepEqual(got, []string{"ofac:22583>ofac:900004"}) {
		t.Errorf("vessel owner edge %v", got)
	}
	plane := recordByRef(t, lp, "ofac:900005")
	props(t, plane, "serialNumber", "1234")
	props(t, plane, "model", "A310")
	props(t, plane, "registrationNumber", "EP-ABC")
	acme := recordByRef(t, lp, "ofac:900006")
	props(t, acme, "taxNumber", "7744002860")
	props(t, acme, "registrationNumber", "1027744004903")
	props(t, acme, "incorporationDate", "2001-03-15")
	props(t, acme, "previousName", "ACME OLD NAME LLC")
	// The remarks continue in sdn_comments.csv: "Linked To: SUN, W" + "ei."
	if got := edgesOf(acme, graph.RelLinkedTo); !reflect.DeepEqual(got, []string{"ofac:900006>ofac:22623"}) {
		t.Errorf("overflowing remark link %v", got)
	}
	// Unresolved: an unknown name and an ambiguous one, never guessed.
	var unresolved []string
	for _, u := range lp.Unresolved {
		unresolved = append(unresolved, u.Record+" "+u.Name+": "+u.Reason)
	}
	want := []string{
		"ofac:900001 NOBODY TRADING CO.: no entry of the list has this name",
		"ofac:900003 KIM, Chol.: 2 entries have this name: ofac:900001, ofac:900002",
	}
	if !reflect.DeepEqual(unresolved, want) {
		t.Errorf("unresolved = %q\nwant %q", unresolved, want)
	}
	if lp.Links != 5 {
		t.Errorf("links = %d, want 5", lp.Links)
	}
	if !slices.ContainsFunc(lp.Notes, func(n string) bool { return strings.HasPrefix(n, "1 rows of add.csv") }) {
		t.Errorf("orphan address row not noted: %q", lp.Notes)
	}
}

// countOFAC counts the rows of an OFAC main file and its "Linked To"
// items (with the remarks overflow of the comments file) independently of
// the parser: plain encoding/csv and a regexp.
func countOFAC(t *testing.T, path, comments string) (rows, linkedTo int) {
	t.Helper()
	overflow := map[string]string{}
	if comments != "" {
		f, err := os.Open(comments)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		for {
			row, err := r.Read()
			if err != nil {
				break
			}
			if len(row) == 2 {
				overflow[row[0]] += row[1]
			}
		}
		f.Close()
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	re := regexp.MustCompile(`Linked To: `)
	for {
		row, err := r.Read()
		if err != nil {
			break
		}
		if len(row) != 12 {
			continue
		}
		rows++
		linkedTo += len(re.FindAllString(row[11]+overflow[row[0]], -1))
	}
	return rows, linkedTo
}

// checkOFACCounts checks the acceptance rule: every entry is a record or a
// reject, and every "Linked To" is an edge or in the unresolved report.
func checkOFACCounts(t *testing.T, lp *ListParse, rows, linkedTo int) {
	t.Helper()
	if got := len(lp.Records) + len(lp.Rejects); got != rows {
		t.Errorf("records %d + rejects %d = %d, want %d rows", len(lp.Records), len(lp.Rejects), got, rows)
	}
	edges, unresolved := 0, 0
	for _, r := range lp.Records {
		edges += len(edgesOf(r, graph.RelLinkedTo))
	}
	for _, u := range lp.Unresolved {
		if strings.HasPrefix(u.Text, "Linked To:") {
			unresolved++
		}
	}
	if edges+unresolved != linkedTo {
		t.Errorf("linked-to edges %d + unresolved %d = %d, want %d Linked To items", edges, unresolved, edges+unresolved, linkedTo)
	}
	t.Logf("%d entries, %d rejected; %d Linked To: %d edges, %d unresolved", rows, len(lp.Rejects), linkedTo, edges, unresolved)
}

func TestOFACCSVShared(t *testing.T) {
	path := graphtest.SharedData(t, "ofac/sdn.csv")
	lp := parseListFile(t, path, "ofac-csv")
	rows, linked := countOFAC(t, path, "")
	checkOFACCounts(t, lp, rows, linked)
	if rows != 14965 {
		t.Errorf("sdn.csv has %d rows; SOURCES.md says 14965", rows)
	}
	if len(lp.Rejects) != 0 {
		t.Errorf("rejects: %v", lp.Rejects[:min(5, len(lp.Rejects))])
	}
	ftb := recordByRef(t, lp, "ofac:15603")
	props(t, ftb, "name", "FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA")
	props(t, ftb, "swiftBic", "FTBDKPPY")
	props(t, ftb, "country", "kp")
	if !slices.Contains(ftb.Entity.Props["alias"], "NORTH KOREA'S FOREIGN TRADE BANK") {
		t.Errorf("FTB aliases %q", ftb.Entity.Props["alias"])
	}
	if got := designations(ftb); !reflect.DeepEqual(got, []string{"programme:us-ofac/npwmd", "programme:us-ofac/dprk3"}) {
		t.Errorf("FTB designations %v", got)
	}
	kkbc := recordByRef(t, lp, "ofac:11581")
	props(t, kkbc, "name", "KOREA KWANGSON BANKING CORP")
	props(t, kkbc, "country", "kp")
	dandong := recordByRef(t, lp, "ofac:24518")
	props(t, dandong, "registrationNumber", "312106037714354404")
	if got := edgesOf(dandong, graph.RelLinkedTo); !reflect.DeepEqual(got, []string{"ofac:24518>ofac:15603"}) {
		t.Errorf("Dandong links %v", got)
	}
	ming := recordByRef(t, lp, "ofac:22583")
	if got := edgesOf(ming, graph.RelLinkedTo); !slices.Contains(got, "ofac:22583>ofac:15603") || !slices.Contains(got, "ofac:22583>ofac:22623") {
		t.Errorf("Mingzheng links %v", got)
	}
	rfs := recordByRef(t, lp, "ofac:26744")
	props(t, rfs, "taxNumber", "7744002860", "770501001")
	props(t, rfs, "registrationNumber", "1027744004903")
	props(t, rfs, "country", "ru")
	han := recordByRef(t, lp, "ofac:21749")
	props(t, han, "birthDate", "1969-11-08")
	props(t, han, "nationality", "kp")
	props(t, han, "passportNumber", "745420176")
	props(t, han, "position", "Foreign Trade Bank chief representative")
	props(t, han, "alias", "HAN, Chang-su")
	ship := recordByRef(t, lp, "ofac:4243")
	props(t, ship, "imoNumber", "7406784")
	props(t, ship, "flag", "pa")
	props(t, ship, "weakAlias", "ANA I", "SAND SWAN")
	// OFAC's weak a.k.a.s ('MIKE', 'PAT') are weak aliases, never aliases.
	mro := recordByRef(t, lp, "ofac:4108")
	if w := mro.Entity.Props["weakAlias"]; !slices.Contains(w, "MIKE") || !slices.Contains(w, "PAT") || slices.Contains(mro.Entity.Props["alias"], "MIKE") {
		t.Errorf("ofac:4108 weakAlias %q alias %q, want MIKE and PAT weak", w, mro.Entity.Props["alias"])
	}
}

// The 2021 set has sdn_comments.csv: remarks cut at the column's length
// continue there, with their links.
func TestOFACCSVSharedWithComments(t *testing.T) {
	path := graphtest.SharedData(t, "watchman/ofac-2021-07-bench/sdn.csv")
	lp := parseListFile(t, path, "ofac-csv")
	rows, linked := countOFAC(t, path, filepath.Join(filepath.Dir(path), "sdn_comments.csv"))
	checkOFACCounts(t, lp, rows, linked)
	tian := recordByRef(t, lp, "ofac:28263")
	if !slices.Contains(tian.Entity.Props["weakAlias"], "snowsjohn") {
		t.Errorf("weak alias across the overflow: %q", tian.Entity.Props["weakAlias"])
	}
	if len(edgesOf(tian, graph.RelLinkedTo)) != 1 {
		t.Errorf("link in the overflow not read: %v", tian.Relationships)
	}
}

func TestOFACConsolidatedShared(t *testing.T) {
	path := graphtest.SharedData(t, "watchman/ofac-consolidated-2025-12/cons_prim.csv")
	lp := parseListFile(t, path, "ofac-csv")
	if lp.Info.Dataset != "us_ofac_cons" || lp.Info.Prefix != "ofac-cons:" {
		t.Errorf("info %+v", lp.Info)
	}
	rows, linked := countOFAC(t, path, filepath.Join(filepath.Dir(path), "cons_comments.csv"))
	checkOFACCounts(t, lp, rows, linked)
}

func TestOFACCSVMalformed(t *testing.T) {
	parse := func(content string) (*ListParse, error) {
		dir := t.TempDir()
		p := filepath.Join(dir, "sdn.csv")
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		f, _ := os.Open(p)
		defer f.Close()
		return parseOFACCSV(context.Background(), &listSource{Name: p, Path: p, In: bufio.NewReader(f)})
	}
	good := `1,"A",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ` + "\r\n"
	lp, err := parse(good + `2,"B",-0- ,"SDGT",-0- ,-0- ` + "\r\n" + good[:0] + `x3,"C",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ` + "\r\n" + `4,-0- ,-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ` + "\r\n" + good + "\x1a")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, r := range lp.Rejects {
		msgs = append(msgs, r.Error())
	}
	got := strings.Join(msgs, "\n")
	for _, want := range []string{"sdn.csv:2: has 6 fields, want 12", "sdn.csv:3: ent_num: \"x3\" is not an entry number", "sdn.csv:4: SDN_Name: the entry has no name", "sdn.csv:5: ent_num: entry 1 appears twice (first at line 1)"} {
		if !strings.Contains(got, want) {
			t.Errorf("rejects %q lack %q", got, want)
		}
	}
	if slices.ContainsFunc(lp.Notes, func(n string) bool { return strings.Contains(n, "0x1A") }) {
		t.Errorf("file with 0x1A noted as cut: %q", lp.Notes)
	}
	lp, err = parse(good)
	if err != nil || !slices.ContainsFunc(lp.Notes, func(n string) bool { return strings.Contains(n, "0x1A") }) {
		t.Errorf("file without 0x1A: %v, notes %q", err, lp.Notes)
	}
	_, err = parse(good + `2,"B unterminated,-0- ,"SDGT"` + "\r\n")
	var fe *FileError
	if !errors.As(err, &fe) || fe.Line != 2 {
		t.Errorf("bad quoting: %v, want a FileError at line 2", err)
	}
	_, err = parse("")
	if !errors.As(err, &fe) {
		t.Errorf("empty file: %v", err)
	}
	// A sibling alone is refused with a pointer to the main file.
	f, _ := os.Open("testdata/ofac_set/add.csv")
	defer f.Close()
	in := bufio.NewReader(f)
	format, err := detect("add.csv", in)
	if err != nil || format != "ofac-csv-part" {
		t.Fatalf("add.csv detected as %q, %v", format, err)
	}
	_, err = parseOFACCSVPart(context.Background(), &listSource{Name: "add.csv", In: in})
	if err == nil || !strings.Contains(err.Error(), "address file of OFAC's legacy delimited set: ingest sdn.csv") {
		t.Errorf("add.csv alone: %v", err)
	}
}

func TestOFACRemarkItems(t *testing.T) {
	items := splitRemarks("DOB 01 Jan 1960; POB Tehran, Iran; a.k.a. 'X; Y'; Passport A123 (Iran (Islamic Republic of)); Linked To: FOO.")
	want := []string{"DOB 01 Jan 1960", "POB Tehran, Iran", "a.k.a. 'X", "Y'", "Passport A123 (Iran (Islamic Republic of))", "Linked To: FOO."}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("splitRemarks = %q", items)
	}
	for item, wantLabel := range map[string]string{
		"alt. Passport 1": "Passport", "Linked To: X.": "Linked To", "Tax ID No. 1 (Russia)": "Tax ID No.",
		"Company Number IMO 1234567": "Company Number IMO", "Company Number 555": "Company Number",
		"Organization Type: Banking": "Organization Type:", "DOBBY": "", "Gender Male": "Gender",
	} {
		label, _, _ := matchRemark(item)
		if label != wantLabel {
			t.Errorf("matchRemark(%q) label %q, want %q", item, label, wantLabel)
		}
	}
}

// FuzzOFACCSV feeds arbitrary sdn.csv content to the parser (read as a
// stream, without siblings): it must not panic, and what it accepts must
// be well-formed records.
//
//	go test -run='^$' -fuzz=FuzzOFACCSV -fuzztime=60s ./ingest
func FuzzOFACCSV(f *testing.F) {
	fixture, err := os.ReadFile("testdata/ofac_set/sdn.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	for _, l := range bytes.Split(fixture, []byte("\n")) {
		f.Add(l)
	}
	if b, err := os.ReadFile(filepath.Join(graphtest.SharedDir(), "ofac", "sdn.csv")); err == nil {
		lines := bytes.SplitAfter(b, []byte("\n"))
		for i := 0; i+20 < len(lines) && i < 15000; i += 997 {
			f.Add(bytes.Join(lines[i:i+20], nil))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lp, err := parseOFACCSV(context.Background(), &listSource{Name: "sdn.csv", In: bufio.NewReader(bytes.NewReader(data))})
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a FileError: %v", err)
			}
			return
		}
		checkListParse(t, lp)
	})
}

func TestOFACXMLSample(t *testing.T) {
	path := graphtest.SharedData(t, "format-samples/deriv-perl-Data-Validate-Sanctions/sdn.xml")
	lp := parseListFile(t, path, "ofac-xml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte("<sdnEntry>")); len(lp.Records)+len(lp.Rejects) != n || n != 8 {
		t.Errorf("records %d + rejects %d, want %d sdnEntry elements", len(lp.Records), len(lp.Rejects), n)
	}
	if lp.Info.Date != "2020-04-22" || lp.Info.Dataset != "us_ofac_sdn" || lp.Info.Prefix != "ofac:" {
		t.Errorf("info %+v", lp.Info)
	}
	// Record_Count says 8197: the sample is an extract and must not delist.
	if lp.Info.Snapshot {
		t.Error("an extract read as a complete list")
	}
	saeed := recordByRef(t, lp, "ofac:10689")
	props(t, saeed, "name", "SAEED, Muhammad")
	props(t, saeed, "birthDate", "1950-06-05")
	props(t, saeed, "birthPlace", "Sargodha, Punjab, Pakistan")
	props(t, saeed, "nationality", "pk")
	props(t, saeed, "passportNumber", "Booklet A5250088", "BE5978421")
	props(t, saeed, "idNumber", "23250460642", "3520025509842-7")
	props(t, saeed, "weakAlias", "HAFIZ SAHIB", "TATA JI")
	if got := designations(saeed); !reflect.DeepEqual(got, []string{"programme:us-ofac/sdgt"}) {
		t.Errorf("designations %v", got)
	}
	if saeed.Entity.Sources[0].Date != "2020-04-22" {
		t.Errorf("source %+v", saeed.Entity.Sources[0])
	}
	naqdi := recordByRef(t, lp, "ofac:12057")
	if len(designations(naqdi)) != 6 {
		t.Errorf("NAQDI designations %v", designations(naqdi))
	}
	// "(Linked To: SUMIYOSHI-KAI)": the target is not in the extract.
	var names []string
	for _, u := range lp.Unresolved {
		names = append(names, u.Record+" "+u.Name)
	}
	if !reflect.DeepEqual(names, []string{"ofac:15496 SUMIYOSHI-KAI", "ofac:15497 SUMIYOSHI-KAI"}) {
		t.Errorf("unresolved %q", names)
	}
}

func TestOFACXMLMalformed(t *testing.T) {
	parse := func(s string) (*ListParse, error) {
		return parseOFACXML(context.Background(), &listSource{Name: "sdn.xml", In: bufio.NewReader(strings.NewReader(s))})
	}
	head := `<?xml version="1.0"?>` + "\n" + `<sdnList xmlns="http://tempuri.org/sdnList.xsd">` + "\n"
	entry := "<sdnEntry><uid>1</uid><lastName>ACME</lastName><sdnType>Entity</sdnType><programList><program>SDGT</program></programList></sdnEntry>\n"
	for _, c := range []struct{ in, want string }{
		{head + entry + "<sdnEntry><uid>2</uid><lastName>B", "sdn.xml:4: the XML ends in the middle of an element (truncated?)"},
		{head + entry + "<sdnEntry><uid>2</uid></lastName></sdnEntry>", "sdn.xml:4: not well-formed XML: element <sdnEntry> closed by </lastName>"},
		{`<?xml version="1.0"?>` + "\n<other/>", "sdn.xml:2: the root element is <other>, want <sdnList>"},
		{head + "</sdnList>", "no <sdnEntry> elements"},
	} {
		_, err := parse(c.in)
		var fe *FileError
		if !errors.As(err, &fe) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.in[max(0, len(c.in)-40):], err, c.want)
		}
	}
	lp, err := parse(head + entry + "<sdnEntry><uid>x</uid><lastName>B</lastName></sdnEntry>\n<sdnEntry><uid>3</uid></sdnEntry>\n" + entry + "</sdnList>")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, r := range lp.Rejects {
		msgs = append(msgs, r.Error())
	}
	want := []string{
		`sdn.xml:4: sdnEntry/uid: "x" is not an entry number`,
		"sdn.xml:5: sdnEntry/lastName: the entry has no name",
		"sdn.xml:6: sdnEntry/uid: entry 1 appears twice (first at line 3)",
	}
	if !reflect.DeepEqual(msgs, want) {
		t.Errorf("rejects %q\nwant %q", msgs, want)
	}
}

// FuzzOFACXML: the SDN.XML reader must not panic, and what it accepts
// must be well-formed records.
//
//	go test -run='^$' -fuzz=FuzzOFACXML -fuzztime=60s ./ingest
func FuzzOFACXML(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join(graphtest.SharedDir(), "format-samples", "deriv-perl-Data-Validate-Sanctions", "sdn.xml")); err == nil {
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte(`<sdnList><sdnEntry><uid>1</uid><lastName>A</lastName><remarks>Linked To: A.; DOB 1960 to 1962</remarks></sdnEntry></sdnList>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lp, err := parseOFACXML(context.Background(), &listSource{Name: "sdn.xml", In: bufio.NewReader(bytes.NewReader(data))})
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error is not a FileError: %v", err)
			}
			return
		}
		checkListParse(t, lp)
	})
}

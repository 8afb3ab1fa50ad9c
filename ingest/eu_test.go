package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
)

const euFSFSample = "format-samples/deriv-perl-Data-Validate-Sanctions/sample_eu.xml"

func parseEUFSFBytes(name string, data []byte) (*ListParse, error) {
	return parseEUFSF(context.Background(), &listSource{Name: name, In: bufio.NewReader(bytes.NewReader(data))})
}

func TestEUFSFSample(t *testing.T) {
	path := graphtest.SharedData(t, euFSFSample)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lp := parseListFile(t, path, "eu-fsf-xml")
	want := len(regexp.MustCompile(`<sanctionEntity\s`).FindAll(data, -1))
	if want != 7 || len(lp.Records)+len(lp.Rejects) != want {
		t.Fatalf("%d records + %d rejects, the file has %d <sanctionEntity>", len(lp.Records), len(lp.Rejects), want)
	}
	// The sample repeats logicalId 5468 for a test entry: the second is
	// rejected, the first kept.
	if len(lp.Rejects) != 1 || lp.Rejects[0].Line != 110 || lp.Rejects[0].Field != "sanctionEntity/@logicalId" ||
		!strings.Contains(lp.Rejects[0].Msg, "line 43") {
		t.Errorf("rejects = %v", lp.Rejects)
	}
	if r := recordByRef(t, lp, "eu-fsf:5468"); r.Entity.Props["name"][0] != "Sok-hwa Hwang" {
		t.Errorf("5468 = %v", r.Entity.Props["name"])
	}
	info := lp.Info
	if info.Dataset != "eu_fsf" || info.Prefix != "eu-fsf:" || !info.Snapshot || info.Date != "2020-04-15" ||
		info.URL != "https://webgate.ec.europa.eu/fsd/fsf" || info.Title != "EU financial sanctions files (FSF)" {
		t.Errorf("info = %+v", info)
	}

	r := recordByRef(t, lp, "eu-fsf:927")
	if r.Entity.Schema != "Person" || !reflect.DeepEqual(r.Entity.Referents, []string{"EU.3343.85"}) {
		t.Errorf("927: schema %s, referents %v", r.Entity.Schema, r.Entity.Referents)
	}
	if s := r.Entity.Sources[0]; s.Dataset != "eu_fsf" || s.RecordID != "EU.3343.85" || s.Date != "2020-04-15" || s.URL != "https://webgate.ec.europa.eu/fsd/fsf" {
		t.Errorf("927 source = %+v", s)
	}
	wantProps(t, r, "name", "Mohamed Ben Belkacem Aouadi")
	wantProps(t, r, "firstName", "Mohamed")
	wantProps(t, r, "middleName", "Ben Belkacem")
	wantProps(t, r, "lastName", "Aouadi")
	wantProps(t, r, "nationality", "tn")
	wantProps(t, r, "birthDate", "1974-12-11")
	wantProps(t, r, "birthPlace", "Tunis, Tunisia")
	wantProps(t, r, "birthCountry", "tn")
	wantProps(t, r, "address", "23 50th Street, Zehrouni, Tunis, Tunisia")
	wantProps(t, r, "country", "tn")
	wantProps(t, r, "idNumber", "04643632")
	wantProps(t, r, "passportNumber", "L191609")
	wantProps(t, r, "notes", "Italian Fiscal Code: DAOMMD74T11Z352Z")
	wantProps(t, r, "alias")
	if got := designations(r); !reflect.DeepEqual(got, []string{"programme:eu-council/eu-taqa"}) {
		t.Errorf("927 designations %v", got)
	}
	d := designation(t, r, "programme:eu-council/eu-taqa")
	wantRelProp(t, d, "listingDate", "2016-03-02") // no designationDate: the regulation's publication
	wantRelProp(t, d, "authorityId", "EU.3343.85")
	wantRelProp(t, d, "programId", "EU-TAQA")
	wantRelProp(t, d, "sourceUrl", "http://eur-lex.europa.eu/legal-content/EN/TXT/PDF/?uri=OJ:JOL_2016_055_R_0004&from=EN")

	// The first: five strong names, two birth dates, one circa.
	r = recordByRef(t, lp, "eu-fsf:5295")
	wantProps(t, r, "name", "Abid Hammadou")
	wantProps(t, r, "alias", "Abdelhamid Abou Zeid", "Youcef Adel", "Amor Mohamed Ghedeir", "Abou Abdellah")
	wantProps(t, r, "birthDate", "1965-12-12", "1958")
	hasProp(t, r, "notes", "birth date circa 1958")
	wantRelProp(t, designation(t, r, "programme:eu-council/eu-taqa"), "listingDate", "2008-07-03")
	// A DPRK listing joins the journal's programme.
	wantRelProp(t, designation(t, recordByRef(t, lp, "eu-fsf:5463"), "programme:eu-council/eu-prk"), "authorityId", "EU.4011.64")
	wantProps(t, recordByRef(t, lp, "eu-fsf:5463"), "position", "Director of Korea Ryongaksan General Trading Corporation")
	wantProps(t, recordByRef(t, lp, "eu-fsf:191"), "gender", "male")
}

func TestEUFSFFixture(t *testing.T) {
	lp := parseListFile(t, "testdata/eu_fsf.xml", "eu-fsf-xml")
	if len(lp.Records) != 3 || len(lp.Rejects) != 0 || lp.Info.Date != "2026-03-02" {
		t.Fatalf("%d records, rejects %v, info %+v", len(lp.Records), lp.Rejects, lp.Info)
	}
	bank := recordByRef(t, lp, "eu-fsf:9001")
	if bank.Entity.Schema != "Organization" {
		t.Errorf("enterprise schema = %s", bank.Entity.Schema)
	}
	wantProps(t, bank, "name", "Foreign Test Bank (FTB)")
	wantProps(t, bank, "alias", "Foreign Test Bank", "Mooyoktest Bank")
	wantProps(t, bank, "weakAlias", "FTB") // the acronym and the strong="false" name
	wantProps(t, bank, "country", "kp")    // citizenship of an organisation, and its address
	wantProps(t, bank, "address", "FTB Building, Jungsong-dong, P.O. Box 12, Pyongyang, Central District, North Korea")
	wantProps(t, bank, "email", "ftb@test.example")
	wantProps(t, bank, "phone", "+850 2 1234")
	wantProps(t, bank, "website", "https://ftb.test.example")
	wantProps(t, bank, "swiftBic", "FTBDKPPY")
	wantProps(t, bank, "registrationNumber", "12345")
	wantProps(t, bank, "idNumber", "A-77")
	wantProps(t, bank, "notes", "SWIFT/BIC FTBDKPPY. Test entry.", "function: Bank", "fax: +850 2 5678", "Trade licence: A-77")
	if got := designations(bank); !reflect.DeepEqual(got, []string{"programme:eu-council/eu-prk", "programme:eu-council/eu-terr"}) {
		t.Fatalf("designations %v", got)
	}
	d := designation(t, bank, "programme:eu-council/eu-prk")
	wantRelProp(t, d, "listingDate", "2017-08-04")
	wantRelProp(t, d, "authorityId", "EU.900.1")
	wantRelProp(t, d, "unscId", "KPe.047")
	wantRelProp(t, d, "reason", "State-owned bank of the DPRK.")
	wantRelProp(t, d, "sourceUrl", "http://eur-lex.europa.eu/legal-content/EN/TXT/PDF/?uri=CELEX:32017R1509&from=EN", "http://eur-lex.europa.eu/legal-content/EN/TXT/PDF/?uri=CELEX:32019R0001")
	if d.Ref != "eu-fsf:9001#EU-PRK" {
		t.Errorf("designation ref %q", d.Ref)
	}
	wantRelProp(t, designation(t, bank, "programme:eu-council/eu-terr"), "programId", "EU-TERR")

	ko := recordByRef(t, lp, "eu-fsf:9002")
	wantProps(t, ko, "name", "Ko Tae Hun")
	wantProps(t, ko, "alias", "Myong Gi Kim")
	wantProps(t, ko, "firstName", "Tae Hun", "Myong Gi")
	wantProps(t, ko, "lastName", "Ko", "Kim")
	wantProps(t, ko, "title", "Dr")
	wantProps(t, ko, "position", "Bank official")
	wantProps(t, ko, "gender", "male")
	wantProps(t, ko, "nationality")
	wantProps(t, ko, "birthDate", "1972-05-25", "1970")
	wantProps(t, ko, "birthPlace", "Pyongyang, North Korea")
	wantProps(t, ko, "passportNumber", "563120630")
	wantProps(t, ko, "taxNumber", "DAOMMD74T11Z352Z")
	wantProps(t, ko, "idNumber", "9030591") // a Person has no imoNumber
	wantProps(t, ko, "notes", "Also known by a nom de guerre.", "citizenship: Atlantis", "birth date circa 1970",
		"born between 1968 and 1971", "birth date 1390 (islamic calendar)", "National passport 563120630: known to be expired", "IMO number: 9030591")
	d = designation(t, ko, "programme:eu-council/eu-prk")
	wantRelProp(t, d, "endDate", "2025-01-31")
	wantRelProp(t, d, "listingDate", "2009-07-16")

	nr := recordByRef(t, lp, "eu-fsf:9003")
	if s := nr.Entity.Sources[0]; s.RecordID != "9003" || len(nr.Entity.Referents) != 0 {
		t.Errorf("no euReferenceNumber: source %+v, referents %v", s, nr.Entity.Referents)
	}
}

func TestEUFSFMalformed(t *testing.T) {
	fixture, err := os.ReadFile("testdata/eu_fsf.xml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(fixture)
	head := text[:strings.Index(text, "    <sanctionEntity")]
	entity := func(attrs, body string) string {
		return head + `<sanctionEntity ` + attrs + `><regulation programme="PRK" publicationDate="2020-01-01" regulationType="x" organisationType="x" entryIntoForceDate="2020-01-01" numberTitle="x" logicalId="1"/><subjectType code="person" classificationCode="P"/>` + body + "</sanctionEntity></export>\n"
	}
	cases := []struct {
		name, text string
		line       int
		want       string
	}{
		{"truncated", text[:len(text)/2], -1, "truncated"},
		{"mismatched tag", strings.Replace(text, "</nameAlias>", "</name>", 1), 15, "not well-formed"},
		{"wrong root", `<?xml version="1.0"?>` + "\n<CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>", 2, "<CONSOLIDATED_LIST>"},
		{"wrong namespace", `<export xmlns="http://example.org/other"><sanctionEntity logicalId="1"/></export>`, 1, "namespace"},
		{"no entities", head + "</export>\n", 3, "no <sanctionEntity>"},
		{"empty", "", 0, "no XML element"},
		{"after the root", text + "<export/>", 0, "follows the </export>"},
	}
	for _, c := range cases {
		lp, err := parseEUFSFBytes("bad.xml", []byte(c.text))
		var fe *FileError
		if !errors.As(err, &fe) {
			t.Errorf("%s: got %+v, %v; want a FileError", c.name, lp, err)
			continue
		}
		if fe.File != "bad.xml" || (c.line > 0 && fe.Line != c.line) || (c.line < 0 && fe.Line <= 0) || !strings.Contains(fe.Error(), c.want) {
			t.Errorf("%s: %v (line %d); want line %d and %q", c.name, fe, fe.Line, c.line, c.want)
		}
	}

	// Entries that cannot be read are rejected, the others kept.
	rejects := []struct {
		name, text, field, want string
	}{
		{"no logicalId", entity(`euReferenceNumber="EU.1.1"`, `<nameAlias wholeName="A B" strong="true"/>`), "sanctionEntity/@logicalId", "no logicalId"},
		{"bad logicalId", entity(`logicalId="12#x"`, `<nameAlias wholeName="A B" strong="true"/>`), "sanctionEntity/@logicalId", "not a number"},
		{"no name", entity(`logicalId="5"`, `<nameAlias wholeName="" strong="true"/>`), "sanctionEntity/nameAlias", "no name"},
	}
	for _, c := range rejects {
		lp, err := parseEUFSFBytes("bad.xml", []byte(c.text))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		checkListParse(t, lp)
		if len(lp.Rejects) != 1 || lp.Rejects[0].Field != c.field || lp.Rejects[0].Line != 3 || lp.Rejects[0].File != "bad.xml" ||
			!strings.Contains(lp.Rejects[0].Msg, c.want) {
			t.Errorf("%s: rejects %v", c.name, lp.Rejects)
		}
	}
	// An unknown subject type keeps the entity as a LegalEntity, and says so.
	lp, err := parseEUFSFBytes("x.xml", []byte(strings.Replace(entity(`logicalId="7"`, `<nameAlias wholeName="A B"/>`), `code="person" classificationCode="P"`, `code="vessel" classificationCode="V"`, 1)))
	if err != nil || len(lp.Records) != 1 || lp.Records[0].Entity.Schema != "LegalEntity" {
		t.Fatalf("%v %+v", err, lp)
	}
	wantProps(t, lp.Records[0], "notes", "subject type: vessel V")
}

func TestEUFSFSniff(t *testing.T) {
	if !sniffEUFSF([]byte(`<?xml version="1.0"?>` + "\n" + `<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2020-04-15T15:29:22.497+02:00">`)) {
		t.Error("sniff FSF = false")
	}
	for _, s := range []string{
		`<?xml version="1.0"?><CONSOLIDATED_LIST xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
		`<?xml version="1.0"?><sdnList xmlns="http://tempuri.org/sdnList.xsd">`,
		`<?xml version="1.0"?><Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML">`,
		euJournalHeaderLine,
		`{"id":"x","schema":"Person"}`,
	} {
		if sniffEUFSF([]byte(s)) {
			t.Errorf("sniff(%.50q) = true", s)
		}
	}
}

func FuzzEUFSF(f *testing.F) {
	if b, err := os.ReadFile("testdata/eu_fsf.xml"); err == nil {
		f.Add(b)
	}
	if b, err := os.ReadFile(graphtest.SharedDir() + "/" + euFSFSample); err == nil {
		f.Add(b[:min(len(b), 6000)])
		f.Add(b)
	}
	f.Add([]byte(`<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="x"><sanctionEntity logicalId="1"><nameAlias wholeName="A"/><birthdate year="99999999999" monthOfYear="-3"/></sanctionEntity></export>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lp, err := parseEUFSFBytes("fuzz.xml", data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != "fuzz.xml" || fe.Msg == "" {
				t.Fatalf("error %v is not a FileError", err)
			}
			return
		}
		checkListParse(t, lp)
		for _, e := range lp.Rejects {
			if e.Line < 1 || e.Field == "" || e.Msg == "" {
				t.Fatalf("badly located reject %+v", e)
			}
		}
	})
}

// BenchmarkEUFSF parses an FSF export of 21,000 entities made of the
// sample's (the real export, about 5,800 entities, is not in the shared
// data).
func BenchmarkEUFSF(b *testing.B) {
	data, err := os.ReadFile(graphtest.SharedData(b, euFSFSample))
	if err != nil {
		b.Fatal(err)
	}
	s := string(data)
	start, end := strings.Index(s, "<sanctionEntity"), strings.LastIndex(s, "</export>")
	body := s[start:end]
	id := regexp.MustCompile(`(<sanctionEntity[^>]*logicalId=")(\d+)`)
	var buf bytes.Buffer
	buf.WriteString(s[:start])
	for i := 0; i < 3000; i++ {
		n := 0
		buf.WriteString(id.ReplaceAllStringFunc(body, func(m string) string {
			n++
			return id.ReplaceAllString(m, fmt.Sprintf("${1}%d", i*10+n))
		}))
	}
	buf.WriteString("</export>\n")
	big := buf.Bytes()
	b.SetBytes(int64(len(big)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lp, err := parseEUFSFBytes("big.xml", big)
		if err != nil || len(lp.Records) != 21000 {
			b.Fatalf("%v, %d records", err, len(lp.Records))
		}
	}
}

package ingest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// latin1 is "Société Générale Müller" in ISO-8859-1 / Windows-1252.
const latin1 = "Soci\xe9t\xe9 G\xe9n\xe9rale M\xfcller"

const latin1Decoded = "Société Générale Müller"

func readFixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// withOFACMain copies the OFAC fixture set into a new folder with sdn.csv
// replaced by sdn, and returns the new sdn.csv's path.
func withOFACMain(t *testing.T, sdn []byte) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"add.csv", "alt.csv", "sdn_comments.csv"} {
		if err := os.WriteFile(filepath.Join(dir, f), readFixture(t, filepath.Join("testdata/ofac_set", f)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "sdn.csv")
	if err := os.WriteFile(p, sdn, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// entityNamed finds an entity by its record ref.
func entityNamed(t *testing.T, s *store.Store, ref string) *graph.Entity {
	t.Helper()
	id, err := s.Resolve(context.Background(), ref)
	if err != nil {
		t.Fatalf("resolve %s: %v", ref, err)
	}
	e, err := s.Entity(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func noReplacementChar(t *testing.T, s *store.Store) {
	t.Helper()
	err := s.View(context.Background(), func(tx *store.Tx) error {
		return tx.ScanEntities(func(e *graph.Entity) error {
			for p, vs := range e.Props {
				for _, v := range vs {
					if strings.ContainsRune(v, '\uFFFD') {
						t.Errorf("%s %s = %q holds U+FFFD", e.Ref, p, v)
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Each CSV reader takes Windows-1252 (as official files and spreadsheets
// are written) and decodes it; the summary names the encoding.
func TestCSVReadersDecodeWindows1252(t *testing.T) {
	sdn := bytes.Replace(readFixture(t, "testdata/ofac_set/sdn.csv"), []byte("MINGZHENG INTERNATIONAL TRADING LIMITED"), []byte(latin1), 1)
	eu := bytes.Replace(readFixture(t, "testdata/eu_journal_consolidated.csv"), []byte("Test Trade Bank (TTB)"), []byte(latin1), 1)
	findings := bytes.Replace(readFixture(t, "testdata/findings.csv"), []byte("Russian Financial Society,"), []byte(latin1+","), 1)
	tests := []struct {
		name, file string
		data       []byte
		ref        string
	}{
		{"OFAC sdn.csv", "sdn.csv", sdn, "ofac:22583"},
		{"EU journal CSV", "32099R0999.csv", eu, "eu:32099R0999:XIII.B:47"},
		{"findings CSV", "findings.csv", findings, "finding:rfs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var path string
			if tt.file == "sdn.csv" {
				path = withOFACMain(t, tt.data)
			} else {
				path = writeFile(t, tt.file, string(tt.data))
			}
			s := storetest.Open(t, store.Options{})
			sums, err := ingestFiles(t, s, ingest.Options{}, path)
			if err != nil {
				t.Fatalf("ingest: %v", err)
			}
			if sums[0].Encoding != ingest.EncodingWindows1252 {
				t.Errorf("encoding = %q, want %q", sums[0].Encoding, ingest.EncodingWindows1252)
			}
			if e := entityNamed(t, s, tt.ref); e.Name() != latin1Decoded && !containsName(e, latin1Decoded) {
				t.Errorf("%s names %q, want %q", tt.ref, e.Names(), latin1Decoded)
			}
			noReplacementChar(t, s)
		})
	}
}

func containsName(e *graph.Entity, n string) bool {
	for _, x := range e.Names() {
		if x == n {
			return true
		}
	}
	return false
}

// FollowTheMoney JSON must be UTF-8: a Latin-1 line fails the file, naming
// the line and the byte offset, and nothing is stored.
func TestFTMRefusesLatin1(t *testing.T) {
	good := `{"id":"a","schema":"Company","properties":{"name":["Alpha"]}}` + "\n"
	bad := `{"id":"b","schema":"Company","properties":{"name":["` + latin1 + `"]}}` + "\n"
	path := writeFile(t, "entities.ftm.json", good+good[:0]+bad)
	s := storetest.Open(t, store.Options{})
	_, err := ingestFiles(t, s, ingest.Options{}, path)
	var fe *ingest.FileError
	if !errors.As(err, &fe) || fe.Line != 2 || !strings.Contains(fe.Msg, "byte offset") || !strings.Contains(fe.Msg, "not UTF-8") {
		t.Fatalf("err = %v, want a file error at line 2 naming the byte offset", err)
	}
	if want := len(good) + strings.Index(bad, "\xe9"); !strings.Contains(fe.Msg, "byte offset "+itoa(want)) {
		t.Errorf("message %q, want byte offset %d", fe.Msg, want)
	}
	st, err := s.Stats(context.Background())
	if err != nil || st.Entities != 0 {
		t.Errorf("stats after the refused file: %+v %v", st, err)
	}
}

func itoa(n int) string {
	var b []byte
	for n >= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(append([]byte{byte('0' + n)}, b...))
}

// A CSV that has UTF-8 characters and then a byte that is not UTF-8 is
// neither encoding: refused, naming the line.
func TestCSVMixedEncodingsRefused(t *testing.T) {
	data := bytes.Replace(readFixture(t, "testdata/findings.csv"), []byte("Russian Financial Society,"), []byte("Российское общество,"), 1)
	data = append(data, []byte("entity,finding:x,Company,"+latin1+",,,,,,,,,,,,,,\n")...)
	path := writeFile(t, "findings.csv", string(data))
	_, err := ingestFiles(t, storetest.Open(t, store.Options{}), ingest.Options{}, path)
	var fe *ingest.FileError
	if !errors.As(err, &fe) || fe.Line != bytes.Count(data, []byte("\n")) || !strings.Contains(fe.Msg, "neither UTF-8") {
		t.Fatalf("err = %v, want a file error at the last line", err)
	}
}

// A UTF-16 file (Excel's "Unicode text") is decoded, and recognised for
// what it holds.
func TestUTF16Decoded(t *testing.T) {
	text := string(readFixture(t, "testdata/findings.csv"))
	units := utf16.Encode([]rune(text))
	b := []byte{0xff, 0xfe}
	for _, u := range units {
		b = append(b, byte(u), byte(u>>8))
	}
	path := writeFile(t, "findings.csv", string(b))
	s := storetest.Open(t, store.Options{})
	sums, err := ingestFiles(t, s, ingest.Options{}, path)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	if sums[0].Format != "findings" || sums[0].Encoding != ingest.EncodingUTF16 {
		t.Errorf("format %q encoding %q, want findings in utf-16", sums[0].Format, sums[0].Encoding)
	}
	if e := entityNamed(t, s, "finding:rfs"); e.Name() != "Russian Financial Society" {
		t.Errorf("name %q", e.Name())
	}
}

// An XML list declared ISO-8859-1 is read in that encoding.
func TestXMLLatin1Declaration(t *testing.T) {
	utf8Doc := readFixture(t, "testdata/un_small.xml")
	utf8Doc = bytes.Replace(utf8Doc, []byte(`encoding="UTF-8"`), []byte(`encoding="ISO-8859-1"`), 1)
	if !bytes.Contains(utf8Doc, []byte("ISO-8859-1")) || !bytes.Contains(utf8Doc, []byte("<FIRST_NAME>")) {
		t.Fatal("fixture has no declaration or names to change")
	}
	i := bytes.Index(utf8Doc, []byte("<FIRST_NAME>")) + len("<FIRST_NAME>")
	j := i + bytes.Index(utf8Doc[i:], []byte("</FIRST_NAME>"))
	utf8Doc = append(append(append([]byte{}, utf8Doc[:i]...), []byte("Jörg")...), utf8Doc[j:]...)
	// Written in ISO-8859-1: characters beyond it as character references.
	var data []byte
	for _, r := range string(utf8Doc) {
		if r < 0x100 {
			data = append(data, byte(r))
		} else {
			data = append(data, []byte("&#"+itoa(int(r))+";")...)
		}
	}
	path := writeFile(t, "un.xml", string(data))
	s := storetest.Open(t, store.Options{})
	if _, err := ingestFiles(t, s, ingest.Options{Partial: true}, path); err != nil {
		t.Fatalf("ingest: %v", err)
	}
	found := false
	s.View(context.Background(), func(tx *store.Tx) error {
		return tx.ScanEntities(func(e *graph.Entity) error {
			found = found || strings.Contains(e.Name(), "Jörg") || strings.Contains(strings.ToUpper(e.Name()), "JÖRG")
			return nil
		})
	})
	if !found {
		t.Error("no entity named Jörg after reading the ISO-8859-1 file")
	}
	noReplacementChar(t, s)
}

// An OFAC sdn.csv cut mid-row at a field boundary fails the run and
// changes nothing (before, the rows before the cut were committed).
func TestOFACCutShortChangesNothing(t *testing.T) {
	full := readFixture(t, "testdata/ofac_set/sdn.csv")
	s := storetest.Open(t, store.Options{})
	if _, err := ingestFiles(t, s, ingest.Options{}, withOFACMain(t, full)); err != nil {
		t.Fatal(err)
	}
	before, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Cut the last entry after its fourth field, where a download or a
	// copy may stop; the name of an entry is changed first, to see that
	// nothing of the cut file lands.
	lines := bytes.Split(bytes.TrimRight(full, "\x1a\r\n"), []byte("\n"))
	last := lines[len(lines)-1]
	fields := 0
	cut := 0
	for i, c := range last {
		if c == ',' {
			if fields++; fields == 4 {
				cut = i
				break
			}
		}
	}
	cutFile := append(bytes.Join(lines[:len(lines)-1], []byte("\n")), '\n')
	cutFile = bytes.Replace(cutFile, []byte("MINGZHENG INTERNATIONAL TRADING LIMITED"), []byte("MINGZHENG RENAMED LIMITED"), 1)
	cutFile = append(cutFile, last[:cut]...)
	_, err = ingestFiles(t, s, ingest.Options{}, withOFACMain(t, cutFile))
	var fe *ingest.FileError
	if !errors.As(err, &fe) || fe.Line != len(lines) || !strings.Contains(fe.Msg, "cut short") {
		t.Fatalf("err = %v, want a file error at line %d saying the file is cut short", err, len(lines))
	}
	after, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if before.Entities != after.Entities || before.Relationships != after.Relationships || before.Records != after.Records {
		t.Errorf("stats %+v after the refused file, %+v before", after, before)
	}
	if e := entityNamed(t, s, "ofac:22583"); e.Name() != "MINGZHENG INTERNATIONAL TRADING LIMITED" {
		t.Errorf("ofac:22583 is %q: the cut file changed it", e.Name())
	}
}

// An OFAC file cut at a line boundary (no row cut short) lacks OFAC's
// end-of-file byte: the entries it lacks are not delisted, and the summary
// says why. The same file with the byte delists them, naming each.
func TestOFACDelistingNeedsTheEndOfFileByte(t *testing.T) {
	full := readFixture(t, "testdata/ofac_set/sdn.csv")
	s := storetest.Open(t, store.Options{})
	if _, err := ingestFiles(t, s, ingest.Options{}, withOFACMain(t, full)); err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(bytes.TrimRight(full, "\x1a"), []byte("\n"))
	cut := bytes.Join(lines[:len(lines)-3], nil) // the last two entries gone, and the 0x1A
	sums, err := ingestFiles(t, s, ingest.Options{}, withOFACMain(t, cut))
	if err != nil {
		t.Fatal(err)
	}
	l := sums[0].List
	if len(l.Delisted) != 0 || !strings.Contains(l.DelistSkipped, "evidence") || l.Complete != "" {
		t.Fatalf("cut file: delisted %v, skipped %q, complete %q", l.Delisted, l.DelistSkipped, l.Complete)
	}
	whole := append(append([]byte{}, cut...), '\x1a')
	sums, err = ingestFiles(t, s, ingest.Options{}, withOFACMain(t, whole))
	if err != nil {
		t.Fatal(err)
	}
	l = sums[0].List
	if len(l.Delisted) != 2 || l.Complete == "" {
		t.Errorf("whole file: delisted %v (want the two entries it lacks), complete %q", l.Delisted, l.Complete)
	}
}

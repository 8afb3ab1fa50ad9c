package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// An FtM file whose first line is longer than what detection looks at (an
// entity with thousands of names) is still FtM, not "a JSON document".
func TestFTMLongFirstLine(t *testing.T) {
	names := make([]string, 5000)
	for i := range names {
		names[i] = fmt.Sprintf(`"Name number %d"`, i)
	}
	line := `{"id":"long","schema":"Company","properties":{"alias":[` + strings.Join(names, ",") + `],"name":["Long"]}}`
	if len(line) < 70<<10 {
		t.Fatalf("line of %d bytes is not longer than 64 KiB", len(line))
	}
	path := writeFile(t, "long.ftm.json", line+"\n")
	sums, err := ingestFiles(t, storetest.Open(t, store.Options{}), ingest.Options{}, path)
	if err != nil || sums[0].Format != "ftm" || sums[0].Added != 1 {
		t.Fatalf("ingest: %+v %v", sums, err)
	}
}

// A record too large to store in one transaction fails the file naming
// its file and line.
func TestRecordTooLargeNamesFileAndLine(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a record of tens of MB")
	}
	var names []string
	for i := 0; i < 60000; i++ {
		names = append(names, fmt.Sprintf(`"Alias %d %s"`, i, strings.Repeat("x", 200)))
	}
	small := `{"id":"a","schema":"Company","properties":{"name":["Alpha"]}}`
	big := `{"id":"huge","schema":"Company","properties":{"name":["Huge"],"alias":[` + strings.Join(names, ",") + `]}}`
	path := writeFile(t, "big.ftm.json", small+"\n"+big+"\n")
	_, err := ingestFiles(t, storetest.Open(t, store.Options{}), ingest.Options{}, path)
	var fe *ingest.FileError
	if !errors.As(err, &fe) || fe.File != path || fe.Line != 2 || !strings.Contains(fe.Error(), `"huge"`) {
		t.Fatalf("err = %v, want a file error naming %s line 2 and the record", err, path)
	}
}

// Lines that repeat an id replace the earlier record; the summary counts
// them.
func TestFTMRepeatedIDsCounted(t *testing.T) {
	a := `{"id":"a","schema":"Company","properties":{"name":["Alpha"]}}`
	a2 := `{"id":"a","schema":"Company","properties":{"name":["Alpha Two"]}}`
	b := `{"id":"b","schema":"Company","properties":{"name":["Beta"]}}`
	path := writeFile(t, "dup.ftm.json", strings.Join([]string{a, b, a2, a}, "\n")+"\n")
	sums, err := ingestFiles(t, storetest.Open(t, store.Options{}), ingest.Options{}, path)
	if err != nil || sums[0].Replaced != 2 {
		t.Fatalf("replaced = %+v %v, want 2", sums, err)
	}
}

// A date that is no date and a country that is no country leave their
// property for the notes, named with file and line; the record is kept and
// a country name becomes its code.
func TestFTMValuesChecked(t *testing.T) {
	line := `{"id":"p","schema":"Person","properties":{"name":["P"],"birthDate":["99999-99-99","1970"],"nationality":["ru\"><script>","Russia"]}}`
	path := writeFile(t, "vals.ftm.json", line+"\n")
	s := storetest.Open(t, store.Options{})
	sums, err := ingestFiles(t, s, ingest.Options{}, path)
	if err != nil {
		t.Fatal(err)
	}
	if sums[0].ValuesLeftOut != 2 || len(sums[0].ValueErrors) != 2 || sums[0].ValueErrors[0].Line != 1 || sums[0].ValueErrors[0].File != path {
		t.Fatalf("values left out %d: %v", sums[0].ValuesLeftOut, sums[0].ValueErrors)
	}
	e := entityNamed(t, s, "p")
	if got := e.Props["birthDate"]; len(got) != 1 || got[0] != "1970" {
		t.Errorf("birthDate %q", got)
	}
	if got := e.Props["nationality"]; len(got) != 1 || got[0] != "ru" {
		t.Errorf("nationality %q", got)
	}
	notes := strings.Join(e.Props["notes"], "|")
	if !strings.Contains(notes, "birthDate: 99999-99-99") || !strings.Contains(notes, `nationality: ru"><script>`) {
		t.Errorf("notes %q", notes)
	}
}

// The sources an FtM line states in full (sanctionsgraph's FtM export
// writes them) are kept as they are; one without a dataset is rejected
// naming the file, line and field.
func TestFTMSources(t *testing.T) {
	good := `{"id":"a","schema":"Company","properties":{"name":["Alpha"]},"sources":[{"dataset":"findings","recordId":"f1","url":"https://home.treasury.gov/news/press-releases/sm711","date":"2019-06-19","quote":"opened multiple bank accounts"}]}`
	bad := `{"id":"b","schema":"Company","properties":{"name":["Beta"]},"sources":[{"url":"https://example.org"}]}`
	path := writeFile(t, "src.ftm.json", good+"\n"+bad+"\n")
	st := storetest.Open(t, store.Options{})
	sums, err := ingestFiles(t, st, ingest.Options{}, path)
	if err != nil || sums[0].Added != 1 || sums[0].Rejected != 1 {
		t.Fatalf("ingest: %+v %v", sums, err)
	}
	if r := sums[0].Rejects[0]; r.Line != 2 || r.Field != "sources[0].dataset" {
		t.Errorf("reject = %v, want line 2, field sources[0].dataset", r)
	}
	id, err := st.Resolve(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	e, err := st.Entity(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Sources) != 1 || e.Sources[0].URL != "https://home.treasury.gov/news/press-releases/sm711" || e.Sources[0].Quote != "opened multiple bank accounts" || e.Sources[0].Date != "2019-06-19" || e.Sources[0].RecordID != "f1" {
		t.Errorf("sources = %+v", e.Sources)
	}
}

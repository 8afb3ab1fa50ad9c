package ingest

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// parseListFile detects the format of the list file at path and parses it
// without a store. It fails the test if the format is not want.
func parseListFile(tb testing.TB, path, want string) *ListParse {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	in := bufio.NewReaderSize(f, 1<<20)
	format, err := detect(path, in)
	if err != nil {
		tb.Fatalf("detect %s: %v", path, err)
	}
	if format != want {
		tb.Fatalf("detect %s = %q, want %q", path, format, want)
	}
	lp, err := lookupListFormat(format).parse(context.Background(), &listSource{Name: path, Path: path, In: in})
	if err != nil {
		tb.Fatalf("parse %s: %v", path, err)
	}
	checkListParse(tb, lp)
	return lp
}

// checkListParse checks what every list parser must produce: one entity
// per record under the list's prefix, with a name and a source of the
// list's dataset; edges that start at the entry and cite the list.
func checkListParse(tb testing.TB, lp *ListParse) {
	tb.Helper()
	if lp.Info.Dataset == "" || lp.Info.Prefix == "" {
		tb.Fatalf("list info without dataset or prefix: %+v", lp.Info)
	}
	seen := map[string]bool{}
	for _, r := range lp.Records {
		if !strings.HasPrefix(r.Ref, lp.Info.Prefix) {
			tb.Fatalf("record %q is not under the list prefix %q", r.Ref, lp.Info.Prefix)
		}
		if seen[r.Ref] {
			tb.Fatalf("record %q appears twice", r.Ref)
		}
		seen[r.Ref] = true
		e := r.Entity
		if e == nil || e.Ref != r.Ref {
			tb.Fatalf("record %q has no entity of the same ref", r.Ref)
		}
		if _, ok := graph.LookupSchema(e.Schema); !ok {
			tb.Fatalf("record %q: unknown schema %q", r.Ref, e.Schema)
		}
		if e.Name() == "" || len(e.Props["name"]) == 0 {
			tb.Fatalf("record %q has no name", r.Ref)
		}
		if len(e.Sources) == 0 || e.Sources[0].Dataset != lp.Info.Dataset || e.Sources[0].RecordID == "" {
			tb.Fatalf("record %q: source %+v does not cite the list", r.Ref, e.Sources)
		}
		for p, vals := range e.Props {
			if def, ok := e.SchemaDef().Props[p]; !ok && p != "notes" {
				tb.Fatalf("record %q: property %q is not a property of %s", r.Ref, p, e.Schema)
			} else if ok && def.Type == "date" {
				for _, v := range vals {
					if _, ok := graph.ParseDay(v, false); !ok {
						tb.Fatalf("record %q: %s %q is not an FtM date", r.Ref, p, v)
					}
				}
			} else if ok && def.Type == "country" {
				for _, v := range vals {
					if graph.CountryName(v) == "" {
						tb.Fatalf("record %q: %s %q is not an FtM country code", r.Ref, p, v)
					}
				}
			}
			for _, v := range vals {
				if v == "" || v != strings.TrimSpace(v) {
					tb.Fatalf("record %q: %s has an untrimmed or empty value %q", r.Ref, p, v)
				}
			}
		}
		for _, rel := range r.Relationships {
			if (rel.SourceRef != r.Ref && rel.TargetRef != r.Ref) || rel.TargetRef == "" || rel.SourceRef == "" || len(rel.Sources) == 0 || rel.Sources[0].Dataset != lp.Info.Dataset {
				tb.Fatalf("record %q: relationship %+v does not touch the entry or does not cite the list", r.Ref, rel)
			}
			if rel.Kind == graph.RelDesignatedBy && !strings.HasPrefix(rel.TargetRef, "programme:") && !strings.HasPrefix(rel.TargetRef, "authority:") {
				tb.Fatalf("record %q: designation points at %q", r.Ref, rel.TargetRef)
			}
		}
	}
}

// designations returns the programme refs an entry is designated under.
func designations(r graph.Record) []string {
	var out []string
	for _, rel := range r.Relationships {
		if rel.Kind == graph.RelDesignatedBy {
			out = append(out, rel.TargetRef)
		}
	}
	return out
}

// recordByRef returns the record with ref.
func recordByRef(tb testing.TB, lp *ListParse, ref string) graph.Record {
	tb.Helper()
	for _, r := range lp.Records {
		if r.Ref == ref {
			return r
		}
	}
	tb.Fatalf("no record %q", ref)
	return graph.Record{}
}

func TestListDate(t *testing.T) {
	cases := map[string]string{
		"2017-08-05": "2017-08-05", "5 Aug. 2017": "2017-08-05", "05 Aug 2017": "2017-08-05",
		"August 5, 2017": "2017-08-05", "16.7.2009": "2009-07-16", "27/04/2020": "2020-04-27",
		"Aug 2017": "2017-08", "1969": "1969", "1969-02": "1969-02", "2017-08-05T00:00:00": "2017-08-05",
		"31.2.2011": "", "circa 1960": "", "1960 to 1962": "", "": "", "Foo 2017": "", "Sept 2001": "2001-09",
	}
	for in, want := range cases {
		if got := listDate(in); got != want {
			t.Errorf("listDate(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitAcronym(t *testing.T) {
	cases := [][3]string{
		{"FOREIGN TRADE BANK (FTB)", "FOREIGN TRADE BANK", "FTB"},
		{"Korea Kwangson Banking Corporation (KKBC)", "Korea Kwangson Banking Corporation", "KKBC"},
		{"Belinvestbank (Belarusian Bank for Development and Reconstruction)", "Belinvestbank (Belarusian Bank for Development and Reconstruction)", ""},
		{"SOMETHING (A)", "SOMETHING (A)", ""},
		{"PLAIN NAME", "PLAIN NAME", ""},
	}
	for _, c := range cases {
		if b, a := splitAcronym(c[0]); b != c[1] || a != c[2] {
			t.Errorf("splitAcronym(%q) = %q, %q; want %q, %q", c[0], b, a, c[1], c[2])
		}
	}
}

func TestIdentifiersInText(t *testing.T) {
	got := identifiersInText("Foreign Trade Bank ... Korea Kwangson Banking Corporation.  SWIFT/BIC: FTBDKPPY. Vessel IMO 9030591; IMO 1234568")
	if len(got["swiftBic"]) != 1 || got["swiftBic"][0] != "FTBDKPPY" {
		t.Errorf("swiftBic = %v", got["swiftBic"])
	}
	if len(got["imoNumber"]) != 1 || got["imoNumber"][0] != "9030591" { // 1234568 fails the check digit
		t.Errorf("imoNumber = %v", got["imoNumber"])
	}
}

func TestNameTable(t *testing.T) {
	nt := newNameTable()
	nt.add("ofac:1", "FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA", true)
	nt.add("ofac:1", "NORTH KOREA'S FOREIGN TRADE BANK", false)
	nt.add("ofac:2", "KIM, Chol", true)
	nt.add("ofac:3", "KIM, Chol", true)
	nt.add("ofac:4", "ACME TRADING CO., LTD.", true)
	if ref, why := nt.resolve("FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA"); ref != "ofac:1" {
		t.Errorf("resolve FTB = %q (%s)", ref, why)
	}
	if ref, _ := nt.resolve("North Korea's Foreign Trade Bank"); ref != "ofac:1" {
		t.Errorf("resolve alias = %q", ref)
	}
	if ref, why := nt.resolve("KIM, Chol"); ref != "" || !strings.Contains(why, "2 entries") {
		t.Errorf("resolve ambiguous = %q, %q", ref, why)
	}
	if ref, _ := nt.resolve("ACME TRADING LIMITED"); ref != "ofac:4" {
		t.Errorf("resolve by name key = %q", ref)
	}
	if ref, why := nt.resolve("NOBODY"); ref != "" || why == "" {
		t.Errorf("resolve unknown = %q, %q", ref, why)
	}
}

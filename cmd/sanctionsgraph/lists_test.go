package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
)

// entityJSON runs "entity --json" and decodes it.
func entityJSON(t *testing.T, db, id string) *entityView {
	t.Helper()
	out, stderr, err := run(t, "entity", "--db", db, "--json", id)
	if err != nil {
		t.Fatalf("entity %s: %v\n%s", id, err, stderr)
	}
	var v entityView
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("entity %s: %v", id, err)
	}
	return &v
}

// designationKeys lists "authority / programme / reference" of an entity's
// designations.
func designationKeys(v *entityView) []string {
	var out []string
	for _, d := range v.Designations {
		out = append(out, d.Authority+" / "+d.Programme+" / "+d.Reference)
	}
	sort.Strings(out)
	return out
}

// The acceptance case of the official lists: from the OFAC SDN set, the UN
// list and the EU journal's DPRK annexes alone, FTB and KKBC are each one
// entity designated by all three, and "how is Mingzheng International
// Trading linked to FTB" is answered with each hop citing the list record
// that states it.
func TestOfficialListsOneParty(t *testing.T) {
	sdn := graphtest.SharedData(t, "ofac/sdn.csv")
	un := graphtest.SharedData(t, "un/UN_consolidated_2026-02-27.xml")
	eu := graphtest.SharedData(t, "eu/opensanctions-eu-journal/consolidated/32017R1509.csv")
	db := filepath.Join(t.TempDir(), "db")
	out, stderr, err := run(t, "ingest", "--db", db, sdn, filepath.Join(filepath.Dir(sdn), "add.csv"), filepath.Join(filepath.Dir(sdn), "alt.csv"), un, eu)
	if err != nil {
		t.Fatalf("ingest: %v\n%s\n%s", err, out, stderr)
	}
	for _, want := range []string{"list us_ofac_sdn: 14965 entries; 6369 links stated by name became edges, 12 could not be resolved",
		"list un_sc_sanctions of 2026-02-27: 1003 entries", "merged: "} {
		if !strings.Contains(out, want) {
			t.Errorf("ingest output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr, "read with its main file") {
		t.Errorf("siblings named on the command line were not recognised: %s", stderr)
	}
	for _, c := range []struct {
		refs []string
		want []string
	}{
		{[]string{"ofac:15603", "un:6908622", "eu:32017R1509:XIII.B:47", "KPe.047"}, []string{
			"EU Council / EU-PRK / 32017R1509 XIII.B 47",
			"UN Security Council / 1718 Committee / KPe.047",
			"US OFAC / DPRK3 / 15603",
			"US OFAC / NPWMD / 15603",
		}},
		{[]string{"ofac:11581", "un:6908518", "eu:32017R1509:XIII.B:25", "KPe.025"}, []string{
			"EU Council / EU-PRK / 32017R1509 XIII.B 25",
			"UN Security Council / 1718 Committee / KPe.025",
			"US OFAC / NPWMD / 11581",
		}},
	} {
		first := entityJSON(t, db, c.refs[0])
		if got := designationKeys(first); !slices.Equal(got, c.want) {
			t.Errorf("%s designations:\n got %q\nwant %q", c.refs[0], got, c.want)
		}
		for _, ref := range c.refs[1:] {
			if v := entityJSON(t, db, ref); v.UUID != first.UUID {
				t.Errorf("%s is entity %s, %s is %s: not one party", ref, v.UUID, c.refs[0], first.UUID)
			}
		}
		merges, _, err := run(t, "merges", "--db", db, c.refs[0])
		if err != nil || !strings.Contains(merges, "one party of ") {
			t.Errorf("merges %s: %v\n%s", c.refs[0], err, merges)
		}
	}
	// Mingzheng -> FTB: one hop, stated by OFAC entry 22583.
	out, stderr, err = run(t, "path", "--db", db, "--json", "--k", "3", "ofac:22583", "ofac:15603")
	if err != nil {
		t.Fatalf("path: %v\n%s", err, stderr)
	}
	var res struct {
		Paths []cliPath `json:"paths"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Paths) == 0 || len(res.Paths[0].Steps) != 1 {
		t.Fatalf("paths %s", out)
	}
	step := res.Paths[0].Steps[0]
	r := step.Relationships[0]
	if r.Kind.String() != "linked-to" || !step.Forward || len(r.Sources) == 0 || r.Sources[0].Dataset != "us_ofac_sdn" ||
		r.Sources[0].RecordID != "22583" || !strings.Contains(r.Sources[0].Quote, "Linked To: FOREIGN TRADE BANK") {
		t.Errorf("step %+v, sources %+v", step, r.Sources)
	}
	// The second path goes through SUN Wei, each hop citing its entry.
	if len(res.Paths) < 2 || len(res.Paths[1].Steps) != 2 {
		t.Fatalf("second path %s", out)
	}
	for _, s := range res.Paths[1].Steps {
		for _, r := range s.Relationships {
			if len(r.Sources) == 0 || r.Sources[0].Dataset != "us_ofac_sdn" || r.Sources[0].Quote == "" {
				t.Errorf("hop %s -> %s does not cite the list: %+v", s.From.Name, s.To.Name, r.Sources)
			}
		}
	}
	// Re-ingesting changes nothing and keeps the parties.
	out, _, err = run(t, "ingest", "--db", db, sdn, un, eu)
	if err != nil || strings.Contains(out, "added 1") || !strings.Contains(out, "merged: no new records") {
		t.Errorf("re-ingest: %v\n%s", err, out)
	}
}

// fetch downloads each list from a (here local) HTTP server, checks it is
// the list it asked for, and ingests it.
func TestFetch(t *testing.T) {
	dir := graphtest.SharedDir()
	graphtest.SharedData(t, "ofac/sdn.csv")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	db := filepath.Join(t.TempDir(), "db")
	for _, c := range []struct {
		list, path, want string
		code             int
	}{
		{"ofac", "/ofac/sdn.csv", "list us_ofac_sdn: 14965 entries", 0},
		{"un", "/un/UN_consolidated_2026-02-27.xml", "list un_sc_sanctions of 2026-02-27: 1003 entries", 0},
		{"uk", "/format-samples/deriv-perl-Data-Validate-Sanctions/sample_hmt.csv", "list gb_hmt_sanctions", 0},
		// The EU sample (a test file of a screening library) gives logicalId
		// 5468 to two different people at lines 43 and 110: the second is
		// rejected, the rest stored, and fetch exits with status 3.
		{"eu", "/format-samples/deriv-perl-Data-Validate-Sanctions/sample_eu.xml",
			"eu-fsf.xml:110: sanctionEntity/@logicalId: logicalId 5468 is also the id of the entity at line 43", exitRejected},
	} {
		out, stderr, err := run(t, "fetch", "--db", db, "--url", srv.URL+c.path, c.list)
		if cli.ExitCode(err) != c.code {
			t.Fatalf("fetch %s: exit status %d, want %d: %v\n%s\n%s", c.list, cli.ExitCode(err), c.code, err, out, stderr)
		}
		if !strings.Contains(out, c.want) || !strings.Contains(stderr, "fetched "+srv.URL+c.path) {
			t.Errorf("fetch %s:\n%s\n%s", c.list, out, stderr)
		}
	}
	if v := entityJSON(t, db, "ofac:15603"); !slices.Contains(v.Entity.Props["alias"], "NORTH KOREA'S FOREIGN TRADE BANK") {
		t.Errorf("fetched OFAC entry lacks its alias from alt.csv: %v", v.Entity.Props["alias"])
	}
	before := statsJSON(t, db)
	// A missing file, or a page that is not the list, changes nothing.
	_, _, err := run(t, "fetch", "--db", db, "--url", srv.URL+"/un/missing.xml", "un")
	if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("404: %v", err)
	}
	_, _, err = run(t, "fetch", "--db", db, "--url", srv.URL+"/ofac/sdn.csv", "un")
	if err == nil || !strings.Contains(err.Error(), "did not send the UN Security Council consolidated list") {
		t.Errorf("wrong content: %v", err)
	}
	_, _, err = run(t, "fetch", "--db", db, "--url", "ftp://example.org/x", "un")
	if cli.ExitCode(err) != cli.ExitUsage {
		t.Errorf("ftp URL: %v", err)
	}
	if after := statsJSON(t, db); !mapsEqual(before, after) {
		t.Errorf("failed fetches changed the store")
	}
}

func mapsEqual(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestNamesOnRealListsCommands: on the real lists, the commands take
// names, identifiers and record ids where they take an id (issue 11),
// name a merged party by its one id, say what a name resolved to, list
// the candidates of an ambiguous name, count parties and records, and
// keep the list versions of each run.
func TestNamesOnRealListsCommands(t *testing.T) {
	sdn := graphtest.SharedData(t, "ofac/sdn.csv")
	un := graphtest.SharedData(t, "un/UN_consolidated_2026-02-27.xml")
	eu := graphtest.SharedData(t, "eu/opensanctions-eu-journal/consolidated/32017R1509.csv")
	db := filepath.Join(t.TempDir(), "db")
	if out, stderr, err := run(t, "ingest", "--db", db, "--list-date", "2024-05-03", sdn); err != nil {
		t.Fatalf("ingest: %v\n%s\n%s", err, out, stderr)
	}
	if out, stderr, err := run(t, "ingest", "--db", db, un, eu); err != nil {
		t.Fatalf("ingest: %v\n%s\n%s", err, out, stderr)
	}

	out, stderr, err := run(t, "path", "--db", db, "Dandong Zongsheng", "Foreign Trade Bank of the DPRK")
	if err != nil {
		t.Fatalf("path: %v\n%s", err, stderr)
	}
	for _, want := range []string{`"Dandong Zongsheng": name match DANDONG ZHONGSHENG INDUSTRY & TRADE CO., LTD. [Organization] ofac:24518 (matched "DANDONG ZHONGSHENG INDUSTRY & TRADE CO., LTD.", score 0.84)`,
		`"Foreign Trade Bank of the DPRK": name match FOREIGN TRADE BANK (FTB) [Organization] un:6908622`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("path stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(out, "path 1 (1 hop):\n  DANDONG ZHONGSHENG INDUSTRY & TRADE CO., LTD.  -[linked-to]->  FOREIGN TRADE BANK (FTB)") {
		t.Errorf("path output:\n%s", out)
	}
	if out, _, err := run(t, "path", "--db", db, "ofac:15603", "eu:32017R1509:XIII.B:47"); err != nil || !strings.Contains(out, "name the same entity, FOREIGN TRADE BANK (FTB) (un:6908622)") {
		t.Errorf("path between two records of one party = %q, %v", out, err)
	}
	_, _, err = run(t, "path", "--db", db, "Foreign Trade Bank", "FTBDKPPY")
	if cli.ExitCode(err) != cli.ExitFailed || err == nil || !strings.Contains(err.Error(), `"Foreign Trade Bank" names more than one entity`) ||
		!strings.Contains(err.Error(), "ofac:42796  MYANMA FOREIGN TRADE BANK") {
		t.Errorf("ambiguous name: %v", err)
	}
	if out, stderr, err := run(t, "entity", "--db", db, "FTBDKPPY"); err != nil || !strings.HasPrefix(out, "FOREIGN TRADE BANK (FTB)") || !strings.Contains(stderr, "identifier of") {
		t.Errorf("entity FTBDKPPY = %q %q %v", out, stderr, err)
	}
	report := filepath.Join(t.TempDir(), "r.html")
	if _, stderr, err := run(t, "export", "--db", db, "--from", "Dandong Zongsheng", "--to", "FTBDKPPY", "--format", "html", "--out", report, "--case", "CASE-11"); err != nil {
		t.Errorf("export by names: %v\n%s", err, stderr)
	}
	out, _, err = run(t, "stats", "--db", db)
	if err != nil || !strings.Contains(out, "parties: ") || !strings.Contains(out, "entity records: 16387") {
		t.Errorf("stats = %q, %v; want parties and entity records", out, err)
	}
	out, _, _ = run(t, "runs", "--db", db)
	for _, want := range []string{"list us_ofac_sdn of 2024-05-03 (date given at ingest): 14965 entries, from sdn.csv",
		"list un_sc_sanctions of 2026-02-27: 1003 entries", "list eu_journal_sanctions (the file states no date)"} {
		if !strings.Contains(out, want) {
			t.Errorf("runs lacks %q:\n%s", want, out)
		}
	}
}

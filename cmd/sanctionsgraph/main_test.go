package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli"
	"github.com/sanctionsgraph/sanctionsgraph/internal/cli/clitest"
)

// binary is the sanctionsgraph binary built once for subprocess tests.
var binary string

func TestMain(m *testing.M) { clitest.BuildMain(m, &binary, ".") }

// run runs the CLI in-process and returns stdout, stderr and the error.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return clitest.Run(t, Run, args...)
}

func statsJSON(t *testing.T, db string) map[string]any {
	t.Helper()
	out, stderr, err := run(t, "stats", "--db", db, "--json")
	if err != nil {
		t.Fatalf("stats: %v\n%s", err, stderr)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("stats --json: %v\n%s", err, out)
	}
	return m
}

func TestDemoIngestStatsEntity(t *testing.T) {
	db := t.TempDir()
	out, stderr, err := run(t, "ingest", "--db", db, "--demo")
	if err != nil {
		t.Fatalf("ingest --demo: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "47 records: added 47") {
		t.Errorf("ingest summary = %q", out)
	}
	st := statsJSON(t, db)
	by := st["entitiesBySchema"].(map[string]any)
	if by["Company"].(float64) != 9 || by["Person"].(float64) != 3 {
		t.Errorf("stats = %v", st)
	}
	// Again: nothing changes.
	out, _, _ = run(t, "ingest", "--db", db, "--demo")
	if !strings.Contains(out, "added 0, updated 0, unchanged 47") {
		t.Errorf("second ingest = %q", out)
	}
	out, stderr, err = run(t, "entity", "--db", db, "demo-rfs")
	if err != nil {
		t.Fatalf("entity: %v %s", err, stderr)
	}
	for _, want := range []string{"Russian Financial Society  [Company]", "taxNumber 7744002860", "US OFAC / NPWMD, listed 2019-06-19",
		"-[opened-accounts-for]-> Dandong Zhongsheng Industry & Trade  demo-dandong", "source: sanctionsgraph_demo"} {
		if !strings.Contains(out, want) {
			t.Errorf("entity output lacks %q:\n%s", want, out)
		}
	}
	// Look-up by another source id, JSON output.
	out, _, err = run(t, "entity", "--db", db, "--json", "ofac-15603")
	if err != nil {
		t.Fatal(err)
	}
	var view struct {
		Entity struct {
			ID string `json:"id"`
		} `json:"entity"`
		Designations []struct {
			Authority, Programme, Reference string
		} `json:"designations"`
	}
	if err := json.Unmarshal([]byte(out), &view); err != nil {
		t.Fatal(err)
	}
	if view.Entity.ID != "demo-ftb" || len(view.Designations) != 4 {
		t.Errorf("entity ofac-15603 = %s with %d designations", view.Entity.ID, len(view.Designations))
	}
	if _, _, err := run(t, "entity", "--db", db, "no-such-id"); cli.ExitCode(err) != 1 || !strings.Contains(err.Error(), `no entity has the id, identifier or name "no-such-id"`) {
		t.Errorf("unknown id: %v", err)
	}
	if out, _, err := run(t, "check", "--db", db); err != nil || !strings.HasPrefix(out, "ok:") {
		t.Errorf("check = %q, %v", out, err)
	}
}

func TestIngestErrorsAndExitCodes(t *testing.T) {
	db := t.TempDir()
	dir := t.TempDir()
	bad := filepath.Join(dir, "mixed.ftm.json")
	os.WriteFile(bad, []byte(`{"id":"a","schema":"Company","properties":{"name":["A"]}}`+"\n"+`{"id":"b","properties":{}}`+"\n"), 0o644)
	out, _, err := run(t, "ingest", "--db", db, bad)
	if cli.ExitCode(err) != exitRejected || !strings.Contains(out, "mixed.ftm.json:2: schema: missing schema") {
		t.Errorf("rejected record: code %d, out %q", cli.ExitCode(err), out)
	}
	_, _, err = run(t, "ingest", "--db", db, "--strict", bad)
	if cli.ExitCode(err) != cli.ExitFailed || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("strict: %v", err)
	}
	_, _, err = run(t, "ingest", "--db", db, filepath.Join(dir, "missing.json"))
	if cli.ExitCode(err) != cli.ExitFailed || !strings.Contains(err.Error(), "missing.json: cannot open") {
		t.Errorf("missing file: %v", err)
	}
	if _, _, err := run(t, "stats", "--db", filepath.Join(dir, "nowhere")); err == nil || !strings.Contains(err.Error(), "no store in") {
		t.Errorf("stats on a missing store: %v", err)
	}
	if _, _, err := run(t, "frobnicate"); cli.ExitCode(err) != cli.ExitUsage {
		t.Errorf("unknown command: %v", err)
	}
}

// stats --json counts per schema equal those of the fixture.
func TestStatsJSONZala(t *testing.T) {
	p := graphtest.SharedData(t, "opensanctions/yente-fixtures/zala/entities.ftm.json")
	db := t.TempDir()
	if _, stderr, err := run(t, "ingest", "--db", db, p); err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	st := statsJSON(t, db)
	by := st["entitiesBySchema"].(map[string]any)
	kinds := st["relationshipsByKind"].(map[string]any)
	// Counted in the fixture: Person 6, Company 11, Address 11, Ownership 14,
	// Directorship 3, Family 4, Sanction 41, Passport 1.
	for k, want := range map[string]float64{"Person": 6, "Company": 11, "Address": 11} {
		if by[k] != want {
			t.Errorf("entitiesBySchema[%s] = %v, want %v", k, by[k], want)
		}
	}
	for k, want := range map[string]float64{"owns": 14, "director-of": 3, "family": 4, "designated-by": 41} {
		if kinds[k] != want {
			t.Errorf("relationshipsByKind[%s] = %v, want %v", k, kinds[k], want)
		}
	}
	if st["heldDocuments"] != float64(1) {
		t.Errorf("heldDocuments = %v, want 1 (the Passport)", st["heldDocuments"])
	}
}

// The real binary serves the demo data, answers over HTTP, and shuts down
// cleanly on SIGTERM.
func TestServe(t *testing.T) {
	db := t.TempDir()
	cmd := exec.Command(binary, "serve", "--db", db, "--demo", "--addr", "127.0.0.1:0")
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no startup line: %v; stderr: %s", err, stderr.String())
	}
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("startup line %q", line)
	}
	base := strings.Fields(line[i:])[0]
	get := func(path string) string {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if h := get("/healthz"); !strings.Contains(h, `"entities":22`) {
		t.Errorf("healthz = %s", h)
	}
	body := `{"query":"{ paths(from: \"demo-rfs\", to: \"demo-ftb\", first: 1) { paths { steps { relationship { kind } to { name } } } } }"}`
	resp, err := http.Post(base+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"kind":"OPENED_ACCOUNTS_FOR"`) {
		t.Errorf("paths over HTTP = %s", b)
	}
	if g := get("/graphiql"); !strings.Contains(g, "/graphiql/graphiql.js") {
		t.Errorf("graphiql page = %.200s", g)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v; stderr: %s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no exit 20 s after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("stderr = %s", stderr.String())
	}
}

func TestPathCommand(t *testing.T) {
	db := t.TempDir()
	run(t, "ingest", "--db", db, "--demo")
	out, stderr, err := run(t, "path", "--db", db, "Russian Financial Society", "FTBDKPPY-not-an-id", "--k", "1")
	if err == nil {
		t.Errorf("unknown name accepted: %s", out)
	}
	out, stderr, err = run(t, "path", "--db", db, "Russian Financial Society", "foreign trade bank of the DPRK", "--k", "1")
	if err != nil {
		t.Fatalf("%v %s", err, stderr)
	}
	if !strings.Contains(stderr, `"Russian Financial Society": name match Russian Financial Society [Company] demo-rfs (matched "Russian Financial Society", score 1.00)`) {
		t.Errorf("name resolution not printed: %s", stderr)
	}
	for _, want := range []string{"path 1 (2 hops):", "Russian Financial Society  -[opened-accounts-for]->  Dandong Zhongsheng Industry & Trade",
		"Dandong Zhongsheng Industry & Trade  <-[owns]-  Foreign Trade Bank of the DPRK", "source: sanctionsgraph_demo"} {
		if !strings.Contains(out, want) {
			t.Errorf("path output lacks %q:\n%s", want, out)
		}
	}
	out, _, err = run(t, "path", "--db", db, "demo-rfs", "demo-ftb", "--json", "--via", "owns,opened-accounts-for")
	if err != nil || !strings.Contains(out, `"kind": "opened-accounts-for"`) || strings.Contains(out, `"kind": "linked-to"`) {
		t.Errorf("path --json --via: %v\n%s", err, out)
	}
}

// The benchmark tools are sgbench's: the product binary does not know them
// and its usage lists only its own commands.
func TestNoBenchmarkCommands(t *testing.T) {
	out, _, err := run(t, "help")
	if err != nil || !strings.Contains(out, "  serve ") {
		t.Fatalf("help = %v\n%s", err, out)
	}
	for _, name := range []string{"generate", "bench", "loadtest"} {
		if strings.Contains(out, "  "+name+" ") {
			t.Errorf("usage lists %s:\n%s", name, out)
		}
	}
	cmd := exec.Command(binary, "bench", "--entities", "1000")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != cli.ExitUsage || !strings.Contains(stderr.String(), `sanctionsgraph: unknown command "bench"`) {
		t.Errorf("sanctionsgraph bench: %v\n%s", err, stderr.String())
	}
	if strings.Contains(stderr.String(), "loadtest") {
		t.Errorf("usage after an unknown command lists loadtest:\n%s", stderr.String())
	}
}

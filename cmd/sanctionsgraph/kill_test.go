package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/internal/synth"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

const killToken = "kill-test-token-0123456789"

// startServer starts the real binary serving db with a write token and
// returns its base URL and the running command.
func startServer(t *testing.T, db, tokens string) (string, *exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--db", db, "--addr", "127.0.0.1:0", "--write-token-file", tokens, "--gc-percent", "100")
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("no startup line: %v; stderr: %s", err, stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("startup line %q", line)
	}
	return strings.Fields(line[i:])[0], cmd, &stderr
}

// gql posts a GraphQL request with the write token; ok is false unless the
// server answered 200 with data and no errors: only then is the write
// acknowledged.
func gql(client *http.Client, base, query string, vars map[string]any) (map[string]any, bool) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+killToken)
	resp, err := client.Do(req)
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	var out struct {
		Data   map[string]any `json:"data"`
		Errors []any          `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || len(out.Errors) > 0 || out.Data == nil {
		return nil, false
	}
	return out.Data, true
}

// acked is what the clients know the server acknowledged, by finding id.
type acked struct {
	mu sync.Mutex
	// version is the finding's version after the last acknowledged change;
	// alias its alias then (entities); retracted whether it was retracted.
	version   map[string]int
	alias     map[string]string
	retracted map[string]bool
	// maybe holds findings with a change sent but not acknowledged: their
	// state may be the one before or after it.
	maybe  map[string]bool
	audits map[uint64]string // acknowledged audit id -> first id it changed
	kind   map[string]string
}

func newAcked() *acked {
	return &acked{version: map[string]int{}, alias: map[string]string{}, retracted: map[string]bool{}, maybe: map[string]bool{},
		audits: map[uint64]string{}, kind: map[string]string{}}
}

func (a *acked) ack(ref, kind string, version int, audit any, f func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.version[ref], a.kind[ref] = version, kind
	var seq uint64
	fmt.Sscan(fmt.Sprint(audit), &seq)
	a.audits[seq] = ref
	delete(a.maybe, ref)
	if f != nil {
		f()
	}
}

func (a *acked) pending(ref string) {
	a.mu.Lock()
	a.maybe[ref] = true
	a.mu.Unlock()
}

const (
	killAddEntity = `mutation($n: String!) { addEntity(entity: {kind: "Company", name: $n, countries: ["kp"]}, source: {url: "https://example.org/kill", date: "2026-01-02", quote: "a stream of findings"}) { entity { id } auditId } }`
	killAddRel    = `mutation($a: ID!) { addRelationship(relationship: {kind: OWNS, sourceId: "demo-ftb", targetId: $a, percentage: 51}, source: {document: "kill test", date: "2026", quote: "owned"}) { relationship { id } auditId } }`
	killUpdate    = `mutation($id: ID!, $alias: String!) { updateEntity(id: $id, entity: {aliases: [$alias]}, source: {url: "https://example.org/kill2", date: "2026-02", quote: "also known as"}) { entity { id } auditId } }`
	killRetract   = `mutation($id: ID!) { retract(id: $id, reason: "kill test", source: {url: "https://example.org/kill3", date: "2026-03", quote: "withdrawn"}) { ids auditId } }`
)

// stream sends mutations until stop: add an entity, link it to demo-ftb,
// rename it, and retract every third link.
func stream(client *http.Client, base, prefix string, a *acked, stop *atomic.Bool, inflight *atomic.Int32) {
	for i := 0; !stop.Load(); i++ {
		name := fmt.Sprintf("%s-%d", prefix, i)
		inflight.Add(1)
		d, ok := gql(client, base, killAddEntity, map[string]any{"n": name})
		inflight.Add(-1)
		if !ok {
			return
		}
		res := d["addEntity"].(map[string]any)
		id := res["entity"].(map[string]any)["id"].(string)
		a.ack(id, store.KindEntity, 1, res["auditId"], nil)
		inflight.Add(1)
		d, ok = gql(client, base, killAddRel, map[string]any{"a": id})
		inflight.Add(-1)
		if !ok {
			return
		}
		res = d["addRelationship"].(map[string]any)
		rel := res["relationship"].(map[string]any)["id"].(string)
		a.ack(rel, store.KindRelationship, 1, res["auditId"], nil)
		alias := name + " alias"
		a.pending(id)
		inflight.Add(1)
		d, ok = gql(client, base, killUpdate, map[string]any{"id": id, "alias": alias})
		inflight.Add(-1)
		if !ok {
			return
		}
		a.ack(id, store.KindEntity, 2, d["updateEntity"].(map[string]any)["auditId"], func() { a.alias[id] = alias })
		if i%3 == 2 {
			a.pending(rel)
			inflight.Add(1)
			d, ok = gql(client, base, killRetract, map[string]any{"id": rel})
			inflight.Add(-1)
			if !ok {
				return
			}
			a.ack(rel, store.KindRelationship, 2, d["retract"].(map[string]any)["auditId"], func() { a.retracted[rel] = true })
		}
	}
}

// verifyFindings opens the store (after the binary rolled back whatever
// needed it) and checks that every acknowledged write is there, that no
// finding is half written, and that the audit log and the findings agree.
func verifyFindings(t *testing.T, db string, a *acked, round int) (findings int) {
	t.Helper()
	ctx := context.Background()
	st := storetest.OpenDir(t, db, store.Options{GCInterval: -1})
	defer st.Close()
	rep, err := st.Check(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("round %d: check: %+v %v", round, rep, err)
	}
	frep, err := st.CheckFindings(ctx)
	if err != nil || !frep.OK() {
		t.Fatalf("round %d: findings check: %+v %v", round, frep, err)
	}
	log, err := st.Audit(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]*store.Finding{}
	bySeq := map[uint64]*store.AuditEntry{}
	for i := range log {
		bySeq[log[i].Seq] = &log[i]
		for _, c := range log[i].Changes {
			last[c.Ref] = c.After
		}
	}
	// Every finding is whole: in the state its last audit entry says, and
	// in the graph exactly when it is active.
	err = st.Findings(ctx, func(f *store.Finding) error {
		findings++
		if l := last[f.Ref]; l == nil || l.Version != f.Version || l.Status != f.Status {
			t.Errorf("round %d: finding %s v%d %s, audit log says %+v", round, f.Ref, f.Version, f.Status, l)
		}
		var err error
		if f.Kind == store.KindEntity {
			_, err = st.Entity(ctx, graph.KeyFor(f.Ref))
		} else {
			_, err = st.Relationship(ctx, f.Ref)
		}
		if inGraph := err == nil; inGraph != (f.Status == store.FindingActive) {
			t.Errorf("round %d: %s finding %s is %s, in the graph: %v (%v)", round, f.Kind, f.Ref, f.Status, inGraph, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if findings != len(last) {
		t.Errorf("round %d: %d findings, %d in the audit log", round, findings, len(last))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for seq, ref := range a.audits {
		if e := bySeq[seq]; e == nil || e.Refs[0] != ref {
			t.Errorf("round %d: acknowledged audit entry %d (%s) is missing or different: %+v", round, seq, ref, e)
		}
	}
	for ref, v := range a.version {
		f, err := st.Finding(ctx, ref)
		if err != nil {
			t.Errorf("round %d: acknowledged finding %s lost: %v", round, ref, err)
			continue
		}
		if f.Version < v || (!a.maybe[ref] && f.Version != v) {
			t.Errorf("round %d: finding %s at version %d, acknowledged version %d", round, ref, f.Version, v)
		}
		if al := a.alias[ref]; al != "" && f.Version == v && f.Entity.First("alias") != al {
			t.Errorf("round %d: finding %s lost its acknowledged alias %q: %v", round, ref, al, f.Entity.Props)
		}
		if a.retracted[ref] && f.Status != store.FindingRetracted {
			t.Errorf("round %d: acknowledged retraction of %s lost", round, ref)
		}
	}
	return findings
}

// Kill -9 the server ten times while clients stream mutations: the store
// opens every time, every acknowledged write is there, and no finding is
// half written (check passes; findings, graph and audit log agree).
func TestKillDuringMutations(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server ten times")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("killer:"+killToken+"\n"), 0o600)
	if out, err := exec.Command(binary, "ingest", "--db", db, "--demo").CombinedOutput(); err != nil {
		t.Fatalf("ingest --demo: %v\n%s", err, out)
	}
	a := newAcked()
	rng := rand.New(rand.NewPCG(7, 11))
	totalAcked, inflightKills := 0, 0
	for round := 0; round < 10; round++ {
		base, cmd, stderr := startServer(t, db, tokens)
		var stop atomic.Bool
		var inflight atomic.Int32
		var wg sync.WaitGroup
		before := len(a.audits)
		for c := 0; c < 3; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
				stream(client, base, fmt.Sprintf("r%d-c%d", round, c), a, &stop, &inflight)
			}()
		}
		// Let the writes run, then kill at a random moment.
		deadline := time.Now().Add(10 * time.Second)
		for len(acks(a)) < before+3 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(100+rng.IntN(400)) * time.Millisecond)
		if inflight.Load() > 0 {
			inflightKills++
		}
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		stop.Store(true)
		wg.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: the server was not killed (it exited: %v); stderr:\n%s", round, err, stderr.String())
		}
		n := len(acks(a)) - before
		if n == 0 {
			t.Fatalf("round %d: no write was acknowledged before the kill; stderr:\n%s", round, stderr.String())
		}
		totalAcked += n
		verifyFindings(t, db, a, round)
		if t.Failed() {
			t.FailNow()
		}
	}
	if out, err := exec.Command(binary, "check", "--db", db).Output(); err != nil || !strings.HasPrefix(string(out), "ok:") {
		t.Errorf("sanctionsgraph check: %v %s", err, out)
	}
	t.Logf("10 kills, %d acknowledged writes, %d kills with a request in flight", totalAcked, inflightKills)
	if inflightKills < 5 {
		t.Errorf("only %d of 10 kills came with a write in flight", inflightKills)
	}
}

func acks(a *acked) map[uint64]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[uint64]string, len(a.audits))
	for k, v := range a.audits {
		out[k] = v
	}
	return out
}

// Kill -9 an ingest ten times while it writes: the store opens every time,
// nothing that was there before (list records and findings) is lost or
// changed, and nothing of the killed run remains.
func TestKillDuringIngestTenRounds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a large file")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	big := filepath.Join(dir, "big.ftm.json")
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("killer:"+killToken+"\n"), 0o600)
	sg := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(binary, args...).Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("sanctionsgraph %v: %v\n%s", args, err, ee.Stderr)
			}
			t.Fatalf("sanctionsgraph %v: %v", args, err)
		}
		return string(out)
	}
	writeSynthetic(t, big, synth.Config{Entities: 40000, Seed: 5})
	sg("ingest", "--db", db, "--demo")
	// Findings written through the API before the ingests.
	base, srv, _ := startServer(t, db, tokens)
	a := newAcked()
	var stop atomic.Bool
	stop.Store(false)
	var inflight atomic.Int32
	client := &http.Client{Timeout: 10 * time.Second}
	go func() { time.Sleep(500 * time.Millisecond); stop.Store(true) }()
	stream(client, base, "before-ingest", a, &stop, &inflight)
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	if len(a.version) < 4 {
		t.Fatalf("only %d findings written before the ingests", len(a.version))
	}
	before := sg("stats", "--db", db, "--json")
	demoEntity := killEntityJSON(t, db, "demo-ftb")
	rng := rand.New(rand.NewPCG(3, 5))
	wait, rounds, attempts := 150*time.Millisecond, 0, 0
	lastRun := newestRun(t, db) // the newest run seen
	var undoneByRound []int
	for rounds < 10 && attempts < 25 {
		attempts++
		cmd := exec.Command(binary, "ingest", "--db", db, big)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(wait + time.Duration(rng.IntN(250))*time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
			t.Fatalf("attempt %d: the ingest finished before the kill (%v); the file is too small for this machine", attempts, err)
		}
		after := sg("stats", "--db", db, "--json") // opens the store: rolls the run back
		if before != after {
			t.Fatalf("attempt %d: stats changed:\nbefore %s\nafter  %s", attempts, before, after)
		}
		last, undone := verifyAfterIngestKill(t, db, demoEntity, attempts, lastRun)
		lastRun = max(lastRun, last.ID)
		verifyFindings(t, db, a, attempts)
		if t.Failed() {
			t.FailNow()
		}
		if undone == 0 {
			wait += 150 * time.Millisecond // killed before it wrote: later next time
			continue
		}
		undoneByRound = append(undoneByRound, undone)
		rounds++
	}
	sg("check", "--db", db)
	t.Logf("%d kills during writes in %d attempts; records rolled back per kill: %v", rounds, attempts, undoneByRound)
	if rounds < 10 {
		t.Errorf("only %d of the kills came while the run was writing", rounds)
	}
}

// writeSynthetic writes a synthetic network to path (the benchmark tools'
// generator; the test may use it, the binary does not ship it).
func writeSynthetic(t *testing.T, path string, c synth.Config) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = synth.Generate(f, c)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

func killEntityJSON(t *testing.T, db, ref string) string {
	t.Helper()
	st := storetest.OpenDir(t, db, store.Options{GCInterval: -1})
	defer st.Close()
	e, err := st.Entity(context.Background(), graph.KeyFor(ref))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(e)
	return string(b)
}

// verifyAfterIngestKill checks that demo-ftb is as before and that the
// last run is an interrupted, rolled-back one; it returns that run and the
// records its rollback restored.
// newestRun returns the id of the store's newest ingest run.
func newestRun(t *testing.T, db string) uint64 {
	t.Helper()
	st, err := store.Open(context.Background(), db, store.Options{GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.Runs(context.Background())
	if err != nil || len(runs) == 0 {
		t.Fatalf("runs: %v %v", runs, err)
	}
	return runs[len(runs)-1].ID
}

// verifyAfterIngestKill checks that a killed ingest left the store as it
// was: the demo entity unchanged and the run rolled back. A run no newer
// than lastRun means the ingest was killed before it recorded one (on a
// loaded machine, still starting up): nothing to check of it, and no
// record undone.
func verifyAfterIngestKill(t *testing.T, db, demoEntity string, attempt int, lastRun uint64) (store.RunInfo, int) {
	t.Helper()
	if e := killEntityJSON(t, db, "demo-ftb"); e != demoEntity {
		t.Fatalf("attempt %d: demo-ftb changed:\n%s\nwant\n%s", attempt, e, demoEntity)
	}
	st := storetest.OpenDir(t, db, store.Options{GCInterval: -1})
	defer st.Close()
	runs, err := st.Runs(context.Background())
	if err != nil || len(runs) == 0 {
		t.Fatalf("attempt %d: runs: %v %v", attempt, runs, err)
	}
	last := runs[len(runs)-1]
	if last.ID <= lastRun {
		return last, 0
	}
	if last.State != store.RunRolledBack || !strings.Contains(last.Error, "interrupted") {
		t.Fatalf("attempt %d: last run %+v is not an interrupted, rolled-back run", attempt, last)
	}
	return last, last.Undone
}

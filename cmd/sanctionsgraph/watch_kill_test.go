package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
)

// alertSig is what makes an alert the alert it is, apart from its id and
// the time it was raised: two alerts with the same signature are one
// alert raised twice.
type alertSig struct {
	list, party, kind, subject, prev, fp string
}

func sigOf(a *watch.Alert) alertSig {
	return alertSig{a.Watchlist, a.Party, a.Kind, a.Subject, a.PrevFingerprint, a.Fingerprint}
}

// watchCheckLines runs `watch check --json` on db and returns the alerts
// it printed (each printed once on disk). With killAfter > 0 it kills the
// process with SIGKILL as soon as it has printed that many.
func watchCheckLines(t *testing.T, db string, killAfter int) (alerts []watch.Alert, killed bool) {
	t.Helper()
	cmd := exec.Command(binary, "watch", "check", "--db", db, "--json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var a watch.Alert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("watch check printed %q: %v", sc.Text(), err)
		}
		if a.ID == 0 {
			continue // the report
		}
		alerts = append(alerts, a)
		if killAfter > 0 && len(alerts) == killAfter {
			cmd.Process.Signal(syscall.SIGKILL)
			killed = true
			break
		}
	}
	go io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	var ee *exec.ExitError
	switch {
	case killed && errors.As(err, &ee) && ee.Sys().(syscall.WaitStatus).Signal() == syscall.SIGKILL:
	case killed:
		t.Fatalf("watch check was to be killed, but ended with %v", err)
	case err != nil:
		t.Fatalf("watch check: %v\n%s", err, stderr.String())
	}
	return alerts, killed
}

// storedAlerts lists the alerts of db after id, oldest first, page by
// page (alerts --after).
func storedAlerts(t *testing.T, db string, after uint64) []watch.Alert {
	t.Helper()
	var as []watch.Alert
	for {
		out, err := exec.Command(binary, "alerts", "--db", db, "--json", "--after", strconv.FormatUint(after, 10), "--limit", strconv.Itoa(watch.MaxAlerts)).Output()
		if err != nil {
			t.Fatalf("alerts: %v", err)
		}
		n := 0
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if line == "" {
				continue
			}
			var a watch.Alert
			if err := json.Unmarshal([]byte(line), &a); err != nil {
				t.Fatalf("alerts printed %q: %v", line, err)
			}
			as = append(as, a)
			after = a.ID
			n++
		}
		if n < watch.MaxAlerts {
			return as
		}
	}
}

// sdnParties writes a watchlist CSV of every seventh entry of the OFAC
// files given (its primary name and kind), refs by entry number.
func sdnParties(t *testing.T, out string, files ...string) int {
	t.Helper()
	seen := map[string]bool{}
	var b strings.Builder
	b.WriteString("ref,name,kind\n")
	w := csv.NewWriter(&b)
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(f)
		r.FieldsPerRecord, r.LazyQuotes = -1, true
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil || len(rec) < 3 {
				continue
			}
			n, err := strconv.Atoi(strings.TrimSpace(rec[0]))
			if err != nil || n%7 != 0 || seen[rec[0]] {
				continue
			}
			seen[rec[0]] = true
			kind := "Organization"
			switch strings.TrimSpace(rec[2]) {
			case "individual":
				kind = "Person"
			case "vessel":
				kind = "Vessel"
			case "aircraft":
				kind = "Airplane"
			}
			w.Write([]string{"n" + strconv.Itoa(n), strings.TrimSpace(rec[1]), kind})
		}
		f.Close()
	}
	w.Flush()
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return len(seen)
}

// Kill -9 during a re-evaluation (the real binary), then restart: every
// alert acknowledged before (printed by watch check --json, which prints
// an alert once it is on disk) is there, none is raised twice, and the
// alerts in the end are those of a run never interrupted; a decision
// taken between two kills stays.
func TestKillDuringWatchCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests two versions of the OFAC list and kills the re-evaluation three times")
	}
	sdn21 := graphtest.SharedData(t, "watchman/ofac-2021-07-bench/sdn.csv")
	sdn24 := graphtest.SharedData(t, "ofac/sdn.csv")
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
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
	list := filepath.Join(dir, "customers.csv")
	n := sdnParties(t, list, sdn21, sdn24)
	sg("ingest", "--db", db, "--list-date", "2021-07-07", sdn21)
	sg("watch", "import", "--db", db, "customers", list)
	first := storedAlerts(t, db, 0)
	if len(first) == 0 {
		t.Fatal("the first check raised no alert")
	}
	base := first[len(first)-1].ID
	sg("ingest", "--db", db, "--no-watch", "--allow-mass-delist", "--list-date", "2024-05-03", sdn24)

	// The control: the same store, checked without interruption.
	ctl := filepath.Join(dir, "ctl")
	if out, err := exec.Command("cp", "-r", db, ctl).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	control, _ := watchCheckLines(t, ctl, 0)
	t.Logf("%d parties; the 2024 list raises %d alerts uninterrupted", n, len(control))
	if len(control) < 200 {
		t.Fatalf("the control run raised %d alerts, too few to kill in between", len(control))
	}

	// Killed three times at random points, then run to the end.
	rng := rand.New(rand.NewPCG(14, 9))
	acked := map[uint64]watch.Alert{}
	decided := uint64(0)
	for round := 0; round < 3; round++ {
		got, killed := watchCheckLines(t, db, 1+rng.IntN(len(control)/4))
		if !killed {
			t.Fatalf("round %d: the check ended before the kill", round)
		}
		for _, a := range got {
			if _, dup := acked[a.ID]; dup {
				t.Errorf("round %d: alert %d printed again", round, a.ID)
			}
			acked[a.ID] = a
		}
		t.Logf("round %d: killed after %d alerts acknowledged", round, len(got))
		if round == 0 {
			decided = got[0].ID
			sg("watch", "decide", "--db", db, "--by", "analyst", "--reason", "same name, other party: checked the register", strconv.FormatUint(decided, 10), "dismissed")
		}
	}
	watchCheckLines(t, db, 0)

	final := storedAlerts(t, db, base)
	byID := map[uint64]watch.Alert{}
	seen := map[alertSig]uint64{}
	for _, a := range final {
		byID[a.ID] = a
		if id, dup := seen[sigOf(&a)]; dup {
			t.Errorf("alert %d raised twice: as %d and %d (%s %s %s)", a.ID, id, a.ID, a.Party, a.Kind, a.Subject)
		}
		seen[sigOf(&a)] = a.ID
	}
	for id, a := range acked {
		got, ok := byID[id]
		switch {
		case !ok:
			t.Errorf("acknowledged alert %d (%s %s) lost after the kill", id, a.Party, a.Kind)
		case sigOf(&got) != sigOf(&a) || got.Reason != a.Reason:
			t.Errorf("alert %d after the kill = %+v, acknowledged as %+v", id, sigOf(&got), sigOf(&a))
		}
	}
	if a := byID[decided]; a.Status != watch.Dismissed || len(a.Decisions) != 1 || a.Decisions[0].By != "analyst" {
		t.Errorf("alert %d decided between two kills: status %q, decisions %+v", decided, a.Status, a.Decisions)
	}
	want := map[alertSig]bool{}
	for _, a := range control {
		want[sigOf(&a)] = true
	}
	missing, extra := 0, 0
	for s := range want {
		if _, ok := seen[s]; !ok {
			if missing++; missing <= 10 {
				t.Errorf("the interrupted runs never raised %+v", s)
			}
		}
	}
	for s, id := range seen {
		if !want[s] {
			if extra++; extra <= 10 {
				t.Errorf("alert %d %+v is not one of the uninterrupted run", id, s)
			}
		}
	}
	t.Logf("%d alerts acknowledged before the kills, %d in the end (%d uninterrupted); missing %d, extra %d", len(acked), len(final), len(control), missing, extra)
}

// The real server checks the watchlists after findings are added through
// the API and posts the alerts they raise to its webhook: a customer of
// the watchlist becomes owned by the Foreign Trade Bank.
func TestServeWebhook(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "db")
	tokens := filepath.Join(dir, "tokens")
	os.WriteFile(tokens, []byte("analyst:"+killToken+"\n"), 0o600)
	list := filepath.Join(dir, "customers.csv")
	os.WriteFile(list, []byte("ref,name,kind\nC1,Han Jang Su,Person\nC2,Sea Star Shipping Ltd,Company\n"), 0o644)
	for _, args := range [][]string{{"ingest", "--db", db, "--demo"}, {"watch", "import", "--db", db, "customers", list}} {
		if out, err := exec.Command(binary, args...).CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	got := make(chan watch.Alert, 100)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a watch.Alert
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got <- a
	}))
	t.Cleanup(recv.Close)
	cmd := exec.Command(binary, "serve", "--db", db, "--addr", "127.0.0.1:0", "--write-token-file", tokens,
		"--webhook", recv.URL+"/hook", "--watch-interval", "100ms")
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("no startup line: %v\n%s", err, stderr.String())
	}
	go io.Copy(io.Discard, stdout)
	base := strings.Fields(line[strings.Index(line, "http://"):])[0]
	client := &http.Client{Timeout: 10 * time.Second}

	d, ok := gql(client, base, killAddEntity, map[string]any{"n": "Sea Star Shipping Ltd"})
	if !ok {
		t.Fatalf("addEntity refused\n%s", stderr.String())
	}
	id := d["addEntity"].(map[string]any)["entity"].(map[string]any)["id"].(string)
	if _, ok := gql(client, base, killAddRel, map[string]any{"a": id}); !ok {
		t.Fatal("addRelationship refused")
	}
	// The import's own alerts were raised before the webhook was set:
	// only the new ones come, all about C2.
	var kinds, targets []string
	timeout := time.After(60 * time.Second)
	for !slices.Contains(targets, "demo-ftb") || !slices.Contains(kinds, watch.Blocked) {
		select {
		case a := <-got:
			if a.Party != "C2" {
				t.Errorf("webhook got alert %d of %s (%s), want only C2's", a.ID, a.Party, a.Kind)
			}
			if a.Kind == watch.NewPath {
				if a.After == nil || a.After.Path == nil || len(a.After.Path.Steps) == 0 || a.After.Path.Steps[0].From.Ref != id {
					t.Errorf("new-path alert %d without a path from the new entity: %+v", a.ID, a.After)
				} else {
					targets = append(targets, a.After.Path.Target.Ref)
				}
			}
			kinds = append(kinds, a.Kind)
		case <-timeout:
			t.Fatalf("webhook got %v (paths to %v) in a minute, want a new path to demo-ftb and became-blocked for C2\n%s", kinds, targets, stderr.String())
		}
	}
}

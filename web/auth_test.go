package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

const (
	aliceToken = "alice-0123456789-secret"
	bobToken   = "bob-abcdefghijkl-secret"
)

func TestParseWriters(t *testing.T) {
	tests := []struct {
		name, text string
		names      []string
		err        string
	}{
		{"named", "# tokens\nalice:" + aliceToken + "\n\nbob: " + bobToken + "\n", []string{"alice", "bob"}, ""},
		{"one bare token", aliceToken + "\n", []string{"writer"}, ""},
		{"bare token among named", "alice:" + aliceToken + "\n" + bobToken + "\n", nil, "line 2: want name:token"},
		{"short", "alice:short\n", nil, "shorter than 16"},
		{"twice", "alice:" + aliceToken + "\nalice:" + bobToken + "\n", nil, "appears twice"},
		{"bad name", "al ice:" + aliceToken + "\n", nil, "line 1: the name"},
		{"empty", "# nothing\n", nil, "none found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ws, err := web.ParseWriters(tt.text)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseWriters = %v, want an error containing %q", err, tt.err)
				}
				if strings.Contains(err.Error(), aliceToken) || strings.Contains(err.Error(), bobToken) || strings.Contains(err.Error(), "short\"") {
					t.Errorf("the error shows a token: %v", err)
				}
				return
			}
			if err != nil || strings.Join(ws.Names(), ",") != strings.Join(tt.names, ",") {
				t.Fatalf("ParseWriters = %v, %v; want %v", ws, err, tt.names)
			}
		})
	}
}

func TestAuthenticate(t *testing.T) {
	ws, err := web.ParseWriters("alice:" + aliceToken + "\nbob:" + bobToken)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		header, name string
		ok           bool
	}{
		{"Bearer " + aliceToken, "alice", true},
		{"bearer " + bobToken, "bob", true},
		{"Bearer " + aliceToken + "x", "", false},
		{"Bearer " + aliceToken[:len(aliceToken)-1], "", false},
		{"Basic " + aliceToken, "", false},
		{aliceToken, "", false},
		{"Bearer ", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		name, ok := ws.Authenticate(tt.header)
		if name != tt.name || ok != tt.ok {
			t.Errorf("Authenticate(%q) = %q, %v; want %q, %v", tt.header, name, ok, tt.name, tt.ok)
		}
	}
}

// authLogSink is a log sink safe for concurrent handlers.
type authLogSink struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *authLogSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *authLogSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// writeServer serves the demo data with the given write tokens (none:
// read-only) and the backup route.
func writeServer(t *testing.T, tokens string) (*httptest.Server, *store.Store, *authLogSink) {
	t.Helper()
	st, sch := demoSchema(t, schema.DefaultLimits)
	logs := &authLogSink{}
	opt := web.Options{Schema: sch, Backup: st.Backup, Log: slog.New(slog.NewTextHandler(logs, nil))}
	if tokens != "" {
		var err error
		if opt.Writers, err = web.ParseWriters(tokens); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(web.New(opt))
	t.Cleanup(srv.Close)
	return srv, st, logs
}

func postAs(t *testing.T, srv *httptest.Server, auth, query string, vars map[string]any) *gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	out := &gqlResponse{status: resp.StatusCode, raw: string(b)}
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, b)
	}
	return out
}

const addQ = `mutation { addEntity(entity: {kind: "Company", name: "Sea Star Trading"}, source: {url: "https://example.org/pr", date: "2019-06-19", quote: "Sea Star"}) { entity { id name } auditId } }`

func TestWritesNeedAToken(t *testing.T) {
	ro, _, _ := writeServer(t, "")
	if r := postAs(t, ro, "Bearer "+aliceToken, addQ, nil); strings.Join(r.codes(), ",") != schema.CodeForbidden {
		t.Errorf("read-only server: %s", r.raw)
	}
	srv, st, logs := writeServer(t, "alice:"+aliceToken+"\nbob:"+bobToken)
	if r := postAs(t, srv, "", addQ, nil); strings.Join(r.codes(), ",") != schema.CodeUnauthenticated {
		t.Errorf("no token: %s", r.raw)
	}
	wrong := "Bearer " + aliceToken[:10] + "-guess-guess"
	if r := postAs(t, srv, wrong, addQ, nil); r.status != http.StatusUnauthorized || strings.Join(r.codes(), ",") != schema.CodeUnauthenticated {
		t.Errorf("wrong token: status %d %s", r.status, r.raw)
	}
	// A wrong token is refused for reads too: the client is misconfigured.
	if r := postAs(t, srv, wrong, `{ entity(id: "demo-ftb") { name } }`, nil); r.status != http.StatusUnauthorized {
		t.Errorf("read with a wrong token: status %d", r.status)
	}
	r := postAs(t, srv, "Bearer "+bobToken, addQ, nil)
	contains(t, mustData(t, r), `"name":"Sea Star Trading"`, `"auditId":"1"`)
	// Reads need no token.
	contains(t, mustData(t, postAs(t, srv, "", `{ entity(id: "demo-ftb") { name } }`, nil)), "Foreign Trade Bank")
	// A GET never writes, whatever token it carries.
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/graphql?query="+strings.ReplaceAll(addQ, " ", "%20"), nil)
	req.Header.Set("Authorization", "Bearer "+aliceToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), schema.CodeUnauthenticated) {
		t.Errorf("mutation over GET: %s", b)
	}
	log, _ := st.Audit(context.Background(), store.AuditFilter{})
	if len(log) != 1 || log[0].Who != "bob" {
		t.Errorf("audit log = %+v, want one entry by bob", log)
	}
	out := logs.String()
	if !strings.Contains(out, "invalid write token") {
		t.Errorf("the refused token was not logged:\n%s", out)
	}
	for _, secret := range []string{aliceToken, bobToken, aliceToken[:10]} {
		if strings.Contains(out, secret) {
			t.Errorf("the log shows a token (%q):\n%s", secret, out)
		}
	}
}

func TestBackupRoute(t *testing.T) {
	ro, _, _ := writeServer(t, "")
	resp, err := http.Get(ro.URL + "/admin/backup")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("backup from a read-only server: status %d", resp.StatusCode)
	}
	srv, st, _ := writeServer(t, "alice:"+aliceToken)
	get := func(auth string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/admin/backup", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	if resp := get("Bearer " + bobToken); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("backup with a wrong token: status %d", resp.StatusCode)
	}
	resp = get("Bearer " + aliceToken)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("backup: status %d", resp.StatusCode)
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, resp.Body); err != nil {
		t.Fatal(err)
	}
	keys, err := store.VerifyBackup(context.Background(), bytes.NewReader(buf.Bytes()))
	if err != nil || keys < 100 {
		t.Fatalf("VerifyBackup = %d keys, %v", keys, err)
	}
	// The backup restores to a store with the same entities.
	dir := t.TempDir() + "/restored"
	if err := store.Restore(context.Background(), dir, &buf); err != nil {
		t.Fatal(err)
	}
	rs := storetest.OpenDir(t, dir, store.Options{GCInterval: -1})
	a, _ := st.Stats(context.Background())
	b, _ := rs.Stats(context.Background())
	if a.Entities != b.Entities || a.Relationships != b.Relationships || a.Records != b.Records {
		t.Errorf("restored stats %+v, want %+v", b, a)
	}
}

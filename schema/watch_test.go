package schema_test

import (
	"context"
	"strings"
	"testing"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// watchParser reads watchlists with ingest's reader, as serve wires it.
type watchParser struct{}

func (watchParser) ParseWatchlist(ctx context.Context, data string) ([]watch.Party, error) {
	ps, _, err := ingest.ReadWatchlist(ctx, "data", strings.NewReader(data))
	if err != nil {
		return nil, &schema.Error{Code: schema.CodeBadUserInput, Message: err.Error()}
	}
	return ps, nil
}

func watchSchema(t *testing.T) (*graphql.Schema, *store.Store) {
	t.Helper()
	st := storetest.Demo(t)
	s, err := schema.New(st, schema.DefaultLimits, nil, schema.Writable(st, parser{}), schema.Watching(st, st, watchParser{}))
	if err != nil {
		t.Fatalf("schema.New: %v", err)
	}
	return s, st
}

const customersCSV = "ref,name,kind,country\n" +
	"C1,Dandong Zhongsheng Industry and Trade,Company,cn\n" +
	"C2,Sea Star Shipping,Company,\n" +
	"C3,Han Jang Su,Person,\n"

const importQ = `mutation($data: String!) { importWatchlist(name: "customers", data: $data, hops: 3) {
	watchlist { name hops partyCount } added changed removed unchanged addedRefs evaluated alerts } }`

// path walks a decoded GraphQL answer: keys for objects, ints for lists.
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func TestWatchGraphQL(t *testing.T) {
	s, _ := watchSchema(t)
	alice := "alice"
	vars := map[string]any{"data": customersCSV}

	// Writes need a write token.
	if _, errs := execAs(t, s, nil, importQ, vars); len(errs) == 0 || path(errs[0], "extensions", "code") != schema.CodeForbidden {
		t.Errorf("import on a read-only server: errors %v, want FORBIDDEN", errs)
	}
	empty := ""
	if _, errs := execAs(t, s, &empty, importQ, vars); len(errs) == 0 || path(errs[0], "extensions", "code") != schema.CodeUnauthenticated {
		t.Errorf("import without a token: errors %v, want UNAUTHENTICATED", errs)
	}

	data, errs := execAs(t, s, &alice, importQ, vars)
	if len(errs) > 0 {
		t.Fatalf("importWatchlist: %v", errs)
	}
	imp := path(data, "importWatchlist")
	if path(imp, "added") != 3.0 || path(imp, "evaluated") != 3.0 || path(imp, "watchlist", "partyCount") != 3.0 || path(imp, "watchlist", "hops") != 3.0 {
		t.Errorf("importWatchlist = %v, want 3 added and evaluated", imp)
	}
	nAlerts, _ := path(imp, "alerts").(float64)
	if nAlerts < 3 {
		t.Errorf("importWatchlist raised %v alerts, want at least 3 (C1 hit and path, C3 hit)", nAlerts)
	}

	// A bad row refuses the file, naming line and field.
	_, errs = execAs(t, s, &alice, importQ, map[string]any{"data": "ref,name,country\nC1,Acme,Atlantis\n"})
	if len(errs) == 0 || path(errs[0], "extensions", "code") != schema.CodeBadUserInput || !strings.Contains(errs[0]["message"].(string), "data:2: country") {
		t.Errorf("bad row: errors %v, want BAD_USER_INPUT naming data:2: country", errs)
	}

	// The party's state, with the path's sources.
	data, errs = execAs(t, s, nil, `{ watchlists { name partyCount }
		watchlist(name: "customers") { party(ref: "C1") { name pending state {
			hits { entity { id name } score explanation designated designations { authority programme lists } }
			paths { target { id name } hops via steps { from { name } to { name } kind forward sources { dataset url } } } } } } }`, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if path(data, "watchlists", 0, "name") != "customers" || path(data, "watchlists", 0, "partyCount") != 3.0 {
		t.Errorf("watchlists = %v", path(data, "watchlists"))
	}
	st := path(data, "watchlist", "party", "state")
	if path(st, "hits", 0, "entity", "id") != "demo-dandong" || path(st, "hits", 0, "designated") != true || path(st, "hits", 0, "explanation") == "" {
		t.Errorf("C1 hits = %v, want Dandong Zhongsheng, designated, explained", path(st, "hits"))
	}
	foundFTB := false
	for _, p := range path(st, "paths").([]any) {
		if path(p, "target", "id") == "demo-ftb" {
			foundFTB = true
			steps := path(p, "steps").([]any)
			if len(steps) == 0 || float64(len(steps)) != path(p, "hops") {
				t.Errorf("path to FTB: %d steps, hops %v", len(steps), path(p, "hops"))
			}
			for i, step := range steps {
				if srcs, _ := path(step, "sources").([]any); len(srcs) == 0 || path(srcs[0], "dataset") == "" {
					t.Errorf("path to FTB, step %d has no source: %v", i, step)
				}
			}
		}
	}
	if !foundFTB {
		t.Errorf("C1 paths = %v, want one to demo-ftb", path(st, "paths"))
	}

	// Alerts, filtered.
	alertsQ := `query($kinds: [AlertKind!], $status: AlertStatus, $since: String, $party: String) {
		alerts(watchlist: "customers", kinds: $kinds, status: $status, since: $since, party: $party) {
			hasMore alerts { id party kind status reason cause lists created
				after { hit { entity { id } } path { target { id } steps { sources { dataset } } } } } } }`
	data, errs = execAs(t, s, nil, alertsQ, map[string]any{"kinds": []any{"NEW_PATH"}})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	paths := path(data, "alerts", "alerts").([]any)
	if len(paths) == 0 {
		t.Fatal("no NEW_PATH alerts")
	}
	var ftbAlert string
	for _, a := range paths {
		if path(a, "kind") != "NEW_PATH" || path(a, "status") != "OPEN" || path(a, "after", "path", "target", "id") == nil {
			t.Errorf("alert %v: want an open NEW_PATH with its path", a)
		}
		if path(a, "party") == "C1" && path(a, "after", "path", "target", "id") == "demo-ftb" {
			ftbAlert = path(a, "id").(string)
		}
	}
	if ftbAlert == "" {
		t.Fatalf("no NEW_PATH alert from C1 to demo-ftb in %v", paths)
	}
	today := time.Now().UTC().Format(time.DateOnly)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	data, _ = execAs(t, s, nil, alertsQ, map[string]any{"since": today, "party": "C3"})
	hit := false
	for _, a := range path(data, "alerts", "alerts").([]any) {
		if path(a, "party") != "C3" {
			t.Errorf("alerts of C3 hold %v", a)
		}
		hit = hit || path(a, "kind") == "NEW_HIT" && path(a, "after", "hit", "entity", "id") == "demo-han-jang-su"
	}
	if !hit {
		t.Errorf("C3's alerts since today = %v, want its new hit on demo-han-jang-su", path(data, "alerts", "alerts"))
	}
	data, _ = execAs(t, s, nil, alertsQ, map[string]any{"since": tomorrow})
	if as := path(data, "alerts", "alerts").([]any); len(as) != 0 {
		t.Errorf("alerts since tomorrow = %v, want none", as)
	}
	if _, errs := execAs(t, s, nil, alertsQ, map[string]any{"since": "yesterday"}); len(errs) == 0 || !strings.Contains(errs[0]["message"].(string), "since") {
		t.Errorf("since: yesterday: errors %v, want one naming since", errs)
	}

	// Decide: dismissed with a reason, by the token's name.
	decideQ := `mutation($id: ID!, $reason: String!) { decideAlert(id: $id, decision: DISMISSED, reason: $reason) { id status decisions { status reason by at } } }`
	if _, errs := execAs(t, s, nil, decideQ, map[string]any{"id": ftbAlert, "reason": "x"}); len(errs) == 0 {
		t.Error("decideAlert without write access succeeded")
	}
	if _, errs := execAs(t, s, &alice, decideQ, map[string]any{"id": ftbAlert, "reason": "  "}); len(errs) == 0 || path(errs[0], "extensions", "code") != schema.CodeBadUserInput {
		t.Errorf("decideAlert without a reason: errors %v, want BAD_USER_INPUT", errs)
	}
	if _, errs := execAs(t, s, &alice, decideQ, map[string]any{"id": "999999", "reason": "x"}); len(errs) == 0 || path(errs[0], "extensions", "code") != schema.CodeNotFound {
		t.Errorf("decideAlert of no alert: errors %v, want NOT_FOUND", errs)
	}
	data, errs = execAs(t, s, &alice, decideQ, map[string]any{"id": ftbAlert, "reason": "known relationship, cleared by compliance"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	d := path(data, "decideAlert")
	if path(d, "status") != "DISMISSED" || path(d, "decisions", 0, "by") != "alice" || path(d, "decisions", 0, "reason") != "known relationship, cleared by compliance" {
		t.Errorf("decideAlert = %v", d)
	}
	data, _ = execAs(t, s, nil, alertsQ, map[string]any{"status": "DISMISSED"})
	if as := path(data, "alerts", "alerts").([]any); len(as) != 1 || path(as[0], "id") != ftbAlert {
		t.Errorf("dismissed alerts = %v, want only %s", as, ftbAlert)
	}

	// Re-importing the same file changes nothing and raises nothing.
	data, errs = execAs(t, s, &alice, importQ, vars)
	if imp := path(data, "importWatchlist"); len(errs) > 0 || path(imp, "unchanged") != 3.0 || path(imp, "alerts") != 0.0 {
		t.Errorf("re-import = %v, %v; want 3 unchanged, no alert", imp, errs)
	}
}

// A server without watchlists answers the watch queries empty.
func TestWatchGraphQLWithoutWatch(t *testing.T) {
	s, _ := writableSchema(t)
	data, errs := execAs(t, s, nil, `{ watchlists { name } watchlist(name: "x") { name } alerts { alerts { id } hasMore } alert(id: "1") { id } }`, nil)
	if len(errs) > 0 || len(path(data, "watchlists").([]any)) != 0 || path(data, "watchlist") != nil || len(path(data, "alerts", "alerts").([]any)) != 0 {
		t.Errorf("watch queries without watch = %v, %v", data, errs)
	}
}

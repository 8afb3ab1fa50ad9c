package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

// watchedDemo returns the demo store with a watchlist of customers,
// checked once, and the alerts the check raised.
func watchedDemo(t testing.TB) (*store.Store, []watch.Alert) {
	t.Helper()
	ctx := context.Background()
	st := storetest.Demo(t)
	parties := []watch.Party{
		{Ref: "C1", Name: "Dandong Zhongsheng Industry and Trade", Kind: "Company", Country: "cn"},
		{Ref: "C2", Name: "Sea Star Shipping", Kind: "Company"},
		{Ref: "C3", Name: "Han Jang Su", Kind: "Person"},
	}
	if _, err := st.ImportWatchlist(ctx, "customers", nil, parties); err != nil {
		t.Fatal(err)
	}
	var alerts []watch.Alert
	if _, err := st.WatchUpdate(ctx, store.WatchOptions{Emit: func(a watch.Alert) { alerts = append(alerts, a) }}); err != nil {
		t.Fatal(err)
	}
	if len(alerts) < 3 {
		t.Fatalf("the demo watchlist raised %d alerts, want at least 3", len(alerts))
	}
	return st, alerts
}

// receiver is a loopback webhook receiver that fails the first failures
// requests (with a 503, a 500, then a dropped connection, in turn) and
// records the alerts it accepts.
type receiver struct {
	mu       sync.Mutex
	failures int
	requests int
	accepted []watch.Alert
	headerID []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.requests++
	if rc.requests <= rc.failures {
		switch rc.requests % 3 {
		case 1:
			http.Error(w, "busy", http.StatusServiceUnavailable)
		case 2:
			http.Error(w, "oops", http.StatusInternalServerError)
		default:
			panic(http.ErrAbortHandler) // the connection drops: no answer
		}
		return
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "want a JSON POST", http.StatusBadRequest)
		return
	}
	b, _ := io.ReadAll(r.Body)
	var a watch.Alert
	if err := json.Unmarshal(b, &a); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.accepted = append(rc.accepted, a)
	rc.headerID = append(rc.headerID, r.Header.Get("Sanctionsgraph-Alert-Id"))
	w.WriteHeader(http.StatusNoContent)
}

func TestWebhookRetriesUntilDelivered(t *testing.T) {
	ctx := context.Background()
	st, alerts := watchedDemo(t)
	rc := &receiver{failures: 4}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	var waits []time.Duration
	h := &web.Webhook{URL: srv.URL, Feed: st, MinBackoff: time.Second, MaxBackoff: 3 * time.Second,
		Sleep: func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return nil }}

	// Configured on a store with alerts: only later alerts are sent.
	if err := h.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := h.Deliver(ctx); n != 0 || err != nil || rc.requests != 0 {
		t.Fatalf("Deliver after Start = %d, %v (%d requests); want nothing sent", n, err, rc.requests)
	}

	// From the first alert on: four failures, then every alert once, in
	// order.
	if err := st.SetWebhookCursor(ctx, 0); err != nil {
		t.Fatal(err)
	}
	n, err := h.Deliver(ctx)
	if err != nil || n != len(alerts) {
		t.Fatalf("Deliver = %d, %v; want %d", n, err, len(alerts))
	}
	if want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second, 3 * time.Second}; !reflect.DeepEqual(waits, want) {
		t.Errorf("back-off = %v, want %v", waits, want)
	}
	if rc.requests != len(alerts)+4 {
		t.Errorf("receiver got %d requests, want %d", rc.requests, len(alerts)+4)
	}
	for i, a := range rc.accepted {
		if i >= len(alerts) || a.ID != alerts[i].ID || a.Kind != alerts[i].Kind || a.Reason != alerts[i].Reason {
			t.Fatalf("delivered #%d = %d %s, want the alerts in order: %d %s", i, a.ID, a.Kind, alerts[i].ID, alerts[i].Kind)
		}
		if rc.headerID[i] != strconv.FormatUint(a.ID, 10) {
			t.Errorf("alert %d came with Sanctionsgraph-Alert-Id %q", a.ID, rc.headerID[i])
		}
		if a.After == nil && a.Before == nil {
			t.Errorf("alert %d delivered without its evidence", a.ID)
		}
	}
	if cur, ok, err := st.WebhookCursor(ctx); err != nil || !ok || cur != alerts[len(alerts)-1].ID {
		t.Errorf("cursor = %d, %v, %v; want %d", cur, ok, err, alerts[len(alerts)-1].ID)
	}

	// Delivered alerts are not sent again; a new one is.
	if n, err := h.Deliver(ctx); n != 0 || err != nil {
		t.Errorf("Deliver again = %d, %v; want 0", n, err)
	}
	if _, err := st.ImportWatchlist(ctx, "customers", nil, []watch.Party{
		{Ref: "C1", Name: "Dandong Zhongsheng Industry and Trade", Kind: "Company", Country: "cn"},
		{Ref: "C2", Name: "Sea Star Shipping", Kind: "Company"},
		{Ref: "C3", Name: "Han Jang Su", Kind: "Person"},
		{Ref: "C5", Name: "Russian Financial Society", Kind: "Company"},
	}); err != nil {
		t.Fatal(err)
	}
	var fresh []watch.Alert
	if _, err := st.WatchUpdate(ctx, store.WatchOptions{Emit: func(a watch.Alert) { fresh = append(fresh, a) }}); err != nil {
		t.Fatal(err)
	}
	if len(fresh) == 0 {
		t.Fatal("adding Russian Financial Society raised no alert")
	}
	before := len(rc.accepted)
	if n, err := h.Deliver(ctx); n != len(fresh) || err != nil {
		t.Errorf("Deliver after the new party = %d, %v; want %d", n, err, len(fresh))
	}
	for i, a := range rc.accepted[before:] {
		if a.ID != fresh[i].ID || a.Party != "C5" {
			t.Errorf("delivered %d (%s), want %d (C5)", a.ID, a.Party, fresh[i].ID)
		}
	}
}

func TestWebhookStopsWithContext(t *testing.T) {
	st, _ := watchedDemo(t)
	if err := st.SetWebhookCursor(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	rc := &receiver{failures: 1 << 30} // never takes anything
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	attempts := 0
	h := &web.Webhook{URL: srv.URL, Feed: st, Sleep: func(ctx context.Context, d time.Duration) error {
		if attempts++; attempts == 5 {
			cancel()
		}
		return ctx.Err()
	}}
	n, err := h.Deliver(ctx)
	if n != 0 || err == nil {
		t.Errorf("Deliver to a receiver that always fails = %d, %v; want 0 and the context's error", n, err)
	}
	if cur, _, _ := st.WebhookCursor(context.Background()); cur != 0 {
		t.Errorf("cursor moved to %d though nothing was delivered", cur)
	}
}

func TestAlertFeed(t *testing.T) {
	st, alerts := watchedDemo(t)
	srv := httptest.NewServer(web.New(web.Options{Alerts: st}))
	t.Cleanup(srv.Close)
	get := func(q string) (*http.Response, []watch.Alert) {
		t.Helper()
		resp, err := http.Get(srv.URL + "/alerts.jsonl" + q)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out []watch.Alert
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var a watch.Alert
			if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
				if resp.StatusCode == http.StatusOK {
					t.Fatalf("line %q: %v", sc.Text(), err)
				}
				continue
			}
			out = append(out, a)
		}
		return resp, out
	}
	resp, page := get("?after=0&limit=2")
	if resp.StatusCode != http.StatusOK || len(page) != 2 || page[0].ID != alerts[0].ID || page[1].ID != alerts[1].ID || resp.Header.Get("Sanctionsgraph-More") != "true" {
		t.Errorf("first page: %s, %d alerts, more=%q; want 200, alerts %d and %d, more", resp.Status, len(page), resp.Header.Get("Sanctionsgraph-More"), alerts[0].ID, alerts[1].ID)
	}
	resp, rest := get("?after=" + strconv.FormatUint(page[len(page)-1].ID, 10))
	if resp.StatusCode != http.StatusOK || len(rest) != len(alerts)-2 || resp.Header.Get("Sanctionsgraph-More") != "false" {
		t.Errorf("next page: %s, %d alerts, more=%q; want %d, no more", resp.Status, len(rest), resp.Header.Get("Sanctionsgraph-More"), len(alerts)-2)
	}
	for _, q := range []string{"?after=x", "?limit=0", "?limit=100000"} {
		if resp, _ := get(q); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /alerts.jsonl%s: %s, want 400", q, resp.Status)
		}
	}
}

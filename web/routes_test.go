package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRouteNames pins the route labels of metrics and the access log,
// which come from the routes table.
func TestRouteNames(t *testing.T) {
	tests := []struct {
		path, name string
		quiet      bool
	}{
		{"/graphql", "/graphql", false},
		{"/graphiql", "/graphiql", false},
		{"/graphiql/graphiql.js", "/graphiql/*", false},
		{"/", "/", false},
		{"/app/app.js", "/assets", false},
		{"/healthz", "/healthz", false},
		{"/metrics", "/metrics", true},
		{"/export", "/export", false},
		{"/admin/backup", "/admin/*", false},
		{"/alerts.jsonl", "/alerts.jsonl", false},
		{"/match/default", "/match/*", false},
		{"/search/sanctions", "/search/*", false},
		{"/entities/ofac:16669", "/entities/*", false},
		{"/graphql/x", "other", false},
		{"/no/such/page", "other", false},
	}
	for _, tt := range tests {
		rt, ok := lookupRoute(tt.path)
		name := "other"
		if ok {
			name = rt.name
		}
		if name != tt.name || rt.quiet != tt.quiet {
			t.Errorf("lookupRoute(%q) = %q (quiet %v), want %q (quiet %v)", tt.path, name, rt.quiet, tt.name, tt.quiet)
		}
	}
}

// TestRoutesServed checks that New registers the table's routes, and
// only those the Options enable.
func TestRoutesServed(t *testing.T) {
	backup := func(context.Context, io.Writer) (int64, error) { return 0, nil }
	all := New(Options{Metrics: NewMetrics(nil), Export: &ExportOptions{}, Backup: backup, Yente: &YenteOptions{Source: noGraph{}}, Alerts: noAlerts{}}).(*http.ServeMux)
	bare := New(Options{}).(*http.ServeMux)
	optional := map[string]bool{"GET /metrics": true, "GET /export": true, "GET /admin/backup": true, "GET /alerts.jsonl": true,
		"/match/": true, "GET /search/": true, "GET /entities/": true}
	for _, rt := range routes {
		_, path, _ := strings.Cut(rt.pattern, " ")
		if path == "" {
			path = rt.pattern // no method
		}
		path = strings.TrimSuffix(path, "{$}")
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if _, got := all.Handler(req); got != rt.pattern {
			t.Errorf("with every option, GET %s is answered by %q, want %q", path, got, rt.pattern)
		}
		want := rt.pattern
		if optional[rt.pattern] {
			want = ""
		}
		if _, got := bare.Handler(req); got != want {
			t.Errorf("with no options, GET %s is answered by %q, want %q", path, got, want)
		}
	}
}

// noAlerts stands for an AlertFeed where none is read.
type noAlerts struct{ AlertFeed }

// noGraph stands for a YenteGraph where none is read.
type noGraph struct{ YenteGraph }

package web_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph/export"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/internal/synth"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

// exportServer serves the real handler, GET /export included, over HTTP
// on a store holding the demo data.
func exportServer(t *testing.T, maxEntities int) (*httptest.Server, *store.Store) {
	t.Helper()
	st, sch := demoSchema(t, schema.DefaultLimits)
	srv := httptest.NewServer(web.New(web.Options{Schema: sch, Export: &web.ExportOptions{Source: st, MaxEntities: maxEntities}}))
	t.Cleanup(srv.Close)
	return srv, st
}

func getExport(t *testing.T, srv *httptest.Server, query string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(srv.URL + "/export?" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestExportEndpointFormats(t *testing.T) {
	srv, st := exportServer(t, 0)
	sg, err := st.Subgraph(context.Background(), exportQuery("demo-rfs", 2))
	if err != nil {
		t.Fatal(err)
	}
	wantEntities, wantRels := len(sg.Nodes), len(sg.Relationships)
	tests := []struct {
		format, contentType, file string
		check                     func(t *testing.T, body []byte)
	}{
		{"ftm", "application/x-ndjson", "sanctionsgraph-demo-rfs.ftm.json", func(t *testing.T, b []byte) {
			sc := bufio.NewScanner(bytes.NewReader(b))
			sc.Buffer(nil, 1<<20)
			n := 0
			for sc.Scan() {
				var l struct{ ID, Schema string }
				if err := json.Unmarshal(sc.Bytes(), &l); err != nil || l.ID == "" || l.Schema == "" {
					t.Errorf("line %q: %v", sc.Text(), err)
				}
				n++
			}
			if n < wantEntities {
				t.Errorf("%d lines, want at least %d", n, wantEntities)
			}
		}},
		{"graphml", "application/graphml+xml", "sanctionsgraph-demo-rfs.graphml", func(t *testing.T, b []byte) {
			var doc struct {
				Graph struct {
					Nodes []struct{} `xml:"node"`
					Edges []struct{} `xml:"edge"`
				} `xml:"graph"`
			}
			if err := xml.Unmarshal(b, &doc); err != nil || len(doc.Graph.Nodes) != wantEntities || len(doc.Graph.Edges) != wantRels {
				t.Errorf("graphml: %v, %d nodes, %d edges; want %d, %d", err, len(doc.Graph.Nodes), len(doc.Graph.Edges), wantEntities, wantRels)
			}
		}},
		{"csv", "application/zip", "sanctionsgraph-demo-rfs.csv.zip", func(t *testing.T, b []byte) {
			zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range zr.File {
				if f.Name == "nodes.csv" {
					rc, _ := f.Open()
					data, _ := io.ReadAll(rc)
					if got := strings.Count(string(data), "\n"); got != wantEntities+1 {
						t.Errorf("nodes.csv has %d lines, want %d", got, wantEntities+1)
					}
				}
			}
		}},
		{"cypher", "application/x-cypher-query", "sanctionsgraph-demo-rfs.cypher", func(t *testing.T, b []byte) {
			if got := strings.Count(string(b), "\nMERGE (n:Entity"); got != wantEntities {
				t.Errorf("%d node statements, want %d", got, wantEntities)
			}
		}},
		{"dot", "text/vnd.graphviz", "sanctionsgraph-demo-rfs.dot", func(t *testing.T, b []byte) {
			if got := strings.Count(string(b), " -> "); got != wantRels {
				t.Errorf("%d edges, want %d", got, wantRels)
			}
		}},
		{"html", "text/html", "sanctionsgraph-demo-rfs.html", func(t *testing.T, b []byte) {
			if !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("Russian Financial Society")) {
				t.Errorf("report lacks the diagram or the seed")
			}
			var v struct{}
			if err := xml.Unmarshal(b, &v); err != nil {
				t.Errorf("report does not parse: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			resp, body := getExport(t, srv, "seed=demo-rfs&hops=2&format="+tt.format)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Errorf("Content-Type = %q, want %q", ct, tt.contentType)
			}
			if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+tt.file+`"` {
				t.Errorf("Content-Disposition = %q, want file %s", cd, tt.file)
			}
			if resp.Header.Get(web.HeaderTruncated) != "false" || resp.Header.Get(web.HeaderEntities) != strconv.Itoa(wantEntities) {
				t.Errorf("headers %v", resp.Header)
			}
			tt.check(t, body)
		})
	}
}

func TestExportEndpointPathsViaAndLimit(t *testing.T) {
	srv, _ := exportServer(t, 3)
	resp, body := getExport(t, srv, "from=demo-rfs&to=demo-ftb&first=2&format=dot")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"demo-rfs"`) || !strings.Contains(string(body), `"demo-ftb"`) {
		t.Errorf("path export: %d %s", resp.StatusCode, body)
	}
	// The server's limit of 3 entities cuts a 3-hop neighbourhood.
	resp, body = getExport(t, srv, "seed=demo-ftb&hops=3&format=graphml")
	if resp.StatusCode != 200 || resp.Header.Get(web.HeaderTruncated) != "entities" || resp.Header.Get(web.HeaderEntities) != "3" {
		t.Errorf("limited export: %d, truncated %q, entities %q", resp.StatusCode, resp.Header.Get(web.HeaderTruncated), resp.Header.Get(web.HeaderEntities))
	}
	if !strings.Contains(string(body), "TRUNCATED") {
		t.Errorf("no truncation marker in the file")
	}
	// via: only ownership and control from the FTB.
	resp, body = getExport(t, srv, "seed=demo-ftb&hops=1&via=owns,controls&format=cypher&limit=2")
	if resp.StatusCode != 200 || strings.Contains(string(body), "DESIGNATED_BY") || !strings.Contains(string(body), "`OWNS`") {
		t.Errorf("via export: %d %s", resp.StatusCode, body)
	}
}

func TestExportEndpointErrors(t *testing.T) {
	srv, _ := exportServer(t, 0)
	tests := []struct {
		query  string
		status int
		param  string
	}{
		{"seed=demo-ftb", 400, "format"},
		{"seed=demo-ftb&format=pdf", 400, "format"},
		{"seed=demo-ftb&format=ftm&hops=7", 400, "hops"},
		{"seed=demo-ftb&format=ftm&hops=x", 400, "hops"},
		{"seed=demo-ftb&format=ftm&via=owns,friends", 400, "via"},
		{"format=ftm", 400, "seed"},
		{"from=demo-rfs&format=ftm", 400, "to"},
		{"seed=demo-ftb&format=ftm&limit=999999", 400, "limit"},
		{"seed=demo-ftb&format=ftm&colour=red", 400, "colour"},
		{"seed=demo-ftb&seed=nobody&format=ftm", 404, "seed"},
		{"from=demo-rfs&to=nobody&format=html", 404, "to"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := getExport(t, srv, tt.query)
			var e struct {
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			if err := json.Unmarshal(body, &e); err != nil || len(e.Errors) != 1 {
				t.Fatalf("body %s: %v", body, err)
			}
			if resp.StatusCode != tt.status || e.Errors[0].Extensions["parameter"] != tt.param || !strings.HasPrefix(e.Errors[0].Message, tt.param+":") {
				t.Errorf("GET /export?%s = %d %s, want %d naming %s", tt.query, resp.StatusCode, body, tt.status, tt.param)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
}

func exportQuery(seed string, hops int) export.Query {
	return export.Query{Seeds: []string{seed}, Hops: hops}
}

// TestExportEndpointLarge exports a large neighbourhood of a synthetic
// network: the response is encoded whole before it is written (so the
// export slot is not held while a client reads; see
// TestExportSlowReadersDoNotBlock), with its length, and the server's limit
// cuts it, which the header and the file say.
func TestExportEndpointLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests a synthetic network")
	}
	st := storetest.Open(t, store.Options{Index: true})
	var net bytes.Buffer
	if _, err := synth.Generate(&net, synth.Config{Entities: 5000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	storetest.LoadReader(t, st, "synth.ftm.json", &net, ingest.Options{Format: "ftm"})
	srv := httptest.NewServer(web.New(web.Options{Export: &web.ExportOptions{Source: st, MaxEntities: 1500}}))
	t.Cleanup(srv.Close)
	resp, body := getExport(t, srv, "seed="+synth.EntityID(1)+"&hops=6&format=graphml")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if resp.ContentLength != int64(len(body)) {
		t.Errorf("Content-Length %d, body %d bytes", resp.ContentLength, len(body))
	}
	if resp.Header.Get(web.HeaderTruncated) != "entities" || resp.Header.Get(web.HeaderEntities) != "1500" {
		t.Errorf("truncated %q, entities %q; want the limit of 1500 hit", resp.Header.Get(web.HeaderTruncated), resp.Header.Get(web.HeaderEntities))
	}
	var doc struct {
		Nodes []struct{} `xml:"graph>node"`
	}
	if err := xml.Unmarshal(body, &doc); err != nil || len(doc.Nodes) != 1500 || !bytes.Contains(body, []byte("TRUNCATED")) {
		t.Errorf("GraphML: %v, %d nodes, %d bytes", err, len(doc.Nodes), len(body))
	}
}

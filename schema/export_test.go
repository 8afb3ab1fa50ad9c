package schema_test

import (
	"archive/zip"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

func TestExportSubgraph(t *testing.T) {
	s := demoSchema(t)
	q := `query($seeds: [ID!]!, $hops: Int, $via: [RelationshipKind!], $format: ExportFormat!, $from: ID, $to: ID) {
	  exportSubgraph(seeds: $seeds, hops: $hops, via: $via, format: $format, from: $from, to: $to) {
	    format contentType filename content encoding truncated limits entities relationships
	  }
	}`
	get := func(data map[string]any) map[string]any { return data["exportSubgraph"].(map[string]any) }

	data, errs := exec(t, s, q, map[string]any{"seeds": []any{"demo-rfs"}, "hops": 2, "format": "FTM"})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	ex := get(data)
	lines := strings.Split(strings.TrimSpace(ex["content"].(string)), "\n")
	ids := map[string]bool{}
	for _, l := range lines {
		var e struct{ ID string }
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		ids[e.ID] = true
	}
	if !ids["demo-rfs"] || !ids["demo-dandong"] || !ids["demo-rfs-accounts-dandong"] || ex["truncated"] != false || ex["filename"] != "sanctionsgraph-export.ftm.json" {
		t.Errorf("exportSubgraph FTM = %v", ex)
	}
	if n := ex["entities"].(float64); n < 3 {
		t.Errorf("entities = %v", n)
	}

	data, errs = exec(t, s, q, map[string]any{"seeds": []any{"demo-ftb"}, "hops": 1, "format": "CSV"})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	ex = get(data)
	zipped, err := base64.StdEncoding.DecodeString(ex["content"].(string))
	if err != nil || ex["encoding"] != "base64" {
		t.Fatalf("CSV content: encoding %v, %v", ex["encoding"], err)
	}
	if zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped))); err != nil || len(zr.File) < 3 {
		t.Errorf("CSV zip: %v", err)
	}

	data, errs = exec(t, s, q, map[string]any{"seeds": []any{}, "from": "demo-rfs", "to": "demo-ftb", "format": "DOT"})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	if c := get(data)["content"].(string); !strings.Contains(c, `"demo-rfs"`) || !strings.Contains(c, `"demo-ftb"`) || !strings.Contains(c, "->") {
		t.Errorf("path DOT = %s", c)
	}

	tests := []struct {
		name string
		vars map[string]any
		code string
		msg  string
	}{
		{"unknown seed", map[string]any{"seeds": []any{"demo-ftb", "nobody"}, "format": "HTML"}, "NOT_FOUND", "seed"},
		{"hops too large", map[string]any{"seeds": []any{"demo-ftb"}, "hops": 9, "format": "HTML"}, "BAD_USER_INPUT", "hops"},
		{"no seeds", map[string]any{"seeds": []any{}, "format": "HTML"}, "BAD_USER_INPUT", "seed"},
		{"from without to", map[string]any{"seeds": []any{}, "from": "demo-rfs", "format": "HTML"}, "BAD_USER_INPUT", "to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := exec(t, s, q, tt.vars)
			if len(errs) != 1 {
				t.Fatalf("errors = %v, want one", errs)
			}
			ext, _ := errs[0]["extensions"].(map[string]any)
			if ext["code"] != tt.code || !strings.Contains(errs[0]["message"].(string), tt.msg) {
				t.Errorf("error = %v, want code %s naming %s", errs[0], tt.code, tt.msg)
			}
		})
	}
}

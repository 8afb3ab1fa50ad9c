package schema_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestScreenField(t *testing.T) {
	s := demoSchema(t)
	data, errs := exec(t, s, `{ screen(name: "KOREA KWANGSON BANKING CORP", country: "North Korea") {
		score matched entity { id sanctioned }
		explanation { summary nameScore words { query name how similarity weight } fields { field outcome effect } }
		exposure(maxHops: 2) { truncated paths { hops end { id } } } } }`, nil)
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	var out struct {
		Screen []struct {
			Score   float64
			Matched string
			Entity  struct {
				ID         string
				Sanctioned bool
			}
			Explanation struct {
				Summary   string
				NameScore float64
				Words     []struct{ How string }
				Fields    []struct {
					Field, Outcome string
					Effect         float64
				}
			}
			Exposure struct {
				Paths []struct {
					Hops int
					End  struct{ ID string }
				}
			}
		}
	}
	b, _ := json.Marshal(data)
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Screen) == 0 {
		t.Fatalf("screen found nothing: %s", b)
	}
	top := out.Screen[0]
	if top.Entity.ID != "demo-kkbc" || top.Score < 0.95 || top.Score > 1 || top.Matched != "Korea Kwangson Banking Corp" {
		t.Errorf("top hit = %+v, want demo-kkbc matched by its alias with a score near 1", top)
	}
	if top.Explanation.Summary == "" || len(top.Explanation.Words) == 0 || len(top.Explanation.Fields) != 1 || top.Explanation.Fields[0].Outcome != "match" {
		t.Errorf("explanation = %+v, want words and a country match", top.Explanation)
	}
	// KKBC is designated itself (0 hops) and linked to FTB.
	ends := map[string]int{}
	for _, p := range top.Exposure.Paths {
		ends[p.End.ID] = p.Hops
	}
	if h, ok := ends["demo-kkbc"]; !ok || h != 0 {
		t.Errorf("exposure %+v lacks the hit itself at 0 hops", top.Exposure.Paths)
	}
	if h, ok := ends["demo-ftb"]; !ok || h != 1 {
		t.Errorf("exposure %+v lacks FTB at 1 hop", top.Exposure.Paths)
	}
}

func TestScreenBatchField(t *testing.T) {
	s := demoSchema(t)
	data, errs := exec(t, s, `query($q: [ScreenInput!]!) { screenBatch(queries: $q) { ref name candidatesTruncated hits { score entity { id } } } }`,
		map[string]any{"q": []any{
			map[string]any{"ref": "row1", "name": "Foreign Trade Bank"},
			map[string]any{"ref": "row2", "name": "Nobody Whatsoever Existing"},
			map[string]any{"ref": "row3", "name": "x", "identifiers": []any{"FTBDKPPY"}},
		}})
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
	b, _ := json.Marshal(data)
	got := string(b)
	for _, want := range []string{`"ref":"row1"`, `"hits":[],"name":"Nobody Whatsoever Existing","ref":"row2"`, `"ref":"row3"`, `"hits":[{"entity":{"id":"demo-ftb"},"score":1}],"name":"x","ref":"row3"`} {
		if !strings.Contains(got, want) {
			t.Errorf("screenBatch result lacks %s:\n%s", want, got)
		}
	}
	if strings.Index(got, "row1") > strings.Index(got, "row2") || strings.Index(got, "row2") > strings.Index(got, "row3") {
		t.Errorf("results out of order: %s", got)
	}
}

func TestScreenBadInput(t *testing.T) {
	s := demoSchema(t)
	many := strings.Repeat(`{name: "a"},`, 101)
	tests := []struct {
		query, words string
	}{
		{`{ screen(name: "  ") { score } }`, "name"},
		{`{ screen(name: "x", kind: "Dragon") { score } }`, "kind"},
		{`{ screen(name: "x", country: "Atlantis") { score } }`, "country"},
		{`{ screen(name: "x", birthDate: "1952/10/07") { score } }`, "birthDate"},
		{`{ screen(name: "x", threshold: 2) { score } }`, "threshold"},
		{`{ screen(name: "x", first: 0) { score } }`, "first"},
		{`{ screen(name: "Foreign Trade Bank") { exposure(maxHops: 9) { truncated } } }`, "maxHops"},
		{`{ screenBatch(queries: [` + many + `]) { name } }`, "queries"},
		{`{ screenBatch(queries: [{name: "a"}, {name: "b", country: "Atlantis"}]) { name } }`, "queries[1].country"},
	}
	for _, tt := range tests {
		_, errs := exec(t, s, tt.query, nil)
		if len(errs) != 1 {
			t.Errorf("%s: errors %v, want one", tt.query, errs)
			continue
		}
		msg, _ := errs[0]["message"].(string)
		ext, _ := errs[0]["extensions"].(map[string]any)
		if ext["code"] != "BAD_USER_INPUT" || !strings.Contains(msg, tt.words) {
			t.Errorf("%s: error %v, want BAD_USER_INPUT naming %s", tt.query, errs[0], tt.words)
		}
	}
}

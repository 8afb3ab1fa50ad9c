package synth

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
)

func TestGenerate(t *testing.T) {
	var a, b bytes.Buffer
	st, err := Generate(&a, Config{Entities: 20_000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(&b, Config{Entities: 20_000, Seed: 1}); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same config generated different output")
	}
	ids := map[string]bool{}
	degree := map[string]int{}
	sc := bufio.NewScanner(&a)
	sc.Buffer(nil, 1<<20)
	lines := 0
	for sc.Scan() {
		lines++
		var e struct {
			ID         string              `json:"id"`
			Schema     string              `json:"schema"`
			Properties map[string][]string `json:"properties"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d: %v", lines, err)
		}
		if ids[e.ID] {
			t.Fatalf("duplicate id %s", e.ID)
		}
		ids[e.ID] = true
		if e.Schema == "Directorship" {
			degree[e.Properties["director"][0]]++
		}
	}
	if lines != st.Records {
		t.Errorf("lines = %d, stats say %d", lines, st.Records)
	}
	maxDeg := 0
	for _, d := range degree {
		maxDeg = max(maxDeg, d)
	}
	if len(st.HubLinks) == 0 || maxDeg < st.HubLinks[0] {
		t.Errorf("hub degree %d, stats %v", maxDeg, st.HubLinks)
	}
	ratio := float64(st.Records) / float64(st.Entities)
	if ratio < 2 || ratio > 3 {
		t.Errorf("records per entity = %.2f, want about 2.45", ratio)
	}
	if d := float64(len(st.Designated)) / float64(st.Entities); d < 0.005 || d > 0.02 {
		t.Errorf("designated share = %.3f, want about 0.01", d)
	}
}

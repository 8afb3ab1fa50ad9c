package schema_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// A party listed by two sources is one entity over GraphQL: either id finds
// it, it carries both designations, and merge explains why.
func TestMergedParty(t *testing.T) {
	st := storetest.Open(t, store.Options{Index: true})
	ctx := context.Background()
	org := func(ref, dataset, name, programme string) graph.Record {
		return graph.Record{Ref: ref,
			Entity: &graph.Entity{Ref: ref, Schema: "Organization", Props: map[string][]string{"name": {name}, "swiftBic": {"FTBDKPPY"}},
				Sources: []graph.Source{{Dataset: dataset, RecordID: ref}}},
			Ensure: []graph.Entity{{Ref: programme, Schema: graph.SchemaProgramme, Props: map[string][]string{"name": {programme}}}},
			Relationships: []graph.Relationship{{Ref: ref + "#d", Kind: graph.RelDesignatedBy, SourceRef: ref, TargetRef: programme,
				Sources: []graph.Source{{Dataset: dataset, RecordID: ref}}}}}
	}
	storetest.Load(t, st, func(ctx context.Context, run *store.Run) error {
		_, err := run.Apply(ctx, []graph.Record{
			org("ofac:15603", "us_ofac_sdn", "FOREIGN TRADE BANK OF THE DPRK", "programme:ofac"),
			org("un:6908622", "un_sc_sanctions", "FOREIGN TRADE BANK (FTB)", "programme:un"),
			org("ofac:1", "us_ofac_sdn", "OTHER BANK", "programme:ofac"),
		})
		return err
	})
	if _, err := st.AutoMerge(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := schema.New(st, schema.DefaultLimits, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := `query($id: ID!) { entity(id: $id) { uuid otherIds designations { programme } merge { records { id datasets } links { a b rule evidence by agreed checked } } } }`
	var uuids []string
	for _, id := range []string{"ofac:15603", "un:6908622"} {
		data, errs := exec(t, s, q, map[string]any{"id": id})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		b, _ := json.Marshal(data)
		got := string(b)
		for _, want := range []string{`"programme":"programme:ofac"`, `"programme":"programme:un"`, `"rule":"swiftBic"`, `"evidence":"FTBDKPPY"`, `"by":"auto"`, `"SWIFT/BIC FTBDKPPY (swiftBic / swiftBic)"`, `"SWIFT/BIC FTBDKPPY / FTBDKPPY"`, `"id":"ofac:15603"`, `"id":"un:6908622"`} {
			if !strings.Contains(got, want) {
				t.Errorf("%s: answer lacks %s:\n%s", id, want, got)
			}
		}
		uuids = append(uuids, data["entity"].(map[string]any)["uuid"].(string))
	}
	if uuids[0] != uuids[1] {
		t.Errorf("two entities for one party: %v", uuids)
	}
	data, errs := exec(t, s, q, map[string]any{"id": "ofac:1"})
	if len(errs) > 0 || data["entity"].(map[string]any)["merge"] != nil {
		t.Errorf("an unmerged entity has a merge: %v %v", data, errs)
	}
}

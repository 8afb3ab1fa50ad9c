package schema_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// realSchema is the schema over the real OFAC, UN and EU lists, merged,
// with the 2019 finding added (through the mutation, by names).
func realSchema(t *testing.T) *graphql.Schema {
	t.Helper()
	st := storetest.RealLists(t)
	s, err := schema.New(st, schema.DefaultLimits, nil, schema.Writable(st, nil))
	if err != nil {
		t.Fatal(err)
	}
	who := "test"
	_, errs := execAs(t, s, &who, `mutation($s: SourceInput!) {
		addRelationship(relationship: {kind: OPENED_ACCOUNTS_FOR, sourceId: "Russian Financial Society", targetId: "Dandong Zhongsheng Industry & Trade",
			role: "`+storetest.FindingRole+`", startDate: "2017", endDate: "2018"}, source: $s) { relationship { sourceId targetId } } }`,
		map[string]any{"s": map[string]any{"url": storetest.FindingURL, "date": storetest.FindingDate, "quote": storetest.FindingQuote}})
	if len(errs) > 0 {
		t.Fatalf("add the 2019 finding by names: %v", errs)
	}
	return s
}

func decode(t *testing.T, data map[string]any, out any) {
	t.Helper()
	b, _ := json.Marshal(data)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
}

type pathAnswer struct {
	Paths struct {
		Resolved []struct {
			Query   string
			How     string
			Matched *string
			Score   float64
			Entity  struct{ ID, Name string }
		}
		Paths []struct {
			Hops  int
			Steps []struct {
				Forward      bool
				From, To     struct{ ID string }
				Relationship struct {
					Kind           string
					SourceID       string `json:"sourceId"`
					TargetID       string `json:"targetId"`
					StatedSourceID string `json:"statedSourceId"`
					StatedTargetID string `json:"statedTargetId"`
					Sources        []struct{ URL *string }
				}
			}
		}
	}
}

const pathFields = `resolved { query how matched score entity { id name } }
	paths { hops steps { forward from { id } to { id } relationship { kind sourceId targetId statedSourceId statedTargetId sources { url } } } }`

// TestPathsByNameRealLists is the acceptance of issue 11 for GraphQL: on
// the real lists, paths between two names answers the path it answers
// between ids and says what the names resolved to; every relationship
// names a merged party by its one id; an ambiguous name is AMBIGUOUS with
// candidates.
func TestPathsByNameRealLists(t *testing.T) {
	s := realSchema(t)
	var byID, byName pathAnswer
	data, errs := exec(t, s, `{ paths(from: "ofac:26744", to: "ofac:15603") { `+pathFields+` } }`, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	decode(t, data, &byID)
	data, errs = exec(t, s, `{ paths(from: "Russian Financial Society", to: "Foreign Trade Bank of the DPRK") { `+pathFields+` } }`, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	decode(t, data, &byName)
	if len(byName.Paths.Paths) == 0 {
		t.Fatal("no path from Russian Financial Society to the Foreign Trade Bank")
	}
	a, _ := json.Marshal(byID.Paths.Paths)
	b, _ := json.Marshal(byName.Paths.Paths)
	if string(a) != string(b) {
		t.Errorf("paths by name = %s\nby id = %s", b, a)
	}
	res := byName.Paths.Resolved
	if len(res) != 2 || res[0].Query != "Russian Financial Society" || res[0].How != "name" || res[0].Entity.ID != "ofac:26744" ||
		res[1].Query != "Foreign Trade Bank of the DPRK" || res[1].How != "name" || res[1].Entity.ID != "un:6908622" {
		t.Errorf("resolved = %+v, want RFS (ofac:26744) and the FTB party (un:6908622), by name", res)
	}
	for _, r := range res {
		if r.Matched == nil || r.Score < 0.8 || r.Score > 1 {
			t.Errorf("resolution %+v lacks the name matched or a score", r)
		}
	}
	p := byName.Paths.Paths[0]
	var hops []string
	for _, st := range p.Steps {
		hops = append(hops, st.From.ID+" "+st.Relationship.Kind+" "+st.To.ID)
		src, dst := st.From.ID, st.To.ID
		if !st.Forward {
			src, dst = dst, src
		}
		if st.Relationship.SourceID != src || st.Relationship.TargetID != dst {
			t.Errorf("step %s: relationship %s -> %s, want the step's ends %s -> %s (one party, one id)",
				hops[len(hops)-1], st.Relationship.SourceID, st.Relationship.TargetID, src, dst)
		}
		if len(st.Relationship.Sources) == 0 || st.Relationship.Sources[0].URL == nil {
			t.Errorf("step %s has no source URL", hops[len(hops)-1])
		}
	}
	want := []string{"ofac:26744 OPENED_ACCOUNTS_FOR ofac:24518", "ofac:24518 LINKED_TO un:6908622"}
	if !slices.Equal(hops, want) {
		t.Errorf("first path = %v, want %v", hops, want)
	}
	// The record OFAC's "Linked To" names is kept, as stated.
	if last := p.Steps[len(p.Steps)-1].Relationship; last.StatedTargetID != "ofac:15603" {
		t.Errorf("statedTargetId = %q, want ofac:15603 (the OFAC record the remark names)", last.StatedTargetID)
	}

	// An ambiguous name: the candidates with their scores, in the error.
	_, errs = exec(t, s, `{ paths(from: "Foreign Trade Bank", to: "Russian Financial Society") { paths { hops } } }`, nil)
	if code(errs) != schema.CodeAmbiguous {
		t.Fatalf("paths from \"Foreign Trade Bank\": errors %v, want AMBIGUOUS", errs)
	}
	if m := message(errs); !strings.HasPrefix(m, `from: "Foreign Trade Bank" names more than one entity`) {
		t.Errorf("message = %q", m)
	}
	ext, _ := errs[0]["extensions"].(map[string]any)
	cands, _ := ext["candidates"].([]any)
	var ids []string
	for _, c := range cands {
		m := c.(map[string]any)
		ids = append(ids, m["id"].(string))
		if sc, _ := m["score"].(float64); sc < 0.8 || m["name"] == "" || m["matched"] == "" {
			t.Errorf("candidate %v", m)
		}
	}
	for _, w := range []string{"un:6908622", "ofac:17013", "ofac:42796"} {
		if !slices.Contains(ids, w) {
			t.Errorf("candidates %v lack %s", ids, w)
		}
	}

	// A name nothing has.
	_, errs = exec(t, s, `{ paths(from: "Russian Financial Society", to: "Nobody Holdings Qqq") { paths { hops } } }`, nil)
	if code(errs) != schema.CodeNotFound || !strings.Contains(message(errs), `to: entity "Nobody Holdings Qqq" not found`) {
		t.Errorf("unknown name: %v", errs)
	}
}

// TestMergedPartyRelationshipsRealLists checks that a merged party's
// relationships all name it by its one id, so that a client joining by id
// draws them connected, and that every other end is the entity given.
func TestMergedPartyRelationshipsRealLists(t *testing.T) {
	s := realSchema(t)
	for _, id := range []string{"ofac:15603", "eu:32017R1509:XIII.B:47", "FTBDKPPY", "Foreign Trade Bank of North Korea"} {
		data, errs := exec(t, s, `query($id: ID!) { entity(id: $id) { id degree relationships(first: 500) { totalCount
			edges { direction other { id } node { sourceId targetId } } } } }`, map[string]any{"id": id})
		if len(errs) > 0 {
			t.Fatalf("%s: %v", id, errs)
		}
		var got struct {
			Entity struct {
				ID            string
				Degree        int
				Relationships struct {
					TotalCount int
					Edges      []struct {
						Direction string
						Other     struct{ ID string }
						Node      struct {
							SourceID string `json:"sourceId"`
							TargetID string `json:"targetId"`
						}
					}
				}
			}
		}
		decode(t, data, &got)
		e := got.Entity
		if e.ID != "un:6908622" {
			t.Errorf("entity(%q).id = %s, want the party's id un:6908622", id, e.ID)
		}
		if len(e.Relationships.Edges) != e.Relationships.TotalCount || e.Degree != e.Relationships.TotalCount || e.Degree < 8 {
			t.Errorf("entity(%q): %d edges, totalCount %d, degree %d", id, len(e.Relationships.Edges), e.Relationships.TotalCount, e.Degree)
		}
		for _, ed := range e.Relationships.Edges {
			self, other := ed.Node.SourceID, ed.Node.TargetID
			if ed.Direction == "INCOMING" {
				self, other = other, self
			}
			if self != e.ID || other != ed.Other.ID || other == e.ID {
				t.Errorf("entity(%q): %s edge %s -> %s, other %s: want the party's id at its end and the other's at the other", id, ed.Direction, ed.Node.SourceID, ed.Node.TargetID, ed.Other.ID)
			}
		}
	}

	// The neighbourhood of the party: every relationship joins two of its
	// entities, none is a loop on the party.
	data, errs := exec(t, s, `{ neighbourhood(id: "FTBDKPPY", hops: 1, first: 100) { resolved { how entity { id } }
		entities { id } relationships { sourceId targetId } } }`, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var nb struct {
		Neighbourhood struct {
			Resolved struct {
				How    string
				Entity struct{ ID string }
			}
			Entities      []struct{ ID string }
			Relationships []struct {
				SourceID string `json:"sourceId"`
				TargetID string `json:"targetId"`
			}
		}
	}
	decode(t, data, &nb)
	n := nb.Neighbourhood
	if n.Resolved.How != "identifier" || n.Resolved.Entity.ID != "un:6908622" {
		t.Errorf("neighbourhood resolved = %+v", n.Resolved)
	}
	in := map[string]bool{}
	for _, e := range n.Entities {
		in[e.ID] = true
	}
	for _, r := range n.Relationships {
		if !in[r.SourceID] || !in[r.TargetID] || r.SourceID == r.TargetID {
			t.Errorf("neighbourhood relationship %s -> %s: an end not among its entities, or a loop", r.SourceID, r.TargetID)
		}
	}
	if len(n.Relationships) < 8 {
		t.Errorf("neighbourhood has %d relationships", len(n.Relationships))
	}
}

// TestNamesEverywhereRealLists: every field that takes an id takes a
// name, and search tolerates typos as screening does.
func TestNamesEverywhereRealLists(t *testing.T) {
	s := realSchema(t)
	data, errs := exec(t, s, `{
		search(query: "Dandong Zongsheng", first: 5) { entity { id } matched }
		linksToSanctioned(id: "Russian Financial Society", first: 3) { resolved { how entity { id } } paths { hops end { id } } }
		ownershipExposure(id: "Dandong Zhongsheng") { resolved { how matched entity { id } } designated }
		exportSubgraph(seeds: [], from: "Russian Financial Society", to: "FTBDKPPY", format: FTM) { resolved { query how entity { id } } entities }
	}`, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(data)
	got := buf.String()
	for _, want := range []string{
		`"search":[{"entity":{"id":"ofac:24518"},"matched":"DANDONG ZHONGSHENG INDUSTRY & TRADE CO., LTD."}`,
		`"linksToSanctioned":{"paths":[{"end":{"id":"ofac:26744"},"hops":0}`,
		`"resolved":[{"entity":{"id":"ofac:26744"},"how":"name"}]`,
		`"ownershipExposure":{"designated":true,"resolved":{"entity":{"id":"ofac:24518"},"how":"name","matched":"DANDONG ZHONGSHENG INDUSTRY & TRADE CO., LTD."}}`,
		`"resolved":[{"entity":{"id":"ofac:26744"},"how":"name","query":"Russian Financial Society"},{"entity":{"id":"un:6908622"},"how":"identifier","query":"FTBDKPPY"}]`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("answer lacks %s:\n%s", want, got)
		}
	}
	_, errs = exec(t, s, `{ exportSubgraph(seeds: ["Korea Kwangson"], format: DOT) { entities } }`, nil)
	if code(errs) != schema.CodeAmbiguous || !strings.HasPrefix(message(errs), `seed: "Korea Kwangson" names more than one entity`) {
		t.Errorf("ambiguous seed: %v", errs)
	}
}

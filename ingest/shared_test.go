package ingest_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// ftmFiles lists the FtM entity and delta files under the shared
// opensanctions directory.
func ftmFiles(t *testing.T) []string {
	dir := graphtest.SharedData(t, "opensanctions")
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".ftm.json") || strings.HasSuffix(p, ".delta.json")) {
			out = append(out, p)
		}
		return nil
	})
	if len(out) < 8 {
		t.Fatalf("found only %d FtM files under %s", len(out), dir)
	}
	return out
}

// expectedCounts reads an FtM file with plain encoding/json, applies delta
// operations, and counts what the graph should hold, following the mapping
// the foundation issue specifies.
func expectedCounts(t *testing.T, path string) (bySchema, byKind map[string]int, docs int) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type ent struct {
		ID         string         `json:"id"`
		Schema     string         `json:"schema"`
		Raw        map[string]any `json:"properties"`
		Properties map[string][]string
	}
	final := map[string]*ent{}
	var order []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		var l struct {
			ent
			Op     string `json:"op"`
			Entity *ent   `json:"entity"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		e := &l.ent
		if l.Entity != nil {
			e = l.Entity
		}
		// FtM writes lists of strings; a lone string counts as a list of one.
		e.Properties = map[string][]string{}
		for k, v := range e.Raw {
			switch v := v.(type) {
			case string:
				e.Properties[k] = []string{v}
			case []any:
				for _, x := range v {
					s, _ := x.(string)
					e.Properties[k] = append(e.Properties[k], s)
				}
			}
		}
		if l.Op == "DEL" {
			delete(final, e.ID)
			continue
		}
		if _, ok := final[e.ID]; !ok {
			order = append(order, e.ID)
		}
		final[e.ID] = e
	}
	edgeKind := map[string]string{
		"Ownership": "owns", "Directorship": "director-of", "Family": "family", "Associate": "associate",
		"Membership": "member-of", "Employment": "employee-of", "Representation": "represents",
		"Occupancy": "holds-position", "Payment": "paid", "Control": "controls",
	}
	edgeEnds := map[string][2]string{
		"Ownership": {"owner", "asset"}, "Directorship": {"director", "organization"}, "Family": {"person", "relative"},
		"Associate": {"person", "associate"}, "Membership": {"member", "organization"}, "Employment": {"employee", "employer"},
		"Representation": {"agent", "client"}, "Occupancy": {"holder", "post"}, "Payment": {"payer", "beneficiary"},
		"UnknownLink": {"subject", "object"}, "Control": {"controller", "controlled"},
	}
	bySchema, byKind = map[string]int{}, map[string]int{}
	for _, id := range order {
		e, ok := final[id]
		if !ok {
			continue
		}
		switch {
		case edgeEnds[e.Schema] != [2]string{} && (len(e.Properties[edgeEnds[e.Schema][0]]) == 0) != (len(e.Properties[edgeEnds[e.Schema][1]]) == 0):
			// one end missing: kept as a document of each end that is there
			docs += len(e.Properties[edgeEnds[e.Schema][0]]) + len(e.Properties[edgeEnds[e.Schema][1]])
		case edgeEnds[e.Schema] != [2]string{}:
			ends := edgeEnds[e.Schema]
			kind := edgeKind[e.Schema]
			if e.Schema == "UnknownLink" {
				kind = "linked-to"
				if len(e.Properties["role"]) > 0 && strings.Contains(strings.ToLower(e.Properties["role"][0]), "opened account") {
					kind = "opened-accounts-for"
				}
			}
			byKind[kind] += len(e.Properties[ends[0]]) * len(e.Properties[ends[1]])
		case e.Schema == "Sanction":
			byKind["designated-by"] += len(e.Properties["entity"])
		case e.Schema == "Passport" || e.Schema == "Identification":
			docs += len(e.Properties["holder"])
		default:
			bySchema[e.Schema]++
			for p, vals := range e.Properties {
				if graph.PropType(e.Schema, p) != "entity" {
					continue
				}
				switch {
				case p == "addressEntity":
					byKind["has-address"] += len(vals)
				default:
					byKind["linked-to"] += len(vals)
				}
			}
		}
	}
	return bySchema, byKind, docs
}

// digest hashes everything a reader can see in the store.
func digest(t *testing.T, s *store.Store) string {
	h := sha256.New()
	storetest.WriteDump(t, h, s)
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestSharedFTMFilesIngest(t *testing.T) {
	for _, path := range ftmFiles(t) {
		rel, _ := filepath.Rel(graphtest.SharedDir(), path)
		t.Run(rel, func(t *testing.T) {
			s := storetest.Open(t, store.Options{})
			sums, err := ingestFiles(t, s, ingest.Options{Strict: true}, path)
			if err != nil {
				t.Fatal(err)
			}
			st, err := s.Stats(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			wantSchema, wantKind, wantDocs := expectedCounts(t, path)
			gotSchema := map[string]int{}
			for k, v := range st.BySchema {
				if k != graph.SchemaAuthority && k != graph.SchemaProgramme {
					gotSchema[k] = v
				}
			}
			if !reflect.DeepEqual(gotSchema, wantSchema) && !(len(gotSchema) == 0 && len(wantSchema) == 0) {
				t.Errorf("entities by schema = %v, want %v", gotSchema, wantSchema)
			}
			gotKind := map[string]int{}
			for k, v := range st.ByKind {
				if k != "programme-of" {
					gotKind[k] = v
				}
			}
			if !reflect.DeepEqual(gotKind, wantKind) && !(len(gotKind) == 0 && len(wantKind) == 0) {
				t.Errorf("relationships by kind = %v, want %v", gotKind, wantKind)
			}
			if st.Documents != wantDocs {
				t.Errorf("documents = %d, want %d", st.Documents, wantDocs)
			}
			if wantKind["designated-by"] > 0 && (st.BySchema[graph.SchemaAuthority] == 0 || st.ByKind["programme-of"] != st.BySchema[graph.SchemaProgramme]) {
				t.Errorf("designators: %d authorities, %d programmes, %d programme-of", st.BySchema[graph.SchemaAuthority], st.BySchema[graph.SchemaProgramme], st.ByKind["programme-of"])
			}
			// A second ingest changes nothing.
			before := digest(t, s)
			sums2, err := ingestFiles(t, s, ingest.Options{Strict: true}, path)
			if err != nil {
				t.Fatal(err)
			}
			if s2 := sums2[0]; s2.Added+s2.Updated+s2.Deleted != 0 || s2.Unchanged != sums[0].Added+sums[0].Updated {
				t.Errorf("second ingest = %+v; first was %+v", s2, sums[0])
			}
			st2, _ := s.Stats(context.Background())
			if !reflect.DeepEqual(st, st2) {
				t.Errorf("stats changed on re-ingest: %+v -> %+v", st, st2)
			}
			if after := digest(t, s); after != before {
				t.Error("entities or relationships changed on re-ingest")
			}
		})
	}
}

func TestSharedNonFTMRefused(t *testing.T) {
	for _, rel := range []string{"opensanctions/sa_wiki_peps/index.json", "opensanctions/sa_wiki_peps/statistics.json"} {
		p := graphtest.SharedData(t, rel)
		s := storetest.Open(t, store.Options{})
		_, err := ingestFiles(t, s, ingest.Options{}, p)
		if err == nil || !strings.Contains(err.Error(), "not FollowTheMoney") {
			t.Errorf("%s: error = %v, want a clear refusal", rel, err)
		}
	}
}

// The zala fixture's Ownership, Directorship, Family and Sanction records
// become edges of the right kind, direction and properties, with sources.
func TestZalaEdges(t *testing.T) {
	p := graphtest.SharedData(t, "opensanctions/yente-fixtures/zala/entities.ftm.json")
	s := storetest.Open(t, store.Options{})
	if _, err := ingestFiles(t, s, ingest.Options{Strict: true}, p); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	check := func(ref string, kind graph.RelType, src, dst string, props map[string]string, dataset string) {
		t.Helper()
		s.View(ctx, func(tx *store.Tx) error {
			r, err := tx.Relationship(ref)
			if err != nil {
				t.Errorf("relationship %s: %v", ref, err)
				return nil
			}
			if r.Kind != kind || r.SourceRef != src || r.TargetRef != dst || r.Source != graph.KeyFor(src) || r.Target != graph.KeyFor(dst) {
				t.Errorf("%s = %v %s -> %s, want %v %s -> %s", ref, r.Kind, r.SourceRef, r.TargetRef, kind, src, dst)
			}
			for k, v := range props {
				if r.First(k) != v {
					t.Errorf("%s.%s = %q, want %q", ref, k, r.First(k), v)
				}
			}
			if len(r.Sources) == 0 || r.Sources[0].Dataset != dataset || r.Sources[0].RecordID != ref {
				t.Errorf("%s sources = %+v, want dataset %s", ref, r.Sources, dataset)
			}
			return nil
		})
	}
	// Ownership: Zakharov (NK-aU5y...) owned 51% of LLC CST (NK-abdz...) from 2015-11-25.
	check("ru-dfe0a021cb69f99e198bb8cbbcb93e81130b32a7", graph.RelOwns, "NK-aU5ybkbRFJucf8YMwsJvDw", "NK-abdzbEBkqyT29GyREbiURZ",
		map[string]string{"percentage": "51", "startDate": "2015-11-25", "sharesCount": "6624.16"}, "ext_ru_egrul")
	check("ru-770bdf5f22537fa2a94176f53fa87fe28ecf94fa", graph.RelOwns, "NK-aU5ybkbRFJucf8YMwsJvDw", "NK-abdzbEBkqyT29GyREbiURZ",
		map[string]string{"percentage": "50", "startDate": "2015-11-25", "endDate": "2023-03-02"}, "ext_ru_egrul")
	check("ru-a9285fbd0d02aebe28295dd37885191822789ad8", graph.RelDirectorOf, "NK-mCEmxFfuhfdjpC8gsxH74o", "NK-abdzbEBkqyT29GyREbiURZ",
		map[string]string{"startDate": "2017-10-23", "role": "ГЕНЕРАЛЬНЫЙ ДИРЕКТОР"}, "ext_ru_egrul")
	check("eu-fsf-6ac27c949ff687d02ddec05f5e53ce9c6690e34f", graph.RelDesignatedBy, "NK-abdzbEBkqyT29GyREbiURZ", "programme:eu-council/eu-ukr",
		map[string]string{"listingDate": "2025-03-15", "authorityId": "EU.10966.20"}, "eu_fsf")
	// Family: read the fixture for one record and check it the same way.
	f, _ := os.Open(p)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	families := 0
	for sc.Scan() {
		var e struct {
			ID         string              `json:"id"`
			Schema     string              `json:"schema"`
			Datasets   []string            `json:"datasets"`
			Properties map[string][]string `json:"properties"`
		}
		json.Unmarshal(sc.Bytes(), &e)
		if e.Schema == "Family" {
			families++
			check(e.ID, graph.RelFamily, e.Properties["person"][0], e.Properties["relative"][0],
				map[string]string{"relationship": e.Properties["relationship"][0]}, e.Datasets[0])
		}
	}
	if families != 4 {
		t.Errorf("zala has %d Family records, want 4", families)
	}
	// The designated entity carries the designation; the ownership can be
	// followed from both ends.
	s.View(ctx, func(tx *store.Tx) error {
		id, _ := tx.Resolve("NK-abdzbEBkqyT29GyREbiURZ")
		p, _ := tx.Relationships(id, graph.RelQuery{Direction: graph.Incoming, Kinds: []graph.RelType{graph.RelOwns}})
		if len(p.Relationships) < 5 {
			t.Errorf("CST has %d incoming owns edges", len(p.Relationships))
		}
		return nil
	})
}

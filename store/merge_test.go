package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

func listed(ref, dataset, schema, name string, props map[string][]string) graph.Record {
	p := map[string][]string{"name": {name}}
	for k, v := range props {
		p[k] = v
	}
	return graph.Record{Ref: ref, Entity: &graph.Entity{Ref: ref, Schema: schema, Caption: name, Props: p,
		Sources: []graph.Source{{Dataset: dataset, RecordID: ref}}}}
}

func designated(ref, entity, programme string) graph.Record {
	return graph.Record{Ref: ref,
		Ensure: []graph.Entity{{Ref: programme, Schema: graph.SchemaProgramme, Caption: programme, Props: map[string][]string{"name": {programme}}}},
		Relationships: []graph.Relationship{{Ref: ref, Kind: graph.RelDesignatedBy, SourceRef: entity, TargetRef: programme,
			Sources: []graph.Source{{Dataset: "x", RecordID: ref}}}}}
}

// mergeFixture: FTB on three lists (SWIFT on OFAC and UN, name, country
// and address on UN and EU), a person on two (name and birth date), and
// parties that must stay apart.
func mergeFixture() []graph.Record {
	return []graph.Record{
		listed("ofac:15603", "us_ofac_sdn", "Organization", "FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA",
			map[string][]string{"swiftBic": {"FTBDKPPY"}, "country": {"kp"}}),
		listed("un:6908622", "un_sc_sanctions", "Organization", "FOREIGN TRADE BANK (FTB)",
			map[string][]string{"alias": {"FOREIGN TRADE BANK"}, "swiftBic": {"FTBDKPPY"}, "country": {"kp"},
				"address": {"FTB Building, Jungsong-dong, Central District, Pyongyang, Democratic People's Republic of Korea"}}),
		listed("eu:47", "eu_journal_sanctions", "LegalEntity", "Foreign Trade Bank",
			map[string][]string{"alias": {"Mooyokbank"}, "country": {"kp"}, "address": {"FTB Building, Jungsong-dong, Central District, Pyongyang, DPRK"}}),
		listed("ofac:21749", "us_ofac_sdn", "Person", "HAN, Jang Su", map[string][]string{"birthDate": {"1969-11-08"}, "nationality": {"kp"}}),
		listed("un:1", "un_sc_sanctions", "Person", "HAN JANG SU", map[string][]string{"birthDate": {"1969-11-08"}}),
		// Same name, different birth date: a different person.
		listed("eu:2", "eu_journal_sanctions", "Person", "Han Jang Su", map[string][]string{"birthDate": {"1970-01-01"}}),
		// Same SWIFT within one dataset: OFAC lists them apart on purpose.
		listed("ofac:1", "us_ofac_sdn", "Organization", "ACME BANK", map[string][]string{"swiftBic": {"ACMEXXYY"}}),
		listed("ofac:2", "us_ofac_sdn", "Organization", "ACME BANK BRANCH", map[string][]string{"swiftBic": {"ACMEXXYY"}}),
		// Same name, different countries.
		listed("un:9", "un_sc_sanctions", "Organization", "Golden Star Trading", map[string][]string{"country": {"ae"}}),
		listed("eu:9", "eu_journal_sanctions", "Organization", "Golden Star Trading", map[string][]string{"country": {"hk"}}),
		link("l1", graph.RelLinkedTo, "ofac:22583", "ofac:15603"),
		listed("ofac:22583", "us_ofac_sdn", "Company", "MINGZHENG INTERNATIONAL TRADING LIMITED", nil),
		designated("d1", "un:6908622", "programme:un/1718"),
		designated("d2", "ofac:15603", "programme:ofac/npwmd"),
		designated("d3", "eu:47", "programme:eu/eu-prk"),
	}
}

func mustResolve(t *testing.T, s *Store, ref string) uuid.UUID {
	t.Helper()
	id, err := s.Resolve(context.Background(), ref)
	if err != nil {
		t.Fatalf("resolve %s: %v", ref, err)
	}
	return id
}

func TestAutoMerge(t *testing.T) {
	s := openIn(t, "", Options{Index: true})
	ctx := context.Background()
	apply(t, s, mergeFixture()...)
	rep, err := s.AutoMerge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Merged != 3 || rep.ByRule["swiftBic"] != 1 || rep.ByRule["name+country+address"] != 1 || rep.ByRule["name+birthDate"] != 1 {
		t.Fatalf("report %+v", rep)
	}
	ftb := mustResolve(t, s, "ofac:15603")
	for _, ref := range []string{"un:6908622", "eu:47"} {
		if id := mustResolve(t, s, ref); id != ftb {
			t.Errorf("%s resolves to %s, FTB is %s", ref, id, ftb)
		}
	}
	e, err := s.Entity(ctx, ftb)
	if err != nil {
		t.Fatal(err)
	}
	refs := append([]string{e.Ref}, e.Referents...)
	sort.Strings(refs)
	if !reflect.DeepEqual(refs, []string{"eu:47", "ofac:15603", "un:6908622"}) {
		t.Errorf("merged refs %v", refs)
	}
	if e.Schema != "Organization" || !slices.Contains(e.Props["alias"], "Mooyokbank") || len(e.Sources) != 3 {
		t.Errorf("merged entity %+v", e)
	}
	page, err := s.Relationships(ctx, ftb, graph.RelQuery{Direction: graph.Outgoing, Kinds: []graph.RelType{graph.RelDesignatedBy}})
	if err != nil || len(page.Relationships) != 3 {
		t.Fatalf("designations of the party: %v %v", page, err)
	}
	for _, r := range page.Relationships {
		if r.Source != ftb {
			t.Errorf("relationship end %s is not the party %s", r.Source, ftb)
		}
	}
	// Persons: same name and birth date merge; a different birth date not.
	han := mustResolve(t, s, "ofac:21749")
	if mustResolve(t, s, "un:1") != han || mustResolve(t, s, "eu:2") == han {
		t.Error("person merge wrong")
	}
	// Never within one dataset, never across countries.
	if mustResolve(t, s, "ofac:1") == mustResolve(t, s, "ofac:2") || mustResolve(t, s, "un:9") == mustResolve(t, s, "eu:9") {
		t.Error("merged what must stay apart")
	}
	// Paths see one node: Mingzheng -> FTB (OFAC record) -> UN programme.
	ming := mustResolve(t, s, "ofac:22583")
	un := mustResolve(t, s, "programme:un/1718")
	ps, err := s.Paths(ctx, graph.PathQuery{From: ming, To: un, MaxHops: 3, K: 1, Load: graph.PathLoad{Relationships: true}})
	if err != nil || len(ps.Paths) != 1 || len(ps.Paths[0].Entities) != 3 || ps.Paths[0].Entities[1] != ftb {
		t.Fatalf("path through the party: %+v %v", ps, err)
	}
	if rels := ps.Paths[0].Steps[0].Relationships; len(rels) != 1 || rels[0].Target != ftb {
		t.Errorf("relationships of the step from Mingzheng to the party: %v", rels)
	}
	hits, err := s.SearchNames(ctx, graph.SearchQuery{Text: "foreign trade bank"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, h := range hits {
		if h.ID == ftb {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the party is %d search hits, want 1: %v", n, hits)
	}
	// Running again finds nothing new.
	if rep, err := s.AutoMerge(ctx); err != nil || rep.Merged != 0 {
		t.Errorf("second AutoMerge: %+v %v", rep, err)
	}
	st, _ := s.Stats(ctx)
	if st.Parties != 2 || st.MergedEntities != 5 {
		t.Errorf("stats parties %d merged %d", st.Parties, st.MergedEntities)
	}
}

// Unmerge keeps an entity apart for good: AutoMerge does not merge it
// again, also after the store is reopened and the records re-ingested; a
// person's Merge lifts that.
func TestUnmergeSurvivesReopenAndReingest(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	s := openIn(t, dir, Options{Index: true, GCInterval: -1})
	apply(t, s, mergeFixture()...)
	if _, err := s.AutoMerge(ctx); err != nil {
		t.Fatal(err)
	}
	eu := mustResolve(t, s, "eu:47")
	removed, err := s.Unmerge(ctx, graph.KeyFor("eu:47"), "the EU record names another bank", "test")
	if err != nil || len(removed) != 1 {
		t.Fatalf("unmerge: %v %v", removed, err)
	}
	if mustResolve(t, s, "eu:47") == mustResolve(t, s, "ofac:15603") {
		t.Fatal("still merged after unmerge")
	}
	_ = eu
	if _, err := s.Unmerge(ctx, graph.KeyFor("eu:47"), "again", "test"); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("unmerging an unmerged entity: %v", err)
	}
	s.Close()
	s = openIn(t, dir, Options{Index: true, GCInterval: -1})
	apply(t, s, mergeFixture()...)
	if rep, err := s.AutoMerge(ctx); err != nil || rep.Merged != 0 {
		t.Errorf("AutoMerge after unmerge: %+v %v", rep, err)
	}
	if mustResolve(t, s, "eu:47") == mustResolve(t, s, "ofac:15603") || mustResolve(t, s, "un:6908622") != mustResolve(t, s, "ofac:15603") {
		t.Error("merges after reopen and re-ingest are not as decided")
	}
	p, err := s.Party(ctx, mustResolve(t, s, "ofac:15603"))
	if err != nil || len(p.Members) != 2 || len(p.Links) != 1 || len(p.Apart) != 2 {
		t.Errorf("party %+v %v", p, err)
	}
	if _, err := s.Merge(ctx, graph.KeyFor("eu:47"), graph.KeyFor("un:6908622"), "", "test"); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("merge without reason: %v", err)
	}
	if _, err := s.Merge(ctx, graph.KeyFor("eu:47"), graph.KeyFor("un:6908622"), "same SWIFT in the annex", "test"); err != nil {
		t.Fatal(err)
	}
	if mustResolve(t, s, "eu:47") != mustResolve(t, s, "ofac:15603") {
		t.Error("manual merge did not join the party")
	}
}

// The parties do not depend on the order records came in.
func TestAutoMergeDeterministic(t *testing.T) {
	var got []string
	for _, reverse := range []bool{false, true} {
		s := mustOpen(t)
		recs := mergeFixture()
		if reverse {
			slices.Reverse(recs)
		}
		apply(t, s, recs...)
		if _, err := s.AutoMerge(context.Background()); err != nil {
			t.Fatal(err)
		}
		links, err := s.Merges(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, l := range links {
			keys = append(keys, l.A+"="+l.B+" "+l.Rule)
		}
		sort.Strings(keys)
		got = append(got, fmtList(keys))
	}
	if got[0] != got[1] {
		t.Errorf("merges depend on order:\n%s\n%s", got[0], got[1])
	}
}

func fmtList(l []string) string {
	out := ""
	for _, s := range l {
		out += s + "\n"
	}
	return out
}

// The blocks AutoMerge compares are the entities sharing an identifier or
// a name key: the SWIFT code FTBDKPPY blocks the bank's OFAC and UN
// records together, and no block is empty.
func TestBlocks(t *testing.T) {
	s := mustOpen(t)
	apply(t, s, mergeFixture()...)
	var blocks [][]uuid.UUID
	err := s.View(context.Background(), func(tx *Tx) error {
		mv, err := tx.newMergeViews()
		if err != nil {
			return err
		}
		return tx.blocks(mv, func(ids []uuid.UUID) error {
			blocks = append(blocks, slices.Clone(ids))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []uuid.UUID{graph.KeyFor("ofac:15603"), graph.KeyFor("un:6908622")}
	slices.SortFunc(want, func(a, b uuid.UUID) int { return strings.Compare(string(a[:]), string(b[:])) })
	found := false
	for _, b := range blocks {
		if len(b) == 0 {
			t.Errorf("an empty block")
		}
		found = found || reflect.DeepEqual(b, want)
	}
	if !found {
		t.Errorf("blocks %v lack the SWIFT block %v", blocks, want)
	}
}

// A link keeps what agreed and what was checked; a pair a contradiction
// keeps apart is reported, by AutoMerge and by RefusedMerges, and not
// merged.
func TestAutoMergeEvidenceAndRefusals(t *testing.T) {
	s := openIn(t, "", Options{Index: true})
	ctx := context.Background()
	apply(t, s, append(mergeFixture(),
		listed("ofac:45934", "us_ofac_sdn", "Organization", "LIMITED LIABILITY COMPANY ZALA AERO", map[string][]string{
			"alias": {"ZALA AERO GROUP"}, "country": {"ru"}, "taxNumber": {"1841001815"}, "address": {"9 Salyama Adilya St., Moscow 123154, Russia"}}),
		listed("eu:502", "eu_journal_sanctions", "LegalEntity", "LLC CST (Zala Aero Group)", map[string][]string{
			"alias": {"Zala Aero Group"}, "country": {"ru"}, "registrationNumber": {"1841015504 (Tax ID/INN)"},
			"address": {"127030, Moscow, Institutskiy Lane, 2, Russian Federation"}}),
	)...)
	rep, err := s.AutoMerge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := graph.RefusedMerge{A: "eu:502", B: "ofac:45934", Rule: "name+country+address", Reason: "different INN: 1841015504 / 1841001815"}
	if rep.Refused != 1 || len(rep.Refusals) != 1 {
		t.Fatalf("refusals %+v, want one: %+v", rep.Refusals, want)
	}
	got := rep.Refusals[0]
	if got.A != want.A || got.B != want.B || got.Rule != want.Rule || got.Reason != want.Reason || !slices.Contains(got.Agreed, "place moscow") {
		t.Errorf("refusal %+v, want %+v agreeing on the place", got, want)
	}
	if mustResolve(t, s, "eu:502") == mustResolve(t, s, "ofac:45934") {
		t.Errorf("Zala Aero and CST merged")
	}
	again, err := s.RefusedMerges(ctx)
	if err != nil || !reflect.DeepEqual(again, rep.Refusals) {
		t.Errorf("RefusedMerges = %+v, %v, want the refusals of AutoMerge", again, err)
	}
	links, err := s.Merges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var swift *graph.MergeLink
	for i := range links {
		if links[i].Rule == "swiftBic" {
			swift = &links[i]
		}
	}
	if swift == nil || !slices.Contains(swift.Agreed, "SWIFT/BIC FTBDKPPY (swiftBic / swiftBic)") || !slices.Contains(swift.Checked, "SWIFT/BIC FTBDKPPY / FTBDKPPY") {
		t.Errorf("stored swiftBic link %+v, want its evidence kept", swift)
	}
}

// A store written before kind keys held the records' lists (their values
// empty) merges the same, the scopes read from the records; so does a
// merge search whose cache of merge views holds two, dropping the records
// it compared before it writes their links and refusals.
func TestAutoMergeWithoutKindListsOrCache(t *testing.T) {
	ctx := context.Background()
	recs := append(mergeFixture(),
		listed("ofac:45934", "us_ofac_sdn", "Organization", "LIMITED LIABILITY COMPANY ZALA AERO", map[string][]string{
			"alias": {"ZALA AERO GROUP"}, "country": {"ru"}, "taxNumber": {"1841001815"}, "address": {"9 Salyama Adilya St., Moscow 123154, Russia"}}),
		listed("eu:502", "eu_journal_sanctions", "LegalEntity", "LLC CST (Zala Aero Group)", map[string][]string{
			"alias": {"Zala Aero Group"}, "country": {"ru"}, "registrationNumber": {"1841015504 (Tax ID/INN)"},
			"address": {"127030, Moscow, Institutskiy Lane, 2, Russian Federation"}}))
	var got []string
	for _, variant := range []string{"as written", "empty kind values", "view cache of 2"} {
		s := mustOpen(t)
		apply(t, s, recs...)
		switch variant {
		case "empty kind values":
			blanked := 0
			err := s.db.Update(func(txn *badger.Txn) error {
				opts := badger.DefaultIteratorOptions
				opts.Prefix = []byte{tagKind}
				it := txn.NewIterator(opts)
				var keys [][]byte
				for it.Rewind(); it.Valid(); it.Next() {
					keys = append(keys, it.Item().KeyCopy(nil))
				}
				it.Close()
				for _, k := range keys {
					if err := txn.Set(k, nil); err != nil {
						return err
					}
					blanked++
				}
				return nil
			})
			if err != nil || blanked == 0 {
				t.Fatalf("blanking kind keys: %d, %v", blanked, err)
			}
			if rep, err := s.Check(ctx); err != nil || !rep.OK() {
				t.Fatalf("Check of a store with empty kind values: %+v, %v", rep, err)
			}
		case "view cache of 2":
			defer func(n int) { mergeViewCache = n }(mergeViewCache)
			mergeViewCache = 2
		}
		rep, err := s.AutoMerge(ctx)
		if err != nil {
			t.Fatal(err)
		}
		links, err := s.Merges(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, l := range links {
			lines = append(lines, l.A+"="+l.B+" "+l.Rule+" "+l.Detail+" "+strings.Join(l.Checked, ", "))
		}
		sort.Strings(lines)
		for _, r := range rep.Refusals {
			lines = append(lines, "refused "+r.A+"="+r.B+" "+r.Reason)
		}
		got = append(got, fmt.Sprintf("%s: %d candidates\n%s", variant, rep.Candidates, fmtList(lines)))
	}
	if !strings.Contains(got[0], "refused eu:502=ofac:45934") || strings.Count(got[0], "\n") < 5 {
		t.Errorf("fixture merged too little to show anything:\n%s", got[0])
	}
	for _, g := range got[1:] {
		if _, a, _ := strings.Cut(got[0], ":"); !strings.HasSuffix(g, a) {
			t.Errorf("%s\nwant as %s", g, got[0])
		}
	}
}

// Check finds a kind key whose value is not its record's lists.
func TestCheckKindValue(t *testing.T) {
	ctx := context.Background()
	s := mustOpen(t)
	apply(t, s, mergeFixture()...)
	id := graph.KeyFor("ofac:15603")
	if err := s.db.Update(func(txn *badger.Txn) error {
		return txn.Set(kindKey("Organization", id), encodeKindValue([]string{"un_sc_sanctions"}))
	}); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Check(ctx)
	if err != nil || rep.OK() || !strings.Contains(fmt.Sprint(rep.Problems), "not its record's lists") {
		t.Errorf("Check = %+v, %v, want the kind key's value reported", rep, err)
	}
}

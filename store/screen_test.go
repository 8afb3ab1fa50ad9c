package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
)

// screenFixture is a small list: parties whose names exercise word order,
// legal forms, transliteration, spelling and common words, plus filler
// companies so that "BANK" and "TRADING" are common words.
func screenFixture() []graph.Record {
	recs := []graph.Record{
		listed("ofac:putin", "us_ofac_sdn", "Person", "PUTIN, Vladimir Vladimirovich",
			map[string][]string{"birthDate": {"1952-10-07"}, "nationality": {"ru"}, "alias": {"Путин Владимир Владимирович"}}),
		listed("ofac:kju", "us_ofac_sdn", "Person", "KIM, Jong Un", map[string][]string{"birthDate": {"1984-01-08"}, "nationality": {"kp"}}),
		listed("un:qaddafi", "un_sc_sanctions", "Person", "Muammar Mohammed Abu Minyar QADHAFI", map[string][]string{"nationality": {"ly"}}),
		listed("ofac:dandong", "us_ofac_sdn", "Company", "DANDONG ZHONGSHENG INDUSTRY & TRADE CO., LTD.",
			map[string][]string{"country": {"cn"}, "registrationNumber": {"210600000123456"}}),
		listed("ofac:vessel", "us_ofac_sdn", "Vessel", "CHON MA SAN", map[string][]string{"imoNumber": {"IMO 8660313"}, "flag": {"kp"}}),
		listed("eu:rosneft", "eu_journal_sanctions", "Company", "Obshchestvo s ogranichennoy otvetstvennostyu Rosneft Trading", map[string][]string{"country": {"ru"}}),
		listed("ofac:ftb", "us_ofac_sdn", "Organization", "FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S REPUBLIC OF KOREA",
			map[string][]string{"swiftBic": {"FTBDKPPY"}, "country": {"kp"}}),
		listed("un:ftb", "un_sc_sanctions", "Organization", "FOREIGN TRADE BANK (FTB)",
			map[string][]string{"alias": {"FOREIGN TRADE BANK"}, "swiftBic": {"FTBDKPPY"}, "country": {"kp"}}),
		listed("ofac:assad", "us_ofac_sdn", "Person", "AL-ASSAD, Bashar", map[string][]string{"alias": {"AL-ASAD, Bashar"}, "nationality": {"sy"}}),
		listed("ofac:karami", "us_ofac_sdn", "Person", "KARAMI, Mohammad", map[string][]string{"nationality": {"ir"}}),
		listed("ofac:hamoun", "us_ofac_sdn", "Vessel", "HAMOUN", nil),
		designated("d1", "ofac:putin", "programme:ofac/russia"),
		designated("d2", "ofac:ftb", "programme:ofac/npwmd"),
		link("l1", graph.RelOwns, "ofac:ftb", "ofac:dandong"),
	}
	// Persons with common given names, so that "Mohammed" and "Abu" weigh
	// as little as they do on real lists.
	for i := 0; i < 20; i++ {
		recs = append(recs, listed(fmt.Sprintf("filler:p%d", i), "test", "Person",
			fmt.Sprintf("MOHAMMED ABU %s %s", fillerWords[i%len(fillerWords)], fillerWords[(i*5+1)%len(fillerWords)]), nil))
	}
	for i := 0; i < 40; i++ {
		recs = append(recs, company(fmt.Sprintf("filler:%d", i), fmt.Sprintf("%s %s BANK TRADING CORP", fillerWords[i%len(fillerWords)], fillerWords[(i*7+3)%len(fillerWords)]), nil))
	}
	return recs
}

var fillerWords = []string{"ALPHA", "BETA", "GAMMA", "DELTA", "OMEGA", "SIGMA", "ORION", "VEGA", "ATLAS", "NOVA", "TITAN", "LUNA", "SOLAR", "POLAR"}

func screenStore(t testing.TB) *Store {
	t.Helper()
	s := openIn(t, "", Options{Index: true})
	run, err := s.BeginRun(context.Background(), "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := run.Apply(context.Background(), screenFixture()); err != nil {
		t.Fatal(err)
	}
	if err := run.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestScreenFinds(t *testing.T) {
	s := screenStore(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		q       screen.Query
		want    string  // ref of the top hit
		minimum float64 // its least score
		how     string  // a word alignment the explanation must show ("" any)
	}{
		{"word order", screen.Query{Name: "Vladimir Putin"}, "ofac:putin", 0.85, ""},
		{"comma form", screen.Query{Name: "PUTIN, Vladimir"}, "ofac:putin", 0.85, ""},
		{"cyrillic", screen.Query{Name: "Владимир Путин"}, "ofac:putin", 0.85, ""},
		{"romanisation variant", screen.Query{Name: "Vladimir Vladimirovitch Poutine"}, "ofac:putin", 0.8, ""},
		{"typo", screen.Query{Name: "Vladimr Putin"}, "ofac:putin", 0.8, "fuzzy"},
		{"korean variant", screen.Query{Name: "Kim Jeong Un"}, "ofac:kju", 0.85, "variant"},
		{"arabic variant", screen.Query{Name: "Muammar Gaddafi"}, "un:qaddafi", 0.8, ""},
		{"legal form", screen.Query{Name: "Dandong Zhongsheng Industry and Trade Company Limited"}, "ofac:dandong", 0.95, ""},
		{"spacing", screen.Query{Name: "Dandong Zhong Sheng Industry & Trade"}, "ofac:dandong", 0.85, ""},
		{"russian legal form", screen.Query{Name: "OOO Rosneft Trading"}, "eu:rosneft", 0.95, ""},
		{"identifier", screen.Query{Name: "someone else", Identifiers: []string{"IMO8660313"}}, "ofac:vessel", 1, ""},
		{"swift alone", screen.Query{Identifiers: []string{"ftbd kp py"}}, "ofac:ftb|un:ftb", 1, ""},
		// Names in scripts the index does not fold are looked up by their
		// romanisation: Arabic (no short vowels), Persian, Georgian.
		{"arabic script", screen.Query{Name: "بشار الأسد"}, "ofac:assad", 0.8, "consonants"},
		{"persian script", screen.Query{Name: "محمد کرمی"}, "ofac:karami", 0.8, "consonants"},
		{"georgian script", screen.Query{Name: "ვლადიმერ პუტინი"}, "ofac:putin", 0.8, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Screen(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				t.Fatalf("Screen(%q) = no hits, want %s", tt.q.Name, tt.want)
			}
			top := res.Hits[0]
			e, err := s.Entity(ctx, top.ID)
			if err != nil {
				t.Fatal(err)
			}
			refs := append([]string{e.Ref}, e.Referents...)
			found := false
			for _, w := range strings.Split(tt.want, "|") {
				found = found || strings.Contains(strings.Join(refs, " "), w)
			}
			if !found {
				t.Fatalf("Screen(%q) top hit = %s %q (%.3f), want %s", tt.q.Name, e.Ref, e.Name(), top.Score, tt.want)
			}
			if top.Score < tt.minimum || top.Score > 1 {
				t.Errorf("Screen(%q) score = %.3f, want in [%.2f, 1]: %s", tt.q.Name, top.Score, tt.minimum, top.Summary())
			}
			if tt.how != "" {
				found := false
				for _, w := range top.Tokens {
					found = found || w.How == tt.how
				}
				if !found {
					t.Errorf("Screen(%q) explanation %+v has no %s word", tt.q.Name, top.Tokens, tt.how)
				}
			}
			if top.Matched == "" || top.Summary() == "" {
				t.Errorf("hit without explanation: %+v", top)
			}
		})
	}
}

func TestScreenCommonWordsDoNotFlood(t *testing.T) {
	s := screenStore(t)
	for _, name := range []string{"CORP", "BANK", "TRADING", "BANK TRADING CORP", "LIMITED LIABILITY COMPANY"} {
		res, err := s.Screen(context.Background(), screen.Query{Name: name, Limit: 100})
		if err != nil {
			t.Fatalf("Screen(%q): %v", name, err)
		}
		if len(res.Hits) > 0 {
			t.Errorf("Screen(%q) = %d hits at >= %.2f (top %.3f %s), want none", name, len(res.Hits), screen.DefaultThreshold, res.Hits[0].Score, res.Hits[0].Summary())
		}
	}
	// A distinctive word among them still matches.
	res, err := s.Screen(context.Background(), screen.Query{Name: "ALPHA DELTA BANK TRADING CORP"})
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("Screen(ALPHA DELTA BANK TRADING CORP) = %v, %v; want a hit", res, err)
	}
}

func TestScreenCountryAndBirthDate(t *testing.T) {
	s := screenStore(t)
	ctx := context.Background()
	score := func(q screen.Query) (float64, []screen.FieldMatch) {
		t.Helper()
		q.Threshold = 0.01
		res, err := s.Screen(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if e, _ := s.Entity(ctx, h.ID); e != nil && e.Ref == "ofac:putin" {
				return h.Score, h.Fields
			}
		}
		t.Fatalf("Screen(%+v): Putin not among %d hits", q, len(res.Hits))
		return 0, nil
	}
	base, _ := score(screen.Query{Name: "Vladimir Putin"})
	same, f := score(screen.Query{Name: "Vladimir Putin", Country: "Russia", BirthDate: "1952-10-07"})
	if same <= base || len(f) != 2 {
		t.Errorf("agreeing country and birth date: %.3f (fields %+v), without %.3f; want higher", same, f, base)
	}
	other, f := score(screen.Query{Name: "Vladimir Putin", BirthDate: "1975"})
	if other >= base-0.1 || len(f) != 1 || f[0].Outcome != "mismatch" {
		t.Errorf("conflicting birth date: %.3f (fields %+v), without %.3f; want lower by at least 0.1", other, f, base)
	}
	if c, f := score(screen.Query{Name: "Vladimir Putin", Country: "fr"}); c >= base || f[0].Outcome != "mismatch" {
		t.Errorf("conflicting country: %.3f (fields %+v), without %.3f; want lower", c, f, base)
	}
}

func TestScreenKindAndMergedParty(t *testing.T) {
	s := screenStore(t)
	ctx := context.Background()
	res, err := s.Screen(ctx, screen.Query{Name: "Vladimir Putin", Schema: "Company"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 0 {
		t.Errorf("kind Company found %d hits for a person's name", len(res.Hits))
	}
	// Before merging, the two FTB records are two hits; after, one.
	q := screen.Query{Name: "Foreign Trade Bank", Country: "kp"}
	res, err = s.Screen(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 2 {
		t.Fatalf("before merge: %d hits, want 2 (OFAC and UN records)", len(res.Hits))
	}
	if _, err := s.AutoMerge(ctx); err != nil {
		t.Fatal(err)
	}
	res, err = s.Screen(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 {
		t.Fatalf("after merge: %d hits, want 1 party", len(res.Hits))
	}
	e, err := s.Entity(ctx, res.Hits[0].ID)
	if err != nil || len(e.Referents) == 0 {
		t.Fatalf("hit is not the merged party: %+v %v", e, err)
	}
}

func TestScreenBadInput(t *testing.T) {
	s := screenStore(t)
	tests := []struct {
		q     screen.Query
		field string
	}{
		{screen.Query{Name: "   "}, "name"},
		{screen.Query{Name: strings.Repeat("a", 501)}, "name"},
		{screen.Query{Name: "x", Schema: "Dragon"}, "kind"},
		{screen.Query{Name: "x", Country: "Atlantis"}, "country"},
		{screen.Query{Name: "x", BirthDate: "07/10/1952"}, "birthDate"},
		{screen.Query{Name: "x", Identifiers: []string{"a-1"}}, "identifiers"},
		{screen.Query{Name: "x", Threshold: 1.5}, "threshold"},
		{screen.Query{Name: "x", Limit: 101}, "first"},
	}
	for _, tt := range tests {
		_, err := s.Screen(context.Background(), tt.q)
		if !errors.Is(err, graph.ErrInvalid) || !strings.Contains(err.Error(), tt.field+":") {
			t.Errorf("Screen(%+v) error = %v, want ErrInvalid naming %s", tt.q, err, tt.field)
		}
	}
}

func TestScreenCancelled(t *testing.T) {
	s := screenStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Screen(ctx, screen.Query{Name: "Vladimir Putin"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Screen with a cancelled ctx = %v, want context.Canceled", err)
	}
}

// TestScreenSeesWrites checks that the cache of screening records follows
// the store: a renamed entity is found by its new name only.
func TestScreenSeesWrites(t *testing.T) {
	s := screenStore(t)
	ctx := context.Background()
	find := func(name string) bool {
		t.Helper()
		res, err := s.Screen(ctx, screen.Query{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if e, err := s.Entity(ctx, h.ID); err == nil && e.Ref == "x:renamed" {
				return true
			}
		}
		return false
	}
	apply(t, s, company("x:renamed", "KARAKUM ZEPHYR HOLDINGS", map[string][]string{"country": {"tm"}}))
	if !find("Karakum Zephyr Holdings") {
		t.Fatal("new entity not found by its name")
	}
	apply(t, s, company("x:renamed", "OBSIDIAN QUILL LOGISTICS", map[string][]string{"country": {"tm"}}))
	if !find("Obsidian Quill Logistics") {
		t.Error("renamed entity not found by its new name")
	}
	if find("Karakum Zephyr Holdings") {
		t.Error("renamed entity still found by its old name")
	}
}

// TestScreenConcurrentWithWrites screens from several goroutines while
// runs write (run it with -race).
func TestScreenConcurrentWithWrites(t *testing.T) {
	s := screenStore(t)
	ctx := context.Background()
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := 0; g < 3; g++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				res, err := s.Screen(ctx, screen.Query{Name: "Vladimir Putin"})
				if err != nil {
					errs <- err
					return
				}
				if len(res.Hits) == 0 {
					errs <- fmt.Errorf("Putin not found while writing")
					return
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		apply(t, s, company(fmt.Sprintf("w:%d", i), fmt.Sprintf("WRITER %s COMPANY %d", fillerWords[i%len(fillerWords)], i), nil))
	}
	close(done)
	for g := 0; g < 3; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestScreenNameAsIdentifier(t *testing.T) {
	s := screenStore(t)
	for _, name := range []string{"FTBDKPPY", "IMO 8660313", "210600000123456"} {
		res, err := s.Screen(context.Background(), screen.Query{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Score != 1 || res.Hits[0].Fields[0].Field != "identifier" {
			t.Errorf("Screen(%q) = %+v, want an identifier match at 1", name, res.Hits)
		}
	}
	// An ordinary one-word name is not taken for an identifier.
	res, err := s.Screen(context.Background(), screen.Query{Name: "Rosneft"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if h.Score == 1 && len(h.Fields) > 0 && h.Fields[0].Field == "identifier" {
			t.Errorf("Screen(Rosneft) matched an identifier: %+v", h)
		}
	}
}

// kh is a letter of its own in the Arabic script: "خامنئي" (Khamenei)
// shares its other consonants with "HAMOUN" but is not it.
func TestScreenArabicKhIsNotH(t *testing.T) {
	s := screenStore(t)
	res, err := s.Screen(context.Background(), screen.Query{Name: "خامنئي", Threshold: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		if e, _ := s.Entity(context.Background(), h.ID); e != nil && e.Ref == "ofac:hamoun" {
			t.Errorf("HAMOUN scored %.3f for خامنئي: %s", h.Score, h.Summary())
		}
	}
}

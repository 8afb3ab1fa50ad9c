package screen

import (
	"reflect"
	"strings"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// The rules of the screening matcher, one test each, on names made up for
// the purpose (not the benchmark's pairs).

func screenScore(t *testing.T, schema, query, name string) Hit {
	t.Helper()
	p, err := Prepare(Query{Name: query})
	if err != nil {
		t.Fatalf("Prepare(%q): %v", query, err)
	}
	h, ok := ScoreEntity(p, &graph.Entity{Schema: schema, Caption: name, Props: map[string][]string{"name": {name}}}, nil)
	if !ok {
		t.Fatalf("ScoreEntity(%q, %s %q): kind refused", query, schema, name)
	}
	return h
}

func hasHow(h Hit, how string) bool {
	for _, tm := range h.Tokens {
		if tm.How == how {
			return true
		}
	}
	return false
}

func TestScreenTokensRomanise(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"Սերժ Սարգսյան", []string{"serzh", "sargsyan"}},          // Armenian
		{"მიხეილ სააკაშვილი", []string{"mikheil", "saakashvili"}}, // Georgian
		{"トヨタ・ジドウシャ", []string{"toyota", "jidousha"}},             // katakana, voiced kana and the long-vowel mark
		{"しんぞう あべ", []string{"shinzou", "abe"}},                   // hiragana
		{"राहुल गांधी", []string{"rahul", "gandhi"}},              // Devanagari
		{"محمد", []string{"mhmd"}},                                // Arabic: no short vowels
		{"ทักษิณ ชินวัตร", []string{"thaksin", "chinwatr"}},       // Thai, by the Unidecode tables
		{"শেখ হাসিনা", []string{"shekh", "haasinaa"}},             // Bengali: vowel signs do not split words
		{"בנימין נתניהו", []string{"bnymyn", "ntnyhv"}},           // Hebrew: consonants
		{"Brigade Twenty-One", []string{"brigade", "21"}},
		{"Seventy 7 Holdings", []string{"77", "holdings"}},
	}
	for _, tt := range tests {
		if got := Tokens(tt.name); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	// Romanising never loops or panics on stray letters of those blocks.
	for _, s := range []string{"・", "ー", "।", "\u0951", "ـ", "\u200c"} {
		_ = Tokens("a" + s + "b")
	}
}

func TestScreenRules(t *testing.T) {
	type check struct {
		schema, query, name string
		above               bool   // scores at least DefaultThreshold
		how                 string // a word alignment the hit must explain ("" none)
	}
	tests := []struct {
		rule   string
		checks []check
	}{
		{"legal forms of different kinds", []check{
			{"Company", "Volkswagen AG", "Volkswagen GmbH", false, "legal form differs"},
			{"Company", "Volkswagen AG", "Volkswagen Aktiengesellschaft", true, ""},
			{"Company", "Vinci S.A.", "VINCI SA", true, ""},
			{"Company", "Rostec OOO", "Rostec LLC", true, ""},
		}},
		{"a number or country on one side only", []check{
			{"Company", "Harbour Capital Fund", "Harbour Capital Fund II", false, ""},
			{"Company", "Harbour Capital Fund II", "Harbour Capital Fund III", true, "number differs"},
			{"Company", "Orion Shipping Limited", "Orion Shipping Greece Limited", false, ""},
			{"Person", "Jordan Peterson", "Jordan Peterson", true, "exact"},
		}},
		{"abbreviations", []check{
			{"Organization", "FSB", "Federal Security Bureau", true, "acronym"},
			{"Person", "J.P. Sartre", "Jean Paul Sartre", true, "acronym"},
		}},
		{"patronymic against given name", []check{
			{"Person", "Ivan Sokolov", "Petr Ivanovich Sokolov", false, "patronymic"},
			{"Person", "Ivan Sokolov", "Ivan Petrovich Sokolov", true, ""},
		}},
		{"misspellings and other names of one stem", []check{
			{"Person", "Anna Kovalenka", "Anna Kovalenko", true, "fuzzy"},
			{"Person", "Maria Rossa", "Maria Rossi", true, "fuzzy"},
			{"Person", "Mia Tan", "Mia Ton", true, "typo"},
			{"Person", "Luis Martins", "Luis Martinez", false, ""},
			{"Company", "Martins Logistics", "Martinez Logistics", true, "fuzzy"},
			{"Person", "Karl Lind", "Karl Lindqvist", false, ""},
			{"Person", "Sergejs Ivanovs", "Sergey Ivanov", true, "spelling"},
		}},
		{"given names across languages", []check{
			{"Person", "Juan Schmidt", "John Schmidt", true, "equivalent"},
		}},
		{"repeated words", []check{
			{"Person", "Tariq Rahimi", "Tariq Ahmad Rahimi Ahmed", true, ""},
			{"Person", "Lee Min Ho", "Lee Lee Ho", false, ""},
		}},
		{"names listing alternatives", []check{
			{"Organization", "Hizb ut-Tahrir", "Hizb ut-Tahrir/Liberation Party", true, ""},
			{"Company", "Danske A S", "Danske A/S", true, ""},
		}},
		{"Arabic script against Latin", []check{
			{"Person", "كريم بنزيمة", "Karim Benzema", true, "consonants"},
			{"Person", "كريم بنزيمة", "Karim Bensaid", false, ""},
			{"Person", "مهدي حسنی", "Hussein Muhammad", false, ""}, // every h counts: mhdi is not muhammad
		}},
		{"a patronymic the query leaves out is cheap", []check{
			{"Person", "Vladimir Putin", "PUTIN, Vladimir Vladimirovich", true, ""},
		}},
		{"one-word name needs support", []check{
			{"Vessel", "Jasmine Crockett", "JASMINE", false, "one-word name, no support"},
			{"Company", "Good Will Company", "Goodwill Company", true, ""}, // the whole query written together
		}},
		{"an initial never stands for a family name", []check{
			{"Person", "William L. Jenkins", "GUILLERMO LABASTIDA", false, ""},
			{"Person", "J. Schmidt", "John Schmidt", true, "initial"},
		}},
		{"forms of a given name are given names", []check{
			{"Person", "Joe Wilson", "JOSEPH, Wilson", false, ""},
			{"Person", "Sean Casten", "Ian Casten", true, "equivalent"},
		}},
		{"doubled letters and swapped first letters", []check{
			{"Person", "MOHAAMMAD AHMADI", "Mohammad Ahmadi", true, "doubled"},
			{"Person", "HAN YYU-RO", "HAN YU-RO", true, "doubled"},
			{"Person", "ABU OMHAMMED AL-JAWLANI", "AL-JAWLANI, Abu Muhammad", true, "spelling"},
		}},
		{"short forms need four letters or a known name", []check{
			{"Person", "Paul Jones", "Paul Jon", false, ""},
			{"Person", "Alek Popescu", "Aleksandr Popescu", true, "prefix"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			for _, c := range tt.checks {
				h := screenScore(t, c.schema, c.query, c.name)
				if above := h.Score >= DefaultThreshold; above != c.above {
					t.Errorf("%s %q / %q: score %.3f, want above the threshold %v (%s)", c.schema, c.query, c.name, h.Score, c.above, h.Summary())
				}
				if c.how != "" && !hasHow(h, c.how) {
					t.Errorf("%s %q / %q: no %q in %s", c.schema, c.query, c.name, c.how, h.Summary())
				}
			}
		})
	}
}

func TestScreenNamesSplit(t *testing.T) {
	got := screenNames([]string{"Al-Qa'ida/Islamic Army", "Nordic A/S", "S/O Rahman"})
	want := []string{"Al-Qa'ida/Islamic Army", "Nordic A/S", "S/O Rahman", "Al-Qa'ida", "Islamic Army"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("screenNames = %q, want %q", got, want)
	}
}

// A weak alias ('MIKE') is matched when the query is that alias, never as
// part of a longer name, and the hit says it was a weak alias.
func TestScreenWeakAlias(t *testing.T) {
	e := &graph.Entity{Schema: "Person", Caption: "RODRIGUEZ OREJUELA, Miguel Angel",
		Props: map[string][]string{"name": {"RODRIGUEZ OREJUELA, Miguel Angel"}, "weakAlias": {"MIKE", "EL SENOR"}}}
	tests := []struct {
		query string
		above bool
		weak  bool
	}{
		{"Mike Pence", false, true},
		{"El Senor", true, true},
		{"Miguel Angel Rodriguez Orejuela", true, false},
	}
	for _, tt := range tests {
		p, err := Prepare(Query{Name: tt.query})
		if err != nil {
			t.Fatal(err)
		}
		h, _ := ScoreEntity(p, e, nil)
		if above := h.Score >= DefaultThreshold; above != tt.above || h.Weak != tt.weak {
			t.Errorf("%q: score %.3f weak %v, want above %v weak %v (%s)", tt.query, h.Score, h.Weak, tt.above, tt.weak, h.Summary())
		}
		if tt.weak && !tt.above && !strings.Contains(h.Summary(), "weak alias") {
			t.Errorf("%q: the explanation does not say it was a weak alias: %s", tt.query, h.Summary())
		}
	}
}

// Among candidates, one that has every word of the query ranks above one
// that misses a word.
func TestScreenRanksFullCoverFirst(t *testing.T) {
	p, err := Prepare(Query{Name: "Russian Financial Society"})
	if err != nil {
		t.Fatal(err)
	}
	full, _ := ScoreEntity(p, &graph.Entity{Schema: "Company", Caption: "LLC NCO RUSSIAN FINANCIAL SOCIETY", Props: map[string][]string{"name": {"LLC NCO RUSSIAN FINANCIAL SOCIETY"}}}, nil)
	part, _ := ScoreEntity(p, &graph.Entity{Schema: "Company", Caption: "RUSSIAN FINANCIAL CORPORATION", Props: map[string][]string{"name": {"RUSSIAN FINANCIAL CORPORATION"}}}, nil)
	if full.Score <= part.Score {
		t.Errorf("every word %.3f (%s) <= one word missing %.3f (%s)", full.Score, full.Summary(), part.Score, part.Summary())
	}
}

// Every word of the query must be accounted for: a word only the query has
// costs more than a word only the listed name has, and a family name only
// the listed name has costs more than a middle name.
func TestScreenUnmatchedWords(t *testing.T) {
	tests := []struct {
		name           string
		lowerQ, lowerN string // this pair must score lower ...
		upperQ, upperN string // ... than this one
	}{
		{"a word only the query has", "Erik John Lee", "LEE, John", "John Lee", "LEE, John Erik"},
		{"a family name only the list has", "Manuel Rodriguez", "VALDEZ RODRIGUEZ, Manuel", "Manuel Rodriguez", "RODRIGUEZ, Manuel Arturo"},
	}
	for _, tt := range tests {
		lo := screenScore(t, "Person", tt.lowerQ, tt.lowerN)
		hi := screenScore(t, "Person", tt.upperQ, tt.upperN)
		if lo.Score >= hi.Score {
			t.Errorf("%s: %q / %q = %.3f (%s), want below %q / %q = %.3f (%s)", tt.name, tt.lowerQ, tt.lowerN, lo.Score, lo.Summary(), tt.upperQ, tt.upperN, hi.Score, hi.Summary())
		}
	}
}

// A particle left over on one side costs nothing once other words match;
// a particle alone matches nothing.
func TestScreenParticleLeftOver(t *testing.T) {
	with := screenScore(t, "Person", "Juan Carlos Cruz", "Juan Carlos de la Cruz")
	without := screenScore(t, "Person", "Juan Carlos Cruz", "Juan Carlos Cruz")
	if with.Score != without.Score || !hasHow(with, "particle") {
		t.Errorf("particles de, la left over: %.3f (%s), want the score without them %.3f", with.Score, with.Summary(), without.Score)
	}
	if !strings.Contains(with.Summary(), "particle de left over") {
		t.Errorf("summary %q does not say the particle was left out", with.Summary())
	}
	// A real word left over still costs: the particle rule is not a
	// rule for every short word.
	if h := screenScore(t, "Person", "Juan Carlos Cruz", "Juan Carlos Mora Cruz"); h.Score >= with.Score {
		t.Errorf("a family name left over scores %.3f, not below a particle left over %.3f", h.Score, with.Score)
	}
	if h := screenScore(t, "Person", "de la", "Juan de la Cruz"); h.Score >= DefaultThreshold || hasHow(h, "particle") {
		t.Errorf("particles alone score %.3f (%s)", h.Score, h.Summary())
	}
	// "abu" makes the name: not a particle.
	if h := screenScore(t, "Person", "Bakr Hassan", "Abu Bakr Hassan"); hasHow(h, "particle") {
		t.Errorf("abu treated as a particle: %s", h.Summary())
	}
}

// Names in Chinese characters or Hangul one sign apart are other names.
func TestScreenSyllabicNoFuzzy(t *testing.T) {
	for _, tc := range [][2]string{{"김정은", "김정일"}, {"李明", "李朋"}} {
		if h := screenScore(t, "Person", tc[0], tc[1]); h.Score >= DefaultThreshold {
			t.Errorf("%s / %s: %.3f (%s), want no hit", tc[0], tc[1], h.Score, h.Summary())
		}
		if h := screenScore(t, "Person", tc[0], tc[0]); h.Score < 0.99 {
			t.Errorf("%s / itself: %.3f", tc[0], h.Score)
		}
	}
}

package screen

import (
	"reflect"
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
			{"Person", "Juan Schmidt", "John Schmidt", true, "variant"},
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

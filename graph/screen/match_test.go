package screen

import (
	"math"
	"reflect"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

func TestRomanKeyJoinsVariants(t *testing.T) {
	groups := [][]string{
		{"dmitriy", "dmitry", "dmitrii"},
		{"mohammed", "muhammad", "mohamed", "mohammad"},
		{"hussein", "husain", "hussain"},
		{"jong", "jeong", "chong"},
		{"lee", "rhee", "yi", "ri"},
		{"qaddafi", "gaddafi", "kadhafi"},
		{"yevgeniy", "evgeny"},
	}
	for _, g := range groups {
		for _, w := range g[1:] {
			if a, b := RomanKey(g[0]), RomanKey(w); a != b {
				t.Errorf("RomanKey(%q) = %q, RomanKey(%q) = %q; want equal", g[0], a, w, b)
			}
		}
	}
	for _, pair := range [][2]string{{"ali", "ala"}, {"kim", "kam"}, {"putin", "turin"}} {
		if RomanKey(pair[0]) == RomanKey(pair[1]) {
			t.Errorf("RomanKey joins %q and %q", pair[0], pair[1])
		}
	}
	if s1, s2 := Skeleton("qaddafi"), Skeleton("gadhafi"); s1 != s2 {
		t.Errorf("Skeleton(qaddafi) = %q, Skeleton(gadhafi) = %q", s1, s2)
	}
}

func TestTokenSimilarity(t *testing.T) {
	tests := []struct {
		a, b string
		how  string // "" for no match
	}{
		{"putin", "putin", "exact"},
		{"mohammed", "muhammad", "variant"},
		{"vladimr", "vladimir", "fuzzy"},
		{"scholz", "schloz", "fuzzy"},
		{"v", "vladimir", "initial"},
		{"ben", "benjamin", "prefix"},
		{"ali", "ala", "typo"}, // a letter off: flagged, but weakly (0.75)
		{"lind", "lindemann", ""},
		{"sancho", "sanchez", "fuzzy"}, // otherStem rejects it in personal names only
		{"sergejs", "sergey", "spelling"},
		{"putin", "obama", ""},
		{"ko", "ku", ""},
	}
	for _, tt := range tests {
		s, how := TokenSimilarity(tt.a, tt.b)
		if how != tt.how || (tt.how == "" && s != 0) || s < 0 || s > 1 {
			t.Errorf("TokenSimilarity(%q, %q) = %.3f %q, want %q", tt.a, tt.b, s, how, tt.how)
		}
	}
}

func TestMatchNames(t *testing.T) {
	score := func(a, b string) float64 { return MatchNames(Tokens(a), Tokens(b), nil).Score }
	if s := score("PUTIN, Vladimir", "Vladimir Putin"); s != 1 {
		t.Errorf("word order: %.3f, want 1", s)
	}
	if s := score("Dandong Zhongsheng Industry & Trade Co., Ltd.", "DANDONG ZHONGSHENG INDUSTRY AND TRADE COMPANY LIMITED"); s != 1 {
		t.Errorf("legal forms and &: %.3f, want 1", s)
	}
	if s := score("Siemens AG", "Siemens Aktiengesellschaft"); s != 1 {
		t.Errorf("Aktiengesellschaft: %.3f, want 1", s)
	}
	full, short, other := score("Vladimir Putin", "Vladimir Vladimirovich Putin"), score("Vladimir Putin", "Vladimir Putin"), score("Vladimir Putin", "Vladimir Turin Ivanov")
	if !(short > full && full > 0.85 && other < 0.7) {
		t.Errorf("extra patronymic %.3f, same %.3f, different surname %.3f; want same > extra > 0.85 > 0.7 > different", full, short, other)
	}
	if swap, same := score("SALMAN BIN MUHAMMAD AL-RAWI", "MUHAMMAD BIN SALMAN AL-RAWI"), score("SALMAN BIN MUHAMMAD AL-RAWI", "SALMAN BIN MUHAMMAD AL-RAWI"); swap >= 0.8 || same != 1 {
		t.Errorf("father and son swapped around bin: %.3f (same name %.3f), want < 0.8", swap, same)
	}
	if got := Tokens("A.B.C. Company"); !reflect.DeepEqual(got, []string{"abc"}) {
		t.Errorf("Tokens(A.B.C. Company) = %v, want [abc]", got)
	}
}

func TestEditDistances(t *testing.T) {
	tests := []struct {
		a, b string
		osa  int
	}{{"", "abc", 3}, {"abc", "abc", 0}, {"abc", "acb", 1}, {"kitten", "sitting", 3}, {"scholz", "schloz", 1}}
	for _, tt := range tests {
		if got := graph.WordDistance(tt.a, tt.b); got != tt.osa {
			t.Errorf("graph.WordDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.osa)
		}
	}
	if got := jaroWinkler("martha", "marhta"); math.Abs(got-0.9611) > 0.001 {
		t.Errorf("jaroWinkler(martha, marhta) = %.4f, want 0.9611", got)
	}
}

func FuzzMatchNames(f *testing.F) {
	f.Add("PUTIN, Vladimir", "Владимир Путин")
	f.Add("A.B.C. Co.", "ABC Company")
	f.Add("", "x")
	f.Add("ъ ь", "ЪЬ")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 300 || len(b) > 300 {
			return
		}
		m := MatchNames(Tokens(a), Tokens(b), nil)
		if m.Score < 0 || m.Score > 1 || math.IsNaN(m.Score) {
			t.Fatalf("MatchNames(%q, %q) = %v, want in [0,1]", a, b, m.Score)
		}
		p, err := Prepare(Query{Name: a})
		if err != nil {
			return
		}
		h, _ := ScoreEntity(p, &graph.Entity{Schema: "Person", Caption: b, Props: map[string][]string{"name": {b}}}, nil)
		if h.Score < 0 || h.Score > 1 || math.IsNaN(h.Score) {
			t.Fatalf("ScoreEntity(%q, %q) = %v, want in [0,1]", a, b, h.Score)
		}
	})
}

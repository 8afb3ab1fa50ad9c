package screen

import (
	"math"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Name comparison for screening. A name is compared as a bag of words
// (NameTokens: folded, transliterated, without legal forms), so word order,
// punctuation, case and legal forms do not matter. Words are aligned one to
// one, each pair scored by TokenSimilarity; each word weighs by its rarity
// (Weigher), so that "TRADING" or "BANK" matter little and a rare surname
// much.

// Weigher returns the weight of a name word: its rarity, higher for rarer
// words. It must be safe for concurrent use.
type Weigher func(tok string) float64

// StaticWeight weighs a word without an index: by length (one- and
// two-letter words weigh little) and a short list of words common in party
// names. Screening against a store uses the index's IDF instead.
func StaticWeight(tok string) float64 {
	if commonNameWords[tok] {
		return 0.4
	}
	switch n := len(tok); {
	case n <= 1:
		return 0.3
	case n == 2:
		return 0.6
	case n == 3:
		return 0.85
	}
	return 1
}

// commonNameWords are words frequent in the names of companies and
// organisations, and the particles of personal names (nameParticles, and
// "abu", "abd").
var commonNameWords = func() map[string]bool {
	m := map[string]bool{
		"bank": true, "trading": true, "trade": true, "international": true, "group": true,
		"holding": true, "holdings": true, "industry": true, "industries": true, "industrial": true,
		"shipping": true, "services": true, "service": true, "general": true, "national": true,
		"investment": true, "investments": true, "import": true, "export": true, "enterprise": true,
		"enterprises": true, "global": true, "management": true, "development": true, "commercial": true,
		"abu": true, "abd": true,
		"foundation": true, "association": true, "organization": true, "organisation": true, "center": true,
		"centre": true, "institute": true, "technology": true, "technologies": true, "energy": true,
		"oil": true, "gas": true, "petroleum": true, "construction": true, "engineering": true,
		"marine": true, "maritime": true, "logistics": true, "capital": true, "finance": true,
		"financial": true, "partners": true, "systems": true, "solutions": true, "state": true,
		"republic": true, "ministry": true, "committee": true, "front": true, "party": true,
		"mr": true, "mrs": true, "dr": true, "sheikh": true, "haji": true, "mullah": true, "maulavi": true,
	}
	for w := range nameParticles {
		m[w] = true
	}
	return m
}()

// nameParticles are the articles and prepositions of personal and place
// names (Arabic, Romance, Germanic, Dutch): "al", "bin", "de", "van".
// "abu" and "abd" are not among them: they make the name ("Abu Bakr" is
// not "Bakr").
var nameParticles = map[string]bool{
	"al": true, "el": true, "ul": true, "bin": true, "ibn": true, "ben": true, "bint": true,
	"de": true, "da": true, "di": true, "do": true, "du": true, "dos": true, "das": true,
	"del": true, "della": true, "der": true, "den": true, "van": true, "von": true,
	"la": true, "le": true, "y": true,
}

// TokenMatch is one aligned pair of words.
type TokenMatch struct {
	Query      string  // the query's word ("" for a name word left unmatched)
	Name       string  // the matched name's word ("" for a query word left unmatched)
	Similarity float64 // 0..1
	Weight     float64 // how much the pair counts
	How        string  // exact, variant, fuzzy, initial, joined or unmatched
}

// NameMatch is how well one name matches a query name.
type NameMatch struct {
	Score  float64
	Tokens []TokenMatch
}

// minTokenSimilarity is the least similarity for two words to align.
const minTokenSimilarity = 0.78

// TokenSimilarity compares two folded words: 1 if equal, 0 for different
// numbers, 0.97 for known variants of one name or equal romanisation
// keys, 0.85 for an initial against a word it starts or a short form,
// 0.6 for a name against its patronymic, otherwise a string similarity
// (Jaro-Winkler and edit distance on the romanisation keys, or against
// the known spellings of a name), 0.75 for a misspelling of the same
// length (isTypo), or 0.
func TokenSimilarity(a, b string) (float64, string) {
	return tokenSim(a, RomanKey(a), b, RomanKey(b))
}

func tokenSim(a, ra, b, rb string) (float64, string) {
	if a == b {
		return 1, "exact"
	}
	// Numbers are equal or not: "ii" and "iii" share a romanisation key.
	if isNumberToken(a) || isNumberToken(b) {
		return 0, ""
	}
	if ra == rb {
		return 0.97, "variant"
	}
	// A doubled or undoubled letter: "mohaammad" / "mohammad", "yyu" /
	// "yu".
	if undouble(a) == undouble(b) {
		return 0.95, "doubled"
	}
	// In Chinese characters and Korean syllables one sign is a syllable
	// of the name: a name one sign apart is another name ("김정은" /
	// "김정일", Kim Jong Un / Kim Jong Il), not a misspelling.
	if syllabic(a) || syllabic(b) {
		return 0, ""
	}
	if equivalent(a, b) {
		if s := stringSim(ra, rb); s > equivalentSimilarity {
			return math.Min(s, 0.95), "fuzzy"
		}
		return equivalentSimilarity, "equivalent"
	}
	if len(a) == 1 || len(b) == 1 {
		if a[0] == b[0] {
			return 0.85, "initial"
		}
		return 0, ""
	}
	// Variant groups map to "=..." keys; compare their plain spellings.
	// A word of one group against a word of none is compared with each
	// spelling of the group: "Sergejs" is "Sergej" misspelt, and so a
	// spelling of "Sergey".
	if (ra[0] == '=') != (rb[0] == '=') {
		if s, ok := spellingSim(a, ra, b, rb); ok {
			return s, "spelling"
		}
	}
	if ra[0] == '=' {
		ra = a
	}
	if rb[0] == '=' {
		rb = b
	}
	s := stringSim(ra, rb)
	if s < 0.9 {
		s = math.Max(s, stringSim(a, b))
	}
	// A short form of a long word, more than half of it or of a known
	// given name: "Vlad" / "Vladimir", "Ben" / "Benjamin", but not
	// "Lind" / "Lindemann" or "Bai" / "Baikal". A name against the
	// patronymic made from it ("Oleksandr" / "Oleksandrovych", the son of
	// an Oleksandr) is weaker: the same word, but another person's name.
	if s < 0.85 && min(len(a), len(b)) >= 3 && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)) {
		if isPatronymic(a) != isPatronymic(b) {
			return patronymicSimilarity, "patronymic"
		}
		// Three letters are a short form only of a known given name:
		// "Jon" is not "Jones".
		if min(len(a), len(b)) >= 4 && 2*min(len(a), len(b)) > max(len(a), len(b)) || knownName(a, b) {
			return 0.85, "prefix"
		}
	}
	// A word longer or shorter by two letters or more is more often
	// another name ("Castro" / "Castillo", "Mahir" / "Mahathir") than a
	// misspelling of it.
	if d := abs(len(ra) - len(rb)); d >= 2 {
		s -= fuzzyLenPenalty * float64(d-1)
	}
	if s < minTokenSimilarity {
		if isTypo(a, b) {
			return typoSimilarity, "typo"
		}
		return 0, ""
	}
	return math.Min(s, 0.95), "fuzzy"
}

// syllabic reports whether a folded word is written in Chinese characters
// or Hangul (Fold leaves Hangul as its letters, jamo).
func syllabic(w string) bool {
	if graph.IsASCII(w) {
		return false
	}
	for _, r := range w {
		if unicode.In(r, unicode.Han, unicode.Hangul) {
			return true
		}
	}
	return false
}

// simCache remembers the similarity of word pairs: for one query (the
// candidates of a query share words, and the candidate look-up compares
// the pairs the scoring compares again), and, when the query was prepared
// for a Lookup, across queries in the Lookup's shared table (query words
// and list words recur: "mohammed", "john", "smith"). A nil *simCache
// computes every time. A Prepared, and so its simCache, is used by one
// goroutine at a time; the shared table locks.
type simCache struct {
	local  map[[2]string]simResult
	shared *pairTable
}

type simResult struct {
	s   float64
	how string
}

func newSimCache() *simCache { return &simCache{local: map[[2]string]simResult{}} }

// tokenSim is tokenSim, remembered.
func (c *simCache) tokenSim(a, ra, b, rb string) (float64, string) {
	if c == nil {
		return tokenSim(a, ra, b, rb)
	}
	k := [2]string{a, b}
	if r, ok := c.local[k]; ok {
		return r.s, r.how
	}
	r, ok := c.shared.get(k)
	if !ok {
		r.s, r.how = tokenSim(a, ra, b, rb)
		c.shared.put(k, r)
	}
	if len(c.local) < maxSimCache {
		c.local[k] = r
	}
	return r.s, r.how
}

// maxSimCache bounds the pairs one query remembers.
const maxSimCache = 1 << 16

// pairTable is a bounded table of word-pair similarities shared by the
// queries of one Lookup, in shards that each lock on their own.
type pairTable struct {
	shards [pairShards]struct {
		mu sync.Mutex
		m  map[[2]string]simResult
	}
}

const (
	pairShards   = 16
	pairPerShard = 1 << 15 // about 512k pairs in all, some tens of MB
)

func newPairTable() *pairTable {
	t := &pairTable{}
	for i := range t.shards {
		t.shards[i].m = map[[2]string]simResult{}
	}
	return t
}

func (t *pairTable) shard(k [2]string) int {
	h := uint32(len(k[0]))*31 + uint32(len(k[1]))
	if len(k[0]) > 0 {
		h = h*31 + uint32(k[0][0])
	}
	if len(k[1]) > 0 {
		h = h*31 + uint32(k[1][len(k[1])-1])
	}
	return int(h % pairShards)
}

func (t *pairTable) get(k [2]string) (simResult, bool) {
	if t == nil {
		return simResult{}, false
	}
	sh := &t.shards[t.shard(k)]
	sh.mu.Lock()
	r, ok := sh.m[k]
	sh.mu.Unlock()
	return r, ok
}

func (t *pairTable) put(k [2]string, r simResult) {
	if t == nil {
		return
	}
	sh := &t.shards[t.shard(k)]
	sh.mu.Lock()
	if len(sh.m) >= pairPerShard {
		clear(sh.m) // start over: cheaper than tracking use
	}
	// The words are kept: copy them out of whatever larger string they
	// may be cut from.
	sh.m[[2]string{strings.Clone(k[0]), strings.Clone(k[1])}] = r
	sh.mu.Unlock()
}

// otherStem reports whether two words, as written (folded), differ in
// length and in other letters too: in personal names, "Sancho" /
// "Sanchez", "Orbach" / "Orban", "Shamsuddin" / "Shahabuddin" are other
// names of the same stem rather than misspellings, which replace letters
// or add or drop some, rarely both. Words with letters Fold leaves
// non-ASCII are left alone (their byte lengths say little).
func otherStem(a, b string) bool {
	if len(a) == len(b) || !graph.IsASCII(a) || !graph.IsASCII(b) {
		return false
	}
	return graph.WordDistance(a, b) > abs(len(a)-len(b))
}

// typoSimilarity is the similarity of two words that isTypo takes for one
// word misspelt.
const typoSimilarity = 0.75

// isTypo reports whether two words of the same length, three letters or
// more, with the same first letter, differ in about a third of their
// letters at most (one in three or four letters, two in five or more), by
// replaced or swapped letters only: "Merkur" / "Merkel", "Tom" / "Tim",
// "Jones" / "James". A misspelling keeps the length of a word; a
// different name of the same stem usually changes it ("Castro" /
// "Castillo", "Sancho" / "Sanchez"), and those stay below
// minTokenSimilarity.
func isTypo(a, b string) bool {
	if len(a) != len(b) || len(a) < 3 || a[0] != b[0] {
		return false
	}
	return graph.WordDistance(a, b) <= min(2, (len(a)+1)/3)
}

// spellingSim compares the word of a variant group (key "=...") with the
// best of its group's spellings; ok is false if none is one or two
// letters off without being another name of the same stem (otherStem).
func spellingSim(a, ra, b, rb string) (s float64, ok bool) {
	if rb[0] == '=' {
		a, ra, b, rb = b, rb, a, ra
	}
	for _, v := range variantGroups[ra] {
		if len(v) <= 3 {
			continue // abbreviations ("mhd", "md") are no spellings to misspell
		}
		// A misspelling of a spelling keeps its length within a letter
		// and, nearly always, its first letter (or swaps the first two).
		if abs(len(v)-len(b)) > 1 || v[0] != b[0] && !(len(v) > 1 && len(b) > 1 && v[0] == b[1] && v[1] == b[0]) {
			continue
		}
		if x := stringSim(v, b); x >= minTokenSimilarity && x > s && !otherStem(v, b) {
			s = x
		}
	}
	return math.Min(s, 0.95), s > 0
}

// abjadSimilarity is the similarity of a word romanised from the Arabic
// script and a Latin word with the same consonants.
const abjadSimilarity = 0.85

// abjadSim reports whether two words, one romanised from the Arabic
// script, have the same consonants (AbjadKey, at least two): the script
// writes no short vowels, so "frnandu" is "Fernando" and "biriz" "Pérez".
func abjadSim(a, b string) bool {
	// kh is a letter of its own (خ), never written h: "khamnii" is
	// Khamenei, not Hamoun.
	if strings.Contains(a, "kh") != strings.Contains(b, "kh") {
		return false
	}
	// At least two consonants, every h counted: "ida" / "aida" share one
	// consonant only, "mhdi" (Mahdi) is not "muhammad".
	ka := abjadKey(a)
	return len(strings.TrimPrefix(ka, "*")) >= 2 && ka == abjadKey(b)
}

// knownName reports whether the longer of two words is in a group of
// nameVariants or nameEquivalents (a given name with known spellings or
// forms).
func knownName(a, b string) bool {
	if len(a) < len(b) {
		a = b
	}
	_, ok := nameVariants[a]
	_, eq := nameEquivalents[a]
	return ok || eq
}

// patronymicSimilarity is the similarity of a given name and the
// patronymic made from it.
const patronymicSimilarity = 0.6

// patronymicEndings end Russian, Ukrainian and Belarusian patronymics.
var patronymicEndings = []string{"ovich", "evich", "ovych", "evych", "ovna", "evna", "ivna", "ichna", "yevich", "ievich"}

// isPatronymic reports whether a folded word looks like an East Slavic
// patronymic.
func isPatronymic(w string) bool {
	for _, e := range patronymicEndings {
		if len(w) > len(e)+2 && strings.HasSuffix(w, e) {
			return true
		}
	}
	return false
}

// fuzzyLenPenalty is what each letter of length difference beyond the first
// takes from a fuzzy similarity.
const fuzzyLenPenalty = 0.05

// stringSim is the mean of Jaro-Winkler and the normalised
// optimal-string-alignment distance (a swap of two letters is one edit).
// Words of three letters or fewer must be one edit apart and both longer
// than two letters: "ali" and "ala" are other names, "ko" and "ku" too.
func stringSim(a, b string) float64 {
	n := max(len(a), len(b))
	if min(len(a), len(b)) <= 3 && (n <= 3 || n-min(len(a), len(b)) > 1) {
		return 0
	}
	// Cheap bounds first: the distance is at least the difference in
	// length, and Jaro at most what the shorter length allows.
	short, long := float64(min(len(a), len(b))), float64(n)
	jaroMax := (2 + short/long) / 3
	if maxSim := (1 - (long-short)/long + jaroMax + 0.4*(1-jaroMax)) / 2; maxSim < minTokenSimilarity {
		return 0
	}
	if !lettersOverlap(a, b) {
		return 0
	}
	d := graph.WordDistance(a, b)
	if min(len(a), len(b)) <= 3 && d > 1 {
		return 0
	}
	return (1 - float64(d)/float64(n) + jaroWinkler(a, b)) / 2
}

// nameWord is a word of a name prepared for comparison.
type nameWord struct {
	tok, roman string
	w          float64
	kind       byte // numberWord, placeWord or 0
	abjad      bool // romanised from the Arabic script
	surname    bool // the family name of a personal name (surnames)
}

// Kinds of words that tell apart parties whose other words agree: a
// number ("Bowne Global Solutions II", "Management Company 23") and, in
// the name of an organisation, a country ("Banco Santander México").
const (
	numberWord byte = 'n'
	placeWord  byte = 'p'
)

func prepareWords(toks []string, weigh Weigher) []nameWord {
	out := make([]nameWord, len(toks))
	for i, t := range toks {
		out[i] = nameWord{tok: t, roman: RomanKey(t), w: weigh(t), kind: wordKind(t)}
	}
	return out
}

// wordKind tells a number (digits, or a Roman numeral of two letters or
// more, but not "xi", a common Chinese name) or a country name from other
// words.
func wordKind(t string) byte {
	if isNumberToken(t) {
		return numberWord
	}
	if len(t) >= 4 && isCountryWord(t) {
		return placeWord
	}
	return 0
}

// isNumberToken reports whether t is written in digits or is a Roman
// numeral of two letters or more (see wordKind).
func isNumberToken(t string) bool {
	if t == "" {
		return false
	}
	digits, roman := true, len(t) >= 2 && t != "xi"
	for i := 0; i < len(t); i++ {
		c := t[i]
		digits = digits && c >= '0' && c <= '9'
		roman = roman && (c == 'i' || c == 'v' || c == 'x')
	}
	return digits || (roman && isRomanNumeral(t))
}

func isRomanLetter(t string) bool { return t == "i" || t == "v" || t == "x" }

// isRomanNumeral reports whether t (lower case, letters ivx) is a
// well-formed Roman numeral below 40 ("ii", "xiv"; not "ivi").
func isRomanNumeral(t string) bool {
	for _, n := range romanNumerals {
		if t == n {
			return true
		}
	}
	return false
}

var romanNumerals = func() []string {
	ones := []string{"", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix"}
	tens := []string{"", "x", "xx", "xxx"}
	var out []string
	for _, t := range tens {
		for _, o := range ones {
			if n := t + o; len(n) >= 2 {
				out = append(out, n)
			}
		}
	}
	return out
}()

// isCountryWord reports whether a folded word is the English name of a
// country or territory in one word ("mexico", "chile"; not FtM's
// "global", and not an adjective such as "indian" or "german", which
// names a region or is a personal name as often).
func isCountryWord(t string) bool {
	return !commonNameWords[t] && graph.IsCountryName(t)
}

// extraWordWeight is how much a word that only the listed name has counts
// against the match, relative to a word the names disagree on: a middle
// name, patronymic or clan name the query leaves out ("Vladimir Putin" /
// "Vladimir Vladimirovich Putin") costs less than a word the other side
// replaces ("... AL-MOSULI" / "... AL-DURI").
var extraWordWeight = 0.35

// queryExtraWeight is the same for a word only the query has. Every word
// of the query must be accounted for: the query is what the analyst knows
// of the party, and a listed name that lacks one of its words ("DANIEL"
// for "Daniel Webster") says nothing of that word. It costs more than a
// word the query leaves out.
var queryExtraWeight = 0.5

// surnameExtraWeight is the same for a family name only the listed name
// has ("VALDEZ RODRIGUEZ, Manuel" for "Manuel Rodriguez"): more than a
// middle name left out.
var surnameExtraWeight = 0.5

// substitutionWeight is how much more a word the two names disagree on
// counts than a matched word of the same rarity: "... HASAN AL-MOSULI" and
// "... HASAN AL-TIKRITI" are different people however many words agree.
var substitutionWeight = 2.0

// fuzzyPower sharpens the similarity of words that are not equal: two
// words 0.9 alike count as 0.9^fuzzyPower of a match.
var fuzzyPower = 1.0

// MatchNames scores a query name against a candidate name, both as
// NameTokens; weigh gives word weights (StaticWeight if nil).
func MatchNames(query, name []string, weigh Weigher) NameMatch {
	if weigh == nil {
		weigh = StaticWeight
	}
	return matchWords(prepareWords(query, weigh), prepareWords(name, weigh), false, nil)
}

type wordPair struct {
	i, j int
	s    float64
	how  string
}

// matchWords aligns the words of two names and scores them; org is true
// when the names are of organisations (a country among their words then
// tells them apart).
func matchWords(q, n []nameWord, org bool, sims *simCache) NameMatch {
	if len(q) == 0 || len(n) == 0 {
		return NameMatch{}
	}
	var pairBuf [64]wordPair
	pairs := pairBuf[:0]
	for i := range q {
		for j := range n {
			s, how := sims.tokenSim(q[i].tok, q[i].roman, n[j].tok, n[j].roman)
			if q[i].abjad != n[j].abjad && s < abjadSimilarity && abjadSim(q[i].tok, n[j].tok) {
				s, how = abjadSimilarity, "consonants"
			}
			if s > 0 {
				pairs = append(pairs, wordPair{i, j, s, how})
			}
		}
	}
	// Best pairs first; among equals, words in the same position first, so
	// that "Kim Jong Un" aligns in order.
	// (slices.SortStableFunc rather than sort.SliceStable: pairs then
	// stays in pairBuf on the stack, one allocation less per name scored.)
	slices.SortStableFunc(pairs, func(a, b wordPair) int {
		if a.s != b.s {
			if a.s > b.s {
				return -1
			}
			return 1
		}
		return abs(a.i-a.j) - abs(b.i-b.j)
	})
	qi := make([]int, len(q)) // query word -> name word + 1; -1 joined
	nj := make([]int, len(n))
	tokens := make([]TokenMatch, 0, len(q)+len(n)) // one allocation: every word gets a line
	num, den := 0.0, 0.0
	for _, p := range pairs {
		if qi[p.i] != 0 || nj[p.j] != 0 {
			continue
		}
		// In personal names, another name of the same stem is no match
		// (checked here, for the pairs that would align, as it is costly).
		if !org && p.how == "fuzzy" && otherStem(q[p.i].tok, n[p.j].tok) {
			continue
		}
		// Words romanised from the Arabic script have no short vowels:
		// one consonant replaced is another name ("arf" / "asf").
		if p.how == "typo" && q[p.i].abjad && n[p.j].abjad {
			continue
		}
		// An initial stands for a given name, never for a family name:
		// "William L. Jenkins" is not "GUILLERMO LABASTIDA". And forms of
		// one given name across languages are given names: "Joe" is no
		// form of the family name "JOSEPH".
		if (p.how == "initial" || p.how == "equivalent") && (len(q[p.i].tok) > 1 && q[p.i].surname || len(n[p.j].tok) > 1 && n[p.j].surname) {
			continue
		}
		qi[p.i], nj[p.j] = p.j+1, p.i+1
		w := q[p.i].w + n[p.j].w
		if p.how == "initial" {
			// An initial counts as little as the smaller side.
			w = 2 * min(q[p.i].w, n[p.j].w)
		}
		num += math.Pow(p.s, fuzzyPower) * w
		den += w
		tokens = append(tokens, TokenMatch{Query: q[p.i].tok, Name: n[p.j].tok, Similarity: p.s, Weight: w / 2, How: p.how})
	}
	// Words written together on one side and apart on the other
	// ("Zhongsheng" / "Zhong Sheng", "Albaghdadi" / "Al Baghdadi").
	num, den, tokens = matchJoined(q, n, qi, nj, num, den, tokens)
	// Abbreviations: "PLA" / "People's Liberation Army", "JC" / "Jean
	// Claude", "US" / "United States".
	num, den, tokens = matchAcronyms(q, n, qi, nj, num, den, tokens)
	num, den, tokens = matchNumbers(q, n, qi, nj, num, den, tokens)
	uq, un, unSurname := 0.0, 0.0, 0.0
	var kq, kn [2]bool // an unmatched number, place on each side
	var mq, mn bool    // an unmatched i, v or x: an initial or a number
	// A repeated word left over when the other name has all its words
	// matched is no disagreement (see repeated).
	otherQ, otherN := leftOver(q, qi), leftOver(n, nj)
	// A particle left over ("de", "al", "bin") says nothing of who is
	// named once other words match: "Bashar Assad" is "Bashar al-Assad",
	// "Juan Cruz" "Juan de la Cruz".
	freeParticles := false
	for i := range q {
		freeParticles = freeParticles || qi[i] != 0 && !nameParticles[q[i].tok]
	}
	for i := range q {
		if qi[i] == 0 {
			if !otherN && repeated(q, i) {
				tokens = append(tokens, TokenMatch{Query: q[i].tok, How: "repeated"})
				continue
			}
			if freeParticles && nameParticles[q[i].tok] {
				tokens = append(tokens, TokenMatch{Query: q[i].tok, How: "particle"})
				continue
			}
			uq += q[i].w
			mq = mq || isRomanLetter(q[i].tok)
			kq[0] = kq[0] || q[i].kind == numberWord
			kq[1] = kq[1] || q[i].kind == placeWord && org
			tokens = append(tokens, TokenMatch{Query: q[i].tok, Weight: q[i].w, How: "unmatched"})
		}
	}
	for j := range n {
		if nj[j] == 0 {
			if !otherQ && repeated(n, j) {
				tokens = append(tokens, TokenMatch{Name: n[j].tok, How: "repeated"})
				continue
			}
			if freeParticles && nameParticles[n[j].tok] {
				tokens = append(tokens, TokenMatch{Name: n[j].tok, How: "particle"})
				continue
			}
			if n[j].surname {
				// A family name the query lacks ("VALDEZ RODRIGUEZ,
				// Manuel" for "Manuel Rodriguez") is more than a middle
				// name left out: it counts as a query word would.
				unSurname += n[j].w
			}
			un += n[j].w
			mn = mn || isRomanLetter(n[j].tok)
			kn[0] = kn[0] || n[j].kind == numberWord
			kn[1] = kn[1] || n[j].kind == placeWord && org
			tokens = append(tokens, TokenMatch{Name: n[j].tok, Weight: n[j].w, How: "unmatched"})
		}
	}
	// A number or (for organisations) a country that only one side has
	// tells the parties apart as a substituted word does: "Bowne Global
	// Solutions II" is not "Bowne Global Solutions", "Banco Santander
	// Chile" not "Banco Santander". It counts as a substituted word of
	// full weight.
	distinct := 0.0
	if kq[0] && !kn[0] && !mn || kn[0] && !kq[0] && !mq { // "V" / "VI" are two numbers
		distinct += distinctWordWeight
	}
	if kq[1] != kn[1] {
		distinct += distinctWordWeight
	}
	// Unmatched weight on both sides is a substitution and counts fully;
	// the rest is extra words on one side.
	sub := min(uq, un)
	extraN := un - sub
	extraSurname := min(unSurname, extraN)
	den += substitutionWeight*2*sub + queryExtraWeight*(uq-sub) + surnameExtraWeight*extraSurname + extraWordWeight*(extraN-extraSurname) + substitutionWeight*distinct
	if den == 0 {
		return NameMatch{Tokens: tokens}
	}
	score := num / den
	if patronymSwapped(q, n, qi) {
		score *= 0.75
	}
	return NameMatch{Score: score, Tokens: tokens}
}

// repeated reports whether w[i] repeats an earlier word of the same name
// (the same word or a variant of it: "Mohammad ... Mohammed", "bin ...
// ibn"); a repeated word says nothing more about who is named, so left
// unmatched it does not count against the match.
func repeated(w []nameWord, i int) bool {
	for k := 0; k < i; k++ {
		if w[k].roman == w[i].roman {
			return true
		}
	}
	return false
}

// leftOver reports whether a name has a word left unmatched that does not
// repeat another.
func leftOver(w []nameWord, at []int) bool {
	for i := range w {
		if at[i] == 0 && !repeated(w, i) {
			return true
		}
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// patronymSwapped reports whether the names around "bin"/"ibn" are swapped:
// "SALMAN BIN MUHAMMAD" is the son of "MUHAMMAD BIN SALMAN"'s father's name
// ... another person, though the words are the same.
func patronymSwapped(q, n []nameWord, qi []int) bool {
	bq, bn := particleAt(q), particleAt(n)
	if bq <= 0 || bn <= 0 || bq+1 >= len(q) || bn+1 >= len(n) {
		return false
	}
	before, after := qi[bq-1]-1, qi[bq+1]-1
	return before == bn+1 || after == bn-1
}

func particleAt(w []nameWord) int {
	for i, x := range w {
		if x.roman == "=bin" {
			return i
		}
	}
	return -1
}

// distinctWordWeight is the weight of a number or country that only one
// of two names has.
const distinctWordWeight = 1.0

// matchAcronyms aligns a word of two to five letters left unmatched on one
// side with as many adjacent unmatched words of the other side whose
// initials it spells.
func matchAcronyms(q, n []nameWord, qi, nj []int, num, den float64, tokens []TokenMatch) (float64, float64, []TokenMatch) {
	try := func(one []nameWord, oneAt []int, many []nameWord, manyAt []int, oneIsQuery bool) {
		for i := range one {
			a := one[i].tok
			if oneAt[i] != 0 || len(a) < 2 || len(a) > 5 || one[i].kind != 0 {
				continue
			}
			// Two letters ("al", "el", "md") are particles and short
			// forms more often than acronyms: only initials of given
			// names ("J.P." for "Jean Paul") count.
			if len(a) == 2 && (commonNameWords[a] || nameVariants[a] != "") {
				continue
			}
		next:
			for j := 0; j+len(a) <= len(many); j++ {
				for k := 0; k < len(a); k++ {
					if manyAt[j+k] != 0 || len(many[j+k].tok) < 2 || many[j+k].tok[0] != a[k] || len(a) == 2 && many[j+k].surname {
						continue next
					}
				}
				oneAt[i] = -1
				wMany := 0.0
				words := make([]string, len(a))
				for k := 0; k < len(a); k++ {
					manyAt[j+k] = -1
					wMany = max(wMany, many[j+k].w)
					words[k] = many[j+k].tok
				}
				w := one[i].w + wMany
				num += acronymSimilarity * w
				den += w
				qt, nt := a, strings.Join(words, " ")
				if !oneIsQuery {
					qt, nt = nt, qt
				}
				tokens = append(tokens, TokenMatch{Query: qt, Name: nt, Similarity: acronymSimilarity, Weight: w / 2, How: "acronym"})
				break
			}
		}
	}
	try(q, qi, n, nj, true)
	try(n, nj, q, qi, false)
	return num, den, tokens
}

// matchNumbers aligns a number left unmatched on each side ("Fund III" /
// "Fund IV", "Snow Storm 1" / "Snow Storm 2"): the names are of one
// series, related but not the same, so the pair counts as a weak match
// rather than as words that disagree.
func matchNumbers(q, n []nameWord, qi, nj []int, num, den float64, tokens []TokenMatch) (float64, float64, []TokenMatch) {
	isNum := func(w nameWord) bool { return w.kind == numberWord || isRomanLetter(w.tok) }
	for i := range q {
		if qi[i] != 0 || !isNum(q[i]) {
			continue
		}
		for j := range n {
			if nj[j] != 0 || !isNum(n[j]) {
				continue
			}
			qi[i], nj[j] = -1, -1
			w := q[i].w + n[j].w
			num += numberSimilarity * w
			den += w
			tokens = append(tokens, TokenMatch{Query: q[i].tok, Name: n[j].tok, Similarity: numberSimilarity, Weight: w / 2, How: "number differs"})
			break
		}
	}
	return num, den, tokens
}

// numberSimilarity is how alike two different numbers count.
const numberSimilarity = 0.5

// acronymSimilarity is how alike an abbreviation and the words it
// abbreviates count.
const acronymSimilarity = 0.9

// matchJoined aligns a word left unmatched on one side with two adjacent
// unmatched words of the other side written as one.
func matchJoined(q, n []nameWord, qi, nj []int, num, den float64, tokens []TokenMatch) (float64, float64, []TokenMatch) {
	try := func(one []nameWord, oneAt []int, two []nameWord, twoAt []int, oneIsQuery bool) {
		for i := range one {
			if oneAt[i] != 0 || len(one[i].tok) < 5 {
				continue
			}
			for j := 0; j+1 < len(two); j++ {
				if twoAt[j] != 0 || twoAt[j+1] != 0 {
					continue
				}
				if l := len(two[j].tok) + len(two[j+1].tok); l < len(one[i].tok)-2 || l > len(one[i].tok)+2 {
					continue
				}
				cat := two[j].tok + two[j+1].tok
				s, _ := tokenSim(one[i].tok, one[i].roman, cat, RomanKey(cat))
				if s < 0.9 {
					continue
				}
				oneAt[i], twoAt[j], twoAt[j+1] = -1, -1, -1
				w := one[i].w + max(two[j].w, two[j+1].w)
				num += s * w
				den += w
				qt, nt := one[i].tok, two[j].tok+" "+two[j+1].tok
				if !oneIsQuery {
					qt, nt = nt, qt
				}
				tokens = append(tokens, TokenMatch{Query: qt, Name: nt, Similarity: s, Weight: w / 2, How: "joined"})
				break
			}
		}
	}
	try(q, qi, n, nj, true)
	try(n, nj, q, qi, false)
	return num, den, tokens
}

// lettersOverlap reports whether two words share at least half the
// distinct ASCII letters of the one with fewer: words that do not cannot be
// minTokenSimilarity alike.
func lettersOverlap(a, b string) bool {
	ma, mb := letterMask(a), letterMask(b)
	common := bits.OnesCount32(ma & mb)
	return 2*common >= min(bits.OnesCount32(ma), bits.OnesCount32(mb))
}

func letterMask(s string) uint32 {
	var m uint32
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			m |= 1 << (c - 'a')
		} else {
			m |= 1 << 27
		}
	}
	return m
}

// jaroWinkler returns the Jaro-Winkler similarity of two byte strings.
func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb [64]bool
	if la > 64 || lb > 64 {
		return 1 - float64(graph.WordDistance(a, b))/float64(max(la, lb))
	}
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb-1, i+window)
		for j := lo; j <= hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, k := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(t)/2)/fm) / 3
	p := 0
	for p < min(4, la, lb) && a[p] == b[p] {
		p++
	}
	return jaro + float64(p)*0.1*(1-jaro)
}

// compact joins a name's words without spaces.
func compact(toks []string) string { return strings.Join(toks, "") }

// Tokens returns the words of a name as screening compares them:
// NameTokens (after romanising the scripts screenRomanize knows) without
// further legal forms, with runs of single letters joined ("A.B.C.
// Company" and "ABC Co." both give "abc") and numbers written in words as
// digits ("Forty-Four" gives "44").
func Tokens(name string) []string {
	toks, _ := screenParse(name)
	return toks
}

// screenParse returns Tokens of a name and the classes of the legal
// forms it names (see legalFormClass), sorted and without repeats.
func screenParse(name string) (toks []string, forms []string) {
	all := strings.Fields(graph.Fold(screenRomanize(name)))
	kept := make([]string, 0, len(all))
	for i := 0; i < len(all); {
		n, c := graph.LegalFormAt(all[i:], false)
		if n == 0 && misspelledLegalForm(all[i]) {
			n = 1
		}
		if n > 0 {
			if c != "" && !slices.Contains(forms, c) {
				forms = append(forms, c)
			}
			i += n
			continue
		}
		if !graph.IsNameStopword(all[i]) {
			kept = append(kept, all[i])
		}
		i++
	}
	if len(kept) == 0 {
		kept = all
	}
	kept = joinNumberWords(kept)
	out := kept[:0]
	for i := 0; i < len(kept); {
		j := i
		for j < len(kept) && len(kept[j]) == 1 {
			j++
		}
		if j-i >= 2 {
			out = append(out, strings.Join(kept[i:j], ""))
			i = j
			continue
		}
		out = append(out, kept[i])
		i++
	}
	sort.Strings(forms)
	return out, forms
}

// numberWords are the English words for numbers below a hundred
// ("fourty" is a frequent misspelling).
var numberWords = map[string]int{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
	"fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
	"thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
	"ninety": 90,
}

// joinNumberWords writes numbers spelt in words as digits: "forty four"
// gives "44", "twelve" "12". A word that is not a number stays.
func joinNumberWords(toks []string) []string {
	has := false
	for _, t := range toks {
		if _, ok := numberWords[t]; ok {
			has = true
			break
		}
	}
	if !has {
		return toks
	}
	out := make([]string, 0, len(toks))
	for i := 0; i < len(toks); i++ {
		v, ok := numberWords[toks[i]]
		if !ok {
			out = append(out, toks[i])
			continue
		}
		if v >= 20 && v%10 == 0 && i+1 < len(toks) {
			u, ok := numberWords[toks[i+1]]
			if t := toks[i+1]; len(t) == 1 && t[0] >= '1' && t[0] <= '9' {
				u, ok = int(t[0]-'0'), true // "forty 4"
			}
			if ok && u > 0 && u < 10 {
				v += u
				i++
			}
		}
		out = append(out, strconv.Itoa(v))
	}
	return out
}

// surnames marks the words of a name that are its family name: with a
// comma ("LABASTIDA, Guillermo", as lists write persons) the words before
// it, otherwise the last word. A name of one word has none.
func surnames(name string, toks []string) []bool {
	out := make([]bool, len(toks))
	if len(toks) < 2 {
		return out
	}
	if before, after, ok := strings.Cut(name, ","); ok && strings.TrimSpace(after) != "" {
		fam, _ := screenParse(before)
		if len(fam) > 0 && len(fam) < len(toks) {
			for i, t := range toks {
				out[i] = slices.Contains(fam, t)
			}
			return out
		}
	}
	out[len(toks)-1] = true
	return out
}

// longLegalForms are the legal forms written as one long word, which a
// misspelling leaves recognisable ("Aktiengeselschaft").
var longLegalForms = []string{"aktiengesellschaft", "corporation", "incorporated", "limited", "kabushiki", "company"}

// misspelledLegalForm reports whether a folded word is one of
// longLegalForms with a letter or two wrong (one in seven at most).
func misspelledLegalForm(w string) bool {
	if len(w) < 7 {
		return false
	}
	for _, f := range longLegalForms {
		if w != f && abs(len(w)-len(f)) <= 2 && w[0] == f[0] && graph.WordDistance(w, f) <= len(f)/7 {
			return true
		}
	}
	return false
}

// undouble returns w with runs of one letter written once.
func undouble(w string) string {
	for i := 1; i < len(w); i++ {
		if w[i] == w[i-1] {
			b := []byte(w[:i])
			for j := i; j < len(w); j++ {
				if w[j] != b[len(b)-1] {
					b = append(b, w[j])
				}
			}
			return string(b)
		}
	}
	return w
}

package screen

import (
	"sort"
	"strings"
	"unicode"

	"github.com/mozillazg/go-unidecode"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Romanisation variants. Fold already transliterates Cyrillic and Greek
// (one BGN/PCGN-like spelling); lists and users write the same names in
// other romanisations ("Dmitriy", "Dmitry", "Dmitrii"; "Jong", "Chong",
// "Jeong"; "Mohammed", "Muhammad"). RomanKey maps a folded word to a form
// in which the usual variants coincide; nameVariants maps whole words that
// no letter rule joins (Korean surnames, Arabic given names) to one form.

// RomanKey returns a folded word in a form where common romanisation
// variants coincide: "dmitriy", "dmitry" and "dmitrii" all give "dmitri";
// "mohammed" gives "mohamed", "youssef" "iusef". Doubled letters are
// collapsed. It is for comparison only, never for display. The rules, at
// each position the first that applies: shch sch -> sh, tch -> ch,
// dzh dj zh -> j, kh -> h, gh -> g, ph -> f, dh -> d, th -> t, ck -> k,
// tz -> ts, ou oo -> u, ee -> i, ea -> e, iy yi ii ij -> i, q -> k,
// w -> v, x -> ks, y -> i, c (not before h) -> k.
func RomanKey(w string) string {
	if v, ok := nameVariants[w]; ok {
		return v
	}
	return romanLetters(w)
}

// romanLetters is RomanKey without the name-variant groups: the letter
// rules alone.
func romanLetters(w string) string {
	var buf [64]byte
	out := buf[:0]
	at := func(i int) byte {
		if i < len(w) {
			return w[i]
		}
		return 0
	}
	for i := 0; i < len(w); {
		c, c1, c2 := w[i], at(i+1), at(i+2)
		rep, n := "", 0
		switch c {
		case 's':
			if c1 == 'h' && c2 == 'c' && at(i+3) == 'h' {
				rep, n = "sh", 4
			} else if c1 == 'c' && c2 == 'h' {
				rep, n = "sh", 3
			}
		case 't':
			switch {
			case c1 == 'c' && c2 == 'h':
				rep, n = "ch", 3
			case c1 == 'h':
				rep, n = "t", 2
			case c1 == 'z':
				rep, n = "ts", 2
			}
		case 'd':
			switch {
			case c1 == 'z' && c2 == 'h':
				rep, n = "j", 3
			case c1 == 'j':
				rep, n = "j", 2
			case c1 == 'h':
				rep, n = "d", 2
			}
		case 'z':
			if c1 == 'h' {
				rep, n = "j", 2
			}
		case 'k':
			if c1 == 'h' {
				rep, n = "h", 2
			}
		case 'g':
			if c1 == 'h' {
				rep, n = "g", 2
			}
		case 'p':
			if c1 == 'h' {
				rep, n = "f", 2
			}
		case 'c':
			switch {
			case c1 == 'k':
				rep, n = "k", 2
			case c1 != 'h':
				rep, n = "k", 1
			}
		case 'o':
			if c1 == 'u' || c1 == 'o' {
				rep, n = "u", 2
			}
		case 'e':
			if c1 == 'e' {
				rep, n = "i", 2
			} else if c1 == 'a' {
				rep, n = "e", 2
			}
		case 'i':
			if c1 == 'y' || c1 == 'i' || c1 == 'j' {
				rep, n = "i", 2
			}
		case 'y':
			if c1 == 'i' {
				rep, n = "i", 2
			} else {
				rep, n = "i", 1
			}
		case 'q':
			rep, n = "k", 1
		case 'w':
			rep, n = "v", 1
		case 'x':
			rep, n = "ks", 1
		}
		if n == 0 {
			rep, n = w[i:i+1], 1
		}
		for j := 0; j < len(rep); j++ {
			// Collapse doubled letters: "hussein" / "husein", "abbas" / "abas".
			if len(out) == 0 || out[len(out)-1] != rep[j] || rep[j] >= 0x80 {
				out = append(out, rep[j])
			}
		}
		i += n
	}
	return string(out)
}

// Skeleton returns the consonants of RomanKey(w), voiced and unvoiced pairs
// joined (g/k, b/p, d/t, j/ch, z/s, v/f), with a leading vowel kept as
// '*'. It groups words for candidate generation only: "qaddafi", "gadhafi"
// and "kadhafi" share "ktf".
func Skeleton(w string) string { return skeletonOf(RomanKey(w)) }

// ConsonantKey is Skeleton by the letter rules alone, without the
// name-variant groups: what a word romanised from the Arabic script, which
// writes no short vowels, shares with its Latin spellings ("hsin" and
// "hussein" are both "hsn", "mhmd" and "mohammad" "mt").
func ConsonantKey(w string) string { return skeletonOf(romanLetters(w)) }

// abjadKey is ConsonantKey with every h kept: in a word romanised from the
// Arabic script an h is a letter of its own (ه, ح), not a silent one, so
// "mhdi" (Mahdi) and "mhmd" (Muhammad) differ.
func abjadKey(w string) string { return skeleton(romanLetters(w), true) }

func skeletonOf(r string) string { return skeleton(r, false) }

func skeleton(r string, keepH bool) string {
	out := make([]byte, 0, len(r))
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch c {
		case 'a', 'e', 'i', 'o', 'u':
			if i == 0 {
				out = append(out, '*')
			}
			continue
		case 'g':
			c = 'k'
		case 'b':
			c = 'p'
		case 'd':
			c = 't'
		case 'z':
			c = 's'
		case 'f':
			c = 'v'
		case 'h':
			if i > 0 && r[i-1] == 'c' && len(out) > 0 { // "ch" -> "j"
				out[len(out)-1] = 'j'
				continue
			}
			if i > 0 && !keepH { // a silent inner h vanishes
				continue
			}
		}
		if len(out) > 0 && out[len(out)-1] == c {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

// nameVariants maps spellings of one name that letter rules do not join to
// one form: Korean surnames in McCune-Reischauer, Revised and popular
// spellings, Arabic names in the usual English and French transcriptions.
var nameVariants = func() map[string]string {
	groups := [][]string{
		// Korean
		{"li", "lee", "yi", "rhee", "ri", "rhie", "ree"},
		{"pak", "park", "bak", "pack", "bahk", "paek", "baek", "paik"},
		{"choi", "choe", "chwe", "choy"},
		{"kim", "gim"},
		{"jong", "jeong", "chong", "chung", "jung", "cheong", "joung"},
		{"kang", "gang"},
		{"cho", "jo", "joh", "zo"},
		{"ryu", "yoo", "yu", "ryoo", "you", "yu"},
		{"im", "lim", "rim", "yim"},
		{"sin", "shin"},
		{"kwon", "gwon"},
		{"jang", "chang"},
		{"mun", "moon"},
		{"pyon", "byun", "pyun", "byeon", "byon"},
		{"hyon", "hyun", "hyeon"},
		{"kye", "gye"},
		{"ju", "joo", "chu"},
		{"ko", "go", "koh"},
		{"kil", "gil"},
		{"kwak", "gwak"},
		{"son", "sohn"},
		{"so", "seo", "suh"},
		{"song", "seong", "sung"},
		{"ryom", "yeom", "yom"},
		{"pyongyang", "pyeongyang"},
		{"myong", "myeong", "myung"},
		{"chol", "cheol", "chul"},
		// Arabic
		{"muhammad", "mohammad", "mohammed", "muhammed", "mohamed", "mohamad", "muhamad", "mohamud", "mohammod", "muhamed", "mouhamed", "mohd", "mhd", "md", "mehmet", "mehmed"},
		{"ahmad", "ahmed", "ahmet"},
		{"husayn", "husain", "hussain", "hussein", "husein", "hosein", "hossein", "hussayn", "husseyn", "houssein", "hoseyn"},
		{"hasan", "hassan", "hassen"},
		{"usama", "osama", "oussama", "ousama"},
		{"umar", "omar", "omer"},
		{"uthman", "othman", "osman", "usman", "outhman"},
		{"yusuf", "yousef", "youssef", "yussuf", "yousif", "yusif", "yousuf", "youssouf", "yossef"},
		{"abd", "abdul", "abdel", "abdol", "abdoul", "abdal", "abdu", "abdoulaye"},
		{"al", "el", "ul"},
		{"bin", "ibn", "ben"},
		{"abu", "abou", "abo"},
		{"qaddafi", "gaddafi", "kadhafi", "qadhafi", "gadhafi", "kaddafi", "qadafi", "gadafi"},
		{"mustafa", "mustapha", "moustafa", "mostafa", "moustapha"},
		{"khalid", "khaled"},
		{"said", "saeed", "saed", "saiid", "sayed", "sayyid", "sayid", "seyed", "seyyed"},
		{"ibrahim", "ebrahim", "ibraheem"},
		{"abdullah", "abdallah", "abdulla", "abdellah"},
		{"mahmud", "mahmoud", "mahmood"},
		{"nasir", "nasser", "naser", "nacer"},
		{"qasim", "kassem", "qassem", "kasim", "qassim", "kasem"},
		{"jafar", "jaafar", "djafar"},
		{"zayd", "zaid", "zeid"},
		{"faysal", "faisal", "feisal", "faycal"},
		{"yahya", "yahia", "yehia"},
		{"isa", "issa", "eisa"},
		{"musa", "moussa", "mousa", "mussa"},
		{"salih", "saleh", "salah"},
		{"ali", "aly"},
		{"rahman", "rehman", "rakhman"},
		{"rahim", "raheem", "rakhim"},
		{"karim", "kareem", "karem"},
		{"hamid", "hameed"},
		{"majid", "majeed", "madjid"},
		{"rashid", "rasheed", "rachid"},
		{"walid", "waleed", "oualid"},
		{"ayman", "aiman", "eiman"},
		{"jamal", "gamal", "djamel", "jamel"},
		{"amin", "ameen", "emin"},
		{"nur", "noor", "nour"},
		{"tahir", "taher"},
		{"shakir", "shaker"},
		{"bakr", "bakir", "bekir"},
		{"ayyub", "ayub", "ayoub", "eyup"},
		{"sulayman", "sulaiman", "suleiman", "soliman", "sulejman", "suleyman"},
		{"haydar", "haidar", "hyder", "heydar"},
		{"mansur", "mansour", "mansoor"},
		{"habib", "habeeb"},
		{"aziz", "azeez"},
		{"latif", "lateef"},
		{"sharif", "sherif", "shareef"},
		{"fatima", "fatma", "fatimah"},
		{"aisha", "aysha", "aicha", "ayesha"},
		{"zaynab", "zainab", "zeinab"},
		// Numbers, ordinals and abbreviations written out
		{"one", "1"}, {"two", "2"}, {"three", "3"}, {"four", "4"}, {"five", "5"},
		{"six", "6"}, {"seven", "7"}, {"eight", "8"}, {"nine", "9"}, {"ten", "10"},
		{"first", "1st"}, {"second", "2nd"}, {"third", "3rd"}, {"fourth", "4th"}, {"fifth", "5th"},
		{"international", "intl", "internatonal"}, {"brothers", "bros"}, {"saint", "st"},
		{"mount", "mt"}, {"company", "co", "compagnie", "compania", "companhia"},
		{"corporation", "corp"}, {"incorporated", "inc"}, {"association", "assn", "assoc"},
		{"organisation", "organization"}, {"centre", "center"}, {"department", "dept"},
		// Russian given names with several English spellings (their forms
		// in other languages are nameEquivalents)
		{"aleksandr", "alexander", "alexandr", "aleksander"},
		{"aleksey", "alexey", "alexei", "aleksei"},
		{"andrey", "andrei", "andrej"},
		{"nikolay", "nikolai", "nicolai", "nikolaj"},
		{"mikhail", "michail", "mihail"},
		{"yevgeniy", "evgeny", "evgeniy", "yevgeny", "evgenii"},
		{"fyodor", "fedor", "fiodor", "feodor"},
		{"pyotr", "petr", "piotr"},
		{"yelena", "elena", "jelena"},
		{"yekaterina", "ekaterina", "katerina"},
		{"natalya", "natalia", "nataliya"},
		{"yuriy", "yuri", "yury", "iurii", "jurij"},
		{"sergey", "sergei", "sergej", "serguei"},
		{"vasiliy", "vasily", "vasilii", "vassily"},
		{"valeriy", "valery", "valerii"},
		{"gennadiy", "gennady", "gennadii"},
		{"anatoliy", "anatoly", "anatolii"},
		{"arkadiy", "arkady", "arkadii"},
		{"ilya", "ilia", "ilja"},
	}
	m := map[string]string{}
	for _, g := range groups {
		for _, w := range g {
			m[w] = "=" + g[0] // "=" keeps variants apart from RomanKey's own output
		}
	}
	return m
}()

// nameEquivalents groups the forms of one given name across languages and
// its usual short forms ("John", "Juan", "Ivan", "Sean"; "Michael",
// "Mike", "Miguel"). They are other names of the same origin, not
// spellings of one name: a person called Juan is seldom listed as John,
// and "Sean" is not "Ian". So they count as equivalent, less alike than
// spelling variants (equivalentSimilarity), and two names that agree only
// in such words do not match (see matchWords).
var nameEquivalents = func() map[string]string {
	groups := [][]string{
		{"aleksandr", "alexander", "alexandr", "aleksander"},
		{"aleksey", "alexey", "alexei", "aleksei"},
		{"andrey", "andrei", "andrej", "andrew", "andres", "andreas", "andrzej", "andy"},
		{"nikolay", "nikolai", "nicolai", "nikolaj", "nicholas", "nicolas", "nikolaos", "nicola", "niccolo"},
		{"mikhail", "michail", "mihail", "michael", "mike", "michel", "miguel", "mikael", "michal"},
		{"yevgeniy", "evgeny", "evgeniy", "yevgeny", "evgenii", "eugene"},
		{"fyodor", "fedor", "fiodor", "theodore", "theodor", "ted", "teddy", "teodoro", "feodor"},
		{"pyotr", "petr", "piotr", "peter", "pedro", "pierre", "pietro"},
		{"yelena", "elena", "jelena", "helen", "helena"},
		{"yekaterina", "ekaterina", "katerina", "catherine", "katherine", "katarina", "caterina", "catalina"},
		{"natalya", "natalia", "nataliya", "natalie", "nathalie"},
		{"john", "juan", "jean", "johann", "johannes", "johan", "giovanni", "joao", "ivan", "ioannis", "ian", "sean"},
		{"william", "bill", "billy", "wilhelm", "guillaume", "guillermo", "willem"},
		{"robert", "bob", "bobby", "roberto"},
		{"richard", "rick", "ricardo", "riccardo"},
		{"james", "jim", "jimmy", "jaime"},
		{"joseph", "joe", "jose", "josef", "giuseppe", "iosif"},
		{"george", "georg", "jorge", "giorgio", "georgiy", "georgy"},
		{"paul", "pablo", "paolo", "pavel", "paulo"},
		{"stephen", "steven", "steve", "stefan", "stepan", "esteban", "stephane"},
		{"charles", "carlos", "karl", "carl", "carlo"},
		{"henry", "henri", "heinrich", "enrique", "enrico"},
		{"francis", "francisco", "francesco", "franz", "francois", "frantisek"},
		{"benjamin", "binyamin", "benyamin", "veniamin"},
		{"edward", "eduard", "eduardo", "edouard"},
		{"anthony", "antonio", "anton", "antoine", "tony"},
		{"thomas", "tom", "tomas", "tomasz", "tommaso"},
		{"daniel", "daniil", "danilo"},
	}
	m := map[string]string{}
	for _, g := range groups {
		for _, w := range g {
			m[w] = g[0]
		}
	}
	return m
}()

// equivalentSimilarity is the similarity of two forms of one given name in
// different languages, or of a name and its short form (nameEquivalents).
const equivalentSimilarity = 0.85

// equivalent reports whether two words are forms of one given name
// (nameEquivalents).
func equivalent(a, b string) bool {
	ga, ok := nameEquivalents[a]
	return ok && ga == nameEquivalents[b]
}

// equivalentsOf returns the forms nameEquivalents joins with w, w among them.
func equivalentsOf(w string) []string {
	g, ok := nameEquivalents[w]
	if !ok {
		return nil
	}
	return equivalentGroups[g]
}

var equivalentGroups = func() map[string][]string {
	m := map[string][]string{}
	for w, g := range nameEquivalents {
		m[g] = append(m[g], w)
	}
	for _, g := range m {
		sort.Strings(g)
	}
	return m
}()

// variantsOf returns the spellings nameVariants joins with w (w among them).
func variantsOf(w string) []string {
	k, ok := nameVariants[w]
	if !ok {
		return nil
	}
	return variantGroups[k]
}

// variantGroups maps a nameVariants key to its spellings.
var variantGroups = func() map[string][]string {
	m := map[string][]string{}
	for w, k := range nameVariants {
		m[k] = append(m[k], w)
	}
	for _, g := range m {
		sort.Strings(g) // map order must not decide candidate order
	}
	return m
}()

// Scripts Fold leaves as they are (or would damage: NFKD strips the voicing
// marks of kana, and Devanagari vowel signs are not letters) are romanised
// for screening only, before Fold, so that "Բարակ Օբամա", "ბარაკ ობამა",
// "バラク・オバマ" and "नरेन्द्र मोदी" meet their Latin spellings. The
// tables follow the usual English-language romanisations (Armenian and
// Georgian BGN/PCGN, Hepburn for kana, a simplified Hunterian scheme for
// Devanagari); they are not exhaustive, and words of other scripts stay
// as they are. Index keys (NameTokens) are not affected.

// screenRomanize returns name with Armenian, Georgian, kana and Devanagari
// letters romanised; a name without them is returned as is.
func screenRomanize(name string) string {
	if graph.IsASCII(name) {
		return name
	}
	has := false
	for _, r := range name {
		if romanScript(r) {
			has = true
			break
		}
	}
	if !has {
		return name
	}
	rs := []rune(name)
	var b strings.Builder
	b.Grow(len(name) + 8)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r >= 0x0900 && r <= 0x097F && devanagari[r].kind != 0:
			i = romanizeDevanagari(rs, i, &b)
		case (r >= 0x3041 && r <= 0x3096) || (r >= 0x30A1 && r <= 0x30FC && r != 0x30FB):
			i = romanizeKana(rs, i, &b)
		case r == 'ո' || r == 'Ո':
			if i+1 < len(rs) && (rs[i+1] == 'ւ' || rs[i+1] == 'Ւ') {
				b.WriteString("u") // Armenian "ու" is u
				i += 2
				continue
			}
			b.WriteString("o")
			i++
		case isArabicLetter(r) || (r == 0x200C && i > 0 && isArabicLetter(rs[i-1])):
			// Waw and ya are consonants at the start of a word and long
			// vowels elsewhere; a zero-width non-joiner inside a Persian
			// word joins.
			start := i == 0 || !isArabicLetter(rs[i-1])
			switch {
			case r == 'و' && start:
				b.WriteString("w")
			case (r == 'ي' || r == 'ی') && start:
				b.WriteString("y")
			default:
				if t, ok := arabicTranslit[r]; ok {
					b.WriteString(t)
				} else if !unicode.Is(unicode.Mn, r) && r != 0x200C {
					b.WriteRune(r)
				}
			}
			i++
		case tableScript(r):
			j := i + 1
			for j < len(rs) && (tableScript(rs[j]) || rs[j] == 0x200C || rs[j] == 0x200D) {
				j++
			}
			b.WriteString(unidecode.Unidecode(string(rs[i:j])))
			i = j
		default:
			if t, ok := scriptTranslit[r]; ok {
				b.WriteString(t)
			} else {
				b.WriteRune(r)
			}
			i++
		}
	}
	return b.String()
}

func romanScript(r rune) bool {
	return (r >= 0x0531 && r <= 0x0587) || (r >= 0x10A0 && r <= 0x10FF) ||
		(r >= 0x3041 && r <= 0x30FC) || (r >= 0x0900 && r <= 0x097F) || isArabicLetter(r) || tableScript(r)
}

// tableScript reports whether r is of a script romanised by the Unidecode
// tables (github.com/mozillazg/go-unidecode): Hebrew, Syriac, Thaana, the
// Indic scripts after Devanagari (Bengali to Sinhala), Thai, Lao,
// Tibetan, Myanmar, Ethiopic, Khmer and Mongolian. Fold would keep their
// letters but split words at their vowel signs and drop others. Chinese
// characters and Hangul are left as they are: one sign is a syllable,
// and the tables' readings (Mandarin for every Han character) would make
// different names one ("高市" and "高石" both "gao shi").
func tableScript(r rune) bool {
	return (r >= 0x0590 && r <= 0x05FF) || (r >= 0x0700 && r <= 0x07BF) || (r >= 0x0980 && r <= 0x0DFF) ||
		(r >= 0x0E00 && r <= 0x0FFF) || (r >= 0x1000 && r <= 0x109F) || (r >= 0x1200 && r <= 0x139F) ||
		(r >= 0x1780 && r <= 0x18AF)
}

// isArabicLetter reports whether r is a letter or mark of the Arabic
// script (Arabic, Persian, Urdu).
func isArabicLetter(r rune) bool { return r >= 0x0600 && r <= 0x06FF }

// hasAbjad reports whether a name is written (in part) in the Arabic
// script, which leaves short vowels out: its romanisation ("frnandu" for
// "فرناندو") is compared with Latin words by their consonants.
func hasAbjad(name string) bool {
	for _, r := range name {
		if isArabicLetter(r) || r >= 0x05D0 && r <= 0x05EA { // Arabic or Hebrew letters
			return true
		}
	}
	return false
}

// scriptTranslit romanises Armenian and Georgian letters.
var scriptTranslit = func() map[rune]string {
	m := map[rune]string{}
	// Armenian lower case from U+0561; upper case is 0x30 below.
	arm := []string{"a", "b", "g", "d", "e", "z", "e", "y", "t", "zh", "i", "l", "kh", "ts", "k", "h",
		"dz", "gh", "ch", "m", "y", "n", "sh", "o", "ch", "p", "j", "r", "s", "v", "t", "r", "ts",
		"w", "p", "k", "o", "f"}
	for i, s := range arm {
		m[rune(0x0561+i)] = s
		m[rune(0x0531+i)] = s
	}
	m['և'] = "ev"
	// Georgian Mkhedruli from U+10D0 (ა) to U+10F0 (ჰ).
	geo := []string{"a", "b", "g", "d", "e", "v", "z", "t", "i", "k", "l", "m", "n", "o", "p", "zh",
		"r", "s", "t", "u", "p", "k", "gh", "q", "sh", "ch", "ts", "dz", "ts", "ch", "kh", "j", "h"}
	for i, s := range geo {
		m[rune(0x10D0+i)] = s
	}
	return m
}()

// arabicTranslit romanises the letters of the Arabic script (with the
// Persian and Urdu ones) in a simple English-language transcription; the
// short-vowel marks are dropped.
var arabicTranslit = map[rune]string{
	'ا': "a", 'أ': "a", 'إ': "i", 'آ': "a", 'ٱ': "a", 'ب': "b", 'ت': "t", 'ث': "th", 'ج': "j",
	'ح': "h", 'خ': "kh", 'د': "d", 'ذ': "dh", 'ر': "r", 'ز': "z", 'س': "s", 'ش': "sh", 'ص': "s",
	'ض': "d", 'ط': "t", 'ظ': "z", 'ع': "a", 'غ': "gh", 'ف': "f", 'ق': "q", 'ك': "k", 'ل': "l",
	'م': "m", 'ن': "n", 'ه': "h", 'و': "u", 'ي': "i", 'ى': "a", 'ة': "a", 'ء': "", 'ئ': "i",
	'ؤ': "u", 'پ': "p", 'چ': "ch", 'ژ': "zh", 'گ': "g", 'ک': "k", 'ی': "i", 'ے': "e", 'ٹ': "t",
	'ڈ': "d", 'ڑ': "r", 'ں': "n", 'ھ': "h", 'ۃ': "a", 'ـ': "",
}

// kanaSyllables romanises katakana (hiragana is mapped to katakana first),
// in Hepburn.
var kanaSyllables = func() map[rune]string {
	m := map[rune]string{}
	rows := []struct {
		from rune
		syl  []string
	}{
		{'ァ', []string{"a", "a", "i", "i", "u", "u", "e", "e", "o", "o",
			"ka", "ga", "ki", "gi", "ku", "gu", "ke", "ge", "ko", "go",
			"sa", "za", "shi", "ji", "su", "zu", "se", "ze", "so", "zo",
			"ta", "da", "chi", "ji", "", "tsu", "zu", "te", "de", "to", "do",
			"na", "ni", "nu", "ne", "no",
			"ha", "ba", "pa", "hi", "bi", "pi", "fu", "bu", "pu", "he", "be", "pe", "ho", "bo", "po",
			"ma", "mi", "mu", "me", "mo", "ya", "ya", "yu", "yu", "yo", "yo",
			"ra", "ri", "ru", "re", "ro", "wa", "wa", "i", "e", "o", "n", "vu"}},
	}
	for _, row := range rows {
		for i, s := range row.syl {
			m[row.from+rune(i)] = s
		}
	}
	return m
}()

// romanizeKana writes the kana run starting at rs[i] and returns the index
// after it. Small ya/yu/yo and small vowels merge with the syllable before
// ("キャ" kya, "ファ" fa), a small tsu doubles the next consonant and the
// long-vowel mark is dropped.
func romanizeKana(rs []rune, i int, b *strings.Builder) int {
	var out []byte
	double := false
	for ; i < len(rs); i++ {
		r := rs[i]
		if r >= 0x3041 && r <= 0x3096 {
			r += 0x60 // hiragana to katakana
		} else if !(r >= 0x30A1 && r <= 0x30FC) || r == 0x30FB {
			break
		}
		switch r {
		case 'ー':
			continue
		case 'ッ':
			double = true
			continue
		case 'ャ', 'ュ', 'ョ', 'ァ', 'ィ', 'ゥ', 'ェ', 'ォ':
			s := kanaSyllables[r]
			if n := len(out); n > 0 && strings.IndexByte("aiueo", out[n-1]) >= 0 {
				out = out[:n-1]
				if (r == 'ャ' || r == 'ュ' || r == 'ョ') && n >= 2 && ((n >= 3 && out[n-2] == 'h') || out[n-2] == 'j') {
					s = s[1:] // "シャ" sha, "ジョ" jo
				}
			}
			out = append(out, s...)
			continue
		}
		s := kanaSyllables[r]
		if double && s != "" {
			out = append(out, s[0])
		}
		double = false
		out = append(out, s...)
	}
	b.Write(out)
	return i
}

// devanagari maps consonants (with their inherent a left off), independent
// vowels, vowel signs and other signs. Signs are tagged: 'v' vowel sign,
// 'k' virama, 'c' consonant, 'i' independent vowel, 's' other sign.
var devanagari = func() map[rune]struct {
	s    string
	kind byte
} {
	type e = struct {
		s    string
		kind byte
	}
	m := map[rune]e{}
	cons := []string{"k", "kh", "g", "gh", "n", "ch", "chh", "j", "jh", "n", "t", "th", "d", "dh", "n",
		"t", "th", "d", "dh", "n", "n", "p", "ph", "b", "bh", "m", "y", "r", "r", "l", "l", "l", "v",
		"sh", "sh", "s", "h"}
	for i, s := range cons {
		m[rune(0x0915+i)] = e{s, 'c'}
	}
	ind := []string{"a", "a", "i", "i", "u", "u", "ri", "li", "e", "e", "e", "ai", "o", "o", "o", "au"}
	for i, s := range ind {
		m[rune(0x0905+i)] = e{s, 'i'}
	}
	signs := []string{"a", "i", "i", "u", "u", "ri", "ri", "e", "e", "e", "ai", "o", "o", "o", "au"}
	for i, s := range signs {
		m[rune(0x093E+i)] = e{s, 'v'}
	}
	m[0x094D] = e{"", 'k'}
	m[0x0901], m[0x0902], m[0x0903] = e{"n", 's'}, e{"n", 's'}, e{"h", 's'}
	m[0x093C] = e{"", 'n'} // nukta
	return m
}()

// romanizeDevanagari writes the Devanagari run starting at rs[i] and
// returns the index after it. A consonant carries an inherent a unless a
// vowel sign or virama follows; a word's last inherent a is dropped after a
// lone consonant (Hindi "मोदी" modi, "राम" ram) and kept after a cluster
// ("नरेन्द्र" narendra).
func romanizeDevanagari(rs []rune, i int, b *strings.Builder) int {
	pending, cluster := false, false
	flush := func(end bool) {
		if pending && (!end || cluster) {
			b.WriteByte('a')
		}
		pending = false
	}
	for ; i < len(rs); i++ {
		d, ok := devanagari[rs[i]]
		if !ok {
			break
		}
		switch d.kind {
		case 'c':
			cl := pending == false && cluster
			flush(false)
			b.WriteString(d.s)
			pending, cluster = true, cl
		case 'k':
			pending, cluster = false, true
		case 'v':
			pending, cluster = false, false
			b.WriteString(d.s)
		case 'n':
		default:
			flush(false)
			cluster = false
			b.WriteString(d.s)
		}
	}
	flush(true)
	return i
}

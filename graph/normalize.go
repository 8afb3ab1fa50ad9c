package graph

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold reduces a name to lower-case ASCII-ish words separated by single
// spaces: accents are stripped (NFKD, then marks removed), Cyrillic and
// Greek are transliterated to Latin, "&" becomes "and", apostrophes vanish
// ("People's" -> "peoples") and other punctuation separates words.
func Fold(s string) string {
	if isPlainASCII(s) {
		return foldASCII(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	space := true // suppress leading space
	emit := func(str string) {
		for i := 0; i < len(str); i++ {
			c := str[i]
			if c == ' ' {
				if !space {
					b.WriteByte(' ')
					space = true
				}
				continue
			}
			b.WriteByte(c)
			space = false
		}
	}
	var dec []byte
	for _, r := range s {
		// Transliterate before decomposing: NFKD would split "й" into
		// "и" and a breve and lose the letter.
		if t, ok := translit[r]; ok {
			emit(t)
			continue
		}
		if r < utf8.RuneSelf {
			emit(asciiFold[r])
			continue
		}
		dec = norm.NFKD.AppendString(dec[:0], string(r))
		for _, d := range string(dec) {
			switch {
			case unicode.Is(unicode.Mn, d):
			case d < utf8.RuneSelf:
				emit(asciiFold[d])
			default:
				if t, ok := translit[d]; ok {
					emit(t)
				} else if unicode.IsLetter(d) || unicode.IsDigit(d) {
					emit(string(unicode.ToLower(d)))
				} else if d == '’' || d == '‘' || d == 'ʼ' || d == 'ʻ' || d == '´' {
					continue
				} else {
					emit(" ")
				}
			}
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// IsASCII reports whether s holds only ASCII bytes.
func IsASCII(s string) bool { return isPlainASCII(s) }

func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func foldASCII(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for i := 0; i < len(s); i++ {
		t := asciiFold[s[i]]
		for j := 0; j < len(t); j++ {
			if t[j] == ' ' {
				if !space {
					b.WriteByte(' ')
					space = true
				}
				continue
			}
			b.WriteByte(t[j])
			space = false
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// asciiFold maps each ASCII byte to what Fold emits for it.
var asciiFold = func() (t [utf8.RuneSelf]string) {
	for c := 0; c < utf8.RuneSelf; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			t[c] = string(rune(c))
		case c >= 'A' && c <= 'Z':
			t[c] = string(rune(c + 'a' - 'A'))
		case c == '\'' || c == '`':
			t[c] = ""
		case c == '&':
			t[c] = " and "
		default:
			t[c] = " "
		}
	}
	return t
}()

// translit maps letters NFKD leaves intact to Latin. Cyrillic follows the
// common English-language (BGN/PCGN-like) romanisation that sanctions lists use.
var translit = map[rune]string{
	'ß': "ss", 'æ': "ae", 'Æ': "ae", 'ø': "o", 'Ø': "o", 'œ': "oe", 'Œ': "oe",
	'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'ł': "l", 'Ł': "l",
	'ı': "i", 'ħ': "h", 'Ħ': "h", 'ŀ': "l", 'ĸ': "k", 'ſ': "s",
	// Cyrillic
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh",
	'з': "z", 'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts",
	'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu",
	'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g", 'ў': "u", 'ј': "j", 'љ': "lj",
	'њ': "nj", 'ћ': "c", 'ђ': "dj", 'џ': "dz", 'ѓ': "gj", 'ќ': "kj", 'ѕ': "dz",
	'А': "a", 'Б': "b", 'В': "v", 'Г': "g", 'Д': "d", 'Е': "e", 'Ё': "e", 'Ж': "zh",
	'З': "z", 'И': "i", 'Й': "y", 'К': "k", 'Л': "l", 'М': "m", 'Н': "n", 'О': "o",
	'П': "p", 'Р': "r", 'С': "s", 'Т': "t", 'У': "u", 'Ф': "f", 'Х': "kh", 'Ц': "ts",
	'Ч': "ch", 'Ш': "sh", 'Щ': "shch", 'Ъ': "", 'Ы': "y", 'Ь': "", 'Э': "e", 'Ю': "yu",
	'Я': "ya", 'І': "i", 'Ї': "yi", 'Є': "ye", 'Ґ': "g", 'Ў': "u", 'Ј': "j",
	// Greek
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th",
	'ι': "i", 'κ': "k", 'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p",
	'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t", 'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
	'Α': "a", 'Β': "v", 'Γ': "g", 'Δ': "d", 'Ε': "e", 'Ζ': "z", 'Η': "i", 'Θ': "th",
	'Ι': "i", 'Κ': "k", 'Λ': "l", 'Μ': "m", 'Ν': "n", 'Ξ': "x", 'Ο': "o", 'Π': "p",
	'Ρ': "r", 'Σ': "s", 'Τ': "t", 'Υ': "y", 'Φ': "f", 'Χ': "ch", 'Ψ': "ps", 'Ω': "o",
}

// nameStopwords are left out of name keys (unless nothing else is left).
var nameStopwords = map[string]bool{"the": true, "of": true, "and": true}

// IsNameStopword reports whether a folded word is one that name keys
// leave out ("the", "of", "and").
func IsNameStopword(w string) bool { return nameStopwords[w] }

// NameTokens returns the words of a name after Fold, without legal-form words
// and the stopwords "the", "of" and "and" (unless nothing else is left).
func NameTokens(name string) []string {
	toks := strings.Fields(Fold(name))
	kept := make([]string, 0, len(toks))
	for i := 0; i < len(toks); {
		if n, _ := LegalFormAt(toks[i:], true); n > 0 {
			i += n
			continue
		}
		if !nameStopwords[toks[i]] {
			kept = append(kept, toks[i])
		}
		i++
	}
	if len(kept) == 0 {
		return toks
	}
	return kept
}

// NameKey returns the index form of a name: NameTokens sorted and joined by
// single spaces, so that case, accents, punctuation, word order and legal
// forms do not matter. "PUTIN, Vladimir" and "Vladimir Putin" share a key.
func NameKey(name string) string {
	t := NameTokens(name)
	sort.Strings(t)
	return strings.Join(t, " ")
}

// IdentifierKey returns the index form of an identifier: upper-case letters
// and digits only ("FTBD KP PY" and "ftbdkppy" share a key).
func IdentifierKey(v string) string {
	f := Fold(v)
	b := make([]byte, 0, len(f))
	for i := 0; i < len(f); i++ {
		c := f[i]
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case c >= '0' && c <= '9':
			b = append(b, c)
		case c >= utf8.RuneSelf:
			b = append(b, c) // non-Latin scripts stay as they are
		}
	}
	return string(b)
}

// NameKeys returns the distinct non-empty NameKeys of an entity's names,
// in the order of Names.
func NameKeys(e *Entity) []string {
	var out []string
	seen := map[string]bool{}
	for _, n := range e.Names() {
		if k := NameKey(n); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// WordDistance returns the optimal string alignment distance between two
// byte strings: insertions, deletions, substitutions and swaps of adjacent
// letters each cost one. Screening and the merge rules compare words with it.
func WordDistance(a, b string) int {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return max(la, lb)
	}
	var buf [3 * 65]int
	var rows []int
	if lb+1 <= 65 {
		rows = buf[:3*(lb+1)]
	} else {
		rows = make([]int, 3*(lb+1))
	}
	pp, prev, cur := rows[:lb+1], rows[lb+1:2*(lb+1)], rows[2*(lb+1):]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], pp[j-2]+1)
			}
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[lb]
}

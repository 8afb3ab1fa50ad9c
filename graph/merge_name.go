package graph

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Names, legal forms and places as the merge rules compare them.

// unRefRE matches a UN Security Council reference number: "KPe.047",
// "QDi.299".
var unRefRE = regexp.MustCompile(`^[A-Z]{2}[EI]\.\d{3}$`)

// mergeName is a strong name of a record (name, alias or former name; not
// a weak alias) as compared.
type mergeName struct {
	text  string   // as the list writes it
	key   string   // NameKey
	words int      // words in the key
	forms []string // legal-form classes it states ("stock", "llc")
}

// strongNames returns the record's names, aliases and former names (not
// weak aliases), each NameKey once.
func strongNames(e *Entity) []mergeName {
	var out []mergeName
	seen := map[string]bool{}
	for _, p := range []string{"name", "alias", "previousName"} {
		for _, n := range e.Props[p] {
			k := NameKey(n)
			if k == "" || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, mergeName{text: n, key: k, words: strings.Count(k, " ") + 1, forms: formClasses(n)})
		}
	}
	return out
}

// formClasses returns the classes of the legal forms a name (or a
// legalForm value) states, wherever they stand in it: "JOINT STOCK COMPANY
// RADIOZAVOD" gives "stock", "LLC CST (Zala Aero Group)" "llc". Forms
// without a class ("Co", "Corp") are left out: they say too little.
func formClasses(name string) []string {
	toks := strings.Fields(Fold(name))
	var out []string
	for i := 0; i < len(toks); {
		n, class := LegalFormAt(toks[i:], false)
		if n == 0 {
			i++
			continue
		}
		if class != "" && !containsString(out, class) {
			out = append(out, class)
		}
		i += n
	}
	return out
}

// recordForms returns the legal-form classes of a record's name and
// aliases and of its legalForm property (former names are left out: a
// company may have changed its form).
func recordForms(e *Entity) []string {
	var out []string
	for _, p := range []string{"name", "alias", "legalForm"} {
		for _, n := range e.Props[p] {
			for _, c := range formClasses(n) {
				if !containsString(out, c) {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// nameWords returns the distinct words of three letters or more of all
// the entity's names (weak aliases too), without legal forms.
func nameWords(e *Entity) map[string]bool {
	out := map[string]bool{}
	for _, n := range e.Names() {
		for _, t := range NameTokens(n) {
			if len(t) >= 3 && !IsLegalForm(t, false) {
				out[t] = true
			}
		}
	}
	return out
}

// sharedWords returns the name words a and b share, sorted.
func sharedWords(a, b *MergeView) []string {
	var out []string
	for w := range a.words {
		if b.words[w] {
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out
}

// partyCountries returns the record's countries (Countries) and the
// countries its addresses name as one of their comma-separated parts
// ("Russian Federation, 454085, Chelyabinsk region, ...").
func partyCountries(e *Entity) []string {
	out := e.Countries()
	for _, a := range e.Addresses() {
		for _, part := range strings.Split(a, ",") {
			part = strings.TrimSpace(part)
			if len(part) < 4 {
				continue // "UR" is the Udmurt Republic, not a country code
			}
			if c := CountryCode(part); c != "" && !containsString(out, c) {
				out = append(out, c)
			}
		}
		if c := CountryOfAddress(a); c != "" && !containsString(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// addressWords are words of addresses that name no place: kinds of
// street, building, region, and (countryWords) words of country names.
var addressWords = map[string]bool{}

var countryWordsOnce sync.Once

// countryWords adds the words of every country name and spelling the
// country table knows ("korea", "democratic", "federation") to
// addressWords: a country is not the place two addresses share.
func countryWords() {
	countriesOnce.Do(loadCountries)
	for name := range countryByName {
		for _, w := range strings.Fields(name) {
			addressWords[w] = true
		}
	}
}

func init() {
	for _, w := range strings.Fields(`street str ulitsa ulica prospekt prospect avenue road lane pereulok drive
		square ploshchad highway shosse embankment naberezhnaya boulevard bulvar proezd passage building bldg block
		floor office room suite house apartment premises pomeshchenie pomeshch stroenie korpus litera letter lit
		district rayon raion region oblast krai kray republic province city town village municipal municipality
		intracity territory federation area zone industrial free trade center centre business tower plaza park north
		south east west central first second third kilometer unit level post number settlement selo poselok gorod
		okrug autonomous state county ward the and with near opposite behind next floors offices rooms premise
		estate mahallesi caddesi sokak sokagi mahalle cad sok kapi koyu plot sector phase main road dong`) {
		addressWords[w] = true
	}
}

// placeWords returns the place words (cities, streets: words of four
// letters or more that name no kind of street or region and no country)
// and postcodes (five or six digits) of addresses or places of birth.
func placeWords(texts []string) []string {
	countryWordsOnce.Do(countryWords)
	var out []string
	add := func(w string) {
		if !containsString(out, w) {
			out = append(out, w)
		}
	}
	for _, a := range texts {
		for _, w := range strings.Fields(strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return ' '
		}, Fold(a))) {
			switch {
			case allDigits(w):
				if len(w) == 5 || len(w) == 6 {
					add(w)
				}
			case len(w) < 4 || addressWords[w] || CountryCode(w) != "":
			default:
				add(w)
			}
		}
	}
	return out
}

// nameEvidence returns the name rule that says a and b are one party,
// and what agreed.
func nameEvidence(a, b *MergeView) (MergeEvidence, []string) {
	switch a.family {
	case "person":
		return personEvidence(a, b)
	case "organisation":
		return orgEvidence(a, b)
	}
	return MergeEvidence{}, nil
}

// sharedNames returns the pairs of names of a and b with one key (for
// organisations, only pairs whose legal forms do not differ), the most
// words first.
func sharedNames(a, b *MergeView) [][2]*mergeName {
	var out [][2]*mergeName
	for i := range a.names {
		for j := range b.names {
			x, y := &a.names[i], &b.names[j]
			if x.key != y.key {
				continue
			}
			if a.family == "organisation" && len(x.forms) > 0 && len(y.forms) > 0 && !intersects(x.forms, y.forms) {
				continue // "JSC X" and "LLC X": two companies
			}
			out = append(out, [2]*mergeName{x, y})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i][0].words > out[j][0].words })
	return out
}

// multiWord counts the distinct names of two words or more among pairs: a
// name whose words are all in another counted name is that name again
// ("FOREIGN TRADE BANK" split off "FOREIGN TRADE BANK (FTB)").
func multiWord(pairs [][2]*mergeName) int {
	var counted [][]string
	for _, p := range pairs { // the most words first
		if p[0].words < 2 {
			continue
		}
		w := strings.Fields(p[0].key)
		dup := false
		for _, c := range counted {
			dup = dup || wordsIn(w, c)
		}
		if !dup {
			counted = append(counted, w)
		}
	}
	return len(counted)
}

// wordsIn reports whether every word of a is in b.
func wordsIn(a, b []string) bool {
	for _, w := range a {
		if !containsString(b, w) {
			return false
		}
	}
	return true
}

// unListing returns a listing date the UN's record of a and b and the
// other record share (or one day apart: the EU's act may be dated the day
// before), "" if none. A list that transcribes the UN's designations
// gives them the UN's date of listing.
func unListing(a, b *MergeView) string {
	if a.un == b.un {
		return ""
	}
	for _, x := range a.listed {
		for _, y := range b.listed {
			if x == y || daysApart(x, y) == 1 {
				if a.un {
					return x
				}
				return y
			}
		}
	}
	return ""
}

// daysApart returns the days between two dates, -1 if either is not a
// full date.
func daysApart(a, b string) int {
	ta, err1 := time.Parse("2006-01-02", a)
	tb, err2 := time.Parse("2006-01-02", b)
	if err1 != nil || err2 != nil {
		return -1
	}
	d := int(ta.Sub(tb).Hours() / 24)
	if d < 0 {
		d = -d
	}
	return d
}

func quoteNames(p [2]*mergeName) string { return fmt.Sprintf("%q = %q", p[0].text, p[1].text) }

// personEvidence applies the person rules: a full name (two words or more)
// and
//
//   - the same birth date to the day ("name+birthDate"); here the shorter
//     name may lack words of the longer one or spell a word slightly
//     differently ("MEDVEDCHUK, Viktor" and "Viktor Volodymyrovych
//     MEDVEDCHUK", "Gennadievich" and "Gennadyevich");
//   - or the same birth year and a shared nationality, the same place of
//     birth, or a second name in common
//     ("name+birthYear+nationality", "...+birthPlace", "...+aliases");
//   - or, when one record states no birth date at all, enough else: two
//     names in common and a shared nationality or birthplace, three names
//     in common, or a name of three words or more with both nationality
//     and birthplace shared ("name+noBirthDate+...").
func personEvidence(a, b *MergeView) (MergeEvidence, []string) {
	shared := sharedNames(a, b)
	var agreed []string
	for _, p := range shared {
		if p[0].words >= 2 {
			agreed = append(agreed, "name "+quoteNames(p))
		}
	}
	nat := sharedString(a.nations, b.nations)
	places := sharedPlaces(a.birthPlaces, b.birthPlaces)
	if nat != "" {
		agreed = append(agreed, "nationality "+nat)
	}
	if len(places) > 0 {
		agreed = append(agreed, "birthplace "+strings.Join(places, ", "))
	}
	// The same day of birth: a name, even one missing words.
	for _, x := range a.births {
		for _, y := range b.births {
			if len(x) != 10 || x != y {
				continue
			}
			if len(shared) > 0 && shared[0][0].words >= 2 {
				return MergeEvidence{Rule: "name+birthDate", Detail: quoteNames(shared[0]) + " / " + x}, append(agreed, "birth date "+x)
			}
			if na, nb := fuzzyNames(a, b); na != "" {
				return MergeEvidence{Rule: "name+birthDate", Detail: fmt.Sprintf("%q ~ %q / %s", na, nb, x)},
					append(agreed, fmt.Sprintf("name %q ~ %q (the shorter's words all in the longer)", na, nb), "birth date "+x)
			}
		}
	}
	if len(shared) == 0 || shared[0][0].words < 2 {
		return MergeEvidence{}, agreed
	}
	names := quoteNames(shared[0])
	nShared := multiWord(shared)
	// The same year.
	for _, x := range a.births {
		for _, y := range b.births {
			if len(x) < 4 || len(y) < 4 || x[:4] != y[:4] || !birthCompatible(x, y) {
				continue
			}
			year := x[:4]
			agreed = append(agreed, "birth year "+year)
			switch {
			case nat != "":
				return MergeEvidence{Rule: "name+birthYear+nationality", Detail: names + " / " + year + " / " + nat}, agreed
			case len(places) > 0:
				return MergeEvidence{Rule: "name+birthYear+birthPlace", Detail: names + " / " + year + " / " + strings.Join(places, ", ")}, agreed
			case nShared >= 2:
				return MergeEvidence{Rule: "name+birthYear+aliases", Detail: fmt.Sprintf("%s / %s / %d names", names, year, nShared)}, agreed
			}
			return MergeEvidence{}, agreed
		}
	}
	// The UN's listing copied by another list, on the same day.
	if d := unListing(a, b); d != "" {
		return MergeEvidence{Rule: "name+unListingDate", Detail: names + " / listed " + d}, append(agreed, "listed by the UN and the other list on "+d)
	}
	// One record without a birth date.
	if (len(a.births) == 0) != (len(b.births) == 0) {
		switch {
		case nShared >= 2 && nat != "":
			return MergeEvidence{Rule: "name+noBirthDate+aliases", Detail: fmt.Sprintf("%s / %d names / %s", names, nShared, nat)}, agreed
		case nShared >= 2 && len(places) > 0:
			return MergeEvidence{Rule: "name+noBirthDate+aliases", Detail: fmt.Sprintf("%s / %d names / %s", names, nShared, strings.Join(places, ", "))}, agreed
		case nShared >= 3:
			return MergeEvidence{Rule: "name+noBirthDate+aliases", Detail: fmt.Sprintf("%s / %d names", names, nShared)}, agreed
		case shared[0][0].words >= 3 && nat != "" && len(places) > 0:
			return MergeEvidence{Rule: "name+noBirthDate+birthPlace", Detail: names + " / " + nat + " / " + strings.Join(places, ", ")}, agreed
		}
	}
	return MergeEvidence{}, agreed
}

// fuzzyNames returns a name of a and one of b of which the shorter (two
// words or more, one of four letters or more) has each word in the
// longer, or a word one or two letters apart ("gennadievich",
// "gennadyevich"); "" if none.
func fuzzyNames(a, b *MergeView) (string, string) {
	for _, x := range a.names {
		for _, y := range b.names {
			if fuzzySubset(x.key, y.key) {
				return x.text, y.text
			}
		}
	}
	return "", ""
}

func fuzzySubset(ka, kb string) bool {
	ta, tb := strings.Fields(ka), strings.Fields(kb)
	if len(ta) > len(tb) {
		ta, tb = tb, ta
	}
	if len(ta) < 2 {
		return false
	}
	long := false
	used := make([]bool, len(tb))
	for _, t := range ta {
		long = long || len(t) >= 4
		found := false
		for j, u := range tb {
			if !used[j] && (t == u || similarWord(t, u)) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return long
}

// similarWord reports whether two words of five letters or more that
// start alike are at most two edits apart (a swap of neighbours is one) (and less than a third of the
// shorter).
func similarWord(a, b string) bool {
	if len(a) < 5 || len(b) < 5 || a[0] != b[0] {
		return false
	}
	d := WordDistance(a, b)
	return d <= 2 && d*3 < min(len(a), len(b))
}

// sharedPlaces returns the place words two lists share.
func sharedPlaces(a, b []string) []string {
	var out []string
	for _, p := range a {
		if containsString(b, p) && !containsString(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// orgEvidence applies the organisation rules: the same name, whose legal
// forms do not differ, needs corroboration.
func orgEvidence(a, b *MergeView) (MergeEvidence, []string) {
	shared := sharedNames(a, b)
	if len(shared) == 0 {
		return MergeEvidence{}, nil
	}
	names := quoteNames(shared[0])
	agreed := []string{"name " + names}
	if len(a.forms) > 0 && len(b.forms) > 0 && !intersects(a.forms, b.forms) {
		// The names agree but the records' legal forms do not.
		return MergeEvidence{}, append(agreed, "but legal forms differ: "+strings.Join(a.forms, ", ")+" / "+strings.Join(b.forms, ", "))
	}
	country := sharedString(a.country, b.country)
	if country == "" && len(a.country) > 0 && len(b.country) > 0 {
		return MergeEvidence{}, agreed // countries apart
	}
	if country != "" {
		agreed = append(agreed, "country "+country)
	}
	var date, form string
	for _, x := range a.e.Props["incorporationDate"] {
		for _, y := range b.e.Props["incorporationDate"] {
			if date == "" && len(x) >= 4 && len(y) >= 4 && (strings.HasPrefix(x, y) || strings.HasPrefix(y, x)) {
				date = x
				if len(y) > len(x) {
					date = y
				}
			}
		}
	}
	places := sharedPlaces(a.places, b.places)
	for _, f := range a.forms {
		if form == "" && containsString(b.forms, f) {
			form = f
		}
	}
	// The corroborations, strongest first.
	type corr struct{ rule, what string }
	var cs []corr
	if date != "" {
		cs = append(cs, corr{"incorporationDate", "incorporation date " + date})
	}
	if len(places) > 0 {
		cs = append(cs, corr{"address", "place " + strings.Join(places, ", ")})
	}
	if d := unListing(a, b); d != "" {
		cs = append(cs, corr{"unListingDate", "listed by the UN and the other list on " + d})
	}
	if n := multiWord(shared); n >= 2 {
		cs = append(cs, corr{"aliases", fmt.Sprintf("%d names in common", n)})
	}
	apart := len(a.places) > 0 && len(b.places) > 0 && len(places) == 0
	if form != "" && !apart {
		// Two companies of one name and form in two cities are two
		// companies ("NPP Salyut" in Moscow and in Nizhny Novgorod).
		cs = append(cs, corr{"legalForm", "legal form " + form})
	}
	for _, c := range cs {
		agreed = append(agreed, c.what)
	}
	if len(cs) == 0 {
		return MergeEvidence{}, agreed
	}
	// A legal form alone does not make up for a missing country, nor
	// for a one-word name.
	strong := cs[0].rule != "legalForm"
	switch {
	case !strong && (country == "" || shared[0][0].words < 2):
		return MergeEvidence{}, agreed
	case shared[0][0].words < 2 && len(cs) < 2:
		return MergeEvidence{}, agreed
	}
	rule := "name+" + cs[0].rule
	what := cs[0].what
	if cs[0].rule == "address" && len(places) > 6 {
		// The detail is one line of 'merges'; agreed has them all.
		what = fmt.Sprintf("place %s, ... (%d words)", strings.Join(places[:6], ", "), len(places))
	}
	detail := names + " / " + what
	if country != "" {
		rule = "name+country+" + cs[0].rule
		detail = names + " / " + country + " / " + what
	}
	return MergeEvidence{Rule: rule, Detail: detail}, agreed
}

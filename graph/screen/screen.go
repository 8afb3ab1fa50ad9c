package screen

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Screening: "is this name on a list?". A query (a name, optionally a kind,
// a country, a birth date and identifiers) is compared with every name and
// alias of candidate entities; each hit has a score in [0,1] and an
// explanation of what matched.

// DefaultThreshold is the least score a hit must have unless the
// query sets its own threshold. It was chosen on the nomenklatura name
// benchmark (see screen_quality_test.go and the README).
const DefaultThreshold = 0.80

// Screening limits.
const (
	MaxResults     = 100
	DefaultResults = 10
	MaxNameLen     = 500
	MaxIdentifiers = 20
)

// Query asks whether a party is on a list.
type Query struct {
	Name        string
	Schema      string   // FtM schema (Person, Company, Organization, Vessel, ...); "" any
	Country     string   // a country code or name; raises or lowers the score
	BirthDate   string   // YYYY, YYYY-MM or YYYY-MM-DD; raises or lowers the score
	Identifiers []string // SWIFT/BIC, IMO, registration, passport numbers: an exact one is a certain match
	Threshold   float64  // 0: DefaultThreshold
	Limit       int      // 0: DefaultResults
}

// Hit is an entity that matches a screening query.
type Hit struct {
	ID        uuid.UUID
	Score     float64      // 0..1
	Matched   string       // the entity's name, alias or identifier that matched best
	Weak      bool         // Matched is a weak alias (a nickname, a single given name)
	NameScore float64      // the score of that name before country and birth date
	Tokens    []TokenMatch // how the words of the query and the matched name align
	Fields    []FieldMatch // identifiers, country, birth date, kind
}

// Result is the outcome of one screening query.
type Result struct {
	Hits []Hit
	// Candidates is the number of entities scored; Truncated is true when
	// the candidate bound cut the list before scoring.
	Candidates int
	Truncated  bool
}

// FieldMatch says how a field other than the name raised or lowered the score.
type FieldMatch struct {
	Field   string  // identifier, country, birthDate
	Query   string  // the query's value
	Value   string  // the entity's value that decided ("" if it has none)
	Outcome string  // match, partial, mismatch
	Effect  float64 // what it added to the score (negative: removed)
}

// Summary is a sentence explaining the hit.
func (h *Hit) Summary() string {
	var b strings.Builder
	if h.NameScore >= 1 && len(h.Fields) > 0 && h.Fields[0].Field == "identifier" && h.Fields[0].Outcome == "match" {
		fmt.Fprintf(&b, "identifier %s matches exactly", h.Fields[0].Value)
	} else {
		what := "name"
		if h.Weak {
			what = "weak alias"
		}
		fmt.Fprintf(&b, "%s %q scores %.2f", what, h.Matched, h.NameScore)
		var words []string
		for _, t := range h.Tokens {
			switch t.How {
			case "exact", "", "repeated":
			case "weak alias":
				words = append(words, "a weak alias alone is no match")
			case "particle":
				words = append(words, fmt.Sprintf("particle %s left over, not counted", t.Query+t.Name))
			case "legal form differs":
				words = append(words, fmt.Sprintf("legal form %s / %s differs", t.Query, t.Name))
			case "unmatched":
				if t.Query != "" {
					words = append(words, fmt.Sprintf("%s not in name", t.Query))
				}
			default:
				if strings.HasPrefix(t.How, "one-word name") {
					words = append(words, t.How)
					continue
				}
				words = append(words, fmt.Sprintf("%s~%s (%s)", t.Query, t.Name, t.How))
			}
		}
		if len(words) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(words, ", "))
		}
	}
	for _, f := range h.Fields {
		if f.Field == "identifier" {
			continue
		}
		fmt.Fprintf(&b, "; %s %s %s (%+.2f)", f.Field, f.Query, f.Outcome, f.Effect)
	}
	return b.String()
}

// Prepared is a validated Query with its name split into words.
type Prepared struct {
	Q     Query
	Words []string // Tokens of the name
	// indexWords are the name's words as the name index has them (NameTokens).
	indexWords []string
	// romanWords are the index words of its romanisation, for a name in a
	// script the index does not fold (nil otherwise).
	romanWords []string
	idKeys     []string
	country    string
	dob        dateParts
	schema     *graph.Schema
	compacts   string
	romanComp  string    // RomanKey(compacts)
	forms      []string  // classes of the legal forms the name carries
	abjad      bool      // the name is written in the Arabic script
	surname    []bool    // which of Words are the family name (surnames)
	sims       *simCache // word similarities computed for this query
}

// Prepare checks a query. Errors wrap ErrInvalid and name the field.
func Prepare(q Query) (*Prepared, error) {
	q.Name = strings.TrimSpace(q.Name)
	p := &Prepared{Q: q, sims: newSimCache()}
	if len(q.Name) > MaxNameLen {
		return nil, fmt.Errorf("%w: name: longer than %d bytes", graph.ErrInvalid, MaxNameLen)
	}
	if len(q.Identifiers) > MaxIdentifiers {
		return nil, fmt.Errorf("%w: identifiers: at most %d", graph.ErrInvalid, MaxIdentifiers)
	}
	for _, v := range q.Identifiers {
		k := graph.IdentifierKey(v)
		if len(k) < 4 {
			return nil, fmt.Errorf("%w: identifiers: %q has fewer than 4 letters or digits", graph.ErrInvalid, v)
		}
		p.idKeys = append(p.idKeys, k)
	}
	if q.Name != "" {
		p.Words, p.forms = screenParse(q.Name)
		p.surname = surnames(q.Name, p.Words)
		p.abjad = hasAbjad(q.Name)
		p.indexWords = graph.NameTokens(q.Name)
		// A name in a script the index does not fold (Arabic, Armenian,
		// Georgian, kana, Devanagari) is also looked up by its
		// romanisation, so that it finds the Latin names of the lists.
		if r := screenRomanize(q.Name); r != q.Name {
			p.romanWords = graph.NameTokens(r)
		}
	}
	if k := graph.IdentifierKey(q.Name); looksLikeIdentifier(q.Name, k) && !slices.Contains(p.idKeys, k) {
		// A name typed as an identifier ("FTBDKPPY", "IMO 9163540") is
		// looked up as one too.
		p.idKeys = append(p.idKeys, k)
	}
	if len(p.Words) == 0 && len(p.idKeys) == 0 {
		return nil, fmt.Errorf("%w: name: no letters or digits (give a name or an identifier)", graph.ErrInvalid)
	}
	p.compacts = compact(p.Words)
	p.romanComp = RomanKey(p.compacts)
	if q.Schema != "" {
		s, ok := graph.LookupSchema(q.Schema)
		if !ok {
			return nil, fmt.Errorf("%w: kind: unknown kind %q (Person, Company, Organization, Vessel, ...)", graph.ErrInvalid, q.Schema)
		}
		p.schema = s
	}
	if q.Country != "" {
		p.country = graph.CountryCode(q.Country)
		if p.country == "" {
			return nil, fmt.Errorf("%w: country: %q is not a country code or name", graph.ErrInvalid, q.Country)
		}
	}
	if q.BirthDate != "" {
		d, ok := parseDateParts(q.BirthDate)
		if !ok {
			return nil, fmt.Errorf("%w: birthDate: %q is not YYYY, YYYY-MM or YYYY-MM-DD", graph.ErrInvalid, q.BirthDate)
		}
		p.dob = d
	}
	if q.Threshold < 0 || q.Threshold > 1 || math.IsNaN(q.Threshold) {
		return nil, fmt.Errorf("%w: threshold: must be between 0 and 1", graph.ErrInvalid)
	}
	if q.Threshold == 0 {
		p.Q.Threshold = DefaultThreshold
	}
	if q.Limit < 0 || q.Limit > MaxResults {
		return nil, fmt.Errorf("%w: first: must be between 1 and %d", graph.ErrInvalid, MaxResults)
	}
	if q.Limit == 0 {
		p.Q.Limit = DefaultResults
	}
	return p, nil
}

// looksLikeIdentifier reports whether a name may be an identifier: one
// word (or "IMO 1234567"), of six letters and digits or more, with a digit,
// or written in capitals with the 8 or 11 letters of a SWIFT/BIC.
func looksLikeIdentifier(name, key string) bool {
	if len(key) < 6 || len(key) > 40 || strings.Count(strings.TrimSpace(name), " ") > 1 {
		return false
	}
	if strings.ContainsAny(key, "0123456789") {
		return true
	}
	return (len(key) == 8 || len(key) == 11) && name == strings.ToUpper(name) && !strings.Contains(name, " ")
}

// IdentifierKeys returns the index keys of the query's identifiers.
func (p *Prepared) IdentifierKeys() []string { return p.idKeys }

// KindFits reports whether an entity of schema name may be what the query
// asks for: the same schema, one extending it, or a more general one (a
// LegalEntity for a Company), but never a Person for a Company.
func (p *Prepared) KindFits(schema string) bool {
	if p.schema == nil {
		return true
	}
	s, ok := graph.LookupSchema(schema)
	if !ok {
		return schema == p.schema.Name
	}
	return s.Is(p.schema.Name) || p.schema.Is(s.Name)
}

// Screenable reports whether entities of a schema are screened: parties and
// things with names, not authorities, programmes, addresses, documents or
// relationships.
func Screenable(schema string) bool {
	s, ok := graph.LookupSchema(schema)
	if !ok {
		return schema != graph.SchemaAuthority && schema != graph.SchemaProgramme
	}
	if schema == graph.SchemaAuthority || schema == graph.SchemaProgramme {
		return false
	}
	return s.Is("LegalEntity") || s.Is("Vessel") || s.Is("Airplane") || s.Is("Asset")
}

// Score adjustments for fields other than the name.
const (
	countryMatchBonus  = 0.05
	countryMismatch    = -0.10
	dobExactBonus      = 0.10
	dobYearBonus       = 0.05
	dobCloseEffect     = -0.05
	dobMismatch        = -0.25
	lowInformationBits = 0.8 // a query whose words weigh less than this is scaled down
)

// Record is what screening compares of an entity, prepared once: its
// names as words with their romanisation keys, countries, birth dates and
// identifier keys. A store may cache it per stored record.
type Record struct {
	Schemas    []string // the entity's schema; for a merged party, each member's
	Names      []Name
	Countries  []string
	BirthDates []string
	IDs        []graph.Identifier
	idKeys     []string
}

// Name is one name of an entity prepared for comparison.
type Name struct {
	Name    string
	Weak    bool // a weak alias (FtM weakAlias)
	toks    []string
	surname []bool
	roman   []string
	abjad   bool     // written in the Arabic script
	kinds   []byte   // wordKind of each word
	forms   []string // classes of the legal forms the name carries
	compact string
	// romanComp is RomanKey(compact).
	romanComp string
}

// NewRecord prepares an entity for screening.
func NewRecord(e *graph.Entity) *Record {
	r := &Record{Schemas: []string{e.Schema}, Countries: e.Countries(), BirthDates: e.BirthDates(), IDs: e.Identifiers()}
	for _, x := range r.IDs {
		r.idKeys = append(r.idKeys, graph.IdentifierKey(x.Value))
	}
	// Weak aliases (a nickname, a single given name: OFAC's quoted
	// a.k.a.s, the UN's low-quality aliases) are names of their own kind:
	// a name that is also a strong one is strong.
	weak := map[string]bool{}
	for _, n := range e.WeakAliases() {
		weak[n] = true
	}
	seen := map[string]int{} // words and forms -> index in r.Names
	for _, full := range e.Names() {
		isWeak := weak[full]
		for _, n := range screenNames([]string{full}) {
			r.addName(n, isWeak, seen)
		}
	}
	return r
}

// addName adds a name unless a name of the same words and forms is there
// (which becomes strong if this one is).
func (r *Record) addName(n string, weak bool, seen map[string]int) {
	toks, forms := screenParse(n)
	key := strings.Join(toks, " ") + "|" + strings.Join(forms, " ")
	if len(toks) == 0 {
		return
	}
	if i, ok := seen[key]; ok {
		r.Names[i].Weak = r.Names[i].Weak && weak
		return
	}
	seen[key] = len(r.Names)
	sn := Name{Name: n, Weak: weak, toks: toks, surname: surnames(n, toks), roman: make([]string, len(toks)), kinds: make([]byte, len(toks)), forms: forms, compact: compact(toks), abjad: hasAbjad(n)}
	sn.romanComp = RomanKey(sn.compact)
	for i, t := range toks {
		sn.roman[i] = RomanKey(t)
		sn.kinds[i] = wordKind(t)
	}
	r.Names = append(r.Names, sn)
}

// screenNames returns names, and for a name that lists alternatives
// separated by slashes ("Al-Qa'ida/Islamic Army"), each alternative as
// well. Only parts of four letters or more split a name, so that "A/S" or
// "S/O" stay as they are.
func screenNames(names []string) []string {
	out := names
	for _, n := range names {
		if !strings.Contains(n, "/") {
			continue
		}
		parts := strings.Split(n, "/")
		ok := true
		for _, p := range parts {
			letters := 0
			for _, r := range p {
				if unicode.IsLetter(r) {
					letters++
				}
			}
			ok = ok && letters >= 4
		}
		if ok {
			if len(out) == len(names) {
				out = slices.Clone(names)
			}
			for _, p := range parts {
				out = append(out, strings.TrimSpace(p))
			}
		}
	}
	return out
}

// MergeRecords joins the records of the members of one party.
func MergeRecords(recs []*Record) *Record {
	if len(recs) == 1 {
		return recs[0]
	}
	out := &Record{}
	for _, r := range recs {
		out.Schemas = append(out.Schemas, r.Schemas...)
		out.Names = append(out.Names, r.Names...)
		out.Countries = append(out.Countries, r.Countries...)
		out.BirthDates = append(out.BirthDates, r.BirthDates...)
		out.IDs = append(out.IDs, r.IDs...)
		out.idKeys = append(out.idKeys, r.idKeys...)
	}
	return out
}

// minSpacingSimilarity is the least similarity of two names written
// without spaces for a difference in spacing to explain them: below it,
// they differ in letters, which the word alignment judges better.
const minSpacingSimilarity = 0.9

// kindMask tells whether a name has a number (1) and, for an
// organisation, a country (2) among its words.
func kindMask(w []nameWord, org bool) int {
	m := 0
	for _, x := range w {
		if x.kind == numberWord || isRomanLetter(x.tok) {
			m |= 1
		}
		if org && x.kind == placeWord {
			m |= 2
		}
	}
	return m
}

// legalFormMismatch scales the score of names whose legal forms are of
// different classes (see legalFormClass).
const legalFormMismatch = 0.75

func sharesForm(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// ScoreEntity scores an entity against a prepared query; weigh gives word
// weights (StaticWeight if nil). ok is false if the entity's kind does not
// fit the query.
func ScoreEntity(p *Prepared, e *graph.Entity, weigh Weigher) (hit Hit, ok bool) {
	hit, ok = ScoreRecord(p, NewRecord(e), weigh)
	hit.ID = e.ID
	return hit, ok
}

// ScoreRecord scores a prepared entity against a prepared query (see
// ScoreEntity); the hit's ID is left for the caller to set.
func ScoreRecord(p *Prepared, r *Record, weigh Weigher) (hit Hit, ok bool) {
	fits := false
	for _, s := range r.Schemas {
		fits = fits || p.KindFits(s)
	}
	if !fits {
		return Hit{}, false
	}
	if weigh == nil {
		weigh = StaticWeight
	}
	// An exact identifier is a certain match.
	for i, k := range r.idKeys {
		if slices.Contains(p.idKeys, k) {
			x := r.IDs[i]
			hit.Score, hit.NameScore, hit.Matched = 1, 1, x.Value
			hit.Fields = append(hit.Fields, FieldMatch{Field: "identifier", Query: x.Value, Value: x.Scheme + " " + x.Value, Outcome: "match", Effect: 1})
			return hit, true
		}
	}
	if len(p.Words) == 0 {
		return Hit{}, false
	}
	q := prepareWords(p.Words, weigh)
	for i := range q {
		q[i].abjad = p.abjad
		q[i].surname = p.surname[i]
	}
	info := 0.0
	for _, w := range q {
		info += w.w
	}
	// Fields other than the name: they raise or lower the score, and they
	// are the support a one-word name needs.
	if p.country != "" && len(r.Countries) > 0 {
		if slices.Contains(r.Countries, p.country) {
			hit.Fields = append(hit.Fields, FieldMatch{Field: "country", Query: p.Q.Country, Value: p.country, Outcome: "match", Effect: countryMatchBonus})
		} else {
			hit.Fields = append(hit.Fields, FieldMatch{Field: "country", Query: p.Q.Country, Value: strings.Join(r.Countries, ","), Outcome: "mismatch", Effect: countryMismatch})
		}
	}
	if p.dob.year != 0 {
		if f, ok := compareBirthDates(p.dob, p.Q.BirthDate, r.BirthDates); ok {
			hit.Fields = append(hit.Fields, f)
		}
	}
	support := ""
	for _, f := range hit.Fields {
		if f.Outcome == "match" || f.Outcome == "partial" {
			support = f.Field
			break
		}
	}
	best := NameMatch{Score: -1}
	var nw []nameWord
	org := true
	for _, s := range r.Schemas {
		org = org && s != "Person"
	}
	for _, name := range r.Names {
		nw = nw[:0]
		for i, t := range name.toks {
			nw = append(nw, nameWord{tok: t, roman: name.roman[i], w: weigh(t), kind: name.kinds[i], abjad: name.abjad, surname: name.surname[i]})
		}
		m := matchWords(q, nw, org, p.sims)
		if c := name.compact; len(c) >= 6 && len(p.Words) != len(name.toks) && m.Score < 0.98 && kindMask(q, org) == kindMask(nw, org) {
			// Spacing: "Zhongsheng" / "Zhong Sheng" across the whole name,
			// not where a number or place tells the names apart. One name
			// the start of the other ("prefix") counts for organisations
			// only, whose names end in qualifiers ("Foreign Trade Bank" /
			// "Foreign Trade Bank of the DPRK"); in a person's name the
			// words left over are other names, which the word alignment
			// weighs.
			s, how := p.sims.tokenSim(p.compacts, p.romanComp, c, name.romanComp)
			if org && s < 0.85 && (strings.HasPrefix(c, p.compacts) || strings.HasPrefix(p.compacts, c)) {
				s, how = 0.85, "prefix"
			}
			if s*0.98 > m.Score && (how == "prefix" && org || how != "prefix" && s >= minSpacingSimilarity) {
				m = NameMatch{Score: s * 0.98, Tokens: []TokenMatch{{Query: strings.Join(p.Words, " "), Name: strings.Join(name.toks, " "), Similarity: s, Weight: info, How: "joined"}}}
			}
		}
		if len(p.forms) > 0 && len(name.forms) > 0 && !sharesForm(p.forms, name.forms) {
			// Legal forms of different kinds ("AG" / "GmbH") name
			// different companies, however alike the rest.
			m.Score *= legalFormMismatch
			m.Tokens = append(m.Tokens, TokenMatch{Query: strings.Join(p.forms, "/"), Name: strings.Join(name.forms, "/"), How: "legal form differs"})
		}
		// The whole query is this name: word for word, or written
		// together ("Good Will" / "Goodwill").
		whole := len(p.Words) == len(name.toks) && m.Score >= 0.97 ||
			len(p.Words) != len(name.toks) && p.romanComp == name.romanComp
		if name.Weak && !whole {
			// A weak alias ('MIKE', 'PAT') names the party only when the
			// query is that alias; short of that it is no match alone.
			m.Score *= weakAliasFactor
			m.Tokens = append(m.Tokens, TokenMatch{Name: name.Name, How: "weak alias"})
		}
		if len(name.toks) == 1 && len(p.Words) >= 2 && !whole {
			// A one-word name ("DANIEL", the vessel "JASMINE") matched by
			// one word of a longer query says nothing of the others: it
			// needs support from another field.
			if support == "" {
				m.Score *= oneWordFactor
				m.Tokens = append(m.Tokens, TokenMatch{Name: name.Name, How: "one-word name, no support"})
			} else {
				m.Tokens = append(m.Tokens, TokenMatch{Name: name.Name, How: "one-word name, supported by " + support})
			}
		}
		if m.Score > best.Score || m.Score == best.Score && hit.Weak && !name.Weak {
			best, hit.Matched, hit.Weak = m, name.Name, name.Weak
		}
	}
	if best.Score < 0 {
		return Hit{}, false
	}
	score := best.Score
	// A query of few common words (a lone "TRADING", "BANK") says little:
	// its score is scaled down so that such names do not flood the hits.
	if info < lowInformationBits {
		score *= math.Sqrt(info / lowInformationBits)
	}
	hit.NameScore, hit.Tokens = score, best.Tokens
	for _, f := range hit.Fields {
		score += f.Effect
	}
	hit.Score = math.Max(0, math.Min(1, score))
	return hit, true
}

// weakAliasFactor scales the score of a weak alias that is not the whole
// query, and oneWordFactor that of a one-word name matched by part of a
// longer query without support: either alone stays below the default
// threshold, and shows, labelled, below it.
var (
	weakAliasFactor = 0.7
	oneWordFactor   = 0.75
)

// dateParts is a date of year, month or day precision.
type dateParts struct{ year, month, day int }

func parseDateParts(s string) (dateParts, bool) {
	s = strings.TrimSpace(s)
	parts := strings.Split(s, "-")
	if len(parts) > 3 || len(parts[0]) != 4 {
		return dateParts{}, false
	}
	var d dateParts
	var err error
	if d.year, err = strconv.Atoi(parts[0]); err != nil || d.year < 1000 {
		return dateParts{}, false
	}
	if len(parts) > 1 {
		if d.month, err = strconv.Atoi(parts[1]); err != nil || d.month < 1 || d.month > 12 || len(parts[1]) != 2 {
			return dateParts{}, false
		}
	}
	if len(parts) > 2 {
		if d.day, err = strconv.Atoi(parts[2]); err != nil || d.day < 1 || d.day > 31 || len(parts[2]) != 2 {
			return dateParts{}, false
		}
	}
	return d, true
}

// compareBirthDates finds the entity's birth date nearest the query's and
// says how it changes the score: equal to the precision both give raises
// it, a year apart lowers it a little, further apart lowers it a lot.
func compareBirthDates(q dateParts, qs string, dates []string) (FieldMatch, bool) {
	best, found := FieldMatch{}, false
	rank := func(o string) int {
		switch o {
		case "match":
			return 3
		case "partial":
			return 2
		case "close":
			return 1
		}
		return 0
	}
	for _, v := range dates {
		d, ok := parseDateParts(firstN(v, 10))
		if !ok {
			continue
		}
		f := FieldMatch{Field: "birthDate", Query: qs, Value: v}
		switch {
		case d.year == q.year && (q.month == 0 || d.month == 0 || q.month == d.month) && (q.day == 0 || d.day == 0 || q.day == d.day):
			if q.day != 0 && d.day != 0 {
				f.Outcome, f.Effect = "match", dobExactBonus
			} else {
				f.Outcome, f.Effect = "partial", dobYearBonus
			}
		case d.year-q.year <= 1 && q.year-d.year <= 1:
			f.Outcome, f.Effect = "close", dobCloseEffect
		default:
			f.Outcome, f.Effect = "mismatch", dobMismatch
		}
		if !found || rank(f.Outcome) > rank(best.Outcome) {
			best, found = f, true
		}
	}
	return best, found
}

func firstN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// SortHits orders hits best first, ties by id, so results are stable.
func SortHits(hits []Hit) {
	slices.SortFunc(hits, func(a, b Hit) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return strings.Compare(a.ID.String(), b.ID.String())
	})
}

package ingest

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// Helpers shared by the list parsers.

// entry builds the record of one list entry: an entity, its designations
// and its links, each citing the entry.
type entry struct {
	rec  graph.Record
	e    *graph.Entity
	src  graph.Source
	Line int // line (or element line) of the entry, for messages
}

// newEntry starts the record of entry ref ("ofac:15603") of schema, citing
// src on the entity and on everything the entry states.
func newEntry(ref, schema string, src graph.Source, line int) *entry {
	e := &graph.Entity{Ref: ref, Schema: schema, Props: map[string][]string{}, Sources: []graph.Source{src}}
	return &entry{rec: graph.Record{Ref: ref, Entity: e}, e: e, src: src, Line: line}
}

// add appends values to property prop, trimmed, without empty values,
// OFAC's "-0-" null, or duplicates (compared after trimming spaces and
// a trailing full stop).
func (en *entry) add(prop string, values ...string) {
	for _, v := range values {
		v = cleanValue(v)
		if v == "" {
			continue
		}
		dup := false
		for _, have := range en.e.Props[prop] {
			if strings.EqualFold(have, v) {
				dup = true
				break
			}
		}
		if !dup {
			en.e.Props[prop] = append(en.e.Props[prop], v)
		}
	}
}

// has reports whether property prop holds v (case-insensitively).
func (en *entry) has(prop, v string) bool {
	for _, have := range en.e.Props[prop] {
		if strings.EqualFold(have, v) {
			return true
		}
	}
	return false
}

// addName adds a name: the first becomes "name", later ones "alias"
// (weak ones "weakAlias", former ones "previousName"). A trailing
// parenthetical acronym ("FOREIGN TRADE BANK (FTB)") is split off: the name
// without it is added too, and the acronym as a weak alias.
func (en *entry) addName(prop, name string) {
	name = cleanValue(name)
	if name == "" {
		return
	}
	if prop == "name" && len(en.e.Props["name"]) > 0 {
		prop = "alias"
	}
	en.add(prop, name)
	if base, acr := splitAcronym(name); acr != "" {
		en.add("alias", base)
		en.add("weakAlias", acr)
	}
}

// designate adds a designated-by edge from the entry to the programme
// (or authority) d, with key making its ref unique within the entry
// ("ofac:15603#NPWMD"). props are FtM Sanction properties: program,
// authorityId, unscId, listingDate, startDate, endDate, reason, ...
func (en *entry) designate(d DesignatorNodes, key string, props map[string][]string) {
	p := map[string][]string{"authority": {d.Authority}}
	if d.Programme != "" {
		p["program"] = []string{d.Programme}
	}
	for k, v := range props {
		var vals []string
		for _, x := range v {
			if x = cleanValue(x); x != "" {
				vals = append(vals, x)
			}
		}
		if len(vals) > 0 {
			p[k] = vals
		}
	}
	en.rec.Relationships = append(en.rec.Relationships, graph.Relationship{
		Ref: en.rec.Ref + "#" + key, Kind: graph.RelDesignatedBy, Schema: "Sanction",
		SourceRef: en.rec.Ref, TargetRef: d.TargetRef(), Props: p, Sources: []graph.Source{en.src},
	})
	en.addChecked("topics", "topics", "sanction")
	have := map[string]bool{}
	for _, n := range en.rec.Ensure {
		have[n.Ref] = true
	}
	for _, n := range d.Nodes() {
		if !have[n.Ref] {
			en.rec.Ensure = append(en.rec.Ensure, n)
		}
	}
	for _, l := range d.Links() {
		dup := false
		for _, h := range en.rec.EnsureRelationships {
			dup = dup || h.Ref == l.Ref
		}
		if !dup {
			en.rec.EnsureRelationships = append(en.rec.EnsureRelationships, l)
		}
	}
}

// link adds an edge of kind from the entry to the entry target, quoting
// the words of the list that state it.
func (en *entry) link(kind graph.RelType, target, role, quote string) {
	src := en.src
	src.Quote = quote
	ref := en.rec.Ref + "#" + kind.String() + ":" + target
	for _, r := range en.rec.Relationships {
		if r.Ref == ref {
			return
		}
	}
	en.rec.Relationships = append(en.rec.Relationships, graph.Relationship{
		Ref: ref, Kind: kind, SourceRef: en.rec.Ref, TargetRef: target,
		Props: map[string][]string{"role": {role}}, Sources: []graph.Source{src},
	})
}

// linkFrom adds an edge of kind from the entry source to this entry,
// stated by this entry (an OFAC vessel entry names the vessel's owner).
func (en *entry) linkFrom(kind graph.RelType, source, role, quote string) {
	src := en.src
	src.Quote = quote
	ref := en.rec.Ref + "#" + kind.String() + "-from:" + source
	for _, r := range en.rec.Relationships {
		if r.Ref == ref {
			return
		}
	}
	en.rec.Relationships = append(en.rec.Relationships, graph.Relationship{
		Ref: ref, Kind: kind, SourceRef: source, TargetRef: en.rec.Ref,
		Props: map[string][]string{"role": {role}}, Sources: []graph.Source{src},
	})
}

// addChecked adds values to prop if the entry's schema has it; otherwise
// it keeps them as a note "label: value" so nothing the list says is lost.
func (en *entry) addChecked(prop, label string, values ...string) {
	if s := en.e.SchemaDef(); s != nil {
		if _, ok := s.Props[prop]; ok {
			en.add(prop, values...)
			return
		}
	}
	for _, v := range values {
		if v = cleanValue(v); v != "" {
			en.add("notes", label+": "+v)
		}
	}
}

// record finishes the entry: its caption is its first name.
func (en *entry) record() graph.Record {
	if en.e.Caption == "" {
		en.e.Caption = en.e.First("name")
	}
	for k, v := range en.e.Props {
		if len(v) == 0 {
			delete(en.e.Props, k)
		}
	}
	return en.rec
}

// cleanValue trims a value and drops OFAC's "-0-" null.
func cleanValue(v string) string {
	v = strings.TrimSpace(strings.ReplaceAll(v, "\u00a0", " "))
	if v == "-0-" {
		return ""
	}
	return v
}

var acronymRE = regexp.MustCompile(`^(.{3,}?)\s*\(([\p{Lu}\d][\p{Lu}\d&.\- ]{1,14})\)\s*$`)

// splitAcronym splits "FOREIGN TRADE BANK (FTB)" into "FOREIGN TRADE BANK"
// and "FTB". Only an upper-case parenthetical at the end counts.
func splitAcronym(name string) (base, acronym string) {
	m := acronymRE.FindStringSubmatch(name)
	if m == nil {
		return name, ""
	}
	acr := strings.TrimSpace(m[2])
	letters := 0
	for _, r := range acr {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	if letters < 2 {
		return name, ""
	}
	return strings.TrimSpace(m[1]), acr
}

// nameTable resolves names stated in one list ("Linked To: SUN, Wei.") to
// the entries that bear them. A name resolves only if exactly one entry
// bears it: first among primary names compared exactly (after Fold), then
// among primary names by name key (word order, legal forms), then among
// aliases likewise.
type nameTable struct {
	primary, primaryKey, alias, aliasKey map[string][]string
}

func newNameTable() *nameTable {
	return &nameTable{primary: map[string][]string{}, primaryKey: map[string][]string{},
		alias: map[string][]string{}, aliasKey: map[string][]string{}}
}

func addRef(m map[string][]string, k, ref string) {
	if k == "" {
		return
	}
	for _, r := range m[k] {
		if r == ref {
			return
		}
	}
	m[k] = append(m[k], ref)
}

// add records that entry ref bears name, as its primary name or an alias.
func (t *nameTable) add(ref, name string, primary bool) {
	if primary {
		addRef(t.primary, graph.Fold(name), ref)
		addRef(t.primaryKey, graph.NameKey(name), ref)
	} else {
		addRef(t.alias, graph.Fold(name), ref)
		addRef(t.aliasKey, graph.NameKey(name), ref)
	}
}

// resolve returns the one entry bearing name, or "" and why not.
func (t *nameTable) resolve(name string) (string, string) {
	f, k := graph.Fold(name), graph.NameKey(name)
	for _, level := range []struct {
		m   map[string][]string
		key string
	}{{t.primary, f}, {t.primaryKey, k}, {t.alias, f}, {t.aliasKey, k}} {
		refs := level.m[level.key]
		switch {
		case len(refs) == 1:
			return refs[0], ""
		case len(refs) > 1:
			refs = append([]string(nil), refs...)
			sort.Strings(refs)
			return "", strconv.Itoa(len(refs)) + " entries have this name: " + strings.Join(refs, ", ")
		}
	}
	return "", "no entry of the list has this name"
}

var (
	monthNames = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
		"sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12}
	isoDateRE     = regexp.MustCompile(`^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:T[0-9:.+\-Z]*)?)?)?$`)
	dmyDateRE     = regexp.MustCompile(`^(\d{1,2})[./](\d{1,2})[./](\d{4})$`)
	wordDateRE    = regexp.MustCompile(`^(?:(\d{1,2})\s+)?([A-Za-z]{3,9})\.?,?\s+(\d{4})$`)
	mdyWordDateRE = regexp.MustCompile(`^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})$`)
)

// listDate reads a date as lists print it ("2017-08-05", "5 Aug. 2017",
// "05 Aug 2017", "August 5, 2017", "16.7.2009", "27/04/2020", "Aug 2017",
// "1969") as an FtM date: "2017-08-05", "2017-08" or "1969". It returns ""
// for anything else (ranges, "circa", ...), which callers keep as text.
func listDate(s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "."))
	if s == "" {
		return ""
	}
	var y, m, d int
	if g := isoDateRE.FindStringSubmatch(s); g != nil {
		y, _ = strconv.Atoi(g[1])
		if g[2] != "" {
			m, _ = strconv.Atoi(g[2])
		}
		if g[3] != "" {
			d, _ = strconv.Atoi(g[3])
		}
	} else if g := dmyDateRE.FindStringSubmatch(s); g != nil {
		d, _ = strconv.Atoi(g[1])
		m, _ = strconv.Atoi(g[2])
		y, _ = strconv.Atoi(g[3])
	} else if g := wordDateRE.FindStringSubmatch(s); g != nil {
		mon, ok := monthOf(g[2])
		if !ok {
			return ""
		}
		m = mon
		y, _ = strconv.Atoi(g[3])
		if g[1] != "" {
			d, _ = strconv.Atoi(g[1])
		}
	} else if g := mdyWordDateRE.FindStringSubmatch(s); g != nil {
		mon, ok := monthOf(g[1])
		if !ok {
			return ""
		}
		m = mon
		d, _ = strconv.Atoi(g[2])
		y, _ = strconv.Atoi(g[3])
	} else {
		return ""
	}
	return formatDate(y, m, d)
}

func monthOf(w string) (int, bool) {
	w = strings.ToLower(w)
	if m, ok := monthNames[w]; ok {
		return m, true
	}
	if len(w) > 3 {
		if m, ok := monthNames[w[:3]]; ok && strings.HasPrefix(strings.ToLower(time.Month(m).String()), w) {
			return m, true
		}
	}
	return 0, false
}

// formatDate formats a date of year y, month m (0 if unknown) and day d (0
// if unknown) as FtM does, or "" if it is not a real date.
func formatDate(y, m, d int) string {
	if y < 1000 || y > 2200 || m < 0 || m > 12 || d < 0 || d > 31 || (m == 0 && d != 0) {
		return ""
	}
	switch {
	case m == 0:
		return strconv.Itoa(y)
	case d == 0:
		return strconv.Itoa(y) + "-" + twoDigits(m)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return ""
	}
	return t.Format("2006-01-02")
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// bicRE finds SWIFT/BIC codes stated in prose ("SWIFT/BIC: FTBDKPPY",
// "SWIFT/BIC FTBDKPPY", "SWIFT: FTBDKPPY").
var bicRE = regexp.MustCompile(`(?i)\bSWIFT(?:\s*/\s*BIC)?(?:\s+code)?\s*:?\s*([A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?)\b`)

// imoRE finds IMO numbers stated in prose ("IMO 9030591", "IMO: 9030591",
// "IMO number 9030591").
var imoRE = regexp.MustCompile(`(?i)\bIMO(?:\s+(?:number|no\.?))?\s*:?\s*(\d{7})\b`)

// identifiersInText returns SWIFT/BIC codes and IMO numbers stated in
// free text, by FtM property.
func identifiersInText(text string) map[string][]string {
	out := map[string][]string{}
	for _, m := range bicRE.FindAllStringSubmatch(text, -1) {
		out["swiftBic"] = append(out["swiftBic"], strings.ToUpper(m[1]))
	}
	for _, m := range imoRE.FindAllStringSubmatch(text, -1) {
		if ValidIMO(m[1]) {
			out["imoNumber"] = append(out["imoNumber"], m[1])
		}
	}
	return out
}

// ValidIMO reports whether s is a 7-digit IMO ship number with a correct
// check digit.
func ValidIMO(s string) bool {
	s = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "IMO")
	s = strings.TrimSpace(s)
	if len(s) != 7 {
		return false
	}
	sum := 0
	for i := 0; i < 6; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * (7 - i)
	}
	return s[6] >= '0' && s[6] <= '9' && sum%10 == int(s[6]-'0')
}

package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// The EU Official Journal sanctions CSV files: OpenSanctions' transcription
// of the annexes of the EU's sanctions acts (datasets/eu/journal_sanctions,
// FORMAT.md there). Two kinds share the entity columns and differ in their
// leading CELEX columns:
//
//	consolidated/{celex}.csv   celex, recordId, programKey, annex, measure, startDate, reason, schema, name, ...
//	amendments/{celex}.csv     amendedCelex, amendmentCelex, recordId, ...
//
// One row is one entity in one legal context (programme, measure). Entity
// columns are FtM property names; every one but name is multi-valued,
// separated by ";" with CSV quoting inside the cell. Cells keep the act's
// wording: dates ("25.5.1972", "circa 1957") and countries ("DPRK",
// "Russian") are normalised here.
//
// An entry is identified by its framework act, annex and the number the
// annex prints: "eu:32017R1509:XIII.B:47". An amendment row names the
// framework act it amends, so it updates the entry of the consolidated
// file. Rows that repeat an entry (same annex, recordId and schema) with
// another measure or programme become further designations of it.

const (
	euJournalDataset = "eu_journal_sanctions"
	euCouncil        = "Council of the European Union"
	euCELEXURL       = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:"
)

// euJournalEntityCols are the entity columns shared by both kinds, in
// FORMAT.md's order.
var euJournalEntityCols = []string{"schema", "name", "alias", "weakAlias", "previousName", "country", "nationality",
	"jurisdiction", "birthDate", "birthPlace", "position", "passportNumber", "gender", "appearance", "ethnicity",
	"fatherName", "motherName", "incorporationDate", "legalForm", "sector", "registrationNumber", "taxNumber",
	"idNumber", "innCode", "ogrnCode", "kppCode", "okpoCode", "leiCode", "swiftBic", "ticker", "imoNumber", "mmsi",
	"flag", "address", "phone", "email", "website", "notes"}

var (
	euJournalMetaCols         = []string{"recordId", "programKey", "annex", "measure", "startDate", "reason"}
	euJournalConsolidatedCols = append(append([]string{"celex"}, euJournalMetaCols...), euJournalEntityCols...)
	euJournalAmendmentCols    = append(append([]string{"amendedCelex", "amendmentCelex"}, euJournalMetaCols...), euJournalEntityCols...)
)

// euJournalSchemata are the schemata FORMAT.md allows.
var euJournalSchemata = []string{"Person", "LegalEntity", "Organization", "Company", "Vessel", "Asset"}

// celexRE matches a bare CELEX number: sector, year, type, number
// ("32017R1509", "32011D0173"), optionally a parenthesised suffix.
var celexRE = regexp.MustCompile(`^[0-9CE]\d{4}[A-Z]{1,2}\d{1,5}(?:\(\d{1,2}\))?$`)

// celexInNameRE finds a CELEX number in a file name ("32004R0314.csv").
var celexInNameRE = regexp.MustCompile(`(?:^|[^0-9A-Z])(\d{5}[A-Z]{1,2}\d{4})(?:[^0-9A-Z]|$)`)

func sniffEUJournal(head []byte) bool {
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if len(line) > 4096 {
		return false
	}
	hasCelex, meta := false, 0
	for _, f := range strings.Split(string(line), ",") {
		switch strings.ToLower(strings.Trim(strings.TrimSpace(f), `"`)) {
		case "celex", "amendedcelex", "amendmentcelex":
			hasCelex = true
		case "recordid", "programkey", "annex", "measure", "schema":
			meta++
		}
	}
	return hasCelex && meta >= 2
}

// euJournalHeader checks a header row and returns the kind of file
// (amendment or not) and the index of each column.
func euJournalHeader(name string, header []string) (amendment bool, col map[string]int, err error) {
	canon := map[string]string{}
	for _, c := range append(append([]string(nil), euJournalConsolidatedCols...), euJournalAmendmentCols[:2]...) {
		canon[strings.ToLower(c)] = c
	}
	for _, h := range header {
		if c := canon[strings.ToLower(strings.TrimSpace(h))]; c == "amendedCelex" || c == "amendmentCelex" {
			amendment = true
		}
	}
	want, kind := euJournalConsolidatedCols, "consolidated"
	if amendment {
		want, kind = euJournalAmendmentCols, "amendment"
	}
	allowed := map[string]bool{}
	for _, c := range want {
		allowed[c] = true
	}
	col = map[string]int{}
	for i, h := range header {
		h = strings.TrimSpace(h)
		c, ok := canon[strings.ToLower(h)]
		if !ok || !allowed[c] {
			return false, nil, &FileError{File: name, Line: 1, Msg: fmt.Sprintf("unknown column %q (column %d) in the header of an EU journal %s file; its columns are: %s",
				h, i+1, kind, strings.Join(want, ","))}
		}
		if j, dup := col[c]; dup {
			return false, nil, &FileError{File: name, Line: 1, Msg: fmt.Sprintf("column %q appears twice in the header (columns %d and %d)", c, j+1, i+1)}
		}
		col[c] = i
	}
	for _, c := range want {
		if _, ok := col[c]; !ok {
			return false, nil, &FileError{File: name, Line: 1, Msg: fmt.Sprintf("the header lacks the column %q of an EU journal %s file", c, kind)}
		}
	}
	return amendment, col, nil
}

// euJournalEntry is an entry being built from one or more rows.
type euJournalEntry struct {
	en      *entry
	designs map[string]string // programKey -> designation key
}

func parseEUJournal(ctx context.Context, src *listSource) (*ListParse, error) {
	in := src.In
	if b, err := in.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		in.Discard(3)
	}
	r := csv.NewReader(in)
	r.ReuseRecord = true
	header, err := r.Read()
	if err == io.EOF {
		return nil, &FileError{File: src.Name, Msg: "the file is empty: an EU journal CSV starts with its header"}
	}
	if err != nil {
		return nil, euCSVError(src.Name, err, nil, 0)
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	amendment, col, ferr := euJournalHeader(src.Name, header)
	if ferr != nil {
		return nil, ferr
	}
	r.FieldsPerRecord = len(header)

	lp := &ListParse{}
	var (
		entries     []*euJournalEntry
		byKey       = map[string]*euJournalEntry{}
		refs        = map[string]bool{}
		nameRepeats = map[string]int{}
		frameworks  []string // distinct framework CELEX, in order
		sources     []string // distinct immediate source CELEX, in order
		rows        int
		merged      []string
	)
	addDistinct := func(list *[]string, v string) {
		for _, x := range *list {
			if x == v {
				return
			}
		}
		*list = append(*list, v)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, euCSVError(src.Name, err, rec, len(header))
		}
		rows++
		if rows%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		line, _ := r.FieldPos(0)
		get := func(c string) string { return cleanValue(rec[col[c]]) }
		reject := func(c, f string, a ...any) {
			lp.Rejects = append(lp.Rejects, &RecordError{File: src.Name, Line: line, Field: c, Msg: fmt.Sprintf(f, a...)})
		}

		celexCol := "celex"
		if amendment {
			celexCol = "amendedCelex"
		}
		framework := get(celexCol)
		source := framework
		if !celexRE.MatchString(framework) {
			reject(celexCol, "%q is not a CELEX number (like 32017R1509)", framework)
			continue
		}
		if amendment {
			source = get("amendmentCelex")
			if !celexRE.MatchString(source) {
				reject("amendmentCelex", "%q is not a CELEX number (like 32026R1941)", source)
				continue
			}
		}
		schema := get("schema")
		name := get("name")
		switch {
		case schema == "":
			reject("schema", "the row has no schema")
			continue
		case !euJournalSchemaOK(schema):
			reject("schema", "schema %q is not one of %s", schema, strings.Join(euJournalSchemata, ", "))
			continue
		case name == "":
			reject("name", "the row has no name")
			continue
		}
		recordID, annex := get("recordId"), get("annex")
		if len(recordID) > 64 {
			reject("recordId", "the entry id is %d characters long; annexes print short numbers", len(recordID))
			continue
		}
		if len(annex) > 64 {
			reject("annex", "the annex is %d characters long; annexes are named by short numerals", len(annex))
			continue
		}
		addDistinct(&frameworks, framework)
		addDistinct(&sources, source)

		annexSeg := euRefSegment(annex)
		if annexSeg == "" {
			annexSeg = "-"
		}
		base := "eu:" + framework + ":" + annexSeg + ":"
		var key, ref, citeID string
		if recordID != "" {
			key = framework + "\x00" + annex + "\x00" + recordID + "\x00" + schema
			ref = base + euRefSegment(recordID)
			citeID = strings.Join(strings.Fields(framework+" "+annex+" "+recordID), " ")
		} else {
			ref = base + "n-" + euSlug(name)
			nameRepeats[ref]++
			if n := nameRepeats[ref]; n > 1 {
				ref += "~" + strconv.Itoa(n)
			}
			citeID = strings.Join(strings.Fields(framework+" "+annex+" "+name), " ")
		}
		je := byKey[key]
		if key != "" && je != nil {
			merged = append(merged, strconv.Itoa(line))
			if !je.en.has("name", name) {
				je.en.addName("name", name) // becomes an alias
			}
		} else {
			// A ref already taken by another entry: the same annex and
			// recordId with another schema, or a name slug that collides.
			if refs[ref] {
				alt := ref + "~" + schema
				for n := 2; refs[alt]; n++ {
					alt = ref + "~" + schema + strconv.Itoa(n)
				}
				ref = alt
			}
			refs[ref] = true
			// An annex lists a party once, but a party designated under
			// two regimes (or in two annexes of one act) has an entry in
			// each: the act and annex is the part.
			s := graph.Source{Dataset: euJournalDataset, RecordID: citeID, URL: euCELEXURL + source, Part: strings.TrimSpace(framework + " " + annex)}
			je = &euJournalEntry{en: newEntry(ref, schema, s, line), designs: map[string]string{}}
			entries = append(entries, je)
			if key != "" {
				byKey[key] = je
			}
			je.en.addName("name", name)
		}
		euJournalRow(je, get)
		euJournalDesignate(je, get("programKey"), get("measure"), get("startDate"), get("reason"), citeID)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, je := range entries {
		lp.Records = append(lp.Records, je.en.record())
	}
	if len(merged) > 0 {
		what := fmt.Sprintf("%d rows (lines %s) repeat an earlier row's entry (same annex, recordId and schema) in another legal context: they were added to that entry",
			len(merged), strings.Join(merged[:min(10, len(merged))], ", "))
		if len(merged) == 1 {
			what = "1 row (line " + merged[0] + ") repeats an earlier row's entry (same annex, recordId and schema) in another legal context: it was added to that entry"
		}
		lp.Notes = append(lp.Notes, what)
	}

	// The list this file is a version of.
	fileCelex := ""
	if m := celexInNameRE.FindStringSubmatch(strings.ToUpper(filepath.Base(src.Name))); m != nil {
		fileCelex = m[1]
	}
	info := ListInfo{Dataset: euJournalDataset, Prefix: "eu:", Title: "EU Official Journal sanctions"}
	title := fileCelex
	if len(sources) > 0 {
		title = sources[0]
	}
	if title != "" {
		info.Title = "EU Official Journal sanctions (" + title + ")"
		info.URL = euCELEXURL + title
	}
	if len(sources) > 1 {
		lp.Notes = append(lp.Notes, fmt.Sprintf("the rows cite %d source acts (%s); a file transcribes one act", len(sources), strings.Join(sources, ", ")))
	}
	switch {
	case rows == 0 && amendment:
		return nil, &FileError{File: src.Name, Line: 1, Msg: "the amendment file has a header but no rows; an amendment file transcribes at least one designation"}
	case rows == 0 && fileCelex == "":
		return nil, &FileError{File: src.Name, Line: 1, Msg: "the consolidated file has a header but no rows, and its name does not give the CELEX number of its framework act ({celex}.csv), so it is unknown which list it empties"}
	case rows == 0:
		// FORMAT.md: a framework act whose annexes list no designations
		// has an empty consolidated file.
		info.Prefix, info.Snapshot = "eu:"+fileCelex+":", true
		lp.Notes = append(lp.Notes, "the file lists no designations: the annexes of "+fileCelex+" list nobody")
	case len(frameworks) == 1:
		info.Prefix, info.Snapshot = "eu:"+frameworks[0]+":", !amendment
	case len(frameworks) > 1:
		lp.Notes = append(lp.Notes, fmt.Sprintf("the rows name %d framework acts (%s): the file is read as additions, not as a complete version of one act", len(frameworks), strings.Join(frameworks, ", ")))
	}
	lp.Info = info
	return lp, nil
}

// euCSVError turns an error of the CSV reader into a FileError at its line.
func euCSVError(name string, err error, rec []string, columns int) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			return &FileError{File: name, Line: pe.StartLine, Msg: fmt.Sprintf("the row has %d cells, the header has %d columns", len(rec), columns)}
		}
		return &FileError{File: name, Line: pe.Line, Msg: fmt.Sprintf("malformed CSV in the row that starts at line %d: %v", pe.StartLine, pe.Err)}
	}
	return readError(name, 0, err)
}

func euJournalSchemaOK(s string) bool {
	for _, x := range euJournalSchemata {
		if s == x {
			return true
		}
	}
	return false
}

// euJournalRow adds the entity columns of a row to its entry.
func euJournalRow(je *euJournalEntry, get func(string) string) {
	en := je.en
	has := func(p string) bool { return euHasProp(en, p) }
	for _, c := range euJournalEntityCols {
		if c == "schema" || c == "name" {
			continue
		}
		cell := get(c)
		if cell == "" {
			continue
		}
		for _, v := range euSplitCell(cell) {
			switch c {
			case "alias":
				en.addName("alias", v)
			case "country", "nationality", "jurisdiction", "flag":
				codes, lost := euCountryCodes(v)
				prop := c
				if !has(prop) {
					prop = "country"
				}
				if has(prop) {
					en.add(prop, codes...)
				} else if len(codes) > 0 {
					lost = true
				}
				if lost {
					en.add("notes", c+": "+v)
				}
			case "birthDate", "incorporationDate":
				dates, lost := euDates(v)
				if has(c) {
					en.add(c, dates...)
				} else if len(dates) > 0 {
					lost = true
				}
				if lost {
					en.add("notes", c+": "+v)
				}
			case "gender":
				g := strings.ToLower(strings.TrimSuffix(v, "."))
				if (g == "male" || g == "female" || g == "other") && has("gender") {
					en.add("gender", g)
				} else {
					en.add("notes", "gender: "+v)
				}
			case "address":
				euAddProp(en, "address", c, v)
				if cc := graph.CountryOfAddress(v); cc != "" && has("country") {
					en.add("country", cc)
				}
			case "email", "phone", "website":
				// "a@x; b@y; and c@z"
				if s, ok := strings.CutPrefix(v, "and "); ok {
					v = s
				}
				euAddProp(en, c, c, v)
			case "notes":
				en.add("notes", v)
				euIdentifiersInText(en, v)
			default:
				euAddProp(en, c, c, v)
			}
		}
	}
}

// euJournalDesignate adds the designation a row states, or adds its
// measure to the entry's designation under the same programme.
func euJournalDesignate(je *euJournalEntry, programKey, measure, startDate, reason, authorityID string) {
	en := je.en
	euIdentifiersInText(en, reason)
	props := map[string][]string{"programId": {programKey}, "provisions": {measure}, "reason": {reason}, "authorityId": {authorityID}}
	if startDate != "" {
		if d := listDate(startDate); d != "" {
			props["listingDate"] = []string{d}
		} else {
			props["description"] = []string{"listed on " + startDate}
		}
	}
	if k, ok := je.designs[programKey]; ok {
		for i := range en.rec.Relationships {
			rel := &en.rec.Relationships[i]
			if rel.Ref != en.rec.Ref+"#"+k {
				continue
			}
			for p, vals := range props {
				for _, v := range vals {
					if v = cleanValue(v); v != "" && !containsFold(rel.Props[p], v) {
						rel.Props[p] = append(rel.Props[p], v)
					}
				}
			}
		}
		return
	}
	key := "eu"
	if len(je.designs) > 0 {
		key = "eu:" + euRefSegment(programKey)
		for n := 2; euHasRel(en, en.rec.Ref+"#"+key); n++ {
			key = "eu:" + euRefSegment(programKey) + "~" + strconv.Itoa(n)
		}
	}
	je.designs[programKey] = key
	en.designate(Designator(euCouncil, "eu", programKey, programKey), key, props)
}

func euHasRel(en *entry, ref string) bool {
	for _, r := range en.rec.Relationships {
		if r.Ref == ref {
			return true
		}
	}
	return false
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// euHasProp reports whether the entry's schema has property p.
func euHasProp(en *entry, p string) bool {
	if s := en.e.SchemaDef(); s != nil {
		_, ok := s.Props[p]
		return ok
	}
	return false
}

// euAddProp adds v to prop if the entry's schema has it, else keeps it as
// the note "label: v".
func euAddProp(en *entry, prop, label, v string) {
	if euHasProp(en, prop) {
		en.add(prop, v)
	} else if v = cleanValue(v); v != "" {
		en.add("notes", label+": "+v)
	}
}

// euIdentifiersInText adds SWIFT/BIC codes and IMO numbers stated in prose.
func euIdentifiersInText(en *entry, text string) {
	// identifiersInText's expressions are slow on long prose; most reasons
	// state no identifier.
	if l := strings.ToLower(text); !strings.Contains(l, "swift") && !strings.Contains(l, "imo") {
		return
	}
	for p, vals := range identifiersInText(text) {
		if euHasProp(en, p) {
			en.add(p, vals...)
		}
	}
}

// euSplitCell splits a multi-valued cell: values are separated by ";" and
// a value holding ";" or '"' is CSV-quoted ("\"Foo; Bar\"; Baz").
func euSplitCell(cell string) []string {
	var parts []string
	if strings.IndexByte(cell, '"') < 0 {
		parts = strings.Split(cell, ";")
	} else {
		r := csv.NewReader(strings.NewReader(cell))
		r.Comma, r.TrimLeadingSpace, r.LazyQuotes, r.FieldsPerRecord = ';', true, true, -1
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				parts = strings.Split(cell, ";")
				break
			}
			parts = append(parts, rec...)
		}
	}
	out := parts[:0]
	for _, p := range parts {
		if p = cleanValue(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// euRefSegment makes an id printed by the act usable in a ref: no spaces
// or control characters ("5 (a)" -> "5(a)"), no '#'.
func euRefSegment(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r) || unicode.IsControl(r):
			return -1
		case r == '#':
			return '-'
		}
		return r
	}, s)
}

// euSlug makes the id of an entry the act prints without a number from
// its name: "Abu Sayyaf Group" -> "abu-sayyaf-group".
func euSlug(name string) string {
	s := slug(strings.ToValidUTF8(name, ""))
	var b strings.Builder
	for _, r := range s {
		if b.Len()+utf8.RuneLen(r) > 80 {
			break
		}
		if r == utf8.RuneError {
			continue
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			r = '-'
		}
		b.WriteRune(r)
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		out = "x"
	}
	return out
}

// Dates and countries as the acts print them.

var (
	// euEnumRE finds enumeration markers: "(a) ", "b) ", "(ii) ".
	euEnumRE = regexp.MustCompile(`(?i)(?:^|[\s,;])\(?(?:[a-h]|i{1,3}|iv|vi{0,3})\)\s*`)
	// euParenRE finds a parenthetical.
	euParenRE = regexp.MustCompile(`\([^()]*\)`)
	// euDateQualRE finds the words around an approximate date.
	euDateQualRE = regexp.MustCompile(`(?i)^(?:circa|ca\.|c\.|approximately|approx\.|around|about|probably|possibly|presumably|reportedly|on or around|on or about|established|founded|in)\s+`)
	// euDateRangeRE finds wording that makes a date a range or bound.
	euDateRangeRE = regexp.MustCompile(`(?i)\b(?:between|before|after|until|from|since|hijri|calendar|islamic)\b`)
	// euOrRE splits alternatives.
	euOrRE = regexp.MustCompile(`(?i)\s*(?:[,;]|\bor\b)\s*`)
)

var (
	euDottedSpaceRE = regexp.MustCompile(`^(\d{1,2})\.\s*(\d{1,2})[.\s]\s*(\d{4})$`) // "10.8. 1960", "28.01 1966"
	euMonthDotRE    = regexp.MustCompile(`^(\d{1,2}\s+[A-Za-z]{3,9})\.(\d{4})$`)     // "8 Oct.1967"
)

// euDateTidy undoes the typography slips of dates in the acts.
func euDateTidy(s string) string {
	if m := euDottedSpaceRE.FindStringSubmatch(s); m != nil {
		return m[1] + "." + m[2] + "." + m[3]
	}
	if m := euMonthDotRE.FindStringSubmatch(s); m != nil {
		return m[1] + ". " + m[2]
	}
	return s
}

// euDates reads a date cell ("25.5.1972", "(a) 11.4.1963; (b) 11.4.1960",
// "circa 1957") as FtM dates. lost reports that the cell says more than
// the dates (an approximation, a range, words that are no date), so the
// caller keeps its wording.
func euDates(s string) (dates []string, lost bool) {
	s = euDateTidy(strings.TrimSpace(s))
	if d := listDate(s); d != "" {
		return []string{d}, false
	}
	if euDateRangeRE.MatchString(s) {
		return nil, true
	}
	s = euEnumRE.ReplaceAllString(s, ";")
	if t := euParenRE.ReplaceAllString(s, " "); t != s {
		s, lost = t, true
	}
	for _, p := range euOrRE.Split(s, -1) {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		for {
			q := euDateQualRE.ReplaceAllString(p, "")
			if q == p {
				break
			}
			p, lost = q, true
		}
		if d := listDate(euDateTidy(p)); d != "" {
			dates = append(dates, d)
		} else {
			lost = true
		}
	}
	return dates, lost
}

var (
	euCountrySplitRE = regexp.MustCompile(`\s*(?:[,;/]|\.\s+)\s*`)
	euCountryAndRE   = regexp.MustCompile(`(?i)\s+(?:and/or|and|or)\s+`)
	euCountryQualRE  = regexp.MustCompile(`(?i)^(?:allegedly|possibly|presumably|probably|assumed|reportedly|of the)\s+|\s+(?:by birth|since \d{4}|passport|nationality|citizen)$`)
)

// euDemonyms are spellings of the acts that graph.CountryCode does not
// know.
var euDemonyms = map[string]string{
	"finnish": "fi", "norwegian": "no", "belgian": "be", "romanian": "ro", "croatian": "hr", "montenegrin": "me",
	"honduran": "hn", "guatemalan": "gt", "cameroonian": "cm", "togolese": "tg", "ivorian": "ci", "burkinabe": "bf",
	"uzbekistani": "uz", "afgan": "af", "burma": "mm", "myanmar/burma": "mm", "dutch": "nl", "danish": "dk",
	"swedish": "se", "polish": "pl", "czech": "cz", "slovak": "sk", "hungarian": "hu", "bulgarian": "bg",
	"greek": "gr", "portuguese": "pt", "irish": "ie", "austrian": "at", "kazakh": "kz", "kyrgyz": "kg",
	"tajik": "tj", "turkmen": "tm", "mongolian": "mn", "vietnamese": "vn", "cambodian": "kh", "laotian": "la",
	"thai": "th", "bangladeshi": "bd", "sri lankan": "lk", "nepalese": "np", "emirati": "ae", "omani": "om",
	"bahraini": "bh", "ethiopian": "et", "eritrean": "er", "djiboutian": "dj", "gambian": "gm", "ghanaian": "gh",
	"liberian": "lr", "sierra leonean": "sl", "zambian": "zm", "mozambican": "mz", "angolan": "ao",
	"central african": "cf", "panamanian": "pa", "cuban": "cu", "mexican": "mx", "colombian": "co",
	"peruvian": "pe", "bolivian": "bo", "ecuadorian": "ec", "argentinian": "ar", "argentine": "ar",
	"brazilian": "br", "chilean": "cl", "paraguayan": "py", "uruguayan": "uy", "salvadoran": "sv",
	"costa rican": "cr", "dominican": "do", "jamaican": "jm", "new zealander": "nz", "japanese": "jp",
	"slovenian": "si", "estonian": "ee", "maltese": "mt", "luxembourgish": "lu", "icelandic": "is",
	"albanian": "al", "macedonian": "mk", "kosovar": "xk", "bosnian": "ba", "moldovan": "md", "georgian": "ge",
}

func euCountry(s string) string {
	if c := graph.CountryCode(s); c != "" {
		return c
	}
	return euDemonyms[strings.ToLower(strings.TrimSpace(s))]
}

// euCountryCodes reads a country cell ("DPRK", "Russian, Ukrainian",
// "(a) German; (b) Algerian") as FtM country codes. lost reports that it
// says more than the countries (a qualifier, words that name no country),
// so the caller keeps its wording.
func euCountryCodes(s string) (codes []string, lost bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "."))
	if c := euCountry(s); c != "" {
		return []string{c}, false
	}
	s = euEnumRE.ReplaceAllString(s, ";")
	if t := euParenRE.ReplaceAllString(s, " "); t != s {
		s, lost = t, true
	}
	for _, p := range euCountrySplitRE.Split(s, -1) {
		p = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(p), "."))
		if p == "" {
			continue
		}
		for {
			q := strings.TrimSpace(euCountryQualRE.ReplaceAllString(p, ""))
			if q == p {
				break
			}
			p, lost = q, true
		}
		if c := euCountry(p); c != "" {
			codes = appendDistinct(codes, c)
			continue
		}
		// "Iranian and US", but not "Trinidad and Tobago" (known whole).
		for _, q := range euCountryAndRE.Split(p, -1) {
			if c := euCountry(q); c != "" {
				codes = appendDistinct(codes, c)
			} else {
				lost = true
			}
		}
	}
	return codes, lost
}

func appendDistinct(list []string, v string) []string {
	if containsFold(list, v) {
		return list
	}
	return append(list, v)
}

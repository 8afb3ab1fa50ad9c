package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// OFAC's legacy delimited files: sdn.csv (or cons_prim.csv for the
// consolidated non-SDN list) with its siblings add.csv, alt.csv and
// sdn_comments.csv (cons_add.csv, cons_alt.csv, cons_comments.csv). No
// header; "-0-" is null; the files end with a 0x1A byte.
//
//	sdn.csv       ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign,
//	              Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks
//	add.csv       ent_num, Add_num, Address, City/State/Province/Postal Code, Country, Add_remarks
//	alt.csv       ent_num, alt_num, alt_type (aka, fka, nka), alt_name, alt_remarks
//	sdn_comments  ent_num, Remarks_Extended (the rest of a Remarks cut at the column's length)

// OFACEntryURL is the public page of an OFAC list entry.
const OFACEntryURL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id="

// ofacList names one of OFAC's lists and the files of its delimited set.
type ofacList struct {
	info                      ListInfo
	addFile, altFile, comFile string // sibling file names
}

func ofacListOf(path string) ofacList {
	base := strings.ToLower(filepath.Base(path))
	if strings.HasPrefix(base, "cons") {
		return ofacList{
			info: ListInfo{Dataset: "us_ofac_cons", Title: "OFAC Consolidated (non-SDN) list", Prefix: "ofac-cons:",
				Snapshot: true, URL: "https://www.treasury.gov/ofac/downloads/consolidated/cons_prim.csv"},
			addFile: "cons_add.csv", altFile: "cons_alt.csv", comFile: "cons_comments.csv",
		}
	}
	return ofacList{
		info: ListInfo{Dataset: "us_ofac_sdn", Title: "OFAC Specially Designated Nationals (SDN) list", Prefix: "ofac:",
			Snapshot: true, URL: "https://www.treasury.gov/ofac/downloads/sdn.csv"},
		addFile: "add.csv", altFile: "alt.csv", comFile: "sdn_comments.csv",
	}
}

// OFACSiblings returns the sibling files (addresses, aliases, remarks
// overflow) that are read with an OFAC main file.
func OFACSiblings(path string) []string {
	l := ofacListOf(path)
	dir := filepath.Dir(path)
	return []string{filepath.Join(dir, l.addFile), filepath.Join(dir, l.altFile), filepath.Join(dir, l.comFile)}
}

// firstCSVRow parses the first line of head as CSV.
func firstCSVRow(head []byte) []string {
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	r := csv.NewReader(bytes.NewReader(line))
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err != nil {
		return nil
	}
	return rec
}

func isDigits(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func sniffOFACCSV(head []byte) bool {
	rec := firstCSVRow(head)
	return len(rec) == 12 && isDigits(rec[0]) && bytes.Contains(head, []byte("-0-"))
}

// ofacPartKind says which sibling file a row shape belongs to.
func ofacPartKind(head []byte) string {
	rec := firstCSVRow(head)
	switch {
	case len(rec) == 6 && isDigits(rec[0]) && isDigits(rec[1]) && bytes.Contains(head, []byte("-0-")):
		return "address"
	case len(rec) == 5 && isDigits(rec[0]) && isDigits(rec[1]) && isAltType(rec[2]):
		return "alias"
	case len(rec) == 2 && isDigits(rec[0]) && !bytes.Contains(head[:min(len(head), 4096)], []byte("\n{")):
		return "remarks overflow"
	}
	return ""
}

func isAltType(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "aka", "fka", "nka":
		return true
	}
	return false
}

func sniffOFACCSVPart(head []byte) bool { return ofacPartKind(head) != "" }

func parseOFACCSVPart(ctx context.Context, src *listSource) (*ListParse, error) {
	head, _ := src.In.Peek(4096)
	return nil, &FileError{File: src.Name, Msg: fmt.Sprintf("this is the %s file of OFAC's legacy delimited set: "+
		"ingest sdn.csv (or cons_prim.csv), which reads it from the same folder", ofacPartKind(head))}
}

// ofacRows reads an OFAC delimited file of want columns, calling fn with
// each row and its line. Rows with another number of columns are returned
// as rejects; a malformed file is a FileError.
func ofacRows(name string, r io.Reader, want int, fn func(line int, row []string)) (rejects []*RecordError, sawEOF bool, err error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	// A row with the wrong number of fields is rejected, unless it is the
	// last one: a file cut short ends in a row cut short, and then no row
	// of it can be trusted to be the whole list.
	var short *RecordError
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			if short != nil && sawEOF {
				rejects = append(rejects, short) // garbled, but the file is whole
			} else if short != nil {
				return rejects, false, &FileError{File: name, Line: short.Line,
					Msg: fmt.Sprintf("the last row %s: the file is cut short; nothing of it was ingested", short.Msg)}
			}
			return rejects, sawEOF, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return rejects, false, &FileError{File: name, Line: pe.Line, Msg: "malformed CSV", Err: pe.Err}
			}
			return rejects, false, readError(name, 0, err)
		}
		line, _ := cr.FieldPos(0)
		if len(row) == 1 && strings.Trim(row[0], "\x1a \r\n") == "" {
			sawEOF = sawEOF || strings.Contains(row[0], "\x1a")
			continue
		}
		if short != nil {
			rejects = append(rejects, short)
			short = nil
		}
		if len(row) != want {
			short = &RecordError{File: name, Line: line,
				Msg: fmt.Sprintf("has %d fields, want %d (a cut or garbled line?)", len(row), want)}
			continue
		}
		if !isDigits(row[0]) {
			rejects = append(rejects, &RecordError{File: name, Line: line, Field: "ent_num", Msg: fmt.Sprintf("%q is not an entry number", shorten(row[0], 40))})
			continue
		}
		fn(line, row)
	}
}

// ofacEntry is an entry being read, with what still needs the whole list.
type ofacEntry struct {
	*entry
	num     string
	remarks string // kept until the comments file has been read
	links   []pendingLink
}

// pendingLink is a link an entry states by name.
type pendingLink struct {
	kind  graph.RelType
	name  string // the name to resolve
	text  string // the words of the list
	role  string
	owner bool // the named party owns the entry (Vess_owner)
}

func parseOFACCSV(ctx context.Context, src *listSource) (*ListParse, error) {
	l := ofacListOf(src.Path)
	if src.Path == "" {
		l = ofacListOf(src.Name)
	}
	lp := &ListParse{Info: l.info}
	var entries []*ofacEntry
	byNum := map[string]*ofacEntry{}
	rejects, sawEOF, err := ofacRows(src.Name, src.In, 12, func(line int, row []string) {
		num := strings.TrimSpace(row[0])
		if byNum[num] != nil {
			lp.Rejects = append(lp.Rejects, &RecordError{File: src.Name, Line: line, Field: "ent_num", Msg: fmt.Sprintf("entry %s appears twice (first at line %d)", num, byNum[num].Line)})
			return
		}
		name := cleanValue(row[1])
		if name == "" {
			lp.Rejects = append(lp.Rejects, &RecordError{File: src.Name, Line: line, Field: "SDN_Name", Msg: "the entry has no name"})
			return
		}
		schema := "Organization"
		switch strings.ToLower(cleanValue(row[2])) {
		case "individual":
			schema = "Person"
		case "vessel":
			schema = "Vessel"
		case "aircraft":
			schema = "Airplane"
		case "":
		default:
			lp.Notes = appendNote(lp.Notes, fmt.Sprintf("unknown SDN_Type %q (read as an organisation)", cleanValue(row[2])))
		}
		s := graph.Source{Dataset: l.info.Dataset, RecordID: num, URL: OFACEntryURL + num}
		oe := &ofacEntry{entry: newEntry(l.info.Prefix+num, schema, s, line), num: num}
		oe.addName("name", name)
		if schema == "Person" {
			if last, first, ok := strings.Cut(name, ","); ok {
				oe.add("lastName", last)
				oe.add("firstName", first)
			}
			oe.addChecked("position", "Title", row[4])
		} else {
			oe.addChecked("notes", "Title", row[4])
		}
		for _, p := range splitPrograms(row[3]) {
			oe.designate(Designator("US OFAC", "us", "", p), p, map[string][]string{"authorityId": {num}, "sourceUrl": {OFACEntryURL + num}})
		}
		oe.addChecked("callSign", "Call sign", row[5])
		oe.addChecked("type", "Vessel type", row[6])
		oe.addChecked("tonnage", "Tonnage", strings.ReplaceAll(cleanValue(row[7]), ",", ""))
		oe.addChecked("grossRegisteredTonnage", "Gross registered tonnage", strings.ReplaceAll(cleanValue(row[8]), ",", ""))
		if flag := cleanValue(row[9]); flag != "" {
			if c := graph.CountryCode(flag); c != "" {
				oe.addChecked("flag", "Flag", c)
			} else {
				oe.add("notes", "Flag: "+flag)
			}
		}
		if owner := cleanValue(row[10]); owner != "" {
			oe.add("notes", "Vessel owner: "+owner)
			oe.links = append(oe.links, pendingLink{kind: graph.RelOwns, name: owner, text: "Vessel owner: " + owner, role: "vessel owner", owner: true})
		}
		oe.remarks = cleanValue(row[11])
		entries = append(entries, oe)
		byNum[num] = oe
	})
	if err != nil {
		return nil, err
	}
	lp.Rejects = append(rejects, lp.Rejects...)
	if len(entries) == 0 && len(lp.Rejects) == 0 {
		return nil, &FileError{File: src.Name, Msg: "no entries: the file is empty"}
	}
	lp.Info.ProvesComplete = l.info.Snapshot
	if sawEOF {
		lp.Info.Complete = "OFAC's end-of-file byte (0x1A)"
	} else if len(entries) > 0 {
		lp.Notes = append(lp.Notes, "the file does not end with OFAC's end-of-file byte (0x1A): if it was cut short, entries are missing")
	}
	if src.Path != "" {
		dir := filepath.Dir(src.Path)
		if err := readOFACSibling(ctx, filepath.Join(dir, l.comFile), 2, lp, byNum, func(oe *ofacEntry, row []string) {
			oe.remarks += row[1] // the rest of a remarks cut at the column's length
		}); err != nil {
			return nil, err
		}
		if err := readOFACSibling(ctx, filepath.Join(dir, l.altFile), 5, lp, byNum, func(oe *ofacEntry, row []string) {
			addOFACAlias(oe.entry, row[2], row[3], row[4])
		}); err != nil {
			return nil, err
		}
		if err := readOFACSibling(ctx, filepath.Join(dir, l.addFile), 6, lp, byNum, func(oe *ofacEntry, row []string) {
			addOFACAddress(oe.entry, row[2], row[3], row[4], row[5])
		}); err != nil {
			return nil, err
		}
	} else {
		lp.Notes = append(lp.Notes, "read from a stream: the sibling files (addresses, aliases, remarks overflow) could not be read")
	}
	names := newNameTable()
	for _, oe := range entries {
		oe.links = append(oe.links, ofacRemarks(oe.entry, oe.remarks)...)
		for _, p := range []string{"name", "alias", "previousName"} {
			for _, n := range oe.e.Props[p] {
				names.add(oe.rec.Ref, n, p == "name")
			}
		}
	}
	for _, oe := range entries {
		resolveLinks(lp, names, oe.entry, oe.links)
		lp.Records = append(lp.Records, oe.record())
	}
	return lp, ctx.Err()
}

func appendNote(notes []string, n string) []string {
	for _, have := range notes {
		if have == n {
			return notes
		}
	}
	if len(notes) >= 50 {
		return notes
	}
	return append(notes, n)
}

// readOFACSibling reads one sibling file; a missing file is noted, rows
// naming entries the main file lacks are counted in a note.
func readOFACSibling(ctx context.Context, path string, cols int, lp *ListParse, byNum map[string]*ofacEntry, fn func(*ofacEntry, []string)) error {
	f, err := openFold(path)
	if errors.Is(err, os.ErrNotExist) {
		lp.Notes = append(lp.Notes, fmt.Sprintf("%s not found beside the main file: its data is missing", filepath.Base(path)))
		return nil
	}
	if err != nil {
		return &FileError{File: path, Msg: "cannot open", Err: errors.Unwrap(err)}
	}
	defer f.Close()
	orphans := 0
	rejects, _, err := ofacRows(f.Name(), newTextReader(f.Name(), f, true), cols, func(line int, row []string) {
		oe := byNum[strings.TrimSpace(row[0])]
		if oe == nil {
			orphans++
			return
		}
		fn(oe, row)
	})
	if err != nil {
		return err
	}
	lp.Rejects = append(lp.Rejects, rejects...)
	if orphans > 0 {
		lp.Notes = append(lp.Notes, fmt.Sprintf("%d rows of %s name entries the main file does not have (the files are of different dates?)", orphans, filepath.Base(path)))
	}
	return ctx.Err()
}

// openFold opens path, or the same name in another case in its folder
// (OFAC publishes SDN.CSV and sdn.csv).
func openFold(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return f, err
	}
	dir, base := filepath.Split(path)
	ents, rerr := os.ReadDir(filepath.Clean(dir))
	if rerr != nil {
		return nil, err
	}
	for _, e := range ents {
		if strings.EqualFold(e.Name(), base) {
			return os.Open(filepath.Join(dir, e.Name()))
		}
	}
	return nil, err
}

// splitPrograms splits OFAC's Program column: "NPWMD] [DPRK3".
func splitPrograms(s string) []string {
	var out []string
	for _, p := range strings.Split(cleanValue(s), "] [") {
		if p = strings.Trim(strings.TrimSpace(p), "[]"); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func addOFACAlias(en *entry, typ, name, remarks string) {
	name = cleanValue(name)
	if name == "" {
		return
	}
	prop := "alias"
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "fka":
		prop = "previousName"
	}
	if r := strings.ToLower(cleanValue(remarks)); strings.Contains(r, "weak") || strings.Contains(r, "low quality") {
		prop = "weakAlias"
	}
	en.addName(prop, name)
	if r := cleanValue(remarks); r != "" {
		en.add("notes", "Alias "+name+": "+r)
	}
}

func addOFACAddress(en *entry, street, city, country, remarks string) {
	var parts []string
	for _, p := range []string{street, city, country} {
		if p = cleanValue(p); p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) > 0 {
		en.add("address", strings.Join(parts, ", "))
	}
	if c := graph.CountryCode(cleanValue(country)); c != "" {
		en.addChecked("country", "Country", c)
	} else if cleanValue(country) != "" {
		en.add("notes", "Address country: "+cleanValue(country))
	}
	if r := cleanValue(remarks); r != "" {
		en.add("notes", "Address: "+r)
	}
}

// resolveLinks turns the links an entry states by name into edges, or
// reports them.
func resolveLinks(lp *ListParse, names *nameTable, en *entry, links []pendingLink) {
	for _, l := range links {
		target, why := names.resolve(l.name)
		if target == en.rec.Ref {
			target, why = "", "the name is the entry's own"
		}
		if target == "" {
			lp.Unresolved = append(lp.Unresolved, UnresolvedLink{Record: en.rec.Ref, Line: en.Line, Text: l.text, Name: l.name, Reason: why})
			continue
		}
		if l.owner {
			en.linkFrom(l.kind, target, l.role, l.text)
		} else {
			en.link(l.kind, target, l.role, l.text)
		}
		lp.Links++
	}
}

// ofacRemarks reads the items of an OFAC Remarks text ("DOB 01 Jan 1960;
// POB Pyongyang, Korea, North; nationality Korea, North; Passport 12345
// (Korea, North); Linked To: FOREIGN TRADE BANK OF THE DEMOCRATIC PEOPLE'S
// REPUBLIC OF KOREA.") into the entry's properties, and returns the links
// it states by name. An item it does not know is kept as a note.
func ofacRemarks(en *entry, remarks string) []pendingLink {
	var links []pendingLink
	for _, item := range splitRemarks(remarks) {
		if strings.HasPrefix(item, "(") && strings.HasSuffix(strings.TrimSuffix(item, "."), ")") {
			item = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(item, "."), "("), ")"))
		}
		label, value, field := matchRemark(item)
		if field == nil {
			en.add("notes", strings.TrimSuffix(item, "."))
			continue
		}
		if l := field.apply(en, label, value, item); l != nil {
			links = append(links, *l)
		}
	}
	return links
}

// splitRemarks splits remarks at ";" outside parentheses.
func splitRemarks(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth > 0 {
				depth--
			}
		case ';':
			if depth == 0 {
				if p := strings.TrimSpace(s[start:i]); p != "" {
					out = append(out, p)
				}
				start = i + 1
			}
		}
	}
	if p := strings.TrimSpace(s[start:]); p != "" {
		out = append(out, p)
	}
	return out
}

// remarkField is one kind of item in OFAC remarks.
type remarkField struct {
	prop string
	// kind decides how the value is read.
	kind remarkKind
}

type remarkKind uint8

const (
	rkIdentifier remarkKind = iota // "Passport 12345 (Russia) issued ..." -> the number
	rkText                         // the value as it is
	rkDate                         // DOB, established date
	rkCountry                      // nationality, citizen
	rkGender
	rkLink  // "Linked To: NAME."
	rkAlias // "a.k.a. 'NAME'"
	rkNote  // keep the whole item as a note
	rkIMO   // "IMO 1234567"
	rkPlace // POB: birthPlace and birthCountry
	rkFlag  // "Other Vessel Flag Panama": a past flag
)

// remarkFields maps lower-case labels to fields. The longest label that
// starts an item wins.
var remarkFields = map[string]remarkField{
	"dob":         {"birthDate", rkDate},
	"pob":         {"birthPlace", rkPlace},
	"nationality": {"nationality", rkCountry},
	"citizen":     {"citizenship", rkCountry},
	"gender":      {"gender", rkGender},
	"linked to":   {"", rkLink},
	// OFAC publishes its weak a.k.a.s (a nickname, a single given name,
	// 'MIKE', 'PAT', 'JAK-A') in the remarks, quoted, and the strong ones
	// in alt.csv: a name from the remarks is a weak alias, whatever its
	// label.
	"a.k.a.":                              {"weakAlias", rkAlias},
	"f.k.a.":                              {"weakAlias", rkAlias},
	"n.k.a.":                              {"weakAlias", rkAlias},
	"passport":                            {"passportNumber", rkIdentifier},
	"diplomatic passport":                 {"passportNumber", rkIdentifier},
	"stateless person passport":           {"passportNumber", rkIdentifier},
	"national id no.":                     {"idNumber", rkIdentifier},
	"national id no":                      {"idNumber", rkIdentifier},
	"national foreign id number":          {"idNumber", rkIdentifier},
	"cedula no.":                          {"idNumber", rkIdentifier},
	"d.n.i.":                              {"idNumber", rkIdentifier},
	"identification number":               {"idNumber", rkIdentifier},
	"personal id card":                    {"idNumber", rkIdentifier},
	"citizen's card number":               {"idNumber", rkIdentifier},
	"residency number":                    {"idNumber", rkIdentifier},
	"kenyan id no.":                       {"idNumber", rkIdentifier},
	"romanian personal id":                {"idNumber", rkIdentifier},
	"bosnian personal id no.":             {"idNumber", rkIdentifier},
	"curp #":                              {"idNumber", rkIdentifier},
	"c.u.r.p.":                            {"idNumber", rkIdentifier},
	"driver's license no.":                {"idNumber", rkIdentifier},
	"ssn":                                 {"socialSecurityNumber", rkIdentifier},
	"tax id no.":                          {"taxNumber", rkIdentifier},
	"nit #":                               {"taxNumber", rkIdentifier},
	"ruc #":                               {"taxNumber", rkIdentifier},
	"r.f.c.":                              {"taxNumber", rkIdentifier},
	"rfc":                                 {"taxNumber", rkIdentifier},
	"c.u.i.t.":                            {"taxNumber", rkIdentifier},
	"cuit":                                {"taxNumber", rkIdentifier},
	"tax identification number":           {"taxNumber", rkIdentifier},
	"v.a.t. number":                       {"vatCode", rkIdentifier},
	"vat number":                          {"vatCode", rkIdentifier},
	"registration number":                 {"registrationNumber", rkIdentifier},
	"business registration number":        {"registrationNumber", rkIdentifier},
	"business registration document #":    {"registrationNumber", rkIdentifier},
	"registration id":                     {"registrationNumber", rkIdentifier},
	"company number":                      {"registrationNumber", rkIdentifier},
	"uk company number":                   {"registrationNumber", rkIdentifier},
	"commercial registry number":          {"registrationNumber", rkIdentifier},
	"c.r. no.":                            {"registrationNumber", rkIdentifier},
	"folio mercantil no.":                 {"registrationNumber", rkIdentifier},
	"matricula mercantil no":              {"registrationNumber", rkIdentifier},
	"chamber of commerce number":          {"registrationNumber", rkIdentifier},
	"business number":                     {"registrationNumber", rkIdentifier},
	"trade license no.":                   {"registrationNumber", rkIdentifier},
	"public registration number":          {"registrationNumber", rkIdentifier},
	"certificate of incorporation number": {"registrationNumber", rkIdentifier},
	"enterprise number":                   {"registrationNumber", rkIdentifier},
	"government gazette number":           {"registrationNumber", rkIdentifier},
	"economic register number (cbls)":     {"registrationNumber", rkIdentifier},
	"unified social credit code (uscc)":   {"registrationNumber", rkIdentifier},
	"istanbul chamber of comm. no.":       {"registrationNumber", rkIdentifier},
	"dubai chamber of commerce membership no.": {"registrationNumber", rkIdentifier},
	"license":                            {"licenseNumber", rkIdentifier},
	"legal entity number":                {"leiCode", rkIdentifier},
	"d-u-n-s number":                     {"dunsCode", rkIdentifier},
	"swift/bic":                          {"swiftBic", rkIdentifier},
	"company number imo":                 {"imoNumber", rkIMO},
	"identification number imo":          {"imoNumber", rkIMO},
	"vessel registration identification": {"imoNumber", rkIMO},
	"mmsi":                               {"mmsi", rkIdentifier},
	"vessel year of build":               {"buildDate", rkDate},
	"other vessel flag":                  {"pastFlags", rkFlag},
	"former vessel flag":                 {"pastFlags", rkFlag},
	"other vessel call sign":             {"callSign", rkText},
	"other vessel type":                  {"pastTypes", rkText},
	"aircraft manufacturer's serial number (msn)": {"serialNumber", rkIdentifier},
	"aircraft model":                {"model", rkText},
	"aircraft manufacture date":     {"buildDate", rkDate},
	"aircraft tail number":          {"registrationNumber", rkIdentifier},
	"previous aircraft tail number": {"registrationNumber", rkIdentifier},
	"aircraft operator":             {"", rkNote},
	"aircraft construction number (also called l/n or s/n or f/n)": {"", rkNote},
	"organization established date":                                {"incorporationDate", rkDate},
	"organization type:":                                           {"sector", rkText},
	"target type":                                                  {"classification", rkText},
	"website":                                                      {"website", rkText},
	"email address":                                                {"email", rkText},
	"phone number":                                                 {"phone", rkText},
}

// maxRemarkLabel is the length of the longest label.
var maxRemarkLabel = func() int {
	n := 0
	for k := range remarkFields {
		n = max(n, len(k))
	}
	return n
}()

// matchRemark finds the field an item is about: the longest label that
// starts it (after an "alt. "), followed by a space, a colon or the end.
func matchRemark(item string) (label, value string, f *remarkField) {
	body := item
	if len(body) > 5 && strings.EqualFold(body[:5], "alt. ") {
		body = body[5:]
	}
	low := strings.ToLower(body[:min(len(body), maxRemarkLabel+1)])
	for n := min(len(low), maxRemarkLabel); n > 0; n-- {
		rf, ok := remarkFields[low[:n]]
		if !ok {
			continue
		}
		if n < len(body) && body[n] != ' ' && body[n] != ':' && low[n-1] != ':' && low[n-1] != '.' {
			continue
		}
		v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(body[n:]), ":"))
		return body[:n], v, &rf
	}
	return "", "", nil
}

// apply reads value into the entry; it returns a link for "Linked To".
func (f *remarkField) apply(en *entry, label, value, item string) *pendingLink {
	value = strings.TrimSpace(value)
	switch f.kind {
	case rkLink:
		name := strings.TrimSpace(value)
		if name == "" {
			en.add("notes", item)
			return nil
		}
		return &pendingLink{kind: graph.RelLinkedTo, name: name, text: strings.TrimSpace(item), role: "Linked To"}
	case rkAlias:
		name := strings.Trim(strings.TrimSuffix(value, "."), "'\" ")
		if name != "" {
			en.addName(f.prop, name)
		}
		return nil
	case rkNote:
		en.add("notes", strings.TrimSuffix(item, "."))
		return nil
	}
	value = strings.TrimSuffix(value, ".")
	if value == "" {
		en.add("notes", item)
		return nil
	}
	switch f.kind {
	case rkIdentifier:
		num, rest := splitIdentifier(value)
		if num == "" {
			en.add("notes", strings.TrimSuffix(item, "."))
			return nil
		}
		if f.prop == "swiftBic" {
			num = strings.ToUpper(num)
		}
		en.addChecked(f.prop, label, num)
		if rest != "" && !(strings.HasPrefix(rest, "(") && strings.HasSuffix(rest, ")") && strings.Count(rest, "(") == 1) {
			en.add("notes", label+" "+num+" "+rest)
		}
	case rkIMO:
		v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(value), "IMO"))
		if num, _ := splitIdentifier(v); ValidIMO(num) {
			en.addChecked(f.prop, label, num)
		} else {
			en.add("notes", strings.TrimSuffix(item, "."))
		}
	case rkText:
		en.addChecked(f.prop, label, value)
	case rkDate:
		dates, exact := ofacDates(value)
		en.addChecked(f.prop, label, dates...)
		if !exact {
			en.add("notes", strings.TrimSuffix(item, "."))
		}
	case rkCountry:
		if c := graph.CountryCode(value); c != "" {
			en.addChecked(f.prop, label, c)
		} else {
			en.add("notes", strings.TrimSuffix(item, "."))
		}
	case rkFlag:
		if c := graph.CountryCode(value); c != "" {
			en.addChecked(f.prop, label, c)
		} else {
			en.add("notes", strings.TrimSuffix(item, "."))
		}
	case rkGender:
		switch g := strings.ToLower(value); g {
		case "male", "female":
			en.addChecked("gender", label, g)
		default:
			en.add("notes", strings.TrimSuffix(item, "."))
		}
	case rkPlace:
		en.addChecked("birthPlace", label, value)
		if c := graph.CountryOfAddress(value); c != "" {
			en.addChecked("birthCountry", label, c)
		}
	}
	return nil
}

// splitIdentifier splits "12345 (Korea, North) issued 01 Jan 2010" into the
// number and the rest.
func splitIdentifier(v string) (num, rest string) {
	cut := len(v)
	for _, sep := range []string{" (", " issued", " expires", " Issue Date", " Expire Date"} {
		if i := strings.Index(v, sep); i >= 0 && i < cut {
			cut = i
		}
	}
	num = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v[:cut]), ","))
	rest = strings.TrimSpace(v[cut:])
	if strings.ContainsAny(num, " ") && len(strings.Fields(num)) > 3 {
		return "", v // prose, not a number
	}
	return num, rest
}

// ofacDates reads a DOB or year value: "01 Jan 1960", "Jan 1960", "1960",
// "circa 1960", "1960 to 1962", "01 Jan 1960 to 31 Dec 1962". exact is
// false when the value is approximate or a range (the caller then keeps
// the words as a note).
func ofacDates(v string) (dates []string, exact bool) {
	v = strings.TrimSpace(v)
	if d := listDate(v); d != "" {
		return []string{d}, true
	}
	low := strings.ToLower(v)
	for _, p := range []string{"circa ", "circa-", "approximately ", "approx. ", "about "} {
		if strings.HasPrefix(low, p) {
			if d := listDate(v[len(p):]); d != "" {
				return []string{d}, false
			}
		}
	}
	if a, b, ok := strings.Cut(v, " to "); ok {
		da, db := listDate(a), listDate(b)
		if da == "" || db == "" {
			return nil, false
		}
		ya, _ := strconv.Atoi(da[:4])
		yb, _ := strconv.Atoi(db[:4])
		if len(da) == 4 && len(db) == 4 && yb >= ya && yb-ya <= 10 {
			for y := ya; y <= yb; y++ {
				dates = append(dates, strconv.Itoa(y))
			}
			return dates, false
		}
		return []string{da, db}, false
	}
	return nil, false
}

package ingest

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// UK HM Treasury / OFSI consolidated list of financial sanctions targets,
// CSV ("ConList.csv", the legacy format OFSI published until 2025):
//
//	Last Updated,27/04/2020
//	Name 6,Name 1,...,Name 5,Title,...,Group Type,Alias Type,Alias Quality,Regime,Listed On,UK Sanctions List Date Designated,Last Updated,Group ID
//	HOJATI,Mohsen,,,,,,محسن حجتی,...,Individual,Prime Alias,,Iran (nuclear proliferation),24/03/2007,,27/06/2017,9053
//
// The file has one row per name (and per date of birth, ...) of a listed
// party; the rows sharing a Group ID are one party and become one record
// "uk:<Group ID>". Columns are found by their header names, so older and
// newer versions of the layout read alike.

const (
	ukDataset = "gb_hmt_sanctions"
	ukTitle   = "UK HM Treasury (OFSI) consolidated list"
	ukPrefix  = "uk:"
	ukURL     = "https://www.gov.uk/government/publications/financial-sanctions-consolidated-list-of-targets"
)

// ukCol is a column of the consolidated list.
type ukCol int

const (
	ukName6 ukCol = iota
	ukName1
	ukName2
	ukName3
	ukName4
	ukName5
	ukTitleCol
	ukNonLatin
	ukNonLatinType
	ukNonLatinLang
	ukDOB
	ukTownOfBirth
	ukCountryOfBirth
	ukNationality
	ukPassport
	ukPassportDetails
	ukNationalID
	ukNationalIDDetails
	ukPosition
	ukAddress1
	ukAddress2
	ukAddress3
	ukAddress4
	ukAddress5
	ukAddress6
	ukPostcode
	ukCountry
	ukOtherInfo
	ukGroupType
	ukAliasType
	ukAliasQuality
	ukRegime
	ukListedOn
	ukDesignated
	ukLastUpdated
	ukGroupID
	// Columns of some versions only.
	ukIMO
	ukFlag
	ukShipType
	ukEmail
	ukWebsite
	ukPhone
	ukRegNumber
	ukNumCols
)

// ukHeaders maps header names (lower case, single spaces) to columns,
// including the spellings OFSI used over the years.
var ukHeaders = map[string]ukCol{
	"name 6": ukName6, "name 1": ukName1, "name 2": ukName2, "name 3": ukName3, "name 4": ukName4, "name 5": ukName5,
	"title": ukTitleCol, "name non-latin script": ukNonLatin, "non-latin script type": ukNonLatinType,
	"non-latin script language": ukNonLatinLang,
	"dob":                       ukDOB, "date of birth": ukDOB, "d.o.b": ukDOB, "d.o.b.": ukDOB,
	"town of birth": ukTownOfBirth, "country of birth": ukCountryOfBirth,
	"nationality": ukNationality, "nationality(/ies)": ukNationality,
	"passport number": ukPassport, "passport no": ukPassport, "passport details": ukPassportDetails,
	"national identification number": ukNationalID, "ni number": ukNationalID, "national identifier number": ukNationalID,
	"ni details": ukNationalIDDetails, "national identification details": ukNationalIDDetails,
	"position":  ukPosition,
	"address 1": ukAddress1, "address 2": ukAddress2, "address 3": ukAddress3, "address 4": ukAddress4,
	"address 5": ukAddress5, "address 6": ukAddress6, "post/zip code": ukPostcode, "postcode": ukPostcode,
	"country": ukCountry, "other information": ukOtherInfo,
	"group type": ukGroupType, "alias type": ukAliasType, "name type": ukAliasType, "alias quality": ukAliasQuality,
	"regime": ukRegime, "regime name": ukRegime, "listed on": ukListedOn, "date listed": ukListedOn,
	"uk sanctions list date designated": ukDesignated, "date designated": ukDesignated,
	"last updated": ukLastUpdated, "group id": ukGroupID,
	"imo number": ukIMO, "ship imo number": ukIMO, "current believed flag of ship": ukFlag, "flag of ship": ukFlag,
	"type of ship": ukShipType, "ship type": ukShipType,
	"email address": ukEmail, "email": ukEmail, "website": ukWebsite, "phone number": ukPhone,
	"business registration number(s)": ukRegNumber, "business registration number": ukRegNumber,
}

// ukRequired are the columns without which a file is not the consolidated
// list.
var ukRequired = []struct {
	col  ukCol
	name string
}{{ukName6, "Name 6"}, {ukGroupType, "Group Type"}, {ukGroupID, "Group ID"}}

func ukHeaderKey(s string) string {
	s = strings.Trim(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")), `"`)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// ukIsHeader reports whether a row is the column header.
func ukIsHeader(cells []string) bool {
	var name6, gid bool
	for _, c := range cells {
		switch ukHeaderKey(c) {
		case "name 6":
			name6 = true
		case "group id":
			gid = true
		}
	}
	return name6 && gid
}

func ukIsDateLine(cells []string) bool {
	return len(cells) >= 2 && ukHeaderKey(cells[0]) == "last updated"
}

func sniffUKHMT(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	lines := bytes.SplitN(head, []byte("\n"), 3)
	// The header line only: quoted header cells are not used by OFSI.
	isHeader := func(l []byte) bool {
		return ukIsHeader(strings.Split(strings.TrimRight(string(l), "\r"), ","))
	}
	if len(lines) >= 1 && isHeader(lines[0]) {
		return true
	}
	if len(lines) >= 2 && ukIsDateLine(strings.Split(string(lines[0]), ",")) {
		return isHeader(lines[1])
	}
	return false
}

// ukRow is a data row of the file.
type ukRow struct {
	line  int
	cells []string
}

// ukGroup is the rows of one Group ID.
type ukGroup struct {
	id   string
	rows []ukRow
	err  *RecordError // the first problem of one of its rows
}

// ukTable reads the cells of a row by column.
type ukTable struct {
	idx [ukNumCols]int // index of each column in a row, -1 if absent
	// extra are header cells of columns not read as properties, by index.
	extra map[int]string
}

func (t *ukTable) get(r ukRow, c ukCol) string {
	if i := t.idx[c]; i >= 0 && i < len(r.cells) {
		return cleanValue(r.cells[i])
	}
	return ""
}

// ukName returns the name a row states: Name 1 to Name 5 and then Name 6
// (the surname, or the whole name of an entity or ship).
func (t *ukTable) name(r ukRow) string {
	var parts []string
	for _, c := range []ukCol{ukName1, ukName2, ukName3, ukName4, ukName5, ukName6} {
		if v := t.get(r, c); v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

func parseUKHMT(ctx context.Context, src *listSource) (*ListParse, error) {
	data, err := io.ReadAll(src.In)
	if err != nil {
		return nil, readError(src.Name, 0, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	lp := &ListParse{Info: ListInfo{Dataset: ukDataset, Title: ukTitle, Prefix: ukPrefix, Snapshot: true, URL: ukURL}}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &FileError{File: src.Name, Msg: "the file is empty"}
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	read := func() ([]string, int, error) {
		cells, err := r.Read()
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, pe.Line, &FileError{File: src.Name, Line: pe.Line, Msg: "malformed CSV: " + pe.Err.Error() + " (the file may be truncated)"}
			}
			return nil, 0, err
		}
		line, _ := r.FieldPos(0)
		return cells, line, nil
	}

	// The date line, then the header.
	cells, line, err := read()
	if err != nil {
		if err == io.EOF {
			return nil, &FileError{File: src.Name, Msg: "the file is empty"}
		}
		return nil, err
	}
	if ukIsDateLine(cells) {
		if d := ukDate(cells[1]); d != "" {
			lp.Info.Date = d
		} else if v := cleanValue(cells[1]); v != "" {
			lp.Notes = append(lp.Notes, fmt.Sprintf("the list date %q on line %d is not a date", v, line))
		}
		if cells, line, err = read(); err != nil {
			if err == io.EOF {
				return nil, &FileError{File: src.Name, Line: line + 1, Msg: "no column header after the \"Last Updated\" line"}
			}
			return nil, err
		}
	}
	if !ukIsHeader(cells) {
		return nil, &FileError{File: src.Name, Line: line, Msg: "no column header: an OFSI consolidated list CSV starts with \"Last Updated,<date>\" and the header \"Name 6,Name 1,...,Group ID\""}
	}
	t, err := ukReadHeader(src.Name, line, cells)
	if err != nil {
		return nil, err
	}
	if len(t.extra) > 0 {
		var names []string
		for _, h := range t.extra {
			names = append(names, strconv.Quote(h))
		}
		sort.Strings(names)
		lp.Notes = append(lp.Notes, "columns kept as notes, not read as properties: "+strings.Join(names, ", "))
	}
	width := len(cells)

	// The rows, grouped by Group ID in order of first appearance.
	var groups []*ukGroup
	byID := map[string]*ukGroup{}
	var rowErrs []*RecordError // rows that belong to no group
	var last ukRow             // the last row read
	rowErrAt := map[*RecordError]int{}
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		cells, line, err := read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		blank := true
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				blank = false
				break
			}
		}
		if blank {
			continue
		}
		row := ukRow{line: line, cells: cells}
		last = row
		gid := t.get(row, ukGroupID)
		var rowErr *RecordError
		switch {
		case len(cells) != width:
			rowErr = &RecordError{File: src.Name, Line: line, Msg: fmt.Sprintf("the row has %d cells, the header %d", len(cells), width)}
		case gid == "":
			rowErr = &RecordError{File: src.Name, Line: line, Field: "Group ID", Msg: "no Group ID: the row belongs to no listed party"}
		case checkRef(ukPrefix+gid) != "" || strings.ContainsAny(gid, "#"):
			rowErr = &RecordError{File: src.Name, Line: line, Field: "Group ID", Msg: fmt.Sprintf("Group ID %q cannot be an id", gid)}
			gid = ""
		case t.name(row) == "" && t.get(row, ukNonLatin) == "":
			rowErr = &RecordError{File: src.Name, Line: line, Field: "Name 6", Msg: "the row has no name (Name 1 to Name 6 are empty)"}
		}
		if gid == "" || len(cells) != width {
			// A row of the wrong width is not assigned to a party: its
			// cells may be shifted, its Group ID another column's.
			if rowErr != nil {
				rowErrs = append(rowErrs, rowErr)
				rowErrAt[rowErr] = len(groups)
			}
			continue
		}
		g := byID[gid]
		if g == nil {
			g = &ukGroup{id: gid}
			byID[gid] = g
			groups = append(groups, g)
		}
		if rowErr != nil && g.err == nil {
			g.err = rowErr
		}
		if rowErr == nil {
			g.rows = append(g.rows, row)
		}
	}
	if len(last.cells) != width && last.line > 0 && !bytes.HasSuffix(data, []byte("\n")) {
		return nil, &FileError{File: src.Name, Line: last.line, Msg: fmt.Sprintf("the file is truncated: its last row has %d of %d cells and no line end", len(last.cells), width)}
	}
	if len(groups) == 0 && len(rowErrs) == 0 {
		return nil, &FileError{File: src.Name, Line: line, Msg: "no entries: the file has a header but no rows"}
	}

	// Rejects in file order: rows without a group come before the groups
	// that follow them.
	ri := 0
	for gi, g := range groups {
		for ri < len(rowErrs) && rowErrAt[rowErrs[ri]] <= gi {
			lp.Rejects = append(lp.Rejects, rowErrs[ri])
			ri++
		}
		if g.err != nil {
			lp.Rejects = append(lp.Rejects, g.err)
			continue
		}
		rec, rerr := t.record(src.Name, lp.Info.Date, g)
		if rerr != nil {
			lp.Rejects = append(lp.Rejects, rerr)
			continue
		}
		lp.Records = append(lp.Records, rec)
	}
	lp.Rejects = append(lp.Rejects, rowErrs[ri:]...)
	return lp, nil
}

// ukReadHeader finds the columns of a header row.
func ukReadHeader(file string, line int, cells []string) (*ukTable, error) {
	t := &ukTable{extra: map[int]string{}}
	for i := range t.idx {
		t.idx[i] = -1
	}
	for i, c := range cells {
		k := ukHeaderKey(c)
		if k == "" {
			continue
		}
		col, ok := ukHeaders[k]
		if !ok {
			t.extra[i] = strings.TrimSpace(c)
			continue
		}
		if t.idx[col] >= 0 {
			return nil, &FileError{File: file, Line: line, Msg: fmt.Sprintf("the header names the column %q twice", strings.TrimSpace(c))}
		}
		t.idx[col] = i
	}
	var missing []string
	for _, r := range ukRequired {
		if t.idx[r.col] < 0 {
			missing = append(missing, r.name)
		}
	}
	if len(missing) > 0 {
		return nil, &FileError{File: file, Line: line, Msg: "the header lacks the columns " + strings.Join(missing, ", ") + ": this is not an OFSI consolidated list CSV"}
	}
	return t, nil
}

var (
	ukDMYRE      = regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})$`)
	ukNumberedRE = regexp.MustCompile(`\(\d{1,2}\)`)
	ukUNRefRE    = regexp.MustCompile(`(?i)\bUN\s+Ref\)?\s*:?\s*([A-Z]{2,3}[ie]\.\d{1,4})\b`)
	ukTrailingRE = regexp.MustCompile(`^(.+?)\s*\(([^()]+)\)\.?$`)
)

// ukDate reads a date of the list ("27/04/2020"; "00/09/1962" for a date
// of which only the month and year are known) as an FtM date, or "".
func ukDate(s string) string {
	s = strings.TrimSpace(s)
	if m := ukDMYRE.FindStringSubmatch(s); m != nil {
		d, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		y, _ := strconv.Atoi(m[3])
		if mo == 0 {
			d = 0 // "10/00/1983": the day of an unknown month says nothing
		}
		return formatDate(y, mo, d)
	}
	return listDate(s)
}

// ukSplitNumbered splits "(1) G123 (2) H456" into its items.
func ukSplitNumbered(s string) []string {
	var out []string
	for _, p := range ukNumberedRE.Split(s, -1) {
		if p = strings.TrimSpace(strings.TrimRight(strings.TrimSpace(p), ",;")); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// addPropElseNote adds values to prop if the entity's schema has it, and
// to "notes" as "label: value" otherwise. It reports whether prop was
// used.
func addPropElseNote(en *entry, prop, label string, values ...string) bool {
	if s := en.e.SchemaDef(); s != nil {
		if _, ok := s.Props[prop]; ok {
			en.add(prop, values...)
			return true
		}
	}
	for _, v := range values {
		if v = cleanValue(v); v != "" {
			en.add("notes", label+": "+v)
		}
	}
	return false
}

// ukSchema returns the FtM schema of a Group Type.
func ukSchema(groupType string) string {
	switch strings.ToLower(strings.TrimSpace(groupType)) {
	case "individual":
		return "Person"
	case "entity":
		return "Organization"
	case "ship", "vessel":
		return "Vessel"
	}
	return "LegalEntity"
}

// ukNameKind returns where a row's name goes: "name" for the primary
// name, "alias", "weakAlias" or "previousName".
func ukNameKind(aliasType, quality string) string {
	at := strings.ToLower(strings.Join(strings.Fields(aliasType), " "))
	q := strings.ToLower(quality)
	switch {
	case at == "primary name" || at == "prime alias" || at == "primary":
		return "name"
	case strings.Contains(at, "fka") || strings.Contains(at, "formerly") || strings.Contains(at, "previous"):
		return "previousName"
	case strings.Contains(q, "low") || strings.Contains(q, "weak"):
		return "weakAlias"
	}
	return "alias"
}

// record builds the record of one party from its rows.
func (t *ukTable) record(file, listDate string, g *ukGroup) (graph.Record, *RecordError) {
	first := g.rows[0]
	groupType := ""
	for _, r := range g.rows {
		gt := t.get(r, ukGroupType)
		switch {
		case gt == "":
		case groupType == "":
			groupType = gt
		case !strings.EqualFold(gt, groupType):
			return graph.Record{}, &RecordError{File: file, Line: r.line, Field: "Group Type",
				Msg: fmt.Sprintf("the rows of Group ID %s disagree: %q on line %d, %q here", g.id, groupType, first.line, gt)}
		}
	}
	schema := ukSchema(groupType)
	src := graph.Source{Dataset: ukDataset, RecordID: g.id, URL: ukURL, Date: listDate}
	en := newEntry(ukPrefix+g.id, schema, src, first.line)
	if schema == "LegalEntity" && groupType != "" {
		en.add("notes", "Group Type: "+groupType)
	}

	// Names: the primary name first.
	rows := make([]ukRow, 0, len(g.rows))
	for _, r := range g.rows {
		if ukNameKind(t.get(r, ukAliasType), t.get(r, ukAliasQuality)) == "name" {
			rows = append(rows, r)
		}
	}
	primaries := len(rows)
	for _, r := range g.rows {
		if ukNameKind(t.get(r, ukAliasType), t.get(r, ukAliasQuality)) != "name" {
			rows = append(rows, r)
		}
	}
	for i, r := range rows {
		kind := ukNameKind(t.get(r, ukAliasType), t.get(r, ukAliasQuality))
		if i == 0 {
			kind = "name" // without a primary row, the first row names the party
		}
		n := t.name(r)
		ukAddName(en, kind, n)
		if schema == "Person" && (i < primaries || (primaries == 0 && i == 0)) {
			en.add("firstName", t.get(r, ukName1))
			var middle []string
			for _, c := range []ukCol{ukName2, ukName3, ukName4, ukName5} {
				if v := t.get(r, c); v != "" {
					middle = append(middle, v)
				}
			}
			en.add("middleName", strings.Join(middle, " "))
			en.add("lastName", t.get(r, ukName6))
		}
		if nl := t.get(r, ukNonLatin); nl != "" {
			if len(en.e.Props["name"]) == 0 {
				ukAddName(en, "name", nl)
			} else {
				ukAddName(en, "alias", nl)
			}
		}
	}

	// Everything else, from every row.
	type desig struct {
		regime                  string
		listed, designated, upd []string
	}
	var desigs []*desig
	var unscIDs []string
	for _, r := range g.rows {
		get := func(c ukCol) string { return t.get(r, c) }
		addPropElseNote(en, "title", "Title", get(ukTitleCol))
		for _, dob := range ukSplitNumbered(get(ukDOB)) {
			d := ukDate(dob)
			if d != "" && schema == "Person" {
				en.add("birthDate", d)
				if m := ukDMYRE.FindStringSubmatch(dob); m != nil && m[2] == "00" && m[1] != "00" {
					en.add("notes", "DOB: "+dob) // the day of an unknown month
				}
				continue
			}
			en.add("notes", "DOB: "+dob)
		}
		town, cob := get(ukTownOfBirth), get(ukCountryOfBirth)
		if town != "" || cob != "" {
			place := strings.Join(ukNonEmpty(town, cob), ", ")
			addPropElseNote(en, "birthPlace", "Place of birth", place)
			if c := graph.CountryCode(cob); c != "" {
				addPropElseNote(en, "birthCountry", "Country of birth", c)
			}
		}
		for _, nat := range ukSplitNumbered(get(ukNationality)) {
			if c := graph.CountryCode(nat); c != "" && addPropElseNote(en, "nationality", "Nationality", c) {
				continue
			}
			en.add("notes", "Nationality: "+nat)
		}
		ukIdentifiers(en, "passportNumber", "Passport", get(ukPassport))
		if d := get(ukPassportDetails); d != "" {
			en.add("notes", "Passport details: "+d)
		}
		ukIdentifiers(en, "idNumber", "National identification number", get(ukNationalID))
		if d := get(ukNationalIDDetails); d != "" {
			en.add("notes", "National identification details: "+d)
		}
		addPropElseNote(en, "position", "Position", get(ukPosition))
		lines := ukNonEmpty(get(ukAddress1), get(ukAddress2), get(ukAddress3), get(ukAddress4), get(ukAddress5), get(ukAddress6), get(ukPostcode))
		country := get(ukCountry)
		code := graph.CountryCode(country)
		if code == "" && country != "" {
			code = graph.CountryOfAddress(country)
		}
		if len(lines) > 0 || (country != "" && code == "") {
			addPropElseNote(en, "address", "Address", strings.Join(append(lines, ukNonEmpty(country)...), ", "))
		}
		if code != "" {
			addPropElseNote(en, "country", "Country", code)
		}
		if other := get(ukOtherInfo); other != "" {
			en.add("notes", other)
			ids := identifiersInText(other)
			for _, p := range []string{"swiftBic", "imoNumber"} {
				if s := en.e.SchemaDef(); s != nil {
					if _, ok := s.Props[p]; ok {
						en.add(p, ids[p]...)
					}
				}
			}
			for _, m := range ukUNRefRE.FindAllStringSubmatch(other, -1) {
				if !ukContainsFold(unscIDs, m[1]) {
					unscIDs = append(unscIDs, m[1])
				}
			}
		}
		if imo := get(ukIMO); imo != "" {
			v := strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(imo), "IMO"))
			if ValidIMO(v) {
				addPropElseNote(en, "imoNumber", "IMO number", v)
			} else {
				en.add("notes", "IMO number: "+imo)
			}
		}
		if flag := get(ukFlag); flag != "" {
			if c := graph.CountryCode(flag); c == "" || !addPropElseNote(en, "flag", "Flag", c) {
				en.add("notes", "Flag: "+flag)
			}
		}
		addPropElseNote(en, "type", "Type of ship", get(ukShipType))
		addPropElseNote(en, "email", "Email", get(ukEmail))
		addPropElseNote(en, "website", "Website", get(ukWebsite))
		addPropElseNote(en, "phone", "Phone", get(ukPhone))
		addPropElseNote(en, "registrationNumber", "Business registration number", get(ukRegNumber))
		for i, h := range t.extra {
			if i < len(r.cells) {
				if v := cleanValue(r.cells[i]); v != "" {
					en.add("notes", h+": "+v)
				}
			}
		}

		regime := get(ukRegime)
		var d *desig
		for _, x := range desigs {
			if strings.EqualFold(x.regime, regime) {
				d = x
			}
		}
		if d == nil {
			d = &desig{regime: regime}
			desigs = append(desigs, d)
		}
		for _, x := range []struct {
			v     string
			into  *[]string
			label string
		}{{get(ukListedOn), &d.listed, "Listed On"}, {get(ukDesignated), &d.designated, "UK Sanctions List Date Designated"}, {get(ukLastUpdated), &d.upd, "Last Updated"}} {
			if x.v == "" {
				continue
			}
			if dt := ukDate(x.v); dt != "" {
				*x.into = append(*x.into, dt)
			} else {
				en.add("notes", x.label+": "+x.v)
			}
		}
	}
	for i, d := range desigs {
		key := "uk"
		if i > 0 {
			key = "uk:" + slug(d.regime)
		}
		props := map[string][]string{"authorityId": {g.id}}
		if v := ukMinDate(d.listed); v != "" {
			props["listingDate"] = []string{v}
		}
		if v := ukMinDate(d.designated); v != "" {
			props["startDate"] = []string{v}
		}
		if v := ukMaxDate(d.upd); v != "" {
			props["modifiedAt"] = []string{v}
		}
		if len(unscIDs) > 0 {
			props["unscId"] = unscIDs
		}
		en.designate(Designator("HM Treasury", "gb", "", d.regime), key, props)
	}
	if len(en.e.Props["name"]) == 0 {
		return graph.Record{}, &RecordError{File: file, Line: first.line, Field: "Name 6", Msg: "the party has no name"}
	}
	return en.record(), nil
}

// ukAddName adds a name that the entity does not bear yet: the rows of a
// party repeat its names (one row per date of birth, ...).
func ukAddName(en *entry, kind, n string) {
	if n = cleanValue(n); n == "" {
		return
	}
	for _, p := range []string{"name", "alias", "weakAlias", "previousName"} {
		if en.has(p, n) {
			return
		}
	}
	en.addName(kind, n)
}

// ukIdentifiers adds the numbers of a passport or ID column: "(1) A123
// (2) B456"; a trailing parenthetical ("3520025509842-7 (Pakistani)")
// goes to notes.
func ukIdentifiers(en *entry, prop, label, text string) {
	for _, v := range ukSplitNumbered(text) {
		if m := ukTrailingRE.FindStringSubmatch(v); m != nil {
			addPropElseNote(en, prop, label, m[1])
			en.add("notes", label+" "+m[1]+": "+m[2])
			continue
		}
		addPropElseNote(en, prop, label, v)
	}
}

func ukNonEmpty(vs ...string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func ukContainsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// ukMinDate and ukMaxDate return the earliest and latest of FtM dates (which
// sort as strings), or "".
func ukMinDate(ds []string) string {
	out := ""
	for _, d := range ds {
		if out == "" || d < out {
			out = d
		}
	}
	return out
}

func ukMaxDate(ds []string) string {
	out := ""
	for _, d := range ds {
		if d > out {
			out = d
		}
	}
	return out
}

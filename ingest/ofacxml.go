package ingest

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// OFAC's SDN.XML (and CONSOLIDATED.XML): <sdnList> with <publshInformation>
// and one <sdnEntry> per entry. Entries are the same as in the delimited
// files, with the same ids (uid = ent_num), so both formats give the same
// refs; identifiers, aliases, addresses, birth dates and places are
// elements rather than remarks.

type sdnXMLEntry struct {
	UID       string   `xml:"uid"`
	FirstName string   `xml:"firstName"`
	LastName  string   `xml:"lastName"`
	Title     string   `xml:"title"`
	SDNType   string   `xml:"sdnType"`
	Remarks   string   `xml:"remarks"`
	Programs  []string `xml:"programList>program"`
	IDs       []struct {
		Type    string `xml:"idType"`
		Number  string `xml:"idNumber"`
		Country string `xml:"idCountry"`
		Issued  string `xml:"issueDate"`
		Expires string `xml:"expirationDate"`
	} `xml:"idList>id"`
	AKAs []struct {
		Type      string `xml:"type"`
		Category  string `xml:"category"`
		LastName  string `xml:"lastName"`
		FirstName string `xml:"firstName"`
	} `xml:"akaList>aka"`
	Addresses []struct {
		Address1   string `xml:"address1"`
		Address2   string `xml:"address2"`
		Address3   string `xml:"address3"`
		City       string `xml:"city"`
		State      string `xml:"stateOrProvince"`
		PostalCode string `xml:"postalCode"`
		Country    string `xml:"country"`
	} `xml:"addressList>address"`
	Nationalities []string `xml:"nationalityList>nationality>country"`
	Citizenships  []string `xml:"citizenshipList>citizenship>country"`
	BirthDates    []string `xml:"dateOfBirthList>dateOfBirthItem>dateOfBirth"`
	BirthPlaces   []string `xml:"placeOfBirthList>placeOfBirthItem>placeOfBirth"`
	Vessel        *struct {
		CallSign  string `xml:"callSign"`
		Type      string `xml:"vesselType"`
		Flag      string `xml:"vesselFlag"`
		Owner     string `xml:"vesselOwner"`
		Tonnage   string `xml:"tonnage"`
		GrossTons string `xml:"grossRegisteredTonnage"`
	} `xml:"vesselInfo"`
}

func sniffOFACXML(head []byte) bool {
	return bytes.Contains(head, []byte("<sdnList")) && bytes.HasPrefix(bytes.TrimSpace(head), []byte("<"))
}

// xmlFileError turns a decoding error into a FileError with its line.
func xmlFileError(name string, d *xml.Decoder, err error) error {
	if fe := textError(name, err); fe != nil {
		return fe
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg := "not well-formed XML: " + se.Msg
		if strings.Contains(se.Msg, "unexpected EOF") {
			msg = "the XML ends in the middle of an element (truncated?)"
		}
		return &FileError{File: name, Line: se.Line, Msg: msg}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		line, _ := d.InputPos()
		return &FileError{File: name, Line: line, Msg: "the XML ends in the middle of an element (truncated?)"}
	}
	line, _ := d.InputPos()
	return &FileError{File: name, Line: line, Msg: "cannot read the XML", Err: err}
}

// usDate reads OFAC's MM/DD/YYYY.
func usDate(s string) string {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) != 3 {
		return listDate(s)
	}
	m, err1 := strconv.Atoi(parts[0])
	d, err2 := strconv.Atoi(parts[1])
	y, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return ""
	}
	return formatDate(y, m, d)
}

func parseOFACXML(ctx context.Context, src *listSource) (*ListParse, error) {
	l := ofacListOf(src.Name)
	if strings.Contains(strings.ToLower(src.Name), "cons") {
		l = ofacListOf("cons_prim.csv")
	}
	lp := &ListParse{Info: l.info}
	d := xml.NewDecoder(src.In)
	d.CharsetReader = charsetReader
	d.Strict = true
	var entries []*ofacEntry
	byNum := map[string]*ofacEntry{}
	root := false
	count := -1
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, xmlFileError(src.Name, d, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !root {
			if se.Name.Local != "sdnList" {
				line, _ := d.InputPos()
				return nil, &FileError{File: src.Name, Line: line, Msg: fmt.Sprintf("the root element is <%s>, want <sdnList>", se.Name.Local)}
			}
			root = true
			continue
		}
		line, _ := d.InputPos()
		switch se.Name.Local {
		case "publshInformation", "publishInformation":
			var pi struct {
				Date  string `xml:"Publish_Date"`
				Count string `xml:"Record_Count"`
			}
			if err := d.DecodeElement(&pi, &se); err != nil {
				return nil, xmlFileError(src.Name, d, err)
			}
			lp.Info.Date = usDate(pi.Date)
			if n, err := strconv.Atoi(strings.TrimSpace(pi.Count)); err == nil {
				count = n
			}
		case "sdnEntry":
			var x sdnXMLEntry
			if err := d.DecodeElement(&x, &se); err != nil {
				return nil, xmlFileError(src.Name, d, err)
			}
			oe, rerr := ofacXMLEntry(&x, l, lp, line)
			if rerr != nil {
				rerr.File = src.Name
				lp.Rejects = append(lp.Rejects, rerr)
				continue
			}
			if prev := byNum[oe.num]; prev != nil {
				lp.Rejects = append(lp.Rejects, &RecordError{File: src.Name, Line: line, Field: "sdnEntry/uid", Msg: fmt.Sprintf("entry %s appears twice (first at line %d)", oe.num, prev.Line)})
				continue
			}
			byNum[oe.num] = oe
			entries = append(entries, oe)
		default:
			if err := d.Skip(); err != nil {
				return nil, xmlFileError(src.Name, d, err)
			}
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	if !root {
		return nil, &FileError{File: src.Name, Msg: "no <sdnList> element: the file is empty"}
	}
	if len(entries) == 0 && len(lp.Rejects) == 0 {
		return nil, &FileError{File: src.Name, Msg: "no <sdnEntry> elements"}
	}
	if count >= 0 && count == len(entries)+len(lp.Rejects) {
		lp.Info.Complete = fmt.Sprintf("the %d entries its Record_Count announces", count)
	}
	if count >= 0 && count != len(entries)+len(lp.Rejects) {
		// A sample or an extract: entries it lacks are not delisted.
		lp.Info.Snapshot = false
		lp.Notes = append(lp.Notes, fmt.Sprintf("the file says the list holds %d entries (Record_Count) but has %d: read as an extract, entries it lacks keep their designations", count, len(entries)+len(lp.Rejects)))
	}
	names := newNameTable()
	for _, oe := range entries {
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
	return lp, nil
}

// xmlName joins OFAC's lastName and firstName as the delimited files
// write names: "SAEED, Muhammad".
func xmlName(last, first string) string {
	last, first = cleanValue(last), cleanValue(first)
	switch {
	case last == "":
		return first
	case first == "":
		return last
	}
	return last + ", " + first
}

func ofacXMLEntry(x *sdnXMLEntry, l ofacList, lp *ListParse, line int) (*ofacEntry, *RecordError) {
	num := strings.TrimSpace(x.UID)
	if !isDigits(num) {
		return nil, &RecordError{Line: line, Field: "sdnEntry/uid", Msg: fmt.Sprintf("%q is not an entry number", shorten(num, 40))}
	}
	name := xmlName(x.LastName, x.FirstName)
	if name == "" {
		return nil, &RecordError{Line: line, Field: "sdnEntry/lastName", Msg: "the entry has no name"}
	}
	schema := "Organization"
	switch strings.ToLower(strings.TrimSpace(x.SDNType)) {
	case "individual":
		schema = "Person"
	case "vessel":
		schema = "Vessel"
	case "aircraft":
		schema = "Airplane"
	case "entity", "":
	default:
		lp.Notes = appendNote(lp.Notes, fmt.Sprintf("unknown sdnType %q (read as an organisation)", x.SDNType))
	}
	s := graph.Source{Dataset: l.info.Dataset, RecordID: num, URL: OFACEntryURL + num, Date: lp.Info.Date}
	oe := &ofacEntry{entry: newEntry(l.info.Prefix+num, schema, s, line), num: num}
	oe.addName("name", name)
	if schema == "Person" {
		oe.add("lastName", x.LastName)
		oe.add("firstName", x.FirstName)
		oe.addChecked("position", "Title", x.Title)
	} else {
		oe.addChecked("notes", "Title", x.Title)
	}
	for _, p := range x.Programs {
		if p = cleanValue(p); p != "" {
			oe.designate(Designator("US OFAC", "us", "", p), p, map[string][]string{"authorityId": {num}, "sourceUrl": {OFACEntryURL + num}})
		}
	}
	for _, a := range x.AKAs {
		prop := "alias"
		switch {
		case strings.EqualFold(strings.TrimSpace(a.Type), "f.k.a."):
			prop = "previousName"
		case strings.EqualFold(strings.TrimSpace(a.Category), "weak"):
			prop = "weakAlias"
		}
		oe.addName(prop, xmlName(a.LastName, a.FirstName))
	}
	for _, a := range x.Addresses {
		street := strings.Join(nonEmpty(a.Address1, a.Address2, a.Address3), ", ")
		city := strings.Join(nonEmpty(a.City, a.State, a.PostalCode), " ")
		addOFACAddress(oe.entry, street, city, a.Country, "")
	}
	for _, c := range x.Nationalities {
		countryProp(oe.entry, "nationality", "nationality", c)
	}
	for _, c := range x.Citizenships {
		countryProp(oe.entry, "citizenship", "citizen", c)
	}
	for _, dob := range x.BirthDates {
		dates, exact := ofacDates(dob)
		oe.addChecked("birthDate", "DOB", dates...)
		if !exact {
			oe.add("notes", "DOB "+cleanValue(dob))
		}
	}
	for _, pob := range x.BirthPlaces {
		oe.addChecked("birthPlace", "POB", pob)
		if c := graph.CountryOfAddress(pob); c != "" {
			oe.addChecked("birthCountry", "POB", c)
		}
	}
	for _, id := range x.IDs {
		item := strings.TrimSpace(cleanValue(id.Type) + " " + cleanValue(id.Number))
		if c := cleanValue(id.Country); c != "" {
			item += " (" + c + ")"
		}
		if v := cleanValue(id.Issued); v != "" {
			item += " issued " + v
		}
		if v := cleanValue(id.Expires); v != "" {
			item += " expires " + v
		}
		if label, value, f := matchRemark(item); f != nil {
			if l := f.apply(oe.entry, label, value, item); l != nil {
				oe.links = append(oe.links, *l)
			}
		} else {
			oe.add("notes", item)
		}
	}
	if v := x.Vessel; v != nil {
		oe.addChecked("callSign", "Call sign", v.CallSign)
		oe.addChecked("type", "Vessel type", v.Type)
		oe.addChecked("tonnage", "Tonnage", strings.ReplaceAll(cleanValue(v.Tonnage), ",", ""))
		oe.addChecked("grossRegisteredTonnage", "Gross registered tonnage", strings.ReplaceAll(cleanValue(v.GrossTons), ",", ""))
		if flag := cleanValue(v.Flag); flag != "" {
			countryProp(oe.entry, "flag", "Flag", flag)
		}
		if owner := cleanValue(v.Owner); owner != "" {
			oe.add("notes", "Vessel owner: "+owner)
			oe.links = append(oe.links, pendingLink{kind: graph.RelOwns, name: owner, text: "Vessel owner: " + owner, role: "vessel owner", owner: true})
		}
	}
	oe.links = append(oe.links, ofacRemarks(oe.entry, cleanValue(x.Remarks))...)
	return oe, nil
}

// countryProp adds the code of a country to prop, or keeps the words as
// a note.
func countryProp(en *entry, prop, label, text string) {
	text = cleanValue(text)
	if text == "" {
		return
	}
	if c := graph.CountryCode(text); c != "" {
		en.addChecked(prop, label, c)
	} else {
		en.add("notes", label+" "+text)
	}
}

func nonEmpty(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if v = cleanValue(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

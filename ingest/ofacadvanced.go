package ingest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// OFAC "advanced" XML (SDN_ADVANCED.XML, cons_advanced.xml), the UN-style
// sanctions data model OFAC publishes its lists in:
//
//	<Sanctions>
//	  <DateOfIssue>, <ReferenceValueSets> (every coded value: alias types,
//	    countries, feature types, relation types, lists, ...)
//	  <Locations><Location ID> (addresses, places)
//	  <IDRegDocuments><IDRegDocument IdentityID> (passports, registrations)
//	  <DistinctParties><DistinctParty FixedRef><Profile ID PartySubTypeID>
//	    <Identity><Alias><DocumentedName><DocumentedNamePart><NamePartValue>
//	    <Feature FeatureTypeID><FeatureVersion> (birth date, nationality,
//	    place of birth, vessel flag, ...)
//	  <ProfileRelationships><ProfileRelationship From-ProfileID To-ProfileID RelationTypeID>
//	  <SanctionsEntries><SanctionsEntry ProfileID ListID> (entry events,
//	    measures: the programme is the Comment of a "Program" measure)
//
// Every coded value is an ID resolved through ReferenceValueSets, and read
// by its text ("Birthdate", "A.K.A.", "Owned or Controlled By"). One
// record per DistinctParty: "ofac:<FixedRef>", the FixedRef being the
// ent_num of the legacy files, so the refs are those of the CSV and
// SDN.XML readers.
//
// Written from the XSD (shared/data/schemas-xsd/ofac_sdn_advanced.xsd, the
// http://www.un.org/sanctions/1.0 namespace; OFAC's later files use
// another namespace, which is ignored) and tested on hand-made fixtures
// only: no published file could be obtained.

const (
	ofacAdvEntryURL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id="
	ofacAdvSDNURL   = "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists"
	ofacAdvConsURL  = "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists"
)

func sniffOFACAdvanced(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if !bytes.Contains(head, []byte("<DateOfIssue")) && !bytes.Contains(head, []byte("ReferenceValueSets")) {
		return false
	}
	dec := xml.NewDecoder(bytes.NewReader(head))
	dec.CharsetReader = charsetReader
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "Sanctions"
		}
	}
}

// XML shapes of the elements read.

type advDatePoint struct {
	Year  string `xml:"Year"`
	Month string `xml:"Month"`
	Day   string `xml:"Day"`
}

type advBoundary struct {
	Approximate string        `xml:"Approximate,attr"`
	From        *advDatePoint `xml:"From"`
	To          *advDatePoint `xml:"To"`
}

type advDatePeriod struct {
	Comment string       `xml:"Comment"`
	Start   *advBoundary `xml:"Start"`
	End     *advBoundary `xml:"End"`
}

type advRefValue struct {
	XMLName xml.Name
	ID      string     `xml:"ID,attr"`
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
}

type advRefSets struct {
	Sets []struct {
		XMLName xml.Name
		Values  []advRefValue `xml:",any"`
	} `xml:",any"`
}

type advLocation struct {
	ID        string `xml:"ID,attr"`
	Comment   string `xml:"Comment"`
	AreaCodes []struct {
		AreaCodeID string `xml:"AreaCodeID,attr"`
	} `xml:"LocationAreaCode"`
	Countries []struct {
		CountryID          string `xml:"CountryID,attr"`
		CountryRelevanceID string `xml:"CountryRelevanceID,attr"`
	} `xml:"LocationCountry"`
	Parts []struct {
		LocPartTypeID string `xml:"LocPartTypeID,attr"`
		Values        []struct {
			Primary              string `xml:"Primary,attr"`
			LocPartValueTypeID   string `xml:"LocPartValueTypeID,attr"`
			LocPartValueStatusID string `xml:"LocPartValueStatusID,attr"`
			Value                string `xml:"Value"`
		} `xml:"LocationPartValue"`
	} `xml:"LocationPart"`
	line int
}

type advIDDoc struct {
	ID                 string `xml:"ID,attr"`
	IDRegDocTypeID     string `xml:"IDRegDocTypeID,attr"`
	IdentityID         string `xml:"IdentityID,attr"`
	IssuedByCountryID  string `xml:"IssuedBy-CountryID,attr"`
	IssuedInLocationID string `xml:"IssuedIn-LocationID,attr"`
	ValidityID         string `xml:"ValidityID,attr"`
	Comment            string `xml:"Comment"`
	Number             string `xml:"IDRegistrationNo"`
	IssuingAuthority   string `xml:"IssuingAuthority"`
	Dates              []struct {
		IDRegDocDateTypeID string        `xml:"IDRegDocDateTypeID,attr"`
		Period             advDatePeriod `xml:"DatePeriod"`
	} `xml:"DocumentDate"`
	line int
}

type advNamePart struct {
	Value struct {
		Text            string `xml:",chardata"`
		NamePartGroupID string `xml:"NamePartGroupID,attr"`
		ScriptID        string `xml:"ScriptID,attr"`
		ScriptStatusID  string `xml:"ScriptStatusID,attr"`
		Acronym         string `xml:"Acronym,attr"`
	} `xml:"NamePartValue"`
}

type advDocName struct {
	ID              string        `xml:"ID,attr"`
	DocNameStatusID string        `xml:"DocNameStatusID,attr"`
	Parts           []advNamePart `xml:"DocumentedNamePart"`
	Countries       []struct {
		CountryID string `xml:"CountryID,attr"`
	} `xml:"DocumentedNameCountry"`
}

type advAlias struct {
	AliasTypeID string       `xml:"AliasTypeID,attr"`
	Primary     string       `xml:"Primary,attr"`
	LowQuality  string       `xml:"LowQuality,attr"`
	Comment     string       `xml:"Comment"`
	Names       []advDocName `xml:"DocumentedName"`
}

type advIdentity struct {
	ID      string     `xml:"ID,attr"`
	Primary string     `xml:"Primary,attr"`
	Comment string     `xml:"Comment"`
	Aliases []advAlias `xml:"Alias"`
	Groups  []struct {
		ID             string `xml:"ID,attr"`
		NamePartTypeID string `xml:"NamePartTypeID,attr"`
	} `xml:"NamePartGroups>MasterNamePartGroup>NamePartGroup"`
}

type advFeature struct {
	ID            string `xml:"ID,attr"`
	FeatureTypeID string `xml:"FeatureTypeID,attr"`
	Versions      []struct {
		ID            string          `xml:"ID,attr"`
		ReliabilityID string          `xml:"ReliabilityID,attr"`
		Comment       string          `xml:"Comment"`
		Periods       []advDatePeriod `xml:"DatePeriod"`
		Details       []struct {
			DetailTypeID      string `xml:"DetailTypeID,attr"`
			DetailReferenceID string `xml:"DetailReferenceID,attr"`
			Text              string `xml:",chardata"`
		} `xml:"VersionDetail"`
		Locations []struct {
			LocationID string `xml:"LocationID,attr"`
		} `xml:"VersionLocation"`
	} `xml:"FeatureVersion"`
}

type advProfile struct {
	ID             string        `xml:"ID,attr"`
	PartySubTypeID string        `xml:"PartySubTypeID,attr"`
	Comments       []string      `xml:"Comment"`
	Identities     []advIdentity `xml:"Identity"`
	Features       []advFeature  `xml:"Feature"`
}

type advParty struct {
	FixedRef string       `xml:"FixedRef,attr"`
	Comments []string     `xml:"Comment"`
	Profiles []advProfile `xml:"Profile"`
	line     int
}

type advRelation struct {
	ID                string `xml:"ID,attr"`
	From              string `xml:"From-ProfileID,attr"`
	To                string `xml:"To-ProfileID,attr"`
	RelationTypeID    string `xml:"RelationTypeID,attr"`
	RelationQualityID string `xml:"RelationQualityID,attr"`
	Former            string `xml:"Former,attr"`
	Comment           string `xml:"Comment"`
	line              int
}

type advSanctionsEntry struct {
	ID        string `xml:"ID,attr"`
	ProfileID string `xml:"ProfileID,attr"`
	ListID    string `xml:"ListID,attr"`
	Comment   string `xml:"Comment"`
	Events    []struct {
		EntryEventTypeID string       `xml:"EntryEventTypeID,attr"`
		LegalBasisID     string       `xml:"LegalBasisID,attr"`
		Comment          string       `xml:"Comment"`
		Date             advDatePoint `xml:"Date"`
	} `xml:"EntryEvent"`
	Measures []struct {
		SanctionsTypeID string `xml:"SanctionsTypeID,attr"`
		Comment         string `xml:"Comment"`
	} `xml:"SanctionsMeasure"`
	SupportingInfo []struct {
		Text string `xml:"Text"`
	} `xml:"SupportingInfo"`
	line int
}

// advFile is what the reader holds of a file.
type advFile struct {
	name      string
	date      string
	refs      map[string]map[string]advRefValue // "AliasType" -> ID -> value
	locations map[string]*advLocation
	docs      []*advIDDoc
	parties   []*advParty
	rels      []*advRelation
	entries   []*advSanctionsEntry
	other     []string // unknown sections
}

func parseOFACAdvanced(ctx context.Context, src *listSource) (*ListParse, error) {
	in := src.In
	if b, err := in.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
		in.Discard(3)
	}
	f, err := advRead(ctx, src.Name, in)
	if err != nil {
		return nil, err
	}
	return f.build()
}

// advRead reads the sections of a file.
func advRead(ctx context.Context, name string, in *bufio.Reader) (*advFile, error) {
	f := &advFile{name: name, refs: map[string]map[string]advRefValue{}, locations: map[string]*advLocation{}}
	dec := xml.NewDecoder(in)
	dec.CharsetReader = charsetReader
	fileErr := func(err error) error {
		line, _ := dec.InputPos()
		var se *xml.SyntaxError
		switch {
		case errors.Is(err, io.ErrUnexpectedEOF) || (errors.As(err, &se) && strings.Contains(se.Msg, "unexpected EOF")):
			return &FileError{File: name, Line: line, Msg: "the file is truncated: it ends inside an element"}
		case errors.As(err, &se):
			return &FileError{File: name, Line: se.Line, Msg: "not well-formed XML: " + se.Msg}
		}
		return readError(name, line, err)
	}
	depth := 0
	section := ""
	rootClosed := false
	n := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fileErr(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line, _ := dec.InputPos()
			switch depth {
			case 0:
				if rootClosed {
					return nil, &FileError{File: name, Line: line, Msg: "a second root element <" + t.Name.Local + ">"}
				}
				if t.Name.Local != "Sanctions" {
					return nil, &FileError{File: name, Line: line, Msg: fmt.Sprintf("the root element is <%s>, not <Sanctions>: this is not an OFAC advanced XML file", t.Name.Local)}
				}
				depth++
				continue
			case 1:
				switch t.Name.Local {
				case "DateOfIssue":
					var d advDatePoint
					if err := dec.DecodeElement(&d, &t); err != nil {
						return nil, fileErr(err)
					}
					f.date = advPointDate(&d)
					if f.date == "" {
						return nil, &FileError{File: name, Line: line, Msg: fmt.Sprintf("DateOfIssue %s-%s-%s is not a date", d.Year, d.Month, d.Day)}
					}
				case "ReferenceValueSets":
					var sets advRefSets
					if err := dec.DecodeElement(&sets, &t); err != nil {
						return nil, fileErr(err)
					}
					for _, s := range sets.Sets {
						for _, v := range s.Values {
							m := f.refs[v.XMLName.Local]
							if m == nil {
								m = map[string]advRefValue{}
								f.refs[v.XMLName.Local] = m
							}
							v.Text = strings.TrimSpace(v.Text)
							m[strings.TrimSpace(v.ID)] = v
						}
					}
				case "Locations", "IDRegDocuments", "DistinctParties", "ProfileRelationships", "SanctionsEntries":
					section = t.Name.Local
					depth++
				default:
					if t.Name.Local != "SanctionsEntryLinks" {
						f.other = append(f.other, t.Name.Local)
					}
					if err := dec.Skip(); err != nil {
						return nil, fileErr(err)
					}
				}
				continue
			}
			// depth 2: an element of a section.
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			var derr error
			switch {
			case section == "Locations" && t.Name.Local == "Location":
				l := &advLocation{line: line}
				derr = dec.DecodeElement(l, &t)
				f.locations[strings.TrimSpace(l.ID)] = l
			case section == "IDRegDocuments" && t.Name.Local == "IDRegDocument":
				d := &advIDDoc{line: line}
				derr = dec.DecodeElement(d, &t)
				f.docs = append(f.docs, d)
			case section == "DistinctParties" && t.Name.Local == "DistinctParty":
				p := &advParty{line: line}
				derr = dec.DecodeElement(p, &t)
				f.parties = append(f.parties, p)
			case section == "ProfileRelationships" && t.Name.Local == "ProfileRelationship":
				r := &advRelation{line: line}
				derr = dec.DecodeElement(r, &t)
				f.rels = append(f.rels, r)
			case section == "SanctionsEntries" && t.Name.Local == "SanctionsEntry":
				e := &advSanctionsEntry{line: line}
				derr = dec.DecodeElement(e, &t)
				f.entries = append(f.entries, e)
			default:
				derr = dec.Skip()
			}
			if derr != nil {
				return nil, fileErr(derr)
			}
		case xml.EndElement:
			depth--
			if depth == 0 {
				rootClosed = true
			}
			if depth == 1 {
				section = ""
			}
		}
	}
	if !rootClosed {
		line, _ := dec.InputPos()
		if depth == 0 {
			return nil, &FileError{File: name, Msg: "no XML element: this is not an OFAC advanced XML file"}
		}
		return nil, &FileError{File: name, Line: line, Msg: "the file is truncated: it ends inside <Sanctions>"}
	}
	if len(f.parties) == 0 {
		return nil, &FileError{File: name, Msg: "no entries: the file has no DistinctParty"}
	}
	return f, nil
}

// advPointDate formats a Year/Month/Day point, "" if it is not a date.
func advPointDate(d *advDatePoint) string {
	y, m, day, ok := advPoint(d)
	if !ok {
		return ""
	}
	return formatDate(y, m, day)
}

func advPoint(d *advDatePoint) (y, m, day int, ok bool) {
	if d == nil {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	y, err1 = strconv.Atoi(strings.TrimSpace(d.Year))
	m, err2 = strconv.Atoi(strings.TrimSpace(d.Month))
	day, err3 = strconv.Atoi(strings.TrimSpace(d.Day))
	return y, m, day, err1 == nil && err2 == nil && err3 == nil && formatDate(y, m, day) != ""
}

// advPeriodDates reads a DatePeriod as FtM dates: one date, a year ("1
// Jan 1962 to 31 Dec 1962" is "1962"), a month, or for a range the years
// it spans; words that would be lost (a range, "circa") come back as a
// note.
func advPeriodDates(p *advDatePeriod) (dates []string, note string) {
	if p == nil {
		return nil, ""
	}
	var from, to *advDatePoint
	approx := false
	if b := p.Start; b != nil {
		from = b.From
		if from == nil {
			from = b.To
		}
		approx = approx || b.Approximate == "true" || b.Approximate == "1"
	}
	if b := p.End; b != nil {
		to = b.To
		if to == nil {
			to = b.From
		}
		approx = approx || b.Approximate == "true" || b.Approximate == "1"
	}
	if from == nil {
		from = to
	}
	if to == nil {
		to = from
	}
	y1, m1, d1, ok1 := advPoint(from)
	y2, m2, d2, ok2 := advPoint(to)
	if !ok1 || !ok2 {
		return nil, ""
	}
	a, b := formatDate(y1, m1, d1), formatDate(y2, m2, d2)
	if b < a {
		a, b = b, a
		y1, m1, d1, y2, m2, d2 = y2, m2, d2, y1, m1, d1
	}
	switch {
	case a == b:
		dates = []string{a}
	case y1 == y2 && m1 == 1 && d1 == 1 && m2 == 12 && d2 == 31:
		dates = []string{strconv.Itoa(y1)}
	case y1 == y2 && m1 == m2 && d1 == 1 && formatDate(y2, m2, d2+1) == "":
		dates = []string{formatDate(y1, m1, 0)}
	default:
		if y2-y1 <= 10 {
			for y := y1; y <= y2; y++ {
				dates = append(dates, strconv.Itoa(y))
			}
		}
		note = a + " to " + b
	}
	if approx {
		if note == "" {
			note = dates[0]
		}
		note = "circa " + note
	}
	return dates, note
}

// advBuild builds the record of one party and remembers its first problem.
type advBuild struct {
	f     *advFile
	party *advParty
	en    *entry
	err   *RecordError
	keys  map[string]bool // designation keys used
	// owners are the names a "Vessel Owner" feature states.
	owners []string
}

// ref resolves the ID of a reference value of set ("AliasType"), noting
// an unknown one as the party's error.
func (f *advFile) ref(set, id string) (advRefValue, bool) {
	v, ok := f.refs[set][strings.TrimSpace(id)]
	return v, ok
}

func (b *advBuild) fail(line int, field, msg string) {
	if b.err == nil {
		b.err = &RecordError{File: b.f.name, Line: line, Field: field, Msg: msg}
	}
}

func (b *advBuild) ref(set, id string, line int, path string) (advRefValue, bool) {
	v, ok := b.f.ref(set, id)
	if !ok {
		b.fail(line, path+"/@"+set+"ID", fmt.Sprintf("%s ID %q is not among the reference values (ReferenceValueSets/%sValues)", set, id, set))
	}
	return v, ok
}

func (v advRefValue) attr(name string) string {
	for _, a := range v.Attrs {
		if a.Name.Local == name {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

// countryCode returns the FtM code of a Country reference value.
func (f *advFile) countryCode(v advRefValue) string {
	if c := graph.CountryCode(v.attr("ISO2")); c != "" {
		return c
	}
	return graph.CountryCode(v.Text)
}

// location returns a location as address text (its parts, then its
// countries' names), whether it has parts other than countries, and its
// country code.
func (b *advBuild) location(id string, line int, path string) (text string, hasParts bool, country string, ok bool) {
	l := b.f.locations[strings.TrimSpace(id)]
	if l == nil {
		b.fail(line, path+"/@LocationID", fmt.Sprintf("Location ID %q is not among the Locations", id))
		return "", false, "", false
	}
	lpath := "Location[@ID=" + l.ID + "]"
	var parts []string
	for _, p := range l.Parts {
		if _, ok := b.ref("LocPartType", p.LocPartTypeID, l.line, lpath+"/LocationPart"); !ok {
			return "", false, "", false
		}
		v := ""
		for _, pv := range p.Values {
			if _, ok := b.ref("LocPartValueType", pv.LocPartValueTypeID, l.line, lpath+"/LocationPart/LocationPartValue"); !ok {
				return "", false, "", false
			}
			if pv.Primary == "true" || pv.Primary == "1" || v == "" {
				if x := strings.Join(strings.Fields(pv.Value), " "); x != "" {
					v = x
				}
			}
		}
		if v != "" {
			parts = append(parts, v)
		}
	}
	hasParts = len(parts) > 0
	for _, c := range l.Countries {
		cv, ok := b.ref("Country", c.CountryID, l.line, lpath+"/LocationCountry")
		if !ok {
			return "", false, "", false
		}
		if country == "" {
			country = b.f.countryCode(cv)
		}
		if cv.Text != "" {
			parts = append(parts, cv.Text)
		}
	}
	for _, a := range l.AreaCodes {
		if _, ok := b.ref("AreaCode", a.AreaCodeID, l.line, lpath+"/LocationAreaCode"); !ok {
			return "", false, "", false
		}
	}
	return strings.Join(parts, ", "), hasParts, country, true
}

// advSchema returns the FtM schema of a profile's party sub-type.
func (b *advBuild) schema(p *advProfile, path string) string {
	st, ok := b.ref("PartySubType", p.PartySubTypeID, b.party.line, path)
	if !ok {
		return "LegalEntity"
	}
	switch strings.ToLower(st.Text) {
	case "vessel":
		return "Vessel"
	case "aircraft":
		return "Airplane"
	}
	pt, ok := b.ref("PartyType", st.attr("PartyTypeID"), b.party.line, path+"/PartySubType")
	if !ok {
		return "LegalEntity"
	}
	switch strings.ToLower(pt.Text) {
	case "individual":
		return "Person"
	case "entity":
		return "Organization"
	case "vessel":
		return "Vessel"
	case "aircraft":
		return "Airplane"
	}
	return "LegalEntity"
}

// build turns what was read into records.
func (f *advFile) build() (*ListParse, error) {
	lp := &ListParse{Info: ListInfo{Snapshot: true, Date: f.date}}
	if len(f.other) > 0 {
		lp.Notes = append(lp.Notes, "sections not read: "+strings.Join(f.other, ", "))
	}

	// Which list: SDN or the consolidated non-SDN lists.
	var sdn, nonSDN int
	for _, e := range f.entries {
		if l, ok := f.ref("List", e.ListID); ok {
			if strings.EqualFold(strings.Join(strings.Fields(l.Text), " "), "SDN List") {
				sdn++
			} else {
				nonSDN++
			}
		}
	}
	if nonSDN > sdn {
		lp.Info.Dataset, lp.Info.Title, lp.Info.Prefix, lp.Info.URL = "us_ofac_cons", "OFAC Consolidated (non-SDN) list", "ofac-cons:", ofacAdvConsURL
	} else {
		lp.Info.Dataset, lp.Info.Title, lp.Info.Prefix, lp.Info.URL = "us_ofac_sdn", "OFAC Specially Designated Nationals (SDN) list", "ofac:", ofacAdvSDNURL
	}
	if sdn > 0 && nonSDN > 0 {
		lp.Notes = append(lp.Notes, fmt.Sprintf("the file mixes %d entries of the SDN list and %d of non-SDN lists; it is read as %s", sdn, nonSDN, lp.Info.Dataset))
	}

	// Parties, by profile and identity.
	builds := make([]*advBuild, 0, len(f.parties))
	byProfile := map[string]*advBuild{}
	byIdentity := map[string]*advBuild{}
	var rejects []*RecordError
	for _, p := range f.parties {
		ref := strings.TrimSpace(p.FixedRef)
		path := "DistinctParty[@FixedRef=" + ref + "]"
		if ref == "" || checkRef(lp.Info.Prefix+ref) != "" || strings.Contains(ref, "#") {
			rejects = append(rejects, &RecordError{File: f.name, Line: p.line, Field: "DistinctParty/@FixedRef", Msg: fmt.Sprintf("FixedRef %q cannot be an id", p.FixedRef)})
			continue
		}
		if len(p.Profiles) == 0 {
			rejects = append(rejects, &RecordError{File: f.name, Line: p.line, Field: path + "/Profile", Msg: "the party has no Profile"})
			continue
		}
		b := &advBuild{f: f, party: p, keys: map[string]bool{}}
		schema := b.schema(&p.Profiles[0], path+"/Profile")
		src := graph.Source{Dataset: lp.Info.Dataset, RecordID: ref, URL: ofacAdvEntryURL + ref, Date: f.date}
		b.en = newEntry(lp.Info.Prefix+ref, schema, src, p.line)
		builds = append(builds, b)
		for _, pr := range p.Profiles {
			if id := strings.TrimSpace(pr.ID); id != "" {
				byProfile[id] = b
			}
			for _, id := range pr.Identities {
				byIdentity[strings.TrimSpace(id.ID)] = b
			}
		}
	}
	for _, b := range builds {
		b.readParty()
	}
	var unattached int
	for _, d := range f.docs {
		b := byIdentity[strings.TrimSpace(d.IdentityID)]
		if b == nil {
			unattached++
			continue
		}
		b.document(d)
	}
	if unattached > 0 {
		lp.Notes = append(lp.Notes, fmt.Sprintf("%d IDRegDocuments name an Identity no party of the file has", unattached))
	}
	for _, e := range f.entries {
		b := byProfile[strings.TrimSpace(e.ProfileID)]
		if b == nil {
			rejects = append(rejects, &RecordError{File: f.name, Line: e.line, Field: "SanctionsEntry[@ID=" + e.ID + "]/@ProfileID",
				Msg: fmt.Sprintf("Profile ID %q is not the profile of any DistinctParty", e.ProfileID)})
			continue
		}
		b.sanctionsEntry(e)
	}
	var undesignated int
	for _, b := range builds {
		if len(b.keys) == 0 {
			undesignated++
		}
	}
	if undesignated > 0 {
		lp.Notes = append(lp.Notes, fmt.Sprintf("%d parties have no SanctionsEntry", undesignated))
	}

	// Relationships, on the record of the party the edge starts at.
	for _, r := range f.rels {
		rb := byProfile[strings.TrimSpace(r.From)]
		tb := byProfile[strings.TrimSpace(r.To)]
		field := "ProfileRelationship[@ID=" + r.ID + "]"
		switch {
		case rb == nil:
			rejects = append(rejects, &RecordError{File: f.name, Line: r.line, Field: field + "/@From-ProfileID", Msg: fmt.Sprintf("Profile ID %q is not the profile of any DistinctParty", r.From)})
			continue
		case tb == nil:
			rejects = append(rejects, &RecordError{File: f.name, Line: r.line, Field: field + "/@To-ProfileID", Msg: fmt.Sprintf("Profile ID %q is not the profile of any DistinctParty", r.To)})
			continue
		}
		rt, ok := f.ref("RelationType", r.RelationTypeID)
		if !ok {
			rb.fail(r.line, field+"/@RelationTypeID", fmt.Sprintf("RelationType ID %q is not among the reference values (ReferenceValueSets/RelationTypeValues)", r.RelationTypeID))
			continue
		}
		if _, ok := f.ref("RelationQuality", r.RelationQualityID); !ok && r.RelationQualityID != "" {
			rb.fail(r.line, field+"/@RelationQualityID", fmt.Sprintf("RelationQuality ID %q is not among the reference values (ReferenceValueSets/RelationQualityValues)", r.RelationQualityID))
			continue
		}
		if rb == tb {
			continue
		}
		name := strings.Join(strings.Fields(rt.Text), " ")
		quote := fmt.Sprintf("%s %s %s", rb.en.e.First("name"), name, tb.en.e.First("name"))
		former := r.Former == "true" || r.Former == "1"
		kind, role, reverse := advRelationKind(name)
		if former {
			role = "former " + role
		}
		from, to := rb, tb
		if reverse {
			from, to = tb, rb
		}
		if from.err == nil {
			from.en.link(kind, to.en.rec.Ref, role, quote)
			lp.Links++
		}
	}

	// Vessel owners stated by name.
	names := newNameTable()
	for _, b := range builds {
		if b.err != nil {
			continue
		}
		for _, n := range b.en.e.Props["name"] {
			names.add(b.en.rec.Ref, n, true)
		}
		for _, p := range []string{"alias", "previousName"} {
			for _, n := range b.en.e.Props[p] {
				names.add(b.en.rec.Ref, n, false)
			}
		}
	}
	byRef := map[string]*advBuild{}
	for _, b := range builds {
		byRef[b.en.rec.Ref] = b
	}
	for _, b := range builds {
		for _, o := range b.owners {
			ref, why := names.resolve(o)
			quote := "Vessel Owner: " + o
			if ref == "" || ref == b.en.rec.Ref {
				if why == "" {
					why = "the vessel itself bears this name"
				}
				lp.Unresolved = append(lp.Unresolved, UnresolvedLink{Record: b.en.rec.Ref, Line: b.party.line, Text: quote, Name: o, Reason: why})
				continue
			}
			if b.err == nil {
				byRef[ref].en.link(graph.RelOwns, b.en.rec.Ref, "vessel owner", quote)
				lp.Links++
			}
		}
	}

	// Records in file order; a party with a problem is rejected.
	for _, b := range builds {
		if b.err != nil {
			lp.Rejects = append(lp.Rejects, b.err)
			continue
		}
		if len(b.en.e.Props["name"]) == 0 {
			lp.Rejects = append(lp.Rejects, &RecordError{File: f.name, Line: b.party.line, Field: "DistinctParty[@FixedRef=" + b.party.FixedRef + "]/Profile/Identity/Alias",
				Msg: "the party has no name"})
			continue
		}
		lp.Records = append(lp.Records, b.en.record())
	}
	// Edges to a rejected party stay: they name an entry of the list (which
	// an earlier version may have stored), and rejects stop delisting.
	sort.SliceStable(rejects, func(i, j int) bool { return rejects[i].Line < rejects[j].Line })
	lp.Rejects = append(lp.Rejects, rejects...)
	return lp, nil
}

// advRelationKind maps an OFAC relation type to an edge kind and role, and
// whether the edge goes from the To profile to the From profile.
//
// "Owned or Controlled By" reads From is owned or controlled by To: the
// edge is To controls From (FtM has no "owns or controls"; control is the
// weaker claim), built on the record of To.
func advRelationKind(name string) (kind graph.RelType, role string, reverse bool) {
	switch strings.ToLower(name) {
	case "associate of":
		return graph.RelAssociate, name, false
	case "family member of":
		return graph.RelFamily, name, false
	case "owned or controlled by":
		return graph.RelControls, "owns or controls (OFAC: Owned or Controlled By)", true
	case "acting for or on behalf of":
		return graph.RelRepresents, name, false
	case "leader or official of", "principal executive officer":
		return graph.RelDirectorOf, name, false
	}
	return graph.RelLinkedTo, name, false
}

// readParty reads the names and features of the party.
func (b *advBuild) readParty() {
	p := b.party
	path := "DistinctParty[@FixedRef=" + p.FixedRef + "]"
	for _, c := range p.Comments {
		b.en.add("notes", c)
	}
	for _, pr := range p.Profiles {
		ppath := path + "/Profile"
		for _, c := range pr.Comments {
			b.en.add("notes", c)
		}
		// Name part groups, by ID, of every identity.
		groups := map[string]string{}
		for _, id := range pr.Identities {
			for _, g := range id.Groups {
				t, ok := b.ref("NamePartType", g.NamePartTypeID, p.line, ppath+"/Identity/NamePartGroups/MasterNamePartGroup/NamePartGroup")
				if !ok {
					return
				}
				groups[strings.TrimSpace(g.ID)] = t.Text
			}
		}
		// Primary identity and primary alias first.
		type named struct {
			id    *advIdentity
			alias *advAlias
		}
		var first, rest []named
		for i := range pr.Identities {
			id := &pr.Identities[i]
			for j := range id.Aliases {
				a := &id.Aliases[j]
				if a.Primary == "true" && id.Primary != "false" {
					first = append(first, named{id, a})
				} else {
					rest = append(rest, named{id, a})
				}
			}
			if id.Comment != "" {
				b.en.add("notes", id.Comment)
			}
		}
		for _, na := range append(first, rest...) {
			if !b.alias(na.alias, na.alias.Primary == "true" && na.id.Primary != "false", groups, ppath+"/Identity/Alias") {
				return
			}
		}
		for i := range pr.Features {
			if !b.feature(&pr.Features[i], ppath+"/Feature") {
				return
			}
		}
	}
}

// alias adds the names of an alias.
func (b *advBuild) alias(a *advAlias, primary bool, groups map[string]string, path string) bool {
	line := b.party.line
	at, ok := b.ref("AliasType", a.AliasTypeID, line, path)
	if !ok {
		return false
	}
	kind := "alias"
	switch t := strings.ToLower(strings.TrimSpace(at.Text)); {
	case primary:
		kind = "name"
	case strings.Contains(t, "f.k.a") || strings.Contains(t, "fka"):
		kind = "previousName"
	case a.LowQuality == "true" || a.LowQuality == "1":
		kind = "weakAlias"
	}
	if a.Comment != "" {
		b.en.add("notes", a.Comment)
	}
	for _, dn := range a.Names {
		dpath := path + "/DocumentedName[@ID=" + dn.ID + "]"
		if _, ok := b.ref("DocNameStatus", dn.DocNameStatusID, line, dpath); !ok {
			return false
		}
		var all []string
		var last string
		var others []string
		latin, acronym := true, len(dn.Parts) > 0
		byType := map[string][]string{}
		for _, part := range dn.Parts {
			v := part.Value
			ppath := dpath + "/DocumentedNamePart/NamePartValue"
			t, ok := groups[strings.TrimSpace(v.NamePartGroupID)]
			if !ok {
				b.fail(line, ppath+"/@NamePartGroupID", fmt.Sprintf("NamePartGroup ID %q is not among the NamePartGroups of the party", v.NamePartGroupID))
				return false
			}
			sc, ok := b.ref("Script", v.ScriptID, line, ppath)
			if !ok {
				return false
			}
			if v.ScriptStatusID != "" {
				if _, ok := b.ref("ScriptStatus", v.ScriptStatusID, line, ppath); !ok {
					return false
				}
			}
			if !strings.EqualFold(sc.Text, "Latin") && !strings.EqualFold(sc.attr("ScriptCode"), "Latn") {
				latin = false
			}
			if v.Acronym != "true" && v.Acronym != "1" {
				acronym = false
			}
			text := strings.Join(strings.Fields(v.Text), " ")
			if text == "" {
				continue
			}
			all = append(all, text)
			lt := strings.ToLower(t)
			byType[lt] = append(byType[lt], text)
			if lt == "last name" && last == "" {
				last = text
			} else {
				others = append(others, text)
			}
		}
		for _, c := range dn.Countries {
			if _, ok := b.ref("Country", c.CountryID, line, dpath+"/DocumentedNameCountry"); !ok {
				return false
			}
		}
		if len(all) == 0 {
			continue
		}
		name := strings.Join(all, " ")
		if b.en.e.Schema == "Person" && latin && last != "" && len(others) > 0 {
			name = last + ", " + strings.Join(others, " ") // "KIM, Kyong Nam", as the legacy files
		}
		k := kind
		switch {
		case !latin && k == "name":
			k = "alias"
		case acronym && k != "name":
			k = "weakAlias"
		}
		if k == "name" && len(b.en.e.Props["name"]) > 0 {
			k = "alias"
		}
		ukAddName(b.en, k, name)
		if b.en.e.Schema == "Person" && primary && latin {
			b.en.add("lastName", byType["last name"]...)
			b.en.add("firstName", byType["first name"]...)
			b.en.add("middleName", byType["middle name"]...)
			b.en.add("fatherName", byType["patronymic"]...)
			b.en.add("motherName", byType["matronymic"]...)
		}
	}
	return true
}

// advFeatureProps maps feature types (lower case) to FtM properties;
// values of a property the schema lacks go to notes.
var advFeatureProps = map[string]string{
	"birthdate":                       "birthDate",
	"place of birth":                  "birthPlace",
	"nationality country":             "nationality",
	"citizenship country":             "citizenship",
	"nationality of registration":     "jurisdiction",
	"location":                        "address",
	"gender":                          "gender",
	"title":                           "position",
	"website":                         "website",
	"email address":                   "email",
	"phone number":                    "phone",
	"swift/bic":                       "swiftBic",
	"vessel call sign":                "callSign",
	"vessel flag":                     "flag",
	"other vessel flag":               "pastFlags",
	"former vessel flag":              "pastFlags",
	"vessel type":                     "type",
	"vessel tonnage":                  "tonnage",
	"vessel gross registered tonnage": "grossRegisteredTonnage",
	"vessel year of build":            "buildDate",
	"organization established date":   "incorporationDate",
	"organization type:":              "legalForm",
	"aircraft model":                  "model",
	"aircraft construction number (also called l/n or s/n or f/n)": "serialNumber",
	"aircraft manufacturer's serial number (msn)":                  "serialNumber",
	"aircraft manufacture date":                                    "buildDate",
	"vessel owner":                                                 "",
}

// feature reads a Feature: each version's text (details, locations) or
// dates.
func (b *advBuild) feature(ft *advFeature, path string) bool {
	line := b.party.line
	t, ok := b.ref("FeatureType", ft.FeatureTypeID, line, path+"[@ID="+ft.ID+"]")
	if !ok {
		return false
	}
	label := strings.Join(strings.Fields(t.Text), " ")
	lt := strings.ToLower(label)
	prop, known := advFeatureProps[lt]
	label = strings.TrimSuffix(label, ":") // "Secondary sanctions risk:"
	def := b.propDef(prop)
	for _, v := range ft.Versions {
		vpath := path + "[@ID=" + ft.ID + "]/FeatureVersion"
		if v.ReliabilityID != "" {
			if _, ok := b.ref("Reliability", v.ReliabilityID, line, vpath); !ok {
				return false
			}
		}
		var texts, countries []string
		for _, d := range v.Details {
			if _, ok := b.ref("DetailType", d.DetailTypeID, line, vpath+"/VersionDetail"); !ok {
				return false
			}
			text := strings.Join(strings.Fields(d.Text), " ")
			if strings.TrimSpace(d.DetailReferenceID) != "" {
				r, ok := b.ref("DetailReference", d.DetailReferenceID, line, vpath+"/VersionDetail")
				if !ok {
					return false
				}
				if text == "" {
					text = r.Text
				}
			}
			if text != "" {
				texts = append(texts, text)
			}
		}
		for _, l := range v.Locations {
			text, parts, country, ok := b.location(l.LocationID, line, vpath+"/VersionLocation")
			if !ok {
				return false
			}
			if text != "" && (parts || prop != "address") {
				texts = append(texts, text)
			}
			if country != "" {
				countries = append(countries, country)
			}
		}
		if v.Comment != "" {
			b.en.add("notes", label+": "+v.Comment)
		}
		var dates []string
		for i := range v.Periods {
			ds, note := advPeriodDates(&v.Periods[i])
			dates = append(dates, ds...)
			if note != "" {
				b.en.add("notes", label+": "+note)
			}
		}
		switch {
		case lt == "vessel owner":
			for _, o := range texts {
				b.en.add("notes", "Vessel owner: "+o)
				b.owners = append(b.owners, o)
			}
		case def != nil && def.Type == "date":
			if len(dates) == 0 {
				for _, tx := range texts {
					if d := listDate(tx); d != "" {
						dates = append(dates, d)
					} else {
						b.en.add("notes", label+": "+tx)
					}
				}
			}
			b.en.add(prop, dates...)
		case def != nil && def.Type == "country":
			if len(countries) == 0 {
				for _, tx := range texts {
					if c := graph.CountryCode(tx); c != "" {
						countries = append(countries, c)
					} else {
						b.en.add("notes", label+": "+tx)
					}
				}
			}
			b.en.add(prop, countries...)
		case def != nil && prop == "address":
			b.en.add("address", texts...)
			if len(countries) > 0 {
				addPropElseNote(b.en, "country", "Country", countries...)
			}
		case def != nil && prop == "gender":
			for _, tx := range texts {
				b.en.add("gender", strings.ToLower(tx))
			}
		case def != nil:
			b.en.add(prop, texts...)
			for _, d := range dates {
				b.en.add("notes", label+": "+d)
			}
		default:
			if known && prop == "" {
				break
			}
			for _, tx := range texts {
				b.en.add("notes", label+": "+tx)
			}
			for _, d := range dates {
				b.en.add("notes", label+": "+d)
			}
		}
		if lt != "vessel owner" {
			ids := identifiersInText(strings.Join(texts, "; "))
			for _, p := range []string{"swiftBic", "imoNumber"} {
				if b.propDef(p) != nil {
					b.en.add(p, ids[p]...)
				}
			}
		}
	}
	return true
}

// propDef returns the definition of prop in the entity's schema, or nil.
func (b *advBuild) propDef(prop string) *graph.PropDef {
	if prop == "" {
		return nil
	}
	s := b.en.e.SchemaDef()
	if s == nil {
		return nil
	}
	if d, ok := s.Props[prop]; ok {
		return &d
	}
	return nil
}

// document reads an IDRegDocument of the party.
func (b *advBuild) document(d *advIDDoc) {
	path := "IDRegDocument[@ID=" + d.ID + "]"
	t, ok := b.ref("IDRegDocType", d.IDRegDocTypeID, d.line, path)
	if !ok {
		return
	}
	var country string
	if strings.TrimSpace(d.IssuedByCountryID) != "" {
		c, ok := b.ref("Country", d.IssuedByCountryID, d.line, path+"/@IssuedBy-")
		if !ok {
			return
		}
		country = c.Text
	}
	if strings.TrimSpace(d.IssuedInLocationID) != "" {
		if _, _, _, ok := b.location(d.IssuedInLocationID, d.line, path+"/@IssuedIn-"); !ok {
			return
		}
	}
	if strings.TrimSpace(d.ValidityID) != "" {
		if _, ok := b.ref("Validity", d.ValidityID, d.line, path); !ok {
			return
		}
	}
	for _, dd := range d.Dates {
		if _, ok := b.ref("IDRegDocDateType", dd.IDRegDocDateTypeID, d.line, path+"/DocumentDate"); !ok {
			return
		}
	}
	number := strings.Join(strings.Fields(d.Number), " ")
	label := strings.Join(strings.Fields(t.Text), " ")
	if number == "" {
		return
	}
	prop := advDocProp(label, b.en.e.Schema)
	switch prop {
	case "imoNumber":
		v := strings.TrimSpace(strings.TrimPrefix(strings.ToUpper(number), "IMO"))
		if ValidIMO(v) {
			addPropElseNote(b.en, "imoNumber", label, v)
		} else {
			addPropElseNote(b.en, "registrationNumber", label, number)
		}
	case "swiftBic":
		addPropElseNote(b.en, prop, label, strings.ToUpper(number))
	default:
		addPropElseNote(b.en, prop, label, number)
	}
	desc := label + " " + number
	plain := desc
	if country != "" {
		desc += " (" + country + ")"
	}
	if d.IssuingAuthority != "" {
		desc += ", issued by " + strings.TrimSpace(d.IssuingAuthority)
	}
	if d.Comment != "" {
		desc += "; " + strings.TrimSpace(d.Comment)
	}
	if desc != plain {
		b.en.add("notes", desc)
	}
}

// advDocProp returns the FtM property of an ID or registration document
// type.
func advDocProp(label, schema string) string {
	l := strings.ToLower(label)
	switch {
	case strings.Contains(l, "passport"):
		return "passportNumber"
	case strings.Contains(l, "vessel registration identification") || strings.HasPrefix(l, "imo"):
		return "imoNumber"
	case l == "mmsi":
		return "mmsi"
	case strings.Contains(l, "legal entity number") || l == "lei":
		return "leiCode"
	case strings.Contains(l, "swift"):
		return "swiftBic"
	case strings.Contains(l, "v.a.t.") || strings.Contains(l, "vat "):
		return "vatCode"
	case strings.Contains(l, "tax") || strings.HasPrefix(l, "rfc") || strings.HasPrefix(l, "nit") || strings.HasPrefix(l, "r.u.c") || strings.HasPrefix(l, "c.u.i.t"):
		return "taxNumber"
	case strings.Contains(l, "registration") || strings.Contains(l, "registry") || strings.Contains(l, "company number") ||
		strings.Contains(l, "incorporation") || strings.Contains(l, "license") || strings.Contains(l, "licence") ||
		strings.Contains(l, "gazette") || strings.Contains(l, "charity") || strings.Contains(l, "business number") ||
		strings.Contains(l, "uscc") || strings.Contains(l, "chamber of commerce"):
		if schema == "Person" && strings.Contains(l, "driver") {
			return "idNumber"
		}
		return "registrationNumber"
	case schema == "Vessel" || schema == "Airplane":
		return "registrationNumber"
	}
	return "idNumber"
}

// sanctionsEntry adds the designations of a SanctionsEntry: one per
// programme.
func (b *advBuild) sanctionsEntry(e *advSanctionsEntry) {
	path := "SanctionsEntry[@ID=" + e.ID + "]"
	if strings.TrimSpace(e.ListID) != "" {
		if _, ok := b.ref("List", e.ListID, e.line, path); !ok {
			return
		}
	}
	var listing, modified, bases, basisProgrammes []string
	for i, ev := range e.Events {
		t, ok := b.ref("EntryEventType", ev.EntryEventTypeID, e.line, path+"/EntryEvent")
		if !ok {
			return
		}
		if strings.TrimSpace(ev.LegalBasisID) != "" {
			lb, ok := b.ref("LegalBasis", ev.LegalBasisID, e.line, path+"/EntryEvent")
			if !ok {
				return
			}
			if lb.Text != "" && !ukContainsFold(bases, lb.Text) {
				bases = append(bases, lb.Text)
			}
			if id := lb.attr("SanctionsProgramID"); id != "" {
				sp, ok := b.ref("SanctionsProgram", id, e.line, path+"/EntryEvent/LegalBasis")
				if !ok {
					return
				}
				if sp.Text != "" && !ukContainsFold(basisProgrammes, sp.Text) {
					basisProgrammes = append(basisProgrammes, sp.Text)
				}
			}
		}
		d := advPointDate(&ev.Date)
		if d == "" {
			continue
		}
		if i == 0 || strings.Contains(strings.ToLower(t.Text), "created") {
			listing = append(listing, d)
		} else {
			modified = append(modified, d)
		}
	}
	var programmes, provisions []string
	for _, m := range e.Measures {
		t, ok := b.ref("SanctionsType", m.SanctionsTypeID, e.line, path+"/SanctionsMeasure")
		if !ok {
			return
		}
		c := strings.TrimSpace(m.Comment)
		if strings.EqualFold(strings.TrimSpace(t.Text), "Program") {
			if c != "" && !ukContainsFold(programmes, c) {
				programmes = append(programmes, c)
			}
			continue
		}
		p := strings.TrimSpace(t.Text)
		if c != "" {
			p += ": " + c
		}
		if p != "" && !ukContainsFold(provisions, p) {
			provisions = append(provisions, p)
		}
	}
	if e.Comment != "" {
		b.en.add("notes", e.Comment)
	}
	for _, si := range e.SupportingInfo {
		b.en.add("notes", si.Text)
	}
	ref := b.en.rec.Ref[strings.IndexByte(b.en.rec.Ref, ':')+1:]
	props := map[string][]string{"authorityId": {ref}, "sourceUrl": {ofacAdvEntryURL + ref}}
	if v := ukMinDate(listing); v != "" {
		props["listingDate"] = []string{v}
	}
	if v := ukMaxDate(modified); v != "" {
		props["modifiedAt"] = []string{v}
	}
	if len(provisions) > 0 {
		props["provisions"] = provisions
	}
	for _, lb := range bases {
		props["description"] = append(props["description"], "Legal basis: "+lb)
	}
	if len(programmes) == 0 {
		// Without a "Program" measure, the programmes of the legal bases.
		programmes = basisProgrammes
	}
	if len(programmes) == 0 {
		if !b.keys["ofac"] {
			b.keys["ofac"] = true
			b.en.designate(Designator("US OFAC", "us", "", ""), "ofac", props)
		}
		return
	}
	for _, p := range programmes {
		if b.keys[p] {
			continue
		}
		b.keys[p] = true
		b.en.designate(Designator("US OFAC", "us", "", p), p, props)
	}
}

package ingest

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// The EU financial sanctions files (FSF) XML export, schema 1.1
// (eu_fsf_schema_1_1.xsd):
//
//	<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2020-04-15T15:29:22.497+02:00" globalFileId="...">
//	  <sanctionEntity logicalId euReferenceNumber designationDate delistingDate designationDetails unitedNationId>
//	    <remark>*, <additionalInformation key value>*
//	    <regulation programme publicationDate numberTitle ...><publicationUrl/></regulation>
//	    <subjectType code="person|enterprise" classificationCode="P|E"/>
//	    <nameAlias wholeName firstName middleName lastName title function gender strong .../>+
//	    <citizenship countryIso2Code countryDescription region/>*
//	    <birthdate birthdate dayOfMonth monthOfYear year yearRangeFrom yearRangeTo circa calendarType city place region zipCode countryIso2Code/>*
//	    <address street poBox zipCode city place region countryIso2Code><contactInfo key value/>*</address>*
//	    <identification identificationTypeCode number latinNumber knownFalse ... countryIso2Code/>*
//
// Every detail element may carry remarks and a regulationSummary. The file
// is the complete list of entities currently sanctioned.

const (
	euFSFDataset   = "eu_fsf"
	euFSFNamespace = "http://eu.europa.ec/fpi/fsd/export"
	euFSFURL       = "https://webgate.ec.europa.eu/fsd/fsf"
)

func sniffEUFSF(head []byte) bool {
	return bytes.Contains(head, []byte("<export")) &&
		(bytes.Contains(head, []byte("eu.europa.ec/fpi/fsd/export")) || bytes.Contains(head, []byte("<sanctionEntity")))
}

type fsfAdditional struct {
	Key   string `xml:"key,attr"`
	Value string `xml:"value,attr"`
}

// fsfOperable holds what every FSF element has.
type fsfOperable struct {
	LogicalID  string          `xml:"logicalId,attr"`
	Remarks    []string        `xml:"remark"`
	Additional []fsfAdditional `xml:"additionalInformation"`
}

type fsfRegulation struct {
	fsfOperable
	Type            string `xml:"regulationType,attr"`
	Organisation    string `xml:"organisationType,attr"`
	PublicationDate string `xml:"publicationDate,attr"`
	EntryIntoForce  string `xml:"entryIntoForceDate,attr"`
	NumberTitle     string `xml:"numberTitle,attr"`
	Programme       string `xml:"programme,attr"`
	PublicationURL  string `xml:"publicationUrl"`
}

type fsfNameAlias struct {
	fsfOperable
	FirstName  string `xml:"firstName,attr"`
	MiddleName string `xml:"middleName,attr"`
	LastName   string `xml:"lastName,attr"`
	WholeName  string `xml:"wholeName,attr"`
	Function   string `xml:"function,attr"`
	Gender     string `xml:"gender,attr"`
	Title      string `xml:"title,attr"`
	Language   string `xml:"nameLanguage,attr"`
	Strong     string `xml:"strong,attr"`
}

type fsfCountry struct {
	Code        string `xml:"countryIso2Code,attr"`
	Description string `xml:"countryDescription,attr"`
}

type fsfCitizenship struct {
	fsfOperable
	fsfCountry
	Region string `xml:"region,attr"`
}

type fsfBirthdate struct {
	fsfOperable
	fsfCountry
	Circa     string `xml:"circa,attr"`
	Calendar  string `xml:"calendarType,attr"`
	City      string `xml:"city,attr"`
	ZipCode   string `xml:"zipCode,attr"`
	Date      string `xml:"birthdate,attr"`
	Day       string `xml:"dayOfMonth,attr"`
	Month     string `xml:"monthOfYear,attr"`
	Year      string `xml:"year,attr"`
	RangeFrom string `xml:"yearRangeFrom,attr"`
	RangeTo   string `xml:"yearRangeTo,attr"`
	Region    string `xml:"region,attr"`
	Place     string `xml:"place,attr"`
}

type fsfAddress struct {
	fsfOperable
	fsfCountry
	City    string          `xml:"city,attr"`
	Street  string          `xml:"street,attr"`
	POBox   string          `xml:"poBox,attr"`
	ZipCode string          `xml:"zipCode,attr"`
	Region  string          `xml:"region,attr"`
	Place   string          `xml:"place,attr"`
	Contact []fsfAdditional `xml:"contactInfo"`
}

type fsfIdentification struct {
	fsfOperable
	fsfCountry
	Diplomatic      string `xml:"diplomatic,attr"`
	KnownExpired    string `xml:"knownExpired,attr"`
	KnownFalse      string `xml:"knownFalse,attr"`
	ReportedLost    string `xml:"reportedLost,attr"`
	RevokedByIssuer string `xml:"revokedByIssuer,attr"`
	IssuedBy        string `xml:"issuedBy,attr"`
	LatinNumber     string `xml:"latinNumber,attr"`
	NameOnDocument  string `xml:"nameOnDocument,attr"`
	Number          string `xml:"number,attr"`
	TypeCode        string `xml:"identificationTypeCode,attr"`
	TypeDescription string `xml:"identificationTypeDescription,attr"`
	Region          string `xml:"region,attr"`
}

type fsfEntity struct {
	fsfOperable
	DesignationDate    string              `xml:"designationDate,attr"`
	DelistingDate      string              `xml:"delistingDate,attr"`
	DesignationDetails string              `xml:"designationDetails,attr"`
	UnitedNationID     string              `xml:"unitedNationId,attr"`
	EUReferenceNumber  string              `xml:"euReferenceNumber,attr"`
	Regulations        []fsfRegulation     `xml:"regulation"`
	SubjectType        []fsfSubjectType    `xml:"subjectType"`
	Names              []fsfNameAlias      `xml:"nameAlias"`
	Citizenships       []fsfCitizenship    `xml:"citizenship"`
	Birthdates         []fsfBirthdate      `xml:"birthdate"`
	Addresses          []fsfAddress        `xml:"address"`
	Identifications    []fsfIdentification `xml:"identification"`
}

type fsfSubjectType struct {
	Code           string `xml:"code,attr"`
	Classification string `xml:"classificationCode,attr"`
}

var fsfIDRE = regexp.MustCompile(`^\d{1,19}$`)

func parseEUFSF(ctx context.Context, src *listSource) (*ListParse, error) {
	d := xml.NewDecoder(src.In)
	d.CharsetReader = charsetReader
	lineOf := func() int { l, _ := d.InputPos(); return l }
	xmlErr := func(err error) error {
		if fe := textError(src.Name, err); fe != nil {
			return fe
		}
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			if se.Msg == "unexpected EOF" {
				return &FileError{File: src.Name, Line: se.Line, Msg: "the XML ends before the </export> that closes it: the file is truncated"}
			}
			return &FileError{File: src.Name, Line: se.Line, Msg: "not well-formed XML: " + se.Msg}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return &FileError{File: src.Name, Line: lineOf(), Msg: "the XML ends before the </export> that closes it: the file is truncated"}
		}
		return &FileError{File: src.Name, Line: lineOf(), Msg: "cannot read the XML", Err: err}
	}
	lp := &ListParse{Info: ListInfo{Dataset: euFSFDataset, Title: "EU financial sanctions files (FSF)", Prefix: "eu-fsf:", Snapshot: true, URL: euFSFURL}}

	// The root.
	var root xml.StartElement
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil, &FileError{File: src.Name, Msg: "the file holds no XML element: an EU FSF file has the root <export>"}
		}
		if err != nil {
			return nil, xmlErr(err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	if root.Name.Local != "export" || (root.Name.Space != "" && root.Name.Space != euFSFNamespace) {
		return nil, &FileError{File: src.Name, Line: lineOf(), Msg: fmt.Sprintf("the root element is <%s> (namespace %q); an EU FSF file has the root <export xmlns=%q>", root.Name.Local, root.Name.Space, euFSFNamespace)}
	}
	for _, a := range root.Attr {
		if a.Name.Local == "generationDate" {
			if v := strings.TrimSpace(a.Value); len(v) >= 10 {
				if d := listDate(v[:10]); len(d) == 10 {
					lp.Info.Date = d
				}
			}
		}
	}

	var entries []*entry
	seen := map[string]int{} // logicalId -> line of its entity
	n := 0
	closed, endLine := false, 0
	for !closed {
		tok, err := d.Token()
		if err != nil {
			return nil, xmlErr(err)
		}
		switch t := tok.(type) {
		case xml.EndElement:
			closed, endLine = true, lineOf() // the end of <export>: Token checks nesting
		case xml.StartElement:
			line := lineOf()
			if t.Name.Local != "sanctionEntity" {
				if err := d.Skip(); err != nil {
					return nil, xmlErr(err)
				}
				lp.Notes = append(lp.Notes, fmt.Sprintf("line %d: <%s> is not an element of <export>; it was skipped", line, t.Name.Local))
				continue
			}
			n++
			if n%500 == 0 {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
			}
			var se fsfEntity
			if err := d.DecodeElement(&se, &t); err != nil {
				return nil, xmlErr(err)
			}
			en, rerr := fsfEntry(&se, lp.Info.Date, line)
			if rerr != nil {
				rerr.File, rerr.Line = src.Name, line
				lp.Rejects = append(lp.Rejects, rerr)
				continue
			}
			id := strings.TrimSpace(se.LogicalID)
			if first, dup := seen[id]; dup {
				lp.Rejects = append(lp.Rejects, &RecordError{File: src.Name, Line: line, Field: "sanctionEntity/@logicalId",
					Msg: fmt.Sprintf("logicalId %s is also the id of the entity at line %d: one id cannot name two entities", id, first)})
				continue
			}
			seen[id] = line
			entries = append(entries, en)
		}
	}
	// Nothing may follow the root but comments and white space.
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, xmlErr(err)
		}
		if _, ok := tok.(xml.StartElement); ok {
			return nil, &FileError{File: src.Name, Line: lineOf(), Msg: "an element follows the </export> that ends the document"}
		}
	}
	if n == 0 {
		return nil, &FileError{File: src.Name, Line: endLine, Msg: "the file has no <sanctionEntity>: an EU FSF export lists the sanctioned entities"}
	}
	for _, en := range entries {
		lp.Records = append(lp.Records, en.record())
	}
	return lp, nil
}

// fsfEntry builds the entry of one sanctionEntity.
func fsfEntry(se *fsfEntity, date string, line int) (*entry, *RecordError) {
	id := strings.TrimSpace(se.LogicalID)
	if id == "" {
		return nil, &RecordError{Field: "sanctionEntity/@logicalId", Msg: "the entity has no logicalId"}
	}
	if !fsfIDRE.MatchString(id) {
		return nil, &RecordError{Field: "sanctionEntity/@logicalId", Msg: fmt.Sprintf("logicalId %q is not a number", fsfClip(id))}
	}
	euRef := fsfValue(se.EUReferenceNumber)
	schema, note := "LegalEntity", ""
	var code, class string
	if len(se.SubjectType) > 0 {
		code, class = strings.ToLower(strings.TrimSpace(se.SubjectType[0].Code)), strings.ToUpper(strings.TrimSpace(se.SubjectType[0].Classification))
	}
	switch {
	case code == "person" || (code == "" && class == "P"):
		schema = "Person"
	case code == "enterprise":
		schema = "Organization"
	case code != "" || class != "":
		note = "subject type: " + strings.TrimSpace(code+" "+class)
	}

	// Names: the first strong one is the name.
	main := -1
	names := make([]string, len(se.Names))
	for i, na := range se.Names {
		names[i] = fsfValue(na.WholeName)
		if names[i] == "" {
			names[i] = strings.Join(strings.Fields(fsfValue(na.FirstName)+" "+fsfValue(na.MiddleName)+" "+fsfValue(na.LastName)), " ")
		}
		if names[i] != "" && main < 0 && !strings.EqualFold(strings.TrimSpace(na.Strong), "false") {
			main = i
		}
	}
	if main < 0 {
		for i, nm := range names {
			if nm != "" {
				main = i
				break
			}
		}
	}
	if main < 0 {
		return nil, &RecordError{Field: "sanctionEntity/nameAlias", Msg: fmt.Sprintf("entity %s has no name (no nameAlias with a wholeName or first and last name)", id)}
	}

	recID := euRef
	if recID == "" {
		recID = id
	}
	ref := "eu-fsf:" + id
	en := newEntry(ref, schema, graph.Source{Dataset: euFSFDataset, RecordID: recID, URL: euFSFURL, Date: date}, line)
	if euRef != "" && euRef != ref {
		en.e.Referents = []string{euRef}
	}
	en.addName("name", names[main])
	fsfRemarks(en, se.fsfOperable)
	for i, na := range se.Names {
		if i != main && names[i] != "" {
			if strings.EqualFold(strings.TrimSpace(na.Strong), "false") {
				en.add("weakAlias", names[i])
			} else {
				en.addName("alias", names[i])
			}
		}
		if schema == "Person" {
			en.add("firstName", fsfValue(na.FirstName))
			en.add("middleName", fsfValue(na.MiddleName))
			en.add("lastName", fsfValue(na.LastName))
			en.add("title", fsfValue(na.Title))
			en.add("position", fsfValue(na.Function))
			switch strings.ToUpper(strings.TrimSpace(na.Gender)) {
			case "M":
				en.add("gender", "male")
			case "F":
				en.add("gender", "female")
			}
		} else {
			if v := fsfValue(na.Function); v != "" {
				en.add("notes", "function: "+v)
			}
			if v := fsfValue(na.Title); v != "" {
				en.add("notes", "title: "+v)
			}
		}
		fsfRemarks(en, na.fsfOperable)
	}
	if note != "" {
		en.add("notes", note)
	}

	for _, c := range se.Citizenships {
		prop := "nationality"
		if !euHasProp(en, prop) {
			prop = "country"
		}
		fsfAddCountry(en, prop, "citizenship", c.fsfCountry)
		if v := fsfValue(c.Region); v != "" {
			en.add("notes", "citizenship region: "+v)
		}
		fsfRemarks(en, c.fsfOperable)
	}
	for _, b := range se.Birthdates {
		fsfBirth(en, &b)
		fsfRemarks(en, b.fsfOperable)
	}
	for _, a := range se.Addresses {
		fsfAddr(en, &a)
		fsfRemarks(en, a.fsfOperable)
	}
	for _, idn := range se.Identifications {
		fsfIdent(en, &idn)
		fsfRemarks(en, idn.fsfOperable)
	}

	// Designations, one per programme.
	type prog struct {
		code       string
		dates, url []string
	}
	var progs []*prog
	for _, r := range se.Regulations {
		code := fsfValue(r.Programme)
		var p *prog
		for _, x := range progs {
			if x.code == code {
				p = x
			}
		}
		if p == nil {
			p = &prog{code: code}
			progs = append(progs, p)
		}
		if d := listDate(fsfValue(r.PublicationDate)); d != "" {
			p.dates = append(p.dates, d)
		}
		p.url = append(p.url, fsfValue(r.PublicationURL))
		fsfRemarks(en, r.fsfOperable)
	}
	if len(progs) == 0 {
		progs = append(progs, &prog{})
	}
	for _, p := range progs {
		listing := listDate(fsfValue(se.DesignationDate))
		if listing == "" && len(p.dates) > 0 {
			listing = p.dates[0]
			for _, d := range p.dates {
				if d < listing {
					listing = d
				}
			}
		}
		props := map[string][]string{"listingDate": {listing}, "authorityId": {euRef}, "reason": {fsfValue(se.DesignationDetails)},
			"sourceUrl": p.url, "unscId": {fsfValue(se.UnitedNationID)}, "endDate": {listDate(fsfValue(se.DelistingDate))}}
		d := Designator(euCouncil, "eu", "", "")
		key := "eu"
		if p.code != "" {
			props["programId"] = []string{"EU-" + p.code}
			d = Designator(euCouncil, "eu", "EU-"+p.code, "EU-"+p.code)
			key = "EU-" + euRefSegment(p.code)
		}
		if euHasRel(en, en.rec.Ref+"#"+key) {
			continue
		}
		en.designate(d, key, props)
	}
	return en, nil
}

// fsfValue trims an attribute value and drops the placeholders the
// export uses for nothing ("-", "UNKNOWN").
func fsfValue(s string) string {
	s = cleanValue(s)
	switch strings.ToUpper(s) {
	case "-", "--", "N/A", "UNKNOWN", "NA":
		return ""
	}
	return s
}

func fsfClip(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "..."
	}
	return s
}

// fsfRemarks keeps the remarks and additional information of an element
// as notes, and the identifiers they state.
func fsfRemarks(en *entry, o fsfOperable) {
	for _, r := range o.Remarks {
		if r = cleanValue(r); r != "" {
			en.add("notes", r)
			euIdentifiersInText(en, r)
		}
	}
	for _, a := range o.Additional {
		if k, v := cleanValue(a.Key), cleanValue(a.Value); v != "" {
			if k != "" {
				v = k + ": " + v
			}
			en.add("notes", v)
		}
	}
}

// fsfCountryCode returns the FtM code of a country given by its ISO code
// or, failing that, its description.
func fsfCountryCode(c fsfCountry) string {
	if code := strings.TrimSpace(c.Code); code != "" && code != "00" {
		if cc := graph.CountryCode(strings.ToUpper(code)); cc != "" {
			return cc
		}
	}
	if d := fsfValue(c.Description); d != "" {
		return euCountry(d)
	}
	return ""
}

// fsfCountryName names a country in an address or place.
func fsfCountryName(c fsfCountry) string {
	if cc := fsfCountryCode(c); cc != "" {
		return graph.CountryName(cc)
	}
	return fsfValue(c.Description)
}

// fsfAddCountry adds the country c to prop, or keeps its description as a
// note if it is no country graph knows.
func fsfAddCountry(en *entry, prop, label string, c fsfCountry) {
	if cc := fsfCountryCode(c); cc != "" {
		euAddProp(en, prop, label, cc)
		return
	}
	if d := fsfValue(c.Description); d != "" {
		en.add("notes", label+": "+d)
	} else if code := fsfValue(c.Code); code != "" && code != "00" {
		en.add("notes", label+": "+code)
	}
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = fsfValue(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func fsfBirth(en *entry, b *fsfBirthdate) {
	person := en.e.Schema == "Person"
	place := joinNonEmpty(", ", b.Place, b.City, b.ZipCode, b.Region, fsfCountryName(b.fsfCountry))
	if place != "" {
		euAddProp(en, "birthPlace", "birth place", place)
	}
	if person {
		if cc := fsfCountryCode(b.fsfCountry); cc != "" {
			en.add("birthCountry", cc)
		}
	}
	date := listDate(fsfValue(b.Date))
	if date == "" {
		y, _ := strconv.Atoi(strings.TrimSpace(b.Year))
		m, _ := strconv.Atoi(strings.TrimSpace(b.Month))
		d, _ := strconv.Atoi(strings.TrimSpace(b.Day))
		if y > 0 {
			date = formatDate(y, m, d)
		}
	}
	var words []string
	if from, to := fsfValue(b.RangeFrom), fsfValue(b.RangeTo); from != "" || to != "" {
		words = append(words, "born between "+from+" and "+to)
	}
	cal := strings.ToUpper(fsfValue(b.Calendar))
	switch {
	case date == "":
	case cal != "" && cal != "GREGORIAN":
		words = append(words, "birth date "+date+" ("+strings.ToLower(cal)+" calendar)")
		date = ""
	case strings.EqualFold(strings.TrimSpace(b.Circa), "true"):
		words = append(words, "birth date circa "+date)
	}
	if date != "" {
		if person {
			en.add("birthDate", date)
		} else {
			words = append(words, "birth date "+date)
		}
	}
	for _, w := range words {
		en.add("notes", w)
	}
}

func fsfAddr(en *entry, a *fsfAddress) {
	pobox := fsfValue(a.POBox)
	if pobox != "" {
		pobox = "P.O. Box " + pobox
	}
	text := joinNonEmpty(", ", a.Street, pobox, a.Place, strings.TrimSpace(fsfValue(a.ZipCode)+" "+fsfValue(a.City)), a.Region, fsfCountryName(a.fsfCountry))
	if text != "" {
		euAddProp(en, "address", "address", text)
	}
	if cc := fsfCountryCode(a.fsfCountry); cc != "" {
		euAddProp(en, "country", "country", cc)
	} else if d := fsfValue(a.Description); d != "" && text == "" {
		en.add("notes", "address: "+d)
	}
	for _, c := range a.Contact {
		k, v := strings.ToLower(cleanValue(c.Key)), cleanValue(c.Value)
		if v == "" {
			continue
		}
		switch {
		case strings.Contains(k, "mail"):
			euAddProp(en, "email", k, v)
		case strings.Contains(k, "fax"):
			en.add("notes", "fax: "+v)
		case strings.Contains(k, "phone") || strings.Contains(k, "tel"):
			euAddProp(en, "phone", k, v)
		case strings.Contains(k, "web") || strings.Contains(k, "url") || strings.Contains(k, "site"):
			euAddProp(en, "website", k, v)
		default:
			en.add("notes", strings.TrimSpace(c.Key+": "+v))
		}
	}
}

// fsfIdentProp maps an identificationTypeCode to an FtM property; "" if
// the code names no identifier FtM has a property for.
func fsfIdentProp(code string) string {
	code = strings.ToLower(strings.TrimSpace(code))
	switch {
	case strings.Contains(code, "pass"):
		return "passportNumber"
	case code == "id" || strings.HasPrefix(code, "id") || strings.Contains(code, "nationalid"):
		return "idNumber"
	case strings.Contains(code, "swift") || strings.Contains(code, "bic"):
		return "swiftBic"
	case strings.Contains(code, "imo"):
		return "imoNumber"
	case strings.Contains(code, "tax") || strings.Contains(code, "fiscal"):
		return "taxNumber"
	case strings.Contains(code, "reg"):
		return "registrationNumber"
	}
	return ""
}

func fsfIdent(en *entry, idn *fsfIdentification) {
	nums := []string{fsfValue(idn.Number)}
	if l := fsfValue(idn.LatinNumber); l != "" && l != nums[0] {
		nums = append(nums, l)
	}
	if nums[0] == "" {
		nums = nums[1:]
	}
	desc := fsfValue(idn.TypeDescription)
	if desc == "" {
		desc = fsfValue(idn.TypeCode)
	}
	if desc == "" {
		desc = "identification"
	}
	prop := fsfIdentProp(idn.TypeCode)
	var flags []string
	for _, f := range []struct{ v, w string }{{idn.Diplomatic, "diplomatic"}, {idn.KnownExpired, "known to be expired"},
		{idn.KnownFalse, "known to be false"}, {idn.ReportedLost, "reported lost"}, {idn.RevokedByIssuer, "revoked by the issuer"}} {
		if strings.EqualFold(strings.TrimSpace(f.v), "true") {
			flags = append(flags, f.w)
		}
	}
	for _, num := range nums {
		switch {
		case prop != "" && euHasProp(en, prop):
			en.add(prop, num)
		default:
			euAddProp(en, "idNumber", desc, num)
			en.add("notes", desc+": "+num)
		}
		if len(flags) > 0 {
			en.add("notes", desc+" "+num+": "+strings.Join(flags, ", "))
		}
	}
	if len(nums) == 0 && len(flags) > 0 {
		en.add("notes", desc+": "+strings.Join(flags, ", "))
	}
}

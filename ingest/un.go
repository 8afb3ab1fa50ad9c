package ingest

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// The UN Security Council consolidated list, XML
// (https://scsanctions.un.org/resources/xml/en/consolidated.xml, schema
// https://www.un.org/sc/resources/sc-sanctions.xsd):
//
//	<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
//	  <INDIVIDUALS><INDIVIDUAL>DATAID, FIRST_NAME..FOURTH_NAME, UN_LIST_TYPE,
//	    REFERENCE_NUMBER, LISTED_ON, COMMENTS1, NATIONALITY/VALUE, *_ALIAS,
//	    *_ADDRESS, INDIVIDUAL_DATE_OF_BIRTH, INDIVIDUAL_PLACE_OF_BIRTH,
//	    INDIVIDUAL_DOCUMENT, ...</INDIVIDUAL></INDIVIDUALS>
//	  <ENTITIES><ENTITY>...</ENTITY></ENTITIES>
//	</CONSOLIDATED_LIST>
//
// Each INDIVIDUAL becomes a Person and each ENTITY an Organization with
// ref "un:<DATAID>"; the UN reference ("KPe.047") is the record id users
// cite and a referent of the entity. The entry is designated by the UN
// Security Council under the sanctions committee of its UN_LIST_TYPE.
// The file is the whole list: entries a later version lacks are delisted.
// COMMENTS1 is prose: it becomes notes, and only SWIFT/BIC codes and IMO
// numbers are read out of it, never links to other entries.

const (
	unDataset = "un_sc_sanctions"
	unTitle   = "UN Security Council consolidated list"
	unPrefix  = "un:"
	unListURL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
	unRoot    = "CONSOLIDATED_LIST"
)

// unCommittees names the sanctions committee of each UN_LIST_TYPE (keyed
// by unListKey). The 1737 (Iran) regime ended in 2016 under resolution
// 2231 and was restored by the snapback of September 2025: the list again
// has its entries (IRi./IRe., listed 2006-2012) under UN_LIST_TYPE "Iran".
var unCommittees = map[string]string{
	"dprk":       "1718 Committee",
	"alqaida":    "1267/1989/2253 ISIL (Da'esh) and Al-Qaida Sanctions Committee",
	"taliban":    "1988 Committee",
	"iraq":       "1518 Committee",
	"drc":        "1533 Committee",
	"sudan":      "1591 Committee",
	"somalia":    "2713 Committee",
	"libya":      "1970 Committee",
	"car":        "2127 Committee",
	"yemen":      "2140 Committee",
	"southsudan": "2206 Committee",
	"haiti":      "2653 Committee",
	"gb":         "2048 Committee",
	"mali":       "2374 Committee",
	"iran":       "1737 Committee",
}

// unListKey folds a UN_LIST_TYPE for the committee table: "Al-Qaida" ->
// "alqaida", "South Sudan" -> "southsudan".
func unListKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// sniffUNXML reports whether the first element of the file is
// <CONSOLIDATED_LIST>, the root of the UN list.
func sniffUNXML(head []byte) bool {
	name, _ := xmlFirstElement(head)
	return name == unRoot
}

// xmlFirstElement returns the name of the first element in head, skipping
// the XML declaration, processing instructions, comments and a doctype; ""
// if head does not start like XML.
func xmlFirstElement(head []byte) (string, bool) {
	b := head
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			i := bytes.Index(b, []byte("?>"))
			if i < 0 {
				return "", false
			}
			b = b[i+2:]
		case bytes.HasPrefix(b, []byte("<!--")):
			i := bytes.Index(b[4:], []byte("-->"))
			if i < 0 {
				return "", false
			}
			b = b[4+i+3:]
		case bytes.HasPrefix(b, []byte("<!")):
			i := bytes.IndexByte(b, '>')
			if i < 0 {
				return "", false
			}
			b = b[i+1:]
		case bytes.HasPrefix(b, []byte("<")):
			b = b[1:]
			n := bytes.IndexFunc(b, func(r rune) bool { return r == ' ' || r == '>' || r == '/' || r == '\t' || r == '\r' || r == '\n' })
			if n <= 0 {
				return "", false
			}
			name := string(b[:n])
			if i := strings.IndexByte(name, ':'); i >= 0 {
				name = name[i+1:]
			}
			return name, true
		default:
			return "", false
		}
	}
}

// unNode is an element of one list entry.
type unNode struct {
	name string
	text string // character data, whitespace collapsed
	line int
	kids []*unNode
}

func (n *unNode) all(name string) []*unNode {
	var out []*unNode
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

func (n *unNode) child(name string) *unNode {
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

// val returns the text of the first child name, "" if none. The UN's
// schema default "na" counts as empty.
func (n *unNode) val(name string) string {
	if k := n.child(name); k != nil {
		return unText(k.text)
	}
	return ""
}

// values returns the texts of the VALUE children of every child name.
func (n *unNode) values(name string) []string {
	var out []string
	for _, k := range n.all(name) {
		for _, v := range k.all("VALUE") {
			if t := unText(v.text); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

func unText(s string) string {
	s = cleanValue(s)
	if strings.EqualFold(s, "na") || strings.EqualFold(s, "n/a") {
		return ""
	}
	return s
}

// collapseSpace trims s and turns every run of white space into one space.
func collapseSpace(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), " ")
}

// unKnown are the elements of an entry the reader reads or knowingly
// skips; others are reported in the list notes.
var unKnown = map[string]bool{
	"DATAID": true, "VERSIONNUM": true, "FIRST_NAME": true, "SECOND_NAME": true, "THIRD_NAME": true,
	"FOURTH_NAME": true, "UN_LIST_TYPE": true, "REFERENCE_NUMBER": true, "LISTED_ON": true, "GENDER": true,
	"SUBMITTED_BY": true, "SUBMITTED_ON": true, "NAME_ORIGINAL_SCRIPT": true, "COMMENTS1": true, "NATIONALITY2": true,
	"TITLE": true, "DESIGNATION": true, "NATIONALITY": true, "LIST_TYPE": true, "LAST_DAY_UPDATED": true,
	"INDIVIDUAL_ALIAS": true, "ENTITY_ALIAS": true, "INDIVIDUAL_ADDRESS": true, "ENTITY_ADDRESS": true,
	"INDIVIDUAL_DATE_OF_BIRTH": true, "INDIVIDUAL_PLACE_OF_BIRTH": true, "INDIVIDUAL_DOCUMENT": true,
	"SORT_KEY": true, "SORT_KEY_LAST_MOD": true, "DELISTED_ON": true,
}

// unParser holds the state of one file.
type unParser struct {
	src     *listSource
	dec     *xml.Decoder
	info    ListInfo
	lp      *ListParse
	stack   []string // open elements with their lines, for messages
	lines   []int
	seen    map[string]int // DATAID -> line of the entry that has it
	unknown map[string]int // unread element -> entries
	where   map[string]int // unread element -> first line
	odd     map[string]int // unknown list type -> entries
}

func parseUNXML(ctx context.Context, src *listSource) (*ListParse, error) {
	p := &unParser{src: src, dec: xml.NewDecoder(src.In), seen: map[string]int{}, unknown: map[string]int{},
		where: map[string]int{}, odd: map[string]int{}}
	p.dec.Strict = true
	p.dec.CharsetReader = charsetReader
	p.lp = &ListParse{Info: ListInfo{Dataset: unDataset, Title: unTitle, Prefix: unPrefix, Snapshot: true, URL: unListURL}}
	if err := p.read(ctx); err != nil {
		return nil, err
	}
	if len(p.lp.Records)+len(p.lp.Rejects) == 0 {
		return nil, &FileError{File: src.Name, Msg: "the UN list has no INDIVIDUAL or ENTITY entries"}
	}
	var unk []string
	for k := range p.unknown {
		unk = append(unk, k)
	}
	sort.Strings(unk)
	for _, k := range unk {
		p.lp.Notes = append(p.lp.Notes, fmt.Sprintf("element <%s> (%d times, first at line %d) is not read", k, p.unknown[k], p.where[k]))
	}
	var odd []string
	for k := range p.odd {
		odd = append(odd, k)
	}
	sort.Strings(odd)
	for _, k := range odd {
		if k == "" {
			p.lp.Notes = append(p.lp.Notes, fmt.Sprintf("%d entries have no UN_LIST_TYPE: they are designated by the UN Security Council without a programme", p.odd[k]))
		} else {
			p.lp.Notes = append(p.lp.Notes, fmt.Sprintf("UN_LIST_TYPE %q (%d entries) names no known sanctions committee: it is used as the programme name", k, p.odd[k]))
		}
	}
	return p.lp, nil
}

func (p *unParser) line() int {
	l, _ := p.dec.InputPos()
	return l
}

// fileErr turns a decoder error into a FileError naming the line.
func (p *unParser) fileErr(err error) error {
	if fe := textError(p.src.Name, err); fe != nil {
		return fe
	}
	var se *xml.SyntaxError
	line := p.line()
	msg := "the file is not well-formed XML: " + err.Error()
	if errors.As(err, &se) {
		line = se.Line
		msg = "the file is not well-formed XML: " + se.Msg
		if strings.Contains(se.Msg, "unexpected EOF") {
			msg = "the file ends in the middle of the XML: it is truncated"
		}
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		msg = "the file ends in the middle of the XML: it is truncated"
	}
	if strings.HasPrefix(msg, "the file ends") && len(p.stack) > 0 {
		msg += fmt.Sprintf(" (<%s> opened at line %d is not closed)", p.stack[len(p.stack)-1], p.lines[len(p.lines)-1])
	}
	return &FileError{File: p.src.Name, Line: line, Msg: msg}
}

func (p *unParser) token() (xml.Token, error) {
	tok, err := p.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) && len(p.stack) == 0 {
			return nil, io.EOF
		}
		return nil, p.fileErr(err)
	}
	return tok, nil
}

func (p *unParser) read(ctx context.Context) error {
	// The root.
	var root xml.StartElement
	for {
		before := p.line()
		tok, err := p.token()
		if errors.Is(err, io.EOF) {
			return &FileError{File: p.src.Name, Line: p.line(), Msg: "the file has no XML element: it is empty or not XML"}
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
		if cd, ok := tok.(xml.CharData); ok && len(bytes.TrimSpace(cd)) > 0 {
			lead := cd[:len(cd)-len(bytes.TrimLeft(cd, " \t\r\n"))]
			return &FileError{File: p.src.Name, Line: before + bytes.Count(lead, []byte("\n")), Msg: "text before the first XML element: this is not XML"}
		}
	}
	if root.Name.Local != unRoot {
		return &FileError{File: p.src.Name, Line: p.line(), Msg: fmt.Sprintf("the root element is <%s>, not <%s>: this is not the UN Security Council consolidated list", root.Name.Local, unRoot)}
	}
	p.stack, p.lines = append(p.stack, root.Name.Local), append(p.lines, p.line())
	for _, a := range root.Attr {
		if a.Name.Local == "dateGenerated" {
			p.lp.Info.Date = unDate(a.Value)
			if p.lp.Info.Date == "" && strings.TrimSpace(a.Value) != "" {
				p.lp.Notes = append(p.lp.Notes, fmt.Sprintf("dateGenerated %q is not a date: the list date is unknown", a.Value))
			}
		}
	}
	n := 0
	for len(p.stack) > 0 {
		tok, err := p.token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return p.fileErr(io.ErrUnexpectedEOF)
			}
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line := p.line()
			parent := p.stack[len(p.stack)-1]
			name := t.Name.Local
			if (name == "INDIVIDUAL" && parent == "INDIVIDUALS") || (name == "ENTITY" && parent == "ENTITIES") {
				node, err := p.subtree(name, line)
				if err != nil {
					return err
				}
				p.entry(node)
				if n++; n%256 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				continue
			}
			if !(len(p.stack) == 1 && (name == "INDIVIDUALS" || name == "ENTITIES")) {
				key := parent + "/" + name
				if p.unknown[key] == 0 {
					p.where[key] = line
				}
				p.unknown[key]++
			}
			p.stack, p.lines = append(p.stack, name), append(p.lines, line)
		case xml.EndElement:
			p.stack, p.lines = p.stack[:len(p.stack)-1], p.lines[:len(p.lines)-1]
		}
	}
	// Nothing but comments and white space may follow the root.
	for {
		tok, err := p.token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return &FileError{File: p.src.Name, Line: p.line(), Msg: fmt.Sprintf("element <%s> after the end of <%s>: the file holds more than one XML document", t.Name.Local, unRoot)}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return &FileError{File: p.src.Name, Line: p.line(), Msg: fmt.Sprintf("text after the end of <%s>", unRoot)}
			}
		}
	}
}

// subtree reads the element name just opened at line into a node tree.
func (p *unParser) subtree(name string, line int) (*unNode, error) {
	root := &unNode{name: name, line: line}
	nodes := []*unNode{root}
	var texts []*strings.Builder
	texts = append(texts, &strings.Builder{})
	p.stack, p.lines = append(p.stack, name), append(p.lines, line)
	for len(nodes) > 0 {
		tok, err := p.token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, p.fileErr(io.ErrUnexpectedEOF)
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			l := p.line()
			k := &unNode{name: t.Name.Local, line: l}
			top := nodes[len(nodes)-1]
			top.kids = append(top.kids, k)
			nodes, texts = append(nodes, k), append(texts, &strings.Builder{})
			p.stack, p.lines = append(p.stack, k.name), append(p.lines, l)
		case xml.CharData:
			texts[len(texts)-1].Write(t)
		case xml.EndElement:
			top := nodes[len(nodes)-1]
			top.text = collapseSpace(texts[len(texts)-1].String())
			nodes, texts = nodes[:len(nodes)-1], texts[:len(texts)-1]
			p.stack, p.lines = p.stack[:len(p.stack)-1], p.lines[:len(p.lines)-1]
		}
	}
	return root, nil
}

func (p *unParser) reject(field string, line int, msg string) {
	p.lp.Rejects = append(p.lp.Rejects, &RecordError{File: p.src.Name, Line: line, Field: field, Msg: msg})
}

// unEntry adds properties to an entry, keeping values the schema has no
// property for in notes.
type unEntry struct {
	*entry
	schema *graph.Schema
}

func (u unEntry) set(prop string, values ...string) {
	if _, ok := u.schema.Props[prop]; ok {
		u.add(prop, values...)
		return
	}
	for _, v := range values {
		if v = cleanValue(v); v != "" {
			u.add("notes", prop+": "+v)
		}
	}
}

func (u unEntry) note(format string, args ...any) {
	u.add("notes", fmt.Sprintf(format, args...))
}

// entry turns one INDIVIDUAL or ENTITY into a record, or a reject.
func (p *unParser) entry(n *unNode) {
	for _, k := range n.kids {
		if !unKnown[k.name] {
			key := n.name + "/" + k.name
			if p.unknown[key] == 0 {
				p.where[key] = k.line
			}
			p.unknown[key]++
		}
	}
	id := ""
	idLine := n.line
	if k := n.child("DATAID"); k != nil {
		id, idLine = cleanValue(k.text), k.line
	}
	switch {
	case id == "":
		p.reject(n.name+"/DATAID", n.line, "the entry has no DATAID, the UN's id of an entry")
		return
	case !unIsDigits(id):
		p.reject(n.name+"/DATAID", idLine, fmt.Sprintf("DATAID %q is not a number", id))
		return
	case p.seen[id] != 0:
		p.reject(n.name+"/DATAID", idLine, fmt.Sprintf("DATAID %s appears twice (first at line %d)", id, p.seen[id]))
		return
	}
	var parts []string
	for _, f := range []string{"FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"} {
		if v := n.val(f); v != "" {
			parts = append(parts, v)
		}
	}
	name := strings.Join(parts, " ")
	if name == "" {
		p.reject(n.name+"/FIRST_NAME", n.line, fmt.Sprintf("entry DATAID %s has no name", id))
		return
	}
	p.seen[id] = n.line

	refNo := n.val("REFERENCE_NUMBER")
	schemaName := "Organization"
	if n.name == "INDIVIDUAL" {
		schemaName = "Person"
	}
	schema, _ := graph.LookupSchema(schemaName)
	recID := refNo
	if recID == "" {
		recID = id
	}
	// The consolidated list joins the lists of the committees, and a
	// party under two committees has an entry in each (QDi.042 and
	// SOi.008 are one man): the committee's list is the part.
	src := graph.Source{Dataset: p.lp.Info.Dataset, RecordID: recID, URL: unListURL, Date: p.lp.Info.Date, Part: n.val("UN_LIST_TYPE")}
	en := newEntry(unPrefix+id, schemaName, src, n.line)
	if refNo != "" {
		en.e.Referents = []string{unPrefix + refNo, refNo}
	}
	u := unEntry{entry: en, schema: schema}

	// Names. FIRST_NAME..FOURTH_NAME are positions, not roles: DPRK
	// entries start with the family name, Arabic names end with it. So
	// firstName and secondName take the first two parts as the UN labels
	// them, the third and fourth are middleName, and no lastName is set.
	en.addName("name", name)
	if schemaName == "Person" {
		u.set("firstName", n.val("FIRST_NAME"))
		u.set("secondName", n.val("SECOND_NAME"))
		u.set("middleName", n.val("THIRD_NAME"), n.val("FOURTH_NAME"))
	}
	if v := n.val("NAME_ORIGINAL_SCRIPT"); v != "" {
		en.addName("alias", v)
	}
	for _, a := range append(n.all("INDIVIDUAL_ALIAS"), n.all("ENTITY_ALIAS")...) {
		u.alias(a)
	}

	// Designation.
	listType := n.val("UN_LIST_TYPE")
	committee, ok := unCommittees[unListKey(listType)]
	if !ok {
		committee = listType
		p.odd[listType]++
	}
	props := map[string][]string{}
	if refNo != "" {
		props["unscId"] = []string{refNo}
	}
	listed := n.val("LISTED_ON")
	if d := unDate(listed); d != "" {
		props["listingDate"] = []string{d}
	} else if listed != "" {
		u.note("Listed on: %s", listed)
	}
	if d := n.val("DELISTED_ON"); d != "" {
		if dd := unDate(d); dd != "" {
			props["endDate"] = []string{dd}
		} else {
			u.note("Delisted on: %s", d)
		}
	}
	var updated []string
	for _, v := range n.values("LAST_DAY_UPDATED") {
		if d := unDate(v); d != "" {
			updated = append(updated, d)
		}
	}
	if len(updated) > 0 {
		sort.Strings(updated)
		props["modifiedAt"] = []string{updated[len(updated)-1]}
	}
	comments := n.val("COMMENTS1")
	if comments != "" {
		// "Other information" in the UN's own rendering of the list; for
		// most entities it states why they are listed.
		props["summary"] = []string{comments}
	}
	en.designate(Designator("UN Security Council", "", "", committee), "un", props)

	// What the entry states.
	if comments != "" {
		u.add("notes", comments)
		for prop, vals := range identifiersInText(comments) {
			if _, ok := schema.Props[prop]; ok {
				u.add(prop, vals...)
			}
		}
		// A shipping company's "IMO number: 5342883" is its IMO company
		// number, which has no ship's check digit (identifiersInText
		// keeps only valid ship numbers).
		if _, ok := schema.Props["imoNumber"]; ok && schemaName != "Vessel" {
			for _, m := range imoRE.FindAllStringSubmatch(comments, -1) {
				u.add("imoNumber", m[1])
			}
		}
		if m := unGenderRE.FindStringSubmatch(comments); m != nil {
			u.set("gender", strings.ToLower(m[1]))
		}
	}
	if g := strings.ToLower(n.val("GENDER")); g != "" {
		if g == "male" || g == "female" {
			u.set("gender", g)
		} else {
			u.note("Gender: %s", n.val("GENDER"))
		}
	}
	if v := n.val("SUBMITTED_BY"); v != "" {
		u.note("Submitted by: %s", v)
	}
	if v := n.val("SUBMITTED_ON"); v != "" {
		u.note("Submitted on: %s", v)
	}
	u.set("title", n.values("TITLE")...)
	u.set("position", n.values("DESIGNATION")...)
	nats := n.values("NATIONALITY")
	if v := n.val("NATIONALITY2"); v != "" {
		nats = append(nats, v)
	}
	for _, v := range nats {
		if c := unCountry(v); c != "" {
			u.set("nationality", c)
		} else {
			u.note("Nationality: %s", v)
		}
	}
	for _, a := range append(n.all("INDIVIDUAL_ADDRESS"), n.all("ENTITY_ADDRESS")...) {
		u.address(a)
	}
	for _, d := range n.all("INDIVIDUAL_DATE_OF_BIRTH") {
		u.birthDate(d)
	}
	for _, b := range n.all("INDIVIDUAL_PLACE_OF_BIRTH") {
		u.birthPlace(b)
	}
	for _, d := range n.all("INDIVIDUAL_DOCUMENT") {
		u.document(d)
	}
	p.lp.Records = append(p.lp.Records, en.record())
}

var unGenderRE = regexp.MustCompile(`(?i)\bgender\s*:\s*(male|female)\b`)

func unIsDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// unDate reads a date of the list ("2017-08-05", "2015-07-01-04:00",
// "2026-02-27T00:00:09.554Z", "1969") as an FtM date.
func unDate(s string) string {
	s = strings.TrimSpace(s)
	if m := unDateRE.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	return listDate(s)
}

// unDateRE takes the date out of an xs:date or xs:dateTime with a time
// zone.
var unDateRE = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})(?:T[0-9:.]*)?(?:Z|[+-]\d{2}:\d{2})?$`)

// unCountry returns the FtM code of a country as the list names it, or "".
func unCountry(s string) string {
	s = unText(s)
	if s == "" {
		return ""
	}
	if c := graph.CountryCode(s); c != "" {
		return c
	}
	// "China, Hong Kong Special Administrative Region".
	if strings.Contains(s, "Special Administrative Region") {
		part := s
		if i := strings.LastIndexByte(s, ','); i >= 0 {
			part = s[i+1:]
		}
		return graph.CountryCode(strings.TrimSpace(strings.Replace(part, "Special Administrative Region", "", 1)))
	}
	return ""
}

var (
	// unScriptRE finds a name in another script given in an alias or its
	// note: "Amir Khazmat (original script: Амир Хазмат)", "in Arabic
	// script: شركة الكوثر".
	unScriptRE = regexp.MustCompile(`(?i)(?:original script|in arabic(?: script)?)\s*:\s*([^();]+?)\s*\)?\s*$`)
	// unParenRE splits "Jin Tiesan (金铁三)" into its two spellings.
	unParenRE = regexp.MustCompile(`^([^()]+?)\s*\(([^()]+)\)\s*,?$`)
)

// alias reads an INDIVIDUAL_ALIAS or ENTITY_ALIAS: QUALITY "Good" or
// "a.k.a." is an alias, "Low" a weak alias, "f.k.a." a previous name.
func (u unEntry) alias(a *unNode) {
	name := a.val("ALIAS_NAME")
	if name == "" {
		return
	}
	prop := "alias"
	switch strings.ToLower(strings.TrimSpace(a.val("QUALITY"))) {
	case "low":
		prop = "weakAlias"
	case "f.k.a.", "fka":
		prop = "previousName"
	}
	for _, n := range unSplitNames(name) {
		u.addAlias(prop, n)
	}
	note := a.val("NOTE")
	if m := unScriptRE.FindStringSubmatch(note); m != nil {
		u.addName("alias", m[1])
	}
	if note != "" {
		u.note("Alias %s: %s", name, note)
	}
	var born []string
	if v := a.val("DATE_OF_BIRTH"); v != "" {
		if d := unDate(v); d != "" {
			u.set("birthDate", d)
		}
		born = append(born, "date of birth "+v)
	}
	var place []string
	for _, f := range []string{"CITY_OF_BIRTH", "COUNTRY_OF_BIRTH"} {
		if v := a.val(f); v != "" {
			place = append(place, v)
		}
	}
	if len(place) > 0 {
		pl := strings.Join(place, ", ")
		u.set("birthPlace", pl)
		born = append(born, "place of birth "+pl)
	}
	if len(born) > 0 {
		u.note("Alias %s: %s", name, strings.Join(born, "; "))
	}
}

// unSplitNames splits an alias that holds several spellings: "A; B; C",
// "Jin Tiesan (金铁三)", "Amir Khazmat (original script: Амир Хазмат)".
// Anything else is one name.
func unSplitNames(s string) []string {
	var pieces []string
	if m := unScriptRE.FindStringSubmatch(s); m != nil && strings.IndexByte(s, '(') > 0 {
		pieces = []string{s[:strings.LastIndexByte(s, '(')], m[1]}
	} else if m := unParenRE.FindStringSubmatch(s); m != nil && (!hasLatin(m[1]) || !hasLatin(m[2])) {
		pieces = []string{m[1], m[2]}
	} else {
		pieces = []string{s}
	}
	var out []string
	for _, p := range pieces {
		if strings.Contains(p, ";") && !strings.ContainsAny(p, "()") {
			out = append(out, strings.Split(p, ";")...)
		} else {
			out = append(out, p)
		}
	}
	return out
}

// unRefRE is a UN reference number ("KPe.018").
var unRefRE = regexp.MustCompile(`(?i)^[A-Z]{2}[ie]\.\d{3}$`)

// addAlias adds a name as addName does, except that a parenthetical
// that is no acronym ("EL PARA (COMBAT NAME)", "... (KPe.018)") is no
// weak alias: the name without it is an alias of the same kind.
func (u unEntry) addAlias(prop, name string) {
	name = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(name), ","))
	if base, acr := splitAcronym(name); acr != "" {
		long := false
		for _, w := range strings.Fields(acr) {
			long = long || len(w) > 4
		}
		if (long && strings.Contains(acr, " ")) || unRefRE.MatchString(acr) {
			u.add(prop, name, base)
			return
		}
	}
	u.addName(prop, name)
}

func hasLatin(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Latin, r) {
			return true
		}
	}
	return false
}

// address reads an INDIVIDUAL_ADDRESS or ENTITY_ADDRESS: the parts joined
// into "address", the country as "country". An address that is only a
// known country is no address.
func (u unEntry) address(a *unNode) {
	var parts []string
	for _, f := range []string{"STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"} {
		if v := a.val(f); v != "" {
			parts = append(parts, v)
		}
	}
	country := a.val("COUNTRY")
	cc := unCountry(country)
	if cc != "" {
		u.set("country", cc)
	}
	text := strings.Join(parts, ", ")
	if text != "" && !(len(parts) == 1 && cc != "") {
		u.set("address", text)
	}
	if note := a.val("NOTE"); note != "" {
		if text == "" {
			u.note("Address: %s", note)
		} else {
			u.note("Address %s: %s", text, note)
		}
	}
}

// unYearRE finds a plausible year of birth in a note.
var unYearRE = regexp.MustCompile(`\b(19\d\d|20\d\d)\b`)

// birthDate reads an INDIVIDUAL_DATE_OF_BIRTH per TYPE_OF_DATE: EXACT
// (DATE or YEAR), APPROXIMATELY (YEAR) or BETWEEN (FROM_YEAR, TO_YEAR;
// every year of a range of up to six years, else the bounds). Approximate
// and ranged dates, and notes, are kept in words in the notes.
func (u unEntry) birthDate(d *unNode) {
	typ := strings.ToUpper(d.val("TYPE_OF_DATE"))
	date, year, from, to, note := d.val("DATE"), d.val("YEAR"), d.val("FROM_YEAR"), d.val("TO_YEAR"), d.val("NOTE")
	approx := typ == "APPROXIMATELY"
	if strings.EqualFold(strings.TrimSuffix(note, "."), "approximately") {
		approx, note = true, ""
	}
	keep := approx // whether the list's words go to the notes
	said := ""     // the date as the list gives it
	switch typ {
	case "", "EXACT", "APPROXIMATELY", "BETWEEN":
	default:
		keep = true
	}
	switch {
	case date != "":
		said = date
		if v := unDate(date); v != "" {
			u.set("birthDate", v)
		} else {
			keep = true
		}
	case year != "":
		said = year
		v := unDate(year)
		// YEAR 1958 with NOTE "Sep." is September 1958.
		if note != "" && !strings.ContainsAny(note, "0123456789") {
			if m := listDate(note + " " + year); m != "" {
				v = m
			}
		}
		if v != "" {
			u.set("birthDate", v)
		} else {
			keep = true
		}
	case from != "" || to != "":
		said, keep = "between "+from+" and "+to, true
		f, errF := strconv.Atoi(from)
		t, errT := strconv.Atoi(to)
		if errF == nil && errT == nil && f >= 1000 && t <= 2200 && f <= t && t-f <= 5 {
			for y := f; y <= t; y++ {
				if v := formatDate(y, 0, 0); v != "" {
					u.set("birthDate", v)
				}
			}
		} else {
			for _, y := range []string{from, to} {
				if v := unDate(y); v != "" {
					u.set("birthDate", v)
				}
			}
		}
	case note != "":
		if v := listDate(note); v != "" {
			u.set("birthDate", v) // "Nov. 1973"
			said, note = note, ""
		} else if m := unYearRE.FindString(note); m != "" && !strings.Contains(strings.ToLower(note), "hijri") {
			u.set("birthDate", m) // "Between Aug. and Sep. 1977"
		}
	}
	if note != "" {
		keep = true
	}
	if !keep {
		return
	}
	text := said
	if approx {
		text = strings.TrimSpace("approximately " + text)
	}
	if typ != "" && typ != "EXACT" && typ != "APPROXIMATELY" && typ != "BETWEEN" {
		text = strings.TrimSpace(strings.ToLower(typ) + " " + text)
	}
	if note != "" {
		if text != "" {
			text += " (" + note + ")"
		} else {
			text = note
		}
	}
	if text != "" {
		u.note("Date of birth: %s", text)
	}
}

// birthPlace reads an INDIVIDUAL_PLACE_OF_BIRTH: the parts as
// "birthPlace" text, the country element, when it names a known country,
// as "birthCountry".
func (u unEntry) birthPlace(b *unNode) {
	var parts []string
	for _, f := range []string{"STREET", "CITY", "STATE_PROVINCE", "COUNTRY"} {
		if v := b.val(f); v != "" {
			parts = append(parts, v)
		}
	}
	text := strings.Join(parts, ", ")
	u.set("birthPlace", text)
	if c := unCountry(b.val("COUNTRY")); c != "" {
		u.set("birthCountry", c)
	}
	if note := b.val("NOTE"); note != "" {
		if text == "" {
			u.note("Place of birth: %s", note)
		} else {
			u.note("Place of birth %s: %s", text, note)
		}
	}
}

var (
	// unIDRE is a document number as the list gives it: "745420176",
	// "B/002210", "SE 012820", "44103-5251752-5".
	unIDRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9\-/.]*$`)
	// unIDTailRE takes the number at the end of a description: "CAR
	// diplomatic passport no. D00000898", "Libya B/002210", "Afghan
	// passport number SE 012820".
	unIDTailRE = regexp.MustCompile(`(?:^|[\s:.°])((?:[A-Z]{1,3} )?[A-Z0-9][A-Z0-9\-/]*\d[A-Z0-9\-/]*)$`)
	// unIDInTextRE finds a number named as such in prose: "Tunisian
	// passport number L 191609 issued on ...".
	unIDInTextRE = regexp.MustCompile(`(?i)\b(?:number|no\.|code|SSN)\s*:?\s*((?:[A-Z]{1,3} )?[A-Z0-9][A-Z0-9\-/]*\d[A-Z0-9\-/]*)`)
	// unIDLeadRE takes a leading number followed by a remark:
	// "381110042 (Expired 25 Jan. 2016)", "R00012098, South Sudan".
	unIDLeadRE = regexp.MustCompile(`^([A-Z0-9][A-Z0-9\-/]*\d[A-Z0-9\-/]*)\s*[(,]`)
)

// unDocNumber returns the document number stated in text, and whether
// text is exactly that number.
func unDocNumber(text string) (string, bool) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", false
	}
	if unIDRE.MatchString(text) && strings.ContainsAny(text, "0123456789") {
		return text, true
	}
	if m := unIDLeadRE.FindStringSubmatch(text); m != nil {
		return m[1], false
	}
	if m := unIDTailRE.FindStringSubmatch(text); m != nil {
		return m[1], false
	}
	if m := unIDInTextRE.FindStringSubmatch(text); m != nil {
		return m[1], false
	}
	return "", false
}

// document reads an INDIVIDUAL_DOCUMENT: a passport's number is
// "passportNumber", a national identification number and any other
// document's number "idNumber"; what else the list says of it is a note.
func (u unEntry) document(d *unNode) {
	t1, t2 := d.val("TYPE_OF_DOCUMENT"), d.val("TYPE_OF_DOCUMENT2")
	raw := d.val("NUMBER")
	note := d.val("NOTE")
	var details []string
	if v := d.val("ISSUING_COUNTRY"); v != "" {
		details = append(details, "issued by "+v)
	}
	if v := d.val("DATE_OF_ISSUE"); v != "" {
		details = append(details, "issued on "+v)
	}
	var at []string
	for _, f := range []string{"CITY_OF_ISSUE", "COUNTRY_OF_ISSUE"} {
		if v := d.val(f); v != "" {
			at = append(at, v)
		}
	}
	if len(at) > 0 {
		details = append(details, "issued in "+strings.Join(at, ", "))
	}
	if note != "" {
		details = append(details, note)
	}
	if t1 == "" && t2 == "" && raw == "" && len(details) == 0 {
		return
	}
	typeText := t1
	if t2 != "" && !strings.EqualFold(t2, t1) {
		if typeText != "" {
			typeText += " (" + t2 + ")"
		} else {
			typeText = t2
		}
	}
	kind := "other"
	lower := strings.ToLower(t1)
	if t1 == "" {
		lower = strings.ToLower(t2)
	}
	switch {
	case strings.Contains(lower, "passport") || strings.Contains(lower, "pasaporte") || strings.Contains(lower, "passeport"):
		kind = "passport"
	case lower == "national identification number":
		kind = "national"
	}
	num, exact := unDocNumber(raw)
	if raw == "" {
		// The number is sometimes in the second type ("Afghan national
		// identification card (tazkira) number 545167") or the note.
		for _, s := range []string{t2, note} {
			if m := unIDInTextRE.FindStringSubmatch(s); m != nil {
				num = m[1]
				break
			}
		}
	}
	if num != "" {
		if kind == "passport" {
			u.set("passportNumber", num)
		} else {
			u.set("idNumber", num)
		}
	}
	if kind != "other" && exact && len(details) == 0 && (t2 == "" || strings.EqualFold(t2, t1)) {
		return
	}
	what := typeText
	if what == "" {
		what = "Document"
	}
	if raw != "" {
		what += " " + raw
	}
	if len(details) > 0 {
		what += ": " + strings.Join(details, "; ")
	}
	u.add("notes", what)
}

package graph

import (
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Identifiers as the merge rules read them. The lists put the same number
// in different fields and write it differently: OFAC states a Russian
// company's INN as "Tax ID No. 5835049799" (taxNumber), the EU journal as
// "5835049799 (Tax ID/INN)" in the registration-number column, other
// lists in innCode. So every identifier cell is read for the numbers in
// it, each number is given the registry it belongs to where the field,
// the words next to it or its structure say so, and its check digits are
// verified where the registry has them. Numbers are then compared
// whatever field they came from.
//
// Registries with check digits that give a party exactly one number (a
// company has one INN, one OGRN, one LEI; a ship one IMO number) also
// show that two records are different parties: two valid, different
// numbers of the same registry are a contradiction that no other evidence
// overrides.

// Registries the merge rules know. A number of none of them ("") is
// compared by its characters only.
const (
	RegINN        = "inn"        // Russian taxpayer number of an organisation: 10 digits, check digit
	RegINN12      = "inn12"      // Russian taxpayer number of a person or sole trader: 12 digits, 2 check digits
	RegOGRN       = "ogrn"       // Russian state registration number of an organisation: 13 digits, check digit
	RegOGRNIP     = "ogrnip"     // of a sole trader: 15 digits, check digit
	RegOKPO       = "okpo"       // Russian statistical register: 8 digits, check digit
	RegKPP        = "kpp"        // Russian tax registration reason code: shared by many companies, not compared
	RegIMO        = "imo"        // IMO ship or company number: 7 digits, check digit
	RegLEI        = "lei"        // ISO 17442 legal entity identifier: 20 characters, ISO 7064 MOD 97-10
	RegBIC        = "bic"        // SWIFT/BIC: bank, country, location (and branch); compared by bank and country
	RegMMSI       = "mmsi"       // maritime mobile service identity: 9 digits, changes with the flag
	RegUSCC       = "uscc"       // Chinese unified social credit code: 18 characters, check character
	RegPassport   = "passport"   // a passport number: a person may hold several
	RegNationalID = "nationalId" // a national identity or other personal number: a person may hold several
)

// uniqueRegistries are the registries whose numbers identify one party,
// each party having one: two valid, different numbers of one of them are
// a contradiction.
var uniqueRegistries = []string{RegINN, RegINN12, RegOGRN, RegOGRNIP, RegOKPO, RegIMO, RegLEI, RegUSCC, RegBIC}

// PartyID is one number stated in an identifier cell of a record.
type PartyID struct {
	Registry string // RegINN, ...; "" if the registry is not known
	Value    string // the number: upper-case letters and digits
	Valid    bool   // its check digits (or structure) are right
	Prop     string // the property it was stated in
}

func (p PartyID) String() string {
	r := p.Registry
	if r == "" {
		r = p.Prop
	}
	return r + " " + p.Value
}

// identifierProps are the properties read for numbers, with the registry
// the property itself names.
var identifierProps = map[string]string{
	"innCode": RegINN, "ogrnCode": RegOGRN, "okpoCode": RegOKPO, "kppCode": RegKPP, "imoNumber": RegIMO,
	"leiCode": RegLEI, "swiftBic": RegBIC, "mmsi": RegMMSI, "passportNumber": RegPassport, "idNumber": "",
	"registrationNumber": "", "taxNumber": "", "vatCode": "", "licenseNumber": "", "dunsCode": "",
	"socialSecurityNumber": RegNationalID,
}

var (
	// identDateRE finds dates written in identifier cells ("issued on
	// 25.11.2002", "expires 19 Jan. 2021"), which are no numbers.
	identDateRE = regexp.MustCompile(`(?i)\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}\s+[a-z]{3,9}\.?,?\s+\d{4}\b|\b[a-z]{3,9}\.?\s+\d{1,2},\s+\d{4}\b`)
	// identLabelRE finds the words that name a registry next to a number.
	identLabelRE = regexp.MustCompile(`(?i)\b(inn|ogrn|ogrnip|psrn|srn|kpp|okpo|imo|uscc|lei|passport|tin|tax|taxpayer)\b|инн|огрн|кпп|окпо|unified social credit|state registration number|national|identity|identification card|personal id|civil`)
)

// PartyIdentifiers returns the numbers stated in the entity's identifier
// properties, each once per registry.
func PartyIdentifiers(e *Entity) []PartyID {
	org := kindFamily(e) == "organisation"
	russian := containsString(partyCountries(e), "ru")
	var out []PartyID
	seen := map[PartyID]bool{}
	add := func(prop, cell string) {
		for _, id := range cellIdentifiers(prop, cell, org, russian) {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	for _, prop := range sortedIdentifierProps(e) {
		for _, cell := range e.Props[prop] {
			add(prop, cell)
		}
	}
	// Documents it holds: a Passport's number is a passport number, an
	// Identification's an identity number.
	for _, h := range e.Held {
		prop := "idNumber"
		if h.Is("Passport") {
			prop = "passportNumber"
		}
		if h.Is("Identification") {
			for _, cell := range h.Props["number"] {
				add(prop, cell)
			}
		}
	}
	return out
}

func sortedIdentifierProps(e *Entity) []string {
	var out []string
	for p := range e.Props {
		if _, ok := identifierProps[p]; ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// numberToken is a number found in a cell, with where it was.
type numberToken struct {
	value      string // upper-case letters and digits
	start, end int    // byte offsets in the cell
}

// numberTokens finds the numbers in a cell: runs of letters and digits
// that hold a digit, digits joined across a single space, hyphen, dot
// or slash-free separator ("1 121 402 000 213", "660603-05-5267",
// "CHE-109.711.148" gives "109711148"). Dates are left out.
func numberTokens(cell string) []numberToken {
	masked := []byte(cell)
	for _, m := range identDateRE.FindAllStringIndex(cell, -1) {
		for i := m[0]; i < m[1]; i++ {
			masked[i] = ' '
		}
	}
	var out []numberToken
	isAlnum := func(c byte) bool { return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	for i := 0; i < len(masked); {
		if !isAlnum(masked[i]) {
			i++
			continue
		}
		start := i
		var b strings.Builder
		digits := 0
		for i < len(masked) {
			c := masked[i]
			switch {
			case isAlnum(c):
				if isDigit(c) {
					digits++
				}
				b.WriteByte(c)
				i++
				continue
			case (c == ' ' || c == '-' || c == '.') && i > start && isDigit(masked[i-1]) && i+1 < len(masked) && isDigit(masked[i+1]):
				i++
				continue
			}
			break
		}
		// A word glued to a number is a label ("No.123"), unless it is a
		// short prefix ("IR10103254850", "D9004878").
		if digits > 0 {
			v := strings.ToUpper(b.String())
			out = append(out, numberToken{value: v, start: start, end: i})
		}
		for i < len(masked) && isAlnum(masked[i]) {
			i++
		}
	}
	return out
}

// cellIdentifiers reads the numbers of one cell of property prop.
func cellIdentifiers(prop, cell string, org, russian bool) []PartyID {
	if prop == "swiftBic" {
		v := IdentifierKey(cell)
		if v == "" {
			return nil
		}
		// "KHJBSDKH and 5040942458": the first word is the BIC.
		if f := strings.Fields(cell); len(f) > 1 {
			v = IdentifierKey(f[0])
		}
		return []PartyID{{Registry: RegBIC, Value: v, Valid: ValidBIC(v), Prop: prop}}
	}
	toks := numberTokens(cell)
	var out []PartyID
	prev := 0
	for i, t := range toks {
		next := len(cell)
		if i+1 < len(toks) {
			next = toks[i+1].start
		}
		// The words between the previous number and the next one name
		// this number's registry: "KPP 772901001", "7714482225 (Tax
		// ID/INN)".
		before := strings.ToLower(cell[prev:t.start])
		after := strings.ToLower(cell[t.end:next])
		if j := strings.IndexAny(after, ";,"); j >= 0 {
			after = after[:j]
		}
		prev = t.end
		id := classify(prop, t.value, labels(before+" "+after), org, russian)
		if id.Value != "" {
			out = append(out, id)
		}
	}
	return out
}

// labels returns the registry words found in text, lower-case.
func labels(text string) map[string]bool {
	out := map[string]bool{}
	for _, m := range identLabelRE.FindAllString(text, -1) {
		out[strings.ToLower(m)] = true
	}
	return out
}

// digitsOnly returns v's digits if v is a number with at most a short
// letter prefix ("IR10103254850", "CZ12345678"), else v.
func digitsOnly(v string) string {
	i := 0
	for i < len(v) && v[i] >= 'A' && v[i] <= 'Z' {
		i++
	}
	if i == 0 || i > 3 {
		return v
	}
	for j := i; j < len(v); j++ {
		if v[j] < '0' || v[j] > '9' {
			return v
		}
	}
	return v[i:]
}

func allDigits(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return v != ""
}

// classify gives a number its registry: the one its property names, the
// one the words next to it name, or the one its structure shows in a
// Russian record (a 10-digit tax number with a right INN check digit is
// an INN; a 13-digit registration number with a right OGRN check digit
// an OGRN).
func classify(prop, v string, lab map[string]bool, org, russian bool) PartyID {
	id := PartyID{Value: v, Prop: prop}
	reg := identifierProps[prop]
	d := digitsOnly(v)
	has := func(words ...string) bool {
		for _, w := range words {
			if lab[w] {
				return true
			}
		}
		return false
	}
	switch {
	case has("kpp", "кпп"):
		reg = RegKPP
	case has("okpo", "окпо"):
		reg = RegOKPO
	case has("ogrn", "ogrnip", "psrn", "srn", "огрн", "state registration number"):
		reg = RegOGRN
	case has("inn", "инн", "taxpayer"):
		reg = RegINN
	case has("imo"):
		reg = RegIMO
	case has("uscc", "unified social credit"):
		reg = RegUSCC
	case has("lei"):
		reg = RegLEI
	case has("passport"):
		reg = RegPassport
	}
	switch reg {
	case RegINN, RegOGRN:
		// Set by the property or the words: the length tells which
		// kind of INN or OGRN.
		id.Value = d
		switch {
		case len(d) == 10 && validINN(d):
			id.Registry, id.Valid = RegINN, true
		case len(d) == 12 && validINN(d):
			id.Registry, id.Valid = RegINN12, true
		case len(d) == 13 && validOGRN(d):
			id.Registry, id.Valid = RegOGRN, true
		case len(d) == 15 && validOGRNIP(d):
			id.Registry, id.Valid = RegOGRNIP, true
		default:
			id.Registry = reg // stated as one, but not a valid one
		}
		return id
	case RegKPP:
		id.Registry, id.Value = RegKPP, d
		return id
	case RegOKPO:
		id.Registry, id.Value, id.Valid = RegOKPO, d, len(d) == 8 && validOKPO(d)
		return id
	case RegIMO:
		d = strings.TrimPrefix(v, "IMO")
		id.Registry, id.Value, id.Valid = RegIMO, d, validIMO(d)
		return id
	case RegLEI:
		id.Registry, id.Valid = RegLEI, ValidLEI(v)
		return id
	case RegUSCC:
		id.Registry, id.Valid = RegUSCC, validUSCC(v)
		return id
	case RegMMSI:
		id.Registry, id.Value, id.Valid = RegMMSI, d, len(d) == 9 && allDigits(d)
		return id
	case RegPassport, RegNationalID:
		id.Registry = reg
		return id
	}
	// A number of a field that names no registry: its structure.
	switch {
	case len(v) == 20 && ValidLEI(v):
		id.Registry, id.Valid = RegLEI, true
	case len(v) == 18 && validUSCC(v) && !allDigits(v[:17]):
		// Chinese identity numbers are 18 characters too, but all
		// digits but the last: only a code with a letter is taken.
		id.Registry, id.Valid = RegUSCC, true
	case russian && org && len(d) == 10 && validINN(d) && prop != "vatCode":
		id.Registry, id.Value, id.Valid = RegINN, d, true
	case russian && len(d) == 12 && validINN(d) && prop != "vatCode":
		id.Registry, id.Value, id.Valid = RegINN12, d, true
	case russian && org && len(d) == 13 && (d[0] == '1' || d[0] == '5') && validOGRN(d):
		id.Registry, id.Value, id.Valid = RegOGRN, d, true
	case russian && len(d) == 15 && d[0] == '3' && validOGRNIP(d):
		id.Registry, id.Value, id.Valid = RegOGRNIP, d, true
	case prop == "idNumber" && !org:
		id.Registry = RegNationalID
	}
	return id
}

// validINN checks the check digits of a 10- or 12-digit INN.
func validINN(d string) bool {
	if !allDigits(d) {
		return false
	}
	check := func(n int, w []int) bool {
		s := 0
		for i, x := range w {
			s += int(d[i]-'0') * x
		}
		return s%11%10 == int(d[n]-'0')
	}
	switch len(d) {
	case 10:
		return check(9, []int{2, 4, 10, 3, 5, 9, 4, 6, 8})
	case 12:
		return check(10, []int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}) && check(11, []int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8})
	}
	return false
}

// validOGRN checks a 13-digit OGRN: the first 12 digits modulo 11, modulo
// 10, are the last.
func validOGRN(d string) bool {
	return len(d) == 13 && allDigits(d) && modDigits(d[:12], 11)%10 == int(d[12]-'0')
}

// validOGRNIP checks a 15-digit OGRNIP: the first 14 digits modulo 13,
// modulo 10, are the last.
func validOGRNIP(d string) bool {
	return len(d) == 15 && allDigits(d) && modDigits(d[:14], 13)%10 == int(d[14]-'0')
}

func modDigits(d string, m int) int {
	r := 0
	for i := 0; i < len(d); i++ {
		r = (r*10 + int(d[i]-'0')) % m
	}
	return r
}

// validOKPO checks an 8-digit OKPO code: weights 1..7, and 3..9 if the
// first sum leaves 10.
func validOKPO(d string) bool {
	if len(d) != 8 || !allDigits(d) {
		return false
	}
	sum := func(w0 int) int {
		s := 0
		for i := 0; i < 7; i++ {
			s += int(d[i]-'0') * (w0 + i)
		}
		return s % 11
	}
	c := sum(1)
	if c == 10 {
		c = sum(3) % 10
	}
	return c == int(d[7]-'0')
}

// validIMO checks a 7-digit IMO number: digits weighted 7..2, the sum's
// last digit is the seventh.
func validIMO(d string) bool {
	if len(d) != 7 || !allDigits(d) {
		return false
	}
	s := 0
	for i := 0; i < 6; i++ {
		s += int(d[i]-'0') * (7 - i)
	}
	return s%10 == int(d[6]-'0')
}

// ValidLEI reports whether v is a 20-character LEI whose check digits are
// right (ISO 7064 MOD 97-10: letters as 10..35, the number modulo 97 is 1).
func ValidLEI(v string) bool {
	if len(v) != 20 {
		return false
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case c >= 'A' && c <= 'Z':
			b.WriteString(strconv.Itoa(int(c-'A') + 10))
		default:
			return false
		}
	}
	if !allDigits(v[18:]) {
		return false
	}
	n, ok := new(big.Int).SetString(b.String(), 10)
	return ok && new(big.Int).Mod(n, big.NewInt(97)).Int64() == 1
}

// ValidBIC reports whether v has the structure of a SWIFT/BIC: four
// letters (the bank), a country code, two letters or digits (the
// location), and optionally three more (the branch).
func ValidBIC(v string) bool {
	if len(v) != 8 && len(v) != 11 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := rune(v[i])
		if i < 6 && !unicode.IsUpper(c) || !unicode.IsUpper(c) && !unicode.IsDigit(c) {
			return false
		}
	}
	c := strings.ToLower(v[4:6])
	return c != "zz" && CountryName(c) != "" // zz: the model's "global"
}

// usccChars are the characters of a Chinese unified social credit code, in
// the order of their values.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// validUSCC checks an 18-character unified social credit code (GB
// 32100-2015): its characters weighted by 3^i modulo 31 give the last.
func validUSCC(v string) bool {
	if len(v) != 18 {
		return false
	}
	s, w := 0, 1
	for i := 0; i < 17; i++ {
		x := strings.IndexByte(usccChars, v[i])
		if x < 0 {
			return false
		}
		s += x * w
		w = w * 3 % 31
	}
	c := (31 - s%31) % 31
	return v[17] == usccChars[c]
}

// NumberKeys returns the forms in which a record's numbers are compared
// (a SWIFT/BIC by its bank and country), for blocking: records that share
// one are worth comparing.
func NumberKeys(e *Entity) []string {
	var out []string
	for _, id := range PartyIdentifiers(e) {
		k := compareKey(id.Value)
		switch {
		case id.Registry == RegKPP:
			continue
		case id.Registry == RegBIC:
			k, _ = bic8(id.Value)
		case weakIdentifier(k):
			continue
		}
		if !containsString(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// NumberKeyOf returns the block key (as NumberKeys gives it) of an
// identifier stored as its IdentifierKey v, "" if v is too short to block
// on, and ok false if v holds more than one number or words besides
// ("5835049799TAXIDINN"): then only NumberKeys of its record tells.
func NumberKeyOf(v string) (key string, ok bool) {
	if ValidBIC(v) {
		return v[:8], true
	}
	d := digitsOnly(v)
	if !allDigits(d) || len(d) > 15 {
		// Words, or numbers glued together ("7704734000/770301001"
		// is "7704734000770301001").
		return "", false
	}
	if weakIdentifier(d) {
		return "", true
	}
	return d, true
}

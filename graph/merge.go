package graph

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Deciding that two records describe the same real-world party ("one
// party, one entity"). A wrong merge puts a designation and its links on a
// party that never had them, so the rules are conservative and every
// merge keeps what agreed and what was checked.
//
// Two records are compared only if they are of compatible kinds and do not
// come from the same list (a dataset and its part: the EU journal's
// framework act; see Source.Part). Then, strongest first, one of these is
// evidence enough:
//
//   - a list's own cross-reference: both records transcribe the same UN
//     Security Council listing (the reference number, "KPe.047", that a
//     record's designations cite, or the UN record's own), and the names
//     share a word.
//   - a shared identifier: numbers are read from every identifier field
//     and compared whatever field they came from (PartyIdentifiers). IMO
//     numbers alone; SWIFT/BIC (same bank and branch), LEI, INN, OGRN,
//     OKPO and Chinese credit codes with their check digits right, and the
//     names sharing a word; other numbers of six characters or more, the
//     names sharing a word and no two countries apart; for persons, a
//     passport or national identity number and a shared name word.
//   - organisations: the same name (NameKey: case, accents, punctuation,
//     word order do not matter) whose legal forms do not differ (a JSC
//     and an LLC of one name are different companies), a shared country,
//     and something more: the same incorporation date, the same city,
//     street or postcode, or the same legal form. With no country on one
//     side, the date or the place is needed. A one-word name needs two of
//     these, one of them the date or the place. Weak aliases are never
//     compared.
//   - persons: the same full name (two words or more) and the same birth
//     date to the day, or the same birth year and a shared nationality.
//
// Whatever the evidence, the merge is refused if the records contradict
// each other: two valid, different numbers of a registry that gives a
// party one number (INN, OGRN, OKPO, IMO, LEI, credit code, SWIFT/BIC
// bank), different birth dates (not one a part of the other, nor a
// one-digit slip of the other) or genders. A list's own cross-reference
// overrides the last two, never the first. Nationalities are compared but
// never contradict: the lists record them partly.

// MergeEvidence says why two records are the same party.
type MergeEvidence struct {
	Rule   string `json:"rule"`   // "unReference", "innCode", "imoNumber", ..., "name+country+address", "name+birthDate", ...
	Detail string `json:"detail"` // the shared values: "FTBDKPPY", "\"Radiozavod, JSC\" = \"JSC RADIOZAVOD\" / ru / place penza"
	// Agreed lists everything the two records agree on, the rule's
	// evidence first.
	Agreed []string `json:"agreed,omitempty"`
	// Checked lists what was compared for a contradiction and found
	// compatible ("INN 5835049799 = 5835049799", "birth dates 1969-11-08 / 1969").
	Checked []string `json:"checked,omitempty"`
	// score orders candidates of one rule: how many place words (city,
	// street, postcode) the two records share, then how many name words.
	// Two branches of one name in one city compete for a record: the one
	// at its street comes first.
	score int
}

func (m MergeEvidence) String() string { return m.Rule + " " + m.Detail }

// Contradiction is why two records cannot be one party.
type Contradiction struct {
	// Kind is "kind" (different kinds of party), "list" (the same list),
	// "registry" (two valid, different numbers of a registry that gives a
	// party one), "birthDate", "gender" or "nationality".
	Kind   string `json:"kind"`
	Detail string `json:"detail"` // "different INN: 1833010911 / 5835049799"
}

func (c *Contradiction) String() string { return c.Detail }

// overridable reports whether a list's own cross-reference overrides the
// contradiction: a birth date, gender or nationality a list got wrong.
func (c *Contradiction) overridable() bool {
	return c.Kind == "birthDate" || c.Kind == "gender" || c.Kind == "nationality"
}

// structural reports whether the contradiction is one of kind or list,
// which the records' contents do not decide.
func (c *Contradiction) structural() bool { return c.Kind == "kind" || c.Kind == "list" }

// Comparison is what comparing two records found.
type Comparison struct {
	// Evidence is the strongest rule that holds, contradictions aside
	// (Rule "" if none), with everything that agreed and was checked.
	Evidence MergeEvidence
	// Contradiction is the first contradiction found, nil if none.
	Contradiction *Contradiction
}

// Same reports whether the records are one party: a rule holds and
// nothing contradicts it, or only what the list's own cross-reference
// overrides.
func (c Comparison) Same() bool {
	if c.Evidence.Rule == "" {
		return false
	}
	return c.Contradiction == nil || c.Evidence.Rule == RuleUNReference && c.Contradiction.overridable()
}

// Refused reports whether a rule holds but a contradiction in the records
// forbids the merge (not their kinds or their list).
func (c Comparison) Refused() bool {
	return c.Evidence.Rule != "" && !c.Same() && !c.Contradiction.structural()
}

// RuleUNReference is the rule of a list's own cross-reference.
const RuleUNReference = "unReference"

// kindFamily groups schemata that can describe the same party.
func kindFamily(e *Entity) string { return schemaFamily(e.Schema) }

// schemaFamily is kindFamily of a record of the schema name.
func schemaFamily(name string) string {
	s, _ := LookupSchema(name)
	switch {
	case name == SchemaAuthority || name == SchemaProgramme || s == nil:
		return ""
	case s.Is("Person"):
		return "person"
	case s.Is("Vessel"):
		return "vessel"
	case s.Is("Airplane"):
		return "airplane"
	case s.Is("LegalEntity"):
		return "organisation"
	}
	return ""
}

// Datasets returns the distinct datasets of the entity's sources.
func (e *Entity) Datasets() []string {
	var out []string
	for _, s := range e.Sources {
		if s.Dataset != "" && !containsString(out, s.Dataset) {
			out = append(out, s.Dataset)
		}
	}
	sort.Strings(out)
	return out
}

// MergeLists returns the distinct lists (dataset and part) of the
// entity's sources, sorted: "eu_journal_sanctions/32014R0833". Records that
// share one are never one party (MergeScope).
func MergeLists(e *Entity) []string { return lists(e) }

// lists is MergeLists.
func lists(e *Entity) []string {
	var out []string
	for _, s := range e.Sources {
		if s.Dataset == "" {
			continue
		}
		l := s.Dataset
		if s.Part != "" {
			l += "/" + s.Part
		}
		if !containsString(out, l) {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func containsString(list []string, s string) bool { return slices.Contains(list, s) }

func intersects(a, b []string) bool {
	for _, x := range a {
		if containsString(b, x) {
			return true
		}
	}
	return false
}

func lowerAll(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = strings.ToLower(s)
	}
	return out
}

// MergeScope is what decides, before a record is read, whether it can be
// compared with another at all: its kind of party and its lists. Two
// records of different kinds (a person and a company, or a programme), or
// of one list, are never one party, whatever they hold (Compare finds the
// contradiction "kind" or "list" first, and no rule is tried). A store
// that keeps each record's scope beside its kind skips such pairs without
// reading them.
type MergeScope struct {
	family string
	lists  []string
}

// NewMergeScope returns the scope of a record of the schema name from the
// lists (MergeLists).
func NewMergeScope(schema string, lists []string) *MergeScope {
	return &MergeScope{family: schemaFamily(schema), lists: lists}
}

// Comparable reports whether records of scopes s and t may be one party:
// of one kind of party, and of no common list. It is false exactly when
// Compare of two such records finds a contradiction of kind or list. A
// scope compared with itself (the same pointer) is comparable only if it
// has no list.
func (s *MergeScope) Comparable(t *MergeScope) bool {
	if s.family == "" || s.family != t.family {
		return false
	}
	if s == t {
		return len(s.lists) == 0
	}
	return !intersects(s.lists, t.lists)
}

// MergeView is a record prepared for comparison: its numbers, names,
// places and UN references, read once. A store comparing many pairs keeps
// one per record.
type MergeView struct {
	e        *Entity
	family   string
	lists    []string
	ids      []PartyID
	names    []mergeName // strong names: name, alias, previousName
	words    map[string]bool
	forms    []string // legal-form classes of its names and legalForm
	places   []string // place words and postcodes of its addresses
	country  []string // its countries, with those its addresses end with
	unRefs   []string
	births   []string
	national []string // nationality: compared for contradiction
	nations  []string // nationality and citizenship: compared for agreement
	// birthPlaces are the place words of its places of birth.
	birthPlaces []string
	// un says whether it is the UN list's own record; listed are the
	// dates its designations were listed on (listingDate, which a store
	// copies from the record's designations).
	un     bool
	listed []string
}

// NewMergeView prepares e for comparison.
func NewMergeView(e *Entity) *MergeView {
	v := &MergeView{e: e, family: kindFamily(e), lists: lists(e), births: e.BirthDates(),
		national: lowerAll(e.Props["nationality"]), unRefs: unReferences(e)}
	v.country = partyCountries(e)
	v.ids = PartyIdentifiers(e)
	v.names = strongNames(e)
	v.words = nameWords(e)
	v.forms = recordForms(e)
	v.places = placeWords(e.Addresses())
	v.birthPlaces = placeWords(e.Props["birthPlace"])
	v.nations = lowerAll(append(slices.Clone(e.Props["nationality"]), e.Props["citizenship"]...))
	v.un = slices.ContainsFunc(e.Sources, func(s Source) bool { return s.Dataset == unDataset })
	v.listed = e.Props["listingDate"]
	return v
}

// Entity returns the record the view was made of.
func (v *MergeView) Entity() *Entity { return v.e }

// unDataset is the dataset of the UN Security Council's consolidated list.
const unDataset = "un_sc_sanctions"

// unReferences returns the UN Security Council reference numbers the
// record transcribes: the UN list's own record (its source's record id),
// or a listing that cites one (unscId, which a store copies from the
// record's designations).
func unReferences(e *Entity) []string {
	var out []string
	add := func(v string) {
		v = strings.ToUpper(strings.TrimSpace(v))
		if unRefRE.MatchString(v) && !containsString(out, v) {
			out = append(out, v)
		}
	}
	for _, s := range e.Sources {
		if s.Dataset == unDataset {
			add(s.RecordID)
		}
	}
	for _, v := range e.Props["unscId"] {
		add(v)
	}
	return out
}

// SameParty reports whether a and b describe the same party, and on what
// evidence (Compare).
func SameParty(a, b *Entity) (MergeEvidence, bool) {
	c := Compare(a, b)
	if !c.Same() {
		return MergeEvidence{}, false
	}
	return c.Evidence, true
}

// Conflict returns why a and b cannot be the same party, or "".
func Conflict(a, b *Entity) string {
	if c := contradiction(NewMergeView(a), NewMergeView(b), nil); c != nil {
		return c.Detail
	}
	return ""
}

// Compare compares two records: the strongest evidence that they are one
// party, and the first contradiction.
func Compare(a, b *Entity) Comparison { return CompareViews(NewMergeView(a), NewMergeView(b)) }

// CompareViews is Compare on prepared records.
func CompareViews(a, b *MergeView) Comparison {
	var checked []string
	c := Comparison{Contradiction: contradiction(a, b, &checked)}
	if c.Contradiction != nil && c.Contradiction.structural() {
		return c
	}
	c.Evidence = evidence(a, b)
	if c.Evidence.Rule != "" {
		c.Evidence.Checked = checked
		if c.Contradiction != nil && c.Same() {
			c.Evidence.Checked = append(checked, "overridden by the list's cross-reference: "+c.Contradiction.Detail)
		}
	}
	return c
}

// contradiction returns the first contradiction between a and b, nil if
// none; checked (if not nil) gets what was compared and found compatible.
func contradiction(a, b *MergeView, checked *[]string) *Contradiction {
	note := func(f string, args ...any) {
		if checked != nil {
			*checked = append(*checked, fmt.Sprintf(f, args...))
		}
	}
	if a.family == "" || b.family == "" || a.family != b.family {
		return &Contradiction{Kind: "kind", Detail: fmt.Sprintf("different kinds (%s, %s)", a.e.Schema, b.e.Schema)}
	}
	note("kinds %s / %s", a.e.Schema, b.e.Schema)
	if intersects(a.lists, b.lists) {
		return &Contradiction{Kind: "list", Detail: "both come from the same list"}
	}
	note("lists %s / %s", strings.Join(a.lists, ", "), strings.Join(b.lists, ", "))
	// Registries first: nothing overrides them.
	for _, reg := range uniqueRegistries {
		va, vb := validValues(a.ids, reg), validValues(b.ids, reg)
		if len(va) == 0 || len(vb) == 0 {
			continue
		}
		if reg == RegBIC {
			va, vb = bicBanks(va), bicBanks(vb)
		}
		if !intersects(va, vb) {
			return &Contradiction{Kind: "registry", Detail: fmt.Sprintf("different %s: %s / %s", registryName(reg), strings.Join(va, ", "), strings.Join(vb, ", "))}
		}
		note("%s %s / %s", registryName(reg), strings.Join(va, ", "), strings.Join(vb, ", "))
	}
	if len(a.births) > 0 && len(b.births) > 0 {
		if !birthsCompatible(a.births, b.births) {
			return &Contradiction{Kind: "birthDate", Detail: fmt.Sprintf("different birth dates: %s / %s", strings.Join(a.births, ", "), strings.Join(b.births, ", "))}
		}
		note("birth dates %s / %s", strings.Join(a.births, ", "), strings.Join(b.births, ", "))
	}
	if ga, gb := lowerAll(a.e.Props["gender"]), lowerAll(b.e.Props["gender"]); len(ga) > 0 && len(gb) > 0 {
		if !intersects(ga, gb) {
			return &Contradiction{Kind: "gender", Detail: fmt.Sprintf("different genders: %s / %s", strings.Join(ga, ", "), strings.Join(gb, ", "))}
		}
		note("gender %s / %s", strings.Join(ga, ", "), strings.Join(gb, ", "))
	}
	if len(a.national) > 0 && len(b.national) > 0 {
		// Not a contradiction: the lists record nationalities partly
		// (a Crimean official is Ukrainian to the EU, Russian to OFAC).
		if intersects(a.national, b.national) {
			note("nationality %s / %s", strings.Join(a.national, ", "), strings.Join(b.national, ", "))
		} else {
			note("nationality %s / %s: none shared, which lists recording nationalities partly do not make a contradiction", strings.Join(a.national, ", "), strings.Join(b.national, ", "))
		}
	}
	return nil
}

// validValues returns the valid numbers of registry reg among ids.
func validValues(ids []PartyID, reg string) []string {
	var out []string
	for _, id := range ids {
		if id.Registry == reg && id.Valid && !containsString(out, id.Value) {
			out = append(out, id.Value)
		}
	}
	return out
}

// bicBanks returns the bank, country and location part of BICs.
func bicBanks(v []string) []string {
	var out []string
	for _, x := range v {
		b, _ := bic8(x)
		if !containsString(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// bic8 returns the bank and country part of a SWIFT/BIC, and its branch
// ("XXX" for the head office).
func bic8(v string) (string, string) {
	if len(v) < 8 {
		return v, ""
	}
	if len(v) == 11 {
		return v[:8], v[8:]
	}
	return v[:8], "XXX"
}

// sameBIC reports whether two BICs name the same office.
func sameBIC(a, b string) bool {
	ba, bra := bic8(a)
	bb, brb := bic8(b)
	return len(ba) == 8 && ba == bb && bra == brb
}

func registryName(reg string) string {
	switch reg {
	case RegINN:
		return "INN"
	case RegINN12:
		return "INN (person)"
	case RegOGRN:
		return "OGRN"
	case RegOGRNIP:
		return "OGRNIP"
	case RegOKPO:
		return "OKPO"
	case RegIMO:
		return "IMO number"
	case RegLEI:
		return "LEI"
	case RegUSCC:
		return "credit code"
	case RegBIC:
		return "SWIFT/BIC"
	case RegMMSI:
		return "MMSI"
	case RegPassport:
		return "passport"
	case RegNationalID:
		return "ID number"
	}
	return "number"
}

// birthCompatible reports whether two birth dates can be the same day:
// equal, one a prefix of the other ("1969" and "1969-11-08"), or one a
// slip of the other (nearDate), or one the first of January of the
// other's year.
func birthCompatible(a, b string) bool {
	if strings.HasPrefix(a, b) || strings.HasPrefix(b, a) {
		return true
	}
	// "1 January" stands for an unknown day in some lists (OFAC's "DOB
	// 01 Jan 1969" for the UN's 7 Feb 1969).
	if len(a) == 10 && len(b) == 10 && a[:4] == b[:4] && (a[4:] == "-01-01" || b[4:] == "-01-01") {
		return true
	}
	return nearDate(a, b)
}

// nearDate reports whether two full dates differ in one digit
// ("1960-07-04" and "1960-07-14", "1984-05-06" and "1986-05-06") or by
// their day and month swapped ("1960-07-04" and "1960-04-07"): the slips
// the lists make copying a date.
func nearDate(a, b string) bool {
	if len(a) != 10 || len(b) != 10 {
		return false
	}
	diff := 0
	for i := 0; i < 10; i++ {
		if a[i] != b[i] {
			diff++
		}
	}
	if diff == 1 {
		return true
	}
	return a[:5] == b[:5] && a[5:7] == b[8:10] && a[8:10] == b[5:7]
}

func birthsCompatible(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if birthCompatible(x, y) {
				return true
			}
		}
	}
	return false
}

// ruleOrder lists the rules of the merge rules, strongest evidence first.
var ruleOrder = []string{
	RuleUNReference, "imoNumber", "leiCode", "swiftBic", "usccCode", "innCode", "ogrnCode", "okpoCode", "mmsi",
	"passportNumber", "idNumber", "registrationNumber",
	"name+birthDate", "name+country+incorporationDate", "name+incorporationDate", "name+country+address", "name+address",
	"name+country+unListingDate", "name+unListingDate", "name+country+aliases", "name+aliases", "name+birthYear+nationality", "name+birthYear+birthPlace", "name+birthYear+aliases",
	"name+noBirthDate+aliases", "name+noBirthDate+birthPlace", "name+country+legalForm",
	// Rules of earlier versions, found in stores written by them.
	"taxNumber", "name+country",
}

// ruleRank orders rules, strongest evidence first; a rule it does not
// know comes last.
func ruleRank(rule string) int {
	if i := slices.Index(ruleOrder, rule); i >= 0 {
		return i
	}
	return len(ruleOrder)
}

// evidence returns the strongest rule that says a and b are one party,
// contradictions aside; Rule "" if none.
func evidence(a, b *MergeView) MergeEvidence {
	shared := sharedWords(a, b)
	var ev MergeEvidence
	if r := sharedString(a.unRefs, b.unRefs); r != "" && len(shared) > 0 {
		ev = MergeEvidence{Rule: RuleUNReference, Detail: r}
		ev.Agreed = append(ev.Agreed, "both transcribe the UN listing "+r)
	}
	idEv, idAgreed := identifierEvidence(a, b, len(shared) > 0)
	if ev.Rule == "" {
		ev = idEv
	}
	ev.Agreed = append(ev.Agreed, idAgreed...)
	nameEv, nameAgreed := nameEvidence(a, b)
	if ev.Rule == "" {
		ev = nameEv
	}
	ev.Agreed = append(ev.Agreed, nameAgreed...)
	if ev.Rule == "" {
		return MergeEvidence{}
	}
	if len(shared) > 0 {
		ev.Agreed = append(ev.Agreed, "name words "+strings.Join(shared, ", "))
	}
	ev.score = 1000*len(sharedPlaces(a.places, b.places)) + len(shared)
	return ev
}

func sharedString(a, b []string) string {
	for _, x := range a {
		if containsString(b, x) {
			return x
		}
	}
	return ""
}

// idRule names the rule of a shared number of registry reg.
func idRule(reg string, person bool) string {
	switch reg {
	case RegIMO:
		return "imoNumber"
	case RegMMSI:
		return "mmsi"
	case RegBIC:
		return "swiftBic"
	case RegLEI:
		return "leiCode"
	case RegUSCC:
		return "usccCode"
	case RegINN, RegINN12:
		return "innCode"
	case RegOGRN, RegOGRNIP:
		return "ogrnCode"
	case RegOKPO:
		return "okpoCode"
	case RegPassport:
		return "passportNumber"
	case RegNationalID:
		return "idNumber"
	}
	if person {
		return "idNumber"
	}
	return "registrationNumber"
}

// compareKey returns the form in which a number is compared across
// fields: its digits if it is a number with a short letter prefix
// ("IR10103254850", "OB0243318") of six digits or more.
func compareKey(v string) string {
	if d := digitsOnly(v); len(d) >= 6 {
		return d
	}
	return v
}

// weakIdentifier reports whether an identifier is too short or too
// uniform to identify anything ("000000", "12345").
func weakIdentifier(v string) bool {
	if len(v) < 6 {
		return true
	}
	same := true
	for i := 1; i < len(v); i++ {
		same = same && v[i] == v[0]
	}
	return same
}

// identifierEvidence returns the strongest shared number that makes a and b
// one party, and every shared number. shareWord says whether their names
// share a word.
func identifierEvidence(a, b *MergeView, shareWord bool) (MergeEvidence, []string) {
	person := a.family == "person"
	countriesApart := len(a.country) > 0 && len(b.country) > 0 && !intersects(a.country, b.country)
	best, bestRank := MergeEvidence{}, len(ruleOrder)
	var agreed []string
	for _, x := range a.ids {
		for _, y := range b.ids {
			if x.Registry == RegKPP || y.Registry == RegKPP {
				continue
			}
			reg, ok := sharedRegistry(x, y)
			if !ok {
				continue
			}
			if reg == RegBIC {
				if !x.Valid || !y.Valid || !sameBIC(x.Value, y.Value) {
					continue
				}
			} else if k := compareKey(x.Value); k != compareKey(y.Value) || weakIdentifier(k) {
				continue
			}
			valid, bothValid := x.Valid || y.Valid, x.Valid && y.Valid
			what := fmt.Sprintf("%s %s (%s / %s)", registryName(reg), x.Value, x.Prop, y.Prop)
			if x.Value != y.Value {
				what = fmt.Sprintf("%s %s / %s (%s / %s)", registryName(reg), x.Value, y.Value, x.Prop, y.Prop)
			}
			switch reg {
			case RegIMO:
				ok = valid
			case RegMMSI:
				ok = true
			case RegLEI, RegUSCC, RegINN, RegINN12, RegOGRN, RegOGRNIP, RegOKPO, RegBIC:
				if !valid {
					reg = "" // stated as one, but not a valid one: a plain number
				}
				// A number both records state as one of the registry
				// outweighs their countries; a number only one does not.
				ok = shareWord && (bothValid || !countriesApart)
			case RegPassport, RegNationalID:
				ok = person && shareWord
			default:
				ok = shareWord && !countriesApart
			}
			if !containsString(agreed, what) {
				agreed = append(agreed, what)
			}
			if !ok {
				continue
			}
			rule := idRule(reg, person)
			if r := ruleRank(rule); r < bestRank {
				best, bestRank = MergeEvidence{Rule: rule, Detail: x.Value}, r
			}
		}
	}
	return best, agreed
}

// sharedRegistry returns the registry two numbers are compared in, and
// whether they can be compared: the same registry, or one of them of no
// known registry, or two personal documents.
func sharedRegistry(x, y PartyID) (string, bool) {
	personal := func(r string) bool { return r == RegPassport || r == RegNationalID }
	switch {
	case x.Registry == y.Registry:
		return x.Registry, true
	case x.Registry == "":
		return y.Registry, true
	case y.Registry == "":
		return x.Registry, true
	case personal(x.Registry) && personal(y.Registry):
		return RegPassport, true
	}
	return "", false
}

// MergeEntities returns the entity readers see for a merged party: id is
// the party's canonical entity, members its records (the canonical one
// first if it is stored). Its id and ref are the canonical member's; its
// schema the most specific of the members' (Company over LegalEntity);
// its properties, sources and held documents the union of the members';
// its referents every member's ref and referents, so a look-up by any of
// them finds the party.
func MergeEntities(id uuid.UUID, members []*Entity) *Entity {
	sort.SliceStable(members, func(i, j int) bool { return members[i].ID == id && members[j].ID != id })
	first := members[0]
	out := &Entity{ID: id, Ref: first.Ref, Schema: first.Schema, Caption: first.Caption, Props: map[string][]string{}}
	if first.ID != id {
		out.Ref = id.String()
	}
	seenRef := map[string]bool{out.Ref: true}
	addRef := func(r string) {
		if r != "" && !seenRef[r] {
			seenRef[r] = true
			out.Referents = append(out.Referents, r)
		}
	}
	for _, m := range members {
		if s := m.SchemaDef(); s != nil && m.Schema != out.Schema && s.Is(out.Schema) {
			out.Schema = m.Schema // more specific
		}
		addRef(m.Ref)
		for _, r := range m.Referents {
			addRef(r)
		}
		for p, vals := range m.Props {
			for _, v := range vals {
				if !containsFold(out.Props[p], v) {
					out.Props[p] = append(out.Props[p], v)
				}
			}
		}
		out.Sources = append(out.Sources, m.Sources...)
		out.Held = append(out.Held, m.Held...)
	}
	if out.Caption == "" {
		out.Caption = first.Name()
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// MergeLink is a decision that two entities are the same party.
type MergeLink struct {
	A      string    `json:"a"` // refs of the two entities
	B      string    `json:"b"`
	AID    uuid.UUID `json:"aId"`
	BID    uuid.UUID `json:"bId"`
	Rule   string    `json:"rule"`   // graph.MergeEvidence.Rule, or "manual"
	Detail string    `json:"detail"` // the shared values, or the person's reason
	// Agreed and Checked are the evidence's (MergeEvidence): what the two
	// records agreed on, and what was compared for a contradiction and
	// found compatible. Links of earlier versions and manual ones have
	// none.
	Agreed  []string  `json:"agreed,omitempty"`
	Checked []string  `json:"checked,omitempty"`
	By      string    `json:"by"` // "auto" or who decided
	At      time.Time `json:"at"`
}

// RefusedMerge is a pair of records that a merge rule finds to be one
// party but that were not merged: the records, or the parties they would
// join, contradict each other.
type RefusedMerge struct {
	A      string    `json:"a"` // refs of the two records, the smaller first
	B      string    `json:"b"`
	AID    uuid.UUID `json:"aId"`
	BID    uuid.UUID `json:"bId"`
	Rule   string    `json:"rule"`   // the rule that holds (MergeEvidence.Rule)
	Detail string    `json:"detail"` // its evidence
	Agreed []string  `json:"agreed,omitempty"`
	Reason string    `json:"reason"` // the contradiction: "different INN: 1833010911 / 5835049799"
}

// KeepApart is a decision that two entities are different parties.
type KeepApart struct {
	A      string    `json:"a"`
	B      string    `json:"b"`
	AID    uuid.UUID `json:"aId"`
	BID    uuid.UUID `json:"bId"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Party describes the merged party an entity belongs to.
type Party struct {
	Canonical uuid.UUID     `json:"canonical"`
	Members   []PartyMember `json:"members"`
	Links     []MergeLink   `json:"links"`
	Apart     []KeepApart   `json:"keptApart,omitempty"`
}

// PartyMember is one record of a party.
type PartyMember struct {
	ID       uuid.UUID `json:"id"`
	Ref      string    `json:"ref"`
	Schema   string    `json:"schema"`
	Name     string    `json:"name"`
	Datasets []string  `json:"datasets"`
}

package graph

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Deciding that two records describe the same real-world party ("one
// party, one entity"). The rules are conservative: a wrong merge hides a
// distinction the lists make and is worse than a missed one.
//
// Two records may be merged only if they come from different datasets (a
// list never lists the same party twice on purpose), are of compatible
// kinds, and nothing they state contradicts each other (different birth
// dates, different IMO numbers, disjoint countries, ...). Then one of these
// is evidence enough:
//
//   - a shared strong identifier: SWIFT/BIC (same bank and branch), IMO or
//     MMSI number, LEI, and registration, tax, INN or OGRN numbers of six
//     characters or more (with a shared country when both state one); for
//     persons a shared passport number. Identifiers other than IMO and
//     MMSI also need the names to share a word, so that a mistyped number
//     alone does not merge two parties.
//   - organisations: the same name (compared as NameKey: case, accents,
//     punctuation, word order and legal forms do not matter) and a shared
//     country; the name must be distinctive (two words or more, or one of
//     eight letters or more).
//   - persons: the same full name (two words or more) and the same birth
//     date to the day, or the same birth year and a shared nationality.

// MergeEvidence says why two records are the same party.
type MergeEvidence struct {
	Rule   string `json:"rule"`   // "swiftBic", "imoNumber", ..., "name+country", "name+birthDate", "name+birthYear+nationality"
	Detail string `json:"detail"` // the shared values: "FTBDKPPY", "foreign trade bank / kp"
}

func (m MergeEvidence) String() string { return m.Rule + " " + m.Detail }

// kindFamily groups schemata that can describe the same party.
func kindFamily(e *Entity) string {
	s := e.SchemaDef()
	switch {
	case e.IsDesignator() || s == nil:
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

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if containsString(b, x) {
			return true
		}
	}
	return false
}

// strongNames returns the name keys of an entity's names, aliases and
// former names (not weak aliases) with two or more words, or one word of
// eight letters or more.
func strongNames(e *Entity) []string {
	var out []string
	for _, p := range []string{"name", "alias", "previousName"} {
		for _, n := range e.Props[p] {
			k := NameKey(n)
			if k == "" || containsString(out, k) {
				continue
			}
			if strings.Count(k, " ") >= 1 || len(k) >= 8 {
				out = append(out, k)
			}
		}
	}
	return out
}

// nameWithKey returns the entity's first name, alias or former name whose
// NameKey is key.
func nameWithKey(e *Entity, key string) string {
	for _, p := range []string{"name", "alias", "previousName"} {
		for _, n := range e.Props[p] {
			if NameKey(n) == key {
				return n
			}
		}
	}
	return key
}

// nameWords returns the distinct words of all the entity's names.
func nameWords(e *Entity) map[string]bool {
	out := map[string]bool{}
	for _, n := range e.Names() {
		for _, t := range NameTokens(n) {
			if len(t) >= 3 {
				out[t] = true
			}
		}
	}
	return out
}

func shareWord(a, b *Entity) bool {
	wa := nameWords(a)
	for w := range nameWords(b) {
		if wa[w] {
			return true
		}
	}
	return false
}

// identifierValues returns the normalised values of prop.
func identifierValues(e *Entity, prop string) []string {
	var out []string
	for _, v := range e.Props[prop] {
		k := IdentifierKey(v)
		if prop == "imoNumber" {
			k = strings.TrimPrefix(k, "IMO")
		}
		if k != "" && !containsString(out, k) {
			out = append(out, k)
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

// countryNeutral reports whether an identifier is too short or too
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

// birthCompatible reports whether two birth dates can be the same day:
// equal, or one a prefix of the other ("1969" and "1969-11-08").
func birthCompatible(a, b string) bool {
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}

// Conflict returns why a and b cannot be the same party, or "".
func Conflict(a, b *Entity) string {
	fa, fb := kindFamily(a), kindFamily(b)
	if fa == "" || fb == "" || fa != fb {
		return fmt.Sprintf("different kinds (%s, %s)", a.Schema, b.Schema)
	}
	if da, db := a.Datasets(), b.Datasets(); intersects(da, db) {
		return "both come from the same dataset"
	}
	if ba, bb := a.BirthDates(), b.BirthDates(); len(ba) > 0 && len(bb) > 0 {
		ok := false
		for _, x := range ba {
			for _, y := range bb {
				ok = ok || birthCompatible(x, y)
			}
		}
		if !ok {
			return "different birth dates"
		}
	}
	if ga, gb := a.Props["gender"], b.Props["gender"]; len(ga) > 0 && len(gb) > 0 && !intersects(lowerAll(ga), lowerAll(gb)) {
		return "different genders"
	}
	if na, nb := a.Props["nationality"], b.Props["nationality"]; len(na) > 0 && len(nb) > 0 && !intersects(lowerAll(na), lowerAll(nb)) {
		return "different nationalities"
	}
	for _, p := range []string{"imoNumber", "mmsi", "leiCode"} {
		va, vb := identifierValues(a, p), identifierValues(b, p)
		if len(va) > 0 && len(vb) > 0 && !intersects(va, vb) {
			return "different " + p
		}
	}
	if va, vb := identifierValues(a, "swiftBic"), identifierValues(b, "swiftBic"); len(va) > 0 && len(vb) > 0 {
		ok := false
		for _, x := range va {
			for _, y := range vb {
				xb, _ := bic8(x)
				yb, _ := bic8(y)
				ok = ok || xb == yb
			}
		}
		if !ok {
			return "different SWIFT/BIC"
		}
	}
	return ""
}

func lowerAll(v []string) []string {
	out := make([]string, len(v))
	for i, s := range v {
		out[i] = strings.ToLower(s)
	}
	return out
}

// strongIdentifiers are the identifier properties that can show two
// records are one party, strongest first.
var strongIdentifiers = []string{"imoNumber", "mmsi", "swiftBic", "leiCode", "registrationNumber", "ogrnCode", "innCode", "taxNumber", "passportNumber"}

// SameParty reports whether a and b describe the same party, and on what
// evidence. It returns false if Conflict finds a contradiction.
func SameParty(a, b *Entity) (MergeEvidence, bool) {
	if Conflict(a, b) != "" {
		return MergeEvidence{}, false
	}
	family := kindFamily(a)
	ca, cb := a.Countries(), b.Countries()
	for _, p := range strongIdentifiers {
		va, vb := identifierValues(a, p), identifierValues(b, p)
		for _, x := range va {
			for _, y := range vb {
				switch p {
				case "swiftBic":
					if !sameBIC(x, y) || !shareWord(a, b) {
						continue
					}
				case "imoNumber", "mmsi":
					if x != y || weakIdentifier(x) {
						continue
					}
				case "passportNumber":
					if family != "person" || x != y || weakIdentifier(x) || !shareWord(a, b) {
						continue
					}
				default:
					if x != y || weakIdentifier(x) || !shareWord(a, b) || (len(ca) > 0 && len(cb) > 0 && !intersects(ca, cb)) {
						continue
					}
				}
				return MergeEvidence{Rule: p, Detail: x}, true
			}
		}
	}
	na, nb := strongNames(a), strongNames(b)
	var shared string
	for _, x := range na {
		if containsString(nb, x) {
			shared = x
			break
		}
	}
	if shared == "" {
		return MergeEvidence{}, false
	}
	names := fmt.Sprintf("%q = %q", nameWithKey(a, shared), nameWithKey(b, shared))
	switch family {
	case "organisation":
		for _, c := range ca {
			if containsString(cb, c) {
				return MergeEvidence{Rule: "name+country", Detail: names + " / " + c}, true
			}
		}
	case "person":
		if !strings.Contains(shared, " ") {
			return MergeEvidence{}, false
		}
		for _, x := range a.BirthDates() {
			for _, y := range b.BirthDates() {
				if len(x) == 10 && x == y {
					return MergeEvidence{Rule: "name+birthDate", Detail: names + " / " + x}, true
				}
			}
		}
		na, nb := lowerAll(a.Props["nationality"]), lowerAll(b.Props["nationality"])
		for _, x := range a.BirthDates() {
			for _, y := range b.BirthDates() {
				if len(x) >= 4 && len(y) >= 4 && x[:4] == y[:4] && birthCompatible(x, y) {
					for _, n := range na {
						if containsString(nb, n) {
							return MergeEvidence{Rule: "name+birthYear+nationality", Detail: names + " / " + x[:4] + " / " + n}, true
						}
					}
				}
			}
		}
	}
	return MergeEvidence{}, false
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
	By     string    `json:"by"`     // "auto" or who decided
	At     time.Time `json:"at"`
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

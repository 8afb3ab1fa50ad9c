package graph

import (
	"fmt"
	"strings"
)

// RelType is the kind of a relationship. It is persisted as a uint16 in
// store keys: add new kinds at the end and never renumber.
type RelType uint16

// Relationship kinds. The comment gives the FollowTheMoney schema or
// property each comes from.
const (
	RelUnknown           RelType = 0
	RelOwns              RelType = 1  // Ownership owner -> asset
	RelControls          RelType = 2  // Control controller -> controlled
	RelOpenedAccountsFor RelType = 3  // a bank opened accounts for a client (UnknownLink role)
	RelDesignatedBy      RelType = 4  // Sanction: entity -> programme (or authority)
	RelDirectorOf        RelType = 5  // Directorship director -> organization
	RelFamily            RelType = 6  // Family person -> relative
	RelAssociate         RelType = 7  // Associate person -> associate
	RelMemberOf          RelType = 8  // Membership member -> organization
	RelEmployeeOf        RelType = 9  // Employment employee -> employer
	RelRepresents        RelType = 10 // Representation agent -> client
	RelLinkedTo          RelType = 11 // UnknownLink, OFAC "Linked To", other entity references
	RelHasAddress        RelType = 12 // Thing.addressEntity -> Address
	RelHoldsPosition     RelType = 13 // Occupancy holder -> post
	RelPaid              RelType = 14 // Payment payer -> beneficiary
	RelOwes              RelType = 15 // Debt debtor -> creditor
	RelSucceededBy       RelType = 16 // Succession predecessor -> successor
	RelProgrammeOf       RelType = 17 // programme -> its authority
	RelPartyTo           RelType = 18 // CourtCaseParty party -> case
	RelAwardedTo         RelType = 19 // ContractAward contract -> supplier
	RelParticipantIn     RelType = 20 // ProjectParticipant participant -> project
	RelDocuments         RelType = 21 // Documentation document -> entity
	// NumRelTypes is one more than the largest kind: arrays indexed by
	// kind have this length.
	NumRelTypes = 22
)

type relInfo struct {
	name  string // wire name: "opened-accounts-for"
	label string // human phrase, forward: "opened accounts for"
}

var relInfos = [NumRelTypes]relInfo{
	RelUnknown:           {"unknown", "is related to"},
	RelOwns:              {"owns", "owns"},
	RelControls:          {"controls", "controls"},
	RelOpenedAccountsFor: {"opened-accounts-for", "opened accounts for"},
	RelDesignatedBy:      {"designated-by", "is designated by"},
	RelDirectorOf:        {"director-of", "is a director of"},
	RelFamily:            {"family", "is family of"},
	RelAssociate:         {"associate", "is an associate of"},
	RelMemberOf:          {"member-of", "is a member of"},
	RelEmployeeOf:        {"employee-of", "works for"},
	RelRepresents:        {"represents", "represents"},
	RelLinkedTo:          {"linked-to", "is linked to"},
	RelHasAddress:        {"has-address", "has the address"},
	RelHoldsPosition:     {"holds-position", "holds the position"},
	RelPaid:              {"paid", "paid"},
	RelOwes:              {"owes", "owes"},
	RelSucceededBy:       {"succeeded-by", "was succeeded by"},
	RelProgrammeOf:       {"programme-of", "is a programme of"},
	RelPartyTo:           {"party-to", "is a party to"},
	RelAwardedTo:         {"awarded-to", "was awarded to"},
	RelParticipantIn:     {"participant-in", "participates in"},
	RelDocuments:         {"documents", "documents"},
}

// ftmSchemata is the FtM schema a relationship of each kind is written as
// when no FtM schema of its own came with it (an official list's "Linked
// To", a finding): ingest reads each back as the same kind. Kinds that have
// no FtM schema of their own are written as UnknownLink with their role.
var ftmSchemata = map[RelType]string{
	RelOwns:          "Ownership",
	RelControls:      "Control",
	RelDirectorOf:    "Directorship",
	RelFamily:        "Family",
	RelAssociate:     "Associate",
	RelMemberOf:      "Membership",
	RelEmployeeOf:    "Employment",
	RelRepresents:    "Representation",
	RelHoldsPosition: "Occupancy",
	RelPaid:          "Payment",
	RelOwes:          "Debt",
	RelSucceededBy:   "Succession",
	RelPartyTo:       "CourtCaseParty",
	RelAwardedTo:     "ContractAward",
	RelParticipantIn: "ProjectParticipant",
	RelDocuments:     "Documentation",
}

// FtMSchema returns the FtM schema a relationship of kind t is written as
// (see ftmSchemata); "" for the kinds written otherwise (designations as
// Sanction, addresses as an entity's property) or as UnknownLink.
func (t RelType) FtMSchema() string { return ftmSchemata[t] }

// RelTypes returns every relationship kind except RelUnknown, in enum order.
func RelTypes() []RelType {
	out := make([]RelType, 0, NumRelTypes-1)
	for t := RelType(1); t < NumRelTypes; t++ {
		out = append(out, t)
	}
	return out
}

// String returns the wire name, such as "opened-accounts-for".
func (t RelType) String() string {
	if int(t) < len(relInfos) {
		return relInfos[t].name
	}
	return fmt.Sprintf("rel-%d", uint16(t))
}

// Label returns the phrase that reads "source <label> target".
func (t RelType) Label() string {
	if int(t) < len(relInfos) {
		return relInfos[t].label
	}
	return "is related to"
}

// Valid reports whether t is a known kind other than RelUnknown.
func (t RelType) Valid() bool { return t > 0 && t < NumRelTypes }

// EnumName returns the GraphQL enum value: OPENED_ACCOUNTS_FOR.
func (t RelType) EnumName() string {
	return strings.ToUpper(strings.ReplaceAll(t.String(), "-", "_"))
}

// ParseRelType accepts a wire name ("opened-accounts-for"), an enum name
// ("OPENED_ACCOUNTS_FOR") or a spaced form ("opened accounts for").
func ParseRelType(s string) (RelType, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.NewReplacer("_", "-", " ", "-").Replace(k)
	for t := RelType(1); t < NumRelTypes; t++ {
		if relInfos[t].name == k {
			return t, nil
		}
	}
	return RelUnknown, fmt.Errorf("%w: unknown relationship kind %q", ErrInvalid, s)
}

// MarshalText implements encoding.TextMarshaler (JSON output uses the wire name).
func (t RelType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (t *RelType) UnmarshalText(b []byte) error {
	v, err := ParseRelType(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// strength orders kinds from the strongest evidence of a link (ownership)
// to the weakest (an untyped "linked to"); designations come last.
var strength = func() [NumRelTypes]int {
	order := []RelType{
		RelOwns, RelControls, RelDirectorOf, RelOpenedAccountsFor, RelRepresents,
		RelEmployeeOf, RelMemberOf, RelFamily, RelAssociate, RelHoldsPosition,
		RelPaid, RelOwes, RelSucceededBy, RelPartyTo, RelAwardedTo,
		RelParticipantIn, RelDocuments, RelHasAddress, RelLinkedTo,
		RelDesignatedBy, RelProgrammeOf, RelUnknown,
	}
	var s [NumRelTypes]int
	for i, k := range order {
		s[k] = i
	}
	return s
}()

// Weakness ranks a kind as evidence of a link: 0 for owns, higher for
// weaker kinds. Among paths of equal length, the one whose steps are
// stronger (smaller total weakness) comes first.
func (t RelType) Weakness() int {
	if int(t) < len(strength) {
		return strength[t]
	}
	return len(strength)
}

// LinkRoleKind reads the words of the role of an FtM UnknownLink (a link
// of no other stated kind): a bank that "opened accounts for", "opened
// bank accounts for" or "opened multiple bank accounts for" a client, or
// an "account opened for", is RelOpenedAccountsFor; "controls" is
// RelControls; anything else RelLinkedTo.
func LinkRoleKind(role string) RelType {
	r := Fold(role)
	switch {
	case strings.Contains(r, "opened account") || strings.Contains(r, "opened bank account") ||
		strings.Contains(r, "opens account") || strings.Contains(r, "account opened for") || openedAccountsFor(r):
		return RelOpenedAccountsFor
	case strings.HasPrefix(r, "controls") || r == "control" || strings.HasPrefix(r, "exercises control"):
		return RelControls
	}
	return RelLinkedTo
}

// openedAccountsFor reports whether folded role words say someone opened
// accounts for someone, with at most three words between ("opened
// multiple bank accounts for", "opened several accounts for").
func openedAccountsFor(r string) bool {
	w := strings.Fields(r)
	for i, x := range w {
		if x != "opened" && x != "opens" && x != "open" {
			continue
		}
		for j := i + 1; j < len(w) && j <= i+4; j++ {
			if (w[j] == "account" || w[j] == "accounts") && j+1 < len(w) && w[j+1] == "for" {
				return true
			}
		}
	}
	return false
}

// UnknownLinkKind reads the kind of an FtM UnknownLink from its roles and
// returns it with the roles that remain. A first role that is a kind's
// wire name ("opened-accounts-for", "has-address") is the kind, written
// by the FtM export (UnknownLinkRoles) where the words of the role alone
// would not give it, and is not a role; otherwise the words of the first
// role decide (LinkRoleKind).
func UnknownLinkKind(roles []string) (RelType, []string) {
	if len(roles) > 0 {
		if t, ok := wireKind(roles[0]); ok {
			return t, roles[1:]
		}
		return LinkRoleKind(roles[0]), roles
	}
	return RelLinkedTo, roles
}

// UnknownLinkRoles returns the roles to write for a relationship of kind
// t written as an FtM UnknownLink, so that UnknownLinkKind reads back t and
// roles exactly: roles as they are when their words give t, else the
// kind's wire name first.
func UnknownLinkRoles(t RelType, roles []string) []string {
	if len(roles) > 0 {
		if _, marker := wireKind(roles[0]); !marker && LinkRoleKind(roles[0]) == t {
			return roles
		}
	} else if t == RelLinkedTo {
		return roles
	}
	return append([]string{t.String()}, roles...)
}

// wireKind returns the kind whose wire name is exactly s ("unknown" too).
func wireKind(s string) (RelType, bool) {
	for t := RelType(0); t < NumRelTypes; t++ {
		if relInfos[t].name == s {
			return t, true
		}
	}
	return RelUnknown, false
}

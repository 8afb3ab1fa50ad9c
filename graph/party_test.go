package graph

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// ids returns n ids in increasing order.
func ids(n int) []uuid.UUID {
	out := make([]uuid.UUID, n)
	for i := range out {
		out[i][15] = byte(i + 1)
	}
	return out
}

func TestNewParties(t *testing.T) {
	id := ids(7)
	// 3-1, 1-4 and 4-2 join 1, 2, 3, 4; 5-6 another party; 0 and 6 apart.
	p := NewParties([][2]uuid.UUID{{id[3], id[1]}, {id[1], id[4]}, {id[4], id[2]}, {id[6], id[5]}}, [][2]uuid.UUID{{id[6], id[0]}})
	tests := []struct {
		name    string
		id      uuid.UUID
		canon   uuid.UUID
		members []uuid.UUID
	}{
		{"canonical is the smallest id", id[4], id[1], []uuid.UUID{id[1], id[2], id[3], id[4]}},
		{"canonical itself", id[1], id[1], []uuid.UUID{id[1], id[2], id[3], id[4]}},
		{"second party", id[6], id[5], []uuid.UUID{id[5], id[6]}},
		{"unmerged", id[0], id[0], []uuid.UUID{id[0]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Canonical(tt.id); got != tt.canon {
				t.Errorf("Canonical(%v) = %v, want %v", tt.id, got, tt.canon)
			}
			if got := p.Members(tt.id); !reflect.DeepEqual(got, tt.members) {
				t.Errorf("Members(%v) = %v, want %v", tt.id, got, tt.members)
			}
		})
	}
	if parties, merged := p.Counts(); parties != 2 || merged != 6 {
		t.Errorf("Counts() = %d, %d, want 2, 6", parties, merged)
	}
	want := map[uuid.UUID]uuid.UUID{id[2]: id[1], id[3]: id[1], id[4]: id[1], id[6]: id[5]}
	if got := p.Aliases(); !reflect.DeepEqual(got, want) {
		t.Errorf("Aliases() = %v, want %v", got, want)
	}
	if !p.Apart(id[0], id[6]) || !p.Apart(id[6], id[0]) || p.Apart(id[0], id[1]) {
		t.Errorf("Apart: the decision between 0 and 6 is not seen both ways, or one is invented")
	}
	if got := NoParties.Members(id[0]); !reflect.DeepEqual(got, []uuid.UUID{id[0]}) {
		t.Errorf("NoParties.Members = %v", got)
	}
}

func TestBlocker(t *testing.T) {
	id := ids(MaxBlock + 2)
	p := NewParties([][2]uuid.UUID{{id[0], id[1]}}, nil)
	b := NewBlocker(p)
	got := b.Pairs([]uuid.UUID{id[0], id[1], id[2]}, nil)
	want := [][2]uuid.UUID{{id[0], id[2]}, {id[1], id[2]}} // 0 and 1 are one party already
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Pairs = %v, want %v", got, want)
	}
	if got := b.Pairs([]uuid.UUID{id[2], id[0], id[3]}, nil); !reflect.DeepEqual(got, [][2]uuid.UUID{{id[2], id[3]}, {id[0], id[3]}}) {
		t.Errorf("second block: Pairs = %v, want only the pairs not seen before", got)
	}
	if got := b.Pairs(id[:1], nil); got != nil {
		t.Errorf("a block of one: %v", got)
	}
	if got := b.Pairs(id, nil); got != nil || b.Crowded != 1 {
		t.Errorf("a block of %d: %v, Crowded = %d, want skipped and counted", len(id), got, b.Crowded)
	}
}

func TestJoin(t *testing.T) {
	id := ids(6)
	ents := map[uuid.UUID]*Entity{}
	for i, x := range id {
		ents[x] = &Entity{ID: x, Schema: "Person", Props: map[string][]string{"name": {"x"}}, Sources: []Source{{Dataset: string(rune('a' + i))}}}
	}
	// 4 and 5 contradict each other: different birth dates.
	ents[id[4]].Props["birthDate"] = []string{"1960-03-04"}
	ents[id[5]].Props["birthDate"] = []string{"1971-08-09"}
	entity := func(x uuid.UUID) (*Entity, error) { return ents[x], nil }
	// 0 and 1 are merged; 1 and 2 are kept apart.
	p := NewParties([][2]uuid.UUID{{id[0], id[1]}}, [][2]uuid.UUID{{id[1], id[2]}})
	cands := []MergeCandidate{
		{A: id[0], B: id[2], Evidence: MergeEvidence{Rule: "imoNumber"}},                  // refused: 1 (its party) is kept apart from 2
		{A: id[3], B: id[4], Evidence: MergeEvidence{Rule: "name+birthDate"}},             // joined
		{A: id[3], B: id[5], Evidence: MergeEvidence{Rule: "name+country"}},               // refused: 5 contradicts 4, now 3's party
		{A: id[0], B: id[3], Evidence: MergeEvidence{Rule: "passportNumber"}},             // joined first (stronger)
		{A: id[1], B: id[3], Evidence: MergeEvidence{Rule: "name+birthYear+nationality"}}, // weakest: one party by then
	}
	// Strongest first: 0-2 is refused, 0-3 joins 3 to {0, 1}, 3-4 joins 4,
	// 3-5 is refused, 1-3 is already one party.
	want := []MergeCandidate{cands[3], cands[1]}
	for i := 0; i < 20; i++ {
		shuffled := slices.Clone(cands)
		rand.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		joined, refused, err := p.Join(shuffled, entity)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(joined, want) || len(refused) != 2 {
			t.Fatalf("Join(%v) = %v, %d refused, want %v, 2 refused", shuffled, joined, len(refused), want)
		}
		if r := refused[0].Reason; r != "kept apart by a person's decision" {
			t.Errorf("first refusal: %q, want the keep-apart decision", r)
		}
		if r := refused[1].Reason; !strings.Contains(r, "different birth dates") {
			t.Errorf("second refusal: %q, want the birth dates named", r)
		}
	}
	if m := p.Members(id[0]); len(m) != 2 {
		t.Errorf("Join changed the parties it was called on: %v", m)
	}
	boom := errors.New("boom")
	if _, _, err := p.Join(cands, func(uuid.UUID) (*Entity, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("Join with a failing read: %v, want it returned", err)
	}
}

// Two banks of one name in one city compete for the EU's record: the one
// at its street wins, the other is refused (one list holds both).
func TestJoinPlacesFirst(t *testing.T) {
	p := props
	eu := ent("eu:IX.II.B:9", "eu_journal_sanctions", "LegalEntity", p("name", "Mehr Interest-Free Bank", "country", "ir",
		"address", "No. 182, Shahid Tohidi St, 4th Golestan, Pasdaran Ave, Tehran, Iran"))
	mehr := ent("ofac:12481", "us_ofac_sdn", "Organization", p("name", "MEHR BANK", "alias", "MEHR INTEREST-FREE BANK", "country", "ir",
		"address", "204 Taleghani Ave., Tehran, Iran"))
	eqtesad := ent("ofac:25018", "us_ofac_sdn", "Organization", p("name", "MEHR EQTESAD BANK", "alias", "MEHR INTEREST-FREE BANK", "country", "ir",
		"address", "No. 182, Shahid Tohidi St, 4th Golsetan, Pasdaran Ave, Tehran 1666943, Iran"))
	ents := map[uuid.UUID]*Entity{eu.ID: eu, mehr.ID: mehr, eqtesad.ID: eqtesad}
	var cands []MergeCandidate
	for _, o := range []*Entity{mehr, eqtesad} {
		ev, ok := SameParty(eu, o)
		if !ok {
			t.Fatalf("SameParty(%s, %s) = false, want a name rule", eu.Ref, o.Ref)
		}
		cands = append(cands, MergeCandidate{A: eu.ID, B: o.ID, Evidence: ev})
	}
	if cands[0].Evidence.Rule != cands[1].Evidence.Rule {
		t.Fatalf("rules %q and %q, want one rule for both", cands[0].Evidence.Rule, cands[1].Evidence.Rule)
	}
	joined, refused, err := NewParties(nil, nil).Join(cands, func(id uuid.UUID) (*Entity, error) { return ents[id], nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(joined) != 1 || joined[0].B != eqtesad.ID || len(refused) != 1 || refused[0].B != mehr.ID {
		t.Fatalf("Join = %v joined, %v refused, want %s joined and %s refused", joined, refused, eqtesad.Ref, mehr.Ref)
	}
}

func TestBlockerScopes(t *testing.T) {
	id := ids(4)
	ofac, un := NewMergeScope("Person", []string{"ofac"}), NewMergeScope("Person", []string{"un"})
	company := NewMergeScope("Company", []string{"eu"})
	b := NewBlocker(NoParties)
	got := b.Pairs(id, []*MergeScope{ofac, ofac, un, company})
	want := [][2]uuid.UUID{{id[0], id[2]}, {id[1], id[2]}} // same list, other kind: skipped
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Pairs = %v, want %v", got, want)
	}
	// A skipped pair is not seen: given comparable scopes later, it comes.
	if got := b.Pairs(id[:2], nil); !reflect.DeepEqual(got, [][2]uuid.UUID{{id[0], id[1]}}) {
		t.Errorf("Pairs = %v, want the pair skipped before", got)
	}
}

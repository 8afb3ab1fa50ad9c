package watch

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

var (
	idX = uuid.MustParse("00000000-0000-0000-0000-00000000000a")
	idY = uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	idZ = uuid.MustParse("00000000-0000-0000-0000-00000000000c")
)

func hit(id uuid.UUID, designated bool, names ...string) Hit {
	h := Hit{Entity: EntityRef{ID: id, Ref: "ofac:" + id.String()[34:], Name: names[0]}, Score: 0.9, Matched: names[0], Designated: designated, Names: names}
	if designated {
		h.Designations = []Designation{{Authority: "US OFAC", Programme: "SDGT", Lists: []string{"us_ofac_sdn 2024-05-03"}}}
	}
	return h
}

func path(start, target uuid.UUID, via ...uuid.UUID) PathEvidence {
	p := PathEvidence{Target: EntityRef{ID: target, Name: "T"}, Start: EntityRef{ID: start, Name: "S"}, Via: "hit",
		Designations: []Designation{{Authority: "US OFAC", Programme: "NPWMD"}}}
	from := p.Start
	for _, v := range append(via, target) {
		to := EntityRef{ID: v, Name: v.String()[34:]}
		p.Steps = append(p.Steps, Step{From: from, To: to, Kind: "linked-to", Forward: true})
		from = to
	}
	return p
}

func kinds(cs []Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Kind+" "+c.Subject[:strings.IndexByte(c.Subject+":", ':')])
	}
	return out
}

func TestDiff(t *testing.T) {
	base := &State{Hits: []Hit{hit(idX, true, "KIM Chol")}, Paths: []PathEvidence{path(idX, idY)}}
	renamed := &State{Hits: []Hit{hit(idX, true, "KIM Chol", "KIM Chol Nam")}, Paths: []PathEvidence{path(idX, idY)}}
	delisted := &State{Hits: []Hit{hit(idX, false, "KIM Chol")}}
	rerouted := &State{Hits: []Hit{hit(idX, true, "KIM Chol")}, Paths: []PathEvidence{path(idX, idY, idZ)}}
	blocked := &State{Exposure: &Exposure{Entity: EntityRef{ID: idZ, Name: "Z"}, Blocked: true, Percentage: 60, MaxPercentage: 60}}
	possibly := &State{Exposure: &Exposure{Entity: EntityRef{ID: idZ, Name: "Z"}, PossiblyBlocked: true, MaxPercentage: 100}}
	tests := []struct {
		name          string
		before, after *State
		dismissed     map[string]string
		want          []string
	}{
		{"first evaluation", nil, base, nil, []string{"new-hit hit", "new-path path"}},
		{"nothing changed", base, base, nil, nil},
		{"a new alias", base, renamed, nil, []string{"hit-changed hit"}},
		{"delisted: the hit stays as an anchor, not as a subject", base, delisted, nil, []string{"hit-gone hit", "path-broken path"}},
		{"another route", base, rerouted, nil, []string{"path-changed path"}},
		{"blocked", &State{}, blocked, nil, []string{"became-blocked blocked"}},
		{"possibly blocked is not blocked", &State{}, possibly, nil, nil},
		{"no longer blocked", blocked, possibly, nil, []string{"no-longer-blocked blocked"}},
		{"removed party", base, nil, nil, []string{"hit-gone hit", "path-broken path"}},
		// Dismissals silence the same evidence, not other evidence.
		{"dismissed hit comes back the same", delisted, base, map[string]string{HitSubject(idX): base.Hits[0].Fingerprint()}, []string{"new-path path"}},
		{"dismissed hit goes", base, delisted, map[string]string{HitSubject(idX): base.Hits[0].Fingerprint()}, []string{"path-broken path"}},
		{"dismissed hit with a new alias", base, renamed, map[string]string{HitSubject(idX): base.Hits[0].Fingerprint()}, []string{"hit-changed hit"}},
		{"dismissed path with a new route", base, rerouted, map[string]string{PathSubject(idY): base.Paths[0].Fingerprint()}, []string{"path-changed path"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := kinds(Diff(tt.before, tt.after, tt.dismissed))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Diff = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDiffReasons(t *testing.T) {
	base := &State{Hits: []Hit{hit(idX, true, "KIM Chol")}}
	tests := []struct {
		name          string
		before, after *State
		want          string
	}{
		{"delisted", base, &State{Hits: []Hit{hit(idX, false, "KIM Chol")}}, "no longer designated (delisted)"},
		{"no longer matches", base, &State{}, "no longer matches the party"},
		{"new alias", base, &State{Hits: []Hit{hit(idX, true, "KIM Chol", "KIM Chol Nam")}}, `new names "KIM Chol Nam"`},
		{"became designated", &State{Hits: []Hit{hit(idX, false, "KIM Chol")}}, base, "is now designated by US OFAC / SDGT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs := Diff(tt.before, tt.after, nil)
			if len(cs) != 1 || !strings.Contains(cs[0].Reason, tt.want) {
				t.Errorf("Diff = %+v, want one change saying %q", cs, tt.want)
			}
		})
	}
}

// The fingerprint of a hit is what an analyst decided on: the score and
// the explanation (which move with the word weights of every new list
// version) are not part of it; names and designations are.
func TestHitFingerprint(t *testing.T) {
	h := hit(idX, true, "KIM Chol")
	f := h.Fingerprint()
	same := h
	same.Score, same.Explanation, same.Matched = 0.81, "other words", "other"
	same.Designations = []Designation{{Authority: "US OFAC", Programme: "SDGT", ListedOn: "2024-01-01", Lists: []string{"us_ofac_sdn 2025-01-01"}}}
	if same.Fingerprint() != f {
		t.Errorf("score, explanation, listing date and list version changed the fingerprint")
	}
	for name, change := range map[string]func(*Hit){
		"alias": func(h *Hit) { h.Names = append(h.Names, "KIM Chol Nam") },
		"programme": func(h *Hit) {
			h.Designations = append(h.Designations, Designation{Authority: "US OFAC", Programme: "DPRK3"})
		},
	} {
		c := hit(idX, true, "KIM Chol")
		change(&c)
		if c.Fingerprint() == f {
			t.Errorf("a new %s left the fingerprint as it was", name)
		}
	}
}

func TestPartyCheck(t *testing.T) {
	tests := []struct {
		p    Party
		want string // "" for none
	}{
		{Party{Ref: "c1", Name: "Acme Trading"}, ""},
		{Party{Ref: "c2", Identifiers: []string{"FTBDKPPY"}}, ""},
		{Party{Name: "Acme"}, "ref: required"},
		{Party{Ref: "c3"}, "name: required"},
		{Party{Ref: "c4", Name: "Acme", Kind: "Spaceship"}, "kind: unknown kind"},
		{Party{Ref: "c5", Name: "Acme", Country: "Atlantis"}, "country:"},
		{Party{Ref: "c6", Name: "Acme", BirthDate: "1.2.1960"}, "birthDate:"},
		{Party{Ref: "c7", Name: "Acme", Aliases: []string{"!!!"}}, `aliases: "!!!"`},
	}
	for _, tt := range tests {
		err := tt.p.Check()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Check(%+v) = %v, want nil", tt.p, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, graph.ErrInvalid)):
			t.Errorf("Check(%+v) = %v, want an invalid-input error saying %q", tt.p, err, tt.want)
		}
	}
}

func TestDecide(t *testing.T) {
	a := &Alert{Status: Open}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := a.Decide("maybe", "x", "alice", now); !errors.Is(err, graph.ErrInvalid) {
		t.Errorf("Decide(maybe) = %v, want invalid", err)
	}
	if err := a.Decide(Dismissed, "  ", "alice", now); err == nil || !strings.Contains(err.Error(), "reason") {
		t.Errorf("Decide without a reason = %v", err)
	}
	if err := a.Decide(Dismissed, "another person: born 1970", "alice", now); err != nil {
		t.Fatal(err)
	}
	if err := a.Decide(Confirmed, "second look: same passport", "bob", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if a.Status != Confirmed || len(a.Decisions) != 2 || a.Decisions[0].By != "alice" || a.Decisions[1].Reason != "second look: same passport" {
		t.Errorf("alert after two decisions: %+v", a)
	}
}

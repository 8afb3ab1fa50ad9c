package resolve_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/resolve"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// TestRefRealLists resolves what investigators type on the real OFAC, UN
// and EU lists, merged: every record id of the Foreign Trade Bank, its
// SWIFT code and the names it goes by resolve to the one party.
func TestRefRealLists(t *testing.T) {
	st := storetest.RealLists(t)
	ctx := context.Background()
	ftb, err := st.Resolve(ctx, "un:6908622")
	if err != nil {
		t.Fatal(err)
	}
	id := func(ref string) string {
		t.Helper()
		u, err := st.RecordEntity(ctx, ref)
		if err != nil {
			t.Fatalf("record %s: %v", ref, err)
		}
		e, err := st.Entity(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		return e.Ref
	}
	ftbRef := id("un:6908622")
	tests := []struct {
		ref, want, how string
	}{
		{"un:6908622", ftbRef, graph.ResolvedByID},
		{"ofac:15603", ftbRef, graph.ResolvedByID},
		{"eu:32017R1509:XIII.B:47", ftbRef, graph.ResolvedByID},
		{"KPe.047", ftbRef, graph.ResolvedByID},
		{ftb.String(), ftbRef, graph.ResolvedByID},
		{"FTBDKPPY", ftbRef, graph.ResolvedByIdentifier},
		{"ftbd kppy", ftbRef, graph.ResolvedByIdentifier},
		{"1027744004903", id("ofac:26744"), graph.ResolvedByIdentifier},     // registration number
		{"253400V1H6ART1UQ0N98", "", graph.ResolvedByIdentifier},            // an LEI (checked below)
		{"Foreign Trade Bank of the DPRK", ftbRef, graph.ResolvedByName},    // the README's wording
		{"Foreign Trade Bank of North Korea", ftbRef, graph.ResolvedByName}, // country-name equivalence
		{"Foreign Trade Bank of the Democratic People's Republic of Korea", ftbRef, graph.ResolvedByName},
		{"Russian Financial Society", id("ofac:26744"), graph.ResolvedByName},                       // not Russian Financial Corporation
		{"Dandong Zongsheng", id("ofac:24518"), graph.ResolvedByName},                               // a typo
		{"Zhongsheng, Dandong", id("ofac:24518"), graph.ResolvedByName},                             // word order
		{"  dandong zhongsheng industry and trade co ltd ", id("ofac:24518"), graph.ResolvedByName}, // legal form, &
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			res, err := resolve.Ref(ctx, st, tt.ref)
			if err != nil {
				t.Fatalf("Ref(%q): %v", tt.ref, err)
			}
			e, err := st.Entity(ctx, res.ID)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && e.Ref != tt.want {
				t.Errorf("Ref(%q) = %s (%s), want %s", tt.ref, e.Ref, e.Name(), tt.want)
			}
			if res.How != tt.how {
				t.Errorf("Ref(%q).How = %q, want %q", tt.ref, res.How, tt.how)
			}
			if res.How != graph.ResolvedByID && res.Matched == "" {
				t.Errorf("Ref(%q).Matched is empty", tt.ref)
			}
			if res.Score <= 0 || res.Score > 1 {
				t.Errorf("Ref(%q).Score = %v", tt.ref, res.Score)
			}
		})
	}

	ambiguous := []struct {
		ref  string
		want []string // refs of candidates that must be listed
	}{
		// A name shared by two OFAC entries.
		{"MINISTRY OF STATE SECURITY", []string{id("ofac:20129"), id("ofac:25437")}},
		// Close scores: the Foreign Trade Bank of the DPRK, VTB ("Bank
		// for Foreign Trade"), Myanma Foreign Trade Bank.
		{"Foreign Trade Bank", []string{ftbRef, id("ofac:17013"), id("ofac:42796")}},
		{"Korea Kwangson", []string{id("un:6908518")}},
	}
	for _, tt := range ambiguous {
		t.Run(tt.ref, func(t *testing.T) {
			res, err := resolve.Ref(ctx, st, tt.ref)
			var amb *graph.AmbiguousError
			if !errors.As(err, &amb) || !errors.Is(err, graph.ErrAmbiguous) {
				t.Fatalf("Ref(%q) = %v, %v; want an AmbiguousError", tt.ref, res, err)
			}
			var got []string
			for i, c := range amb.Candidates {
				e, err := st.Entity(ctx, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, e.Ref)
				if c.Score <= 0 || c.Score > 1 || c.Matched == "" {
					t.Errorf("candidate %d = %+v", i, c)
				}
				if i > 0 && c.Score > amb.Candidates[i-1].Score {
					t.Errorf("candidates not best first: %+v", amb.Candidates)
				}
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("candidates of %q = %v, want %s among them", tt.ref, got, w)
				}
			}
		})
	}

	for _, ref := range []string{"no such party anywhere qqq", "ofac:99999999", "@@@"} {
		if res, err := resolve.Ref(ctx, st, ref); !errors.Is(err, graph.ErrNotFound) {
			t.Errorf("Ref(%q) = %+v, %v; want ErrNotFound", ref, res, err)
		}
	}
	for _, ref := range []string{"", "   "} {
		if _, err := resolve.Ref(ctx, st, ref); !errors.Is(err, graph.ErrInvalid) {
			t.Errorf("Ref(%q) err = %v, want ErrInvalid", ref, err)
		}
	}
}

// TestChoose pins the rule that picks a hit among screening hits.
func TestChoose(t *testing.T) {
	hit := func(name string, score float64, unmatched bool) screen.Hit {
		h := screen.Hit{Matched: name, Score: score, Tokens: []screen.TokenMatch{{Query: "a", Name: "a", How: "exact"}}}
		if unmatched {
			h.Tokens = append(h.Tokens, screen.TokenMatch{Query: "society", How: "unmatched"})
		}
		return h
	}
	tests := []struct {
		name string
		hits []screen.Hit
		want string // "" for none
	}{
		{"none", nil, ""},
		{"one", []screen.Hit{hit("x", 0.81, false)}, "x"},
		{"clear lead", []screen.Hit{hit("x", 0.95, false), hit("y", 0.90, false)}, "x"},
		{"too close", []screen.Hit{hit("x", 0.95, false), hit("y", 0.91, false)}, ""},
		{"complete beats incomplete", []screen.Hit{hit("x", 0.906, false), hit("y", 0.896, true)}, "x"},
		{"complete wins though lower", []screen.Hit{hit("y", 0.95, true), hit("x", 0.85, false)}, "x"},
		{"all incomplete, clear lead", []screen.Hit{hit("x", 0.95, true), hit("y", 0.85, true)}, "x"},
		{"all incomplete, too close", []screen.Hit{hit("x", 0.95, true), hit("y", 0.94, true)}, ""},
	}
	for _, tt := range tests {
		got, ok := resolve.Choose(tt.hits)
		if (tt.want == "") == ok || (ok && got.Matched != tt.want) {
			t.Errorf("%s: Choose = %q, %t; want %q", tt.name, got.Matched, ok, tt.want)
		}
	}
}

package graph

import (
	"strings"
	"testing"
)

func TestLegalFormAt(t *testing.T) {
	tests := []struct {
		name    string
		toks    string
		keyOnly bool
		n       int
		class   string
	}{
		{"word", "llc zala", false, 1, "llc"},
		{"longest phrase wins", "open joint stock company x", false, 4, "stock"},
		{"phrase of letters", "s a r l x", false, 4, "llc"},
		{"form that says little", "co ltd", false, 2, ""},
		{"not a form", "zala aero", false, 0, ""},
		{"screening-only form counts for screening", "ab volvo", false, 1, "stock"},
		{"but not for keys", "ab volvo", true, 0, ""},
		{"key phrase for keys", "aktsionernoe obshchestvo x", true, 2, "stock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, c := LegalFormAt(strings.Fields(tt.toks), tt.keyOnly)
			if n != tt.n || c != tt.class {
				t.Errorf("LegalFormAt(%q, %v) = %d, %q, want %d, %q", tt.toks, tt.keyOnly, n, c, tt.n, tt.class)
			}
		})
	}
}

// Every form is folded text, listed once (loadLegalForms panics on a
// repeat), and name keys drop exactly the forms marked for keys.
func TestLegalFormTable(t *testing.T) {
	for _, f := range legalFormTable {
		if Fold(f.form) != f.form {
			t.Errorf("legal form %q is not folded (%q)", f.form, Fold(f.form))
		}
		k := NameKey("Zala " + f.form)
		if f.inKey && k != "zala" {
			t.Errorf("NameKey(Zala %s) = %q, want the form dropped", f.form, k)
		}
		if !f.inKey && k == "zala" {
			t.Errorf("NameKey(Zala %s) = %q: a form name keys keep was dropped", f.form, k)
		}
	}
}

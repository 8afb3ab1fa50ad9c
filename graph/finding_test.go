package graph

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckSource(t *testing.T) {
	good := Source{URL: "https://home.treasury.gov/news/press-releases/sm711", Date: "2019-06-19", Quote: "opened multiple bank accounts"}
	if err := CheckSource(good); err != nil {
		t.Fatalf("CheckSource(%+v) = %v, want nil", good, err)
	}
	doc := good
	doc.URL, doc.Document = "", "US Treasury press release of 19 June 2019"
	if err := CheckSource(doc); err != nil {
		t.Errorf("CheckSource(%+v) = %v, want nil: a document instead of a URL", doc, err)
	}
	tests := []struct {
		name  string
		edit  func(*Source)
		field string
		value string
	}{
		{"no url or document", func(s *Source) { s.URL = " " }, "source.url", ""},
		{"not a URL", func(s *Source) { s.URL = "ftp://x" }, "source.url", "ftp://x"},
		{"no date", func(s *Source) { s.Date = "" }, "source.date", ""},
		{"bad date", func(s *Source) { s.Date = "2019-13-45" }, "source.date", "2019-13-45"},
		{"no quote", func(s *Source) { s.Quote = " " }, "source.quote", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := good
			tt.edit(&src)
			err := CheckSource(src)
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) || fe.Field != tt.field || fe.Value != tt.value {
				t.Fatalf("CheckSource(%+v) = %#v, want a FieldError for %s with value %q wrapping ErrInvalid", src, err, tt.field, tt.value)
			}
			if !strings.HasPrefix(err.Error(), tt.field+": ") {
				t.Errorf("CheckSource(%+v) = %q, want it to start with the field", src, err)
			}
		})
	}
}

func TestCheckEntityFinding(t *testing.T) {
	tests := []struct {
		name  string
		e     *Entity
		field string // "" if valid
	}{
		{"company", &Entity{Schema: "Company", Props: map[string][]string{"name": {"Sea Star"}}}, ""},
		{"person", &Entity{Schema: "Person", Props: map[string][]string{"name": {"Ivan"}}}, ""},
		{"edge schema", &Entity{Schema: "Ownership", Props: map[string][]string{"name": {"x"}}}, "schema"},
		{"abstract schema", &Entity{Schema: "Thing", Props: map[string][]string{"name": {"x"}}}, "schema"},
		{"unknown schema", &Entity{Schema: "Spaceship", Props: map[string][]string{"name": {"x"}}}, "schema"},
		{"no name", &Entity{Schema: "Company", Props: map[string][]string{"name": {" "}}}, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckEntityFinding(tt.e)
			var fe *FieldError
			switch {
			case tt.field == "" && err != nil:
				t.Errorf("CheckEntityFinding(%+v) = %v, want nil", tt.e, err)
			case tt.field != "" && (!errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, ErrInvalid)):
				t.Errorf("CheckEntityFinding(%+v) = %v, want a FieldError for %s", tt.e, err, tt.field)
			}
		})
	}
}

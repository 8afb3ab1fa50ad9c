package graph

import (
	"strings"
)

// Findings are what investigators state through the API or a findings CSV:
// entities and relationships with a source. The checks here are the one
// place that says what a finding must hold; the API checks its input with
// them to name the wrong field, and the store checks again before it
// writes.

// FieldError is input that is wrong in one field. It wraps ErrInvalid.
type FieldError struct {
	Field string // the field, as a path: "source.date", "name"
	Msg   string // what is wrong, for people: "want YYYY, YYYY-MM or YYYY-MM-DD"
	Value string // the value given, when showing it helps; "" otherwise
}

func (e *FieldError) Error() string {
	if e.Value != "" {
		return e.Field + ": " + e.Msg + ", got " + quoteValue(e.Value)
	}
	return e.Field + ": " + e.Msg
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// quoteValue quotes v for an error message, cut at 80 bytes.
func quoteValue(v string) string {
	if len(v) > 80 {
		v = v[:80] + "..."
	}
	return `"` + strings.NewReplacer(`"`, `\"`, "\n", `\n`).Replace(v) + `"`
}

// IsHTTPURL reports whether s is an http or https URL.
func IsHTTPURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// CheckSource reports what is wrong with the source of a finding: it needs
// an http(s) URL or a document, a date (IsPartialDate) and a quote (the
// words of the source that state it). The error is a *FieldError naming
// source.url, source.date or source.quote.
func CheckSource(src Source) error {
	bad := func(field, msg, value string) error {
		return &FieldError{Field: "source." + field, Msg: msg, Value: value}
	}
	switch {
	case strings.TrimSpace(src.URL) == "" && strings.TrimSpace(src.Document) == "":
		return bad("url", "a source needs a url or a document", "")
	case src.URL != "" && !IsHTTPURL(src.URL):
		return bad("url", "want an http(s) URL", src.URL)
	case strings.TrimSpace(src.Date) == "":
		return bad("date", "required (YYYY, YYYY-MM or YYYY-MM-DD)", "")
	case !IsPartialDate(src.Date):
		return bad("date", "want YYYY, YYYY-MM or YYYY-MM-DD", src.Date)
	case strings.TrimSpace(src.Quote) == "":
		return bad("quote", "required: the words of the source that state the finding", "")
	}
	return nil
}

// IsEntitySchema reports whether an entity finding may have the schema
// name: a concrete FtM Thing that is not an edge (Person, Company,
// Organization, LegalEntity, PublicBody, Vessel, ...).
func IsEntitySchema(name string) bool {
	s, ok := LookupSchema(name)
	return ok && s.Edge == nil && !s.Abstract && s.Is("Thing")
}

// CheckEntityFinding reports what is wrong with an entity stated as a
// finding: its schema must be an entity schema (IsEntitySchema) and it
// needs a name. The error is a *FieldError naming schema or name.
func CheckEntityFinding(e *Entity) error {
	if !IsEntitySchema(e.Schema) {
		return &FieldError{Field: "schema", Msg: "not an entity schema (use Person, Company, Organization, LegalEntity, PublicBody, Vessel, ...)", Value: e.Schema}
	}
	if strings.TrimSpace(e.First("name")) == "" {
		return &FieldError{Field: "name", Msg: "required"}
	}
	return nil
}

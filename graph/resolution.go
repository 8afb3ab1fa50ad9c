package graph

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// How a reference was resolved (Resolution.How).
const (
	ResolvedByID         = "id"         // an id the entity is known by: its own, a record's, a referent, a UUID
	ResolvedByIdentifier = "identifier" // a strong identifier: SWIFT/BIC, IMO, LEI, registration number, ...
	ResolvedByName       = "name"       // a name or alias, matched as screening matches names
)

// Resolution says which entity a reference (an id, an identifier or a
// name) named and how, so that an answer can show what it rests on.
type Resolution struct {
	Query string    // the reference as given
	ID    uuid.UUID // the entity; for a merged party its canonical entity
	How   string    // ResolvedByID, ResolvedByIdentifier or ResolvedByName
	// Matched is the name, alias or identifier that matched ("" for an id).
	Matched string
	// Score is 1 for an id or identifier, the screening score for a name.
	Score float64
}

// Candidate is one of the entities an ambiguous reference may name.
type Candidate struct {
	ID      uuid.UUID
	Score   float64
	Matched string // the name, alias or identifier that matched
}

// AmbiguousError says that a reference names more than one entity and
// lists them, best first. It wraps ErrAmbiguous.
type AmbiguousError struct {
	Query      string
	Candidates []Candidate
}

func (e *AmbiguousError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q names %d entities:", e.Query, len(e.Candidates))
	for i, c := range e.Candidates {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, " %q (%.2f)", c.Matched, c.Score)
	}
	return b.String()
}

func (e *AmbiguousError) Unwrap() error { return ErrAmbiguous }

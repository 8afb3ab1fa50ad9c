package graph

import (
	"errors"
	"fmt"
)

// Sentinel errors shared by every package. Check them with errors.Is.
var (
	// ErrNotFound means no entity, relationship or record has the given id.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the caller's input is malformed.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict means a concurrent change got there first; retrying may succeed.
	ErrConflict = errors.New("conflict")
	// ErrAmbiguous means an id names more than one entity.
	ErrAmbiguous = errors.New("ambiguous id")
)

// RefError is an error about one record, which it names by its ref: a
// reader that knows where the record came from (a file and line) can say
// so.
type RefError struct {
	Ref string
	Err error
}

func (e *RefError) Error() string { return fmt.Sprintf("record %q: %v", e.Ref, e.Err) }
func (e *RefError) Unwrap() error { return e.Err }

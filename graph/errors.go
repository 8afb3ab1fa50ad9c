package graph

import "errors"

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

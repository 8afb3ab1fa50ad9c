package graph

// Direction selects relationships by which end an entity is.
type Direction uint8

const (
	Both     Direction = iota // both ends
	Outgoing                  // the entity is the source
	Incoming                  // the entity is the target
)

// RelQuery selects an entity's relationships.
type RelQuery struct {
	Direction Direction
	Kinds     []RelType // empty: all
	Limit     int       // 0: no limit
	// After is a cursor returned by an earlier call: the listing continues
	// after it. Relationships are listed outgoing first, then incoming, each
	// in key order (kind, other end, id).
	After []byte
}

// RelPage is one page of an entity's relationships.
type RelPage struct {
	Relationships []*Relationship
	Cursors       [][]byte // Cursors[i] resumes after Relationships[i]
	More          bool     // more relationships follow the last one
}

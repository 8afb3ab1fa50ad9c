package graph

// Record is what one input record (a line of FtM JSON, a row of a findings
// CSV, an entry of a list) contributes to the graph. A store applies a
// Record as a unit: all of it or none of it. Applying the same Record again
// changes nothing; applying a new version of it replaces what the old version
// contributed.
type Record struct {
	// Ref is the input record's id; a later version or a deletion of the
	// record is matched by it.
	Ref string
	// Delete removes everything the record with Ref contributed.
	Delete bool
	// Entity is the node the record describes, if any.
	Entity *Entity
	// Held is a document held by other entities (an FtM Identification,
	// Passport, Risk or Note, or a relationship record with one end
	// missing): it is shown as a property of each of its holders.
	Held *Entity
	// Holders are the refs of Held's holders.
	Holders []string
	// Relationships are the edges the record states.
	Relationships []Relationship
	// Ensure lists shared nodes the record needs, such as the authority and
	// programme of a designation; they are created if absent and never
	// overwritten.
	Ensure []Entity
	// EnsureRelationships are shared edges (programme-of), likewise.
	EnsureRelationships []Relationship
}

// Outcome is what applying a Record did.
type Outcome uint8

const (
	Unchanged Outcome = iota // the store already held exactly this record
	Added                    // the record was new
	Updated                  // the record replaced an older version
	Deleted                  // the record was removed
	Missing                  // a deletion named a record the store does not hold
	// Kept: the record names an investigator's finding (written through
	// the API), which an ingest never overwrites or deletes.
	Kept
)

func (o Outcome) String() string {
	return [...]string{"unchanged", "added", "updated", "deleted", "missing", "kept"}[o]
}

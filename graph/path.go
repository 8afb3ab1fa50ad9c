package graph

import (
	"slices"

	"github.com/google/uuid"
)

// Limits of path queries; callers may ask for less.
const (
	DefaultMaxHops    = 6
	MaxHopsLimit      = 10
	DefaultPaths      = 3
	MaxPathsLimit     = 20
	DefaultMaxVisited = 2_000_000
	// DefaultNeighbours is how many entities a neighbourhood returns when
	// the query does not say.
	DefaultNeighbours = 100
)

// Truncation reasons reported in PathResult.Limits.
const (
	LimitVisited = "visited-nodes" // the cap on visited entities cut the search
	LimitTimeout = "timeout"       // the deadline cut the search
	LimitHops    = "max-hops"      // maxHops was lowered to MaxHopsLimit
	LimitPaths   = "first"         // first was lowered to MaxPathsLimit
)

// PathLoad says what a path query reads besides the path itself, on the
// same snapshot as the search: what the paths show is what was there when
// they were found, whatever an ingest writes meanwhile.
type PathLoad struct {
	Relationships bool // Step.Relationships
	Entities      bool // PathResult.Entities
}

// PathQuery asks for paths between two entities.
type PathQuery struct {
	From, To  uuid.UUID
	MaxHops   int       // 0: DefaultMaxHops
	K         int       // number of paths; 0: DefaultPaths
	Via       []RelType // relationship kinds to walk; empty: all
	Avoid     []uuid.UUID
	MaxDegree int // entities with more relationships are not passed through; 0: no limit
	AsOf      Day // only relationships valid on that day; 0 with HasAsOf false: any
	HasAsOf   bool
	// MaxVisited caps the entities visited by the whole query;
	// 0: DefaultMaxVisited.
	MaxVisited int
	Load       PathLoad
}

// NearestQuery asks for the designated entities nearest to an entity.
type NearestQuery struct {
	From       uuid.UUID
	MaxHops    int
	K          int
	Authority  string // only designations by this authority ("OFAC", "UN Security Council")
	Programme  string // only designations under this programme ("DPRK3", "1718")
	Via        []RelType
	MaxDegree  int
	AsOf       Day // designations and relationships in force on that day; 0: today
	HasAsOf    bool
	MaxVisited int
	Load       PathLoad
}

// NeighbourhoodQuery asks for the entities around one.
type NeighbourhoodQuery struct {
	From      uuid.UUID
	Hops      int // 0: 1
	Via       []RelType
	MaxNodes  int // entities to return at most; 0: DefaultNeighbours
	MaxDegree int // do not expand hubs with more relationships
}

// StepLink is one kind and direction of relationship between the two
// entities of a step.
type StepLink struct {
	Kind    RelType
	Forward bool // the relationship points from the step's From to its To
}

// Step is one hop of a path: the entities it joins and the relationships
// the search walked between them.
type Step struct {
	From, To uuid.UUID
	// Links lists every kind and direction of relationship between From
	// and To that the query allows, strongest first, forward before
	// backward; Links[0] is the step's relationship.
	Links []StepLink
	// Relationships are the records of those relationships, in the order
	// of Links and then by id, when the query asked for them (PathLoad).
	Relationships []*Relationship
}

// Kind returns the kind of the step's strongest relationship.
func (s *Step) Kind() RelType {
	if len(s.Links) == 0 {
		return RelUnknown
	}
	return s.Links[0].Kind
}

// Forward reports whether the step's strongest relationship points from
// From to To.
func (s *Step) Forward() bool { return len(s.Links) > 0 && s.Links[0].Forward }

// Path is a sequence of entities, each linked to the next.
type Path struct {
	Entities []uuid.UUID // len(Steps)+1 entities, from the query's start
	Steps    []Step
}

// Hops returns the number of steps.
func (p *Path) Hops() int { return len(p.Steps) }

// PathResult is the answer to a path query.
type PathResult struct {
	Paths   []Path
	Visited int      // entities visited
	Limits  []string // the limits that cut the search; empty if none did
	// Entities holds the entities on the paths, read on the search's
	// snapshot, when the query asked for them (PathLoad).
	Entities map[uuid.UUID]*Entity
}

// Truncated reports whether a limit cut the search.
func (r *PathResult) Truncated() bool { return len(r.Limits) > 0 }

// Limit records that a limit cut the search.
func (r *PathResult) Limit(reason string) {
	if !slices.Contains(r.Limits, reason) {
		r.Limits = append(r.Limits, reason)
	}
}

// SortStepLinks puts the links of a step in the order Step.Links has:
// strongest kind first, forward before backward.
func SortStepLinks(links []StepLink) {
	slices.SortFunc(links, func(a, b StepLink) int {
		if a.Kind != b.Kind {
			return a.Kind.Weakness() - b.Kind.Weakness()
		}
		switch {
		case a.Forward == b.Forward:
			return 0
		case a.Forward:
			return -1
		}
		return 1
	})
}

// SearchQuery asks for entities by name.
type SearchQuery struct {
	Text    string
	Schemas []string // only entities of these schemata (or extending them)
	Limit   int      // 0: 10
}

// SearchHit is an entity whose name matches.
type SearchHit struct {
	ID    uuid.UUID
	Score float64 // 1 for a name equal to the query after NameKey; less for partial matches
}

// LinkTriple names the relationships of one kind from one entity to another.
type LinkTriple struct {
	Source uuid.UUID
	Kind   RelType
	Target uuid.UUID
}

// DesignatorInfo names an authority or programme node.
type DesignatorInfo struct {
	Authority string // canonical authority name: "US OFAC"
	Programme string // programme id or name: "NPWMD"; empty for an authority
	Name      string // display name: "US OFAC / NPWMD"
}

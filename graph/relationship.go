package graph

import (
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Relationship is a typed, directed edge: Source <Kind> Target, for example
// "Russian Financial Society opened-accounts-for Dandong Zhongsheng". Props
// holds the FtM properties of the relationship (percentage, sharesCount,
// role, relationship, startDate, endDate, program, listingDate, reason, ...).
type Relationship struct {
	ID        uuid.UUID           `json:"-"`
	Ref       string              `json:"id"`
	Kind      RelType             `json:"kind"`
	Schema    string              `json:"schema,omitempty"` // the FtM schema it came from
	Source    uuid.UUID           `json:"-"`
	Target    uuid.UUID           `json:"-"`
	SourceRef string              `json:"source"` // the source entity's id as the record states it
	TargetRef string              `json:"target"`
	Props     map[string][]string `json:"properties,omitempty"`
	Sources   []Source            `json:"sources,omitempty"`
}

// First returns the first value of property p, or "".
func (r *Relationship) First(p string) string {
	if v := r.Props[p]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// Percentage returns the ownership share in percent, and false when the
// relationship states none or states it in a form that is not a number.
func (r *Relationship) Percentage() (float64, bool) {
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(r.First("percentage")), "%"))
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil || f < 0 || f > 100 {
		return 0, false
	}
	return f, true
}

// StartDate returns the first startDate (or date), "" if none.
func (r *Relationship) StartDate() string {
	if s := r.First("startDate"); s != "" {
		return s
	}
	return r.First("date")
}

// EndDate returns the first endDate, "" if none.
func (r *Relationship) EndDate() string { return r.First("endDate") }

// Role returns the role or relationship text ("Director", "son", ...).
func (r *Relationship) Role() string {
	if s := r.First("role"); s != "" {
		return s
	}
	return r.First("relationship")
}

// Clone returns a deep copy.
func (r *Relationship) Clone() *Relationship {
	c := *r
	c.Props = cloneProps(r.Props)
	c.Sources = append([]Source(nil), r.Sources...)
	return &c
}

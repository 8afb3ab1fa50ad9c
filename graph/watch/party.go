package watch

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
)

// Defaults and bounds of a watchlist's settings.
const (
	DefaultHops     = 3
	MaxHops         = 6
	DefaultMaxHits  = 10
	DefaultMaxPaths = 10
	// MaxPathsLimit is graph.MaxPathsLimit: the nearest designated
	// entities one search returns at most.
	MaxPathsLimit = graph.MaxPathsLimit
	// MaxNameLen bounds a watchlist's name.
	MaxNameLen = 100
	// MaxRefLen bounds a party's ref.
	MaxRefLen = 200
	// MaxAliases bounds the other names of one party.
	MaxAliases = 20
)

// Settings say what is checked for each party of a watchlist.
type Settings struct {
	// Threshold is the least screening score of a hit; 0 is
	// screen.DefaultThreshold.
	Threshold float64 `json:"threshold,omitempty"`
	// Hops bounds the paths to designated entities; 0 is DefaultHops.
	Hops int `json:"hops,omitempty"`
	// Authority, if set, counts only designations by that authority
	// ("US OFAC", "UN Security Council", "EU"): for hits, for the ends of
	// paths and for the 50% rule. Empty counts every authority.
	Authority string `json:"authority,omitempty"`
	// MaxHits and MaxPaths bound the hits and paths kept per party; 0 is
	// DefaultMaxHits, DefaultMaxPaths.
	MaxHits  int `json:"maxHits,omitempty"`
	MaxPaths int `json:"maxPaths,omitempty"`
}

// Normalized returns s with its defaults filled in.
func (s Settings) Normalized() Settings {
	if s.Threshold == 0 {
		s.Threshold = screen.DefaultThreshold
	}
	if s.Hops == 0 {
		s.Hops = DefaultHops
	}
	if s.MaxHits == 0 {
		s.MaxHits = DefaultMaxHits
	}
	if s.MaxPaths == 0 {
		s.MaxPaths = DefaultMaxPaths
	}
	s.Authority = strings.TrimSpace(s.Authority)
	return s
}

// Check returns an error wrapping graph.ErrInvalid that names the field of
// a setting out of its bounds.
func (s Settings) Check() error {
	switch {
	case s.Threshold < 0 || s.Threshold > 1 || math.IsNaN(s.Threshold):
		return fmt.Errorf("%w: threshold: must be between 0 and 1", graph.ErrInvalid)
	case s.Hops < 0 || s.Hops > MaxHops:
		return fmt.Errorf("%w: hops: must be between 1 and %d", graph.ErrInvalid, MaxHops)
	case s.MaxHits < 0 || s.MaxHits > screen.MaxResults:
		return fmt.Errorf("%w: maxHits: must be between 1 and %d", graph.ErrInvalid, screen.MaxResults)
	case s.MaxPaths < 0 || s.MaxPaths > MaxPathsLimit:
		return fmt.Errorf("%w: maxPaths: must be between 1 and %d", graph.ErrInvalid, MaxPathsLimit)
	case len(s.Authority) > 200:
		return fmt.Errorf("%w: authority: longer than 200 bytes", graph.ErrInvalid)
	}
	return nil
}

// Watchlist is a named list of parties and what is checked for them.
type Watchlist struct {
	Name     string    `json:"name"`
	Settings Settings  `json:"settings"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
	// Parties is the number of parties (kept by the store).
	Parties int `json:"parties"`
}

// CheckName returns an error wrapping graph.ErrInvalid if name cannot name
// a watchlist.
func CheckName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("%w: watchlist: a name is required", graph.ErrInvalid)
	case name != strings.TrimSpace(name):
		return fmt.Errorf("%w: watchlist: the name %q starts or ends with a space", graph.ErrInvalid, name)
	case len(name) > MaxNameLen:
		return fmt.Errorf("%w: watchlist: the name is longer than %d bytes", graph.ErrInvalid, MaxNameLen)
	case !utf8.ValidString(name) || strings.ContainsAny(name, "\x00\n\r\t"):
		return fmt.Errorf("%w: watchlist: the name holds a control character or is not UTF-8", graph.ErrInvalid)
	}
	return nil
}

// Party is one of the user's parties in a watchlist: the columns of
// `screen --file` (ref, name, kind, country, birth date, identifiers),
// other names, and optionally the entity of the graph that is this party,
// through which findings tie it into the graph ("our customer X is owned
// by Y": a finding entity for X, a relationship finding from Y to it).
type Party struct {
	// Ref is the user's own reference, unique in the watchlist: a
	// re-import updates the party with the same ref.
	Ref         string   `json:"ref"`
	Name        string   `json:"name,omitempty"`
	Aliases     []string `json:"aliases,omitempty"`
	Kind        string   `json:"kind,omitempty"` // FtM schema: Person, Company, Organization, Vessel, ...
	Country     string   `json:"country,omitempty"`
	BirthDate   string   `json:"birthDate,omitempty"`
	Identifiers []string `json:"identifiers,omitempty"`
	// Entity is an id of the party's own entity in the graph (any id the
	// graph knows it by), or "".
	Entity string `json:"entity,omitempty"`
}

// Check returns an error wrapping graph.ErrInvalid naming the field that
// cannot be screened: each name and the other fields go through
// screen.Prepare, so that a party that imports also evaluates.
func (p *Party) Check() error {
	if strings.TrimSpace(p.Ref) == "" {
		return fmt.Errorf("%w: ref: required (your own reference of the party)", graph.ErrInvalid)
	}
	if len(p.Ref) > MaxRefLen || strings.ContainsRune(p.Ref, 0) || !utf8.ValidString(p.Ref) {
		return fmt.Errorf("%w: ref: longer than %d bytes, or not UTF-8 text", graph.ErrInvalid, MaxRefLen)
	}
	if p.Name == "" && len(p.Identifiers) == 0 {
		return fmt.Errorf("%w: name: required (or an identifier)", graph.ErrInvalid)
	}
	if len(p.Aliases) > MaxAliases {
		return fmt.Errorf("%w: aliases: at most %d", graph.ErrInvalid, MaxAliases)
	}
	for i, q := range p.Queries(Settings{}.Normalized()) {
		if _, err := screen.Prepare(q); err != nil {
			if i > 0 && p.Name != "" {
				return fmt.Errorf("aliases: %q: %w", q.Name, err)
			}
			return err
		}
	}
	if len(p.Entity) > MaxRefLen {
		return fmt.Errorf("%w: entity: longer than %d bytes", graph.ErrInvalid, MaxRefLen)
	}
	return nil
}

// Queries returns the screening queries of the party: one per name.
func (p *Party) Queries(s Settings) []screen.Query {
	base := screen.Query{Schema: p.Kind, Country: p.Country, BirthDate: p.BirthDate, Identifiers: p.Identifiers,
		Threshold: s.Threshold, Limit: s.MaxHits}
	var out []screen.Query
	for _, n := range p.Names() {
		q := base
		q.Name = n
		out = append(out, q)
	}
	if len(out) == 0 {
		out = append(out, base) // identifiers alone
	}
	return out
}

// Names returns the party's name and aliases, without empty or repeated
// ones.
func (p *Party) Names() []string {
	var out []string
	for _, n := range append([]string{p.Name}, p.Aliases...) {
		if n = strings.TrimSpace(n); n != "" && !contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Input returns a fingerprint of what an evaluation of p under s reads
// of the party: a state whose Input differs is stale.
func Input(p *Party, s Settings) string {
	b, _ := json.Marshal(struct {
		P *Party
		S Settings
	}{p, s.Normalized()})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// WatchedParty is a party as a watchlist keeps it: its definition, its
// current state, and the fingerprints of the subjects an analyst
// dismissed.
type WatchedParty struct {
	Watchlist string `json:"watchlist"`
	Party     Party  `json:"party"`
	// Input is the fingerprint of the definition (Input); State.Input
	// differs until the party has been evaluated since its last change.
	Input string `json:"input"`
	State *State `json:"state,omitempty"`
	// Dismissed maps a subject to the fingerprint of the evidence an
	// analyst dismissed.
	Dismissed map[string]string `json:"dismissed,omitempty"`
	Added     time.Time         `json:"added"`
	Updated   time.Time         `json:"updated"`
}

// Pending reports whether the party awaits its first evaluation, or one
// after a change of its definition.
func (w *WatchedParty) Pending() bool { return w.State == nil || w.State.Input != w.Input }

// ImportReport says what an import did to a watchlist.
type ImportReport struct {
	Watchlist string   `json:"watchlist"`
	Added     int      `json:"added"`
	Changed   int      `json:"changed"`
	Removed   int      `json:"removed"`
	Unchanged int      `json:"unchanged"`
	Parties   int      `json:"parties"`
	AddedRefs []string `json:"addedRefs,omitempty"`
	// ChangedRefs and RemovedRefs name the parties changed and removed
	// (at most the first 1000 of each).
	ChangedRefs []string `json:"changedRefs,omitempty"`
	RemovedRefs []string `json:"removedRefs,omitempty"`
	// SettingsChanged: the watchlist's settings changed, so every party is
	// evaluated again.
	SettingsChanged bool `json:"settingsChanged,omitempty"`
}

// MaxReportRefs bounds the refs an ImportReport lists per outcome.
const MaxReportRefs = 1000

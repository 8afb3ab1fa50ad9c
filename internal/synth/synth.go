// Package synth generates synthetic sanctions networks as FollowTheMoney
// JSON lines, for benchmarks: heavy-tailed ownership, hub nodes with tens of
// thousands of links (nominee directors, registered-agent addresses),
// ownership chains 3-8 deep, cross-ownership cycles, many small components,
// and about 1% of entities designated.
//
// The output is deterministic for a given Config.
package synth

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

// Config sizes a network.
type Config struct {
	Entities int    // number of entities (persons, companies, ...)
	Seed     uint64 // random seed
	// Hubs is the number of hub entities with 10k-60k links each (scaled
	// down for small networks). 0 picks one per 200k entities, at least 1.
	Hubs int
}

// Stats describes a generated network.
type Stats struct {
	Records       int            `json:"records"`
	Entities      int            `json:"entities"`
	Relationships int            `json:"relationships"`
	Sanctions     int            `json:"sanctions"`
	BySchema      map[string]int `json:"bySchema"`
	HubLinks      []int          `json:"hubLinks"`
	Chains        int            `json:"chains"`
	Designated    []string       `json:"-"` // ids of designated entities
}

// EntityID returns the id of entity i.
func EntityID(i int) string { return "syn-" + strconv.Itoa(i) }

type gen struct {
	w     *bufio.Writer
	r     *rand.Rand
	n     int
	st    Stats
	relNo int
	buf   []byte
}

type ftm struct {
	ID         string              `json:"id"`
	Schema     string              `json:"schema"`
	Properties map[string][]string `json:"properties"`
	Datasets   []string            `json:"datasets"`
}

func (g *gen) emit(e ftm) error {
	e.Datasets = []string{"synthetic"}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	g.st.Records++
	g.st.BySchema[e.Schema]++
	g.w.Write(b)
	return g.w.WriteByte('\n')
}

// schemaOf fixes each entity's schema from its number.
func schemaOf(i int) string {
	switch m := i % 100; {
	case m < 62:
		return "Company"
	case m < 92:
		return "Person"
	case m < 97:
		return "Organization"
	default:
		return "Vessel"
	}
}

// Generate writes a network of cfg.Entities entities to w.
func Generate(w io.Writer, cfg Config) (*Stats, error) {
	if cfg.Entities < 100 {
		return nil, fmt.Errorf("synth: need at least 100 entities, got %d", cfg.Entities)
	}
	g := &gen{w: bufio.NewWriterSize(w, 1<<20), r: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)), n: cfg.Entities}
	g.st.BySchema = map[string]int{}
	hubs := cfg.Hubs
	if hubs == 0 {
		hubs = max(1, cfg.Entities/200_000)
	}
	// Entities. Hubs are the first persons (nominee directors) and the first
	// addresses (registered agents), written below.
	nAddr := max(hubs, cfg.Entities/1000)
	for i := 0; i < cfg.Entities; i++ {
		s := schemaOf(i)
		props := map[string][]string{"name": {name(g.r, s, i)}}
		switch s {
		case "Company", "Organization":
			props["country"] = []string{countries[g.r.IntN(len(countries))]}
			props["registrationNumber"] = []string{fmt.Sprintf("R%08d", i)}
			if g.r.IntN(3) == 0 {
				// About a third name a registered address; the first
				// addresses are registered-agent hubs.
				a := g.addressFor()
				props["addressEntity"] = []string{"syn-addr-" + strconv.Itoa(a)}
			}
		case "Person":
			props["nationality"] = []string{countries[g.r.IntN(len(countries))]}
			props["birthDate"] = []string{fmt.Sprintf("%d-%02d-%02d", 1940+g.r.IntN(60), 1+g.r.IntN(12), 1+g.r.IntN(28))}
		case "Vessel":
			props["imoNumber"] = []string{strconv.Itoa(9000000 + i%999999)}
			props["flag"] = []string{countries[g.r.IntN(len(countries))]}
		}
		if g.r.IntN(4) == 0 {
			props["alias"] = []string{name(g.r, s, i+7)}
		}
		if err := g.emit(ftm{ID: EntityID(i), Schema: s, Properties: props}); err != nil {
			return nil, err
		}
		g.st.Entities++
	}
	for a := 0; a < nAddr; a++ {
		g.emit(ftm{ID: "syn-addr-" + strconv.Itoa(a), Schema: "Address", Properties: map[string][]string{
			"full": {fmt.Sprintf("%d Agent Street, Suite %d, %s", 1+a%500, a, cities[a%len(cities)])}}})
		g.st.Entities++
	}

	// Most entities live in small components (2-20 entities) linked only
	// among themselves; the rest form one interconnected core.
	core := cfg.Entities * 2 / 5
	// Hub persons: nominee directors of 10k-60k companies of the core.
	hubPersons := []int{}
	for i := 0; len(hubPersons) < hubs && i < cfg.Entities; i++ {
		if schemaOf(i) == "Person" {
			hubPersons = append(hubPersons, i)
		}
	}
	for _, h := range hubPersons {
		links := 10_000 + g.r.IntN(50_001)
		links = min(links, core/4)
		for k := 0; k < links; k++ {
			c := g.company(0, core)
			g.rel("Directorship", "director", EntityID(h), "organization", EntityID(c), map[string][]string{"role": {"Nominee director"}})
		}
		g.st.HubLinks = append(g.st.HubLinks, links)
	}
	// Heavy-tailed ownership in the core: owners drawn from a Zipf
	// distribution, so a few own thousands and most own one.
	zipf := rand.NewZipf(g.r, 1.3, 8, uint64(core-1))
	perm := g.r.Perm(core)
	for k := 0; k < core*6/5; k++ {
		owner := perm[zipf.Uint64()]
		asset := g.company(0, core)
		if owner == asset {
			continue
		}
		g.own(owner, asset)
	}
	// Ownership chains 3-8 deep, some closed into cross-ownership cycles.
	for k := 0; k < core/50; k++ {
		depth := 3 + g.r.IntN(6)
		prev := g.company(0, core)
		first := prev
		for d := 0; d < depth; d++ {
			next := g.company(0, core)
			if next != prev {
				g.own(prev, next)
			}
			prev = next
		}
		if g.r.IntN(5) == 0 && prev != first {
			g.own(prev, first) // cycle
		}
		g.st.Chains++
	}
	// Other links in the core.
	for k := 0; k < core/4; k++ {
		a, b := g.r.IntN(core), g.r.IntN(core)
		if a != b {
			g.link(a, b)
		}
	}
	// Small components.
	for start := core; start < cfg.Entities; {
		size := 2 + g.r.IntN(19)
		end := min(start+size, cfg.Entities)
		for i := start + 1; i < end; i++ {
			j := start + g.r.IntN(i-start)
			switch {
			case schemaOf(j) != "Person" && schemaOf(i) != "Person" && g.r.IntN(3) > 0:
				g.own(j, i)
			case schemaOf(i) == "Person" && schemaOf(j) != "Person":
				g.rel("Directorship", "director", EntityID(i), "organization", EntityID(j), map[string][]string{"role": {"Director"}})
			case schemaOf(i) == "Person" && schemaOf(j) == "Person":
				g.rel("Family", "person", EntityID(i), "relative", EntityID(j), map[string][]string{"relationship": {"sibling"}})
			default:
				g.own(j, i)
			}
			if g.r.IntN(6) == 0 { // a second link closes a loop inside the component
				g.link(i, start+g.r.IntN(i-start))
			}
		}
		start = end
	}
	// About 1% of entities are designated, some by several programmes.
	for i := 0; i < cfg.Entities; i++ {
		if g.r.IntN(100) != 0 {
			continue
		}
		g.st.Designated = append(g.st.Designated, EntityID(i))
		for s := 0; s < 1+g.r.IntN(2); s++ {
			p := programmes[g.r.IntN(len(programmes))]
			g.st.Sanctions++
			g.relNo++
			if err := g.emit(ftm{ID: "syn-s-" + strconv.Itoa(g.relNo), Schema: "Sanction", Properties: map[string][]string{
				"entity": {EntityID(i)}, "authority": {p[0]}, "program": {p[1]},
				"listingDate": {fmt.Sprintf("%d-%02d-%02d", 2005+g.r.IntN(20), 1+g.r.IntN(12), 1+g.r.IntN(28))},
			}}); err != nil {
				return nil, err
			}
		}
	}
	if err := g.w.Flush(); err != nil {
		return nil, err
	}
	return &g.st, nil
}

func (g *gen) addressFor() int {
	n := max(1, g.n/1000)
	if g.r.IntN(4) == 0 {
		return g.r.IntN(min(n, 5)) // registered-agent hubs
	}
	return g.r.IntN(n)
}

// company returns a company or organisation in [lo, hi).
func (g *gen) company(lo, hi int) int {
	for {
		i := lo + g.r.IntN(hi-lo)
		if s := schemaOf(i); s == "Company" || s == "Organization" {
			return i
		}
	}
}

func (g *gen) own(owner, asset int) {
	pct := strconv.Itoa(1 + g.r.IntN(100))
	props := map[string][]string{"percentage": {pct}}
	if g.r.IntN(10) == 0 {
		delete(props, "percentage") // unknown share
	}
	if g.r.IntN(8) == 0 {
		props["startDate"] = []string{fmt.Sprintf("%d-01-01", 2000+g.r.IntN(20))}
		props["endDate"] = []string{fmt.Sprintf("%d-12-31", 2020+g.r.IntN(5))}
	}
	g.rel("Ownership", "owner", EntityID(owner), "asset", EntityID(asset), props)
}

func (g *gen) link(a, b int) {
	roles := []string{"business associate", "opened accounts for", "Linked To", "shares an office with"}
	g.rel("UnknownLink", "subject", EntityID(a), "object", EntityID(b), map[string][]string{"role": {roles[g.r.IntN(len(roles))]}})
}

func (g *gen) rel(schema, srcProp, src, dstProp, dst string, props map[string][]string) {
	g.relNo++
	props[srcProp] = []string{src}
	props[dstProp] = []string{dst}
	g.emit(ftm{ID: "syn-r-" + strconv.Itoa(g.relNo), Schema: schema, Properties: props})
	g.st.Relationships++
}

var countries = []string{"ru", "cn", "kp", "ir", "ae", "cy", "vg", "hk", "sg", "tr", "gb", "de", "us", "pa", "ky"}
var cities = []string{"Road Town", "Limassol", "Dubai", "Hong Kong", "Panama City", "Singapore", "London"}
var programmes = [][2]string{
	{"OFAC", "SDGT"}, {"OFAC", "NPWMD"}, {"OFAC", "RUSSIA-EO14024"}, {"OFAC", "DPRK3"}, {"OFAC", "IRAN"},
	{"UN Security Council", "1718 Committee"}, {"UN Security Council", "1267 Committee"},
	{"Council of the European Union", "EU-RUS"}, {"Council of the European Union", "EU-PRK"},
	{"HM Treasury", "Russia"},
}

var syllables = []string{"ka", "lo", "mi", "ran", "tor", "vel", "zun", "bek", "dor", "ish", "nov", "ser", "gal", "hu", "pet", "ro", "vin", "yar", "zhe", "mont"}
var companyWords = []string{"Trading", "Holdings", "Shipping", "Industrial", "Capital", "Logistics", "Energy", "Resources", "Investment", "Group"}
var legal = []string{"LLC", "Ltd", "Co., Ltd.", "JSC", "Limited", "GmbH", "S.A.", "FZE"}

func word(r *rand.Rand) string {
	n := 2 + r.IntN(2)
	b := make([]byte, 0, 12)
	for i := 0; i < n; i++ {
		b = append(b, syllables[r.IntN(len(syllables))]...)
	}
	b[0] -= 'a' - 'A'
	return string(b)
}

func name(r *rand.Rand, schema string, i int) string {
	switch schema {
	case "Person":
		return word(r) + " " + word(r)
	case "Vessel":
		return "MV " + word(r)
	}
	return fmt.Sprintf("%s %s %s", word(r), companyWords[r.IntN(len(companyWords))], legal[r.IntN(len(legal))])
}

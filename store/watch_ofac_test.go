package store_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
)

// The acceptance test of ongoing screening (issue 14) on two real versions
// of the OFAC SDN list: July 2021 (watchman's bench set) and May 2024. A
// watchlist of a few thousand parties is built from names of both versions
// and from innocent names; the 2021 list is ingested and checked, then the
// 2024 list: the alerts must equal the differences computed here from the
// two sets of CSV files alone (encoding/csv, not the product's parser).
//
// What the oracle computes, per party, in each version:
//   - hits: the entries with a name or alias (not a weak one) equal to the
//     party's name (letters and digits, case folded), of the party's kind;
//     an entry the 2024 file lacks keeps its 2021 names (it is delisted,
//     not deleted), designated only in a version whose file has it;
//   - paths: the designated entries within 3 hops of a hit, over the
//     "Linked To" and vessel-owner links of the remarks (resolved by name
//     within the same file, as OFAC states them), the links of a delisted
//     entry staying as 2021 stated them; a designated hit is not a path.
//
// The expected alerts are the differences: a designated hit that is new
// (new-hit), gone (hit-gone), or whose names or programmes changed
// (hit-changed); a designated entry newly within 3 hops (new-path) or no
// longer (path-broken), and a path whose length changed (path-changed; one
// of the same length whose route changed is allowed when its old route
// uses a link the 2024 files lack or its new one a link the 2021 files
// lack).
//
// Where the oracle does not model the matcher, it says so rather than
// guess: the parties from list entries are chosen among names that share
// fewer than half their words with any other entry's name (so that only
// exact equality decides a hit), and for the 60 entries OFAC renamed the
// party with the old name must get one alert about the entry, hit-changed
// or hit-gone (whether the old name still matches the new one is the
// matcher's call), the party with the new name new-hit or hit-changed.

// ofacEntry is one SDN entry as the CSV files state it.
type ofacEntry struct {
	num, name, kind string
	programs        []string
	names           []string // name and strong aliases
	linkNames       []string // "Linked To" and vessel owner names
}

// readOFACSet reads sdn.csv, alt.csv and, if present, sdn_comments.csv of
// one version.
func readOFACSet(tb testing.TB, dir string) map[string]*ofacEntry {
	tb.Helper()
	clean := func(v string) string {
		v = strings.TrimSpace(strings.ReplaceAll(v, "\u00a0", " "))
		if v == "-0-" {
			return ""
		}
		return v
	}
	rows := func(name string, cols int, fn func(r []string)) {
		f, err := os.Open(filepath.Join(dir, name))
		if os.IsNotExist(err) && name == "sdn_comments.csv" {
			return
		}
		if err != nil {
			tb.Fatal(err)
		}
		defer f.Close()
		r := csv.NewReader(f)
		r.FieldsPerRecord = -1
		r.LazyQuotes = true
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				tb.Fatalf("%s: %v", name, err)
			}
			if len(rec) >= cols {
				fn(rec)
			}
		}
	}
	out := map[string]*ofacEntry{}
	remarks := map[string]string{}
	rows("sdn.csv", 12, func(r []string) {
		num := strings.TrimSpace(r[0])
		if num == "" || strings.Trim(num, "0123456789") != "" {
			return
		}
		e := &ofacEntry{num: num, name: clean(r[1])}
		switch strings.ToLower(clean(r[2])) {
		case "individual":
			e.kind = "Person"
		case "vessel":
			e.kind = "Vessel"
		case "aircraft":
			e.kind = "Airplane"
		default:
			e.kind = "Organization"
		}
		for _, p := range strings.Split(clean(r[3]), "] [") {
			if p = strings.Trim(strings.TrimSpace(p), "[]"); p != "" {
				e.programs = append(e.programs, p)
			}
		}
		slices.Sort(e.programs)
		e.programs = slices.Compact(e.programs)
		e.names = []string{e.name}
		if o := clean(r[10]); o != "" {
			e.linkNames = append(e.linkNames, o)
		}
		remarks[num] = clean(r[11])
		out[num] = e
	})
	rows("sdn_comments.csv", 2, func(r []string) {
		if _, ok := out[strings.TrimSpace(r[0])]; ok {
			remarks[strings.TrimSpace(r[0])] += r[1]
		}
	})
	rows("alt.csv", 5, func(r []string) {
		e := out[strings.TrimSpace(r[0])]
		rem := strings.ToLower(clean(r[4]))
		if e == nil || clean(r[3]) == "" || strings.Contains(rem, "weak") || strings.Contains(rem, "low quality") {
			return
		}
		e.names = append(e.names, clean(r[3]))
	})
	linked := regexp.MustCompile(`(?i)^linked to:?\s*(.*)$`)
	for num, e := range out {
		slices.Sort(e.names)
		e.names = slices.Compact(e.names)
		for _, item := range splitOutsideParens(remarks[num]) {
			if m := linked.FindStringSubmatch(item); m != nil {
				e.linkNames = append(e.linkNames, strings.TrimSpace(strings.TrimRight(strings.TrimSpace(m[1]), ".")))
			}
		}
	}
	if len(out) < 5000 {
		tb.Fatalf("%s: read %d entries, want thousands", dir, len(out))
	}
	return out
}

func splitOutsideParens(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth = max(0, depth-1)
		case ';':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}

// alnumKey folds a name to its lower-case letters and digits.
func alnumKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) >= 3 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// resolveOFACLinks resolves the link names of a version's entries among
// its own names: the primary names first (as written, then letters and
// digits only), then the aliases; a name several entries have is left
// out, as is a link to the entry itself.
func resolveOFACLinks(es map[string]*ofacEntry) map[string][]string {
	type table map[string][]string
	tabs := make([]table, 4)
	for i := range tabs {
		tabs[i] = table{}
	}
	exact := func(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
	keys := []func(string) string{exact, alnumKey}
	for num, e := range es {
		for _, n := range e.names {
			lvl := 2
			if n == e.name {
				lvl = 0
			}
			for j, k := range keys {
				if !slices.Contains(tabs[lvl+j][k(n)], num) {
					tabs[lvl+j][k(n)] = append(tabs[lvl+j][k(n)], num)
				}
			}
		}
	}
	out := map[string][]string{}
	for num, e := range es {
		for _, ln := range e.linkNames {
			for i, t := range tabs {
				if refs := t[keys[i%2](ln)]; len(refs) > 0 {
					if len(refs) == 1 && refs[0] != num && !slices.Contains(out[num], refs[0]) {
						out[num] = append(out[num], refs[0])
					}
					break
				}
			}
		}
	}
	return out
}

// ofacVersion is the oracle's view of the store after ingesting a version:
// every entry ever ingested with its current names, which are designated,
// and the links between them (undirected).
type ofacVersion struct {
	entries    map[string]*ofacEntry
	designated map[string]bool
	adj        map[string][]string
	byName     map[string][]string // alnumKey of a name -> entries
	ownLinks   map[string][]string // the links each entry's own record states
}

func newOFACVersion(cur map[string]*ofacEntry, prev *ofacVersion) *ofacVersion {
	v := &ofacVersion{entries: map[string]*ofacEntry{}, designated: map[string]bool{}, adj: map[string][]string{}, byName: map[string][]string{}}
	links := resolveOFACLinks(cur)
	addLinks := func(from string, to []string) {
		for _, t := range to {
			v.adj[from] = append(v.adj[from], t)
			v.adj[t] = append(v.adj[t], from)
		}
	}
	for num, e := range cur {
		v.entries[num] = e
		v.designated[num] = len(e.programs) > 0
		addLinks(num, links[num])
	}
	v.ownLinks = links
	if prev != nil {
		// Delisted: still there, with their names and their own links.
		for num, e := range prev.entries {
			if _, ok := cur[num]; ok {
				continue
			}
			v.entries[num] = e
			v.ownLinks[num] = prev.ownLinks[num]
			addLinks(num, prev.ownLinks[num])
		}
	}
	for num, e := range v.entries {
		for _, n := range e.names {
			k := alnumKey(n)
			if !slices.Contains(v.byName[k], num) {
				v.byName[k] = append(v.byName[k], num)
			}
		}
	}
	for k, l := range v.adj {
		slices.Sort(l)
		v.adj[k] = slices.Compact(l)
	}
	return v
}

// hits returns the entries a party's name matches exactly, of its kind.
func (v *ofacVersion) hits(name, kind string) []string {
	var out []string
	for _, num := range v.byName[alnumKey(name)] {
		if v.entries[num].kind == kind {
			out = append(out, num)
		}
	}
	slices.Sort(out)
	return out
}

// within returns the distance of every entry within hops of from.
func (v *ofacVersion) within(from string, hops int) map[string]int {
	dist := map[string]int{from: 0}
	level := []string{from}
	for d := 1; d <= hops; d++ {
		var next []string
		for _, u := range level {
			for _, w := range v.adj[u] {
				if _, ok := dist[w]; !ok {
					dist[w] = d
					next = append(next, w)
				}
			}
		}
		level = next
	}
	return dist
}

func (v *ofacVersion) linked(a, b string) bool { return slices.Contains(v.adj[a], b) }

// partyView is what the oracle expects of one party in one version.
type partyView struct {
	subjects map[string]bool // designated hits
	anchors  []string        // all hits
	targets  map[string]int  // designated entries within 3 hops, not hits: distance
	crowded  bool            // a hit has too many designated entries near it to be sure of the product's cut
}

// oracleHops and oracleMaxPaths are the watchlist's settings; a party is
// left out when one of its hits has so many designated entries within the
// hops (crowdedAt) that the product's search, which returns the nearest
// graph.MaxPathsLimit, would cut them.
const oracleHops, oracleMaxPaths, crowdedAt = 3, 20, 18

func (v *ofacVersion) view(p watch.Party, force string) partyView {
	pv := partyView{subjects: map[string]bool{}, targets: map[string]int{}}
	pv.anchors = v.hits(p.Name, p.Kind)
	if force != "" && !slices.Contains(pv.anchors, force) {
		pv.anchors = append(pv.anchors, force)
	}
	for _, h := range pv.anchors {
		if v.designated[h] {
			pv.subjects[h] = true
		}
	}
	for _, a := range pv.anchors {
		n := 0
		for t, d := range v.within(a, oracleHops) {
			if d == 0 || !v.designated[t] {
				continue
			}
			n++
			if pv.subjects[t] {
				continue
			}
			if old, ok := pv.targets[t]; !ok || d < old {
				pv.targets[t] = d
			}
		}
		if n >= crowdedAt {
			pv.crowded = true
		}
	}
	return pv
}

// expectation is one alert the oracle expects: kinds lists what it may
// be (one kind, but for renamed entries and routes changed at equal
// length, see above); optional ones may be missing.
type expectation struct {
	kinds    []string
	optional bool
}

type alertKey struct{ party, subject string }

// expected returns the alerts of a party whose views in the two versions
// are va and vb.
func expected(p watch.Party, a, b *ofacVersion, va, vb partyView) map[alertKey]expectation {
	out := map[alertKey]expectation{}
	for s := range vb.subjects {
		k := alertKey{p.Ref, s}
		switch {
		case !va.subjects[s]:
			out[k] = expectation{kinds: []string{watch.NewHit}}
		case !slices.Equal(a.entries[s].names, b.entries[s].names) || !slices.Equal(a.entries[s].programs, b.entries[s].programs):
			out[k] = expectation{kinds: []string{watch.HitChanged}}
		}
	}
	for s := range va.subjects {
		if !vb.subjects[s] {
			out[alertKey{p.Ref, s}] = expectation{kinds: []string{watch.HitGone}}
		}
	}
	for t, d := range vb.targets {
		k := alertKey{p.Ref, "path:" + t}
		switch old, ok := va.targets[t]; {
		case !ok:
			out[k] = expectation{kinds: []string{watch.NewPath}}
		case old != d:
			out[k] = expectation{kinds: []string{watch.PathChanged}}
		default:
			out[k] = expectation{kinds: []string{watch.PathChanged}, optional: true}
		}
	}
	for t := range va.targets {
		if _, ok := vb.targets[t]; !ok {
			out[alertKey{p.Ref, "path:" + t}] = expectation{kinds: []string{watch.PathBroken}}
		}
	}
	return out
}

// either merges the expectations of two hypotheses: an alert either
// expects is allowed, and required only if both do.
func either(x, y map[alertKey]expectation) map[alertKey]expectation {
	out := map[alertKey]expectation{}
	for k, e := range x {
		f, ok := y[k]
		if !ok {
			e.optional = true
		} else {
			e.optional = e.optional || f.optional
			for _, kd := range f.kinds {
				if !slices.Contains(e.kinds, kd) {
					e.kinds = append(e.kinds, kd)
				}
			}
		}
		out[k] = e
	}
	for k, f := range y {
		if _, ok := x[k]; !ok {
			f.optional = true
			out[k] = f
		}
	}
	return out
}

// routeIn reports whether every step of a path is a link of version v.
func routeIn(v *ofacVersion, p *watch.PathEvidence) bool {
	for _, s := range p.Steps {
		if !v.linked(strings.TrimPrefix(s.From.Ref, "ofac:"), strings.TrimPrefix(s.To.Ref, "ofac:")) {
			return false
		}
	}
	return true
}

// wordIndex finds the entries with a word like a given one: equal, a few
// letters off (an edit distance of 1 for words of 4 letters, 2 from 6,
// a quarter of the letters from 12, whatever letters differ, the first
// too), or one the start of the other
// (from 4 letters): what a fuzzy matcher could take for the same word.
//
// Candidates come from the letter pairs (bigrams) the words share: two
// words within an edit distance k share at least max(len)-1-2k bigrams
// (the q-gram lemma), so a word sharing fewer cannot be that close and
// no close word is missed.
type wordIndex struct {
	entries map[string][]string // word -> entries with it in a name
	sorted  []string            // the words, sorted (for prefixes)
	bigrams map[string][]int    // bigram -> index in sorted of the words with it
	memo    map[string]map[string]bool
}

func newWordIndex(sets ...map[string]*ofacEntry) *wordIndex {
	x := &wordIndex{entries: map[string][]string{}, bigrams: map[string][]int{}, memo: map[string]map[string]bool{}}
	for _, es := range sets {
		for num, e := range es {
			for _, n := range e.names {
				for _, w := range words(n) {
					if !slices.Contains(x.entries[w], num) {
						x.entries[w] = append(x.entries[w], num)
					}
				}
			}
		}
	}
	for w := range x.entries {
		x.sorted = append(x.sorted, w)
	}
	slices.Sort(x.sorted)
	for i, w := range x.sorted {
		for _, g := range bigramsOf(w) {
			x.bigrams[g] = append(x.bigrams[g], i)
		}
	}
	return x
}

// bigramsOf returns the distinct letter pairs of w.
func bigramsOf(w string) []string {
	r := []rune(w)
	var out []string
	for i := 0; i+1 < len(r); i++ {
		if g := string(r[i : i+2]); !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// like returns the entries with a word like w.
func (x *wordIndex) like(w string) map[string]bool {
	if m, ok := x.memo[w]; ok {
		return m
	}
	out := map[string]bool{}
	add := func(v string) {
		for _, num := range x.entries[v] {
			out[num] = true
		}
	}
	add(w)
	maxDist := 0
	switch {
	case len(w) >= 12:
		// Long words: a similarity measure (Jaro-Winkler) forgives a
		// quarter of the letters (sevmorneftegeofizika, samaraneftegeofizika).
		maxDist = len(w) / 4
	case len(w) >= 6:
		maxDist = 2
	case len(w) >= 4:
		maxDist = 1
	}
	if maxDist > 0 {
		// Every pair of w counted, repeats too: shared is then at least
		// the number the lemma counts.
		shared := map[int]int{}
		r := []rune(w)
		for j := 0; j+1 < len(r); j++ {
			g := string(r[j : j+2])
			for _, i := range x.bigrams[g] {
				shared[i]++
			}
		}
		for i, n := range shared {
			v := x.sorted[i]
			if len(v) < len(w)-maxDist || len(v) > len(w)+maxDist || n < max(len(w), len(v))-1-2*maxDist {
				continue
			}
			if editDistance(w, v) <= maxDist {
				add(v)
			}
		}
	}
	if len(w) >= 4 {
		for i, _ := slices.BinarySearch(x.sorted, w); i < len(x.sorted) && strings.HasPrefix(x.sorted[i], w); i++ {
			add(x.sorted[i])
		}
		for n := 4; n < len(w); n++ {
			add(w[:n])
		}
	}
	x.memo[w] = out
	return out
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// distinctive reports whether a name has fewer than half its words like
// words of any other entry's names (of either version): then no fuzzy
// matcher should take it for another entry.
func distinctive(name, self string, x *wordIndex) bool {
	ws := words(name)
	if len(ws) == 0 {
		return false
	}
	need := (len(ws) + 1) / 2
	count := map[string]int{}
	for _, w := range ws {
		for num := range x.like(w) {
			if num == self {
				continue
			}
			if count[num]++; count[num] >= need {
				return false
			}
		}
	}
	return true
}

func TestWatchOFAC2021To2024(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests two versions of the OFAC list and screens thousands of parties")
	}
	ctx := context.Background()
	dir21 := filepath.Dir(graphtest.SharedData(t, "watchman/ofac-2021-07-bench/sdn.csv"))
	graphtest.SharedData(t, "watchman/ofac-2021-07-bench/alt.csv")
	dir24 := filepath.Dir(graphtest.SharedData(t, "ofac/sdn.csv"))
	graphtest.SharedData(t, "ofac/alt.csv")
	negatives := graphtest.SharedData(t, "opensanctions/name-matching/yente_negatives_us_a.csv")
	e21, e24 := readOFACSet(t, dir21), readOFACSet(t, dir24)
	v21 := newOFACVersion(e21, nil)
	v24 := newOFACVersion(e24, v21)

	// The parties. Sizes are cut under the race detector (ten times slower).
	scale := 1
	if raceEnabled {
		scale = 4
	}
	wordsOf := newWordIndex(e21, e24)
	rng := rand.New(rand.NewPCG(14, 2024))
	var parties []watch.Party
	type origin struct{ renamedOld, renamedNew bool }
	origins := map[string]origin{}
	pick := func(prefix string, nums []string, name func(string) string, n int) {
		slices.Sort(nums)
		rng.Shuffle(len(nums), func(i, j int) { nums[i], nums[j] = nums[j], nums[i] })
		got := 0
		for _, num := range nums {
			if got == n {
				break
			}
			nm := name(num)
			e := e24[num]
			if e == nil {
				e = e21[num]
			}
			if !distinctive(nm, num, wordsOf) {
				continue
			}
			p := watch.Party{Ref: prefix + num, Name: nm, Kind: e.kind}
			if v21.view(p, num).crowded || v24.view(p, num).crowded {
				continue
			}
			parties = append(parties, p)
			got++
		}
	}
	var added, removed, renamed, linksAdded, same []string
	l21, l24 := resolveOFACLinks(e21), resolveOFACLinks(e24)
	for num, e := range e24 {
		old, ok := e21[num]
		switch {
		case !ok:
			added = append(added, num)
		case old.name != e.name:
			renamed = append(renamed, num)
		case len(l24[num]) > 0 && !subset(l24[num], l21[num]):
			linksAdded = append(linksAdded, num)
		case slices.Equal(old.names, e.names) && slices.Equal(old.programs, e.programs):
			same = append(same, num)
		}
	}
	for num := range e21 {
		if _, ok := e24[num]; !ok {
			removed = append(removed, num)
		}
	}
	pick("add-", added, func(n string) string { return e24[n].name }, 700/scale)
	pick("rem-", removed, func(n string) string { return e21[n].name }, 500/scale)
	pick("link-", linksAdded, func(n string) string { return e24[n].name }, 500/scale)
	pick("same-", same, func(n string) string { return e24[n].name }, 400/scale)
	for _, num := range renamed {
		for _, side := range []string{"old", "new"} {
			n := len(parties)
			if side == "old" {
				pick("ren-old-", []string{num}, func(n string) string { return e21[n].name }, 1)
			} else {
				pick("ren-new-", []string{num}, func(n string) string { return e24[n].name }, 1)
			}
			if len(parties) > n {
				origins[parties[n].Ref] = origin{renamedOld: side == "old", renamedNew: side == "new"}
			}
		}
	}
	listParties := len(parties)
	innocents := readNegatives(t, negatives, 2000/scale)
	parties = append(parties, innocents...)
	t.Logf("entries: 2021 %d, 2024 %d; added %d, removed %d, renamed %d, links added %d, unchanged %d", len(e21), len(e24), len(added), len(removed), len(renamed), len(linksAdded), len(same))
	t.Logf("watchlist: %d parties from list names (distinctive ones), %d innocent names with birth date and nationality", listParties, len(innocents))

	st := storetest.Open(t, store.Options{Index: true})
	ingestVersion := func(dir, date string) {
		storetest.Load(t, st, func(ctx context.Context, run *store.Run) error {
			_, err := ingest.File(ctx, filepath.Join(dir, "sdn.csv"), run, ingest.Options{ListDate: date})
			return err
		})
	}
	ingestVersion(dir21, "2021-07-07")
	set := &watch.Settings{MaxPaths: oracleMaxPaths}
	if _, err := st.ImportWatchlist(ctx, "acceptance", set, parties); err != nil {
		t.Fatal(err)
	}
	rep, first := watchUpdate(t, st, store.WatchOptions{})
	t.Logf("first check on the 2021 list: %d parties evaluated, %d alerts, %s", rep.Evaluated, len(first), rep.Took)
	last := uint64(0)
	for _, a := range first {
		last = max(last, a.ID)
		if strings.HasPrefix(a.Party, "inno-") {
			t.Errorf("innocent party %s %q raised %s: %s", a.Party, a.PartyName, a.Kind, a.Reason)
		}
	}

	ingestVersion(dir24, "2024-05-03")
	rep, alerts := watchUpdate(t, st, store.WatchOptions{})
	t.Logf("check after the 2024 list: %+v", rep)
	want := map[alertKey]expectation{}
	for _, p := range parties {
		exp := expected(p, v21, v24, v21.view(p, ""), v24.view(p, ""))
		// A renamed entry: whether the old name still matches in 2024, or
		// the new one already in 2021, is the matcher's call; either is
		// right, and the paths from the entry follow.
		if o := origins[p.Ref]; o.renamedOld {
			num := strings.TrimPrefix(p.Ref, "ren-old-")
			exp = either(exp, expected(p, v21, v24, v21.view(p, ""), v24.view(p, num)))
		} else if o.renamedNew {
			num := strings.TrimPrefix(p.Ref, "ren-new-")
			exp = either(exp, expected(p, v21, v24, v21.view(p, num), v24.view(p, "")))
		}
		for k, e := range exp {
			want[k] = e
		}
	}
	got := map[alertKey][]watch.Alert{}
	byKind := map[string]int{}
	for _, a := range alerts {
		if a.ID <= last {
			t.Errorf("alert %d is not newer than the first check's", a.ID)
		}
		k := alertKey{party: a.Party}
		switch ev := pick2(a.After, a.Before); {
		case ev.Hit != nil:
			k.subject = strings.TrimPrefix(ev.Hit.Entity.Ref, "ofac:")
		case ev.Path != nil:
			k.subject = "path:" + strings.TrimPrefix(ev.Path.Target.Ref, "ofac:")
		default:
			k.subject = a.Subject
		}
		got[k] = append(got[k], a)
		byKind[a.Kind]++
		if strings.HasPrefix(a.Party, "inno-") {
			t.Errorf("innocent party %s %q raised %s: %s", a.Party, a.PartyName, a.Kind, a.Reason)
		}
	}
	t.Logf("alerts after the 2024 list: %d (%v); expected: %d", len(alerts), byKind, len(want))
	missing, unexpected := 0, 0
	for k, w := range want {
		as := got[k]
		if len(as) == 0 {
			if !w.optional {
				missing++
				if missing <= 20 {
					t.Errorf("missing alert %v: %s/%s", w.kinds, k.party, k.subject)
				}
			}
			continue
		}
		if len(as) > 1 || !slices.Contains(w.kinds, as[0].Kind) {
			unexpected++
			t.Errorf("%s/%s: alerts %s, want one of %v", k.party, k.subject, kindsOf(as), w.kinds)
			continue
		}
		if a := as[0]; w.optional && a.Kind == watch.PathChanged && routeIn(v24, a.Before.Path) && routeIn(v21, a.After.Path) {
			unexpected++
			t.Errorf("%s/%s: the path changed at equal length, though both routes are in both versions: %s", k.party, k.subject, a.Reason)
		}
	}
	for k, as := range got {
		if _, ok := want[k]; !ok {
			unexpected++
			if unexpected <= 20 {
				t.Errorf("unexpected alert %s/%s: %s: %s", k.party, k.subject, kindsOf(as), as[0].Reason)
			}
		}
	}
	t.Logf("missing %d, unexpected %d", missing, unexpected)

	// Dismiss some alerts; the same version ingested again, and a full
	// re-evaluation, raise nothing, and the dismissals stay.
	var dismissed []uint64
	for _, a := range alerts {
		if len(dismissed) < 25 && (a.Kind == watch.NewHit || a.Kind == watch.NewPath) {
			if _, err := st.DecideAlert(ctx, "analyst", a.ID, watch.Dismissed, "not our customer: other registration number"); err != nil {
				t.Fatal(err)
			}
			dismissed = append(dismissed, a.ID)
		}
	}
	ingestVersion(dir24, "2024-05-03")
	if rep, again := watchUpdate(t, st, store.WatchOptions{}); len(again) != 0 {
		t.Errorf("re-ingesting the 2024 list: %d alerts (%+v), want none", len(again), rep)
	}
	if _, again := watchUpdate(t, st, store.WatchOptions{Full: true}); len(again) != 0 {
		t.Errorf("full re-evaluation: %d alerts, want none: %v", len(again), alertWords(again))
	}
	for _, id := range dismissed {
		a, err := st.Alert(ctx, id)
		if err != nil || a.Status != watch.Dismissed {
			t.Errorf("alert %d after the re-ingest: %+v, %v", id, a, err)
		}
	}

	// A delta of 100 changed entries (renamed, a new programme, a new
	// link) is checked incrementally, and a full re-evaluation after it
	// finds nothing the incremental check missed.
	delta := filepath.Join(t.TempDir(), "delta")
	writeOFACDelta(t, delta, 0, 100)
	ingestVersion(delta, "2024-06-01")
	rep, inc := watchUpdate(t, st, store.WatchOptions{})
	t.Logf("incremental check after a delta of 100 entries: %+v", rep)
	if rep.Full || rep.Evaluated >= len(parties) {
		t.Errorf("the delta evaluated %d of %d parties (full: %v %s), want only those it can affect", rep.Evaluated, len(parties), rep.Full, rep.FullReason)
	}
	if len(inc) == 0 {
		t.Error("the delta raised no alert")
	}
	if _, missed := watchUpdate(t, st, store.WatchOptions{Full: true}); len(missed) != 0 {
		t.Errorf("a full re-evaluation after the delta raised %d alerts the incremental check missed: %v", len(missed), alertWords(missed))
	}
}

func pick2(a, b *watch.Evidence) *watch.Evidence {
	if a != nil {
		return a
	}
	return b
}

func kindsOf(as []watch.Alert) string {
	var ks []string
	for _, a := range as {
		ks = append(ks, a.Kind)
	}
	return fmt.Sprint(ks)
}

func subset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// readNegatives reads n innocent persons from a yente negatives file,
// with their birth dates and nationalities, as a bank knows its customers.
func readNegatives(tb testing.TB, path string, n int) []watch.Party {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	var out []watch.Party
	for i, r := range rows[1:] {
		if len(out) == n {
			break
		}
		p := watch.Party{Ref: fmt.Sprintf("inno-%d", i+1), Name: r[col["full_name"]], Kind: "Person", BirthDate: normDOB(r[col["date_of_birth"]]), Country: r[col["nationality"]]}
		if p.Check() != nil {
			p.BirthDate, p.Country = "", "" // an unreadable date or country: the name alone
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref < out[j].Ref })
	return out
}

package screen_test

import (
	"encoding/csv"
	"math"
	"os"
	"sort"
	"strconv"
	"testing"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/graphtest"
	"github.com/sanctionsgraph/sanctionsgraph/graph/screen"
)

func readCSV(t *testing.T, path string) (header map[string]int, rows [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	if len(all) < 2 {
		t.Fatalf("%s: no rows", path)
	}
	header = map[string]int{}
	for i, h := range all[0] {
		header[h] = i
	}
	return header, all[1:]
}

// pairScore screens name1 against an entity that has name2, as the store
// would, with static word weights (the pairs have no list to take IDF from).
func pairScore(t *testing.T, schema, name1, name2 string) screen.Hit {
	t.Helper()
	p, err := screen.Prepare(screen.Query{Name: name1})
	if err != nil {
		t.Fatalf("Prepare(%q): %v", name1, err)
	}
	e := &graph.Entity{Schema: schema, Caption: name2, Props: map[string][]string{"name": {name2}}}
	h, ok := screen.ScoreEntity(p, e, nil)
	if !ok {
		t.Fatalf("ScoreEntity(%q, %s %q) refused the kind", name1, schema, name2)
	}
	return h
}

// TestScreenBenchCases measures precision and recall on the labelled name
// pairs of nomenklatura's name benchmark at DefaultThreshold, with static
// word weights (StaticWeight): a regression floor for the matcher alone.
// The product scores with the IDF weights of a store of the real lists;
// that figure, and the target (precision >= 0.95 at recall >= 0.90), are
// in the store's screening quality report (TestScreenQualityReport).
// Measured here: precision 0.960, recall 0.896.
//
// It logs the figures, those of the even and odd rows on their own, and,
// with -v, every pair on the wrong side.
func TestScreenBenchCases(t *testing.T) {
	h, rows := readCSV(t, graphtest.SharedData(t, "opensanctions/name-matching/nomenklatura_name_bench_cases.csv"))
	type scored struct {
		s     float64
		match bool
		row   []string
		i     int // data row, from 0
	}
	var all []scored
	for i, r := range rows {
		m, err := strconv.ParseBool(r[h["is_match"]])
		if err != nil {
			t.Fatalf("is_match %q: %v", r[h["is_match"]], err)
		}
		hit := pairScore(t, r[h["schema"]], r[h["name1"]], r[h["name2"]])
		all = append(all, scored{hit.Score, m, r, i})
	}
	if len(all) < 800 {
		t.Fatalf("read %d bench cases, want the file's 826", len(all))
	}
	prec, rec := precisionRecall(len(all), func(i int) (float64, bool) { return all[i].s, all[i].match }, screen.DefaultThreshold)
	t.Logf("bench cases: %d pairs; at threshold %.2f precision %.3f recall %.3f", len(all), screen.DefaultThreshold, prec, rec)
	for _, th := range []float64{0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9} {
		p, r := precisionRecall(len(all), func(i int) (float64, bool) { return all[i].s, all[i].match }, th)
		t.Logf("  threshold %.2f: precision %.3f recall %.3f", th, p, r)
	}
	// The even and odd data rows on their own: the rules were written
	// looking at errors of the even rows, so the odd rows are a held-out
	// check that they generalise.
	for half, name := range []string{"even", "odd"} {
		var sub []scored
		for _, a := range all {
			if a.i%2 == half {
				sub = append(sub, a)
			}
		}
		p, r := precisionRecall(len(sub), func(i int) (float64, bool) { return sub[i].s, sub[i].match }, screen.DefaultThreshold)
		t.Logf("  %s rows (%d): precision %.3f recall %.3f", name, len(sub), p, r)
	}
	if testing.Verbose() {
		sort.Slice(all, func(i, j int) bool { return all[i].s > all[j].s })
		for _, a := range all {
			wrong := (a.s >= screen.DefaultThreshold) != a.match
			if wrong {
				t.Logf("  wrong: row %d %.3f match=%v %s %s | %q | %q | %s %s", a.i, a.s, a.match, a.row[h["schema"]], a.row[h["case_group"]], a.row[h["name1"]], a.row[h["name2"]], a.row[h["category"]], a.row[h["notes"]])
			}
		}
	}
	if prec < minBenchPrecision || rec < minBenchRecall {
		t.Errorf("bench cases: precision %.3f recall %.3f at threshold %.2f, want at least %.2f and %.2f (the floor with static weights)",
			prec, rec, screen.DefaultThreshold, minBenchPrecision, minBenchRecall)
	}
}

// The bench-case floors with static weights (measured: 0.960, 0.896).
const (
	minBenchPrecision = 0.95
	minBenchRecall    = 0.89
)

func precisionRecall(n int, at func(int) (float64, bool), threshold float64) (precision, recall float64) {
	tp, fp, fn := 0, 0, 0
	for i := 0; i < n; i++ {
		s, m := at(i)
		switch {
		case s >= threshold && m:
			tp++
		case s >= threshold:
			fp++
		case m:
			fn++
		}
	}
	if tp+fp > 0 {
		precision = float64(tp) / float64(tp+fp)
	}
	if tp+fn > 0 {
		recall = float64(tp) / float64(tp+fn)
	}
	return precision, recall
}

// TestScreenOFACFixtures compares the scores with those of OFAC's own
// search tool on nomenklatura's fixtures: Spearman rank correlation
// (asserted), and the share of pairs on the same side of the threshold
// (OFAC's tool at its usual minimum score of 80 of 100, ours at
// DefaultThreshold; logged, not asserted). The two disagree by design
// where OFAC's tool scores a shared common given name highly ("VLADIMIR
// PUTIN" / "VLADIMIR BILIY": 90), which is the flooding users complain of;
// a score of -1 (OFAC's tool found nothing, as for Cyrillic) counts as 0.
func TestScreenOFACFixtures(t *testing.T) {
	h, rows := readCSV(t, graphtest.SharedData(t, "opensanctions/name-matching/nomenklatura_ofac_fixtures.csv"))
	var ours, theirs []float64
	same := 0
	for _, r := range rows {
		o, err := strconv.ParseFloat(r[h["ofac_score"]], 64)
		if err != nil {
			t.Fatalf("ofac_score %q: %v", r[h["ofac_score"]], err)
		}
		hit := pairScore(t, "LegalEntity", r[h["query_name"]], r[h["result_name"]])
		ours, theirs = append(ours, hit.Score), append(theirs, math.Max(0, o/100))
		if (hit.Score >= screen.DefaultThreshold) == (o >= 80) {
			same++
		} else if testing.Verbose() {
			t.Logf("  side differs: ours %.3f ofac %.0f %q | %q", hit.Score, o, r[h["query_name"]], r[h["result_name"]])
		}
	}
	rho := spearman(ours, theirs)
	agree := float64(same) / float64(len(rows))
	t.Logf("OFAC fixtures: %d pairs; Spearman rho %.3f; same side of the threshold (ours %.2f, OFAC 0.80) %.3f", len(rows), rho, screen.DefaultThreshold, agree)
	if rho < 0.6 {
		t.Errorf("Spearman rho with OFAC's scores = %.3f, want >= 0.6", rho)
	}
	// Where OFAC's tool is sure (100) and the names share every word, so
	// should we be.
	for i, r := range rows {
		q, n := graph.NameKey(r[h["query_name"]]), graph.NameKey(r[h["result_name"]])
		if theirs[i] == 1 && q == n && ours[i] < screen.DefaultThreshold {
			t.Errorf("%q / %q: OFAC 100 with the same words, ours %.3f", r[h["query_name"]], r[h["result_name"]], ours[i])
		}
	}
}

// spearman is the Pearson correlation of the ranks (ties get their mean rank).
func spearman(a, b []float64) float64 {
	ra, rb := ranks(a), ranks(b)
	n := float64(len(a))
	var ma, mb float64
	for i := range ra {
		ma += ra[i] / n
		mb += rb[i] / n
	}
	var sab, saa, sbb float64
	for i := range ra {
		sab += (ra[i] - ma) * (rb[i] - mb)
		saa += (ra[i] - ma) * (ra[i] - ma)
		sbb += (rb[i] - mb) * (rb[i] - mb)
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

func ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool { return x[idx[i]] < x[idx[j]] })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		for k := i; k <= j; k++ {
			r[idx[k]] = float64(i+j)/2 + 1
		}
		i = j + 1
	}
	return r
}

func TestSpearman(t *testing.T) {
	tests := []struct {
		name string
		a, b []float64
		want float64
	}{
		{"same order", []float64{1, 2, 3, 4}, []float64{10, 20, 30, 40}, 1},
		{"reversed", []float64{1, 2, 3, 4}, []float64{4, 3, 2, 1}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := spearman(tt.a, tt.b); math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("spearman(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

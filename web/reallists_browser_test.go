package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/css"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

// realPageServer serves the page on a store built from the real OFAC, UN
// and EU lists (storetest.RealLists), writable with the token of alice.
func realPageServer(t *testing.T) *httptest.Server {
	t.Helper()
	st := storetest.RealLists(t)
	sch, err := schema.New(st, schema.DefaultLimits, nil, schema.Writable(st, nil))
	if err != nil {
		t.Fatal(err)
	}
	ws, err := web.ParseWriters("alice:" + aliceToken)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Options{Schema: sch, Export: &web.ExportOptions{Source: st}, Writers: ws}))
	t.Cleanup(srv.Close)
	return srv
}

// pdfText prints the page ctx shows to PDF with Chromium and returns the
// PDF's text as pdftotext reads it.
func pdfText(t *testing.T, pdf []byte, path string) string {
	t.Helper()
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("pdftotext is missing: .ci/run installs poppler-utils")
		}
		t.Skip("no pdftotext (apt-get install poppler-utils)")
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return string(out)
}

// printReport opens an HTML report in Chromium, takes a screenshot,
// prints it to PDF (base.pdf) and returns the PDF's text.
func printReport(t *testing.T, ctx context.Context, html []byte, base string) string {
	t.Helper()
	p, _ := filepath.Abs(base + ".html")
	if err := os.WriteFile(p, html, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+p), chromedp.WaitVisible(chromedp.CSS("#diagram"))); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, filepath.Dir(p), filepath.Base(base))
	yes := true
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PrintBackground: &yes, PreferCSSPageSize: &yes})
	if err != nil {
		t.Fatalf("print %s to PDF: %v", p, err)
	}
	return pdfText(t, res.Data, base+".pdf")
}

// renderFonts returns the platform fonts Chromium drew the text of the
// element sel in, with the number of glyphs of each.
func renderFonts(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	if _, err := chromedp.Call(ctx, dom.Enable, dom.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, css.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	doc, err := chromedp.Call(ctx, dom.GetDocument, dom.GetDocumentParams{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := chromedp.Call(ctx, dom.QuerySelector, dom.QuerySelectorParams{NodeID: doc.Root.NodeID, Selector: sel})
	if err != nil || n.NodeID == 0 {
		t.Fatalf("no element %s in the report: %v", sel, err)
	}
	res, err := chromedp.Call(ctx, css.GetPlatformFontsForNode, css.GetPlatformFontsForNodeParams{NodeID: n.NodeID})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range res.Fonts {
		out = append(out, fmt.Sprintf("%s (%.0f glyphs)", f.FamilyName, f.GlyphCount))
	}
	return out
}

type pageUse struct {
	fill float64 // the lowest word's bottom, as a fraction of the page's height
	last bool
}

// pageFill reads how far down each page of a PDF its text reaches
// (pdftotext -bbox).
func pageFill(t *testing.T, pdf string) []pageUse {
	t.Helper()
	b, err := exec.Command("pdftotext", "-bbox", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox %s: %v", pdf, err)
	}
	var out []pageUse
	pages := regexp.MustCompile(`(?s)<page width="[\d.]+" height="([\d.]+)">(.*?)</page>`).FindAllStringSubmatch(string(b), -1)
	for _, p := range pages {
		h, _ := strconv.ParseFloat(p[1], 64)
		low := 0.0
		for _, y := range regexp.MustCompile(`yMax="([\d.]+)"`).FindAllStringSubmatch(p[2], -1) {
			v, _ := strconv.ParseFloat(y[1], 64)
			low = max(low, v)
		}
		out = append(out, pageUse{fill: low / h})
	}
	if len(out) == 0 {
		t.Fatalf("no pages in %s", pdf)
	}
	out[len(out)-1].last = true
	return out
}

var spaces = regexp.MustCompile(`\s+`)

// TestBrowserRealListsStory is the acceptance of issue 11 in the browser,
// on the real OFAC + UN + EU lists: the 2019 finding is added through the
// API; the two names are typed into the path finder; every hop of RFS ->
// Dandong Zhongsheng -> FTB is drawn connected and listed with its
// sources; the FTB's own graph draws all its relationships connected; the
// path report printed to PDF names every hop, source URL, the FTB's
// OFAC, UN and EU designations and the list dates.
func TestBrowserRealListsStory(t *testing.T) {
	chromiumPath(t)
	out := artifacts(t)
	srv := realPageServer(t)

	// The 2019 finding, through the API, by names.
	r := postAs(t, srv, "Bearer "+aliceToken, `mutation($s: SourceInput!) {
		addRelationship(relationship: {kind: OPENED_ACCOUNTS_FOR, sourceId: "Russian Financial Society", targetId: "Dandong Zhongsheng Industry & Trade",
			role: "`+storetest.FindingRole+`", startDate: "2017", endDate: "2018"}, source: $s) { relationship { id sourceId targetId } } }`,
		map[string]any{"s": map[string]any{"url": storetest.FindingURL, "date": storetest.FindingDate, "quote": storetest.FindingQuote}})
	mustData(t, r)

	// What the page must show, from the API.
	const rfsName, ftbName = "Russian Financial Society", "Foreign Trade Bank of the DPRK"
	var api struct {
		Paths struct {
			Resolved []struct{ Entity struct{ ID, Name string } }
			Paths    []struct {
				Hops  int
				Steps []struct {
					Forward      bool
					From, To     struct{ ID, Name string }
					Relationship struct {
						ID, Kind, Label    string
						SourceID, TargetID string
						Sources            []struct{ URL *string }
					}
				}
			}
		}
	}
	apiQuery(t, srv, fmt.Sprintf(`{ paths(from: %q, to: %q, first: 3) { resolved { entity { id name } }
		paths { hops steps { forward from { id name } to { id name } relationship { id kind label sourceId targetId sources { url } } } } } }`, rfsName, ftbName), &api)
	if len(api.Paths.Paths) == 0 || len(api.Paths.Resolved) != 2 {
		t.Fatalf("the API finds no path from %q to %q: %+v", rfsName, ftbName, api.Paths)
	}
	path := api.Paths.Paths[0]
	var ids []string
	for _, s := range path.Steps {
		if len(ids) == 0 {
			ids = append(ids, s.From.ID)
		}
		ids = append(ids, s.To.ID)
	}
	if want := []string{"ofac:26744", "ofac:24518", "un:6908622"}; !slices.Equal(ids, want) {
		t.Fatalf("the API's first path = %v, want RFS -> Dandong Zhongsheng -> the FTB party %v", ids, want)
	}
	ftbID := api.Paths.Resolved[1].Entity.ID

	downloads, _ := filepath.Abs(filepath.Join(out, "downloads-real"))
	os.RemoveAll(downloads)
	if err := os.MkdirAll(downloads, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, problems := browserCtx(t, downloads)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
	); err != nil {
		t.Fatal(err)
	}

	// 1. The two names typed into the path finder, then "Find paths" with
	// the mouse: the suggestions must not swallow the click.
	setValue(t, ctx, "#path-from", "")
	setValue(t, ctx, "#path-to", "")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#path-from"), rfsName),
		chromedp.SendKeys(chromedp.CSS("#path-to"), ftbName),
	); err != nil {
		t.Fatal(err)
	}
	// With the To field's suggestions open, "Find paths" is not under them.
	waitJS(t, ctx, "the To field's suggestions", `(() => { const l = document.querySelector("#path-to + .suggestions"); return !!l && !l.hidden && l.children.length > 0; })()`)
	if top := evalJS[string](t, ctx, `(() => { const r = document.getElementById("path-go").getBoundingClientRect();
		const e = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); return e.id || e.tagName + "." + e.className; })()`); top != "path-go" {
		t.Errorf("the middle of Find paths shows %s, not the button: the suggestions cover it", top)
	}
	shot(t, ctx, out, "real-01-path-finder-typed")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#path-go"))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "evidence", `document.querySelectorAll('#evidence-panel .path').length > 0`)
	steps := evalJS[[]string](t, ctx, `[...document.querySelectorAll('#evidence-panel .path[data-index="0"] li.step')].map(li => li.dataset.rel + ":" + li.dataset.forward + ":" + li.querySelectorAll("ul.sources li.source").length)`)
	if len(steps) != path.Hops {
		t.Fatalf("evidence lists %d steps of the first path, the API %d hops", len(steps), path.Hops)
	}
	for j, s := range path.Steps {
		if want := fmt.Sprintf("%s:%t:%d", s.Relationship.ID, s.Forward, len(s.Relationship.Sources)); steps[j] != want || len(s.Relationship.Sources) == 0 {
			t.Errorf("step %d = %s, want %s (relationship:forward:sources, at least one source)", j+1, steps[j], want)
		}
		// Drawn connected: the edge is in the graph, between the two
		// entities of the step, both drawn.
		got := evalJS[string](t, ctx, fmt.Sprintf(`(() => {
			const cy = window.sanctionsgraph.graph.cy, e = cy.getElementById(%q);
			if (e.empty()) return "no edge";
			return e.source().id() + ">" + e.target().id() + ":" + (e.visible() && e.source().visible() && e.target().visible());
		})()`, s.Relationship.ID))
		if want := s.Relationship.SourceID + ">" + s.Relationship.TargetID + ":true"; got != want {
			t.Errorf("step %d (%s %s %s): drawn edge %s, want %s", j+1, s.From.Name, s.Relationship.Kind, s.To.Name, got, want)
		}
	}
	ev := text(t, ctx, "#evidence-panel")
	for _, want := range []string{"opened accounts for", storetest.FindingURL, storetest.FindingQuote} {
		if !strings.Contains(ev, want) && !(want == storetest.FindingURL && evalJS[int](t, ctx, fmt.Sprintf(`document.querySelectorAll('#evidence-panel a[href=%q]').length`, want)) > 0) {
			t.Errorf("evidence panel lacks %q:\n%s", want, ev)
		}
	}
	shot(t, ctx, out, "real-02-path-rfs-dandong-ftb")

	// 2. The FTB's own graph: every relationship the API gives is drawn,
	// joined to the FTB node.
	var ftb struct {
		Entity struct {
			ID            string
			Degree        int
			Relationships struct {
				TotalCount int
				Edges      []struct{ Node struct{ ID string } }
			}
		}
	}
	apiQuery(t, srv, fmt.Sprintf(`{ entity(id: %q) { id degree relationships(first: 500) { totalCount edges { node { id } } } } }`, ftbID), &ftb)
	// Opened by the page's own hint link (an identifier), which names an
	// entity on the real lists as on the demo.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`))); err != nil {
		t.Fatal(err)
	}
	setValue(t, ctx, "#page-size", "50")
	clickSel(t, ctx, `#entity-panel a[href^="#entity="]`)
	waitJS(t, ctx, "the FTB opened from the hint link", fmt.Sprintf(`!!document.querySelector('#entity-panel .entity[data-id=%q]')`, ftbID))
	waitJS(t, ctx, "the FTB's relationships loaded", fmt.Sprintf(`(() => { const n = window.sanctionsgraph.graph.cy.getElementById(%q); return n.nonempty() && n.data("loaded") >= %d; })()`, ftbID, min(ftb.Entity.Degree, 50)))
	drawn := evalJS[[]string](t, ctx, fmt.Sprintf(`window.sanctionsgraph.graph.cy.getElementById(%q).connectedEdges().filter(e => e.visible() && e.source().visible() && e.target().visible()).map(e => e.id())`, ftbID))
	var want []string
	for _, e := range ftb.Entity.Relationships.Edges {
		want = append(want, e.Node.ID)
	}
	slices.Sort(drawn)
	slices.Sort(want)
	t.Logf("FTB (%s): degree %d, API relationships %d, drawn connected %d", ftbID, ftb.Entity.Degree, ftb.Entity.Relationships.TotalCount, len(drawn))
	if ftb.Entity.Relationships.TotalCount < 8 || !slices.Equal(drawn, want) {
		t.Errorf("FTB edges drawn connected = %d %v\nthe API's = %d %v", len(drawn), drawn, len(want), want)
	}
	shot(t, ctx, out, "real-03-ftb-graph")

	// A party with OFAC's quoted a.k.a.s shows them apart, as weak
	// aliases, not among its aliases.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/#entity=ofac:4108"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "RODRIGUEZ OREJUELA's entity panel", `!!document.querySelector('#entity-panel .entity')`)
	weak := evalJS[[]string](t, ctx, `[...document.querySelectorAll('#entity-panel ul.weak-aliases li')].map(li => li.textContent)`)
	strong := evalJS[[]string](t, ctx, `[...document.querySelectorAll('#entity-panel ul.aliases li')].map(li => li.textContent)`)
	if !slices.Contains(weak, "MIKE") || !slices.Contains(weak, "PAT") || slices.Contains(strong, "MIKE") {
		t.Errorf("ofac:4108: weak aliases shown %q, aliases %q; want MIKE and PAT among the weak only", weak, strong)
	}
	shot(t, ctx, out, "real-03b-weak-aliases")

	// 3. The report of the path, exported from the page, printed to PDF.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/#path="+url.PathEscape(ids[0])+","+url.PathEscape(ftbID)),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`))); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "evidence", `document.querySelectorAll('#evidence-panel button[data-path-format="html"]').length > 0`)
	// The report's case reference and author, typed under "Report details".
	clickSel(t, ctx, "#report-fields summary")
	setValue(t, ctx, "#report-case", "CASE-2019-06")
	setValue(t, ctx, "#report-author", "Test Investigator")
	shot(t, ctx, out, "real-04-report-details")
	before, _ := os.ReadDir(downloads)
	clickSel(t, ctx, `#evidence-panel button[data-path-format="html"]`)
	report := waitNewFile(t, downloads, before)
	b, _ := os.ReadFile(report)
	txt := printReport(t, ctx, b, filepath.Join(out, "real-report"))
	// The diagram: every entity of the path by its full name, every hop's
	// kind written on its edge, at a size that can be read.
	diag := evalJS[struct {
		Text  string
		Width float64
	}](t, ctx, `(() => {
		const d = document.getElementById("diagram");
		// What is drawn (not the <title> tooltips): names line by line, edge labels.
		const names = [...d.querySelectorAll("g.entity text")].map((t) => [...t.querySelectorAll("tspan")].map((s) => s.textContent).join(" "));
		const labels = [...d.querySelectorAll("text.rel-label")].map((t) => t.textContent);
		return {Text: names.concat(labels).join(" | "), Width: d.getBoundingClientRect().width};
	})()`)
	diagText := spaces.ReplaceAllString(diag.Text, " ")
	for _, s := range path.Steps {
		for _, want := range []string{s.From.Name, s.To.Name, s.Relationship.Label} {
			if !strings.Contains(diagText, want) {
				t.Errorf("the report's diagram lacks %q: %q", want, diagText)
			}
		}
	}
	if diag.Width < 800 {
		t.Errorf("the report's diagram is %.0f px wide", diag.Width)
	}
	// No half-empty page before the last: the lowest word of each page is
	// in its lower part (a block kept whole that does not fit would push
	// to the next page and leave the rest blank).
	for i, f := range pageFill(t, filepath.Join(out, "real-report.pdf")) {
		t.Logf("page %d filled to %.0f%%", i+1, 100*f.fill)
		if !f.last && f.fill < 0.7 {
			t.Errorf("page %d of the printed report is filled to %.0f%% only", i+1, 100*f.fill)
		}
	}
	flat := spaces.ReplaceAllString(txt, " ")
	bare := spaces.ReplaceAllString(txt, "")
	has := func(s string) bool {
		return strings.Contains(flat, s) || strings.Contains(bare, spaces.ReplaceAllString(s, ""))
	}
	for _, want := range []string{
		"How " + path.Steps[0].From.Name + " is linked to " + path.Steps[len(path.Steps)-1].To.Name,
		"Case reference CASE-2019-06", "Author Test Investigator",
		storetest.FindingURL, storetest.FindingQuote,
		storetest.OFACDate, storetest.EUDate, "2026-02-27", // OFAC, EU (given) and UN (stated) list dates
		"ref 15603", "ref KPe.047", // the FTB's OFAC and UN designations
	} {
		if !has(want) {
			t.Errorf("the printed report lacks %q", want)
		}
	}
	for j, s := range path.Steps {
		hop := s.From.Name + " — " + s.To.Name
		if !has(hop) || !has(s.Relationship.Label) {
			t.Errorf("the printed report lacks hop %d %q (%s)", j+1, hop, s.Relationship.Label)
		}
		for _, src := range s.Relationship.Sources {
			if src.URL != nil && !has(*src.URL) {
				t.Errorf("the printed report lacks hop %d's source %s", j+1, *src.URL)
			}
		}
	}
	if !regexp.MustCompile(`EU[^\n]*(XIII|DPRK|PRK|1509)`).MatchString(txt) {
		t.Errorf("the printed report lacks the FTB's EU designation")
	}

	// 4. A report given a title, case reference and author (GET /export)
	// prints them; names in Hangul and Arabic print in fonts that have
	// their letters (the EU annex writes CHON Chi Bu as 전지부, the UN list
	// Saddam Hussein as صدام حسين التكريتي).
	resp, err := http.Get(srv.URL + "/export?" + url.Values{"seed": {"eu:32017R1509:XV.A:1", "un:6908048"}, "hops": {"0"}, "format": {"html"},
		"title": {"Names in other scripts"}, "case": {"CASE-2019-06"}, "author": {"Test Investigator"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /export: HTTP %d %s", resp.StatusCode, b)
	}
	txt = printReport(t, ctx, b, filepath.Join(out, "real-report-scripts"))
	for _, want := range []string{"Names in other scripts", "CASE-2019-06", "Test Investigator", "전지부"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the printed report lacks %q:\n%s", want, txt)
		}
	}
	// Chromium prints CFF fonts (Noto CJK) as Type 3, which pdffonts does
	// not name: ask Chromium which fonts drew the aliases.
	for sel, want := range map[string]string{
		`tr[data-id="eu:32017R1509:XV.A:1"] td .note`: "CJK",    // 전지부
		`tr[data-id="ofac:7843"] td .note`:            "Arabic", // صدام حسين التكريتي
	} {
		fonts := renderFonts(t, ctx, sel)
		t.Logf("%s is drawn in %v", sel, fonts)
		if !slices.ContainsFunc(fonts, func(f string) bool { return strings.Contains(f, want) }) {
			t.Errorf("%s is drawn in %v, no %s font", sel, fonts, want)
		}
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("JavaScript errors on the page:\n%s", strings.Join(p, "\n"))
	}
}

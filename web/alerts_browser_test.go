package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/store/storetest"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

const alertToken = "browser-test-token-0123456789abcdef"

// watchedRealLists returns a store of the real OFAC, UN and EU lists
// (storetest.RealLists) with the 2019 finding (Russian Financial Society
// opened accounts for Dandong Zhongsheng), a watchlist of four customers
// checked once, and the alerts that check raised.
func watchedRealLists(t testing.TB) (*store.Store, []watch.Alert) {
	t.Helper()
	ctx := context.Background()
	st := storetest.RealLists(t)
	storetest.AddFinding2019(t, st)
	parties := []watch.Party{
		{Ref: "C1", Name: "Russian Financial Society", Kind: "Company", Country: "ru"},
		{Ref: "C2", Name: "Dandong Zhongsheng Industry and Trade", Kind: "Company", Country: "cn"},
		{Ref: "C3", Name: "Maria Fernanda Lopez", Kind: "Person", Country: "mx"},
		{Ref: "C4", Name: "Nordlicht Logistik GmbH", Kind: "Company", Country: "de"},
	}
	if _, err := st.ImportWatchlist(ctx, "customers", nil, parties); err != nil {
		t.Fatal(err)
	}
	var alerts []watch.Alert
	if _, err := st.WatchUpdate(ctx, store.WatchOptions{Emit: func(a watch.Alert) { alerts = append(alerts, a) }}); err != nil {
		t.Fatal(err)
	}
	return st, alerts
}

// TestBrowserAlertQueue walks the alert queue as an analyst does, on the
// real lists: open the alert that Russian Financial Society, a customer,
// is two hops from the Foreign Trade Bank of the DPRK (through the
// finding of 2019 and OFAC's "Linked To"), see the path with every hop
// and its sources, try to dismiss it without a reason (refused), then
// dismiss it with one; the store records the decision with who and why,
// and the open queue no longer lists it.
func TestBrowserAlertQueue(t *testing.T) {
	chromiumPath(t)
	out := artifacts(t)
	st, alerts := watchedRealLists(t)
	for _, a := range alerts {
		if a.Party == "C3" || a.Party == "C4" {
			t.Errorf("a customer on no list raised an alert: %s", a.Reason)
		}
	}
	sch, err := schema.New(st, schema.DefaultLimits, nil, schema.Writable(st, nil), schema.Watching(st, st, nil))
	if err != nil {
		t.Fatal(err)
	}
	writers, err := web.ParseWriters("analyst:" + alertToken + "\n")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Options{Schema: sch, Writers: writers, Alerts: st}))
	t.Cleanup(srv.Close)

	// The alert to open: C1's new path of two hops to the Foreign Trade
	// Bank, whose first hop is the finding.
	var a *watch.Alert
	for i := range alerts {
		x := &alerts[i]
		if x.Party != "C1" || x.Kind != watch.NewPath || x.After == nil || x.After.Path == nil || len(x.After.Path.Steps) != 2 {
			continue
		}
		steps := x.After.Path.Steps
		if strings.Contains(steps[1].To.Name, "FOREIGN TRADE BANK") && len(steps[0].Sources) > 0 && steps[0].Sources[0].URL == storetest.FindingURL {
			a = x
			break
		}
	}
	if a == nil {
		t.Fatalf("no alert of C1's two hops to the Foreign Trade Bank among %d alerts", len(alerts))
	}
	id := fmt.Sprint(a.ID)
	ctx, problems := browserCtx(t, t.TempDir())
	if err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
	); err != nil {
		t.Fatal(err)
	}
	item := fmt.Sprintf(`li.alert-item[data-id=%q]`, id)
	waitJS(t, ctx, "the alert in the queue", fmt.Sprintf(`!!document.querySelector(%q)`, item))
	if n := evalJS[int](t, ctx, `document.querySelectorAll("li.alert-item").length`); n != len(alerts) {
		t.Errorf("the open queue lists %d alerts, want %d", n, len(alerts))
	}
	clickSel(t, ctx, item+" a")
	view := fmt.Sprintf(`.alert-view[data-id=%q]`, id)
	waitJS(t, ctx, "the alert's evidence", fmt.Sprintf(`!!document.querySelector(%q)`, view))

	// The path: every hop, in order, with its sources.
	steps := a.After.Path.Steps
	got := evalJS[[]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(%q)].map((li) => li.querySelector(".hop").innerText)`, view+" .alert-path li.step"))
	if len(got) != len(steps) {
		t.Fatalf("the page shows %d hops, want %d: %q", len(got), len(steps), got)
	}
	for i, s := range steps {
		if !strings.Contains(got[i], s.From.Name) || !strings.Contains(got[i], s.To.Name) || !strings.Contains(got[i], s.Kind) {
			t.Errorf("hop %d reads %q, want %s -%s- %s", i+1, got[i], s.From.Name, s.Kind, s.To.Name)
		}
		srcs := evalJS[[]string](t, ctx, fmt.Sprintf(`[...document.querySelectorAll(%q)[%d].querySelectorAll("li.source .dataset")].map((e) => e.innerText)`, view+" .alert-path li.step", i))
		if len(srcs) != len(s.Sources) || len(srcs) == 0 {
			t.Errorf("hop %d shows sources %q, want %d (%v)", i+1, srcs, len(s.Sources), s.Sources)
		}
		for j, src := range s.Sources {
			if j < len(srcs) && srcs[j] != src.Dataset {
				t.Errorf("hop %d source %d = %q, want %q", i+1, j+1, srcs[j], src.Dataset)
			}
		}
	}
	// The graph draws the path, from the party's side to the designated end.
	for _, s := range steps {
		for _, e := range []watch.EntityRef{s.From, s.To} {
			if !evalJS[bool](t, ctx, fmt.Sprintf(`window.sanctionsgraph.graph.has(%q)`, e.Ref)) {
				t.Errorf("the graph does not show %s (%s) of the alert's path", e.Name, e.Ref)
			}
		}
	}
	if n := evalJS[int](t, ctx, `window.sanctionsgraph.graph.cy.edges(".path-active").length`); n != len(steps) {
		t.Errorf("the graph highlights %d links, want the path's %d", n, len(steps))
	}
	if r := text(t, ctx, view+" .alert-reason"); r != a.Reason {
		t.Errorf("the alert reads %q, want %q", r, a.Reason)
	}
	shot(t, ctx, out, "alert-open")

	// No reason: refused on the page, nothing recorded.
	setValue(t, ctx, "#alert-token", alertToken)
	clickSel(t, ctx, "#alert-dismiss")
	waitJS(t, ctx, "the request for a reason", `document.querySelector(".decision-msg").innerText.includes("reason")`)
	if x, err := st.Alert(context.Background(), a.ID); err != nil || x.Status != watch.Open {
		t.Fatalf("after a dismissal without reason the alert is %q, %v; want open", x.Status, err)
	}

	// With a reason: dismissed, recorded with who and why.
	const why = "Known correspondent relationship, reviewed by compliance on file 2026-114"
	setValue(t, ctx, "#alert-reason", why)
	clickSel(t, ctx, "#alert-dismiss")
	waitJS(t, ctx, "the dismissed alert", fmt.Sprintf(`!!document.querySelector(%q)`, fmt.Sprintf(`.alert-view[data-id=%q][data-status="DISMISSED"]`, id)))
	if d := text(t, ctx, view+" .decisions"); !strings.Contains(d, "dismissed by analyst") || !strings.Contains(d, why) {
		t.Errorf("the decisions read %q", d)
	}
	waitJS(t, ctx, "the queue without the dismissed alert", fmt.Sprintf(`!document.querySelector(%q) && document.querySelectorAll("li.alert-item").length === %d`, item, len(alerts)-1))
	shot(t, ctx, out, "alert-dismissed")
	x, err := st.Alert(context.Background(), a.ID)
	if err != nil || x.Status != watch.Dismissed || len(x.Decisions) != 1 || x.Decisions[0].By != "analyst" || x.Decisions[0].Reason != why {
		t.Errorf("the store holds %+v, %v; want dismissed by analyst: %s", x, err, why)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("JavaScript problems: %q", p)
	}
}

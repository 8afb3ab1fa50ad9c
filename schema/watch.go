package schema

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	graphql "github.com/graph-gophers/graphql-go"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
)

// Watch is the read side of ongoing screening the watchlist and alert
// resolvers need. *store.Store implements it.
type Watch interface {
	Watchlists(ctx context.Context) ([]watch.Watchlist, error)
	Watchlist(ctx context.Context, name string) (*watch.Watchlist, error)
	WatchedParty(ctx context.Context, list, ref string) (*watch.WatchedParty, error)
	WatchedParties(ctx context.Context, list, after string, limit int) ([]watch.WatchedParty, bool, error)
	Alert(ctx context.Context, id uint64) (*watch.Alert, error)
	Alerts(ctx context.Context, f watch.AlertFilter) ([]watch.Alert, bool, error)
}

// WatchWriter is what importWatchlist and decideAlert need. *store.Store
// implements it: CheckWatchlists evaluates the parties the changes since
// the last check can affect and returns how many it evaluated and the
// alerts it raised.
type WatchWriter interface {
	ImportWatchlist(ctx context.Context, name string, set *watch.Settings, parties []watch.Party) (*watch.ImportReport, error)
	DecideAlert(ctx context.Context, who string, id uint64, status, reason string) (*watch.Alert, error)
	CheckWatchlists(ctx context.Context) (evaluated, alerts int, err error)
}

// WatchlistParser reads the text of a watchlist file (CSV or FtM JSON
// lines) into parties; an error names the line and field. The command
// wires it in (schema does not import ingest).
type WatchlistParser interface {
	ParseWatchlist(ctx context.Context, data string) ([]watch.Party, error)
}

// Watching serves the watchlists and alerts of r; w and p, if not nil,
// make importWatchlist and decideAlert work (with a write token).
func Watching(r Watch, w WatchWriter, p WatchlistParser) Option {
	return func(res *Resolver) { res.watch, res.watchW, res.watchP = r, w, p }
}

// MaxWatchlistData bounds the text of one importWatchlist.
const MaxWatchlistData = 4 << 20

// Bounds of watch pages.
const (
	defaultWatchParties = 100
	maxWatchParties     = 1000
	defaultPartyAlerts  = 20
)

var errNoWatch = &Error{Code: CodeForbidden, Message: "this server keeps no watchlists"}

func (r *Resolver) Watchlists(ctx context.Context) ([]*watchlistResolver, error) {
	if r.watch == nil {
		return nil, nil
	}
	ls, err := r.watch.Watchlists(ctx)
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	out := make([]*watchlistResolver, len(ls))
	for i := range ls {
		out[i] = &watchlistResolver{r: r, w: &ls[i]}
	}
	return out, nil
}

func (r *Resolver) Watchlist(ctx context.Context, args struct{ Name string }) (*watchlistResolver, error) {
	if r.watch == nil {
		return nil, nil
	}
	wl, err := r.watch.Watchlist(ctx, args.Name)
	if errors.Is(err, graph.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	return &watchlistResolver{r: r, w: wl}, nil
}

type alertsArgs struct {
	Watchlist *string
	Party     *string
	Kinds     *[]string
	Status    *string
	Since     *string
	Until     *string
	After     *graphql.ID
	First     *int32
}

func (a alertsArgs) filter() (watch.AlertFilter, error) {
	f := watch.AlertFilter{Watchlist: str(a.Watchlist), Party: str(a.Party), Status: statusIn(a.Status)}
	if a.Kinds != nil {
		for _, k := range *a.Kinds {
			f.Kinds = append(f.Kinds, kindIn(k))
		}
	}
	for _, d := range []struct {
		name string
		v    *string
		to   *time.Time
	}{{"since", a.Since, &f.Since}, {"until", a.Until, &f.Until}} {
		if d.v == nil {
			continue
		}
		t, err := time.Parse(time.DateOnly, *d.v)
		if err != nil {
			return f, badInput(d.name + ": " + quote(*d.v) + " is not YYYY-MM-DD")
		}
		*d.to = t
	}
	if a.After != nil {
		id, err := alertID(*a.After)
		if err != nil {
			return f, err
		}
		f.After, f.HasAfter = id, true
	}
	if a.First != nil {
		if *a.First < 1 || *a.First > watch.MaxAlerts {
			return f, badInput(fmt.Sprintf("first: must be between 1 and %d", watch.MaxAlerts))
		}
		f.Limit = int(*a.First)
	}
	if err := f.Check(); err != nil {
		return f, badInput(strings.TrimPrefix(err.Error(), graph.ErrInvalid.Error()+": "))
	}
	return f, nil
}

func alertID(id graphql.ID) (uint64, error) {
	n, err := strconv.ParseUint(string(id), 10, 64)
	if err != nil {
		return 0, badInput("alert id: " + quote(string(id)) + " is not a number")
	}
	return n, nil
}

func (r *Resolver) Alerts(ctx context.Context, args alertsArgs) (*alertPageResolver, error) {
	f, err := args.filter()
	if err != nil {
		return nil, err
	}
	if r.watch == nil {
		return &alertPageResolver{r: r}, nil
	}
	as, more, err := r.watch.Alerts(ctx, f)
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	return &alertPageResolver{r: r, as: as, more: more}, nil
}

func (r *Resolver) Alert(ctx context.Context, args struct{ ID graphql.ID }) (*alertResolver, error) {
	id, err := alertID(args.ID)
	if err != nil {
		return nil, err
	}
	if r.watch == nil {
		return nil, nil
	}
	a, err := r.watch.Alert(ctx, id)
	if errors.Is(err, graph.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	return &alertResolver{r: r, a: a}, nil
}

type importWatchlistArgs struct {
	Name      string
	Data      string
	Threshold *float64
	Hops      *int32
	Authority *string
	MaxPaths  *int32
	Check     bool
}

func (r *Resolver) ImportWatchlist(ctx context.Context, args importWatchlistArgs) (*watchlistImportResolver, error) {
	if _, _, err := r.writer(ctx); err != nil {
		return nil, err
	}
	if r.watch == nil || r.watchW == nil || r.watchP == nil {
		return nil, errNoWatch
	}
	if err := watch.CheckName(args.Name); err != nil {
		return nil, badInput(strings.TrimPrefix(err.Error(), graph.ErrInvalid.Error()+": "))
	}
	if len(args.Data) > MaxWatchlistData {
		return nil, badInput(fmt.Sprintf("data: larger than %d MiB; split it or use the command line", MaxWatchlistData>>20))
	}
	if strings.TrimSpace(args.Data) == "" {
		return nil, badInput("data: empty")
	}
	var set *watch.Settings
	if args.Threshold != nil || args.Hops != nil || args.Authority != nil || args.MaxPaths != nil {
		// Settings not given keep the watchlist's own.
		s := watch.Settings{}
		if wl, err := r.watch.Watchlist(ctx, args.Name); err == nil {
			s = wl.Settings
		}
		if args.Threshold != nil {
			s.Threshold = *args.Threshold
		}
		if args.Hops != nil {
			s.Hops = int(*args.Hops)
		}
		if args.Authority != nil {
			s.Authority = *args.Authority
		}
		if args.MaxPaths != nil {
			s.MaxPaths = int(*args.MaxPaths)
		}
		if err := s.Check(); err != nil {
			return nil, badInput(strings.TrimPrefix(err.Error(), graph.ErrInvalid.Error()+": "))
		}
		set = &s
	}
	parties, err := r.watchP.ParseWatchlist(ctx, args.Data)
	if err != nil {
		var ue *Error
		if errors.As(err, &ue) {
			return nil, ue
		}
		return nil, r.userError(ctx, err)
	}
	rep, err := r.watchW.ImportWatchlist(ctx, args.Name, set, parties)
	if errors.Is(err, graph.ErrInvalid) {
		return nil, badInput("data: " + strings.ReplaceAll(err.Error(), graph.ErrInvalid.Error()+": ", ""))
	}
	if err != nil {
		return nil, r.userError(ctx, err)
	}
	out := &watchlistImportResolver{r: r, rep: rep}
	if args.Check {
		n, a, err := r.watchW.CheckWatchlists(ctx)
		if err != nil {
			return nil, r.userError(ctx, fmt.Errorf("the watchlist was imported, but checking it failed: %w", err))
		}
		out.evaluated, out.alerts = &n, &a
	}
	return out, nil
}

func (r *Resolver) DecideAlert(ctx context.Context, args struct {
	ID       graphql.ID
	Decision string
	Reason   string
}) (*alertResolver, error) {
	_, who, err := r.writer(ctx)
	if err != nil {
		return nil, err
	}
	if r.watchW == nil {
		return nil, errNoWatch
	}
	id, err := alertID(args.ID)
	if err != nil {
		return nil, err
	}
	status := statusIn(&args.Decision)
	if status == watch.Open {
		return nil, badInput("decision: CONFIRMED or DISMISSED")
	}
	a, err := r.watchW.DecideAlert(ctx, who, id, status, args.Reason)
	switch {
	case errors.Is(err, graph.ErrNotFound):
		return nil, notFound("alert", string(args.ID))
	case errors.Is(err, graph.ErrInvalid):
		return nil, badInput(strings.ReplaceAll(err.Error(), graph.ErrInvalid.Error()+": ", ""))
	case err != nil:
		return nil, r.userError(ctx, err)
	}
	return &alertResolver{r: r, a: a}, nil
}

// kindIn and kindOut convert alert kinds between the API's enum
// (NEW_HIT) and the model's (new-hit).
func kindIn(k string) string  { return strings.ReplaceAll(strings.ToLower(k), "_", "-") }
func kindOut(k string) string { return strings.ReplaceAll(strings.ToUpper(k), "-", "_") }

func statusIn(s *string) string {
	if s == nil {
		return ""
	}
	return strings.ToLower(*s)
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

type watchlistResolver struct {
	r *Resolver
	w *watch.Watchlist
}

func (w *watchlistResolver) set() watch.Settings { return w.w.Settings.Normalized() }
func (w *watchlistResolver) Name() string        { return w.w.Name }
func (w *watchlistResolver) Threshold() float64  { return w.set().Threshold }
func (w *watchlistResolver) Hops() int32         { return int32(w.set().Hops) }
func (w *watchlistResolver) Authority() *string  { return opt(w.set().Authority) }
func (w *watchlistResolver) MaxHits() int32      { return int32(w.set().MaxHits) }
func (w *watchlistResolver) MaxPaths() int32     { return int32(w.set().MaxPaths) }
func (w *watchlistResolver) PartyCount() int32   { return int32(w.w.Parties) }
func (w *watchlistResolver) Created() string     { return rfc3339(w.w.Created) }
func (w *watchlistResolver) Updated() string     { return rfc3339(w.w.Updated) }

func (w *watchlistResolver) Parties(ctx context.Context, args struct {
	After *string
	First *int32
}) (*watchedPartyPageResolver, error) {
	n := defaultWatchParties
	if args.First != nil {
		if *args.First < 1 || *args.First > maxWatchParties {
			return nil, badInput(fmt.Sprintf("first: must be between 1 and %d", maxWatchParties))
		}
		n = int(*args.First)
	}
	ps, more, err := w.r.watch.WatchedParties(ctx, w.w.Name, str(args.After), n)
	if err != nil {
		return nil, w.r.userError(ctx, err)
	}
	out := &watchedPartyPageResolver{more: more}
	for i := range ps {
		out.ps = append(out.ps, &watchedPartyResolver{r: w.r, p: &ps[i]})
	}
	return out, nil
}

func (w *watchlistResolver) Party(ctx context.Context, args struct{ Ref string }) (*watchedPartyResolver, error) {
	p, err := w.r.watch.WatchedParty(ctx, w.w.Name, args.Ref)
	if errors.Is(err, graph.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, w.r.userError(ctx, err)
	}
	return &watchedPartyResolver{r: w.r, p: p}, nil
}

type watchedPartyPageResolver struct {
	ps   []*watchedPartyResolver
	more bool
}

func (p *watchedPartyPageResolver) Parties() []*watchedPartyResolver { return p.ps }
func (p *watchedPartyPageResolver) HasMore() bool                    { return p.more }

type watchedPartyResolver struct {
	r *Resolver
	p *watch.WatchedParty
}

func (p *watchedPartyResolver) Watchlist() string     { return p.p.Watchlist }
func (p *watchedPartyResolver) Ref() string           { return p.p.Party.Ref }
func (p *watchedPartyResolver) Name() *string         { return opt(p.p.Party.Name) }
func (p *watchedPartyResolver) Aliases() []string     { return nonNil(p.p.Party.Aliases) }
func (p *watchedPartyResolver) Kind() *string         { return opt(p.p.Party.Kind) }
func (p *watchedPartyResolver) Country() *string      { return opt(p.p.Party.Country) }
func (p *watchedPartyResolver) BirthDate() *string    { return opt(p.p.Party.BirthDate) }
func (p *watchedPartyResolver) Identifiers() []string { return nonNil(p.p.Party.Identifiers) }
func (p *watchedPartyResolver) Entity() *string       { return opt(p.p.Party.Entity) }
func (p *watchedPartyResolver) Pending() bool         { return p.p.Pending() }

func (p *watchedPartyResolver) State() *partyStateResolver {
	if p.p.State == nil {
		return nil
	}
	return &partyStateResolver{p.p.State}
}

func (p *watchedPartyResolver) Alerts(ctx context.Context, args struct{ First *int32 }) ([]*alertResolver, error) {
	n := defaultPartyAlerts
	if args.First != nil {
		if *args.First < 1 || *args.First > watch.MaxAlerts {
			return nil, badInput(fmt.Sprintf("first: must be between 1 and %d", watch.MaxAlerts))
		}
		n = int(*args.First)
	}
	as, _, err := p.r.watch.Alerts(ctx, watch.AlertFilter{Watchlist: p.p.Watchlist, Party: p.p.Party.Ref, Limit: n})
	if err != nil {
		return nil, p.r.userError(ctx, err)
	}
	out := make([]*alertResolver, len(as))
	for i := range as {
		out[i] = &alertResolver{r: p.r, a: &as[i]}
	}
	return out, nil
}

type partyStateResolver struct{ s *watch.State }

func (s *partyStateResolver) Evaluated() string { return rfc3339(s.s.Evaluated) }
func (s *partyStateResolver) Notes() []string   { return nonNil(s.s.Notes) }
func (s *partyStateResolver) Hits() []*watchHitResolver {
	out := make([]*watchHitResolver, len(s.s.Hits))
	for i := range s.s.Hits {
		out[i] = &watchHitResolver{&s.s.Hits[i]}
	}
	return out
}
func (s *partyStateResolver) Paths() []*watchPathResolver {
	out := make([]*watchPathResolver, len(s.s.Paths))
	for i := range s.s.Paths {
		out[i] = &watchPathResolver{&s.s.Paths[i]}
	}
	return out
}
func (s *partyStateResolver) Exposure() *watchExposureResolver {
	if s.s.Exposure == nil {
		return nil
	}
	return &watchExposureResolver{s.s.Exposure}
}

type watchEntityResolver struct{ e watch.EntityRef }

func (e watchEntityResolver) ID() graphql.ID {
	if e.e.Ref == "" {
		return graphql.ID(e.e.ID.String())
	}
	return graphql.ID(e.e.Ref)
}
func (e watchEntityResolver) UUID() graphql.ID { return graphql.ID(e.e.ID.String()) }
func (e watchEntityResolver) Name() string     { return e.e.Name }
func (e watchEntityResolver) Kind() *string    { return opt(e.e.Schema) }

type watchHitResolver struct{ h *watch.Hit }

func (h *watchHitResolver) Entity() watchEntityResolver { return watchEntityResolver{h.h.Entity} }
func (h *watchHitResolver) Score() float64              { return h.h.Score }
func (h *watchHitResolver) Matched() string             { return h.h.Matched }
func (h *watchHitResolver) Explanation() string         { return h.h.Explanation }
func (h *watchHitResolver) Designated() bool            { return h.h.Designated }
func (h *watchHitResolver) Names() []string             { return nonNil(h.h.Names) }
func (h *watchHitResolver) Designations() []watchDesignationResolver {
	return designationsOf(h.h.Designations)
}

type watchDesignationResolver struct{ d watch.Designation }

func designationsOf(ds []watch.Designation) []watchDesignationResolver {
	out := make([]watchDesignationResolver, len(ds))
	for i, d := range ds {
		out[i] = watchDesignationResolver{d}
	}
	return out
}

func (d watchDesignationResolver) Authority() string  { return d.d.Authority }
func (d watchDesignationResolver) Programme() *string { return opt(d.d.Programme) }
func (d watchDesignationResolver) ListedOn() *string  { return opt(d.d.ListedOn) }
func (d watchDesignationResolver) Reference() *string { return opt(d.d.Reference) }
func (d watchDesignationResolver) Lists() []string    { return nonNil(d.d.Lists) }

type watchPathResolver struct{ p *watch.PathEvidence }

func (p *watchPathResolver) Target() watchEntityResolver { return watchEntityResolver{p.p.Target} }
func (p *watchPathResolver) Start() watchEntityResolver  { return watchEntityResolver{p.p.Start} }
func (p *watchPathResolver) Via() string                 { return p.p.Via }
func (p *watchPathResolver) Hops() int32                 { return int32(p.p.Hops()) }
func (p *watchPathResolver) Steps() []watchStepResolver  { return stepsOf(p.p.Steps) }
func (p *watchPathResolver) Designations() []watchDesignationResolver {
	return designationsOf(p.p.Designations)
}

type watchStepResolver struct{ s watch.Step }

func stepsOf(ss []watch.Step) []watchStepResolver {
	out := make([]watchStepResolver, len(ss))
	for i, s := range ss {
		out[i] = watchStepResolver{s}
	}
	return out
}

func (s watchStepResolver) From() watchEntityResolver { return watchEntityResolver{s.s.From} }
func (s watchStepResolver) To() watchEntityResolver   { return watchEntityResolver{s.s.To} }
func (s watchStepResolver) Kind() string              { return s.s.Kind }
func (s watchStepResolver) Forward() bool             { return s.s.Forward }
func (s watchStepResolver) Role() *string             { return opt(s.s.Role) }
func (s watchStepResolver) Sources() []sourceResolver { return sources(s.s.Sources) }

type watchExposureResolver struct{ e *watch.Exposure }

func (e *watchExposureResolver) Entity() watchEntityResolver { return watchEntityResolver{e.e.Entity} }
func (e *watchExposureResolver) Blocked() bool               { return e.e.Blocked }
func (e *watchExposureResolver) PossiblyBlocked() bool       { return e.e.PossiblyBlocked }
func (e *watchExposureResolver) Percentage() float64         { return e.e.Percentage }
func (e *watchExposureResolver) MaxPercentage() float64      { return e.e.MaxPercentage }
func (e *watchExposureResolver) Explanation() string         { return e.e.Explanation }
func (e *watchExposureResolver) Chains() []watchChainResolver {
	out := make([]watchChainResolver, len(e.e.Chains))
	for i, c := range e.e.Chains {
		out[i] = watchChainResolver{c}
	}
	return out
}

type watchChainResolver struct{ steps []watch.Step }

func (c watchChainResolver) Steps() []watchStepResolver { return stepsOf(c.steps) }

type alertPageResolver struct {
	r    *Resolver
	as   []watch.Alert
	more bool
}

func (p *alertPageResolver) HasMore() bool { return p.more }
func (p *alertPageResolver) Alerts() []*alertResolver {
	out := make([]*alertResolver, len(p.as))
	for i := range p.as {
		out[i] = &alertResolver{r: p.r, a: &p.as[i]}
	}
	return out
}

type alertResolver struct {
	r *Resolver
	a *watch.Alert
}

func (a *alertResolver) ID() graphql.ID     { return graphql.ID(strconv.FormatUint(a.a.ID, 10)) }
func (a *alertResolver) Watchlist() string  { return a.a.Watchlist }
func (a *alertResolver) Party() string      { return a.a.Party }
func (a *alertResolver) PartyName() string  { return a.a.PartyName }
func (a *alertResolver) Kind() string       { return kindOut(a.a.Kind) }
func (a *alertResolver) Subject() string    { return a.a.Subject }
func (a *alertResolver) Reason() string     { return a.a.Reason }
func (a *alertResolver) Lists() []string    { return nonNil(a.a.Lists) }
func (a *alertResolver) Cause() string      { return a.a.Cause.String() }
func (a *alertResolver) Created() string    { return rfc3339(a.a.Created) }
func (a *alertResolver) Status() string     { return strings.ToUpper(a.a.Status) }
func (a *alertResolver) Before() *evidenceR { return evidenceOf(a.a.Before) }
func (a *alertResolver) After() *evidenceR  { return evidenceOf(a.a.After) }
func (a *alertResolver) Decisions() []decisionResolver {
	out := make([]decisionResolver, len(a.a.Decisions))
	for i, d := range a.a.Decisions {
		out[i] = decisionResolver{d}
	}
	return out
}

type evidenceR struct{ e *watch.Evidence }

func evidenceOf(e *watch.Evidence) *evidenceR {
	if e == nil {
		return nil
	}
	return &evidenceR{e}
}

func (e *evidenceR) Hit() *watchHitResolver {
	if e.e.Hit == nil {
		return nil
	}
	return &watchHitResolver{e.e.Hit}
}
func (e *evidenceR) Path() *watchPathResolver {
	if e.e.Path == nil {
		return nil
	}
	return &watchPathResolver{e.e.Path}
}
func (e *evidenceR) Exposure() *watchExposureResolver {
	if e.e.Exposure == nil {
		return nil
	}
	return &watchExposureResolver{e.e.Exposure}
}

type decisionResolver struct{ d watch.Decision }

func (d decisionResolver) Status() string { return strings.ToUpper(d.d.Status) }
func (d decisionResolver) Reason() string { return d.d.Reason }
func (d decisionResolver) By() string     { return d.d.By }
func (d decisionResolver) At() string     { return rfc3339(d.d.At) }

type watchlistImportResolver struct {
	r                 *Resolver
	rep               *watch.ImportReport
	evaluated, alerts *int
}

func (i *watchlistImportResolver) Watchlist(ctx context.Context) (*watchlistResolver, error) {
	wl, err := i.r.watch.Watchlist(ctx, i.rep.Watchlist)
	if err != nil {
		return nil, i.r.userError(ctx, err)
	}
	return &watchlistResolver{r: i.r, w: wl}, nil
}
func (i *watchlistImportResolver) Added() int32          { return int32(i.rep.Added) }
func (i *watchlistImportResolver) Changed() int32        { return int32(i.rep.Changed) }
func (i *watchlistImportResolver) Removed() int32        { return int32(i.rep.Removed) }
func (i *watchlistImportResolver) Unchanged() int32      { return int32(i.rep.Unchanged) }
func (i *watchlistImportResolver) AddedRefs() []string   { return nonNil(i.rep.AddedRefs) }
func (i *watchlistImportResolver) ChangedRefs() []string { return nonNil(i.rep.ChangedRefs) }
func (i *watchlistImportResolver) RemovedRefs() []string { return nonNil(i.rep.RemovedRefs) }
func (i *watchlistImportResolver) Evaluated() *int32     { return int32p(i.evaluated) }
func (i *watchlistImportResolver) Alerts() *int32        { return int32p(i.alerts) }

func int32p(n *int) *int32 {
	if n == nil {
		return nil
	}
	v := int32(*n)
	return &v
}

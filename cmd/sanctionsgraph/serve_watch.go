package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
	"github.com/sanctionsgraph/sanctionsgraph/ingest"
	"github.com/sanctionsgraph/sanctionsgraph/schema"
	"github.com/sanctionsgraph/sanctionsgraph/store"
	"github.com/sanctionsgraph/sanctionsgraph/web"
)

var (
	_ schema.Watch       = (*store.Store)(nil)
	_ schema.WatchWriter = (*store.Store)(nil)
	_ web.AlertFeed      = (*store.Store)(nil)
)

// watchlistParser reads the watchlist text of the API's importWatchlist
// with ingest's reader (the one of watch import), which schema cannot
// import itself.
type watchlistParser struct{}

func (watchlistParser) ParseWatchlist(ctx context.Context, data string) ([]watch.Party, error) {
	parties, _, err := ingest.ReadWatchlist(ctx, "data", strings.NewReader(data))
	var fe *ingest.FileError
	var re *ingest.RecordError
	var rs *ingest.RowsError
	switch {
	case errors.As(err, &rs), errors.As(err, &fe), errors.As(err, &re):
		return nil, &schema.Error{Code: schema.CodeBadUserInput, Message: err.Error()}
	case err != nil:
		return nil, err
	}
	return parties, nil
}

// watchLoop checks the watchlists every interval (the findings changed
// through the API since, a run of another process) and wakes the webhook
// when a check raised alerts. A store without watchlists costs a flag
// test per round.
func watchLoop(ctx context.Context, st *store.Store, interval time.Duration, wake chan<- struct{}, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !st.HasWatchlists() {
			continue
		}
		rep, err := st.WatchUpdate(ctx, store.WatchOptions{})
		if err != nil {
			if ctx.Err() == nil {
				log.Error("watch: checking the watchlists failed", "err", err)
			}
			continue
		}
		if rep.Evaluated > 0 {
			log.Info("watch: checked", "evaluated", rep.Evaluated, "alerts", rep.Alerts, "seconds", rep.Took.Seconds())
		}
		if rep.Alerts > 0 && wake != nil {
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	}
}

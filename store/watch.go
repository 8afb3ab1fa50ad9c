package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
)

// Watchlists: a user's own parties, kept under W and p keys, their states
// and the alerts (A) that changes of those states raise (graph/watch is
// the model). A party's state and the alerts describing its change are
// written in one transaction (watch_eval.go); an analyst's decision on an
// alert and the dismissal it records on the party, in another.

// watchState is the store's side of the watchlists.
type watchState struct {
	// mu: one watch writer at a time (an import, an evaluation): both
	// keep the cache in step with what they write. Decisions do not take
	// it; a decision and an evaluation that write the same party conflict
	// in Badger, and the evaluation is written again.
	mu sync.Mutex
	// on: the store holds a watchlist (watchingNow), known after once.
	once sync.Once
	on   atomic.Bool
	// changeSeq numbers change-log entries (watch_log.go).
	seqOnce   sync.Once
	changeSeq atomic.Uint64
	// alertSeq is the id of the last alert raised, read at the first
	// evaluation (under mu).
	alertSeq    uint64
	alertLoaded bool
	// cache is the in-memory view of every party (watch_cache.go), built
	// at first use (under mu).
	cache *watchCache
}

// Watchlists returns every watchlist, by name.
func (s *Store) Watchlists(ctx context.Context) ([]watch.Watchlist, error) {
	var out []watch.Watchlist
	err := s.View(ctx, func(tx *Tx) error {
		return tx.values([]byte{tagWatchlist}, func(k, v []byte) error {
			var wl watch.Watchlist
			if err := json.Unmarshal(v, &wl); err != nil {
				return fmt.Errorf("watchlist %q: %w", k, err)
			}
			out = append(out, wl)
			return nil
		})
	})
	return out, err
}

// Watchlist returns one watchlist. Returns graph.ErrNotFound if there is
// none of that name.
func (s *Store) Watchlist(ctx context.Context, name string) (*watch.Watchlist, error) {
	var wl *watch.Watchlist
	err := s.View(ctx, func(tx *Tx) (err error) {
		wl, err = tx.watchlist(name)
		return err
	})
	return wl, err
}

func (tx *Tx) watchlist(name string) (*watch.Watchlist, error) {
	v, err := tx.value(watchlistKey(name))
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("%w: no watchlist %q", graph.ErrNotFound, name)
	}
	var wl watch.Watchlist
	if err := json.Unmarshal(v, &wl); err != nil {
		return nil, fmt.Errorf("watchlist %q: %w", name, err)
	}
	return &wl, nil
}

// WatchedParty returns one party of a watchlist with its state. Returns
// graph.ErrNotFound if the watchlist has no party ref.
func (s *Store) WatchedParty(ctx context.Context, list, ref string) (*watch.WatchedParty, error) {
	var wp *watch.WatchedParty
	err := s.View(ctx, func(tx *Tx) error {
		v, err := tx.value(partyKey(list, ref))
		if err != nil {
			return err
		}
		if v == nil {
			return fmt.Errorf("%w: watchlist %q has no party %q", graph.ErrNotFound, list, ref)
		}
		wp, err = decodeParty(v)
		return err
	})
	return wp, err
}

// WatchedParties lists the parties of a watchlist in order of ref, from
// the one after ref after, at most limit; more says whether others follow.
func (s *Store) WatchedParties(ctx context.Context, list, after string, limit int) (out []watch.WatchedParty, more bool, err error) {
	err = s.View(ctx, func(tx *Tx) error {
		if _, err := tx.watchlist(list); err != nil {
			return err
		}
		prefix := partyPrefix(list)
		opts := badger.DefaultIteratorOptions
		opts.Prefix = prefix
		it := tx.txn.NewIterator(opts)
		defer it.Close()
		start := prefix
		if after != "" {
			start = append(partyKey(list, after), 0)
		}
		for it.Seek(start); it.ValidForPrefix(prefix); it.Next() {
			if len(out) == limit {
				more = true
				return nil
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return badgerErr(err)
			}
			wp, err := decodeParty(v)
			if err != nil {
				return err
			}
			out = append(out, *wp)
		}
		return nil
	})
	return out, more, err
}

func decodeParty(v []byte) (*watch.WatchedParty, error) {
	var wp watch.WatchedParty
	if err := json.Unmarshal(v, &wp); err != nil {
		return nil, fmt.Errorf("watched party: %w", err)
	}
	return &wp, nil
}

// importBatch is the number of parties written per transaction.
const importBatch = 500

// ImportWatchlist makes the watchlist name hold exactly parties: a party
// with a new ref is added, one with a known ref updated if it differs,
// and a party the list held that parties lacks is removed (with its
// state; its alerts stay). set, if not nil, replaces the watchlist's
// settings (a new watchlist without it takes the defaults). Added and
// changed parties are evaluated by the next WatchUpdate. who names the
// importer. Returns an error wrapping graph.ErrInvalid that names the
// party (by its position and ref) and the field of the first bad party,
// or a ref given twice.
func (s *Store) ImportWatchlist(ctx context.Context, name string, set *watch.Settings, parties []watch.Party) (*watch.ImportReport, error) {
	if s.opt.ReadOnly {
		return nil, fmt.Errorf("import watchlist: %w: store opened read-only", graph.ErrInvalid)
	}
	if err := watch.CheckName(name); err != nil {
		return nil, err
	}
	if set != nil {
		if err := set.Check(); err != nil {
			return nil, err
		}
	}
	seen := make(map[string]int, len(parties))
	for i := range parties {
		p := &parties[i]
		if err := p.Check(); err != nil {
			return nil, fmt.Errorf("party %d (ref %q): %w", i+1, p.Ref, err)
		}
		if j, ok := seen[p.Ref]; ok {
			return nil, fmt.Errorf("%w: party %d: ref %q is also the ref of party %d", graph.ErrInvalid, i+1, p.Ref, j+1)
		}
		seen[p.Ref] = i
	}
	s.watch.mu.Lock()
	defer s.watch.mu.Unlock()
	// From now on every graph write is logged (watch_log.go).
	s.watchingNow()
	s.watch.on.Store(true)
	c, err := s.watchCache(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	wl := &watch.Watchlist{Name: name, Created: now}
	if old, err := s.Watchlist(ctx, name); err == nil {
		wl = old
	} else if !errors.Is(err, graph.ErrNotFound) {
		return nil, err
	}
	rep := &watch.ImportReport{Watchlist: name, Parties: len(parties)}
	if set != nil && set.Normalized() != wl.Settings.Normalized() {
		rep.SettingsChanged = !wl.Created.Equal(now)
		wl.Settings = *set
	}
	wl.Settings = wl.Settings.Normalized()
	wl.Updated, wl.Parties = now, len(parties)
	for i := 0; i < len(parties); i += importBatch {
		batch := parties[i:min(i+importBatch, len(parties))]
		if err := s.importParties(ctx, c, wl, batch, now, rep); err != nil {
			return nil, err
		}
	}
	var gone []string
	for k := range c.parties {
		if _, ok := seen[k.ref]; k.list == name && !ok {
			gone = append(gone, k.ref)
		}
	}
	for i := 0; i < len(gone); i += importBatch {
		batch := gone[i:min(i+importBatch, len(gone))]
		err := s.db.Update(func(txn *badger.Txn) error {
			for _, ref := range batch {
				if err := txn.Delete(partyKey(name, ref)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("import watchlist %q: %w", name, dbErr(err))
		}
		for _, ref := range batch {
			c.remove(partyKeyOf(name, ref))
			rep.Removed++
			if len(rep.RemovedRefs) < watch.MaxReportRefs {
				rep.RemovedRefs = append(rep.RemovedRefs, ref)
			}
		}
	}
	v, err := json.Marshal(wl)
	if err != nil {
		return nil, err
	}
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(watchlistKey(name), v) }); err != nil {
		return nil, fmt.Errorf("import watchlist %q: %w", name, dbErr(err))
	}
	c.lists[name] = wl
	if err := s.db.Sync(); err != nil {
		return nil, fmt.Errorf("import watchlist %q: %w", name, badgerErr(err))
	}
	return rep, nil
}

// importParties writes one batch of parties in one transaction, keeping
// the state and dismissals of those that exist.
func (s *Store) importParties(ctx context.Context, c *watchCache, wl *watch.Watchlist, batch []watch.Party, now time.Time, rep *watch.ImportReport) error {
	var written []*watch.WatchedParty
	var r watch.ImportReport
	// A conflict: an analyst's decision on one of these parties.
	err := retryConflicts(ctx, func() error {
		txn := s.db.NewTransaction(true)
		defer txn.Discard()
		written, r = nil, watch.ImportReport{}
		return func() error {
			for i := range batch {
				p := batch[i]
				key := partyKey(wl.Name, p.Ref)
				old, err := (&Tx{txn: txn, ctx: ctx}).value(key)
				if err != nil {
					return err
				}
				input := watch.Input(&p, wl.Settings)
				wp := &watch.WatchedParty{Watchlist: wl.Name, Party: p, Input: input, Added: now, Updated: now}
				if old != nil {
					prev, err := decodeParty(old)
					if err != nil {
						return err
					}
					same := reflect.DeepEqual(prev.Party, p)
					if same && prev.Input == input {
						r.Unchanged++
						continue
					}
					if same {
						r.Unchanged++ // the settings changed
					} else {
						r.Changed++
						if len(rep.ChangedRefs)+len(r.ChangedRefs) < watch.MaxReportRefs {
							r.ChangedRefs = append(r.ChangedRefs, p.Ref)
						}
					}
					wp.State, wp.Dismissed, wp.Added = prev.State, prev.Dismissed, prev.Added
				} else {
					r.Added++
					if len(rep.AddedRefs)+len(r.AddedRefs) < watch.MaxReportRefs {
						r.AddedRefs = append(r.AddedRefs, p.Ref)
					}
				}
				v, err := json.Marshal(wp)
				if err != nil {
					return err
				}
				if err := txn.Set(key, v); err != nil {
					return err
				}
				written = append(written, wp)
			}
			return txn.Commit()
		}()
	})
	if err != nil {
		return fmt.Errorf("import watchlist %q: %w", wl.Name, dbErr(err))
	}
	rep.Added, rep.Changed, rep.Unchanged = rep.Added+r.Added, rep.Changed+r.Changed, rep.Unchanged+r.Unchanged
	rep.AddedRefs = append(rep.AddedRefs, r.AddedRefs...)
	rep.ChangedRefs = append(rep.ChangedRefs, r.ChangedRefs...)
	for _, wp := range written {
		c.put(wp)
	}
	return nil
}

// Alert returns one alert. Returns graph.ErrNotFound if there is none
// with that id.
func (s *Store) Alert(ctx context.Context, id uint64) (*watch.Alert, error) {
	var a *watch.Alert
	err := s.View(ctx, func(tx *Tx) (err error) {
		a, err = tx.alert(id)
		return err
	})
	return a, err
}

func (tx *Tx) alert(id uint64) (*watch.Alert, error) {
	v, err := tx.value(alertKey(id))
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, fmt.Errorf("%w: no alert %d", graph.ErrNotFound, id)
	}
	var a watch.Alert
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, fmt.Errorf("alert %d: %w", id, err)
	}
	return &a, nil
}

// Alerts lists the alerts f selects: newest first, or, with f.HasAfter,
// those after f.After oldest first (a feed's order). more says whether
// others match beyond the limit. Returns an error wrapping
// graph.ErrInvalid for a bad filter.
func (s *Store) Alerts(ctx context.Context, f watch.AlertFilter) (out []watch.Alert, more bool, err error) {
	if err := f.Check(); err != nil {
		return nil, false, err
	}
	limit := f.Limit
	if limit == 0 {
		limit = watch.DefaultAlerts
	}
	err = s.View(ctx, func(tx *Tx) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues, opts.Prefix = false, []byte{tagAlert}
		opts.Reverse = !f.HasAfter
		it := tx.txn.NewIterator(opts)
		defer it.Close()
		start := alertKey(f.After + 1)
		if !f.HasAfter {
			start = []byte{tagAlert, 0xff}
		} else if f.After == 1<<64-1 {
			return nil
		}
		n := 0
		for it.Seek(start); it.ValidForPrefix(opts.Prefix); it.Next() {
			if n++; n%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var a watch.Alert
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &a) }); err != nil {
				return fmt.Errorf("alert %x: %w", it.Item().Key(), err)
			}
			if !f.Match(&a) {
				continue
			}
			if len(out) == limit {
				more = true
				return nil
			}
			out = append(out, a)
		}
		return nil
	})
	return out, more, err
}

// DecideAlert records an analyst's decision on an alert: confirmed or
// dismissed, why, by whom and when (the alert keeps every decision). A
// dismissal is recorded on the party too, in the same transaction, so that
// the same evidence does not alert again (watch.Diff); a confirmation
// lifts an earlier dismissal of that evidence. Returns graph.ErrNotFound
// for an unknown alert, an error wrapping graph.ErrInvalid for a bad
// decision or reason.
func (s *Store) DecideAlert(ctx context.Context, who string, id uint64, status, reason string) (*watch.Alert, error) {
	if s.opt.ReadOnly {
		return nil, fmt.Errorf("decide alert: %w: store opened read-only", graph.ErrInvalid)
	}
	var a *watch.Alert
	err := retryConflicts(ctx, func() error {
		txn := s.db.NewTransaction(true)
		defer txn.Discard()
		var err error
		a, err = func() (*watch.Alert, error) {
			tx := &Tx{txn: txn, ctx: ctx}
			a, err := tx.alert(id)
			if err != nil {
				return nil, err
			}
			if err := a.Decide(status, reason, who, time.Now()); err != nil {
				return nil, err
			}
			av, err := json.Marshal(a)
			if err != nil {
				return nil, err
			}
			if err := txn.Set(alertKey(id), av); err != nil {
				return nil, err
			}
			pv, err := tx.value(partyKey(a.Watchlist, a.Party))
			if err != nil || pv == nil {
				return a, err // a party removed since: the alert alone
			}
			wp, err := decodeParty(pv)
			if err != nil {
				return nil, err
			}
			switch {
			case status == watch.Dismissed && a.Fingerprint != "":
				if wp.Dismissed == nil {
					wp.Dismissed = map[string]string{}
				}
				wp.Dismissed[a.Subject] = a.Fingerprint
			case status == watch.Confirmed && wp.Dismissed[a.Subject] == a.Fingerprint:
				delete(wp.Dismissed, a.Subject)
			default:
				return a, nil
			}
			pv, err = json.Marshal(wp)
			if err != nil {
				return nil, err
			}
			return a, txn.Set(partyKey(a.Watchlist, a.Party), pv)
		}()
		if err == nil {
			err = txn.Commit()
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("decide alert %d: %w", id, dbErr(err))
	}
	if err := s.db.Sync(); err != nil {
		return nil, fmt.Errorf("decide alert %d: %w", id, badgerErr(err))
	}
	return a, nil
}

// watchMeta reads a bookkeeping value (nil if absent).
func (s *Store) watchMeta(ctx context.Context, name string) (v []byte, err error) {
	err = s.View(ctx, func(tx *Tx) error {
		v, err = tx.value(watchMetaKey(name))
		return err
	})
	return v, err
}

func (s *Store) setWatchMeta(name string, v []byte) error {
	if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(watchMetaKey(name), v) }); err != nil {
		return fmt.Errorf("watch %s: %w", name, dbErr(err))
	}
	return nil
}

// WebhookCursor returns the id of the last alert the webhook delivered,
// and false if none was recorded yet.
func (s *Store) WebhookCursor(ctx context.Context) (uint64, bool, error) {
	v, err := s.watchMeta(ctx, "webhook")
	if err != nil || len(v) != 8 {
		return 0, false, err
	}
	return beUint64(v), true, nil
}

// SetWebhookCursor records that the webhook delivered every alert up to
// id.
func (s *Store) SetWebhookCursor(ctx context.Context, id uint64) error {
	return s.setWatchMeta("webhook", alertKey(id)[1:])
}

// LastAlert returns the id of the newest alert, 0 if none.
func (s *Store) LastAlert(ctx context.Context) (uint64, error) {
	var id uint64
	err := s.View(ctx, func(tx *Tx) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues, opts.Reverse, opts.Prefix = false, true, []byte{tagAlert}
		it := tx.txn.NewIterator(opts)
		defer it.Close()
		it.Seek([]byte{tagAlert, 0xff})
		if it.ValidForPrefix(opts.Prefix) {
			var err error
			id, err = parseAlertKey(it.Item().Key())
			return err
		}
		return nil
	})
	return id, err
}

func beUint64(b []byte) uint64 {
	var x uint64
	for _, c := range b {
		x = x<<8 | uint64(c)
	}
	return x
}

// HasWatchlists reports whether the store holds a watchlist.
func (s *Store) HasWatchlists() bool { return s.watchingNow() }

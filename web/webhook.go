package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/sanctionsgraph/sanctionsgraph/graph"
	"github.com/sanctionsgraph/sanctionsgraph/graph/watch"
)

// AlertFeed is what the webhook and the alert feed read. *store.Store
// implements it.
type AlertFeed interface {
	Alerts(ctx context.Context, f watch.AlertFilter) ([]watch.Alert, bool, error)
	// WebhookCursor returns the id of the last alert delivered, false if
	// none was recorded; SetWebhookCursor records it.
	WebhookCursor(ctx context.Context) (uint64, bool, error)
	SetWebhookCursor(ctx context.Context, id uint64) error
	LastAlert(ctx context.Context) (uint64, error)
}

// Webhook POSTs each new alert as JSON (the alert with its evidence, as
// `alerts --json` prints it) to a URL, in the order raised, one at a
// time. An alert counts as delivered when the receiver answers 2xx; until
// then it is sent again after a back-off that doubles from MinBackoff to
// MaxBackoff. The id of the last delivered alert is kept in the store, so
// a restart resumes after it: delivery is at least once (an alert may
// come twice if the process dies between the answer and the record), and
// every alert has an id the receiver can deduplicate on (also sent as the
// header Sanctionsgraph-Alert-Id).
type Webhook struct {
	URL  string
	Feed AlertFeed
	// Client sends the requests; nil: a client with a 30 s timeout.
	Client *http.Client
	// MinBackoff and MaxBackoff bound the wait between attempts; 0: 1 s
	// and 5 min.
	MinBackoff, MaxBackoff time.Duration
	// Poll is how often Run looks for new alerts without being woken; 0:
	// 30 s.
	Poll time.Duration
	Log  *slog.Logger
	// Sleep waits d between attempts, or until ctx is done; nil: a timer.
	// (Tests record the back-off with it rather than wait.)
	Sleep func(ctx context.Context, d time.Duration) error
}

// Batch bounds the alerts read per round of delivery.
const webhookBatch = 100

func (h *Webhook) client() *http.Client {
	if h.Client != nil {
		return h.Client
	}
	return &http.Client{Timeout: 30 * time.Second}
}

func (h *Webhook) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

// Start records the newest alert as delivered if the store has no cursor
// yet: a webhook configured on a store with alerts sends only the alerts
// raised from then on.
func (h *Webhook) Start(ctx context.Context) error {
	_, ok, err := h.Feed.WebhookCursor(ctx)
	if err != nil || ok {
		return err
	}
	last, err := h.Feed.LastAlert(ctx)
	if err != nil {
		return err
	}
	return h.Feed.SetWebhookCursor(ctx, last)
}

// Deliver sends every alert after the cursor and returns how many it
// delivered. It retries each until it is delivered or ctx is done.
func (h *Webhook) Deliver(ctx context.Context) (int, error) {
	n := 0
	for {
		cur, _, err := h.Feed.WebhookCursor(ctx)
		if err != nil {
			return n, err
		}
		as, _, err := h.Feed.Alerts(ctx, watch.AlertFilter{After: cur, HasAfter: true, Limit: webhookBatch})
		if err != nil {
			return n, err
		}
		if len(as) == 0 {
			return n, nil
		}
		for i := range as {
			if err := h.send(ctx, &as[i]); err != nil {
				return n, err
			}
			if err := h.Feed.SetWebhookCursor(ctx, as[i].ID); err != nil {
				return n, err
			}
			n++
		}
	}
}

// send POSTs one alert until the receiver takes it.
func (h *Webhook) send(ctx context.Context, a *watch.Alert) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	minB, maxB := h.MinBackoff, h.MaxBackoff
	if minB <= 0 {
		minB = time.Second
	}
	if maxB <= 0 {
		maxB = 5 * time.Minute
	}
	sleep := h.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	wait := minB
	for attempt := 1; ; attempt++ {
		err := h.post(ctx, a.ID, body)
		if err == nil {
			if attempt > 1 {
				h.log().Info("webhook: alert delivered", "alert", a.ID, "attempts", attempt)
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		h.log().Warn("webhook: delivery failed; will retry", "alert", a.ID, "attempt", attempt, "retry_in", wait, "err", err)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		wait = min(2*wait, maxB)
	}
}

func (h *Webhook) post(ctx context.Context, id uint64, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sanctionsgraph-Alert-Id", strconv.FormatUint(id, 10))
	resp, err := h.client().Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%s answered %s", h.URL, resp.Status)
	}
	return nil
}

// Run delivers alerts until ctx is done: at once, then whenever wake
// fires (new alerts were written) or every Poll.
func (h *Webhook) Run(ctx context.Context, wake <-chan struct{}) error {
	poll := h.Poll
	if poll <= 0 {
		poll = 30 * time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := h.Deliver(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			h.log().Error("webhook: reading the alerts failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-t.C:
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// maxFeedAlerts bounds one page of the alert feed.
const maxFeedAlerts = 1000

// alertFeed serves GET /alerts.jsonl?after=ID&limit=N: the alerts after
// id (0 for every one), oldest first, one JSON object a line, for batch
// systems that poll. The last line's id is the next request's after; the
// header Sanctionsgraph-More says whether more follow.
func (s *server) alertFeed() http.Handler {
	if s.opt.Alerts == nil {
		return nil
	}
	feed := s.opt.Alerts
	return http.TimeoutHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		q := r.URL.Query()
		f := watch.AlertFilter{HasAfter: true, Limit: maxFeedAlerts, Watchlist: q.Get("watchlist")}
		if v := q.Get("after"); v != "" {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				http.Error(w, "after: "+strconv.Quote(v)+" is not an alert id (a number)", http.StatusBadRequest)
				return
			}
			f.After = n
		}
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxFeedAlerts {
				http.Error(w, fmt.Sprintf("limit: must be a number between 1 and %d", maxFeedAlerts), http.StatusBadRequest)
				return
			}
			f.Limit = n
		}
		as, more, err := feed.Alerts(r.Context(), f)
		if errors.Is(err, graph.ErrInvalid) {
			http.Error(w, "bad filter", http.StatusBadRequest)
			return
		}
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		w.Header().Set("Sanctionsgraph-More", strconv.FormatBool(more))
		enc := json.NewEncoder(w)
		for i := range as {
			if err := enc.Encode(&as[i]); err != nil {
				return
			}
		}
	}), s.opt.Timeout, "the request took too long and was stopped")
}

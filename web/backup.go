package web

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// BackupFunc writes a consistent snapshot of the store to w and returns
// the bytes written. (*store.Store).Backup is one.
type BackupFunc func(ctx context.Context, w io.Writer) (int64, error)

// backup serves GET /admin/backup: an online backup of the running
// server's store, for a write token (Authorization: Bearer TOKEN). A server
// without Options.Backup has no backup route; one without write tokens
// refuses every request with 403.
func (s *server) backup() http.Handler {
	if s.opt.Backup == nil {
		return nil
	}
	opt := s.opt
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if opt.Writers == nil {
			writeError(w, http.StatusForbidden, "FORBIDDEN", "this server has no write token; start it with --write-token-file to take backups over HTTP")
			return
		}
		name, ok := opt.Writers.Authenticate(r.Header.Get("Authorization"))
		if !ok {
			opt.Log.WarnContext(r.Context(), "backup: request without a valid write token refused", "remote", r.RemoteAddr)
			w.Header().Set("WWW-Authenticate", `Bearer realm="sanctionsgraph"`)
			writeError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "a valid write token is required")
			return
		}
		// A backup of a large store takes longer than the server's write
		// timeout, which bounds GraphQL answers.
		rc := http.NewResponseController(w)
		rc.SetWriteDeadline(time.Time{})
		start := time.Now()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="sanctionsgraph-%s.backup"`, start.UTC().Format("20060102T150405Z")))
		w.Header().Set("Cache-Control", "no-store")
		n, err := opt.Backup(r.Context(), w)
		if err != nil {
			// The status is sent: cut the connection, so that the client
			// sees a truncated download (and restore a damaged file)
			// rather than a short file that looks whole.
			opt.Log.ErrorContext(r.Context(), "backup failed", "who", name, "bytes", n, "err", err)
			panic(http.ErrAbortHandler)
		}
		opt.Log.InfoContext(r.Context(), "backup", "who", name, "bytes", n, "seconds", time.Since(start).Seconds())
	})
}

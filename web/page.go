package web

import (
	"io/fs"
	"net/http"
)

// routePage serves the investigator's page at / and its assets (bundled
// from web/ui/src/app by web/ui/build.sh, embedded) under /app/.
func routePage(mux *http.ServeMux, sub fs.FS) {
	assets := http.FileServerFS(sub)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w)
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, sub, "app/index.html")
	})
	mux.Handle("GET /app/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/app/" || r.URL.Path == "/app/index.html" {
			// The page is served at / with its security headers.
			http.Redirect(w, r, "/", http.StatusMovedPermanently)
			return
		}
		// The file names carry no version: revalidate so that a new binary
		// never serves a page with the old script.
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		assets.ServeHTTP(w, r)
	}))
}

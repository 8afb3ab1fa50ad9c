package web

import (
	"net/http"
)

// graphiqlPage serves GraphiQL at /graphiql.
func (s *server) graphiqlPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w)
		http.ServeFileFS(w, r, s.static, "graphiql/index.html")
	})
}

// graphiqlAssets serves GraphiQL's bundle (built from web/ui/src/graphiql
// by web/ui/build.sh, embedded) under /graphiql/.
func (s *server) graphiqlAssets() http.Handler {
	assets := http.FileServerFS(s.static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/graphiql/" {
			http.Redirect(w, r, "/graphiql", http.StatusMovedPermanently)
			return
		}
		w.Header().Set("Cache-Control", graphiqlCacheControl)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		assets.ServeHTTP(w, r)
	})
}

// page serves the investigator's page at /.
func (s *server) page() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setPageHeaders(w)
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, s.static, "app/index.html")
	})
}

// pageAssets serves the page's bundle (built from web/ui/src/app by
// web/ui/build.sh, embedded) under /app/.
func (s *server) pageAssets() http.Handler {
	assets := http.FileServerFS(s.static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	})
}

// setPageHeaders sets the security headers of HTML pages: everything comes
// from this server.
func setPageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

package web

import "time"

// This file holds every bound the package applies, so that the limits of
// the HTTP API can be read (and changed) in one place. README.md's
// "Limits" table describes them for users; cmd/sanctionsgraph starts its
// flags from the defaults here. The bounds of an export's content are
// package export's (export.DefaultMaxEntities, ...), and those of query
// execution are schema.Limits.

// Defaults of Options: a zero field takes these.
const (
	// DefaultMaxBody bounds a request body, in bytes (Options.MaxBody);
	// a larger GraphQL request gets 413.
	DefaultMaxBody = 1 << 20
	// DefaultTimeout bounds one GraphQL request, and the collecting of
	// one export (Options.Timeout).
	DefaultTimeout = 10 * time.Second
	// DefaultMaxConcurrent bounds the GraphQL requests executed at once
	// (Options.MaxConcurrent).
	DefaultMaxConcurrent = 64
	// DefaultQueueWait is how long a GraphQL request waits for one of
	// those slots before it gets 503 TOO_BUSY (Options.QueueWait).
	DefaultQueueWait = 2 * time.Second
	// DefaultExportConcurrent bounds the exports collected and encoded at
	// once (ExportOptions.MaxConcurrent); another gets 503 TOO_BUSY at
	// once. Writing an encoded export to its client holds no slot.
	DefaultExportConcurrent = 4
	// DefaultMaxLoadsInFlight bounds the entities and relationships read
	// by all the GraphQL requests executing at once
	// (Options.MaxLoadsInFlight): ten requests at the per-request
	// schema.Limits.MaxLoads. A request that finds none left is stopped
	// with TOO_BUSY. Measured with 24 clients sending the fan-out query of
	// issue 13 on a 150k-entity synthetic network (TestFanOutAnswersWithin
	// Limit at that scale): the heap in use grew 0.8 GB at the peak,
	// against 1.8 GB with no shared bound (0.65 GB at half this bound).
	DefaultMaxLoadsInFlight = 10 * 50_000
	// readersPerCPU bounds the store reads of GraphQL requests running at
	// once, per CPU (schema.Budget): the other resolvers wait parked, so
	// that the goroutines answering on time (a TIMEOUT when the limit
	// passes) are not queued behind hundreds of runnable ones.
	readersPerCPU = 4
	// DefaultMaxAnswer bounds one GraphQL answer, in bytes
	// (Options.MaxAnswer).
	DefaultMaxAnswer = 32 << 20
	// DefaultAnswerMemory bounds the bytes of the answers, GraphQL and
	// exports, held in memory at once while they are written
	// (Options.AnswerMemory).
	DefaultAnswerMemory = 512 << 20
)

// Limits of the http.Server in front of the handler, which the command
// sets: the handler cannot set its own connection limits.
const (
	// ReadHeaderTimeout and ReadTimeout bound reading a request's header
	// and whole request (slow clients hold no connection for long).
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second
	// WriteTimeoutGrace is added to Options.Timeout to make the server's
	// WriteTimeout: the time to write an answer once it has been computed.
	// GET /export and GET /admin/backup set their own write deadlines.
	WriteTimeoutGrace = 20 * time.Second
	// IdleTimeout closes a keep-alive connection idle this long.
	IdleTimeout = 2 * time.Minute
	// MaxHeaderBytes bounds the request header.
	MaxHeaderBytes = 64 << 10
	// ShutdownTimeout is how long a stopping server lets requests in
	// flight finish.
	ShutdownTimeout = 15 * time.Second
)

// Limits of single responses.
const (
	// MaxErrors bounds the errors of one GraphQL answer: the first
	// MaxErrors are kept and one more says how many were left out (a
	// 754-byte query made 43,246 errors, 11 MB, before; issue 13).
	MaxErrors = 100
	// answerWriteTime is the write deadline of a GraphQL answer, from when
	// it is ready.
	answerWriteTime = WriteTimeoutGrace
	// exportWriteTime bounds the writing of an export, from when it is
	// encoded: writing a large export to a slow link may take longer than
	// collecting it. (GET /admin/backup has no write deadline at all: a
	// backup of a large store takes minutes.)
	exportWriteTime = 2 * time.Minute
	// exportWriteIdle bounds the wait for a client to take each
	// writeChunk of an export: a client that stops reading is cut off
	// after it, and frees the answer memory its export holds.
	exportWriteIdle = 10 * time.Second
	// writeChunk is the piece of an answer each write deadline covers.
	writeChunk = 64 << 10
	// retryAfter is the Retry-After of a 503 TOO_BUSY, in seconds.
	retryAfter = "1"
	// maxFilenameBase bounds the name of an export download (before its
	// extension), in bytes.
	maxFilenameBase = 80
	// maxLoggedPath bounds the URL path an access-log line shows, in bytes.
	maxLoggedPath = 200
	// graphiqlCacheControl lets browsers keep GraphiQL's bundle an hour;
	// the investigator's page is revalidated every time (no-cache) as its
	// file names carry no version.
	graphiqlCacheControl = "public, max-age=3600"
)

// Limits of write tokens (auth.go).
const (
	// MinTokenLength is the shortest write token accepted.
	MinTokenLength = 16
	// maxTokenName bounds the name of a write token, in bytes.
	maxTokenName = 64
	// maxTokenLine bounds a line of a write-token file, in bytes.
	maxTokenLine = 1 << 20
)

package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/sanctionsgraph/sanctionsgraph/graph"
)

// dbError is an error from Badger as the store returns it. Error gives a
// sentence for people, without Badger's internals where a clearer one
// exists; errors.Is finds the graph sentinel the error means, if any
// (graph.ErrNotFound for badger.ErrKeyNotFound, graph.ErrConflict for
// badger.ErrConflict, graph.ErrInvalid for badger.ErrTxnTooBig), and
// Badger's original error, kept in the chain for logs and the store's own
// tests. Callers outside the store check the graph sentinels only.
type dbError struct {
	msg  string
	kind error // a graph sentinel, or nil
	err  error // Badger's error
}

func (e *dbError) Error() string { return e.msg }

// Unwrap returns the graph sentinel (if any) and Badger's error.
func (e *dbError) Unwrap() []error {
	if e.kind != nil {
		return []error{e.kind, e.err}
	}
	return []error{e.err}
}

// badgerErrors are the Badger errors the store gives a meaning or a
// clearer sentence.
var badgerErrors = []struct {
	err  error
	kind error
	msg  string
}{
	{badger.ErrKeyNotFound, graph.ErrNotFound, "not found"},
	{badger.ErrConflict, graph.ErrConflict, "a concurrent change got there first; try again"},
	{badger.ErrTxnTooBig, errTooLarge, "the change is too large for one transaction"},
	{badger.ErrTruncateNeeded, nil, "the value log is damaged; the store needs repair"},
	{badger.ErrDBClosed, nil, "the store is closed"},
	{badger.ErrBlockedWrites, nil, "the store takes no writes now (it is closing)"},
	{badger.ErrReadOnlyTxn, nil, "the store is open read-only"},
	{badger.ErrEncryptionKeyMismatch, nil, "the store is encrypted with another key"},
}

// inUse is the sentence for a store another process holds open.
const inUse = "the store is in use by another process (is a server or an ingest running on it?)"

// classify returns the *dbError for err if it is one of badgerErrors or
// Badger's directory lock, else nil.
func classify(err error) *dbError {
	for _, b := range badgerErrors {
		if errors.Is(err, b.err) {
			return &dbError{msg: b.msg, kind: b.kind, err: err}
		}
	}
	// Badger states a held directory lock, and a key or value over its
	// size limit, only in words (the latter followed by a hex dump of the
	// value, which is kept out of the message and the chain).
	s := err.Error()
	if strings.Contains(s, "Cannot acquire directory lock") || strings.Contains(s, "resource temporarily unavailable") {
		return &dbError{msg: inUse, err: err}
	}
	if m := sizeLimitRE.FindStringSubmatch(s); m != nil {
		return &dbError{msg: fmt.Sprintf("a %s of %s bytes is more than the %s the store takes", strings.ToLower(m[1]), m[2], m[3]),
			kind: errTooLarge, err: errors.New(strings.TrimSuffix(m[0], "."))}
	}
	return nil
}

// sizeLimitRE matches Badger's "Value with size 12889029 exceeded 1048576 limit."
var sizeLimitRE = regexp.MustCompile(`^(Key|Value) with size (\d+) exceeded (\d+) limit\.`)

// errTooLarge is the kind of the errors of a change too large to store: a
// transaction or a value over Badger's limits. It is graph.ErrInvalid.
var errTooLarge = fmt.Errorf("%w: too large", graph.ErrInvalid)

// dbErr wraps err, returned by a Badger call that may also pass on the
// store's own errors (a View or Update callback), if it is a Badger error
// the store knows (badgerErrors). Errors the store made itself, nil and
// errors already wrapped come back unchanged.
func dbErr(err error) error {
	var de *dbError
	if err == nil || errors.As(err, &de) {
		return err
	}
	if d := classify(err); d != nil {
		return d
	}
	return err
}

// badgerErr wraps err, which only Badger can have returned (Open, Close,
// Sync, Commit, a value read), as a *dbError: with a clearer sentence for
// the errors the store knows, else with Badger's own text.
func badgerErr(err error) error {
	var de *dbError
	if w := dbErr(err); w != err || err == nil || errors.As(err, &de) {
		return w // nil, known to the store, or wrapped before
	}
	return &dbError{msg: err.Error(), err: err}
}

// conflictRetries is how many times a write that lost a conflict to a
// concurrent writer is tried again before the conflict is the answer.
const conflictRetries = 20

// retryConflicts runs attempt, one transaction, again while it loses a
// conflict to a concurrent writer (at most conflictRetries times, waiting a
// millisecond longer each time), and returns its last error. It stops at
// ctx's end.
func retryConflicts(ctx context.Context, attempt func() error) error {
	for n := 0; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := attempt()
		if !errors.Is(err, badger.ErrConflict) || n >= conflictRetries {
			return err
		}
		time.Sleep(time.Duration(n+1) * time.Millisecond)
	}
}

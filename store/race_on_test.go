//go:build race

package store_test

// raceEnabled is set when the tests run under the race detector, which
// slows screening tenfold: long quality runs skip then (.ci/run runs them
// without it).
const raceEnabled = true

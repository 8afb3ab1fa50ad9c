//go:build race

package web_test

// raceEnabled is set when the tests run under the race detector, which
// slows everything several times: the overload tests then send less, so
// that the time limits they check measure the server, not the detector.
const raceEnabled = true

//go:build unix

package store_test

import "syscall"

// cpuSeconds returns the CPU time (user and system) the process has used,
// to report CPU per screen: on a machine shared with other work the
// wall-clock rate says more about the neighbours than about screening.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

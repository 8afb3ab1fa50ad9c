//go:build !linux

package store

func adviseMappings(dir string, pageout, unmap bool) (int, error) { return 0, nil }

func mappedResident() int64 { return 0 }

func evictCache(dir string) {}

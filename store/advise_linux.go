package store

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// adviseMappings gives the kernel hints about Badger's memory-mapped
// files (tables, value log, write-ahead log), found in /proc/self/maps.
//
// Badger maps its files with the default advice, so every page fault reads
// a window of pages around the one needed: a server answering random
// look-ups then holds most of the store in its resident memory. MADV_RANDOM
// makes a fault read one page. MADV_PAGEOUT (pageout) drops the pages
// already mapped, such as those the index build scanned.
//
// Both are hints: applied to a range that was unmapped or reused in the
// meantime, they change nothing of its contents.
//
// With unmap, neither is given: MADV_DONTNEED takes the pages out of the
// process (its resident memory) and leaves them in the page cache, so a
// scan that reads them again (an ingest's merge search and index build
// read back what the bulk load wrote) finds them there, with the kernel's
// read-ahead. The mappings are all MAP_SHARED (ristretto's z.Mmap): a
// written page is in the page cache, and dropping it from the process
// loses nothing.
func adviseMappings(dir string, pageout, unmap bool) (ranges int, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return 0, err
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		// start-end perms offset dev inode path
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 {
			continue
		}
		path := strings.Join(fields[5:], " ")
		if filepath.Dir(path) != abs || !(strings.HasSuffix(path, ".sst") || strings.HasSuffix(path, ".vlog") || strings.HasSuffix(path, ".mem")) {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		if unmap {
			madvise(uintptr(start), uintptr(end-start), unix.MADV_DONTNEED)
			ranges++
			continue
		}
		madvise(uintptr(start), uintptr(end-start), unix.MADV_RANDOM)
		if pageout {
			madvise(uintptr(start), uintptr(end-start), unix.MADV_PAGEOUT)
		}
		ranges++
	}
	return ranges, sc.Err()
}

func madvise(addr, length uintptr, advice int) {
	// Errors (ENOMEM: the range is gone; EINVAL: an old kernel without
	// MADV_PAGEOUT) only mean the hint was not applied.
	syscall.Syscall(syscall.SYS_MADVISE, addr, length, uintptr(advice))
}

// mappedResident returns the resident size of the process's file-backed
// mappings (RssFile), or 0 if unknown.
func mappedResident() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "RssFile:" {
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v * 1024
		}
	}
	return 0
}

// evictCache drops the store's files from the page cache
// (POSIX_FADV_DONTNEED: clean pages only; nothing is lost). After a bulk
// ingest they are all cached, and the kernel's fault-around then maps up to
// 16 cached pages around each page a reader touches: a server would hold
// much of the store resident for nothing. Evicted, pages come back one at a
// time as they are read.
func evictCache(dir string) {
	for _, pat := range []string{"*.sst", "*.vlog"} {
		files, _ := filepath.Glob(filepath.Join(dir, pat))
		for _, name := range files {
			f, err := os.Open(name)
			if err != nil {
				continue
			}
			unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
			f.Close()
		}
	}
}

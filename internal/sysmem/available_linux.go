package sysmem

import (
	"bufio"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
)

// Available returns the memory in bytes this process can count on, and
// where that number comes from: MemAvailable of /proc/meminfo (MemTotal on
// kernels without it), or the memory limit of the process's cgroup (v1 or
// v2, as Slurm and containers set it) when that is lower. ok is false if
// neither can be read.
func Available() (bytes int64, source string, ok bool) { return availableMemory(os.DirFS("/")) }

// availableMemory reads the files of Available from root.
func availableMemory(root fs.FS) (bytes int64, source string, ok bool) {
	bytes, ok = meminfo(root)
	source = "available on this machine"
	if limit, found := cgroupLimit(root); found && (!ok || limit < bytes) {
		bytes, source, ok = limit, "of this process's cgroup memory limit", true
	}
	return bytes, source, ok
}

// meminfo returns MemAvailable, or MemTotal, of /proc/meminfo in bytes.
func meminfo(root fs.FS) (int64, bool) {
	f, err := root.Open("proc/meminfo")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	values := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text()) // "MemAvailable:   24002868 kB"
		if len(fields) == 3 && fields[2] == "kB" {
			if v, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
				values[strings.TrimSuffix(fields[0], ":")] = v << 10
			}
		}
	}
	for _, key := range []string{"MemAvailable", "MemTotal"} {
		if v, ok := values[key]; ok {
			return v, true
		}
	}
	return 0, false
}

// unlimited is where a cgroup v1 limit means "none" (the kernel writes a
// number just below 2⁶³).
const unlimited = 1 << 62

// cgroupLimit returns the lowest memory limit of the process's cgroup and
// its ancestors, v2 (memory.max) or v1 (memory.limit_in_bytes).
func cgroupLimit(root fs.FS) (int64, bool) {
	cgroups, err := fs.ReadFile(root, "proc/self/cgroup")
	if err != nil {
		return 0, false
	}
	mounts, err := fs.ReadFile(root, "proc/self/mountinfo")
	if err != nil {
		return 0, false
	}
	var v1, v2 string // the process's cgroup in each hierarchy
	for _, line := range strings.Split(string(cgroups), "\n") {
		parts := strings.SplitN(line, ":", 3) // "4:memory:/path" or "0::/path"
		if len(parts) != 3 {
			continue
		}
		if parts[0] == "0" && parts[1] == "" {
			v2 = parts[2]
		}
		for _, c := range strings.Split(parts[1], ",") {
			if c == "memory" {
				v1 = parts[2]
			}
		}
	}
	best, found := int64(0), false
	for _, line := range strings.Split(string(mounts), "\n") {
		// "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory"
		before, after, ok := strings.Cut(line, " - ")
		fields, tail := strings.Fields(before), strings.Fields(after)
		if !ok || len(fields) < 5 || len(tail) < 3 {
			continue
		}
		mountRoot, mountPoint := fields[3], fields[4]
		var group, limitFile string
		switch {
		case tail[0] == "cgroup2" && v2 != "":
			group, limitFile = v2, "memory.max"
		case tail[0] == "cgroup" && v1 != "" && hasOption(tail[2], "memory"):
			group, limitFile = v1, "memory.limit_in_bytes"
		default:
			continue
		}
		rel := strings.TrimPrefix(group, mountRoot) // the mount may show only part of the tree
		top := strings.TrimPrefix(path.Clean(mountPoint), "/")
		for dir := path.Join(top, rel); ; dir = path.Dir(dir) {
			if v, ok := readLimit(root, path.Join(dir, limitFile)); ok && (!found || v < best) {
				best, found = v, true
			}
			if dir == top || !strings.HasPrefix(dir, top+"/") {
				break
			}
		}
	}
	return best, found
}

// hasOption reports whether the comma-separated options include opt.
func hasOption(options, opt string) bool {
	for _, o := range strings.Split(options, ",") {
		if o == opt {
			return true
		}
	}
	return false
}

// readLimit reads a cgroup memory limit; "max" and the v1 number for no
// limit are not limits.
func readLimit(root fs.FS, name string) (int64, bool) {
	b, err := fs.ReadFile(root, name)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || v <= 0 || v >= unlimited {
		return 0, false
	}
	return v, true
}

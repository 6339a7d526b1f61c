package sysmem

import (
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
)

func TestAvailableMemory(t *testing.T) {
	meminfo := "MemTotal:       24684084 kB\nMemFree:        20000000 kB\nMemAvailable:   24002868 kB\n"
	v1 := fstest.MapFS{
		"proc/meminfo":        {Data: []byte(meminfo)},
		"proc/self/cgroup":    {Data: []byte("9:name=systemd:/\n4:memory:/slurm/uid_0/job_7\n0::/\n")},
		"proc/self/mountinfo": {Data: []byte("35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n")},
		"sys/fs/cgroup/memory/memory.limit_in_bytes":                   {Data: []byte("9223372036854771712\n")},
		"sys/fs/cgroup/memory/slurm/memory.limit_in_bytes":             {Data: []byte("9223372036854771712\n")},
		"sys/fs/cgroup/memory/slurm/uid_0/job_7/memory.limit_in_bytes": {Data: []byte("4294967296\n")},
	}
	v2 := fstest.MapFS{
		"proc/meminfo":                                    {Data: []byte(meminfo)},
		"proc/self/cgroup":                                {Data: []byte("0::/system.slice/job.scope\n")},
		"proc/self/mountinfo":                             {Data: []byte("30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n")},
		"sys/fs/cgroup/system.slice/memory.max":           {Data: []byte("2147483648\n")},
		"sys/fs/cgroup/system.slice/job.scope/memory.max": {Data: []byte("max\n")},
	}
	// A container sees its own cgroup as the root of the mount.
	container := fstest.MapFS{
		"proc/meminfo":                 {Data: []byte(meminfo)},
		"proc/self/cgroup":             {Data: []byte("0::/docker/abc\n")},
		"proc/self/mountinfo":          {Data: []byte("30 23 0:26 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n")},
		"sys/fs/cgroup/memory.max":     {Data: []byte("1073741824\n")},
		"sys/fs/cgroup/docker/abc/foo": {Data: []byte("")},
	}
	noCgroup := fstest.MapFS{"proc/meminfo": {Data: []byte(meminfo)}}
	oldKernel := fstest.MapFS{"proc/meminfo": {Data: []byte("MemTotal:       1000 kB\nMemFree: 10 kB\n")}}
	for _, c := range []struct {
		name   string
		root   fstest.MapFS
		want   int64
		source string
		ok     bool
	}{
		{"cgroup v1 job limit", v1, 4 << 30, "cgroup", true},
		{"cgroup v2 parent limit", v2, 2 << 30, "cgroup", true},
		{"container", container, 1 << 30, "cgroup", true},
		{"MemAvailable", noCgroup, 24002868 << 10, "available on this machine", true},
		{"MemTotal", oldKernel, 1000 << 10, "available on this machine", true},
		{"nothing", fstest.MapFS{}, 0, "", false},
	} {
		got, source, ok := availableMemory(c.root)
		if got != c.want || ok != c.ok || !strings.Contains(source, c.source) {
			t.Errorf("%s: %d (%s, %v), want %d (%s)", c.name, got, source, ok, c.want, c.source)
		}
	}
	if b, _, ok := Available(); runtime.GOOS == "linux" && (!ok || b <= 0) {
		t.Errorf("this machine: %d bytes, %v", b, ok)
	}
}

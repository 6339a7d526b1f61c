// Package sysmem reads from the operating system how much memory this
// process can count on (Available: /proc/meminfo and the cgroup limit on
// Linux, the physical memory on macOS) and the peak resident memory it has
// used so far (PeakRSSMB). Commands use them to refuse sizes that cannot fit
// before allocating, and to report what a run took.
package sysmem

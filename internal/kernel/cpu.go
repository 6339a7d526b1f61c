package kernel

import (
	"runtime"

	"golang.org/x/sys/cpu"
)

// Features lists the CPU features that matter to the kernels and that this
// CPU (and its operating system) offers, for example [avx2 fma avx512f] on
// amd64; on other architectures only the architecture is named.
func Features() []string {
	var out []string
	if runtime.GOARCH == "amd64" {
		for _, f := range []struct {
			name string
			has  bool
		}{
			{"sse4.1", cpu.X86.HasSSE41}, {"avx", cpu.X86.HasAVX}, {"avx2", cpu.X86.HasAVX2},
			{"fma", cpu.X86.HasFMA}, {"avx512f", cpu.X86.HasAVX512F},
		} {
			if f.has {
				out = append(out, f.name)
			}
		}
	}
	if runtime.GOARCH == "arm64" {
		out = append(out, "asimd")
		if cpu.ARM64.HasSVE {
			out = append(out, "sve")
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/igr-project/igr/internal/kernel"
)

var versionCmd = &command{
	name:    "version",
	summary: "print igr's version, the matrix kernel it computes with and the CPU features it sees",
	usage:   "",
	setup: func(fs *flag.FlagSet, env *environment) func(context.Context) error {
		return func(context.Context) error {
			version := "(devel)"
			if info, ok := debug.ReadBuildInfo(); ok {
				version = info.Main.Version
				for _, s := range info.Settings {
					if s.Key == "vcs.revision" {
						version += " " + s.Value
					}
				}
			}
			k := kernel.Default()
			chosen := "the fastest available"
			if v := os.Getenv(kernel.EnvVar); v != "" {
				chosen = kernel.EnvVar + "=" + v
			}
			fmt.Fprintf(env.stdout, "igr %s\n", version)
			fmt.Fprintf(env.stdout, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			fmt.Fprintf(env.stdout, "kernel: %s (%s; available: %s)\n", k.Name(), chosen, strings.Join(kernel.Available(), ", "))
			fmt.Fprintf(env.stdout, "cpu features: %s\n", strings.Join(kernel.Features(), " "))
			return nil
		}
	},
}

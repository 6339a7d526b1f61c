package experiment

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"sort"

	"github.com/igr-project/igr/train"
)

// RunFingerprint identifies a run by everything that determines its result:
// the architecture, the data, the initial parameters and the training
// settings. A checkpoint resumes only a run with the same fingerprint.
func RunFingerprint(s *Setup, st *train.Settings) string {
	h := sha256.New()
	fmt.Fprintf(h, "arch=%s dim=%d width=%d scale=%g rng=%s seed=%d dtype=%s\n", s.Arch, s.Dim, s.Width, s.Scale, s.RNG, s.Seed, s.Dtype)
	fmt.Fprintf(h, "lr=%g tol=%g max=%d steps=%d sigma=%g noise=%d history=%d bound=%g\n", st.LearningRate, st.Tol,
		st.MaxSteps, st.Steps, st.LabelNoise, st.NoiseSeed, st.HistoryEvery, st.DivergenceBound)
	if st.Batch > 0 {
		fmt.Fprintf(h, "batch=%d batchseed=%d\n", st.Batch, st.BatchSeed)
	}
	if st.Sharpness || st.TrackSharpness > 0 || st.HistoryFirst > 0 {
		fmt.Fprintf(h, "sharpness=%t track=%d tol=%g first=%d\n", st.Sharpness, st.TrackSharpness, st.SharpnessTol, st.HistoryFirst)
	}
	writeSetup(h, s)
	for _, p := range append(append(st.Penalties[:0:0], st.Penalties...), st.Measures...) {
		fmt.Fprintf(h, "term %s %+v\n", p.Name(), p)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// SetupIdentity is a fingerprint of a setup's data and initial parameters.
func SetupIdentity(s *Setup) string {
	h := sha256.New()
	writeSetup(h, s)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// writeSetup hashes the data and the initial parameters of s.
func writeSetup(h hash.Hash, s *Setup) {
	d := s.Data()
	for _, part := range [][]float64{d.Train.X, d.Train.Y, d.Test.X, d.Test.Y, s.Problem.Init.Flat()} {
		var b [8]byte
		for _, x := range part {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
			h.Write(b[:])
		}
		h.Write([]byte{0})
	}
}

// Describe returns the settings that change what an experiment computes —
// every parameter of settings but the operational ones — as the command
// line writes them.
func Describe(settings any) map[string]string {
	out := map[string]string{}
	for _, f := range Fields(settings) {
		if !f.Param.Operational {
			if v := f.String(); v != "" {
				out[f.Name()] = v
			}
		}
	}
	return out
}

// Identity is the configuration of settings in a folder's manifest: a
// fingerprint of Describe(settings) and of extra, what else determines the
// results (the data and initializations, see SetupIdentity).
func Identity(settings any, extra string) string {
	d := Describe(settings)
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s\n", k, d[k])
	}
	fmt.Fprintf(h, "%s\n", extra)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// HashString returns a short hash of s.
func HashString(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])[:16]
}

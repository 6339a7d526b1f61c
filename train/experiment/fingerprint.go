package experiment

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"

	"github.com/igr-project/igr/train"
)

// fingerprint identifies a run by everything that determines its result: the
// architecture, the data, the initial parameters and the training settings.
// A checkpoint resumes only a run with the same fingerprint.
func fingerprint(s *Setup, st *train.Settings) string {
	h := sha256.New()
	fmt.Fprintf(h, "arch=%s dim=%d width=%d scale=%g rng=%s seed=%d dtype=%s\n", s.Arch, s.Dim, s.Width, s.Scale, s.RNG, s.Seed, s.Dtype)
	fmt.Fprintf(h, "lr=%g tol=%g max=%d steps=%d sigma=%g noise=%d history=%d bound=%g\n", st.LearningRate, st.Tol,
		st.MaxSteps, st.Steps, st.LabelNoise, st.NoiseSeed, st.HistoryEvery, st.DivergenceBound)
	if st.Batch > 0 {
		fmt.Fprintf(h, "batch=%d batchseed=%d\n", st.Batch, st.BatchSeed)
	}
	d := s.Data()
	for _, part := range [][]float64{d.Train.X, d.Train.Y, d.Test.X, d.Test.Y, s.Problem.Init.Flat()} {
		writeFloats(h, part)
	}
	for _, p := range append(append(st.Penalties[:0:0], st.Penalties...), st.Measures...) {
		fmt.Fprintf(h, "term %s %+v\n", p.Name(), p)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// hashString returns a short hash of s.
func hashString(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])[:16]
}

func writeFloats(h hash.Hash, v []float64) {
	var b [8]byte
	for _, x := range v {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(x))
		h.Write(b[:])
	}
	h.Write([]byte{0})
}

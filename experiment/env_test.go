package experiment

import (
	"bytes"
	"testing"

	"github.com/igr-project/igr/internal/progress"
	"github.com/igr-project/igr/train"
)

// TestStartProgressTracksFixedRuns checks that in a job whose total is not
// known in advance the runs of fixed length report through their own
// tracker, named, and that a job of fixed runs only needs none.
func TestStartProgressTracksFixedRuns(t *testing.T) {
	var buf bytes.Buffer
	jobs := []train.Job{{Settings: train.Settings{Steps: 100_000}}, {Settings: train.Settings{}}, {Settings: train.Settings{Steps: 50}}}
	rep := StartProgress(&buf, "reproduce", jobs, "label_noise", "plain")
	defer rep.Stop()
	if _, ok := jobs[0].Settings.Progress.(*progress.Run); !ok {
		t.Errorf("the label-noise run reports to %T, want its own *progress.Run", jobs[0].Settings.Progress)
	}
	if jobs[1].Settings.Progress != rep {
		t.Errorf("the run of unknown length reports to %v, want the job's reporter", jobs[1].Settings.Progress)
	}
	if _, ok := jobs[2].Settings.Progress.(*progress.Run); !ok {
		t.Errorf("the unnamed fixed run reports to %T, want its own *progress.Run", jobs[2].Settings.Progress)
	}

	fixed := []train.Job{{Settings: train.Settings{Steps: 10}}, {Settings: train.Settings{Steps: 20}}}
	rep2 := StartProgress(&buf, "sweep", fixed)
	defer rep2.Stop()
	for i, j := range fixed {
		if j.Settings.Progress != rep2 {
			t.Errorf("job %d of a job of known total reports to %T, want the reporter", i, j.Settings.Progress)
		}
	}
}

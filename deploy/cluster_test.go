//go:build linux

package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Debian's packages of a Slurm cluster, named in the skip message.
const slurmPackages = "slurmctld slurmd slurm-client munge"

// Limits of the cluster test.
const (
	startTimeout = 30 * time.Second // for each daemon to come up
	jobTimeout   = 3 * time.Minute  // for the job array and the merge
	stopTimeout  = 10 * time.Second // for a daemon to end after SIGTERM
)

// TestSlurmCluster starts a one-node Slurm cluster (munged, slurmctld and
// slurmd, their state, spool and logs in a temporary folder), submits
// slurm/sweep.sbatch as a job array of three tasks and slurm/merge.sbatch
// after it, stops two tasks in the middle of their shards and lets Slurm run
// them again, and compares the merged sweep with a single-machine one, byte
// for byte. Task 1 is requeued as preemption requeues a task (scontrol
// requeue: SIGTERM, then the task back in the queue); task 2 is sent USR1 as
// the script's --signal sends it before the time limit, and the script stops
// igr and requeues the task itself. Each is stopped once its journal holds a
// finished run and while its other run is under way; the test requires that
// the run under way left its checkpoint, that the task ran again, that its
// second run took the finished run from the journal and trained the rest, and
// that the merge waited for it. It needs root and Debian's slurmctld, slurmd,
// slurm-client and munge; without them it is skipped.
func TestSlurmCluster(t *testing.T) {
	tools := map[string]string{}
	for _, name := range []string{"munged", "slurmctld", "slurmd", "sbatch", "scontrol", "sinfo", "squeue", "scancel"} {
		path, err := lookPath(name)
		if err != nil {
			t.Skipf("Slurm is not installed (no %s); apt-get install %s to run the sweep on a one-node cluster", name, slurmPackages)
		}
		tools[name] = path
	}
	if os.Geteuid() != 0 {
		t.Skip("starting Slurm's daemons needs root")
	}
	c := startCluster(t, tools)

	results := filepath.Join(c.dir, "results")
	env := []string{"IGR=" + igrBinary, "RESULTS=" + results, "GRID=" + longGrid}
	array := c.submit("--array=0-2", "slurm/sweep.sbatch", env)
	merge := c.submit("--dependency=afterok:"+array, "slurm/merge.sbatch", env)
	deadline := time.Now().Add(jobTimeout)
	// The sweep on one machine runs while Slurm schedules the tasks; it is
	// stopped if the test ends first.
	single := filepath.Join(t.TempDir(), "single")
	var singleErr error
	singleDone := make(chan struct{})
	go func() {
		defer close(singleDone)
		singleErr = singleMachine(t.Context(), single, "sweep", longGrid)
	}()
	t.Cleanup(func() { <-singleDone })
	stops := []*stop{
		{task: 1, how: []string{"scontrol", "requeue"}},
		{task: 2, how: []string{"scancel", "--batch", "--signal=USR1"}},
	}
	c.stopAndRequeue(array, results, stops, deadline)
	if states := c.wait(array, deadline); slices.ContainsFunc(states, func(s string) bool { return s != "COMPLETED" }) {
		c.fail("the job array's tasks ended %v, want all COMPLETED", states)
	}
	if states := c.wait(merge, deadline); len(states) != 1 || states[0] != "COMPLETED" {
		c.fail("the merge job ended %v, want COMPLETED", states)
	}
	for task := range 3 {
		out, err := c.client("scontrol", "-o", "show", "job", fmt.Sprintf("%s_%d", array, task))
		if err != nil {
			c.fail("%v", err)
		}
		i := slices.IndexFunc(stops, func(s *stop) bool { return s.task == task })
		if i < 0 {
			if restarts := field(out, "Restarts"); restarts != "0" {
				t.Errorf("task %d was not stopped but ran %s times again", task, restarts)
			}
			continue
		}
		how := strings.Join(stops[i].how, " ")
		if restarts := field(out, "Restarts"); restarts != "1" {
			t.Errorf("task %d (%s) ran %s times again, want once", task, how, restarts)
		}
		fromJournal, computed := timing(t, filepath.Join(results, fmt.Sprintf("shard-%d", task)))
		if fromJournal < 1 || computed < 1 {
			t.Errorf("task %d (%s): its run after the requeue took %d runs from the journal and trained %d, want at least one of each",
				task, how, fromJournal, computed)
		}
	}
	<-singleDone
	if singleErr != nil {
		t.Fatal(singleErr)
	}
	compareMerged(t, filepath.Join(results, "merged"), single)
	if t.Failed() {
		c.dump()
	}
}

// stop is how the test stops a task of the job array in the middle of its
// shard: the command and its options, given the task's job id.
type stop struct {
	task      int
	how       []string
	sent      bool      // the command is given
	releaseAt time.Time // when the requeued task may start again; zero until it is requeued
	done      bool      // released
}

// stopAndRequeue stops each task of stops once its shard's journal holds a
// finished run, waits until Slurm has put it back in the queue, checks that
// the run it was training left its checkpoint, and lets it start again soon,
// not after the two minutes Slurm makes a requeued job wait. Not at once:
// slurmd refuses to launch a job again within the second its earlier run was
// killed in ("Job credential revoked"), and the task would fail.
func (c *cluster) stopAndRequeue(array, results string, stops []*stop, deadline time.Time) {
	t := c.t
	for {
		left := 0
		for _, s := range stops {
			if s.done {
				continue
			}
			left++
			id := fmt.Sprintf("%s_%d", array, s.task)
			shard := filepath.Join(results, fmt.Sprintf("shard-%d", s.task))
			switch {
			case !s.sent:
				if journalHoldsRun(filepath.Join(shard, "grid.journal")) {
					if _, err := c.client(s.how[0], append(s.how[1:], id)...); err != nil {
						c.fail("stopping task %d: %v", s.task, err)
					}
					s.sent = true
				}
			case s.releaseAt.IsZero():
				out, err := c.client("scontrol", "-o", "show", "job", id)
				if err != nil {
					c.fail("%v", err)
				}
				switch state := field(out, "JobState"); {
				case state == "PENDING" && field(out, "Restarts") != "0":
				case ended(state):
					c.fail("task %d (%s) ended %s instead of going back to the queue", s.task, strings.Join(s.how, " "), state)
				default:
					continue
				}
				if cps, _ := filepath.Glob(filepath.Join(shard, "grid.journal.cell-*.checkpoint")); len(cps) == 0 {
					t.Errorf("task %d (%s) left no checkpoint of the run it was training", s.task, strings.Join(s.how, " "))
				}
				s.releaseAt = time.Now().Truncate(time.Second).Add(time.Second + 100*time.Millisecond)
			case time.Now().After(s.releaseAt):
				if _, err := c.client("scontrol", "update", "JobId="+id, "StartTime=now"); err != nil {
					c.fail("%v", err)
				}
				s.done = true
			}
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			c.fail("the tasks to stop and requeue were not requeued within %v", jobTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lookPath finds a command on PATH or, for the daemons, in /usr/sbin, which
// is not on every PATH.
func lookPath(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return exec.LookPath(filepath.Join("/usr/sbin", name))
}

// cluster is a running one-node Slurm cluster.
type cluster struct {
	t       *testing.T
	tools   map[string]string
	dir     string   // state, spool, logs, job outputs
	env     []string // the environment of Slurm's client commands
	daemons []*daemon
}

// daemon is a process the test started; done is closed when it has ended.
type daemon struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// startCluster starts munged, slurmctld and slurmd and waits until the node
// is idle. Every daemon is stopped when the test ends, however it ends.
func startCluster(t *testing.T, tools map[string]string) *cluster {
	dir := t.TempDir()
	// munged runs as the munge user, who must reach its socket folder.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c := &cluster{t: t, tools: tools, dir: dir}
	t.Cleanup(c.stop)

	socket := c.startMunge()
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	node, err := c.nodeLine()
	if err != nil {
		t.Fatal(err)
	}
	ports := freePorts(t, 2)
	conf := filepath.Join(dir, "slurm.conf")
	for _, d := range []string{"state", "spool", "log"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	text := strings.Join([]string{
		"ClusterName=igrtest",
		fmt.Sprintf("SlurmctldHost=%s(127.0.0.1)", host),
		"SlurmUser=root",
		"SlurmdUser=root",
		"AuthType=auth/munge",
		"CredType=cred/munge",
		"AuthInfo=socket=" + socket,
		fmt.Sprintf("SlurmctldPort=%d", ports[0]),
		fmt.Sprintf("SlurmdPort=%d", ports[1]),
		"StateSaveLocation=" + filepath.Join(dir, "state"),
		"SlurmdSpoolDir=" + filepath.Join(dir, "spool"),
		"SlurmctldPidFile=" + filepath.Join(dir, "slurmctld.pid"),
		"SlurmdPidFile=" + filepath.Join(dir, "slurmd.pid"),
		"SlurmctldLogFile=" + filepath.Join(dir, "log", "slurmctld.log"),
		"SlurmdLogFile=" + filepath.Join(dir, "log", "slurmd.log"),
		"ProctrackType=proctrack/linuxproc",
		"TaskPlugin=task/none",
		"SelectType=select/cons_tres",
		"SelectTypeParameters=CR_Core",
		"ReturnToService=2",
		"SchedulerType=sched/backfill",
		// A merge whose array failed is cancelled instead of waiting forever.
		"DependencyParameters=kill_invalid_depend",
		// Batch jobs are not requeued unless they ask to be, as at some
		// sites: sweep.sbatch's --requeue is what lets its tasks resume.
		"JobRequeue=0",
		"AccountingStorageType=accounting_storage/none",
		"JobCompType=jobcomp/none",
		"JobAcctGatherType=jobacct_gather/none",
		"MpiDefault=none",
		"MailProg=/bin/true",
		node + " NodeAddr=127.0.0.1 State=UNKNOWN",
		fmt.Sprintf("PartitionName=igr Nodes=%s Default=YES MaxTime=INFINITE State=UP", nodeName(node)),
	}, "\n") + "\n"
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c.env = append(cleanEnv(), "SLURM_CONF="+conf)

	c.start("slurmctld", filepath.Join(dir, "log", "slurmctld.log"), nil, tools["slurmctld"], "-D", "-f", conf)
	c.start("slurmd", filepath.Join(dir, "log", "slurmd.log"), nil, tools["slurmd"], "-D", "-f", conf)
	c.until("the node is idle", func() bool {
		out, err := c.client("sinfo", "-h", "-N", "-o", "%T")
		return err == nil && strings.TrimSpace(out) == "idle"
	})
	return c
}

// startMunge starts munged as the munge user with Debian's key and returns
// its socket.
func (c *cluster) startMunge() string {
	t := c.t
	u, err := user.Lookup("munge")
	if err != nil {
		t.Fatalf("no munge user (%v): is the munge package installed?", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	dir := filepath.Join(c.dir, "munge")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	socket := filepath.Join(dir, "munge.socket")
	log := filepath.Join(dir, "munged.log")
	c.start("munged", log, &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, c.tools["munged"], "--foreground",
		"--socket="+socket, "--key-file=/etc/munge/munge.key", "--pid-file="+filepath.Join(dir, "munged.pid"),
		"--seed-file="+filepath.Join(dir, "munged.seed"), "--log-file="+log)
	c.until("munged's socket exists", func() bool {
		_, err := os.Stat(socket)
		return err == nil
	})
	return socket
}

// nodeLine returns slurmd's description of this machine, "NodeName=host
// CPUs=… RealMemory=…", as slurm.conf takes it.
func (c *cluster) nodeLine() (string, error) {
	out, err := exec.Command(c.tools["slurmd"], "-C").Output()
	if err != nil {
		return "", fmt.Errorf("slurmd -C: %w", err)
	}
	line, _, _ := strings.Cut(string(out), "\n")
	if !strings.HasPrefix(line, "NodeName=") {
		return "", fmt.Errorf("slurmd -C printed %q", out)
	}
	return strings.TrimSpace(line), nil
}

// nodeName is the NodeName of a slurm.conf node line.
func nodeName(line string) string {
	first, _, _ := strings.Cut(line, " ")
	return strings.TrimPrefix(first, "NodeName=")
}

// freePorts returns n TCP ports that were free a moment ago, so that the
// cluster does not collide with a Slurm already running here.
func freePorts(t *testing.T, n int) []int {
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// cleanEnv is the test's environment without the variables of any Slurm job
// it may itself be running in.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLURM_") && !strings.HasPrefix(kv, "SBATCH_") {
			env = append(env, kv)
		}
	}
	return env
}

// start starts a daemon in the foreground, as the user of cred if not nil;
// the daemon writes its log to log, its standard output and error go to
// log.out. It fails the test if the daemon does not start.
func (c *cluster) start(name, log string, cred *syscall.Credential, path string, args ...string) {
	t := c.t
	out, err := os.OpenFile(log+".out", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Dir = c.dir
	cmd.Env = cleanEnv()
	// Pdeathsig stops the daemon should the test binary die without
	// cleaning up (a -timeout panic).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: cred, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	d := &daemon{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		d.err = cmd.Wait()
		close(d.done)
	}()
	c.daemons = append(c.daemons, d)
}

// until polls cond until it holds, failing the test after startTimeout or
// when a daemon ends.
func (c *cluster) until(what string, cond func() bool) {
	deadline := time.Now().Add(startTimeout)
	for !cond() {
		for _, d := range c.daemons {
			select {
			case <-d.done:
				c.fail("waiting until %s: %s ended (%v)", what, d.name, d.err)
			default:
			}
		}
		if time.Now().After(deadline) {
			c.fail("%s did not happen within %v", what, startTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// client runs one of Slurm's client commands against the cluster.
func (c *cluster) client(name string, args ...string) (string, error) {
	cmd := exec.Command(c.tools[name], args...)
	cmd.Env = c.env
	cmd.Dir = c.dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// submit submits a batch script of this folder with sbatch and returns the
// job's id. The job runs in the cluster's folder, with env added to the
// environment; one CPU per task, whatever the script asks, so that the test
// runs on any machine.
func (c *cluster) submit(option, script string, env []string) string {
	path, err := filepath.Abs(script)
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(c.tools["sbatch"], "--parsable", "--cpus-per-task=1", "--chdir="+c.dir, option, path)
	cmd.Env = append(append([]string(nil), c.env...), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.fail("sbatch %s %s: %v: %s", option, script, err, out)
	}
	id, _, _ := strings.Cut(strings.TrimSpace(string(out)), ";")
	return id
}

// wait waits until job id (every task of an array) has ended and returns
// the final states (COMPLETED, FAILED, CANCELLED, …); it fails the test at
// the deadline.
func (c *cluster) wait(id string, deadline time.Time) []string {
	for {
		out, err := c.client("scontrol", "-o", "show", "job", id)
		if err != nil {
			c.fail("%v", err)
		}
		var states []string
		done := true
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			state := field(line, "JobState")
			states = append(states, state)
			if !ended(state) {
				done = false
			}
		}
		if done {
			return states
		}
		if time.Now().After(deadline) {
			c.fail("job %s not done within %v: %v", id, jobTimeout, states)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// ended reports whether a job in state (scontrol's JobState) has ended.
func ended(state string) bool {
	switch state {
	case "PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING":
		return false
	}
	return true
}

// field returns the value of key in a line of scontrol's -o output.
func field(line, key string) string {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	return ""
}

// fail reports what the cluster did and fails the test now.
func (c *cluster) fail(format string, args ...any) {
	c.t.Helper()
	c.dump()
	c.t.Fatalf(format, args...)
}

// dump logs the jobs' states and outputs and the tails of the daemons' logs.
func (c *cluster) dump() {
	t := c.t
	if out, err := c.client("scontrol", "-o", "show", "job"); err == nil {
		var jobs []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			var fs []string
			for _, k := range []string{"JobId", "JobName", "JobState", "Reason", "Dependency", "ExitCode"} {
				fs = append(fs, k+"="+field(line, k))
			}
			jobs = append(jobs, strings.Join(fs, " "))
		}
		t.Logf("jobs:\n%s", strings.Join(jobs, "\n"))
	}
	logs, _ := filepath.Glob(filepath.Join(c.dir, "igr-*.log"))
	for _, d := range c.daemons {
		// A daemon in the foreground may log to its output instead.
		if fi, err := os.Stat(d.log); err == nil && fi.Size() > 0 {
			logs = append(logs, d.log)
		} else {
			logs = append(logs, d.log+".out")
		}
	}
	for _, p := range logs {
		if b, err := os.ReadFile(p); err == nil {
			t.Logf("%s (last lines):\n%s", filepath.Base(p), tail(string(b), 25))
		}
	}
}

// running reports whether the daemon name was started and has not ended.
func (c *cluster) running(name string) bool {
	for _, d := range c.daemons {
		if d.name == name {
			select {
			case <-d.done:
				return false
			default:
				return true
			}
		}
	}
	return false
}

// currentUser is the name of the user the test runs as.
func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "root"
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// stop cancels every job and stops the daemons, last started first: SIGTERM
// to each daemon's own PID, SIGKILL if it has not ended after stopTimeout.
func (c *cluster) stop() {
	if c.running("slurmctld") {
		// Cancel what is left (after a failure) and let slurmd end it.
		if _, err := c.client("scancel", "--user="+currentUser()); err != nil {
			c.t.Log(err)
		}
		for deadline := time.Now().Add(stopTimeout); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if out, err := c.client("squeue", "-h"); err != nil || strings.TrimSpace(out) == "" {
				break
			}
		}
	}
	for i := len(c.daemons) - 1; i >= 0; i-- {
		d := c.daemons[i]
		if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			c.t.Errorf("stopping %s (pid %d): %v", d.name, d.cmd.Process.Pid, err)
		}
		select {
		case <-d.done:
		case <-time.After(stopTimeout):
			c.t.Errorf("%s (pid %d) did not stop %v after SIGTERM; killing it", d.name, d.cmd.Process.Pid, stopTimeout)
			d.cmd.Process.Kill()
			<-d.done
		}
	}
}

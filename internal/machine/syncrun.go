package machine

import (
	"fmt"
	"reflect"
	"unsafe"

	G "gorgonia.org/gorgonia"
)

// syncRunner runs a tape machine's whole program on the calling goroutine,
// through the exported (*tapeMachine).Run(fragment). Gorgonia exports no way
// to obtain the program's fragment, so it is read once from the unexported
// program.instructions field.
//
// Run does not reset the machine's registers. That is only correct when no
// op's output depends on what its register held before: true for the ops
// Copy wraps, for constants and for loadArg, but an unwrapped UsePreallocDoer
// op is handed the stale register from the previous run as the buffer to
// write into (vm_tape_nocuda.go, the usePrealloc case), and some, such as
// sliceIncrOp, add into that buffer instead of overwriting it. The tape
// machine's Run also rebinds every node to the final content of its register,
// so nodes that shared a register with a later node report that node's value:
// read results from the roots' buffers (Machine.Value).
type syncRunner struct {
	run  reflect.Value
	args []reflect.Value
}

// newSyncRunner returns a runner for vm, a tape machine compiled from g, or an
// error if g still contains an unwrapped UsePreallocDoer op or vm is not the
// tape machine of gorgonia v0.9.18.
func newSyncRunner(vm G.VM, g *G.ExprGraph) (*syncRunner, error) {
	for _, n := range g.AllNodes() {
		if _, ok := n.Op().(G.UsePreallocDoer); ok {
			return nil, fmt.Errorf("machine: %v is not wrapped; cannot run without Reset", n.Op())
		}
	}
	mv := reflect.ValueOf(vm)
	prog := mv.MethodByName("Prog")
	run := mv.MethodByName("Run")
	if !prog.IsValid() || !run.IsValid() || prog.Type().NumIn() != 0 || run.Type().NumIn() != 1 {
		return nil, fmt.Errorf("machine: %T is not a tape machine", vm)
	}
	p := prog.Call(nil)[0]
	if p.Kind() != reflect.Pointer || p.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("machine: unexpected program type %v", p.Type())
	}
	f := p.Elem().FieldByName("instructions")
	if !f.IsValid() {
		return nil, fmt.Errorf("machine: program has no instructions field")
	}
	frag := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
	if !frag.Type().AssignableTo(run.Type().In(0)) {
		return nil, fmt.Errorf("machine: %v is not %v", frag.Type(), run.Type().In(0))
	}
	// Run leaves the program counter alone, but exec's logging helper indexes
	// the program with it (vm_tape.go, watchedLogf), so it must be in range:
	// Reset sets it to 0. Never mix RunAll and Run on one machine.
	vm.Reset()
	return &syncRunner{run: run, args: []reflect.Value{frag}}, nil
}

// Run executes the program once.
func (s *syncRunner) Run() error {
	out := s.run.Call(s.args)
	if e := out[0].Interface(); e != nil {
		return e.(error)
	}
	return nil
}

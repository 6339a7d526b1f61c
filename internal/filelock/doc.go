// Package filelock takes exclusive advisory locks on open files and
// folders, held until they are closed or their process ends however it
// ends, so that two igr processes never write one journal or one output
// folder at once; and syncs folders, so that a file just created in one
// survives a crash of the machine.
package filelock

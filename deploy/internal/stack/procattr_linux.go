package stack

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill a child if the test or renderer
// process dies before it could stop it (a test timeout, a crash).
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

package procinspect

// notInit is why a process's environment or s6 scan directory was not
// read: only a namespace init's are (a forwarder or supervisor elsewhere,
// such as an init's child shown in depth, is predicted with them unknown).
const notInit = "not read: it is not a namespace init, and only a namespace init's are read"

// readInitFiles reads, for a namespace init only, what its program reads
// besides its command line: the environment variables a forwarder reads
// (readInitEnv), s6-svscan's .s6-svscan files (readS6Files),
// supervisord's configuration, busybox init's /etc/inittab, and for
// systemd its `container` variable and CAP_SYS_BOOT. Any other
// process read in depth gets neither opened, and says why.
//
// With quiet set, the environment is quiet's (reuse.go).
func readInitFiles(p *Process, pr Proc, quiet, same *Process) {
	isInit, ok := p.Status.IsInit()
	pg := Identify(p)
	if ok && isInit {
		pg = identifyInit(p, pr, same)
	}
	if !ok || !isInit {
		if len(initEnv[pg]) > 0 {
			p.EnvErr = notInit
		}
		if pg == ProgS6Svscan {
			p.S6 = &S6Files{Err: notInit}
		}
		return
	}
	if quiet != nil {
		p.Env, p.EnvErr = quiet.Env, quiet.EnvErr
	} else {
		p.Env, p.EnvErr = readInitEnv(pr, pg)
	}
	if pr.fs.Live && pg == ProgS6Svscan {
		p.S6 = readS6Files(pr)
	}
	if pr.fs.Live && pg == ProgSupervisord {
		p.Supervisord = readSupervisordConf(pr, p.Cmdline)
	}
	if pr.fs.Live && pg == ProgBusyboxInit {
		p.BusyboxInit = readBusyboxInit(pr, p)
	}
	if pr.fs.Live && pg == ProgSystemd {
		p.SystemdInit = readSystemdInit(pr, p)
	}
}

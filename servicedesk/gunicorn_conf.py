"""gunicorn settings used by bin/serve (the options that vary are on its command line)."""

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1


def post_fork(server, worker):
    """A worker dies with its master.

    Without this, workers of a master killed with SIGKILL live on for up to
    half the timeout holding the port, and the master supervisord starts in
    its place cannot bind it.
    """
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != server.pid:  # the master died before prctl took effect
        os._exit(1)

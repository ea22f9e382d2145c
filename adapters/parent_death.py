"""A child process that dies with its parent (Linux `prctl(PR_SET_PDEATHSIG)`, and a watch).

`credit-ledger import --workers N` SIGKILLed once left its workers running, re-parented to PID 1,
holding their PostgreSQL connections and committing the batches they had queued (issue 25).
A worker calls `die_with_parent()` first thing:

1. the kernel sends it SIGKILL when its parent dies (`PR_SET_PDEATHSIG`, through ctypes: Linux
   only; it fires when the thread that spawned the child ends, which is the parent's main thread);
2. a daemon thread watches the parent as well, for systems without (1) and for a parent that
   died before (1) was set: the pipe multiprocessing gives every spawned child (`sentinel`,
   readable once the parent is gone) and the parent's pid (`os.getppid()` changes when the child
   is re-parented). Either ends the process at once with `os._exit`: no clean-up runs, so no
   queued batch is committed; PostgreSQL rolls back a transaction left open when the connection
   closes with the process.

Once the workers are gone, multiprocessing's resource tracker (which the parent started) sees
the last writer of its pipe close and exits by itself.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
CHECK_S = 0.5  # how often the watch also compares the parent's pid
EXIT_CODE = 70  # EX_SOFTWARE: what a worker whose parent died exits with (if not SIGKILLed first)


def set_parent_death_signal(sig: int = signal.SIGKILL) -> bool:
    """Ask the kernel to send `sig` to this process when its parent dies; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, ctypes.c_ulong(sig), 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %s", ctypes.get_errno())
            return False
    except (OSError, AttributeError) as exc:
        log.warning("prctl(PR_SET_PDEATHSIG) unavailable: %s", exc)
        return False
    return True


def die_with_parent() -> None:
    """In a process started by `multiprocessing`: end it as soon as its parent dies."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.pid is None:
        return  # not a multiprocessing child: nothing to watch
    set_parent_death_signal()
    if os.getppid() != parent.pid:  # the parent died before the signal was asked for
        os._exit(EXIT_CODE)
    threading.Thread(target=_watch, args=(parent.sentinel, parent.pid), name="parent-watch", daemon=True).start()


def _watch(sentinel: int, parent_pid: int) -> None:
    while not multiprocessing.connection.wait([sentinel], timeout=CHECK_S):
        if os.getppid() != parent_pid:
            break
    os._exit(EXIT_CODE)

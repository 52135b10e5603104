"""An SSH drop (SIGHUP): the terminal is gone, so nothing may wait on it any more.

Textual restores the terminal on exit through a writer thread with a bounded queue; once a
write to the hung-up terminal has failed, that thread is dead and the next write or its
own stop blocks forever (3 of 8 trials hung). So on a hang-up the standard streams are
pointed at /dev/null first, the engine is stopped (``session_stop`` journaled, WAL
closed), and a watchdog ends the process if the UI has not finished leaving shortly after:
with the journal closed and no terminal to restore, there is nothing left to lose.
"""

from __future__ import annotations

import os
import threading

# After the engine has stopped, how long the UI may take to leave before the process ends.
EXIT_GRACE_S = 0.3
# The write end of stdin's replacement: kept open so reads wait quietly instead of seeing
# end-of-file in a tight loop.
_silent_stdin_writer: int | None = None


def detach_from_terminal() -> None:
    """Stdin becomes a pipe nobody writes to, stdout and stderr /dev/null: the dead terminal
    can no longer fail or block a read or a write."""
    global _silent_stdin_writer
    if _silent_stdin_writer is None:
        read_end, _silent_stdin_writer = os.pipe()
        os.dup2(read_end, 0)
        os.close(read_end)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 1)
        os.dup2(null, 2)
    finally:
        os.close(null)


def exit_after(seconds: float, code: int = 0) -> threading.Timer:
    """End the process in ``seconds`` unless it ended by itself before."""
    timer = threading.Timer(seconds, os._exit, args=(code,))
    timer.daemon = True
    timer.start()
    return timer

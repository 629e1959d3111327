#!/usr/bin/env python3
"""tty-interrupt.py -- type ^C at a command on a terminal, then stop it.

Usage: tty-interrupt.py READY TEXT COMMAND [ARG]...

Runs COMMAND on a new pseudo-terminal, as the leader of its session and so
in the terminal's foreground process group, as a shell would run it.  When
the file READY exists, types ^C once (the line discipline sends SIGINT to
the whole foreground process group); when COMMAND's terminal output shows
TEXT, sends SIGTERM to COMMAND alone.  Copies the terminal output to stdout,
then prints "tty-interrupt: pid N status S" (S as a shell gives it: 128 + N
for a signal) and exits 0, or 1 on a timeout (60 s: only a safety net).
"""

import os
import pty
import select
import signal
import sys
import time


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__.strip().splitlines()[2])
    ready, text, command = argv[1], argv[2].encode(), argv[3:]
    pid, fd = pty.fork()
    if pid == 0:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # Python ignores it
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    output, typed, stopped = b"", False, False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not typed and os.path.exists(ready):
            os.write(fd, b"\x03")
            typed = True
        if typed and not stopped and text in output:
            os.kill(pid, signal.SIGTERM)
            stopped = True
        readable, _, _ = select.select([fd], [], [], 0.1)
        if readable:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the terminal's last user has gone
                chunk = b""
            if not chunk:
                break
            output += chunk
    else:
        os.kill(pid, signal.SIGKILL)
        sys.stdout.write(output.decode(errors="replace"))
        print(f"tty-interrupt: timed out (typed ^C: {typed}, sent SIGTERM: {stopped})")
        return 1
    _, status = os.waitpid(pid, 0)
    code = 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    sys.stdout.write(output.decode(errors="replace"))
    print(f"tty-interrupt: pid {pid} status {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

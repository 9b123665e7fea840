"""Holds a listening Unix socket the way systemd does, and starts the daemon on it when a
connection waits in the backlog (LISTEN_FDS=1, fd 3, LISTEN_PID = the daemon's pid). When the
daemon exits (idle), the socket stays open and the next connection starts it again.
Prints `listening`, `started N PID`, `exited CODE`. Closing stdin stops it (SIGTERM to the
daemon).

Usage: python3 socket_holder.py SOCKET_PATH COMMAND [ARGS...]
"""
import os
import select
import signal
import socket
import subprocess
import sys

path, argv = sys.argv[1], sys.argv[2:]
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(path)
os.chmod(path, 0o666)
listener.listen(128)
print('listening', flush=True)
starts = 0


def on_fd3():
    if listener.fileno() != 3:
        os.dup2(listener.fileno(), 3)


while True:
    ready, _, _ = select.select([listener, sys.stdin], [], [])
    if sys.stdin in ready:
        break
    starts += 1
    env = dict(os.environ, LISTEN_FDS='1', LISTEN_FDNAMES='apt-ostreed.socket')
    child = subprocess.Popen(['/bin/sh', '-c', 'LISTEN_PID=$$ exec "$@"', 'sh', *argv],
                             pass_fds=(listener.fileno(),), preexec_fn=on_fd3, env=env)
    print('started', starts, child.pid, flush=True)
    stop = False
    while child.poll() is None:
        ready, _, _ = select.select([sys.stdin], [], [], 0.05)
        if ready:
            stop = True
            child.send_signal(signal.SIGTERM)
            child.wait()
    print('exited', child.returncode, flush=True)
    if stop:
        break
listener.close()
os.unlink(path)

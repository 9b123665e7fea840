"""Hostile and ordinary JSON-RPC callers of the daemon's socket, for the authorization attack tests.

  socket_callers.py vanish SOCKET COUNT METHOD
      COUNT processes that each connect, send one request and exit at once (before any answer).
      Prints how many were started.
  socket_callers.py loop SOCKET SECONDS METHOD
      One request after another (a new connection each, 60 s to answer) for SECONDS (at least
      one request); prints {"answered": [result-or-error-name...], "unanswered": N} as JSON.
  socket_callers.py orphan SOCKET METHOD
      Connects and forks: the parent sends the request, prints its own pid and exits; the child
      keeps the connection, waits for the answer and prints it (one JSON line).
"""
import json
import os
import socket
import sys
import time


def request(method):
    return (json.dumps({'jsonrpc': '2.0', 'id': 1, 'method': method, 'params': {}}) + '\n').encode()


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def read_answer(s):
    """The answer to request 1 (notifications may come first)."""
    buffered = b''
    while True:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError('closed without an answer')
        *lines, buffered = (buffered + chunk).split(b'\n')
        for line in lines:
            message = json.loads(line)
            if message.get('id') == 1:
                return message


def vanish(path, count, method):
    children = []
    for _ in range(count):
        pid = os.fork()
        if pid == 0:
            try:
                s = connect(path)
                s.sendall(request(method))
            finally:
                os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    print(count)


def outcome(message):
    if 'result' in message:
        return 'result'
    return message['error'].get('data', {}).get('name', str(message['error'].get('code')))


def loop(path, seconds, method):
    answered, unanswered = [], 0
    deadline = time.monotonic() + seconds
    while True:
        s = connect(path)
        s.settimeout(60)
        try:
            s.sendall(request(method))
            answered.append(outcome(read_answer(s)))
        except (socket.timeout, ConnectionError):
            unanswered += 1
        finally:
            s.close()
        if time.monotonic() > deadline:
            break
    print(json.dumps({'answered': answered, 'unanswered': unanswered}))


def orphan(path, method):
    s = connect(path)
    if os.fork() != 0:
        s.sendall(request(method))
        print(os.getpid(), flush=True)
        os._exit(0)
    s.settimeout(120)
    try:
        print(json.dumps(read_answer(s)), flush=True)
    except (socket.timeout, ConnectionError) as e:
        print(json.dumps({'unanswered': str(e)}), flush=True)


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == 'vanish':
        vanish(path, int(sys.argv[3]), sys.argv[4])
    elif mode == 'loop':
        loop(path, float(sys.argv[3]), sys.argv[4])
    elif mode == 'orphan':
        orphan(path, sys.argv[3])
    else:
        raise SystemExit(f'unknown mode {mode}')


main()

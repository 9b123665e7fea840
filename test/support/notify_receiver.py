"""Receives sd_notify datagrams on a Unix socket (Node has no Unix datagram sockets) and prints
each message on one line, its newlines written as ' | '. Prints `ready-to-receive` first.

Usage: python3 notify_receiver.py SOCKET_PATH
"""
import socket
import sys

sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sys.argv[1])
print('ready-to-receive', flush=True)
while True:
    data = sock.recv(65536)
    print(data.decode('utf-8', 'replace').strip().replace('\n', ' | '), flush=True)

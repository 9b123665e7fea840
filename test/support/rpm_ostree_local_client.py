"""rpm-ostree's `install ./x.rpm` over D-Bus, written from its published interface (python3-gi, Gio).

As rpm-ostree's client (rpmostree-clientlib.cxx, vardict_sort_and_insert_pkgs()): the files are
opened, appended to a GUnixFDList, and the modifier `install-local-packages` (type 'ah') holds
their handles, indices into that list; UpdateDeployment goes with the list
(g_dbus_proxy_call_with_unix_fd_list). A returned transaction address is followed to Finished
(rpm_ostree_client.follow). Prints one JSON report: per case, the error or the transaction.

Usage: [DAEMON_PID=PID] python3 rpm_ostree_local_client.py BUS_ADDRESS INTERFACE_XML PLAN_JSON
With DAEMON_PID, each case also reports the daemon's open descriptors before and after it.
PLAN_JSON: [{"name": ..., "files": [path | "pipe" | "write-only:PATH"], "handles": [int],
             "modifiers": {key: [type, value]}, "options": {key: [type, value]}}]
"""
import json
import os
import sys
import time

import gi

gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rpm_ostree_client import connect, follow  # noqa: E402


def open_file(spec, keep):
    """The descriptor a case passes: a file opened for reading, a pipe's read end, or a write-only file."""
    if spec == 'pipe':
        r, w = os.pipe()
        keep.append(w)
        return r
    if spec.startswith('write-only:'):
        return os.open(spec[len('write-only:'):], os.O_WRONLY)
    return os.open(spec, os.O_RDONLY)


def daemon_fds():
    """How many descriptors the daemon (DAEMON_PID) has open, or None."""
    pid = os.environ.get('DAEMON_PID')
    return None if pid is None else len(os.listdir(f'/proc/{pid}/fd'))


def run_case(os_proxy, info, case):
    before = daemon_fds()
    keep = []
    fds = [open_file(f, keep) for f in case['files']]
    fd_list = Gio.UnixFDList.new()
    for fd in fds:
        fd_list.append(fd)
    modifiers = {k: GLib.Variant(t, v) for k, (t, v) in case.get('modifiers', {}).items()}
    if 'handles' in case:
        modifiers['install-local-packages'] = GLib.Variant('ah', case['handles'])
    options = {k: GLib.Variant(t, v) for k, (t, v) in case.get('options', {}).items()}
    options['initiating-command-line'] = GLib.Variant('s', 'rpm-ostree install ' + ' '.join(case['files']))
    entry = {}
    try:
        # The list holds duplicates of the descriptors: the client's own are closed right away.
        reply, _out_fds = os_proxy.call_with_unix_fd_list_sync(
            'UpdateDeployment', GLib.Variant('(a{sv}a{sv})', (modifiers, options)), Gio.DBusCallFlags.NONE, 120000, fd_list, None)
        for fd in fds + keep:
            os.close(fd)
        fds, keep = [], []
        (address,) = reply.unpack()
        entry['address'] = address
        entry.update(follow(address, info))
    except GLib.Error as e:
        entry['error'] = Gio.DBusError.get_remote_error(e)
        entry['message'] = e.message
    for fd in fds + keep:
        os.close(fd)
    # Counted while this client is still on the bus (leaving it would close what the daemon kept for
    # it); given a moment to settle (the daemon's own work may hold a descriptor for a while).
    after = daemon_fds()
    for _ in range(30):
        if after is None or after <= before:
            break
        time.sleep(0.1)
        after = daemon_fds()
    entry['daemon_fds'] = [before, after]
    return entry


def main():
    bus_address, xml_path, plan_path = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(plan_path, encoding='utf-8') as f:
        plan = json.load(f)
    _conn, infos, _sysroot, _os_path, os_proxy = connect(bus_address, xml_path)
    print(json.dumps({case['name']: run_case(os_proxy, infos['Transaction'], case) for case in plan}))


if __name__ == '__main__':
    main()

"""A real, throwaway Dovecot IMAP server for tests.

Everything lives in one temporary directory: configuration, passwd file, sockets, state, log
and the Maildir. Plain IMAP on 127.0.0.1 and a free port, one user. As root, Dovecot's login
processes must not run as root and mail may not be accessed as uid 0, so those run as the
Debian package's ``dovenull`` user and ``nobody``; as any other user, everything runs as that
user.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from imap_tools import MailBoxUnencrypted

DOVECOT = "/usr/sbin/dovecot"
USER = "support@shop.test"
PASSWORD = "s3cret-imap"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
instance_name = litso-test-{port}
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests fail logins on purpose: no delay after a failure, and no auth penalty (the growing
# wait for every login from an address that failed before), disabled the documented way.
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
mail_fsync = never
mail_max_userip_connections = 100
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/mail/%u
}}
mail_location = maildir:{root}/mail/%u/Maildir
# No chroot: only root may chroot, and a test server needs no jail.
service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def installed() -> bool:
    return Path(DOVECOT).exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Dovecot:
    host = "127.0.0.1"
    user = USER
    password = PASSWORD

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="litso-dovecot-"))
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, timeout: float = 10.0) -> None:
        # The unprivileged users must reach the Maildir and the passwd file.
        self.root.chmod(0o755)
        for name in ("run", "state", "mail"):
            (self.root / name).mkdir()
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        if os.geteuid() == 0:
            internal, login, mail = "dovecot", "dovenull", "nobody"
        else:
            internal = login = mail = pwd.getpwuid(os.geteuid()).pw_name
        mail_entry = pwd.getpwnam(mail)
        os.chown(self.root / "mail", mail_entry.pw_uid, mail_entry.pw_gid)
        (self.root / "dovecot.conf").write_text(
            CONFIG.format(
                root=self.root,
                port=self.port,
                internal_user=internal,
                internal_group=grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name,
                login_user=login,
                mail_uid=mail_entry.pw_uid,
                mail_gid=mail_entry.pw_gid,
            )
        )
        with (self.root / "stderr.log").open("wb") as err:
            self.process = subprocess.Popen(
                [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=err,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                with socket.create_connection((self.host, self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.02)
        stderr = (self.root / "stderr.log").read_text(errors="replace")
        self.stop()
        raise RuntimeError(f"dovecot did not start:\n{stderr}\n{self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.root, ignore_errors=True)

    @contextlib.contextmanager
    def client(self, folder: str | None = "INBOX") -> Iterator[MailBoxUnencrypted]:
        box = MailBoxUnencrypted(self.host, self.port, timeout=10)
        box.login(self.user, self.password, initial_folder=folder)
        try:
            yield box
        finally:
            box.logout()

    def append(self, raw: bytes, folder: str = "INBOX", flags: Iterable[str] = ()) -> None:
        with self.client(None) as box:
            box.append(raw, folder, flag_set=list(flags))

    def flags(self, folder: str = "INBOX") -> list[tuple[str, ...]]:
        """The flags of each message in the folder, in UID order (without session-only \\Recent)."""
        with self.client(folder) as box:
            return [
                tuple(flag for flag in msg.flags if flag != "\\Recent")
                for msg in box.fetch("ALL", mark_seen=False, headers_only=True)
            ]

    def raw_messages(self, folder: str = "INBOX") -> list[bytes]:
        with self.client(folder) as box:
            out: list[bytes] = []
            for uid in box.uids("ALL"):
                typ, data = box.client.uid("FETCH", uid, "(BODY.PEEK[])")
                assert typ == "OK"
                out.extend(bytes(item[1]) for item in data if isinstance(item, tuple))
            return out

    def folders(self) -> list[str]:
        with self.client(None) as box:
            return sorted(folder.name for folder in box.folder.list())

    def reset(self) -> None:
        """Empty the user's mailbox: INBOX emptied, every other folder deleted."""
        with self.client(None) as box:
            for folder in sorted(box.folder.list(), key=lambda f: -len(f.name)):
                # A parent that only exists as a path (\Noselect) goes with its last child.
                flags = {flag.upper() for flag in folder.flags}
                if folder.name.upper() != "INBOX" and "\\NOSELECT" not in flags:
                    box.folder.delete(folder.name)
            box.folder.set("INBOX")
            uids = box.uids("ALL")
            if uids:
                box.delete(uids)

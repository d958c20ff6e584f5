"""The store lock: one driver per store, and a run id that workers check before writing.

A driver that runs or resumes a sweep holds ``STORE/.fastspin-lock``, a small JSON
file with the holder's host, PID, the PID's start time (clock ticks since boot, from
``/proc/PID/stat``), the start time of the run and a random run id.  It is created
with ``O_CREAT | O_EXCL``, so of two drivers exactly one gets it; the other is
refused with one line naming the holder.

A lock whose holder is provably gone is taken over: same host, and no process with
that PID and that start time exists (a reused PID has another start time).  A lock
held from another host, or by a live process, is only taken with ``break_lock``.

Workers are handed the run id with each block and check it (:meth:`HeldStore.check`)
before writing anything, so a worker of a driver whose store was replaced, or whose
lock was broken by another driver, writes nothing into the other run's store.

A check and the write after it are two steps, and another driver's ``--overwrite
--break-lock`` can rename a new store into place between them.  So a run writes
through a :class:`HeldStore`: the directory it locked, held open by a file
descriptor and named ``/proc/self/fd/N`` (Linux), a name that follows the
directory, not the path.  A write that loses that race lands in the replaced
directory, which the other driver deletes, never in the new store.
"""

from __future__ import annotations

import json
import os
import platform
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

#: the lock file, inside the store directory
LOCK_NAME = ".fastspin-lock"


class LockError(ValueError):
    """The store is held by another driver (or its lock cannot be read); says by whom."""


@dataclass(frozen=True)
class LockInfo:
    host: str
    pid: int
    pid_start: int
    started: str
    run_id: str
    command_line: str = ""

    def describe(self) -> str:
        """The holder in words: host, PID, run id and start time."""
        return f"run {self.run_id[:12]} of PID {self.pid} on host {self.host}, started {self.started}"


def process_start_ticks(pid: int) -> int | None:
    """Start time of process ``pid`` in clock ticks since boot, or None if there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError, OSError):
        return None
    # the command name (field 2) is in parentheses and may hold spaces: split after it
    fields = text[text.rfind(")") + 2:].split()
    try:
        return int(fields[19])  # field 22 of proc(5), counted from field 3
    except (IndexError, ValueError):
        return None


def new_lock_info(command_line: str, started: str) -> LockInfo:
    """The lock of this process for a new run: host, PID and its start time, a fresh run id."""
    pid = os.getpid()
    return LockInfo(
        host=platform.node(), pid=pid, pid_start=process_start_ticks(pid) or -1,
        started=started, run_id=uuid.uuid4().hex, command_line=command_line,
    )


def lock_path(store: str | Path) -> Path:
    """The lock file of ``store``."""
    return Path(store) / LOCK_NAME


def read_lock(store: str | Path) -> LockInfo | None:
    """The lock of ``store``, None if unlocked; :class:`LockError` if it is unreadable.

    A torn or foreign lock file reads like the lock of an unknown holder that is gone.
    """
    path = lock_path(store)
    if not path.exists():
        return None
    if not os.access(path, os.R_OK):
        raise LockError(f"store {str(store)!r}: cannot read its lock {LOCK_NAME}")
    return read_lock_file(path)


def read_lock_file(path: Path) -> LockInfo | None:
    """The lock in file ``path``; None if it is missing, torn or not a fastspin lock."""
    try:
        data = json.loads(path.read_text())
        return LockInfo(**{k: data[k] for k in LockInfo.__dataclass_fields__ if k in data})
    except (OSError, ValueError, TypeError):
        return None


#: whether process start times can be read (Linux); elsewhere only whether a PID exists
_HAVE_PROC = Path("/proc/self/stat").exists()


def _process_exists(pid: int) -> bool:
    """Whether a process with this PID exists (signal 0 checks without sending)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by another user
    return True


def holder_is_gone(info: LockInfo | None) -> bool:
    """True only when the holder provably no longer runs: same host, PID absent or reused."""
    if info is None:
        return True
    if info.host != platform.node():
        return False
    if info.pid == os.getpid() and info.pid_start == (process_start_ticks(os.getpid()) or -1):
        return False  # this very process holds it (a nested or repeated call)
    if not _HAVE_PROC:
        return not _process_exists(info.pid)  # no start times here: a live PID counts as the holder
    start = process_start_ticks(info.pid)
    return start is None or (info.pid_start >= 0 and start != info.pid_start)


def write_lock_file(directory: Path, info: LockInfo) -> None:
    """Create the lock in ``directory``, complete or not at all; FileExistsError if one is there.

    The JSON goes to a private file first, which is then hard-linked to the lock name
    (``link`` fails if the name exists): nobody ever reads a half-written lock.
    """
    private = directory / f"{LOCK_NAME}.new-{uuid.uuid4().hex[:12]}"
    fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(asdict(info), f)
            f.flush()
            os.fsync(f.fileno())
        os.link(private, directory / LOCK_NAME)
    finally:
        private.unlink(missing_ok=True)


def acquire(store: Path, info: LockInfo, *, break_lock: bool = False) -> None:
    """Take the lock of the existing store ``store`` for ``info`` or raise :class:`LockError`."""
    for _ in range(3):
        try:
            write_lock_file(store, info)
            return
        except FileExistsError:
            pass
        holder = read_lock(store)
        if not (break_lock or holder_is_gone(holder)):
            raise LockError(
                f"store {str(store)!r} is in use by {holder.describe()}; wait for it, or if that "
                "run is dead use --break-lock (break_lock=True)"
            )
        # move the stale lock aside under a unique name, then race for O_EXCL again:
        # of several drivers taking over the same stale lock only one creates the new one
        aside = store / f"{LOCK_NAME}.stale-{uuid.uuid4().hex[:12]}"
        try:
            os.rename(store / LOCK_NAME, aside)
        except FileNotFoundError:
            continue
        if read_lock_file(aside) != holder:
            # another driver took over between our read and our rename: put its lock back
            try:
                os.link(aside, store / LOCK_NAME)
            except OSError:
                pass
        aside.unlink(missing_ok=True)
    raise LockError(f"store {str(store)!r}: could not take its lock; another driver is starting")


def release(store: str | Path, info: LockInfo) -> None:
    """Remove the lock if (and only if) it is still ``info``'s."""
    try:
        holder = read_lock(store) if Path(store).is_dir() else None
        if holder is not None and holder.run_id == info.run_id:
            lock_path(store).unlink(missing_ok=True)
    except (LockError, OSError):
        pass  # a store that is gone or unreadable (e.g. a stale NFS handle) holds no lock of ours


class HeldStore:
    """The store directory that run ``run_id`` has locked, held open while the run writes.

    :attr:`root` names that directory whatever later happens to ``path``: on Linux
    ``/proc/self/fd/N`` of a descriptor opened here (elsewhere ``path`` itself; the
    check below then still notices a replaced store, but a write racing the
    replacement can reach the new one).  :class:`LockError` if the directory at
    ``path`` is not locked by ``run_id`` when it is opened.  Close it only when no
    write uses :attr:`root` any more: the number N is reused by the next descriptor.
    """

    def __init__(self, path: str | Path, run_id: str):
        self.path = str(path)
        self.run_id = run_id
        self._fd: int | None = None
        directory_flag = getattr(os, "O_DIRECTORY", None)
        if directory_flag is not None:
            try:
                self._fd = os.open(self.path, os.O_RDONLY | directory_flag)
            except FileNotFoundError:
                pass  # the store is gone: check() below says so
        pinned = f"/proc/self/fd/{self._fd}"
        self.root = pinned if self._fd is not None and os.path.isdir(pinned) else self.path
        try:
            self.check()
        except BaseException:
            self.close()
            raise

    def check(self, consequence: str = "this block was not written") -> None:
        """Raise :class:`LockError` unless the held directory is still at ``path`` and
        still locked by this run; ``consequence`` ends the message."""
        why = None
        if self._fd is not None:
            try:
                held, now = os.fstat(self._fd), os.stat(self.path)
                moved = (held.st_dev, held.st_ino) != (now.st_dev, now.st_ino)
            except OSError:
                moved = True
            if moved:
                why = "another store replaced it, or it was removed"
        if why is None:
            try:
                holder = read_lock(self.root)
            except (LockError, OSError):  # OSError: e.g. a stale NFS handle of a deleted store
                holder = None
            if holder is None:
                why = "it is unlocked"
            elif holder.run_id != self.run_id:
                why = f"it is held by {holder.describe()}"
        if why is not None:
            raise LockError(
                f"store {self.path!r} is no longer held by run {self.run_id[:12]} ({why}); "
                f"{consequence}"
            )

    def close(self) -> None:
        """Let go of the directory (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> HeldStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""Checkpoints Kafka did not take in time, kept as files so that they are sent later (by this producer when Kafka
answers again, by its close(), or by the next producer given the same directory): one JSON-lines file per checkpoint.

The directory is shared by every job that names it and anything may have been put there, so:

* files are written whole under a name of this process and renamed into place (a crash leaves no half checkpoint),
  readable by their owner only (0600, in a 0700 directory: tags and model names are nobody else's business);
* a sender **claims** a file by renaming it to a name of its own before reading it: of several jobs sharing the
  directory exactly one sends each file; a claim left by a process that died is taken back at the next start;
* a claimed file is **checked** before anything is sent: a regular file, at most ``max_file_mb``, whole lines only (a
  file cut short is refused, not sent in part), every line a layer record that passes the client's own rules, all of
  one run and one checkpoint, each layer once. A file that fails is moved to ``rejected/`` with the reason, said in
  one line, and the rest are sent.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat

from headgeo.records import record_problem

log = logging.getLogger("headgeo")

SUFFIX = ".jsonl"
_CLAIMED = re.compile(r"^(?P<name>.+\.jsonl)\.(?P<pid>\d+)\.claimed$")


class SpoolFileError(ValueError):
    """A spool file that is not a whole checkpoint of valid layer records; the message says why."""


class Spool:
    def __init__(self, directory: str, max_file_mb: int = 64) -> None:
        self.directory = os.path.abspath(directory)
        self.rejected = os.path.join(self.directory, "rejected")
        self.max_file_bytes = int(max_file_mb * 1024 * 1024)
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        info = os.stat(self.directory)
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(self.directory, 0o700)

    def _path(self, run_id: str, checkpoint: int) -> str:
        # readable and safe: the run id's plain characters, a hash of it (two runs never share a file), the checkpoint
        plain = re.sub(r"[^A-Za-z0-9._-]", "_", run_id)[:64]
        digest = hashlib.sha1(run_id.encode("utf-8")).hexdigest()[:10]
        return os.path.join(self.directory, f"{plain}-{digest}@{int(checkpoint)}{SUFFIX}")

    def keep(self, run_id: str, checkpoint: int, values: list[bytes]) -> str:
        """Adds ``values`` (encoded layer records) to the checkpoint's file; returns its path."""
        path = self._path(run_id, checkpoint)
        existing: list[bytes] = []
        try:
            existing = self.check(path)[2]
        except (OSError, SpoolFileError):
            pass  # none yet, or claimed meanwhile by a sender; a file that is not a checkpoint is not merged into
        merged = existing + [v for v in values if v not in existing]
        tmp = f"{path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            for value in merged:
                f.write(value.rstrip(b"\n") + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return path

    def waiting(self) -> list[str]:
        """The entries that wait to be sent (named ``*.jsonl``, whatever they are), oldest first."""
        try:
            names = [n for n in os.listdir(self.directory) if n.endswith(SUFFIX)]
        except OSError:
            return []
        paths = [os.path.join(self.directory, n) for n in names]
        return sorted(paths, key=_mtime)

    def claim(self) -> str | None:
        """The oldest waiting entry, renamed to a name of this process (the claim); None when none is left to claim."""
        for path in self.waiting():
            claimed = f"{path}.{os.getpid()}.claimed"
            try:
                os.rename(path, claimed)
            except FileNotFoundError:
                continue  # another sender claimed it first
            except OSError as e:
                self._refuse_unclaimable(path, e)
                continue
            return claimed
        return None

    def take_back_stale_claims(self) -> int:
        """Claims of processes that no longer run are put back to be sent; returns how many."""
        taken = 0
        try:
            names = os.listdir(self.directory)
        except OSError:
            return 0
        for name in names:
            m = _CLAIMED.match(name)
            if m is None or _alive(int(m.group("pid"))):
                continue
            claimed = os.path.join(self.directory, name)
            try:
                run_id, checkpoint, values = self.check(claimed)
            except (OSError, SpoolFileError) as e:
                self.reject(claimed, str(e))
                continue
            self.keep(run_id, checkpoint, values)
            os.remove(claimed)
            taken += 1
        return taken

    def check(self, path: str) -> tuple[str, int, list[bytes]]:
        """(run_id, checkpoint, values) of a whole, valid checkpoint file; SpoolFileError (or OSError) otherwise."""
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            raise SpoolFileError("not a regular file" + (" (a symbolic link)" if stat.S_ISLNK(info.st_mode) else ""))
        if info.st_size > self.max_file_bytes:
            raise SpoolFileError(
                f"{info.st_size} bytes, more than a checkpoint can be ({self.max_file_bytes} bytes, max_file_mb)"
            )
        with open(path, "rb") as f:
            data = f.read(self.max_file_bytes + 1)
        if not data.strip():
            raise SpoolFileError("empty")
        if not data.endswith(b"\n"):
            raise SpoolFileError("cut short: its last line has no end")
        values = [line for line in data.split(b"\n") if line.strip()]
        run_id, checkpoint, num_layers, layers = None, None, None, set()
        for i, value in enumerate(values, 1):
            try:
                record = json.loads(value)
            except (UnicodeDecodeError, ValueError):
                raise SpoolFileError(f"line {i} is not JSON") from None
            problem = record_problem(record)
            if problem is not None:
                raise SpoolFileError(f"line {i}: {problem}")
            key = (record["run_id"], record["checkpoint"], record["num_layers"])
            if run_id is None:
                run_id, checkpoint, num_layers = key
            elif key != (run_id, checkpoint, num_layers):
                raise SpoolFileError(f"line {i} is of {key[0]}@{key[1]}, the file of {run_id}@{checkpoint}")
            if record["layer"] in layers:
                raise SpoolFileError(f"line {i}: layer {record['layer']} twice")
            layers.add(record["layer"])
        return run_id, checkpoint, values

    def release(self, claimed: str, left: list[bytes], run_id: str, checkpoint: int) -> None:
        """The claimed file is done: gone when all was delivered, else only what is ``left`` waits again."""
        if left:
            self.keep(run_id, checkpoint, left)
        try:
            os.remove(claimed)
        except FileNotFoundError:
            pass

    def reject(self, path: str, reason: str) -> str | None:
        """Moves an entry that is not a checkpoint aside to ``rejected/``, in one line naming it; returns where it
        went.
        """
        name = os.path.basename(path)
        m = _CLAIMED.match(name)
        original = os.path.join(self.directory, m.group("name")) if m else path
        try:
            os.makedirs(self.rejected, mode=0o700, exist_ok=True)
            target = os.path.join(self.rejected, os.path.basename(original))
            os.replace(path, target)
        except OSError as e:
            log.warning("headgeo: spool file %s is not sent (%s) and cannot be moved aside (%s)", original, reason, e)
            return None
        log.warning("headgeo: spool file %s is not sent: %s; moved to %s", original, reason, target)
        return target

    def _refuse_unclaimable(self, path: str, error: OSError) -> None:
        log.warning("headgeo: spool entry %s cannot be claimed (%s); the others are sent", path, error)


def _mtime(path: str) -> float:
    try:
        return os.lstat(path).st_mtime
    except OSError:
        return 0.0


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

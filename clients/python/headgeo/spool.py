"""Checkpoints Kafka did not take in time, kept as files so that they are sent later (by this producer when
Kafka answers again, or by the next one given the same directory): one JSON-lines file per checkpoint,
written whole under a temporary name and renamed, so a crash never leaves half a checkpoint."""
from __future__ import annotations

import hashlib
import os
import re
from typing import List, Tuple


class Spool:
    def __init__(self, directory: str) -> None:
        self.directory = os.path.abspath(directory)
        os.makedirs(self.directory, exist_ok=True)

    def _path(self, run_id: str, checkpoint: int) -> str:
        # readable and safe: the run id's plain characters, a hash of it (two runs never share a file), the checkpoint
        plain = re.sub(r"[^A-Za-z0-9._-]", "_", run_id)[:64]
        digest = hashlib.sha1(run_id.encode("utf-8")).hexdigest()[:10]
        return os.path.join(self.directory, f"{plain}-{digest}@{int(checkpoint)}.jsonl")

    def keep(self, run_id: str, checkpoint: int, values: List[bytes]) -> str:
        """Adds ``values`` (encoded layer records) to the checkpoint's file; returns its path."""
        path = self._path(run_id, checkpoint)
        existing = self.read(path)[2] if os.path.exists(path) else []
        merged = existing + [v for v in values if v not in existing]
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            for value in merged:
                f.write(value.rstrip(b"\n") + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return path

    def waiting(self) -> List[str]:
        """The files of kept checkpoints, oldest first."""
        names = [os.path.join(self.directory, n) for n in os.listdir(self.directory) if n.endswith(".jsonl")]
        return sorted(names, key=os.path.getmtime)

    @staticmethod
    def read(path: str) -> Tuple[str, int, List[bytes]]:
        """(run_id, checkpoint, values) of a kept checkpoint's file."""
        import json

        with open(path, "rb") as f:
            values = [line for line in f.read().split(b"\n") if line.strip()]
        first = json.loads(values[0]) if values else {}
        return first.get("run_id", ""), int(first.get("checkpoint", -1)), values

    def replace(self, path: str, values: List[bytes]) -> None:
        """Keeps only ``values`` of the file (the rest was delivered); removes it when none are left."""
        if not values:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass
            return
        run_id, checkpoint, _ = self.read(path)
        os.remove(path)
        self.keep(run_id, checkpoint, values)

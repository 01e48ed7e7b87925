"""Checksums of output folders, for tests that assert what a build changed."""
from __future__ import annotations

import hashlib
from pathlib import Path


def tree_hash(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files with their relative names."""
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    h = hashlib.sha256()
    for f in sorted(q for q in path.rglob("*") if q.is_file()):
        h.update(f.relative_to(path).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()

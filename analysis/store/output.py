"""The output folder: can it be replaced, and replacing it atomically.

:func:`check_output` says before any work whether the tables could be
replaced; :func:`locked`, :func:`exchange_folders` and :func:`recover` are the
pieces of the atomic swap (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two
renames, recovered on the next read or write if interrupted between them).
"""
from __future__ import annotations

import array
import ctypes
import errno
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no flags to read, no lock to take
    fcntl = None

from analysis import paths
from analysis.store.layout import NEW_FOLDER, OLD_FOLDER

__all__ = ["OutputProblem", "check_output", "exchange_folders", "recover", "locked", "clean_leftovers",
           "make_parent"]


_RENAME_EXCHANGE = 2


_AT_FDCWD = -100


class OutputProblem(Exception):
    """The tables cannot be written where asked; raised before anything is replaced.

    ``str()`` is one line: the path, the problem, the fix.
    """

    def __init__(self, path, problem: str, fix: str):
        self.path = _shown(path)
        self.problem = problem
        self.fix = fix
        super().__init__(f"{self.path}: {problem}; {fix}")


def _shown(path) -> str:
    p = Path(path)
    try:
        return p.absolute().relative_to(Path.cwd().absolute()).as_posix()
    except ValueError:
        return str(p)


_FS_IOC_GETFLAGS = 0x80086601


_FL_UNREMOVABLE = 0x00000010 | 0x00000020      # immutable, append-only


def _pinned(path: Path) -> bool:
    """Whether the file is immutable or append-only (``chattr +i``/``+a``; Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        buf = array.array("l", [0])
        fcntl.ioctl(fd, _FS_IOC_GETFLAGS, buf, True)
        return bool(buf[0] & _FL_UNREMOVABLE)
    except OSError:
        return False
    finally:
        os.close(fd)


def check_output(out_dir: str | os.PathLike | None = None) -> Path:
    """Check that the tables can be replaced in ``out_dir``; raise :class:`OutputProblem` if not.

    The folder (if it exists) must be a folder whose files can all be removed,
    and its parent a folder where a new one can be made and renamed: what the
    swap of :func:`write_tables` needs. Read-only mounts and immutable files
    are told apart from permissions, so the check holds for root too.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "processed").write_text("not a folder")
    ...     check_output(Path(d) / "processed")
    Traceback (most recent call last):
    ...
    analysis.store.output.OutputProblem: ...processed: this is a file, not the folder of the tables; ...
    """
    out = Path(out_dir if out_dir is not None else paths.processed_dir()).absolute()
    fix_writable = ("make it writable (a read-only disk, a mount option or `chattr +i` forbid it), "
                    "or give another folder (--out DIR)")
    if out.is_file() or (out.exists() and not out.is_dir()):
        raise OutputProblem(out, "this is a file, not the folder of the tables",
                            "move the file away, or give another folder (--out DIR)")
    parent = out.parent
    for up in [parent, *parent.parents]:
        if up.exists():
            if not up.is_dir():
                raise OutputProblem(up, "this is a file, where the folder of the tables should be",
                                    "move the file away, or give another folder (--out DIR)")
            if not os.access(up, os.W_OK | os.X_OK):
                raise OutputProblem(up, "no new folder can be made here (read-only)", fix_writable)
            break
    if out.exists():
        for folder, dirs, files in os.walk(out):
            f = Path(folder)
            if not os.access(f, os.W_OK | os.X_OK) or _pinned(f):
                raise OutputProblem(f, "the tables here cannot be replaced (read-only)", fix_writable)
            for name in files + dirs:
                if _pinned(f / name):
                    raise OutputProblem(f / name, "this file cannot be removed (immutable)",
                                        "make it removable (`chattr -i`), or give another folder (--out DIR)")
    return out


def exchange_folders(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux); False where the system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def recover(out: Path) -> None:
    """Put back tables left aside by an interrupted two-rename swap."""
    if out.exists():
        return
    olds = sorted(out.parent.glob(OLD_FOLDER.format(out.name) + "*"))
    if olds:
        os.rename(olds[-1], out)


@contextmanager
def locked(out: Path):
    """Hold an exclusive lock on the output's parent folder (no lock file left behind)."""
    if fcntl is None:
        yield
        return
    fd = os.open(out.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)   # a second build waits for the first
        yield
    finally:
        os.close(fd)


def clean_leftovers(out: Path) -> None:
    """Remove folders of builds killed before their swap (only while holding the lock)."""
    for pattern in (NEW_FOLDER, OLD_FOLDER):
        for p in out.parent.glob(pattern.format(out.name) + "*"):
            shutil.rmtree(p, ignore_errors=True)


def make_parent(out: Path) -> None:
    """Make the output's parent folder, or raise :class:`OutputProblem`."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputProblem(out.parent, f"the folder cannot be made ({e.strerror})",
                            "give another folder (--out DIR)") from None

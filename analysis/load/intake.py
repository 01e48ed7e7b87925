"""A folder of report files to the reports table, saying what became of every file.

The intake runs in three steps:

1. :func:`plan_inputs` reads the manifest and lists the input files (hidden
   files and the manifest left out; links leading out of the folder, named
   pipes and unreadable folders listed, not read), those the manifest names
   first;
2. :func:`read_file` reads one file: checksum, decode, text, metadata
   (:func:`analysis.metadata.read_metadata`). It is a pure function of the
   file's bytes, so files are read in worker processes;
3. :class:`Intake` decides, file by file in the plan's order, whether each is
   loaded, a duplicate (same bytes, or same text, as an earlier file) or not
   loaded, and what the analyst is told (:class:`~analysis.load.Message`).

:func:`load_reports` runs the three.
"""
from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis import paths, schema
from analysis.load.decode import sniff
from analysis.load.document import REPORT_SUFFIXES, open_document
from analysis.load.limits import check_file_size
from analysis.load.manifest import MANIFEST_FIELDS, MANIFEST_NAME, read_manifest
from analysis.load.problems import InputProblem, Message, display_path
from analysis.load.workers import ordered_in_workers
from analysis.metadata import read_metadata
from analysis.periods import parse_period
from analysis.text import normalize_text

__all__ = [
    "InputRecord", "InputRecords", "LoadResult", "list_inputs", "FileRead", "read_file", "InputFile",
    "InputFiles", "InputPlan", "plan_inputs", "report_of", "Intake", "load_reports", "words_joined",
]


@dataclass(frozen=True, slots=True)
class InputRecord:
    """What became of one input file: ``loaded``, ``duplicate``, ``failed`` or ``skipped``."""

    file: str
    sha256: str | None
    doc_id: str | None
    status: str
    same_as: str | None = None


@dataclass
class LoadResult:
    """The reports table and what the analyst should know about the inputs."""

    reports: pd.DataFrame
    messages: list[Message] = field(default_factory=list)
    inputs: list[InputRecord] = field(default_factory=list)

    @property
    def duplicates(self) -> list[InputRecord]:
        """The inputs that repeat an earlier one (same bytes or same text)."""
        return [r for r in self.inputs if r.status == "duplicate"]

    def messages_for(self, doc_id: str) -> list[Message]:
        """Return the messages about the report ``doc_id``."""
        return [m for m in self.messages if m.doc == doc_id]


# Problems that leave a file out with a warning, as not a report (rather than
# an error about a report that could not be read).
_SKIP_CODES = frozenset(("skipped", "limit", "link", "special_file", "unreadable_folder"))


@dataclass(frozen=True)
class _Skipped:
    """An entry of the raw folder that is not read, and why."""

    path: Path
    problem: str
    fix: str
    code: str


def _walk_folder(folder: Path) -> tuple[list[Path], list[_Skipped]]:
    """List the regular files under ``folder`` and the entries that are not read.

    Hidden names and the manifest are left out. Not read: links leading
    outside the folder, links to folders, broken links, named pipes and
    devices, folders that cannot be listed. Links to files inside the folder
    are read.
    """
    root = folder.resolve()
    shown_root = display_path(folder)
    files, skipped = [], []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = list(it)
        except OSError as e:
            skipped.append(_Skipped(current, f"this folder cannot be read ({e.strerror}); its files were "
                                    "not read", "check its permissions", "unreadable_folder"))
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            if current == folder and entry.name == MANIFEST_NAME:
                continue
            try:
                if entry.is_symlink():
                    target = path.resolve()
                    if not target.exists():
                        skipped.append(_Skipped(path, "this link leads nowhere; not read",
                                                "remove the link, or put the report itself here", "link"))
                    elif target != root and root not in target.parents:
                        skipped.append(_Skipped(path, f"this link leads outside {shown_root}; not read",
                                                f"copy the report itself into {shown_root}", "link"))
                    elif target.is_dir():
                        skipped.append(_Skipped(path, "this is a link to a folder; not followed",
                                                "put the reports themselves here", "link"))
                    elif target.is_file():
                        files.append(path)
                    else:
                        skipped.append(_Skipped(path, "this link leads to something that is not a "
                                                "file; not read", "remove the link", "special_file"))
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(path)
                elif entry.is_file(follow_symlinks=False):
                    files.append(path)
                else:
                    skipped.append(_Skipped(path, "this is not a regular file (a named pipe, socket or "
                                            "device); not read", "remove it from the folder", "special_file"))
            except OSError as e:
                skipped.append(_Skipped(path, f"this entry cannot be read ({e.strerror}); not read",
                                        "check its permissions", "unreadable"))
    return sorted(files), sorted(skipped, key=lambda s: s.path)


def _walk_inputs(source) -> tuple[list[tuple[Path, Path]], list[_Skipped]]:
    """(path, folder it was found in) for every candidate file, sorted, and what is skipped."""
    if isinstance(source, (str, os.PathLike)):
        source = [source]
    out: list[tuple[Path, Path]] = []
    skipped: list[_Skipped] = []
    for item in source:
        item = Path(item)
        if item.is_dir():
            files, skip = _walk_folder(item)
            out.extend((p, item) for p in files)
            skipped.extend(skip)
        else:
            out.append((item, item.parent))
    return out, skipped


def list_inputs(source) -> list[tuple[Path, Path]]:
    """(path, folder it was found in) for every candidate file, sorted."""
    return _walk_inputs(source)[0]


def _same(field_name: str, a, b) -> bool:
    if field_name == "programs":
        return sorted(a or []) == sorted(b or [])
    return normalize_text(str(a)).casefold() == normalize_text(str(b)).casefold()


def _show_value(v) -> str:
    return "; ".join(v) if isinstance(v, list) else str(v)


@dataclass(frozen=True)
class FileRead:
    """What reading one file gave: picklable, so files can be read in worker processes."""

    sha256: str | None = None
    text: str | None = None
    text_sha256: str | None = None
    how: str | None = None
    is_plain_utf8: bool = True
    warnings: tuple[str, ...] = ()
    meta: dict | None = None
    meta_error: str | None = None
    problem: tuple[str, str, str] | None = None      # (problem, fix, code)
    level: str = "error"
    limited: tuple[str, ...] = ()


#: The characters ``str.split()`` splits on (``str.isspace``), but the space.
_WHITE_SPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


_SPACES = re.compile(" {2,}")


def words_joined(text: str) -> str:
    r"""Return ``" ".join(text.split())``: the text's words with one space between them.

    What a file's text is compared on to find copies. Replacing the white
    space is a few times faster than splitting a report into its words.

    Examples
    --------
    >>> words_joined("  Phường\tThạch  Bàn\n\n có 36 tin ")
    'Phường Thạch Bàn có 36 tin'
    """
    for c in _WHITE_SPACE:
        if c in text:
            text = text.replace(c, " ")
    return _SPACES.sub(" ", text).strip(" ")


def read_file(path: Path) -> FileRead:
    """Read, checksum, decode and read the metadata of one file: a pure function of its bytes."""
    if path.suffix and path.suffix.lower() not in REPORT_SUFFIXES:
        problem, fix = f"{path.suffix} files are not read by the build", "save the report as .txt, .html or .docx"
        try:
            with open(path, "rb") as f:
                head = f.read(8)
        except OSError:
            head = b""
        known = sniff(head)
        if known is not None:
            problem, fix, _ = known
        return FileRead(problem=(f"skipped: {problem}", fix, "skipped"), level="warning")
    try:
        check_file_size(path, path.stat().st_size)
        data = path.read_bytes()
    except InputProblem as e:
        return FileRead(problem=(e.problem, e.fix, e.code), level="warning")
    except OSError as e:
        return FileRead(problem=(f"the file cannot be read ({e.strerror})", "check its permissions",
                                  "unreadable"))
    sha = hashlib.sha256(data).hexdigest()
    try:
        document = open_document(path, data)
    except InputProblem as e:
        return FileRead(sha256=sha, problem=(e.problem, e.fix, e.code),
                         level="warning" if e.code in _SKIP_CODES else "error")
    except Exception as e:  # noqa: BLE001 - a reader's own failure on one file must not stop the build
        return FileRead(sha256=sha, problem=(f"the file could not be read ({type(e).__name__}: {e})",
                                              "save it again (as .txt, .html or .docx) and build again",
                                              "unreadable"))
    text = document.text
    text_sha = hashlib.sha256(words_joined(text).encode("utf-8")).hexdigest()
    meta, meta_error = None, None
    try:
        meta = dict(read_metadata(text, path.stem))
    except Exception as e:  # one unreadable report must not stop the build
        meta_error = f"{type(e).__name__}: {e}"
    return FileRead(sha, text, text_sha, document.how,
                     document.form == "text" and document.encoding == "UTF-8",
                     document.warnings, meta, meta_error, limited=document.limited)


def _read_chunk(paths_: list[Path]) -> list[FileRead]:
    return [read_file(p) for p in paths_]


def _read_files(paths_: list[Path], jobs: int, progress):
    """Yield ``read_file`` of each path, in order, as they come (in ``jobs`` worker processes)."""
    n = len(paths_)
    if jobs <= 0:
        jobs = os.cpu_count() or 1
    chunk = 1 if jobs == 1 else max(1, min(64, n // (jobs * 8)))
    chunks = [paths_[a:a + chunk] for a in range(0, n, chunk)]
    i = 0
    for got in ordered_in_workers(_read_chunk, chunks, jobs):
        for one in got:
            i += 1
            if progress is not None:
                progress(i, n, display_path(paths_[i - 1]))
            yield one


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file to load: where it is, the doc id it gets, its manifest row.

    ``source_file`` is its path relative to its folder, as ``reports.source_file``
    stores it (worked out once, when the inputs are listed).
    """

    path: Path
    folder: Path
    doc_id: str
    shown: str
    rec: dict | None
    source_file: str


class InputFiles(Sequence):
    """The input files of a plan, in order, held as Arrow strings: an :class:`InputFile` is made when asked for.

    A list of :class:`InputFile` took about 800 bytes a file (its paths as
    ``Path`` objects); this holds about 90: the path, and the file shown,
    doc id and path in its folder only where they are not the path itself,
    its stem and its name. Reads like a list: ``len``, ``[i]``, ``[a:b]``
    (a list), iteration.

    Examples
    --------
    >>> files = InputFiles([InputFile(Path("raw/a.txt"), Path("raw"), "a", "raw/a.txt", None, "a.txt")])
    >>> len(files), files[0].doc_id, [f.shown for f in files[0:1]]
    (1, 'a', ['raw/a.txt'])
    """

    def __init__(self, inputs):
        inputs = list(inputs)
        self._recs: list[dict] = []
        folder_at: dict = {}
        folder, rec = [], []
        for inp in inputs:
            folder.append(folder_at.setdefault(inp.folder, len(folder_at)))
            if inp.rec is None:
                rec.append(-1)
            else:
                rec.append(len(self._recs))
                self._recs.append(inp.rec)
        self._folders = list(folder_at)
        self._folder = np.asarray(folder, np.int32)
        self._rec = np.asarray(rec, np.int32)
        paths_ = [str(inp.path) for inp in inputs]
        # what the path gives is left out (None): the file shown, its stem, its name
        self._columns = {
            "path": pa.array(paths_, pa.string()),
            "doc_id": pa.array([None if inp.doc_id == inp.path.stem else inp.doc_id for inp in inputs], pa.string()),
            "shown": pa.array([None if inp.shown == p else inp.shown for inp, p in zip(inputs, paths_)], pa.string()),
            "source_file": pa.array([None if inp.source_file == inp.path.name else inp.source_file
                                     for inp in inputs], pa.string())}

    def __len__(self) -> int:
        """Return the number of files."""
        return len(self._folder)

    def _make(self, k: int, path: str, doc_id: str | None, shown: str | None, source_file: str | None) -> InputFile:
        r = int(self._rec[k])
        as_path = Path(path)
        return InputFile(as_path, self._folders[int(self._folder[k])], as_path.stem if doc_id is None else doc_id,
                         path if shown is None else shown, self._recs[r] if r >= 0 else None,
                         as_path.name if source_file is None else source_file)

    def __getitem__(self, at):
        """Return the file ``at`` (an :class:`InputFile`), or a list of them for a slice."""
        if isinstance(at, slice):
            a, b, step = at.indices(len(self))
            if step != 1:
                return [self[k] for k in range(a, b, step)]
            cols = [self._columns[c].slice(a, max(0, b - a)).to_pylist()
                    for c in ("path", "doc_id", "shown", "source_file")]
            return [self._make(a + i, *row) for i, row in enumerate(zip(*cols))]
        k = range(len(self))[at]
        return self._make(k, *(self._columns[c][k].as_py() for c in ("path", "doc_id", "shown", "source_file")))

    def __iter__(self):
        """Yield the files in order, a few thousand made at a time."""
        for a in range(0, len(self), 4096):
            yield from self[a:a + 4096]


@dataclass(frozen=True)
class InputPlan:
    """The files to load, in the order they are decided on (:class:`InputFiles`), and the manifest's messages."""

    inputs: Sequence[InputFile]
    messages: list[Message]
    mshown: str
    skipped: tuple = ()


def plan_inputs(source, manifest, known: frozenset = frozenset()) -> InputPlan:
    """Read the manifest and list the input files, in the order they are decided on.

    Those the manifest names come first (so that of two copies the named one
    is kept), then those loaded by an earlier build (``known``: their paths
    relative to their folder, so that a copy added later never takes an id
    already given), then the rest.
    """
    messages: list[Message] = []
    by_path: dict[Path, dict] = {}
    mshown = "the manifest (reports.csv)"
    if manifest is not None:
        mdir = Path(manifest).resolve().parent
        mshown = display_path(manifest)
        for rec in read_manifest(manifest).to_dict("records"):
            target = (mdir / rec["file"]).resolve()
            by_path[target] = rec
            if not target.is_file():
                messages.append(Message(
                    "warning", mshown,
                    f"line {rec['line']} names {rec['file']!r}, which is not in {display_path(mdir)}; "
                    "add the file or remove the row",
                    code="manifest_missing_file", doc=rec["doc"], field="file"))
    listed, skipped = _walk_inputs(source)
    cwd = Path.cwd().resolve()
    folders: dict[Path, Path] = {}        # each folder resolved once
    found = []
    for path, folder in listed:
        if folder not in folders:
            folders[folder] = Path(folder).resolve()
        resolved = path.resolve()
        found.append((path, folder, resolved, _relative(resolved, folders[folder], path.name)))

    def rank(f):
        if f[2] in by_path:
            return 0
        return 1 if known and f[3] in known else 2
    found.sort(key=rank)
    inputs = []
    for path, folder, resolved, source_file in found:
        rec = by_path.get(resolved)
        inputs.append(InputFile(path, folder, rec["doc"] if rec else path.stem,
                                display_path(path, cwd, resolved), rec, source_file))
    del found, listed
    return InputPlan(InputFiles(inputs), messages, mshown, tuple(skipped))


def _relative(resolved: Path, folder: Path, name: str) -> str:
    """Return a file's path relative to its folder (both resolved), else its ``name``.

    What ``reports.source_file`` stores.
    """
    try:
        return resolved.relative_to(folder).as_posix()
    except ValueError:
        return name


def report_of(inp: InputFile, got: FileRead, mshown: str, today: date) -> tuple[dict, list[Message]]:
    """Return the reports-table row of a file read without problem, and the messages about it."""
    return _report_row(got.text, dict(got.meta or {}, doc=inp.doc_id), inp.doc_id, inp.shown,
                       inp.source_file, got.sha256, inp.rec, mshown, today)


def _is_hex_digest(s: str) -> bool:
    """Whether a checksum is 64 lower-case hexadecimal digits (kept as its 32 bytes)."""
    try:
        return len(s) == 64 and bytes.fromhex(s).hex() == s
    except ValueError:
        return False


class InputRecords(Sequence):
    """What became of each input file (:class:`InputRecord`), held as Arrow strings a few thousand at a time.

    About 120 bytes a file (a checksum as its 32 bytes), against 350 as
    objects; reads like a list.

    Examples
    --------
    >>> records = InputRecords()
    >>> records.append(InputRecord("raw/a.txt", "ab12", "a", "loaded"))
    >>> len(records), records[0].status, list(records) == [InputRecord("raw/a.txt", "ab12", "a", "loaded")]
    (1, 'loaded', True)
    """

    _FIELDS = ("file", "sha256", "doc_id", "status", "same_as")
    _PACKED = 4096        # records packed into Arrow arrays at a time

    def __init__(self):
        self._packed: list[pa.RecordBatch] = []
        self._starts: list[int] = []
        self._n_packed = 0
        self._open: list[InputRecord] = []

    def append(self, record: InputRecord) -> None:
        """Add the next record."""
        self._open.append(record)
        if len(self._open) >= self._PACKED:
            self._pack()

    def _pack(self) -> None:
        rows = self._open
        columns = [pa.array([getattr(r, f) for r in rows], pa.string()) for f in self._FIELDS]
        shas = [r.sha256 for r in rows]
        if all(s is None or _is_hex_digest(s) for s in shas):     # 32 bytes, not 64 characters
            columns[1] = pa.array([None if s is None else bytes.fromhex(s) for s in shas], pa.binary(32))
        self._packed.append(pa.record_batch(columns, names=list(self._FIELDS)))
        self._starts.append(self._n_packed)
        self._n_packed += len(rows)
        self._open = []

    def __len__(self) -> int:
        """Return the number of records."""
        return self._n_packed + len(self._open)

    def __getitem__(self, at):
        """Return record ``at``, or a list of them for a slice."""
        if isinstance(at, slice):
            return [self[k] for k in range(*at.indices(len(self)))]
        k = range(len(self))[at]
        if k >= self._n_packed:
            return self._open[k - self._n_packed]
        i = int(np.searchsorted(self._starts, k, side="right")) - 1
        return next(self._records(self._packed[i].slice(k - self._starts[i], 1)))

    @staticmethod
    def _records(b: pa.RecordBatch):
        columns = [b.column(f).to_pylist() for f in InputRecords._FIELDS]
        if pa.types.is_fixed_size_binary(b.column(1).type):
            columns[1] = [None if s is None else s.hex() for s in columns[1]]
        return (InputRecord(*row) for row in zip(*columns))

    def __iter__(self):
        """Yield the records in order."""
        for b in self._packed:
            yield from self._records(b)
        yield from list(self._open)

    def __eq__(self, other) -> bool:
        """Whether the records are those of ``other`` (a sequence of records)."""
        return isinstance(other, Sequence) and len(other) == len(self) and list(self) == list(other)

    __hash__ = None


_MISSING = object()


_PAIR = 1 << 62      # entries of Intake's tables from this one on stand for a pair in Intake._pairs


class _Seen:
    """A map of strings to integers (the keys seen before) holding about 50 bytes an entry.

    A Python dict of strings took about 180 bytes an entry. Keys are kept
    as their SHA-256 digests: the latest few thousand in a dict, the others
    in sorted arrays (digest prefix, digest, value), merged in as the dict
    fills.

    Examples
    --------
    >>> seen = _Seen()
    >>> seen["a"] = 3
    >>> "a" in seen, "b" in seen, seen["a"]
    (True, False, 3)
    """

    _RECENT = 8192          # entries held in the dict before they are merged into the arrays

    def __init__(self):
        self._recent: dict[bytes, int] = {}
        self._prefix = np.empty(0, np.uint64)          # sorted
        self._digest = np.empty((0, 32), np.uint8)
        self._value = np.empty(0, np.int64)

    @staticmethod
    def _key(key: str) -> bytes:
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()

    def _find(self, d: bytes) -> int:
        """Return the position of a digest in the arrays, or -1."""
        p = np.uint64(int.from_bytes(d[:8], "little"))
        i = int(np.searchsorted(self._prefix, p))
        while i < len(self._prefix) and self._prefix[i] == p:
            if self._digest[i].tobytes() == d:
                return i
            i += 1
        return -1

    def get(self, key: str, default=None):
        """Return the value of ``key``, or ``default``."""
        d = self._key(key)
        if d in self._recent:
            return self._recent[d]
        i = self._find(d)
        return default if i < 0 else int(self._value[i])

    def __contains__(self, key: str) -> bool:
        """Whether ``key`` was seen."""
        return self.get(key, _MISSING) is not _MISSING

    def __getitem__(self, key: str) -> int:
        """Return the value of ``key`` (KeyError if it was not seen)."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key: str, value: int) -> None:
        """Set the value of ``key``."""
        d = self._key(key)
        if d not in self._recent:
            i = self._find(d)
            if i >= 0:
                self._value[i] = value
                return
        self._recent[d] = value
        if len(self._recent) >= self._RECENT:
            self._merge()

    def _merge(self) -> None:
        digest = np.frombuffer(b"".join(self._recent), np.uint8).reshape(-1, 32)
        value = np.fromiter(self._recent.values(), np.int64, len(self._recent))
        self._recent = {}
        prefix = digest[:, :8].copy().view("<u8").ravel().astype(np.uint64)
        prefix = np.concatenate([self._prefix, prefix])
        order = np.argsort(prefix, kind="stable")
        self._prefix = prefix[order]
        self._digest = np.concatenate([self._digest, digest])[order]
        self._value = np.concatenate([self._value, value])[order]


class Intake:
    """The loader's decisions, file by file in the plan's order.

    Whether each file is loaded, a duplicate (same bytes, or same text, as an
    earlier file) or not loaded (unreadable, doc id taken), and what the
    analyst is told. Everything else about a file is a pure function of its
    bytes and can be worked out anywhere beforehand; this part depends on the
    files before it, so it runs once, in order.

    What it keeps of each file is small: its record (:class:`InputRecords`),
    and, to find copies and doc ids taken, the checksums and doc ids of the
    files before it with the position of their file in the plan (their file
    and doc id are read from the plan when a message names them).
    """

    def __init__(self, plan: InputPlan, today: date):
        self.plan = plan
        self.today = today
        self.messages: list[Message] = list(plan.messages)
        self.records = InputRecords()
        self.rows: list[dict] = []
        self._first_of_bytes = _Seen()      # sha256 -> its first file (see _first)
        self._first_of_text = _Seen()
        self._taken = _Seen()               # doc id -> the file that has it (see _first)
        self._pairs: list[tuple] = []       # (file, doc id) of files that are not the plan's next
        self._n = 0                         # files decided on
        for skip in plan.skipped:
            shown = display_path(skip.path)
            self.messages.append(Message("warning", shown, f"{skip.problem}; {skip.fix}", code=skip.code))
            self.records.append(InputRecord(shown, None, None, "skipped"))

    @property
    def inputs(self) -> list[InputRecord]:
        """What became of each input file (a list made when asked for: :attr:`records` holds them)."""
        return list(self.records)

    def _first(self, at) -> tuple[str, str | None]:
        """Return the file shown and the doc id (None: not loaded) that an entry of the tables above stands for.

        An entry is the position of a file of the plan (``k``: with its doc
        id; ``-1 - k``: without), or, for a file that is not the plan's next
        (a caller deciding on files of its own), ``_PAIR`` plus the position
        of the pair in ``_pairs``.
        """
        if at >= _PAIR:
            return self._pairs[at - _PAIR]
        inp = self.plan.inputs[at if at >= 0 else -1 - at]
        return inp.shown, inp.doc_id if at >= 0 else None

    def add(self, inp: InputFile, got: FileRead, report=None) -> bool:
        """Decide on one file; True when it is loaded (its row is kept).

        ``report`` is ``report_of(inp, got, ...)`` if already worked out; its
        row may be None when the caller keeps the rows itself.
        """
        shown, doc_id, sha = inp.shown, inp.doc_id, got.sha256
        k = self._n
        self._n += 1
        inputs = self.plan.inputs
        if k < len(inputs) and inputs[k].shown == shown and inputs[k].doc_id == doc_id:
            with_doc, without = k, -1 - k              # the plan's next file: its position stands for it
        else:
            self._pairs += [(shown, doc_id), (shown, None)]
            with_doc, without = _PAIR + len(self._pairs) - 2, _PAIR + len(self._pairs) - 1
        messages, records = self.messages, self.records
        if sha is not None and sha in self._first_of_bytes:
            first, first_doc = self._first(self._first_of_bytes[sha])
            outcome = f"loaded once as {first_doc}" if first_doc else "which could not be read either"
            messages.append(Message("warning", shown, f"the same file as {first} (identical bytes), "
                                    f"{outcome}; remove the copy", code="duplicate", doc=first_doc))
            records.append(InputRecord(shown, sha, None, "duplicate", same_as=first))
            return False
        if sha is not None:
            self._first_of_bytes[sha] = without
        if got.problem is not None:
            problem, fix, code = got.problem
            skipped = code in _SKIP_CODES
            messages.append(Message(got.level, shown, f"{problem}; {fix}", code=code,
                                    doc=None if skipped else doc_id))
            records.append(InputRecord(shown, sha, None if skipped else doc_id,
                                       "skipped" if skipped else "failed"))
            return False
        if got.text_sha256 in self._first_of_text:
            entry = self._first_of_text[got.text_sha256]
            first, first_doc = self._first(entry)
            self._first_of_bytes[sha] = entry
            messages.append(Message("warning", shown, f"the same report as {first} (identical text, "
                                    f"read as {got.how}), loaded once as {first_doc}; "
                                    "remove the copy", code="duplicate", doc=first_doc))
            records.append(InputRecord(shown, sha, None, "duplicate", same_as=first))
            return False
        mshown = self.plan.mshown
        if doc_id in self._taken:
            messages.append(Message("error", shown, f"the doc id {doc_id!r} is already taken by "
                                    f"{self._first(self._taken[doc_id])[0]}; give this file another doc id "
                                    f"in {mshown} (column doc)", code="doc_id_taken", doc=doc_id, field="doc"))
            records.append(InputRecord(shown, sha, doc_id, "failed"))
            return False
        self._taken[doc_id] = with_doc
        self._first_of_bytes[sha] = with_doc
        self._first_of_text[got.text_sha256] = with_doc
        if not got.is_plain_utf8:
            messages.append(Message("info", shown, f"read as {got.how}", code="decoded", doc=doc_id))
        for w in got.warnings:
            messages.append(Message("warning", shown, w, code="encoding", doc=doc_id))
        for w in got.limited:
            messages.append(Message("warning", shown, w, code="limit", doc=doc_id))
        if got.meta_error:
            messages.append(Message("warning", shown, f"metadata could not be read ({got.meta_error}); "
                                    f"fill in its fields in {mshown}", code="metadata_failed", doc=doc_id))
        row, row_messages = report if report is not None else report_of(inp, got, mshown, self.today)
        messages.extend(row_messages)
        if row is not None:       # (None: the caller keeps the rows)
            self.rows.append(row)
        records.append(InputRecord(shown, sha, doc_id, "loaded"))
        return True

    def result(self) -> LoadResult:
        """Return the reports table (sorted by doc id) and what was decided."""
        rows, self.rows = self.rows, []
        frame = pd.DataFrame.from_records(rows, columns=schema.REPORTS.names) if rows \
            else schema.empty_frame(schema.REPORTS)
        del rows
        frame = schema.validate(frame.sort_values("doc_id", kind="stable"), schema.REPORTS)
        return LoadResult(frame, self.messages, self.inputs)


def load_reports(source=paths.RAW, manifest=paths.MANIFEST, today: date | None = None,
                 progress: Callable[[int, int, str], None] | None = None,
                 jobs: int = 1, known: frozenset = frozenset()) -> LoadResult:
    """Load report files into the reports table, with messages about each input.

    Parameters
    ----------
    source : a folder (read recursively; hidden files and the manifest skipped),
        one file, or a list of files and folders.
    manifest : the manifest CSV (see :func:`read_manifest`); ``None`` for none.
        Its ``file`` column is relative to its own folder.
    today : the date that periods must not start after (default: the real
        today, read when called).
    progress : called as ``progress(i, n, file)`` after each file.
    jobs : worker processes reading files (``0``: one per core); the result
        does not depend on it.
    known : files (relative to their folder) loaded by an earlier build: of
        two copies, the one loaded before keeps its doc id.

    Every input is recorded with its SHA-256 checksum; a file whose bytes, or
    whose text once decoded, repeat an earlier one is loaded once and named as
    a duplicate. Metadata is read from the text
    (:func:`analysis.metadata.read_metadata`) and what the manifest gives
    overrides it, with a warning where they disagree. A report whose unit or
    period cannot be read is loaded with a warning naming the manifest field to
    fill in; a file that cannot be read gets an error and is left out. Nothing
    is raised for one bad file: the rest goes on.

    Examples
    --------
    >>> result = load_reports()                  # the bundled data/raw and its manifest
    >>> result.reports[["doc_id", "unit_name", "period"]].head(2).values.tolist()
    [['cau-giay-2022-h1', 'Cầu Giấy', '2022-H1'], ['cu-khoi-2018-fy', 'Cự Khối', '2018-FY']]
    >>> len(result.inputs[0].sha256), result.messages   # every input keeps its checksum
    (64, [])
    """
    plan = plan_inputs(source, manifest, known)
    intake = Intake(plan, today or date.today())
    reads = _read_files([inp.path for inp in plan.inputs], jobs, progress)
    for inp, got in zip(plan.inputs, reads):
        intake.add(inp, got)
    return intake.result()


def _report_row(text: str, meta: dict, doc_id: str, shown: str, source_file: str, sha: str,
                rec: dict | None, mshown: str, today: date) -> tuple[dict, list[Message]]:
    messages: list[Message] = []
    for name in MANIFEST_FIELDS:
        given = rec.get(name) if rec else None
        if given is None:
            continue
        read = meta.get(name)
        if read not in (None, [], "") and not _same(name, read, given):
            messages.append(Message(
                "warning", shown,
                f"{mshown} gives {name} {_show_value(given)!r} but the text reads "
                f"{_show_value(read)!r}; the manifest is used — correct {mshown} if the text is right",
                code="manifest_contradicts", doc=doc_id, field=name))
        meta[name] = given
    period = meta.get("period")
    start = end = months = None
    if period:
        try:
            s, e, months = parse_period(period)
            start, end = s.isoformat(), e.isoformat()
        except ValueError:
            messages.append(Message("warning", shown, f"period {period!r} is not a period code; "
                                    f"fill in period in {mshown} (e.g. 2021-H1)",
                                    code="no_period", doc=doc_id, field="period"))
            period = None
    if not meta.get("unit_name"):
        messages.append(Message("warning", shown,
                                "the unit (phường/quận) could not be read from the text; "
                                f"fill in unit_name and unit_level for this file in {mshown}",
                                code="no_unit", doc=doc_id, field="unit_name"))
    if not period:
        messages.append(Message("warning", shown,
                                "the period (e.g. '6 tháng đầu năm 2021') could not be read from the text; "
                                f"fill in period for this file in {mshown} (e.g. 2021-H1)",
                                code="no_period", doc=doc_id, field="period"))
    if start and date.fromisoformat(str(start)[:10]) > today:
        messages.append(Message("warning", shown,
                                f"the period {period} has not begun yet (today is {today.isoformat()}); "
                                f"check the year in the text, or set period in {mshown}",
                                code="future_period", doc=doc_id, field="period"))
    published = meta.get("published")
    if published and date.fromisoformat(str(published)[:10]) > today:
        messages.append(Message("warning", shown,
                                f"the publication date {published} is in the future "
                                f"(today is {today.isoformat()}); check the 'Ngày đăng' stamp, "
                                f"or set published in {mshown}",
                                code="future_published", doc=doc_id, field="published"))
    programs = meta.get("programs")
    row = {
        "doc_id": doc_id,
        "title": meta.get("title"),
        "unit_name": meta.get("unit_name"),
        "unit_level": meta.get("unit_level"),
        "parent": meta.get("parent"),
        "city": meta.get("city"),
        "period": period,
        "period_start": pd.Timestamp(start) if start else pd.NaT,
        "period_end": pd.Timestamp(end) if end else pd.NaT,
        "period_months": months,
        "published": pd.Timestamp(published) if published else pd.NaT,
        "doc_kind": meta.get("doc_kind"),
        "programs": list(programs) if programs is not None else [],
        "source_file": source_file,
        "sha256": sha,
        "n_chars": len(text),
        "text": text,
    }
    return row, messages

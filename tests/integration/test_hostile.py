"""Broken and hostile inputs: nothing dropped silently, nothing hangs, nothing left behind.

Each case runs the build as the analyst does (``python -m analysis build``, in
process through :func:`analysis.cli.main`, or as a real process where it is
killed) and checks the one line the analyst reads, the exit code, that the
previous tables are unchanged when nothing could be written, and that the other
facts of the reports are kept.

These tests run as root, for whom file modes do not bind. The permission cases
therefore use what binds root too: a path that is a file where a folder is
needed, ``chattr +i`` (immutable files), a read-only bind mount in a mount
namespace of its own (``unshare -m``), and, for unreadable files and folders,
the build run as the user ``nobody`` (``setpriv``), for whom ``chmod 000`` binds.
Each is skipped where the tool it needs is missing.
"""
from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _files import tree_hash, write_empty_corrections
from analysis import paths
from analysis.cli import main
from analysis.load import InputProblem, load_reports, open_document, read_manifest
from analysis.store import read_table

REPORT = ("Báo cáo kết quả 6 tháng đầu năm 2021 của phường Phúc Lợi\n"
          "Có 5209/5318 hộ đăng ký gia đình văn hóa.\n"
          "Tuyên truyền trên cổng thông tin điện tử phường với 36 tin.\n")
PAGE_HEAD = ("<html><head><title>Kết quả 6 tháng đầu năm 2021 phường Phúc Lợi</title></head>"
             "<body><nav>Trang chủ | Tin tức</nav>")
PAGE_TEXT = "<p>Có 5209/5318 hộ đăng ký gia đình văn hóa.</p>"


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

SEED = "thach-ban-2021-h1"


def small_raw(folder: Path) -> Path:
    """A raw folder holding one bundled report and its manifest row (fast to build)."""
    folder.mkdir(parents=True)
    shutil.copy(paths.RAW / f"{SEED}.txt", folder)
    (folder / "reports.csv").write_text(f"file,doc\n{SEED}.txt,{SEED}\n", encoding="utf-8")
    return folder


@pytest.fixture
def raw(tmp_path) -> Path:
    return small_raw(tmp_path / "raw")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """Tables of the one-report raw folder, built once; tests copy them."""
    base = tmp_path_factory.mktemp("built")
    out = base / "processed"
    assert main(["build", "--raw", str(small_raw(base / "raw")), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture
def previous(built, tmp_path) -> Path:
    """A copy of the previous tables, to check they are left unchanged."""
    out = tmp_path / "processed"
    shutil.copytree(built, out)
    return out


def build(capsys, raw: Path, out: Path, *args) -> tuple[int, list[str], list[str]]:
    """Run ``python -m analysis build`` in process (progress off).

    Returns the exit code, the lines on stderr, and the messages of the summary on stdout.
    """
    code = main(["build", "--raw", str(raw), "--out", str(out), "--quiet", *args])
    got = capsys.readouterr()
    return code, [ln for ln in got.err.splitlines() if ln.strip()], said(got.out)


def said(stdout: str) -> list[str]:
    """The summary's message lines (errors and warnings)."""
    return [ln for ln in stdout.splitlines() if ln.startswith(("warning:", "error:"))]


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def facts_of(out: Path, doc: str) -> list[str]:
    facts = read_table("facts", out)
    return sorted(facts.loc[facts["doc_id"] == doc, "raw"])


def world_readable_tmp() -> Path:
    """A temporary folder that the user nobody can read and write."""
    d = Path(tempfile.mkdtemp(prefix="hostile-"))
    d.chmod(0o777)
    return d


def run_cli(*args, user: str | None = None, prefix: list[str] | None = None, timeout: float = 120):
    """``python -m analysis ARGS`` as a real process: exit code, stdout, stderr."""
    cmd = [*(prefix or []), sys.executable, "-m", "analysis", *args]
    if user == "nobody":
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=str(paths.ROOT))
    return proc.returncode, proc.stdout, proc.stderr


def needs(tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed here")


def as_nobody_works() -> bool:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return False
    code, _, _ = run_cli("--help", user="nobody", timeout=60)
    return code == 0


# --------------------------------------------------------------------------
# 2. Plausibility
# --------------------------------------------------------------------------

def test_implausible_values_stay_marked_and_are_listed(raw, tmp_path, capsys):
    (raw / "phuc-loi-2021-h1.txt").write_text(
        REPORT + "Thu ngân sách trên địa bàn phường đạt 50.000.000 tỷ đồng.\n"
        "Toàn phường có 1.000.000.000.000 hộ gia đình.\n", encoding="utf-8")
    out = tmp_path / "processed"
    code, err, lines = build(capsys, raw, out)
    assert code == 0 and err == []
    flagged = [ln for ln in lines if "phuc-loi-2021-h1.txt" in ln and "is_implausible" in ln]
    assert len(flagged) == 2
    assert any("'50.000.000 tỷ đồng'" in ln and "ward" in ln for ln in flagged)
    facts = read_table("facts", out)
    mine = facts[facts["doc_id"] == "phuc-loi-2021-h1"]
    marked = dict(zip(mine["raw"], mine["is_implausible"]))
    assert marked["50.000.000 tỷ đồng"] and marked["1.000.000.000.000"]
    # the report's other facts are kept, unmarked; the bundled reports have none marked
    assert marked["5209/5318"] == False and marked["36"] == False  # noqa: E712
    assert not facts.loc[facts["doc_id"] == SEED, "is_implausible"].any()


# --------------------------------------------------------------------------
# 4. Deeply nested HTML
# --------------------------------------------------------------------------

def nested_page(levels: int) -> str:
    return PAGE_HEAD + "<div>" * levels + PAGE_TEXT + "</div>" * levels + "</body></html>"


def test_deeply_nested_page_is_read_quickly_with_a_warning(raw, tmp_path, capsys):
    page = raw / "trang-long-nhau.html"
    page.write_text(nested_page(8000), encoding="utf-8")
    clock = time.process_time()          # CPU time: other work on the machine does not count
    doc = open_document(page)
    assert time.process_time() - clock < 2.0
    assert "Có 5209/5318 hộ đăng ký gia đình văn hóa." in doc.text.splitlines()
    assert "Trang chủ" not in doc.text            # the menu is still dropped
    out = tmp_path / "processed"
    code, _, lines = build(capsys, raw, out)
    assert code == 0
    [line] = [ln for ln in lines if "trang-long-nhau.html" in ln]
    assert line.startswith("warning:") and "nested 8003 levels deep" in line and "256" in line
    assert facts_of(out, "trang-long-nhau") == ["5209/5318"]


def test_a_hundred_thousand_levels_do_not_stall(tmp_path):
    page = tmp_path / "trang.html"
    page.write_text(nested_page(100_000), encoding="utf-8")
    clock = time.process_time()
    doc = open_document(page)
    assert time.process_time() - clock < 30
    assert "Có 5209/5318 hộ đăng ký gia đình văn hóa." in doc.text
    assert any("nested 100003 levels deep" in w for w in doc.limited)


def test_html_cost_grows_linearly_with_the_page():
    from analysis.load import html_to_text

    def seconds(n):
        page = PAGE_HEAD + ("<div class='box'><div><span>" + PAGE_TEXT + "</span></div></div>") * n \
            + "</body></html>"
        clock = time.process_time()
        html_to_text(page, 256)
        return time.process_time() - clock
    seconds(50)
    small, large = seconds(400), seconds(3200)
    assert large < 8 * small * 2.5         # eight times the page: at most ~8 times the time


# --------------------------------------------------------------------------
# 5. Size bombs
# --------------------------------------------------------------------------

def docx_bytes(paragraphs: list[str], padding: int = 0) -> bytes:
    """A minimal Word file; ``padding`` bytes of spaces inside its XML (they compress to nothing)."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                   'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                   '</Relationships>')
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0"?><w:document {ns}><w:body>{body}'.encode())
            chunk = b" " * (1 << 20)
            for _ in range(padding >> 20):
                f.write(chunk)
            f.write(b"</w:body></w:document>")
    return buf.getvalue()


def test_a_docx_that_expands_past_the_limit_is_not_unpacked(raw, tmp_path, capsys):
    bomb = docx_bytes(["Có 5209/5318 hộ đăng ký gia đình văn hóa."], padding=300 << 20)
    assert len(bomb) < 2 << 20                   # small on disk, 300 MB unpacked
    (raw / "bom.docx").write_bytes(bomb)
    (raw / "phuc-loi-2021-h1.docx").write_bytes(docx_bytes(REPORT.splitlines()))
    out = tmp_path / "processed"
    code, _, lines = build(capsys, raw, out)
    assert code == 0
    [line] = [ln for ln in lines if "bom.docx" in ln]
    assert line.startswith("warning:") and "limit of 200 MB" in line and "max_docx_mb" in line
    assert facts_of(out, "phuc-loi-2021-h1") == ["36", "5209/5318"]   # a real .docx is read


def test_a_docx_compressed_beyond_the_ratio_is_not_unpacked(tmp_path):
    bomb = tmp_path / "bom.docx"
    bomb.write_bytes(docx_bytes(["Có 36 tin."], padding=12 << 20))
    with pytest.raises(InputProblem) as e:
        open_document(bomb)
    assert "times its size" in str(e.value) and "limit of 100 times" in str(e.value)
    assert "\n" not in str(e.value)


def test_a_report_beyond_the_character_limit_is_cut_with_a_warning(raw, tmp_path, capsys):
    filler = "Đảng ủy phường lãnh đạo thực hiện tốt các nhiệm vụ chính trị của địa phương.\n" * 400
    (raw / "phuc-loi-2021-h1.txt").write_text(REPORT + filler + "Cuối báo cáo có 77 tin.\n",
                                              encoding="utf-8")
    out = tmp_path / "processed"
    code, _, lines = build(capsys, raw, out, "--limit", "max_report_chars=20000")
    assert code == 0
    [line] = [ln for ln in lines if "phuc-loi-2021-h1.txt" in ln]
    assert "beyond the limit of 20,000 per report" in line and "max_report_chars" in line
    assert facts_of(out, "phuc-loi-2021-h1") == ["36", "5209/5318"]     # what came before the cut
    reports = read_table("reports", out)
    assert reports.loc[reports["doc_id"] == "phuc-loi-2021-h1", "n_chars"].item() <= 20000


def test_a_file_beyond_the_size_limit_is_not_read(raw, tmp_path, capsys, monkeypatch):
    (raw / "lon.txt").write_text(REPORT * 40000, encoding="utf-8")     # about 6 MB
    monkeypatch.setenv("ANALYSIS_MAX_FILE_MB", "5")
    out = tmp_path / "processed"
    code, _, lines = build(capsys, raw, out)
    assert code == 0
    [line] = [ln for ln in lines if "lon.txt" in ln]
    assert "limit of 5 MB" in line and "ANALYSIS_MAX_FILE_MB" in line
    assert list(read_table("reports", out)["doc_id"]) == [SEED]


def test_a_bad_limit_is_one_line(raw, tmp_path, capsys):
    code, err, _ = build(capsys, raw, tmp_path / "processed", "--limit", "max_pages=3")
    assert code == 2 and len(err) == 1 and "max_report_chars" in err[0]
    assert not (tmp_path / "processed").exists()


# --------------------------------------------------------------------------
# 6. A killed build leaves nothing behind
# --------------------------------------------------------------------------

def children_of() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":
            kids.setdefault(int(fields[1]), []).append(int(d.name))
    return kids


def descendants(pid: int) -> set[int]:
    kids, out, todo = children_of(), set(), [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.add(k)
            todo.append(k)
    return out


def alive(pids) -> set[int]:
    out = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(p)
    return out


def many_reports(folder: Path, n: int, period_line: str | None = None) -> None:
    """N distinct reports: the bundled ones again and again, each with a line of its own."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = [p.read_text(encoding="utf-8") for p in sorted(paths.RAW.glob("*.txt"))]
    for i in range(n):
        text = period_line or seeds[i % len(seeds)]
        (folder / f"r{i:04d}.txt").write_text(f"{text}\nGhi chú bản số {i}.", encoding="utf-8")


def start_build(*args) -> subprocess.Popen:
    """A real ``build --jobs 2``, in a process group of its own (as a terminal runs it)."""
    return subprocess.Popen([sys.executable, "-m", "analysis", "build", "--jobs", "2", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=str(paths.ROOT), start_new_session=True)


def kill_9_once_working(n_workers: int, *args: str) -> set:
    """Start a real build, ``kill -9`` it once its workers run; the workers it had."""
    proc = start_build(*args)
    try:
        workers = wait_for_workers(proc, n_workers)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    return workers


def wait_for_workers(proc: subprocess.Popen, n: int, timeout: float = 60) -> set[int]:
    if not Path("/proc/self/stat").exists():
        proc.kill()
        proc.wait(30)
        pytest.skip("processes are found through /proc (Linux)")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = descendants(proc.pid)
        if len(found) >= n:
            return found
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    pytest.fail(f"the build did not start {n} worker processes: {proc.communicate()[1][-500:]}")


def gone_within(pids: set[int], seconds: float = 15) -> set[int]:
    deadline = time.monotonic() + seconds
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = alive(pids)
    for p in left:                        # never leave anything running
        try:
            os.kill(p, signal.SIGKILL)
        except OSError:
            pass
    return left


@pytest.fixture
def many(tmp_path) -> Path:
    folder = tmp_path / "many"
    many_reports(folder, 120)
    return folder


def test_kill_9_of_the_build_ends_its_workers(many, previous):
    before = tree_hash(previous)
    workers = kill_9_once_working(2, "--raw", str(many), "--out", str(previous))
    assert gone_within(workers) == set()
    assert tree_hash(previous) == before


@pytest.mark.parametrize("how", ["SIGTERM to the build", "Ctrl-C in its terminal"])
def test_sigterm_or_ctrl_c_end_the_build_with_one_line_and_leave_nothing(many, previous, how):
    before = tree_hash(previous)
    proc = start_build("--raw", str(many), "--out", str(previous), "--quiet")
    try:
        workers = wait_for_workers(proc, 2)
        if how.startswith("SIGTERM"):
            proc.send_signal(signal.SIGTERM)
        else:                                  # a terminal sends SIGINT to the whole group
            os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert gone_within(workers) == set()
    assert proc.returncode == 130
    assert err.strip().splitlines() == [
        "interrupted; the processed tables are unchanged unless the build had finished"]
    assert tree_hash(previous) == before
    assert leftovers(previous) == []


def test_kill_9_of_a_period_build_ends_its_workers(tmp_path, previous):
    raw = tmp_path / "raw"
    shutil.copytree(paths.RAW, raw)
    many_reports(raw / "moi", 120, REPORT)
    before = tree_hash(previous)
    # a period build runs the same pipeline as a full one: its two workers
    family = kill_9_once_working(2, "--raw", str(raw), "--out", str(previous), "--period", "2021-H1")
    assert gone_within(family) == set()
    assert tree_hash(previous) == before


def test_stale_folders_of_dead_builds_are_cleaned(raw, previous, capsys):
    stale = previous.parent / f".{previous.name}.new-999999"
    (stale / "facts.parquet").mkdir(parents=True)
    code, _, _ = build(capsys, raw, previous)
    assert code == 0 and leftovers(previous) == []


# --------------------------------------------------------------------------
# 7. Output and manifest problems
# --------------------------------------------------------------------------

def test_processed_path_that_is_a_file(raw, tmp_path, capsys):
    out = tmp_path / "processed"
    out.write_text("notes", encoding="utf-8")
    code, err, _ = build(capsys, raw, out)
    assert code == 2
    assert err == [f"error: {out}: this is a file, not the folder of the tables; "
                   "move the file away, or give another folder (--out DIR)"]
    assert out.read_text(encoding="utf-8") == "notes"


def test_output_inside_a_file(raw, tmp_path, capsys):
    blocker = tmp_path / "data"
    blocker.write_text("x", encoding="utf-8")
    code, err, _ = build(capsys, raw, blocker / "processed")
    assert code == 2 and len(err) == 1 and str(blocker) in err[0] and "--out" in err[0]


def test_manifest_that_is_a_folder(raw, previous, capsys):
    before = tree_hash(previous)
    (raw / "reports.csv").unlink()
    (raw / "reports.csv").mkdir()
    code, err, _ = build(capsys, raw, previous)
    assert code == 2
    assert err == [f"error: {raw / 'reports.csv'}: the manifest is a folder, not a CSV file; "
                   "move the folder elsewhere (the manifest must be a CSV file of this name)"]
    assert tree_hash(previous) == before and leftovers(previous) == []


def test_manifest_that_is_a_named_pipe_does_not_hang(raw, previous, capsys):
    before = tree_hash(previous)
    (raw / "reports.csv").unlink()
    os.mkfifo(raw / "reports.csv")
    code, err, _ = build(capsys, raw, previous)
    assert code == 2 and len(err) == 1 and "not a regular file" in err[0]
    assert tree_hash(previous) == before


def test_immutable_tables_are_refused_before_the_swap(raw, previous, capsys):
    needs("chattr")
    part = sorted((previous / "facts.parquet").rglob("part-0.parquet"))[0]
    if subprocess.run(["chattr", "+i", str(part)], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable files")
    try:
        before = tree_hash(previous)
        code, err, _ = build(capsys, raw, previous)
        assert code == 2
        assert err == [f"error: {part}: this file cannot be removed (immutable); "
                       "make it removable (`chattr -i`), or give another folder (--out DIR)"]
        assert tree_hash(previous) == before and leftovers(previous) == []
    finally:
        subprocess.run(["chattr", "-i", str(part)], check=True)


def test_read_only_mount_is_refused_before_the_swap(built):
    needs("unshare")
    base = world_readable_tmp()
    try:
        out = base / "processed"
        shutil.copytree(built, out)
        before = tree_hash(out)
        remount = f"mount --bind {out} {out} && mount -o remount,bind,ro {out} && exec \"$@\""
        probe = subprocess.run(["unshare", "-m", "sh", "-c", remount, "sh", "true"], capture_output=True)
        if probe.returncode != 0:
            pytest.skip("no mount namespace here")
        code, _, err = run_cli("build", "--raw", str(paths.RAW), "--out", str(out), "--quiet",
                               prefix=["unshare", "-m", "sh", "-c", remount, "sh"])
        assert code == 2
        assert err.strip().splitlines() == [
            f"error: {out}: the tables here cannot be replaced (read-only); make it writable "
            "(a read-only disk, a mount option or `chattr +i` forbid it), or give another folder (--out DIR)"]
        assert tree_hash(out) == before and leftovers(out) == []
    finally:
        shutil.rmtree(base)


@pytest.fixture
def nobody_folder(built, monkeypatch):
    """A raw folder, previous tables and an empty corrections file that the user nobody may read and write."""
    if not as_nobody_works():
        pytest.skip("cannot run the build as the user nobody here")
    base = world_readable_tmp()
    raw, out = small_raw(base / "raw"), base / "processed"
    shutil.copy(paths.RAW / "cu-khoi-2018-fy.txt", raw)
    shutil.copytree(built, out)
    corrections = write_empty_corrections(base / "corrections.csv")
    monkeypatch.setenv("ANALYSIS_CORRECTIONS", str(corrections))
    for p in [raw, out, corrections, *raw.rglob("*"), *out.rglob("*")]:
        p.chmod(0o777 if p.is_dir() else 0o666)
    yield raw, out
    shutil.rmtree(base)


def test_unreadable_manifest_is_one_line(nobody_folder):
    raw, out = nobody_folder
    before = tree_hash(out)
    (raw / "reports.csv").chmod(0)
    code, _, err = run_cli("build", "--raw", str(raw), "--out", str(out), "--quiet", user="nobody")
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: {raw / 'reports.csv'}: the manifest cannot be read (Permission denied); "
        "check its permissions (the build only reads it)"]
    assert tree_hash(out) == before


def test_unreadable_file_and_folder_are_listed_and_the_rest_is_built(nobody_folder):
    raw, out = nobody_folder
    (raw / "thach-ban-2021-h1.txt").chmod(0)
    locked = raw / "khoa"
    locked.mkdir()
    (locked / "phuc-loi-2021-h1.txt").write_text(REPORT, encoding="utf-8")
    locked.chmod(0)
    code, stdout, err = run_cli("build", "--raw", str(raw), "--out", str(out), "--quiet", user="nobody")
    assert code == 0, err
    lines = said(stdout)
    assert f"error: {raw / 'thach-ban-2021-h1.txt'}: the file cannot be read (Permission denied); " \
        "check its permissions" in lines
    assert f"warning: {locked}: this folder cannot be read (Permission denied); its files were not " \
        "read; check its permissions" in lines
    assert "\n1 reports, " in stdout                   # cu-khoi-2018-fy, built
    assert len(facts_of(out, "cu-khoi-2018-fy")) > 100


# --------------------------------------------------------------------------
# 9. Files in the raw folder
# --------------------------------------------------------------------------

def test_link_leading_outside_the_raw_folder_is_not_read(raw, tmp_path, capsys):
    secret = tmp_path / "elsewhere" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("Mật khẩu máy chủ: có 12345 ký tự bí mật.", encoding="utf-8")
    (raw / "bi-mat.txt").symlink_to(secret)
    (raw / "ban-sao.txt").symlink_to(raw / "thach-ban-2021-h1.txt")     # inside: read (a duplicate)
    out = tmp_path / "processed"
    code, _, lines = build(capsys, raw, out)
    assert code == 0
    assert f"warning: {raw / 'bi-mat.txt'}: this link leads outside {raw}; not read; copy the " \
        f"report itself into {raw}" in lines
    reports = read_table("reports", out)
    assert not reports["text"].str.contains("Mật khẩu").any()
    assert list(reports["doc_id"]) == [SEED] and len(facts_of(out, SEED)) > 10


def test_a_copy_added_later_never_takes_the_existing_id(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    text = (paths.RAW / "thach-ban-2021-h1.txt").read_bytes()
    (raw / "thach-ban.txt").write_bytes(text)
    out = tmp_path / "processed"
    assert build(capsys, raw, out)[0] == 0
    first = read_table("facts", out)
    (raw / "a-ban-sao.txt").write_bytes(text)        # sorts first, same bytes, no manifest row
    code, _, lines = build(capsys, raw, out)
    assert code == 0
    assert list(read_table("reports", out)["doc_id"]) == ["thach-ban"]
    assert any(ln.startswith(f"warning: {raw / 'a-ban-sao.txt'}: the same file as") for ln in lines)
    assert list(read_table("facts", out)["fact_id"]) == list(first["fact_id"])


def test_two_reports_of_one_unit_and_period_are_named_together(raw, tmp_path, capsys):
    (raw / "phuc-loi-a.txt").write_text(REPORT, encoding="utf-8")
    (raw / "phuc-loi-b.txt").write_text(REPORT.replace("36 tin", "38 tin"), encoding="utf-8")
    out = tmp_path / "processed"
    code, _, lines = build(capsys, raw, out)
    assert code == 0
    [line] = [ln for ln in lines if "phuc-loi-a.txt" in ln or "phuc-loi-b.txt" in ln]
    assert line.startswith(f"warning: {raw / 'phuc-loi-b.txt'}: ") and str(raw / "phuc-loi-a.txt") in line
    assert facts_of(out, "phuc-loi-a") == ["36", "5209/5318"]
    assert facts_of(out, "phuc-loi-b") == ["38", "5209/5318"]


# --------------------------------------------------------------------------
# Loaders raise nothing on random input
# --------------------------------------------------------------------------

SUFFIXES = st.sampled_from([".txt", ".html", ".docx", ".htm", ".csv", ""])
CHUNKS = st.sampled_from([b"PK\x03\x04", b"<html><body><div>", b"</div>", b"%PDF-", b"\xef\xbb\xbf",
                          "Có 5209/5318 hộ".encode(), b"\x00", b"\xff\xfe", b"<h1>", b"\n"])


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(st.one_of(st.binary(max_size=64), CHUNKS), max_size=12).map(b"".join),
       suffix=SUFFIXES)
def test_open_document_raises_only_input_problems(tmp_path, data, suffix):
    path = tmp_path / f"x{suffix}"
    path.write_bytes(data)
    try:
        doc = open_document(path)
    except InputProblem as e:
        assert "\n" not in str(e)
    else:
        assert isinstance(doc.text, str)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.tuples(st.binary(max_size=200), SUFFIXES), min_size=1, max_size=4))
def test_load_reports_raises_nothing(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("random")
    for i, (data, suffix) in enumerate(files):
        (folder / f"f{i}{suffix}").write_bytes(data)
    result = load_reports(folder, None)
    assert len(result.inputs) == len(files)


MANIFEST_TEXT = st.lists(st.one_of(
    st.sampled_from(["file", "doc", "period", "published", "unit_level", ",", ";", "\n", '"',
                     "x.txt", "2021-H1", "2021-h7", "16/07/2021", "ward", "\ufeff", "a" * 140_000]),
    st.text(max_size=20)), max_size=15).map("".join)


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=MANIFEST_TEXT)
def test_read_manifest_raises_only_input_problems(tmp_path, text):
    path = tmp_path / "reports.csv"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        read_manifest(path)
    except InputProblem as e:
        assert "\n" not in str(e)

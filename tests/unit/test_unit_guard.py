"""The guard of ``tests/unit/``: no build, no process, even when the test catches the refusal."""
from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

import pytest

import analysis.build
from analysis.build import build  # bound before any test runs: refused all the same


def _refused(guard, call) -> list[str]:
    """Run a forbidden call; return what the guard recorded, and forgive it (the test meant it)."""
    with pytest.raises(AssertionError, match="move it to tests/integration/"):
        call()
    seen = list(guard.violations)
    guard.violations.clear()
    return seen


def test_a_build_is_refused_through_any_name_and_writes_nothing(unit_guard, tmp_path):
    out = tmp_path / "processed"
    assert _refused(unit_guard, lambda: build(out=out, progress=False)) == ["called analysis.build.build"]
    assert _refused(unit_guard, lambda: analysis.build.build(out=out)) == ["called analysis.build.build"]
    assert not out.exists()


def test_subprocesses_are_refused(unit_guard):
    assert _refused(unit_guard, lambda: subprocess.run([sys.executable, "-c", "pass"])) == \
        ["started a process (subprocess.Popen)"]
    assert _refused(unit_guard, lambda: os.system("true")) == ["started a process (os.system)"]


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_multiprocessing_is_refused(unit_guard, method):
    process = multiprocessing.get_context(method).Process(target=print)
    assert _refused(unit_guard, process.start) == ["started a multiprocessing process"]


def test_a_refusal_the_test_swallows_still_fails_it(unit_guard):
    try:
        subprocess.run(["true"])
    except Exception:  # noqa: BLE001 - what a careless test does
        pass
    assert unit_guard.violations == ["started a process (subprocess.Popen)"]   # kept
    unit_guard.violations.clear()
    # the end of a guarded phase fails on what was recorded, caught or not
    guard = type(unit_guard)()
    guard.installed = True                                    # no second audit hook
    before = analysis.build.build.__code__
    with pytest.raises(AssertionError, match="a unit test started a process"):
        with guard.watching():
            assert analysis.build.build.__code__.co_name == "_no_build"
            guard.violations.append("started a process (os.system)")
    assert analysis.build.build.__code__ is before            # put back as it was

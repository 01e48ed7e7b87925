"""Fixtures shared by the test folders (``unit``, ``gold``, ``integration``, ``browser``, ``notebooks``).

Helpers that are not fixtures live in the root modules the tests import by
bare name: ``_files`` (gold fixtures, checksums, copies of ``data/raw``),
``_pipeline`` (the bundled reports through the pipeline), ``_built_data`` (one
real build per process) and ``browser_harness`` (Voilà and Chromium).

No test reads the analysts' own corrections: every test runs with
``ANALYSIS_CORRECTIONS`` naming a corrections file of its own that does not
exist yet (no corrections; a test that saves one writes it there) unless it
chose a file itself, so a decision saved in ``data/corrections.csv`` on this
machine never changes a test's result (builds, the command line and notebook
kernels included).
"""
from __future__ import annotations

import os

import pytest

from _files import write_empty_corrections


@pytest.fixture(scope="session")
def empty_corrections(tmp_path_factory):
    """A corrections file with its header and no decision: pass it as a build's ``corrections``."""
    return write_empty_corrections(tmp_path_factory.mktemp("corrections") / "corrections.csv")


@pytest.fixture(autouse=True)
def no_local_corrections(tmp_path_factory, monkeypatch):
    """Point ``ANALYSIS_CORRECTIONS`` at a file of the test's own, unless a fixture already chose one."""
    if "ANALYSIS_CORRECTIONS" not in os.environ:
        own = tmp_path_factory.mktemp("corrections") / "corrections.csv"
        monkeypatch.setenv("ANALYSIS_CORRECTIONS", str(own))
    return os.environ["ANALYSIS_CORRECTIONS"]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless, driven by Playwright: one per test module."""
    # playwright is imported here, not at the top: only the browser tests need it
    from playwright.sync_api import sync_playwright

    from browser_harness import launch_chromium

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()

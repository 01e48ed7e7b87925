"""Keep the unit tests fast: a unit test that builds or starts a process fails.

While a test under ``tests/unit/`` is set up, run and torn down (its fixtures
included, whatever their scope), a call of :func:`analysis.build.build` (through
any name bound to it, also one imported before the test ran) or a new process
(``subprocess``, ``os.system``, ``os.fork``, ``os.exec*``, ``os.spawn*``,
``os.posix_spawn``, ``multiprocessing``) raises :class:`UnitTestEscape` at once,
and the test fails even if it catches that error. Tests that need a build or a
process belong in ``tests/integration/``.
"""
from __future__ import annotations

import contextlib
import multiprocessing.process
import sys

import pytest

import analysis.build

#: Audit events (PEP 578) raised when a process is started.
PROCESS_EVENTS = frozenset({"subprocess.Popen", "os.system", "os.fork", "os.forkpty", "os.exec",
                            "os.spawn", "os.posix_spawn"})
#: The audit event the guarded build raises.
BUILD_EVENT = "tests.unit.build"


class UnitTestEscape(AssertionError):
    """A unit test tried to build or to start a process."""


class UnitGuard:
    """What the unit tests may not do, and what they tried to do anyway.

    Attributes
    ----------
    active : bool
        Whether a unit test is running. The audit hook stays installed for the
        life of the process (hooks cannot be removed) and acts only then.
    installed : bool
        Whether the audit hook is in place (it is added at the first unit test).
    violations : list of str
        What the running test tried, in order.
    """

    def __init__(self) -> None:
        self.active = False
        self.installed = False
        self.violations: list[str] = []

    def refuse(self, what: str) -> None:
        """Record a forbidden action and raise :class:`UnitTestEscape`.

        Parameters
        ----------
        what : str
            The action, as the failure message names it.
        """
        self.violations.append(what)
        raise UnitTestEscape(f"a unit test {what}: move it to tests/integration/")

    def audit(self, event: str, args: tuple) -> None:
        """Refuse the events that start a process or a build while a unit test runs."""
        if not self.active:
            return
        if event in PROCESS_EVENTS:
            self.refuse(f"started a process ({event})")
        if event == BUILD_EVENT:
            self.refuse("called analysis.build.build")

    @contextlib.contextmanager
    def watching(self):
        """Guard one phase of a unit test; fail it if it tried anything, even caught."""
        if not self.installed:
            sys.addaudithook(self.audit)
            self.installed = True
        build, code = analysis.build.build, analysis.build.build.__code__
        start = multiprocessing.process.BaseProcess.start
        # The build's code object is swapped, so every name bound to the function refuses,
        # including ``from analysis.build import build`` done before the test started.
        build.__code__ = _no_build.__code__
        multiprocessing.process.BaseProcess.start = _no_process_start
        self.violations.clear()
        self.active = True
        try:
            yield self
        finally:
            self.active = False
            build.__code__ = code
            multiprocessing.process.BaseProcess.start = start
        if self.violations:
            raise UnitTestEscape("a unit test " + "; ".join(self.violations) + ": move it to tests/integration/")


GUARD = UnitGuard()


def _no_build(*args, **kwargs):
    # This code runs as analysis.build.build, in that module's namespace: it reaches the
    # guard through an audit event, the one channel that needs no name of this module.
    import sys

    sys.audit("tests.unit.build")  # BUILD_EVENT, spelled out: no name of this module here
    raise AssertionError("a unit test called analysis.build.build")


def _no_process_start(self):
    GUARD.refuse("started a multiprocessing process")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    """Guard the set-up of a unit test and of its fixtures."""
    with GUARD.watching():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Guard the run of a unit test."""
    with GUARD.watching():
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Guard the tear-down of a unit test and of its fixtures."""
    with GUARD.watching():
        return (yield)


@pytest.fixture
def unit_guard():
    """The :class:`UnitGuard` watching the running test (for the tests of the guard)."""
    return GUARD

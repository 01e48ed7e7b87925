"""The apps' kernels forked from a preloaded template (``analysis.kernels``), driven by jupyter_client.

Real kernels, started by a real ``AsyncKernelManager`` through the provisioner
the apps use (``analysis-forking``, chosen by the kernel spec written here):
a kernel finds the app's libraries already imported, runs code in the folder
and with the environment it was given, is interrupted and shut down as any
kernel is; a kernel killed from outside is seen dead; when the template goes,
its kernels go too, and the next kernel starts a new template; a kernel command
that cannot be forked is started the usual way.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

from analysis.kernels import ForkingProvisioner, Template

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="kernels are forked on Linux only")

SPEC = "analysis-app-test"


def _spec_dir(folder: Path, python: str = sys.executable) -> Path:
    spec = folder / "kernels" / SPEC
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [python, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "app kernel (test)", "language": "python",
        "metadata": {"kernel_provisioner": {"provisioner_name": "analysis-forking"}},
    }), encoding="utf-8")
    return folder / "kernels"


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


class Kernel:
    """A kernel started by jupyter_client with the app's provisioner, and a client to it."""

    def __init__(self, kernel_dirs: Path, cwd: Path, env: dict[str, str] | None = None):
        self.km = AsyncKernelManager(kernel_name=SPEC,
                                     kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernel_dirs)]))
        self.cwd, self.env = cwd, env

    async def __aenter__(self) -> Kernel:
        await self.km.start_kernel(cwd=str(self.cwd), env=dict(os.environ, **(self.env or {})))
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=60)
        return self

    async def __aexit__(self, *exc) -> None:
        self.kc.stop_channels()
        if await self.km.is_alive():
            await self.km.shutdown_kernel(now=True)

    async def run(self, code: str, timeout: float = 30) -> tuple[str, dict]:
        """Run ``code``; return what it printed and the reply's content."""
        out: list[str] = []

        def keep(msg):
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])

        reply = await self.kc.execute_interactive(code, output_hook=keep, timeout=timeout)
        return "".join(out), reply["content"]


@pytest.fixture
def kernel_dirs(tmp_path):
    return _spec_dir(tmp_path / "share")


def test_a_kernel_is_forked_from_the_template_with_the_apps_libraries_loaded(kernel_dirs, tmp_path):
    async def main():
        async with Kernel(kernel_dirs, tmp_path, env={"ANALYSIS_TEST_VALUE": "Phúc Đồng"}) as k:
            assert isinstance(k.km.provisioner, ForkingProvisioner)
            printed, reply = await k.run(
                "import os, sys, json\n"
                "print(json.dumps({'pid': os.getpid(), 'cwd': os.getcwd(),"
                " 'value': os.environ.get('ANALYSIS_TEST_VALUE'),"
                " 'loaded': [m for m in ('pandas', 'altair', 'duckdb', 'analysis.app') if m in sys.modules]}))")
            assert reply["status"] == "ok"
            seen = json.loads(printed)
            assert seen["pid"] == k.km.provisioner.pid
            template = _parent(seen["pid"])
            assert b"analysis.kernels" in Path(f"/proc/{template}/cmdline").read_bytes()
            # a kernel started the usual way has imported none of these before its first cell
            assert seen["loaded"] == ["pandas", "altair", "duckdb", "analysis.app"]
            assert seen["cwd"] == str(tmp_path)
            assert seen["value"] == "Phúc Đồng"
            # its own process group: a Ctrl-C in the server's terminal does not reach it
            assert os.getpgid(seen["pid"]) == seen["pid"]

    asyncio.run(main())


def test_a_forked_kernel_is_set_up_as_a_kernel_started_the_usual_way(kernel_dirs, tmp_path):
    """What a kernel's imports do to it, the template's imports did before any kernel existed.

    ipywidgets registers its comm targets when imported in a kernel (without
    ``jupyter.widget.control`` a page loads each widget's state with a message
    of its own); the debugger's import sets a variable of the environment.
    Both kernels are given the same environment and import the same modules.
    """
    code = ("import ipywidgets, json, os, signal\nfrom comm import get_comm_manager\n"
            "print(json.dumps({'targets': sorted(get_comm_manager().targets),"
            " 'environment': sorted(os.environ), 'sigint': str(signal.getsignal(signal.SIGINT))}))")

    async def probe(folder: Path) -> dict:
        async with Kernel(folder, tmp_path) as k:
            printed, reply = await k.run(code)
            assert reply["status"] == "ok"
            return json.loads(printed)

    usual = _spec_dir(tmp_path / "usual")
    spec = usual / SPEC / "kernel.json"
    described = json.loads(spec.read_text(encoding="utf-8"))
    described["metadata"] = {}
    spec.write_text(json.dumps(described), encoding="utf-8")
    forked = asyncio.run(probe(kernel_dirs))
    assert "jupyter.widget.control" in forked["targets"]
    assert forked == asyncio.run(probe(usual))


def test_a_forked_kernel_is_interrupted_and_shut_down_as_any_kernel(kernel_dirs, tmp_path):
    async def main():
        async with Kernel(kernel_dirs, tmp_path) as k:
            pid = k.km.provisioner.pid
            running = asyncio.ensure_future(k.run("import time\nfor _ in range(600): time.sleep(0.1)", timeout=60))
            await asyncio.sleep(1.5)
            started = time.monotonic()
            await k.km.interrupt_kernel()
            _, reply = await running
            assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
            assert time.monotonic() - started < 10
            printed, _ = await k.run("print(6 * 7)")
            assert printed.strip() == "42"          # the kernel lives on after the interrupt
            await k.km.shutdown_kernel()
            assert _wait(lambda: not _alive(pid))
            assert not await k.km.is_alive()

    asyncio.run(main())


def test_a_kernel_killed_from_outside_is_seen_dead_with_its_signal(kernel_dirs, tmp_path):
    async def main():
        async with Kernel(kernel_dirs, tmp_path) as k:
            provisioner = k.km.provisioner
            os.kill(provisioner.pid, signal.SIGKILL)
            assert _wait(lambda: provisioner.process.poll() is not None)
            assert provisioner.process.poll() == -signal.SIGKILL
            assert not await k.km.is_alive()

    asyncio.run(main())


def test_when_the_template_goes_its_kernels_go_and_the_next_kernel_starts_a_new_one(kernel_dirs, tmp_path):
    async def main():
        async with Kernel(kernel_dirs, tmp_path) as k:
            pid = k.km.provisioner.pid
            template = _parent(pid)
            os.kill(template, signal.SIGKILL)
            # the kernel polls its parent once a second
            assert _wait(lambda: not _alive(pid), timeout=10)
            assert k.km.provisioner.process.poll() is not None
        async with Kernel(kernel_dirs, tmp_path) as k:
            printed, _ = await k.run("print('ok')")
            assert printed.strip() == "ok"
            assert _parent(k.km.provisioner.pid) != template

    asyncio.run(main())


def test_a_kernel_command_other_than_ipykernel_launcher_is_started_the_usual_way(tmp_path):
    kernel_dirs = _spec_dir(tmp_path / "share")
    spec = kernel_dirs / SPEC / "kernel.json"
    described = json.loads(spec.read_text(encoding="utf-8"))
    described["argv"] = [sys.executable, "-m", "ipykernel", "-f", "{connection_file}"]
    spec.write_text(json.dumps(described), encoding="utf-8")

    async def main():
        async with Kernel(kernel_dirs, tmp_path) as k:
            printed, _ = await k.run("import sys; print('pandas' in sys.modules)")
            assert printed.strip() == "False"
            assert _parent(k.km.provisioner.pid) == os.getpid()

    asyncio.run(main())


def test_the_template_answers_in_order_and_reports_every_exit(tmp_path):
    """Kernels that end at once are each reported after their own process id."""
    template = Template((), ("json",))
    try:
        bad = ["--no-such-option-for-ipykernel"]
        pids = [template.fork(bad, dict(os.environ), str(tmp_path)) for _ in range(5)]
        assert len(set(pids)) == 5
        assert _wait(lambda: all(p in template.exits for p in pids))
        assert all(template.exits[p] != 0 for p in pids)
    finally:
        template.proc.stdin.close()   # as when the server goes
        assert template.proc.wait(timeout=10) == 0

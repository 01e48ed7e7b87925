"""Voilà settings that need Python: where the app template lives.

Voilà reads this file and ``voila.json`` from the folder it is started in (the
repository root). The ``offline`` template (``share/jupyter/voila/templates/``)
is Voilà's lab template without its two CDN stylesheet links, so the app makes
no request beyond 127.0.0.1. Everything else is in ``voila.json``.
"""
import os
from pathlib import Path

_share = str(Path(__file__).resolve().parent / "share" / "jupyter")
if _share not in os.environ.get("JUPYTER_PATH", "").split(os.pathsep):
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (_share, os.environ.get("JUPYTER_PATH", "")) if p)

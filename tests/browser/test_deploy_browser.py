"""The deployment of docs/deploy.md works: the app under a base URL, behind nginx with TLS.

``deploy/nginx-site.conf`` is run as written (only its certificate, ports and
upstream changed for a test machine) in front of a real Voilà started with the
base URL of ``deploy/analysis-app.service``; Chromium opens the page over HTTPS,
and the app's widgets, which talk to their kernel over a websocket through the
proxy, redraw on a choice. Skipped where nginx or openssl is not installed.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from _built_data import processed_dir
from browser_harness import VoilaServer, chart_marks, free_port, wait_chart, wait_chart_change

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx-site.conf"
SERVICE = ROOT / "deploy" / "analysis-app.service"


def _base_url() -> str:
    found = re.search(r"--Voila\.base_url=(\S+)", SERVICE.read_text(encoding="utf-8"))
    assert found, "the service names the app's base URL"
    return found.group(1)


@pytest.fixture
def proxied(tmp_path):
    """``(https url, http url)`` of the app behind nginx; stops both servers after the test."""
    nginx, openssl = shutil.which("nginx") or "/usr/sbin/nginx", shutil.which("openssl")
    if not Path(nginx).exists() or openssl is None:
        pytest.skip("nginx and openssl are needed to test the reverse proxy")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    base = _base_url()
    with VoilaServer(processed_dir(), preheat=True, log=tmp_path / "voila.log",
                     extra_args=(f"--Voila.base_url={base}",)) as voila:
        https, http = free_port(), free_port()
        site = SITE.read_text(encoding="utf-8")
        site = re.sub(r"ssl_certificate\s+\S+;", f"ssl_certificate {cert};", site)
        site = re.sub(r"ssl_certificate_key\s+\S+;", f"ssl_certificate_key {key};", site)
        site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
        site = site.replace("http://127.0.0.1:8866", f"http://127.0.0.1:{voila.port}")
        assert site.count(str(voila.port)) == 1 and site.count(str(https)) == 1
        (tmp_path / "site.conf").write_text(site, encoding="utf-8")
        conf = tmp_path / "nginx.conf"
        conf.write_text(
            "daemon off;\nmaster_process off;\npid nginx.pid;\nerror_log error.log;\n"
            "events { worker_connections 256; }\n"
            "http {\n access_log off;\n client_body_temp_path tmp-body;\n proxy_temp_path tmp-proxy;\n"
            " fastcgi_temp_path tmp-fcgi;\n uwsgi_temp_path tmp-uwsgi;\n scgi_temp_path tmp-scgi;\n"
            f" include {tmp_path / 'site.conf'};\n}}\n", encoding="utf-8")
        proc = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{http}/", timeout=2)
                except urllib.error.HTTPError:
                    break       # nginx answers (its redirect to HTTPS is not followed here)
                except OSError:
                    assert proc.poll() is None, proc.stderr.read().decode()
                    time.sleep(0.2)
            yield f"https://127.0.0.1:{https}{base}", f"http://127.0.0.1:{http}{base}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_the_app_works_behind_nginx_with_tls_under_its_base_url(proxied, browser):
    https_url, http_url = proxied
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.goto(https_url)
        wait_chart(page, "ad-chart-scorecard", timeout_ms=120_000)
        # a choice goes to the kernel over the websocket, through the proxy, and back
        before = chart_marks(page, "ad-chart-scorecard")
        page.locator(".ad-app select").nth(0).select_option(label="Phường\xa0Cự\xa0Khối")
        wait_chart_change(page, "ad-chart-scorecard", before)
        assert "28/20" in page.locator(".ad-chart-scorecard svg.marks").first.text_content()
        # plain HTTP is sent to HTTPS
        response = page.request.get(http_url, max_redirects=0)
        assert response.status == 301 and response.headers["location"].startswith("https://")
    finally:
        context.close()

"""The question widget as a person uses it: JupyterLab in headless Chromium, driven by Playwright.

Runs alone too: ``.venv/bin/python -m pytest -q tests/test_browser.py``. Needs Debian's ``chromium``
(``make test`` installs it when missing). Screenshots go to ``.artifacts/``.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / ".artifacts"
NOTEBOOK = "04_qa_head_and_widget.ipynb"
TOKEN = "bert-ttnn-browser-test"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def chromium() -> str:
    for candidate in ("chromium", "chromium-browser", "/usr/bin/chromium"):
        found = shutil.which(candidate)
        if found:
            return found
    pytest.fail("Chromium not found: install Debian's package with `apt-get install -y chromium` (make test does)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    """JupyterLab on loopback serving a copy of the widget notebook; stopped whatever happens."""
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, tmp_path / NOTEBOOK)
    port = free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    log = open(tmp_path / "lab.log", "w")
    server = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp_path}", "--ServerApp.open_browser=False",
         "--allow-root", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "JUPYTER_PLATFORM_DIRS": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not start: {(tmp_path / 'lab.log').read_text()[-2000:]}")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def test_widget_answers_in_a_real_browser(lab):
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{lab}/lab/tree/{NOTEBOOK}?token={TOKEN}")
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            choose_kernel = page.locator(".jp-Dialog button", has_text="Select")
            try:
                choose_kernel.click(timeout=10_000)  # JupyterLab may ask which kernel to start
            except Exception:  # noqa: BLE001 - no dialog: the notebook's kernel started by itself
                pass
            page.click(".lm-MenuBar-itemLabel:text-is('Run')", timeout=30_000)
            page.click("text=Run All Cells", timeout=30_000)
            select = page.wait_for_selector(".widget-dropdown select", timeout=300_000)
            select.select_option(index=1)  # the Rhine example
            question = page.locator(".widget-text input").first
            expect(question).to_have_value("How long is the Rhine?", timeout=60_000)  # the kernel filled it in
            question.fill("How long is the Rhine in kilometres?")
            expect(question).to_have_value("How long is the Rhine in kilometres?")
            page.locator("button", has_text="Ask").click()
            answer = page.locator(".widget-html-content mark")
            answer.wait_for(timeout=120_000)
            assert "1,230" in answer.inner_text()
            assert "HuggingFace" in page.locator(".widget-html-content").last.inner_text()
            # make setup's JupyterLab settings (jupyter/overrides.json): no news question over the widget
            assert page.locator(".jp-toast-container", has_text="news").count() == 0
            page.screenshot(path=str(ARTIFACTS / "widget.png"), full_page=False)

            question.fill("   ")
            page.locator("button", has_text="Ask").click()
            error = page.locator(".widget-html-content", has_text="Cannot answer")
            error.wait_for(timeout=60_000)
            assert "the question is empty" in error.inner_text()

            question.fill("How long is the Rhine?")  # still working after the error
            page.locator("button", has_text="Ask").click()
            page.locator(".widget-html-content mark").wait_for(timeout=120_000)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "browser-failure.png"), full_page=True)
            raise
        finally:
            browser.close()

"""A real browser opens define.xml with its stylesheet (XSLT in Chromium, file:// URL)."""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from aclf_cdisc.define import write_define

CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser"))
                 if p and Path(p).exists()), None)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)"),
]


def _chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           "--allow-file-access-from-files", f"--user-data-dir={profile}", *extra, url]
    return subprocess.run(cmd, capture_output=True, timeout=120, check=False)


@pytest.fixture()
def folder(sdtm_tree, tmp_path) -> Path:
    out = tmp_path / "sdtm"
    write_define(sdtm_tree, out, html=False)  # only define.xml + define2-1.xsl: the browser transforms
    return out


def test_browser_renders_define_with_stylesheet(folder, tmp_path):
    url = (folder / "define.xml").as_uri()
    done = _chromium(url, tmp_path / "profile-dom", "--dump-dom")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    dom = etree.HTML(done.stdout)
    assert dom is not None
    # the dataset table, with a link per dataset to its variable table
    datasets = dom.xpath("//table[@class='datasets']//tr/td[1]/a")
    assert [a.text for a in datasets] == ["TS", "DM", "AE", "LB", "SUPPDM"]
    for a in datasets:
        target = a.get("href")[1:]
        assert dom.xpath(f"//section[@id='{target}']/table[@class='variables']//tr"), target
    # every internal link resolves to exactly one element
    ids = Counter(dom.xpath("//@id"))
    hrefs = {h[1:] for h in dom.xpath("//a/@href") if h.startswith("#")}
    assert hrefs and all(ids[h] == 1 for h in hrefs), sorted(h for h in hrefs if ids[h] != 1)
    assert dom.xpath("//section[@id='IG.LB']//tr[@class='vlm']")


def test_browser_screenshot(folder, tmp_path):
    png = tmp_path / "define.png"
    done = _chromium((folder / "define.xml").as_uri(), tmp_path / "profile-png",
                     f"--screenshot={png}", "--window-size=1400,1800", "--hide-scrollbars")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000

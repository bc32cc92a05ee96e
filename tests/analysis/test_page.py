"""reports/analysis.html: self-contained, reproducible, and it opens in a real browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from aclf_cdisc.analysis import build_analysis

CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser"))
                 if p and Path(p).exists()), None)


@pytest.fixture(scope="module")
def files(sample_sdtm, sample_adam, sample_spec):
    return build_analysis({**sample_sdtm, **sample_adam}, sample_spec)


def test_01_files_and_reproducible_bytes(files, sample_sdtm, sample_adam, sample_spec):
    assert sorted(files) == sorted([
        "analysis.html",
        *(f"analysis/{n}.{e}" for n in ("km_tfs", "km_tfs2", "km_os", "labs") for e in ("csv", "svg")),
        *(f"analysis/{n}.csv" for n in ("survival_summary", "survival_tests", "teae_overview", "teae_soc_pt",
                                          "baseline", "disposition"))])
    again = build_analysis({**sample_sdtm, **sample_adam}, sample_spec)
    assert again == files
    for name, data in files.items():
        if name.endswith(".svg"):
            assert b"<dc:date>" not in data and b"matplotlib v" not in data, name


def test_02_page_is_self_contained(files):
    text = files["analysis.html"].decode("utf-8")
    assert not re.search(r"""(src|href)=["'](https?:|//|file:)""", text)
    assert "<script" not in text
    assert text.count("<svg") == 4  # three Kaplan-Meier figures and the lab panels
    assert "DUMMY" not in text  # a real build says the arm names
    for arm in ("hUC-MSC", "Placebo"):
        assert arm in text


def test_02b_each_survival_figure_counts_its_days_from_its_own_start_date(files):
    # TFS2 starts at the stage-2 randomization: its time axis is not "since randomization"
    for name, origin in (("km_tfs", "RANDDT"), ("km_tfs2", "RAND2DT"), ("km_os", "RANDDT")):
        svg = files[f"analysis/{name}.svg"].decode()
        assert re.findall(r"<!-- (Days from \w+ \(AVAL\)) -->", svg) == [f"Days from {origin} (AVAL)"], name


def test_03_disposition_counts(files, sample_sdtm, sample_adam):
    csv = files["analysis/disposition.csv"].decode().splitlines()
    adsl = sample_adam["ADSL"]
    assert f"Screened,All,{sample_sdtm['DM']['USUBJID'].nunique()}" in csv
    assert f"Randomized (stage 1),All,{(adsl['ITTFL'] == 'Y').sum()}" in csv
    assert f"Died,Placebo,{((adsl['DTHFL'] == 'Y') & (adsl['TRT01P'] == 'Placebo')).sum()}" in csv


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)")
def test_04_browser_opens_the_page_and_takes_a_screenshot(files, tmp_path):
    page = tmp_path / "reports" / "analysis.html"
    page.parent.mkdir()
    page.write_bytes(files["analysis.html"])
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]
    done = subprocess.run([*base, f"--user-data-dir={tmp_path / 'p1'}", "--dump-dom", page.as_uri()],
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    dom = etree.HTML(done.stdout)
    headings = [h.text for h in dom.xpath("//h2")]
    assert headings[:2] == ["Transplant-free and overall survival",
                            "Treatment-emergent adverse events by TRT01A (safety population)"]
    assert len(dom.xpath("//*[local-name()='svg']")) == 4
    png = tmp_path / "analysis.png"
    done = subprocess.run([*base, f"--user-data-dir={tmp_path / 'p2'}", f"--screenshot={png}",
                           "--window-size=1200,1600", "--hide-scrollbars", page.as_uri()],
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000


@pytest.mark.parametrize("dummy_label", [None, "DUMMY RANDOMIZATION"])
def test_05_a_compacted_study_gives_the_same_page(sample_sdtm, sample_adam, sample_spec, monkeypatch, dummy_label):
    # a large study's datasets are held compacted: the lab summary then groups ADLB's codes
    # (PARAMCD, AVISITN, TRT01P, AVAL as Categoricals), and every file must still be the same bytes
    from aclf_cdisc import compact

    frames = {**sample_sdtm, **sample_adam}
    plain = build_analysis(frames, sample_spec, dummy_label=dummy_label)
    monkeypatch.setattr(compact, "SMALL_CELLS", 0)  # every dataset held compacted, as at 20,000 subjects
    store = compact.CompactDatasets({name: compact.compact_frame(frame) for name, frame in frames.items()})
    held = compact.held_dataset(store, "ADLB")
    assert all(isinstance(held[c].dtype, pd.CategoricalDtype) for c in ("PARAMCD", "AVISITN", "TRT01P", "AVAL"))
    coded = build_analysis(store, sample_spec, dummy_label=dummy_label)
    assert sorted(coded) == sorted(plain)
    assert [name for name in plain if coded[name] != plain[name]] == []
    assert b"<td>" in coded["analysis.html"] and len(coded["analysis/labs.csv"].splitlines()) > 20

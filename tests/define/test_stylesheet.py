"""The stylesheet: method and comment texts inline, ISO 8601 patterns, Analysis Results Metadata."""

from __future__ import annotations

from collections import Counter

from lxml import etree

from aclf_cdisc.define import render_html, write_define
from aclf_cdisc.define.common import XP_NS

ARM = {"arm": "http://www.cdisc.org/ns/arm/v1.0", **XP_NS}


def _html(path) -> etree._Element:
    return etree.HTML(render_html(path))


def _internal_links_resolve(page: etree._Element) -> list[str]:
    ids = Counter(page.xpath("//@id"))
    return [h for h in page.xpath("//a/@href") if h.startswith("#") and ids[h[1:]] != 1]


def test_methods_and_comments_are_shown_inline(sdtm_tree, spec, tmp_path):
    folder = tmp_path / "sdtm"
    write_define(sdtm_tree, folder, html=False)
    page = _html(folder / "define.xml")
    dm = page.xpath("//section[@id='IG.DM']/table[@class='variables']")[0]
    age = dm.xpath(".//tr[td[1]='AGE']")[0]
    cells = ["".join(td.itertext()) for td in age.xpath("td")]
    assert spec.methods["MT.AGE"].description.split()[0] in cells[8]
    assert cells[8].startswith(spec.methods["MT.AGE"].name + ": ")
    datasets = page.xpath("//table[@class='datasets']//tr[td[1]/a='DM']/td")
    assert "".join(datasets[-1].itertext()).strip() == spec.comments["COM.DM"].description
    assert "COM.DM" not in "".join(datasets[-1].itertext())
    # ISO 8601 patterns under date types, none under numbers and text
    rfstdtc = dm.xpath(".//tr[td[1]='RFSTDTC']/td[4]")[0]
    assert "".join(rfstdtc.itertext()) == "datetimeISO 8601 YYYY-MM-DDThh:mm:ss"
    assert "ISO 8601" not in "".join(age.xpath("td[4]")[0].itertext())
    assert _internal_links_resolve(page) == []


def test_analysis_results_metadata_render_like_the_cdisc_adam_example(cdisc_examples):
    example = next(p for p in cdisc_examples if p.name == "defineV21-ADaM.xml")
    source = etree.parse(str(example))
    displays = source.xpath("//arm:ResultDisplay", namespaces=ARM)
    results = source.xpath("//arm:AnalysisResult", namespaces=ARM)
    assert (len(displays), len(results)) == (2, 3)
    page = _html(example)
    assert page.xpath("string(//section[@id='analysis-results']/h2)") == "Analysis Results Metadata"
    # summary: one row per display, one link per result
    summary = page.xpath("//table[@class='arm-summary']//tr[td]")
    assert [row.xpath("string(td[1]/a)") for row in summary] == [d.get("Name") for d in displays]
    assert sorted(a.get("href")[1:] for a in page.xpath("//table[@class='arm-summary']//td[2]//a")) == \
        sorted(r.get("OID") for r in results)
    # detail: each result with its parameter, variables, reason, purpose, data references, code
    for result in results:
        row = page.xpath(f"//tr[@id='{result.get('OID')}']")[0]
        table = row.getparent()
        text = "".join(table.itertext())
        assert result.get("AnalysisReason") in text and result.get("AnalysisPurpose") in text
        for var in result.xpath(".//arm:AnalysisVariable/@ItemOID", namespaces=ARM):
            name = source.xpath(f"string(//odm:ItemDef[@OID='{var}']/@Name)", namespaces=XP_NS)
            assert f".{name} (" in text
        code = result.xpath("string(.//arm:Code)", namespaces=ARM).strip()
        if code:
            assert code.splitlines()[0] in text
    headers = [th.text for th in page.xpath("//table[@class='arm']//th")]
    assert headers.count("Analysis Result") == 3 and headers.count("Programming Statements") >= 2
    assert "PARAMCD = " in "".join(page.xpath("//table[@class='arm']")[0].itertext())
    assert _internal_links_resolve(page) == []
    assert page.xpath("//nav[@id='toc']//a[@href='#analysis-results']")

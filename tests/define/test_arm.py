"""The ARM hook: analysis results placed in an ADaM define that stays valid and resolvable."""

from __future__ import annotations

from collections import Counter

from fixture_spec import CREATED
from lxml import etree

from aclf_cdisc.define import AnalysisResults, build_define, check_define, define_bytes, render_html
from aclf_cdisc.define.schema import has_arm, validate_define_schema

ARM = "http://www.cdisc.org/ns/arm/v1.0"
ODM = "http://www.cdisc.org/ns/odm/v1.3"
DEF = "http://www.cdisc.org/ns/def/v2.1"

DISPLAYS = f"""
<arm:AnalysisResultDisplays xmlns:arm="{ARM}" xmlns="{ODM}" xmlns:def="{DEF}">
  <arm:ResultDisplay OID="RD.T14.2.1" Name="Table 14.2.1">
    <Description><TranslatedText xml:lang="en">Bilirubin by visit</TranslatedText></Description>
    <def:DocumentRef leafID="LF.DOC.SAP"><def:PDFPageRef PageRefs="3" Type="PhysicalRef"/></def:DocumentRef>
    <arm:AnalysisResult OID="AR.T14.2.1.1" ParameterOID="IT.ADLB.PARAMCD"
        AnalysisReason="SPECIFIED IN SAP" AnalysisPurpose="SECONDARY OUTCOME MEASURE">
      <Description><TranslatedText xml:lang="en">Summary of bilirubin</TranslatedText></Description>
      <arm:AnalysisDatasets def:CommentOID="COM.LBORRES">
        <arm:AnalysisDataset ItemGroupOID="IG.ADLB">
          <def:WhereClauseRef WhereClauseOID="WC.T14.2.1.ADLB"/>
          <arm:AnalysisVariable ItemOID="IT.ADLB.AVAL"/>
        </arm:AnalysisDataset>
      </arm:AnalysisDatasets>
      <arm:Documentation>
        <Description><TranslatedText xml:lang="en">Descriptive statistics.</TranslatedText></Description>
      </arm:Documentation>
      <arm:ProgrammingCode Context="Python 3.11">
        <arm:Code>adlb[adlb.PARAMCD == "BILI"].AVAL.describe()</arm:Code>
      </arm:ProgrammingCode>
    </arm:AnalysisResult>
  </arm:ResultDisplay>
</arm:AnalysisResultDisplays>"""

WHERE = f"""
<def:WhereClauseDef xmlns="{ODM}" xmlns:def="{DEF}" OID="WC.T14.2.1.ADLB">
  <RangeCheck Comparator="EQ" SoftHard="Soft" def:ItemOID="IT.ADLB.PARAMCD"><CheckValue>BILI</CheckValue></RangeCheck>
</def:WhereClauseDef>"""


def test_analysis_results_make_a_valid_resolvable_adam_define(spec, adam_data, tmp_path):
    displays, where = etree.fromstring(DISPLAYS), etree.fromstring(WHERE)
    tree = build_define(spec, "ADaM", adam_data, creation_datetime=CREATED,
                        analysis_results=AnalysisResults(displays, (where,)))
    assert displays.getparent() is None and len(displays) == 1  # the caller's element is untouched
    assert has_arm(tree)
    path = tmp_path / "define.xml"
    path.write_bytes(define_bytes(tree))
    assert validate_define_schema(path) == []  # against the shipped cdisc-arm-1.0/arm1-0-0.xsd
    assert check_define(tree) == []
    mdv = tree.getroot().find(f"{{{ODM}}}Study/{{{ODM}}}MetaDataVersion")
    assert etree.QName(mdv[-1]).localname == "AnalysisResultDisplays"
    assert tree.xpath("//def:leaf/@ID", namespaces={"def": DEF}).count("LF.DOC.SAP") == 1
    assert tree.xpath("//def:CommentDef/@OID", namespaces={"def": DEF}) == ["COM.LBORRES"]
    page = etree.HTML(render_html(path))
    ids = Counter(page.xpath("//@id"))
    assert [h for h in page.xpath("//a/@href") if h.startswith("#") and ids[h[1:]] != 1] == []
    text = "".join(page.xpath("//section[@id='RD.T14.2.1']")[0].itertext())
    assert "PARAMCD = BILI" in text and "ADLB.AVAL (Analysis Value)" in text
    assert 'adlb[adlb.PARAMCD == "BILI"].AVAL.describe()' in text


def test_something_else_than_displays_is_refused(spec, adam_data):
    import pytest

    from aclf_cdisc.errors import SpecError

    with pytest.raises(SpecError) as raised:
        build_define(spec, "ADaM", adam_data, creation_datetime=CREATED,
                     analysis_results=AnalysisResults(etree.fromstring(WHERE)))
    assert "define.arm-not-displays" in [i.rule for i in raised.value.issues]

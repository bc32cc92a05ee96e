"""ARM 1.0 in the ADaM define: primary efficacy (TFS) and primary safety (TEAE), schema-valid."""

from __future__ import annotations

import pytest
from lxml import etree

from aclf_cdisc.define import build_define
from aclf_cdisc.define.analysis_results import analysis_results_for
from aclf_cdisc.define.arm import ARM_NS
from aclf_cdisc.define.checks import check_define
from aclf_cdisc.define.schema import validate_define_schema

NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1", "arm": ARM_NS}


@pytest.fixture(scope="module")
def adam_define(sample_spec, sample_adam):
    frames = {k: (v, None) for k, v in sample_adam.items()}
    return build_define(sample_spec, "ADaM", frames, creation_datetime="2025-03-28T00:00:00",
                        analysis_results=analysis_results_for(sample_spec, frozenset(frames)))


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def test_01_valid_against_the_arm_schema_and_the_reference_checks(adam_define, shared):
    assert validate_define_schema(adam_define, shared / "schemas" / "define-xml-2.1") == []
    assert check_define(adam_define) == []


def test_02_primary_efficacy_result(adam_define):
    root = adam_define.getroot()
    displays = root.xpath("//arm:ResultDisplay", namespaces=NS)
    assert [d.get("OID") for d in displays] == ["RD.TFS.KM", "RD.TEAE.INC"]
    ar = root.xpath("//arm:AnalysisResult[@OID='AR.TFS.KM.LOGRANK.COX']", namespaces=NS)[0]
    assert (ar.get("ParameterOID"), ar.get("AnalysisReason"), ar.get("AnalysisPurpose")) == (
        "IT.ADTTE.PARAMCD", "SPECIFIED IN PROTOCOL", "PRIMARY OUTCOME MEASURE")
    ds = ar.xpath("arm:AnalysisDatasets/arm:AnalysisDataset", namespaces=NS)
    assert [d.get("ItemGroupOID") for d in ds] == ["IG.ADTTE"]
    assert ds[0].xpath("arm:AnalysisVariable/@ItemOID", namespaces=NS) == ["IT.ADTTE.AVAL", "IT.ADTTE.CNSR"]
    wc_oid = ds[0].xpath("def:WhereClauseRef/@WhereClauseOID", namespaces=NS)[0]
    checks = root.xpath(f"//def:WhereClauseDef[@OID='{wc_oid}']/odm:RangeCheck", namespaces=NS)
    assert [(c.get(f"{{{NS['def']}}}ItemOID"), c.get("Comparator"), c.xpath("odm:CheckValue/text()", namespaces=NS))
            for c in checks] == [("IT.ADTTE.PARAMCD", "EQ", ["TFS"]), ("IT.ADTTE.ITTFL", "EQ", ["Y"])]
    doc = _text(ar.xpath("arm:Documentation/odm:Description", namespaces=NS)[0])
    assert "at days 28, 84, 168" in doc and "efron ties" in doc  # quoted from specs/analysis.yaml settings
    assert ar.xpath("arm:Documentation/def:DocumentRef/@leafID", namespaces=NS) == ["LF.ADRG"]
    assert root.xpath("//def:leaf[@ID='LF.ADRG']", namespaces=NS)
    code = ar.xpath("arm:ProgrammingCode", namespaces=NS)[0]
    assert "lifelines" in code.get("Context")
    assert "survival_analysis" in _text(code)


def test_03_primary_safety_result_joins_adae_and_adsl(adam_define):
    root = adam_define.getroot()
    ar = root.xpath("//arm:AnalysisResult[@OID='AR.TEAE.INC']", namespaces=NS)[0]
    assert ar.get("ParameterOID") is None
    groups = ar.xpath("arm:AnalysisDatasets/arm:AnalysisDataset/@ItemGroupOID", namespaces=NS)
    assert groups == ["IG.ADAE", "IG.ADSL"]
    comment = ar.xpath("arm:AnalysisDatasets/@def:CommentOID", namespaces=NS)[0]
    assert "SAFFL = Y" in _text(root.xpath(f"//def:CommentDef[@OID='{comment}']", namespaces=NS)[0])
    wc = ar.xpath("arm:AnalysisDatasets/arm:AnalysisDataset[1]/def:WhereClauseRef/@WhereClauseOID",
                  namespaces=NS)[0]
    items = root.xpath(f"//def:WhereClauseDef[@OID='{wc}']/odm:RangeCheck/@def:ItemOID", namespaces=NS)
    assert items == ["IT.ADAE.TRTEMFL", "IT.ADAE.SAFFL"]
    # every ItemOID ARM names is an ItemDef of this define
    defined = set(root.xpath("//odm:ItemDef/@OID", namespaces=NS))
    named = set(root.xpath("//arm:AnalysisVariable/@ItemOID | //arm:AnalysisResult/@ParameterOID", namespaces=NS))
    assert named <= defined


def test_04_sdtm_define_has_no_arm(sample_spec, sample_sdtm):
    frames = {k: (v, None) for k, v in sample_sdtm.items() if sample_spec.datasets[k].standard == "SDTM"}
    tree = build_define(sample_spec, "SDTM", frames, creation_datetime="2025-03-28T00:00:00")
    assert not tree.getroot().xpath("//arm:AnalysisResultDisplays", namespaces=NS)
    assert etree.tostring(tree).find(ARM_NS.encode()) == -1


def test_05_analysis_spec_naming_a_missing_variable_stops(tmp_path, repo_root):
    import shutil

    from aclf_cdisc.errors import SpecError
    from aclf_cdisc.spec import load_spec
    from aclf_cdisc.spec.analysis import load_analysis_spec

    root = tmp_path / "specs"
    shutil.copytree(repo_root / "specs", root)
    path = root / "analysis.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("variables: [AVAL, CNSR]", "variables: [AVAL, CNSRX]"),
                    encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_analysis_spec(load_spec(root))
    assert [(i.rule, i.value) for i in err.value.issues] == [("spec.analysis-reference", "CNSRX")]

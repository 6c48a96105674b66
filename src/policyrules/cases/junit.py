"""The JUnit XML report of a test run, as CI systems read it: one <testsuite> per pack, one <testcase> per case
and engine (a failed expectation is a <failure>, an evaluation that raised is an <error>), and one <testcase>
for the coverage rule when it was checked."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from pathlib import Path

from .runner import Report

EVALUATION_FAILED = "evaluation failed: "


def junit_xml(reports: Sequence[tuple[Report, Mapping[str, list[str]] | None]]) -> str:
    """The XML document for the reports of a run, each with its coverage gaps (None: the rule was not checked,
    as when the cases were narrowed)."""
    root = ET.Element("testsuites", name="policyrules test")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for report, gaps in reports:
        suite = _suite(report, gaps)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(report: Report, gaps: Mapping[str, list[str]] | None) -> ET.Element:
    suite = ET.Element("testsuite", name=report.pack)
    failures = errors = 0
    for run in report.results:
        path = Path(run.case.where.file)
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"{report.pack}.{path.stem}",
            name=f"{run.case.name} [{run.engine}]",
            file=str(path),
        )
        if run.case.where.line:
            case.set("line", str(run.case.where.line))
        if run.messages and run.messages[0].startswith(EVALUATION_FAILED):
            errors += 1
            _detail(case, "error", run.messages)
        elif run.messages:
            failures += 1
            _detail(case, "failure", run.messages)
    tests = len(report.results)
    if gaps is not None:
        tests += 1
        case = ET.SubElement(suite, "testcase", classname=f"{report.pack}.coverage", name="every rule holds and fails")
        missing = [f"{kind.replace('_', ' ')}: {', '.join(ids)}" for kind, ids in gaps.items() if ids]
        if missing:
            failures += 1
            _detail(case, "failure", missing)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    return suite


def _detail(case: ET.Element, tag: str, messages: Sequence[str]) -> None:
    element = ET.SubElement(case, tag, message=messages[0], type="expectation" if tag == "failure" else "evaluation")
    element.text = "\n".join(messages)

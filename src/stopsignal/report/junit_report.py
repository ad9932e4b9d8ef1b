"""JUnit XML, the report every CI system shows: one test suite per file, one failing case
per finding, read errors as errors.

Like ruff's ``--output-format junit``: a run with nothing found is one passing test
case, so CI shows that the check ran. The XML is built with ElementTree, which
escapes what file names and messages contain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stopsignal.rules import READ_ERROR_CODE, READ_ERROR_NAME

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from stopsignal.report import LintResult


def render(result: LintResult, *, verbose: bool = False, color: bool = False) -> str:
    from xml.etree import ElementTree as ET

    suites = ET.Element("testsuites", name="stopsignal")
    by_path: dict[str, Element] = {}

    def suite(path: str) -> Element:
        if path not in by_path:
            by_path[path] = ET.SubElement(suites, "testsuite", name=path)
        return by_path[path]

    for error in result.errors:
        case = ET.SubElement(suite(error.path), "testcase",
                             name=f"{READ_ERROR_CODE} {READ_ERROR_NAME}",
                             classname=error.path, file=error.path, line=str(error.line))
        node = ET.SubElement(case, "error", message=error.message, type=READ_ERROR_CODE)
        node.text = f"{error.path}:{error.line}:{error.column}: {error.message}"
    for finding in result.findings:
        where = finding.location
        subject = " ".join(part for part in (finding.object, finding.container and
                                             f"container {finding.container}") if part)
        case = ET.SubElement(suite(where.path), "testcase",
                             name=f"{finding.code} {finding.rule} {subject}".strip(),
                             classname=where.path, file=where.path, line=str(where.line))
        node = ET.SubElement(case, "failure", message=finding.message, type=finding.code)
        head = f"{where.path}:{where.line}:{where.column}: {finding.severity}: {finding.message}"
        lines = [head]
        if verbose:
            lines.extend(finding.trail)
        node.text = "\n".join(lines)
    if not by_path:
        ET.SubElement(ET.SubElement(suites, "testsuite", name="stopsignal"), "testcase",
                      name="no findings", classname="stopsignal")
    failures = errors = tests = 0
    for element in suites:
        cases = list(element)
        suite_failures = sum(1 for case in cases if case.find("failure") is not None)
        suite_errors = sum(1 for case in cases if case.find("error") is not None)
        element.set("tests", str(len(cases)))
        element.set("failures", str(suite_failures))
        element.set("errors", str(suite_errors))
        tests, failures, errors = (tests + len(cases), failures + suite_failures,
                                   errors + suite_errors)
    suites.set("tests", str(tests))
    suites.set("failures", str(failures))
    suites.set("errors", str(errors))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"

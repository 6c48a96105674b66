"""The YAML cases beside each pack: reading them, choosing some, checking a pack's decisions against them, and
the JUnit XML report a CI system reads."""

from .case import Case, load_cases
from .junit import junit_xml
from .runner import Failure, Report, Run, pack_case_files, run_cases
from .select import Selection

__all__ = [
    "Case",
    "Failure",
    "Report",
    "Run",
    "Selection",
    "junit_xml",
    "load_cases",
    "pack_case_files",
    "run_cases",
]

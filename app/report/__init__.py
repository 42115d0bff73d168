"""The Ergebnisdokumentation: `build_report` turns a workshop into a `Report` (plain data);
one writer per format turns a Report into a file."""

from app.report.builder import build_report
from app.report.model import Report, ReportOptions

__all__ = ["Report", "ReportOptions", "build_report"]

"""Load reports from ``data/raw``: decode any file the portals give, read the manifest.

The build accepts plain text in UTF-8 (with or without a byte-order mark),
UTF-16/UTF-32 with a byte-order mark, the legacy Vietnamese encodings
Windows-1258 and TCVN3 (ABC), composed or decomposed Unicode, HTML pages saved
from a portal (the article is kept; menus, scripts and footers are dropped) and
Word ``.docx`` files. What cannot be read raises :class:`InputProblem`, whose
message is one line naming the file and the fix.

:func:`load_reports` turns a folder of such files into the reports table
(:data:`analysis.schema.REPORTS`), with metadata read from the text and
overridden by the manifest ``data/raw/reports.csv``, and a list of
:class:`Message` saying what was done and what could not be. Files under
``data/raw`` are only ever read.

Inputs are bounded (:data:`LIMITS`: file size, characters per report, the
unpacked size and compression ratio of a ``.docx``, the nesting of a page),
each limit changed by its environment variable or ``build --limit``; links
leading out of the raw folder, named pipes and unreadable folders are listed,
not read (``docs/robustness.md``).

The modules, in the order the data flows through them:

- :mod:`~analysis.load.problems`: :class:`InputProblem`, :class:`Message`, :func:`display_path`;
- :mod:`~analysis.load.limits`: :data:`LIMITS` and :func:`limit`;
- :mod:`~analysis.load.decode`: bytes to text (encodings, TCVN3, what a file is);
- :mod:`~analysis.load.html`: a saved web page to its article's text;
- :mod:`~analysis.load.docx`: a Word file to text;
- :mod:`~analysis.load.document`: one file of any form to normalised text (:func:`open_document`);
- :mod:`~analysis.load.manifest`: :func:`read_manifest`;
- :mod:`~analysis.load.intake`: a folder to the reports table (:func:`load_reports`), after
  :mod:`analysis.metadata`, which it calls for each report;
- :mod:`~analysis.load.workers`: the ordered pool of worker processes the intake and the
  pipeline read files with.

The knowledge of messy inputs lives in data tables under ``analysis/rules/``:
``tcvn3.csv`` (the TCVN3 byte → letter table), ``vi_common_words.csv`` (words
that tell a right decoding from a wrong one) and ``html_boilerplate.csv``
(what a portal page wraps around its article).
"""
from analysis.load.decode import decode_bytes
from analysis.load.document import REPORT_SUFFIXES, Document, open_document, read_document
from analysis.load.html import html_to_text
from analysis.load.intake import (
    FileRead,
    InputFile,
    InputFiles,
    InputPlan,
    InputRecord,
    InputRecords,
    Intake,
    LoadResult,
    list_inputs,
    load_reports,
    plan_inputs,
    read_file,
    report_of,
)
from analysis.load.limits import LIMITS, Limit, limit
from analysis.load.manifest import MANIFEST_FIELDS, read_manifest
from analysis.load.problems import InputProblem, Message, display_path
from analysis.load.workers import end_with_parent, ordered_in_workers, trim_heap

__all__ = [
    "InputProblem", "Message", "Document", "InputRecord", "LoadResult",
    "REPORT_SUFFIXES", "MANIFEST_FIELDS", "open_document", "read_document",
    "decode_bytes", "html_to_text", "read_manifest", "load_reports",
    "display_path", "Limit", "LIMITS", "limit", "end_with_parent", "ordered_in_workers", "trim_heap",
    "FileRead", "InputFile", "InputFiles", "InputPlan", "InputRecords", "Intake", "list_inputs", "plan_inputs",
    "read_file", "report_of",
]

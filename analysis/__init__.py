"""Statistics from Hà Nội ward and district reports, each figure with its source.

The modules follow the data flow; each imports only from the ones above it.

Foundations
    ``paths`` (where everything lives), ``schema`` (the tidy tables, declared
    once), ``rules`` (the one reader of ``analysis/rules/*.csv``), ``text``
    (normalisation, sentences, headings), ``numbers`` (numbers as reports
    write them).
Reading reports
    ``load/`` (decoding, saved web pages, Word files, the manifest, intake),
    ``periods`` (period codes and how reports say them), ``fastmatch``
    (phrase patterns found by their first words), ``metadata/`` (unit,
    period, date, title and kind of a report, read from its text).
Facts and indicators
    ``extract`` (every statistic of a report, with its offsets), ``catalog``
    (the indicator catalogue: one loader, one cache), ``indicators`` (facts
    assigned to indicators), ``admin`` (administrative units across the 2025
    reform, programmes), ``observations`` (facts set in their unit and
    period).
Running the pipeline
    ``pipeline`` (the one runner: a per-file step and a corpus step),
    ``corrections`` (the analysts' decisions, applied by every build),
    ``store`` (writing and reading the processed tables), ``build`` (raw
    reports to processed tables), ``cluster`` (the same on a Dask cluster),
    ``evaluate`` (the extraction scored against hand-checked facts).
Analysis and display
    ``reconcile`` (reported figures checked against each other), ``compare/``
    (units, trends, scorecards, proportions), ``query`` (DuckDB over the
    processed tables), ``i18n`` (every label in Vietnamese and English),
    ``theme`` (one look, one number format), ``charts`` (Altair charts, never
    displayed), ``app/`` (the leaders' Voilà app), ``review`` (the analysts'
    review app), ``period_reports`` (one offline page per unit and period).
Command line
    ``cli`` and ``__main__`` (``python -m analysis``).

``docs/architecture.md`` gives each module's public names and what it reads
and writes.
"""
__version__ = "0.1.0"

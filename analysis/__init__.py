"""Statistics from Hà Nội ward and district reports, each figure with its source.

The modules follow the data flow; each imports only from the ones above it.

Foundations
    ``paths`` (where everything lives), ``schema`` (the tidy tables, declared
    once), ``text`` (normalisation, sentences, headings), ``rules`` (the one
    reader of ``analysis/rules/*.csv``), ``numbers`` (numbers as reports
    write them).
Reading reports
    ``periods`` (period codes and how reports say them), ``fastmatch``
    (phrase patterns found by their first words), ``metadata/`` (unit,
    period, date, title and kind of a report, read from its text), ``load/``
    (decoding, saved web pages, Word files, the manifest, intake).
Facts and indicators
    ``extract`` (every statistic of a report, with its offsets), ``catalog``
    (the indicator catalogue: one loader, one cache), ``indicators`` (facts
    assigned to indicators), ``admin`` (administrative units across the 2025
    reform, programmes), ``observations`` (facts set in their unit and
    period).
Running the pipeline
    ``pipeline`` (the one runner: a per-file step and a corpus step),
    ``store/`` (writing and reading the processed tables), ``evaluate`` (the
    extraction scored against hand-checked facts), ``corrections`` (the
    analysts' decisions, applied by every build), ``cluster`` (the per-file
    work on a Dask cluster), ``build`` (raw reports to processed tables).
Analysis and display
    ``theme`` (one look, one number format), ``i18n`` (every label in
    Vietnamese and English), ``compare/`` (units, trends, scorecards,
    proportions), ``reconcile`` (reported figures checked against each
    other), ``query`` (DuckDB over the processed tables), ``charts`` (Altair
    charts, never displayed), ``app/`` (the leaders' Voilà app), ``review``
    (the analysts' review app), ``period_reports`` (one offline page per unit
    and period), ``kernels`` (the apps' kernels, forked from one process that
    has imported the libraries).
Command line
    ``cli`` and ``__main__`` (``python -m analysis``).

``docs/architecture.md`` gives each module's public names and what it reads
and writes.
"""
__version__ = "0.1.0"

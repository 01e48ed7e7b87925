"""Statistics from Hà Nội ward and district reports.

The modules follow the data flow, each importing only from earlier stages:

``text`` → ``numbers`` → ``load``/``metadata`` → ``extract`` → ``indicators``
→ ``observations``/``admin`` → ``compare`` → ``theme``/``charts`` → ``dashboard``;
``build`` runs the pipeline and ``store`` reads and writes the processed tables.
"""
__version__ = "0.1.0"

"""zhiku (智库): documents in, cited answers out — offline first.

>>> from zhiku.config import load_settings
>>> from zhiku.wiring import open_or_create_kb
>>> kb = open_or_create_kb(load_settings(), "demo")
>>> kb.ingest([Path("examples")])
"""

__version__ = "0.1.0"

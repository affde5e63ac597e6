"""Question understanding, done once per question: language, type, parts, years, places, units.

``analyse(text)`` returns the frozen ``Question`` record (``zhiku.types``) that ``Assistant``
hands to retrieval, the experts and the reader, so no stage re-reads the raw question.  The
package also holds the project's one sentence splitter (``sentences``) and one text
normaliser (``normalise``), which evidence, chunking and tokenizing share.

>>> analyse("2023年有多少家AI公司上市？").qtype.unit
'家'
"""

from zhiku.understand.question import analyse, question_of

__all__ = ["analyse", "question_of"]

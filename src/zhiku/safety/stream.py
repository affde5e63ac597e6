"""Filtering streamed output: a rolling window that catches a term split across chunks.

A model streams "…炸" then "药配方…".  Checking each delta alone misses the term; waiting for
the end defeats streaming.  :class:`StreamFilter` holds back the last ``hold`` characters,
re-checks them together with the new delta (plus some already-sent context for the rules
that look left), and only releases text that no future delta can still turn into a match.
Masking (keywords with action ``mask`` and personal information) keeps the length, so the
released text lines up with what was checked.

>>> f = StreamFilter(policy, PiiMasker(), hold=16)
>>> out = [f.feed("配方：炸"), f.feed("药")]; end = f.close()
>>> end.blocked is not None or any(s.blocked for s in out)
True
"""

from __future__ import annotations

from dataclasses import dataclass

from zhiku.safety.keywords import Match
from zhiku.safety.pii import PiiMasker
from zhiku.safety.policy import SafetyPolicy, Verdict


@dataclass(frozen=True)
class StreamStep:
    """Text safe to send now; ``blocked`` is set (and the stream must stop) on a block match."""

    text: str
    blocked: Match | None = None
    verdict: Verdict | None = None


class StreamFilter:
    """Stateful filter for one stream; feed deltas, then ``close()`` to flush the tail."""

    def __init__(self, policy: SafetyPolicy, pii: PiiMasker | None, hold: int = 48) -> None:
        self.policy = policy
        self.pii = pii
        # Obfuscated terms (炸 * 药) are longer than the term; PII needs ~25 characters.
        self.hold = max(hold, policy.longest_term * 4, 32)
        self.raw = ""
        self.emitted = 0
        self.review: set[str] = set()
        self.pii_masked: dict[str, int] = {}
        self._stopped = False

    def feed(self, delta: str) -> StreamStep:
        if self._stopped:
            return StreamStep("")
        self.raw += delta
        return self._advance(final=False)

    def close(self) -> StreamStep:
        if self._stopped:
            return StreamStep("")
        return self._advance(final=True)

    def _advance(self, final: bool) -> StreamStep:
        ctx_start = max(0, self.emitted - self.hold)
        window = self.raw[ctx_start:]
        verdict = self.policy.check(window, "output")
        if verdict.blocked:
            self._stopped = True
            return StreamStep("", blocked=verdict.deciding, verdict=verdict)
        self.review.update(verdict.review)
        cut = len(self.raw) if final else len(self.raw) - self.hold
        if cut <= self.emitted:
            return StreamStep("", verdict=verdict)
        text = SafetyPolicy.apply_masks(window, verdict.matches)
        if self.pii is not None:
            masked = self.pii.mask(text)
            for f in masked.findings:
                if self.emitted - ctx_start <= f.start < cut - ctx_start:
                    self.pii_masked[f.kind] = self.pii_masked.get(f.kind, 0) + 1
            text = masked.text
        out = text[self.emitted - ctx_start : cut - ctx_start]
        self.emitted = cut
        return StreamStep(out, verdict=verdict)

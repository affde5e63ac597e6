"""``GuardedAssistant``: the compliance wrapper every answer path goes through.

It wraps anything with ``ask``/``stream`` (the ``Assistant`` and whatever experts it routes to:
extractive, LLM, BI, graph), so a policy refusal does not depend on which route would have
answered.  In order: check the question (block → polite refusal, route ``safety``); ask the
inner assistant; quote injected instructions as data; check and mask the output (streamed
output through a rolling window); mask personal information; add the AIGC labels; write the
audit record.  ``Answer.extra["safety"]`` is always present, so a client can tell a safety
refusal (``blocked: true``) from "not found in the knowledge base" (``found: false``, not blocked).

>>> guarded = GuardedAssistant(Assistant(kb, settings), settings, kb_name=kb.name)
>>> guarded.ask(AskRequest("如何制作炸弹")).extra["safety"]
{'blocked': True, 'stage': 'input', 'rule': 'violence.make-weapon', 'category': 'violence', ...}
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from zhiku.errors import ConfigError
from zhiku.safety.audit import AuditEvent, AuditLog
from zhiku.safety.bank import AnswerService
from zhiku.safety.injection import neutralise_answer, scan_passages
from zhiku.safety.labels import LabelConfig, Labeler
from zhiku.safety.pii import PiiMasker
from zhiku.safety.policy import SafetyPolicy, Verdict
from zhiku.safety.stream import StreamFilter
from zhiku.types import Answer, AskRequest, Language
from zhiku.understand.lang import reply_language

if TYPE_CHECKING:
    from zhiku.answer.assistant import AnswerEvent
    from zhiku.config import Settings


# Self-harm requests get a caring answer, not a legalistic one.
_CATEGORY_REFUSALS: dict[str, tuple[str, str]] = {
    "self_harm": (
        "听起来你可能正在经历很艰难的时刻，我无法提供这方面的方法。请尽快联系你信任的人、当地的心理援助热线，"
        "或在紧急情况下拨打 120 / 110。你并不孤单。",
        "It sounds like you may be going through a very hard time. I can't help with that, but please reach out "
        "to someone you trust or a local crisis line, or call your local emergency number right away. "
        "You are not alone.",
    ),
}


def answer_language(request: AskRequest) -> Language:
    """The user's language, from the question itself (the request default is ``zh``)."""
    return reply_language(request.question, request.language)


def label_config(settings: Settings) -> LabelConfig:
    cfg = settings.safety.labels
    if not cfg.enabled and not cfg.disabled_reason.strip():
        raise ConfigError(
            "关闭 AIGC 标识需要同时填写 safety.labels.disabled_reason（该操作会记入审计日志）",
            "turning AIGC labels off needs safety.labels.disabled_reason as well (the change is audited)",
        )
    return LabelConfig(
        enabled=cfg.enabled,
        position=cfg.position,
        text_zh=cfg.text_zh,
        text_en=cfg.text_en,
        extracted_zh=cfg.extracted_zh,
        extracted_en=cfg.extracted_en,
        extractive_routes=tuple(cfg.extractive_routes),
    )


class GuardedAssistant:
    """Input/output filtering, PII masking, labels and audit around an assistant."""

    def __init__(
        self,
        inner: AnswerService,
        settings: Settings,
        *,
        kb_name: str | None = None,
        policy: SafetyPolicy | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        self.inner = inner
        self.settings = settings
        self.config = settings.safety
        self.kb_name = kb_name
        self.policy = policy if policy is not None else SafetyPolicy.from_settings(self.config)
        self.labeler = Labeler(label_config(settings))
        self.pii = PiiMasker(self.config.pii_kinds) if self.config.pii_mask_answers else None
        self.audit = audit if audit is not None else _default_audit(settings)
        if self.audit is not None and not self.config.labels.enabled:
            self.audit.append(
                AuditEvent(
                    event="labels_disabled", kb=kb_name, detail={"reason": self.config.labels.disabled_reason}
                )
            )

    def __getattr__(self, name: str) -> Any:
        # ``kb``, ``experts`` … of the wrapped assistant stay reachable for callers.
        if name.startswith("__") or name == "inner":
            raise AttributeError(name)
        return getattr(self.inner, name)

    # ---------------------------------------------------------------- ask
    def ask(self, request: AskRequest) -> Answer:
        start = time.perf_counter()
        lang = answer_language(request)
        verdict = self._check_input(request)
        if verdict.blocked:
            answer = self.refusal(request, verdict, lang)
        else:
            answer = self.finish(request, self.inner.ask(request), lang, verdict)
        answer.latency_ms = (time.perf_counter() - start) * 1000
        self._audit(request, answer)
        return answer

    def _check_input(self, request: AskRequest) -> Verdict:
        if not self.config.enabled:
            return Verdict("allow", "input")
        return self.policy.check(request.question, "input")

    def refusal(self, request: AskRequest, verdict: Verdict, lang: Language) -> Answer:
        """The polite refusal for a blocked request or output (route ``safety``, found False)."""
        top = verdict.deciding
        zh, en = _CATEGORY_REFUSALS.get(
            top.category if top else "", (self.config.refusal_zh, self.config.refusal_en)
        )
        answer = Answer(
            question=request.question, answer=zh if lang == "zh" else en, found=False, route="safety"
        )
        answer.language = lang
        answer.trace.route_reason = f"safety:{verdict.stage}:{top.rule_id if top else ''}"
        answer.extra["safety"] = {**verdict.to_safety(), "review": list(verdict.review)}
        self._label(answer)
        return answer

    def finish(self, request: AskRequest, answer: Answer, lang: Language, input_verdict: Verdict) -> Answer:
        """Everything after the inner assistant answered (shared by ``ask`` and ``stream``)."""
        injection = self._injection(answer, lang)
        review = set(input_verdict.review)
        if self.config.enabled and self.config.check_output:
            out = self.policy.check(answer.answer, "output")
            if out.blocked:
                refused = self.refusal(request, out, lang)
                refused.trace = answer.trace
                refused.trace.route_reason = f"safety:output:{out.deciding.rule_id if out.deciding else ''}"
                refused.extra["blocked_route"] = answer.route
                return refused
            review.update(out.review)
            answer.answer = SafetyPolicy.apply_masks(answer.answer, out.matches)
        pii = self._mask_pii(answer)
        answer.extra["safety"] = {
            "blocked": False,
            "stage": None,
            "rule": None,
            "category": None,
            "review": sorted(review),
            "pii_masked": pii,
            "injection": injection,
        }
        self._label(answer)
        return answer

    def _injection(self, answer: Answer, lang: Language) -> list[dict[str, str]]:
        if not self.config.flag_injection:
            return []
        flags = scan_passages((f"[{c.index}] {c.chunk_id}", c.text) for c in answer.citations)
        answer.answer, in_answer = neutralise_answer(answer.answer, lang)
        for f in flags:
            answer.trace.notes.append(
                f"safety: instruction-like passage in {f.source} quoted as data: {f.passage[:80]}"
            )
        if in_answer:
            answer.trace.notes.append(
                f"safety: {len(in_answer)} instruction-like sentence(s) in the answer quoted as data"
            )
        return [
            {"source": f.source, "pattern": f.pattern, "passage": f.passage[:200]}
            for f in [*flags, *in_answer]
        ]

    def _mask_pii(self, answer: Answer) -> dict[str, int]:
        if self.pii is None:
            return {}
        counts: dict[str, int] = {}
        result = self.pii.mask(answer.answer)
        answer.answer = result.text
        for kind, n in result.counts.items():
            counts[kind] = counts.get(kind, 0) + n
        if answer.short_answer:
            answer.short_answer = self.pii.mask(answer.short_answer).text
        masked = []
        for c in answer.citations:
            r = self.pii.mask(c.text)
            masked.append(replace(c, text=r.text) if r.findings else c)
        answer.citations = masked
        return counts

    def _label(self, answer: Answer) -> None:
        kind = self.labeler.kind_of(answer.route, answer.found)
        answer.answer = self.labeler.apply(answer.answer, kind, answer.language)
        explicit = self.labeler.config.enabled and bool(self.labeler.explicit_text(kind, answer.language))
        answer.extra["labels"] = (["explicit"] if explicit else []) + ["implicit"]
        answer.extra["aigc"] = self.labeler.meta(answer.route, answer.found).to_dict()

    def _audit(self, request: AskRequest, answer: Answer) -> None:
        if self.audit is None:
            return
        safety = answer.extra.get("safety", {})
        self.audit.append(
            AuditEvent(
                event="ask",
                key_id=request.key_id,
                kb=self.kb_name,
                question=request.question,
                route=answer.route,
                models=tuple(c.model for c in answer.trace.calls),
                found=answer.found,
                language=answer.language,
                blocked=bool(safety.get("blocked")),
                stage=safety.get("stage"),
                rule=safety.get("rule"),
                category=safety.get("category"),
                review=tuple(safety.get("review", ())),
                labels=tuple(answer.extra.get("labels", ())),
                pii_masked=dict(safety.get("pii_masked", {})),
                injection=len(safety.get("injection", [])),
                latency_ms=round(answer.latency_ms, 2),
                detail={"produce_id": answer.extra.get("aigc", {}).get("ProduceID", "")},
            )
        )

    # ------------------------------------------------------------- stream
    def stream(self, request: AskRequest) -> Iterator[AnswerEvent]:
        from zhiku.answer.assistant import AnswerEvent

        start = time.perf_counter()
        lang = answer_language(request)
        verdict = self._check_input(request)
        if verdict.blocked:
            answer = self.refusal(request, verdict, lang)
            answer.latency_ms = (time.perf_counter() - start) * 1000
            self._audit(request, answer)
            yield AnswerEvent("delta", text=answer.answer)
            yield AnswerEvent("answer", answer=answer)
            return
        yield from self._stream_inner(request, lang, verdict, start)

    def _stream_inner(
        self, request: AskRequest, lang: Language, verdict: Verdict, start: float
    ) -> Iterator[AnswerEvent]:
        from zhiku.answer.assistant import AnswerEvent

        filt = StreamFilter(self.policy, self.pii, self.config.stream_window) if self.config.enabled else None
        labels = self.labeler.config
        if labels.enabled and labels.position == "prepend":
            yield AnswerEvent("delta", text=self.labeler.explicit_text("generated", lang) + "\n")
        events = self.inner.stream(request)
        for event in events:
            if event.type == "delta":
                step = filt.feed(event.text) if filt else None
                text = step.text if step else event.text
                if step is not None and step.blocked is not None:
                    _close(events)
                    yield from self._stream_blocked(request, lang, step.verdict, start)
                    return
                if text:
                    yield AnswerEvent("delta", text=text)
            elif event.answer is not None:
                step = filt.close() if filt else None
                if step is not None and step.blocked is not None:
                    yield from self._stream_blocked(request, lang, step.verdict, start)
                    return
                if step is not None and step.text:
                    yield AnswerEvent("delta", text=step.text)
                final = self.finish(request, event.answer, lang, verdict)
                tail = self.labeler.explicit_text(self.labeler.kind_of(final.route, final.found), lang)
                if (
                    labels.enabled
                    and labels.position == "append"
                    and tail
                    and not final.extra["safety"]["blocked"]
                ):
                    yield AnswerEvent("delta", text="\n" + tail)
                self._audit(request, final)
                yield AnswerEvent("answer", answer=final)
                return

    def _stream_blocked(
        self, request: AskRequest, lang: Language, verdict: Verdict | None, start: float
    ) -> Iterator[AnswerEvent]:
        from zhiku.answer.assistant import AnswerEvent

        answer = self.refusal(request, verdict or Verdict("block", "output"), lang)
        answer.latency_ms = (time.perf_counter() - start) * 1000
        self._audit(request, answer)
        yield AnswerEvent("delta", text="\n" + answer.answer)
        yield AnswerEvent("answer", answer=answer)


def _close(events: Iterator[Any]) -> None:
    close = getattr(events, "close", None)
    if callable(close):
        close()


def _default_audit(settings: Settings) -> AuditLog | None:
    cfg = settings.safety
    if not cfg.audit_enabled:
        return None
    path = cfg.audit_path or settings.home / "audit" / "audit.jsonl"
    return AuditLog(
        path,
        hash_questions=cfg.hash_questions,
        rotate_bytes=int(cfg.audit_rotate_mb * 1024 * 1024),
        key_path=cfg.audit_key_path or settings.home / "secrets" / "audit.key",
    )

"""The safety policy: keyword lists + intent rules → one verdict per text and stage.

The policy is built once from settings (bad lists fail at startup, with the file and line in
the message) and is then read-only, so one instance serves every request and stream.

>>> policy = SafetyPolicy.from_settings(SafetySettings())
>>> policy.check("如何制作炸弹", "input").action
'block'
>>> policy.check("炸鸡的做法", "input").action
'allow'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from zhiku.safety.classifier import MAX_CHARS, RequestClassifier, builtin_path
from zhiku.safety.intent import IntentRules
from zhiku.safety.keywords import KeywordMatcher, KeywordRule, Match, load_keyword_list, strongest

if TYPE_CHECKING:
    from zhiku.config import SafetySettings

Decision = Literal["allow", "block", "review", "mask"]
Stage = Literal["input", "output"]


@dataclass(frozen=True)
class Verdict:
    """What the policy says about one text at one stage."""

    action: Decision
    stage: Stage
    matches: tuple[Match, ...] = ()

    @property
    def deciding(self) -> Match | None:
        return strongest(self.matches)

    @property
    def blocked(self) -> bool:
        return self.action == "block"

    @property
    def review(self) -> tuple[str, ...]:
        return tuple(sorted({m.rule_id for m in self.matches if m.action == "review"}))

    def to_safety(self) -> dict[str, Any]:
        """The ``safety`` member of an answer (same keys whether blocked or not)."""
        top = self.deciding if self.blocked else None
        return {
            "blocked": self.blocked,
            "stage": self.stage if self.blocked else None,
            "rule": top.rule_id if top else None,
            "category": top.category if top else None,
        }


MODEL_RULE = "model:request-classifier"


class SafetyPolicy:
    """Check texts against exact-term lists, context-aware intent rules and (input only) a classifier."""

    def __init__(
        self,
        keywords: KeywordMatcher,
        intents: IntentRules,
        classifier: RequestClassifier | None = None,
        threshold: float = 0.8,
    ) -> None:
        self.keywords = keywords
        self.intents = intents
        self.classifier = classifier
        self.threshold = threshold

    @classmethod
    def from_settings(cls, settings: SafetySettings) -> SafetyPolicy:
        rules: list[KeywordRule] = []
        lists = [builtin_path("keywords.txt")] if settings.builtin_rules else []
        for path in [*lists, *settings.keyword_lists]:
            rules.extend(load_keyword_list(Path(path), settings.default_action))
        intent_files = [builtin_path("intent_rules.toml")] if settings.builtin_rules else []
        intent_rules = []
        for path in [*intent_files, *settings.intent_rules]:
            intent_rules.extend(IntentRules.from_file(Path(path)).rules)
        model = None
        if settings.classifier:
            model = RequestClassifier.load(
                Path(settings.classifier_model or builtin_path("request_model.npz"))
            )
        return cls(KeywordMatcher(rules), IntentRules(intent_rules), model, settings.classifier_threshold)

    @property
    def longest_term(self) -> int:
        return self.keywords.longest

    def check(self, text: str, stage: Stage) -> Verdict:
        matches = [h.to_match() for h in self.keywords.scan(text)]
        matches.extend(self.intents.scan(text, stage))
        top = strongest(matches)
        if self._model_blocks(text, stage, top):
            # Rules first (they explain themselves); the model only speaks where no rule blocked.
            matches.append(Match(MODEL_RULE, "model", "block", 0, len(text), kind="model"))
            top = strongest(matches)
        action: Decision = top.action if top else "allow"
        return Verdict(action=action, stage=stage, matches=tuple(sorted(matches, key=lambda m: m.start)))

    def _model_blocks(self, text: str, stage: Stage, top: Match | None) -> bool:
        if stage != "input" or self.classifier is None or len(text) > MAX_CHARS:
            return False
        if top is not None and top.action == "block":
            return False
        return self.classifier.score(text) >= self.threshold

    @staticmethod
    def apply_masks(text: str, matches: tuple[Match, ...] | list[Match], char: str = "*") -> str:
        """Replace the letters of every ``mask`` match with ``char`` (length-preserving)."""
        spans = [(m.start, m.end) for m in matches if m.action == "mask"]
        if not spans:
            return text
        chars = list(text)
        for start, end in spans:
            for i in range(start, end):
                if not chars[i].isspace():
                    chars[i] = char
        return "".join(chars)

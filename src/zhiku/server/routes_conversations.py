"""``/api/conversations`` and ``/api/feedback``: chats that outlive a page, and verdicts on answers.

Conversations belong to the API key that made them (another key gets 404).  The web UI and any
OpenAI client fill one by passing ``conversation_id`` with ``/v1/chat/completions``
(``extra_body={"conversation_id": …}`` in the ``openai`` package); the answer is then stored
and its ``message_id`` returned, which ``POST /api/feedback`` refers to.

    curl -H "Authorization: Bearer $KEY" http://127.0.0.1:8000/api/conversations?kb=demo
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from pydantic import BaseModel, Field

from zhiku.errors import QueryError
from zhiku.server import answering
from zhiku.server.conversations import ConversationStore, db_path
from zhiku.server.feedback import FeedbackIn, FeedbackStore, latest_by_message
from zhiku.server.state import PrincipalDep, StateDep
from zhiku.types import Turn

router = APIRouter(prefix="/api", tags=["conversations"])


def install(app: FastAPI, home: Path) -> None:
    """Open the stores and add the routes (called once by ``create_app``)."""
    app.state.conversations = ConversationStore(db_path(home))
    app.state.feedback = FeedbackStore(db_path(home))
    app.include_router(router)


def get_conversations(request: Request) -> ConversationStore:
    store: ConversationStore = request.app.state.conversations
    return store


def get_feedback(request: Request) -> FeedbackStore:
    store: FeedbackStore = request.app.state.feedback
    return store


ConversationsDep = Annotated[ConversationStore, Depends(get_conversations)]
FeedbackDep = Annotated[FeedbackStore, Depends(get_feedback)]


class ConversationCreate(BaseModel):
    kb: str = Field(..., max_length=64, examples=["demo"])
    title: str | None = Field(None, max_length=100)


class ConversationRename(BaseModel):
    title: str = Field(..., min_length=1, max_length=100)


class FeedbackBody(BaseModel):
    """A verdict on an answer: by ``message_id`` (stored conversations), or with the texts inline."""

    rating: Literal["up", "down"]
    comment: str = Field("", max_length=4000)
    correct_answer: str = Field("", max_length=4000, description="what the answer should have been")
    message_id: int | None = Field(None, ge=1, le=2**63 - 1)
    kb: str | None = Field(None, max_length=64)
    question: str | None = Field(None, max_length=4000)
    answer: str | None = Field(None, max_length=20000)
    citations: list[dict[str, Any]] = Field(default_factory=list)
    trace: dict[str, Any] = Field(default_factory=dict)
    id: str | None = Field(None, description="an earlier feedback id of this key, to update it")


@router.get("/conversations")
def list_conversations(
    state: StateDep,
    principal: PrincipalDep,
    store: ConversationsDep,
    kb: Annotated[str | None, Query(max_length=64)] = None,
) -> list[dict[str, Any]]:
    """This key's conversations, most recent first (only those of KBs it can still read)."""
    visible = set(state.visible_kbs(principal))
    return [vars(c) for c in store.list(principal.key_id, kb) if c.kb in visible]


@router.post("/conversations", status_code=201)
def create_conversation(
    body: ConversationCreate, state: StateDep, principal: PrincipalDep, store: ConversationsDep
) -> dict[str, Any]:
    state.require(principal, body.kb, "read")
    return vars(store.create(principal.key_id, body.kb, body.title))


@router.get("/conversations/{conv_id}")
def get_conversation(
    conv_id: str, principal: PrincipalDep, store: ConversationsDep, feedback: FeedbackDep
) -> dict[str, Any]:
    """The conversation with every message; assistant messages carry the stored answer and the
    key's latest feedback on it (``feedback``: id, rating, comment, correct answer)."""
    data = store.get(principal.key_id, conv_id).to_dict()
    verdicts = latest_by_message(feedback.list(key_id=principal.key_id, conversation_id=conv_id))
    for message in data["messages"]:
        item = verdicts.get(message["id"])
        message["feedback"] = (
            {k: getattr(item, k) for k in ("id", "rating", "comment", "correct_answer")} if item else None
        )
    return data


@router.patch("/conversations/{conv_id}")
def rename_conversation(
    conv_id: str, body: ConversationRename, principal: PrincipalDep, store: ConversationsDep
) -> dict[str, Any]:
    return vars(store.rename(principal.key_id, conv_id, body.title))


@router.delete("/conversations/{conv_id}", status_code=204)
def delete_conversation(conv_id: str, principal: PrincipalDep, store: ConversationsDep) -> Response:
    store.delete(principal.key_id, conv_id)
    return Response(status_code=204)


class MessageIn(BaseModel):
    question: str = Field(..., min_length=1, max_length=4000, examples=["那2028年呢？"])
    language: Literal["auto", "zh", "en"] = "auto"
    top_k: int | None = Field(None, ge=1, le=100)
    regenerate: bool = Field(False, description="answer the last question again, replacing its answer")


@router.post("/conversations/{conv_id}/messages")
async def ask_in_conversation(
    conv_id: str, body: MessageIn, state: StateDep, principal: PrincipalDep, store: ConversationsDep
) -> dict[str, Any]:
    """Ask within a stored conversation: the server supplies the history (follow-ups rewritten)."""
    detail = store.get(principal.key_id, conv_id)
    state.require(principal, detail.info.kb, "read")
    messages = list(detail.messages)
    if body.regenerate:
        last_user = max((i for i, m in enumerate(messages) if m.role == "user"), default=len(messages))
        messages = messages[:last_user]
    history = [Turn(m.role, m.content) for m in messages][-40:]
    request = answering.make_request(
        body.question, language=body.language, history=history, top_k=body.top_k, key_id=principal.key_id
    )
    answer = answering.answer_dict(await answering.ask(state, detail.info.kb, request))
    _, message = await state.hub.run(
        lambda: store.append(
            principal.key_id, conv_id, request.question, answer, replace_last=body.regenerate
        )
    )
    return {"conversation_id": conv_id, "message_id": message.id, "answer": answer}


def _feedback_in(body: FeedbackBody, key_id: str, conversations: ConversationStore) -> FeedbackIn:
    if body.message_id is not None:
        info, message, asked = conversations.message(key_id, body.message_id)
        answer = message.answer or {}
        # the stand-alone question makes a usable test case ("那2028年呢？" alone does not)
        question = str(answer.get("rewritten_question") or asked)
        return FeedbackIn(
            kb=info.kb, rating=body.rating, question=question, answer=message.content,
            comment=body.comment, correct_answer=body.correct_answer,
            citations=list(answer.get("citations") or []), trace=dict(answer.get("trace") or {}),
            conversation_id=info.id, message_id=message.id, id=body.id,
        )  # fmt: skip
    if not body.kb or not body.question or body.answer is None:
        raise QueryError(
            "请给出 message_id，或 kb、question 和 answer", "give message_id, or kb, question and answer"
        )
    return FeedbackIn(
        kb=body.kb, rating=body.rating, question=body.question, answer=body.answer, comment=body.comment,
        correct_answer=body.correct_answer, citations=body.citations, trace=body.trace, id=body.id,
    )  # fmt: skip


@router.post("/feedback", status_code=201, tags=["feedback"])
def post_feedback(
    body: FeedbackBody,
    state: StateDep,
    principal: PrincipalDep,
    conversations: ConversationsDep,
    feedback: FeedbackDep,
) -> dict[str, Any]:
    """Thumbs up or down (plus an optional comment and correct answer) on one answer."""
    item = _feedback_in(body, principal.key_id, conversations)
    state.require(principal, item.kb, "read")
    return feedback.put(item, key_id=principal.key_id).to_dict()


@router.get("/feedback", tags=["feedback"])
def list_feedback(
    state: StateDep,
    principal: PrincipalDep,
    feedback: FeedbackDep,
    kb: Annotated[str | None, Query(max_length=64)] = None,
    rating: Annotated[Literal["up", "down"] | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Feedback on a KB: an admin key sees everyone's, other keys their own."""
    if kb is not None:
        state.require(principal, kb, "read")
    owner = None if principal.is_admin else principal.key_id
    return [i.to_dict() for i in feedback.list(kb=kb, rating=rating, key_id=owner)]


__all__ = ["ConversationsDep", "FeedbackDep", "db_path", "install", "router"]

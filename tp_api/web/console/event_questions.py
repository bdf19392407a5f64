"""An event's questions to attendees in the console: the list, a form for a new one, each
one's page to change or remove it.

Through the admin API's service (events.questions) and request models; a refusal comes back
with what was typed and the problem beside its field. Options are typed one per line as
``Label`` or ``Label | Dutch label``; a line may start with ``value =`` to keep an option's
value (and so the answers given to it) while its label changes, which the edit form does
for every existing option.
"""

from __future__ import annotations

from typing import Any, cast

from flask import Response, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from tp_api.models import Event, Question, QuestionKind, TicketType
from tp_api.schemas.questions import QuestionCreate, QuestionUpdate
from tp_api.services.errors import NotFound, TicketingError
from tp_api.services.events import question_reads, questions
from tp_api.web.api_routes import ValidationFailed, validate
from tp_api.web.console import account_id, actor, bp
from tp_api.web.console.event_editor import Page, top_event
from tp_api.web.console.event_form import placed_problem
from tp_api.web.languages import N_, _, translated

_TEXT_FIELDS = ("label", "labelNl", "helpText", "helpTextNl")
_CHECKS = ("required", "showOnTicket")
# The answer types in words, in the order the form offers them.
KIND_NAMES = {
    QuestionKind.TEXT: N_("Short text"),
    QuestionKind.LONG_TEXT: N_("Long text"),
    QuestionKind.CHOICE: N_("Choice (one)"),
    QuestionKind.MULTIPLE_CHOICE: N_("Choice (several)"),
    QuestionKind.YES_NO: N_("Yes or no"),
    QuestionKind.DATE: N_("Date"),
    QuestionKind.EMAIL: N_("E-mail address"),
    QuestionKind.PHONE: N_("Phone number"),
    QuestionKind.NUMBER: N_("Number"),
}
# Which field a refusal of the service belongs beside.
_FIELD_OF_CODE = {
    "too_few_options": "options",
    "options_not_allowed": "options",
    "duplicate_option": "options",
    "ticket_type_not_found": "ticketTypeIds",
}


@bp.app_template_filter("question_kind")
def question_kind(kind: str) -> str:
    """A question's answer type in the page's language."""
    return translated(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


@bp.route("/events/<int:event_id>/questions", methods=["GET", "POST"])
def event_questions(event_id: int) -> Page:
    """The event's questions and the form for a new one."""
    event = top_event(event_id)
    if request.method == "GET":
        return _list_page(event, {"type": QuestionKind.TEXT}, {})
    typed = _typed(request.form)
    errors: dict[str, str] = {}
    data = _validated(QuestionCreate, _body(typed, with_type=True), errors)
    if data is None:
        return _list_page(event, typed, errors), 422
    try:
        made = questions.add_question(account_id(), str(event.id), data, actor=actor())
    except TicketingError as error:
        errors[_FIELD_OF_CODE.get(error.code, "_form")] = translated(error.message)
        return _list_page(event, typed, errors), error.status
    flash(_("Question added: %(label)s.", label=made.label))
    return _to_list(event)


@bp.route("/events/<int:event_id>/questions/<int:question_id>", methods=["GET", "POST"])
def event_question(event_id: int, question_id: int) -> Page:
    """One question: change it."""
    event = top_event(event_id)
    question = _live_question(event, question_id)
    if request.method == "GET":
        return _edit_page(event, question, _typed_of(question), {})
    typed = _typed(request.form)
    errors: dict[str, str] = {}
    data = _validated(QuestionUpdate, _body(typed, with_type=False), errors)
    if data is None:
        return _edit_page(event, question, typed, errors), 422
    try:
        questions.update_question(account_id(), str(event.id), question.id, data, actor=actor())
    except TicketingError as error:
        errors[_FIELD_OF_CODE.get(error.code, "_form")] = translated(error.message)
        return _edit_page(event, question, typed, errors), error.status
    flash(_("Saved: %(label)s.", label=data.label or question.label))
    return _to_list(event)


@bp.post("/events/<int:event_id>/questions/<int:question_id>/remove")
def event_question_remove(event_id: int, question_id: int) -> Page:
    """Stop asking it: archived when it has answers (they stay), deleted otherwise."""
    event = top_event(event_id)
    question = _live_question(event, question_id)
    archived = questions.remove_question(account_id(), str(event.id), question.id, actor=actor())
    if archived:
        flash(_("No longer asked: %(label)s. Its answers are kept.", label=question.label))
    else:
        flash(_("Question removed: %(label)s.", label=question.label))
    return _to_list(event)


def _list_page(event: Event, typed: dict[str, Any], errors: dict[str, str]) -> str:
    found = question_reads.questions_of([event.id], archived=True)
    types = _ticket_types(event)
    return render_template(
        "console/event_questions.html",
        event=event,
        questions=[q for q in found if q.archived_at is None],
        archived=[q for q in found if q.archived_at is not None],
        types=types,
        asked_for={
            q.id: [dict(types).get(i, str(i)) for i in question_reads.type_ids_of(q)] for q in found
        },
        kinds=KIND_NAMES,
        typed=typed,
        errors=errors,
    )


def _edit_page(
    event: Event, question: Question, typed: dict[str, Any], errors: dict[str, str]
) -> str:
    return render_template(
        "console/event_question.html",
        event=event,
        question=question,
        types=_ticket_types(event),
        typed=typed,
        errors=errors,
    )


def _ticket_types(event: Event) -> list[tuple[int, str]]:
    """(id, name) of the event's ticket types and its dates', the dates' named after them."""
    rows = (
        TicketType.select(TicketType.id, TicketType.name, Event.name, Event.parent)
        .join(Event)
        .where((Event.id == event.id) | (Event.parent == event.id), Event.deleted_at.is_null())
        .order_by(Event.parent.is_null(False), Event.start_date, TicketType.id)
    )
    return [(t.id, f"{t.event.name}: {t.name}" if t.event.parent_id else t.name) for t in rows]


def _live_question(event: Event, question_id: int) -> Question:
    for question in question_reads.questions_of([event.id]):
        if question.id == question_id:
            return question
    raise NotFound("Question not found", code="question_not_found")


def _typed(form: MultiDict[str, str]) -> dict[str, Any]:
    typed: dict[str, Any] = {name: form.get(name, "").strip() for name in _TEXT_FIELDS}
    typed["type"] = form.get("type", "")
    typed["options"] = form.get("options", "")
    typed["position"] = form.get("position", "").strip()
    typed["ticketTypeIds"] = form.getlist("ticketTypeIds")
    for name in _CHECKS:
        typed[name] = "on" if form.get(name) else ""
    return typed


def _typed_of(question: Question) -> dict[str, Any]:
    lines = []
    for option in question_reads.options_of(question):
        dutch = f" | {option.label_nl}" if option.label_nl else ""
        lines.append(f"{option.value} = {option.label}{dutch}")
    return {
        "type": question.kind,
        "label": question.label,
        "labelNl": question.label_nl,
        "helpText": question.help_text,
        "helpTextNl": question.help_text_nl,
        "position": str(question.position),
        "options": "\n".join(lines),
        "ticketTypeIds": [str(i) for i in question_reads.type_ids_of(question)],
        "required": "on" if question.required else "",
        "showOnTicket": "on" if question.show_on_ticket else "",
    }


def _body(typed: dict[str, Any], *, with_type: bool) -> dict[str, Any]:
    body: dict[str, Any] = {name: typed[name] for name in _TEXT_FIELDS}
    if with_type:
        body["type"] = typed["type"]
    if typed["position"]:
        body["position"] = typed["position"]
    body["ticketTypeIds"] = typed["ticketTypeIds"]
    body["options"] = _options(typed["options"])
    body["required"] = typed["required"] == "on"
    body["showOnTicket"] = typed["showOnTicket"] == "on"
    return body


def _options(text: str) -> list[dict[str, str]]:
    """``value = Label | Dutch label`` lines (value and Dutch optional) as request options."""
    options = []
    for line in text.splitlines():
        if not line.strip():
            continue
        value, _sep, rest = line.partition("=") if "=" in line else ("", "", line)
        label, _bar, dutch = rest.partition("|")
        option = {"label": label.strip(), "labelNl": dutch.strip()}
        if value.strip():
            option["value"] = value.strip()
        options.append(option)
    return options


def _validated(model: type[Any], body: dict[str, Any], errors: dict[str, str]) -> Any:
    try:
        return validate(model, body, "body")
    except ValidationFailed as failed:
        for detail in failed.details or []:
            where = detail["field"].removeprefix("body").lstrip(".")
            # "options.1.label" belongs beside the options' box.
            name, message = placed_problem(where.split(".")[0], detail["message"])
            errors.setdefault(name or "_form", message)
        return None


def _to_list(event: Event) -> Response:
    return cast(Response, redirect(url_for("console.event_questions", event_id=event.id)))

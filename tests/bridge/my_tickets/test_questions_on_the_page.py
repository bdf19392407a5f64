"""The seller's questions on the "my tickets" page (issue 19): asked beside the attendee's
name, in the page's language, with messages next to the fields and typed values kept."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from tests.bridge.html_dom import parse
from tests.bridge.my_tickets.support import attendee_form, get_page, tickets_of
from tp_api.models import TicketAnswer, TicketStatus
from tp_api.schemas.questions import QuestionCreate
from tp_api.services.events import questions


def _ask(seller, event, **fields):
    return questions.add_question(seller.id, str(event.id), QuestionCreate(**fields))


def _questions(seller, event):
    size = _ask(
        seller,
        event,
        type="choice",
        label="T-shirt size",
        label_nl="Shirtmaat",
        required=True,
        options=[{"label": "Small", "label_nl": "Klein"}, {"label": "Large", "label_nl": "Groot"}],
    )
    workshops = _ask(
        seller,
        event,
        type="multiple_choice",
        label="Workshops",
        options=[{"label": "Clay"}, {"label": "Glass"}],
    )
    born = _ask(seller, event, type="date", label="Date of birth", help_text="For the bar")
    photos = _ask(seller, event, type="yes_no", label="May we take photos?", required=True)
    return size, workshops, born, photos


def test_questions_are_asked_beside_the_name_with_labels_and_help(client, bought):
    seller, event, _outcome, refs, path = bought
    size, workshops, born, photos = _questions(seller, event)
    dom = get_page(client, path)
    ticket = dom.by_id(f"ticket-{refs[0]}")
    group = ticket.by_id(f"t-{refs[0]}-q{size.id}")
    assert group.tag == "fieldset" and group.select("legend")[0].text == "T-shirt size"
    radios = group.select("input")
    assert [(r.attrs["type"], r.attrs["value"]) for r in radios] == [
        ("radio", "small"),
        ("radio", "large"),
    ]
    assert [ticket.select("label", for_=r.attrs["id"])[0].text for r in radios] == [
        "Small",
        "Large",
    ]
    checks = ticket.by_id(f"t-{refs[0]}-q{workshops.id}").select("input")
    assert {c.attrs["type"] for c in checks} == {"checkbox"}
    assert "(optional)" in ticket.by_id(f"t-{refs[0]}-q{workshops.id}").text
    date = ticket.by_id(f"t-{refs[0]}-q{born.id}")
    assert date.attrs["type"] == "date"
    assert dom.by_id(date.attrs["aria-describedby"]).text == "For the bar"
    yes_no = ticket.by_id(f"t-{refs[0]}-q{photos.id}").select("label")
    assert [label.text for label in yes_no] == ["Yes", "No"]

    dutch = get_page(client, path + "?lang=nl")
    group = dutch.by_id(f"t-{refs[0]}-q{size.id}")
    assert group.select("legend")[0].text == "Shirtmaat"
    assert [dutch.select("label", for_=r.attrs["id"])[0].text for r in group.select("input")] == [
        "Klein",
        "Groot",
    ]
    assert "(niet verplicht)" in dutch.by_id(f"t-{refs[0]}-q{workshops.id}").text


def test_answers_are_saved_with_the_name_and_shown_read_only(client, bought):
    seller, event, outcome, refs, path = bought
    size, workshops, born, photos = _questions(seller, event)
    form = MultiDict()
    for ref in refs:
        for key, value in attendee_form(ref).items():
            form.add(key, value)
        form.add(f"{ref}-q{size.id}", "large")
        form.add(f"{ref}-q{photos.id}", "no")
    form.add(f"{refs[0]}-q{workshops.id}", "clay")
    form.add(f"{refs[0]}-q{workshops.id}", "glass")
    form.add(f"{refs[0]}-q{born.id}", "1990-05-17")
    response = client.post(f"{path}/events/{event.id}", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert {t.status for t in tickets_of(outcome.order_id)} == {TicketStatus.ACTIVE}
    assert TicketAnswer.select().count() == 6

    ticket = get_page(client, path).by_id(f"ticket-{refs[0]}")
    rows = {
        row.select("dt")[0].text: row.select("dd")[0].text
        for row in ticket.select(cls="tpmt-attendee__row")
    }
    assert rows["T-shirt size"] == "Large"
    assert rows["Workshops"] == "Clay, Glass"
    assert rows["Date of birth"] == "1990-05-17"
    assert rows["May we take photos?"] == "No"
    dutch = get_page(client, path + "?lang=nl").by_id(f"ticket-{refs[0]}")
    rows = {
        row.select("dt")[0].text: row.select("dd")[0].text
        for row in dutch.select(cls="tpmt-attendee__row")
    }
    assert rows["Shirtmaat"] == "Groot" and rows["May we take photos?"] == "Nee"


def test_a_missing_or_wrong_answer_is_said_next_to_its_field_and_typed_values_stay(client, bought):
    seller, event, outcome, refs, path = bought
    size, workshops, born, photos = _questions(seller, event)
    form = MultiDict(attendee_form(refs[0], first_name="Ada"))
    form.add(f"{refs[0]}-q{photos.id}", "yes")
    response = client.post(f"{path}/events/{event.id}", data=form)
    assert response.status_code == 400
    dom = parse(response.get_data(as_text=True))
    group = dom.by_id(f"t-{refs[0]}-q{size.id}")
    error = dom.by_id(f"t-{refs[0]}-q{size.id}-error")
    assert error.text.endswith("Answer this question") and error.parent is group
    assert f"t-{refs[0]}-q{size.id}-error" in group.attrs["aria-describedby"]
    # The summary links to the question.
    assert dom.select("a", href=f"#t-{refs[0]}-q{size.id}")
    # What was typed and picked is kept.
    assert dom.by_id(f"t-{refs[0]}-first_name").attrs["value"] == "Ada"
    picked = [
        i for i in dom.by_id(f"t-{refs[0]}-q{photos.id}").select("input") if "checked" in i.attrs
    ]
    assert [i.attrs["value"] for i in picked] == ["yes"]
    assert {t.status for t in tickets_of(outcome.order_id)} == {TicketStatus.CREATED}

    # The server's refusal of a date is put beside the date, in Dutch on a Dutch page.
    form.add(f"{refs[0]}-q{size.id}", "small")
    form.add(f"{refs[0]}-q{born.id}", "17 mei")
    response = client.post(f"{path}/events/{event.id}?lang=nl", data=form)
    assert response.status_code == 400
    dom = parse(response.get_data(as_text=True))
    assert dom.by_id(f"t-{refs[0]}-q{born.id}-error").text.endswith("Vul een datum in")
    assert dom.by_id(f"t-{refs[0]}-q{born.id}").attrs["value"] == "17 mei"

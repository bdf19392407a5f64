"""The seller's questions in a real browser (issue 19): a seller adds a choice question in
the console at phone and desktop width; a customer on a phone answers it on the "my
tickets" page, first forgetting it, in English and in Dutch; each page checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from config.tickets import my_tickets_links
from tests.browser.checks import assert_accessible, assert_axe_clean
from tests.browser.console_pages import photograph, sign_in
from tp_api.models import Question, Ticket, TicketAnswer, TicketStatus
from tp_api.schemas.questions import QuestionCreate
from tp_api.services.events import questions


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_a_seller_adds_a_question(live_server, open_page, screenshot, factory, staff_seller, kind):
    event = factory.event(staff_seller, name="Harbour Jazz")
    page = open_page(kind)
    sign_in(page, live_server, landing=f"/console/events/{event.id}")
    page.get_by_role("link", name="Questions").click()
    expect(page.get_by_role("heading", name="Questions", exact=True)).to_be_visible()
    page.get_by_label("Answer type").select_option("choice")
    page.get_by_label("Question", exact=True).fill("T-shirt size")
    page.get_by_label("Options").fill("Small")
    page.get_by_role("button", name="Add question").click()
    # One option is not a choice: said beside the options, what was typed kept.
    expect(page.locator("#options-error")).to_have_text(
        "A choice question needs at least two options"
    )
    expect(page.get_by_label("Question", exact=True)).to_have_value("T-shirt size")
    photograph(page, screenshot, "console-question-refused", kind)
    page.get_by_label("Options").fill("Small | Klein\nLarge | Groot")
    page.get_by_label("Question in Dutch").fill("Shirtmaat")
    page.get_by_label("An answer is required").check()
    page.get_by_role("button", name="Add question").click()
    expect(page.get_by_text("Question added: T-shirt size.")).to_be_visible()
    expect(page.get_by_role("row", name="T-shirt size")).to_be_visible()
    photograph(page, screenshot, "console-questions", kind)
    question = Question.get()
    assert question.required and question.label_nl == "Shirtmaat"


def test_a_customer_answers_on_a_phone_in_english_and_dutch(
    app, factory, settings, live_server, open_page, screenshot
):
    seller = factory.seller("Festival BV")
    event = factory.event(seller, name="Summer Festival 2026")
    size = questions.add_question(
        seller.id,
        str(event.id),
        QuestionCreate(
            type="choice",
            label="T-shirt size",
            label_nl="Shirtmaat",
            required=True,
            options=[
                {"label": "Small", "label_nl": "Klein"},
                {"label": "Large", "label_nl": "Groot"},
            ],
        ),
    )
    born = questions.add_question(
        seller.id,
        str(event.id),
        QuestionCreate(type="date", label="Date of birth", label_nl="Geboortedatum"),
    )
    outcome = factory.order(seller, factory.ticket_type(event), quantity=1, wp_user_id=7)
    [ticket] = Ticket.select().where(Ticket.order == outcome.order_id)
    ref = ticket.reference
    url = f"{live_server}/my-tickets/{my_tickets_links(settings).sign(seller.id, 7, 'nl')}"

    page = open_page("phone")
    page.goto(url)
    group = page.get_by_role("group", name="Shirtmaat")
    expect(group).to_be_visible()
    expect(page.get_by_text("(niet verplicht)")).to_be_visible()
    page.fill(f"#t-{ref}-first_name", "Ada")
    page.fill(f"#t-{ref}-last_name", "Lovelace")
    page.fill(f"#t-{ref}-email", "ada@example.com")
    page.fill(f"#t-{ref}-tel", "+31612345678")
    page.get_by_role("button").filter(has_text="Opslaan").first.click()
    page.wait_for_selector(".tpmt-error-summary")
    expect(page.locator(f"#t-{ref}-q{size.id}-error")).to_contain_text("Beantwoord deze vraag")
    expect(page.locator(f"#t-{ref}-first_name")).to_have_value("Ada")
    assert_accessible(page)
    assert_axe_clean(page)
    screenshot(page, "my-tickets-question-missing-nl-phone")

    # The summary's link leads to the question.
    page.locator(".tpmt-error-summary a").first.click()
    page.get_by_label("Groot").check()
    page.get_by_label("Geboortedatum").fill("1990-05-17")
    page.get_by_role("button").filter(has_text="Opslaan").first.click()
    page.wait_for_selector(".tpmt-notice--success")
    assert Ticket.get_by_id(ticket.id).status == TicketStatus.ACTIVE
    assert {a.question_id: a.value for a in TicketAnswer.select()} == {
        size.id: "large",
        born.id: "1990-05-17",
    }
    expect(page.locator(f"#ticket-{ref}")).to_contain_text("Groot")
    assert_axe_clean(page)

    page.goto(url + "?lang=en")
    expect(page.locator(f"#ticket-{ref}")).to_contain_text("T-shirt size")
    expect(page.locator(f"#ticket-{ref}")).to_contain_text("Large")
    assert_accessible(page)
    assert_axe_clean(page)
    screenshot(page, "my-tickets-answers-en-phone")

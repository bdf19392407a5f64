"""Answers the seller shows on the ticket are printed in the PDF (issue 19), in the order's
language; the others are not. Through a real SMTP server and the real renderer."""

from __future__ import annotations

from tests.sync.test_ticket_delivery import pdf_text, worker_for  # noqa: F401 - a fixture
from tp_api.models import Ticket
from tp_api.schemas.questions import QuestionCreate
from tp_api.services.events import questions
from tp_api.services.orders import personalise


def test_shown_answers_are_on_the_ticket_in_the_orders_language(factory, smtp, worker_for):  # noqa: F811
    controller, inbox = smtp
    seller = factory.seller("Festival BV")
    event = factory.event(seller, name="Zomerfestival")
    size = questions.add_question(
        seller.id,
        str(event.id),
        QuestionCreate(
            type="choice",
            label="T-shirt size",
            label_nl="Shirtmaat",
            options=[{"label": "Large", "label_nl": "Groot"}, {"label": "Small"}],
            show_on_ticket=True,
        ),
    )
    secret = questions.add_question(
        seller.id, str(event.id), QuestionCreate(type="text", label="Allergies")
    )
    outcome = factory.order(seller, factory.ticket_type(event), quantity=1, locale="nl_NL")
    [ticket] = Ticket.select().where(Ticket.order == outcome.order_id)
    body = {
        "tickets": [
            {
                "ticket_id": ticket.reference,
                "first_name": "Ada",
                "last_name": "Lovelace",
                "email": "ada@example.com",
                "tel": "+31600000000",
                "answers": {str(size.id): "large", str(secret.id): "Peanuts"},
            }
        ]
    }
    personalise.personalise_tickets(seller.id, event.id, wp_user_id=7, body=body)
    assert worker_for(controller.port).run_once() == 1
    text = pdf_text(inbox.messages[0])
    assert "Shirtmaat Groot" in text
    assert "Peanuts" not in text and "Allergies" not in text

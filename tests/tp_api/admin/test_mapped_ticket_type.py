"""A ticket type that a shop product sells cannot be removed: its product would keep selling."""

from __future__ import annotations

from tp_api.models import ProductMapping, TicketType


def test_removing_a_mapped_ticket_type_is_422_and_keeps_the_mapping(client, factory):
    owner, _shop, ticket_type = factory.shop()
    key = factory.api_key(owner)
    path = f"/api/v1/events/{ticket_type.event_id}/ticket-types/{ticket_type.id}"

    response = client.delete(path, headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "ticket_type_mapped"
    assert error["message"] == (
        "Cannot remove a ticket type that a shop product sells; disable it instead"
    )
    assert TicketType.get_or_none(TicketType.id == ticket_type.id) is not None
    assert ProductMapping.select().where(ProductMapping.ticket_type == ticket_type.id).count() == 1


def test_an_unmapped_unsold_ticket_type_is_still_removed(client, factory):
    owner, _shop, ticket_type = factory.shop()
    key = factory.api_key(owner)
    auth = {"Authorization": f"Bearer {key}"}
    added = client.post(
        f"/api/v1/events/{ticket_type.event_id}/ticket-types",
        json={"name": "Spare", "price": "10.00", "quantity": 5},
        headers=auth,
    )
    assert added.status_code == 201, added.get_data(as_text=True)
    spare_id = added.get_json()["id"]
    path = f"/api/v1/events/{ticket_type.event_id}/ticket-types/{spare_id}"

    response = client.delete(path, headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 204
    assert TicketType.get_or_none(TicketType.id == spare_id) is None

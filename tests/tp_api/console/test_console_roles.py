"""Console roles: owner (everything), manager (events, orders, shops), door (the door
screens). The console keeps people out of other pages, and the domain refuses the change
whichever surface asks."""

from __future__ import annotations

import pytest

from tests.admin_api import event_body
from tests.tp_api.console.support import page_text, post_form, sign_in
from tp_api.models import Event, EventLifecycle
from tp_api.schemas.events import EventCreate
from tp_api.services.actors import Actor, MissingScopes
from tp_api.services.events import event_admin, event_lifecycle


def _staff(client, factory, role: str):
    owner = factory.seller(f"{role.title()} BV")
    user = factory.staff(owner, email=f"{role}@example.com", role=role)
    signed = sign_in(client, user.email)
    return owner, signed


def test_door_staff_land_on_the_door_and_are_kept_out_of_the_rest(client, factory):
    owner, signed = _staff(client, factory, "door")
    assert signed.headers["Location"].endswith("/console/door")
    event = factory.event(owner, name="Harbour Jazz")
    door = client.get(f"/console/door/{event.id}")
    assert door.status_code == 200
    nav = page_text(door)
    assert "Door" in nav and "Scanners" in nav and "Events" not in nav and "Keys" not in nav
    for path in (
        "/console/events",
        f"/console/events/{event.id}/edit",
        "/console/orders",
        "/console/keys",
        "/console/audit",
    ):
        refused = client.get(path)
        assert refused.status_code == 403, path
        assert "Your role does not include this page." in page_text(refused)
    publish = post_form(
        client, f"/console/door/{event.id}", f"/console/events/{event.id}/publish", {}
    )
    assert publish.status_code == 403
    assert client.get("/console/scanners").status_code == 200


def test_managers_run_events_and_orders_but_not_keys_staff_or_the_trail(client, factory):
    owner, signed = _staff(client, factory, "manager")
    assert signed.headers["Location"].endswith("/console/events")
    event = factory.event(owner)
    assert client.get(f"/console/events/{event.id}/edit").status_code == 200
    assert client.get("/console/orders").status_code == 200
    assert client.get("/console/shops").status_code == 200
    for path in ("/console/keys", "/console/audit", "/console/webhooks"):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize("role", ["door"])
def test_the_domain_refuses_a_role_without_the_scope(factory, role):
    owner = factory.seller()
    event = factory.event(owner)
    door = Actor.staff(1, "door@example.com", role)
    with pytest.raises(MissingScopes) as refused:
        event_admin.create_event(owner.id, EventCreate.model_validate(event_body()), actor=door)
    assert refused.value.code == "missing_scopes" and refused.value.status == 403
    with pytest.raises(MissingScopes):
        event_lifecycle.cancel_event(owner.id, str(event.id), actor=door)
    assert Event.get_by_id(event.id).lifecycle == EventLifecycle.PUBLISHED
    assert Event.select().count() == 1


def test_a_key_without_the_scope_is_refused_by_the_domain_too(factory):
    owner = factory.seller()
    reader = Actor.api_key(5, "Reader", frozenset({"events:read"}))
    with pytest.raises(MissingScopes) as refused:
        event_admin.create_event(owner.id, EventCreate.model_validate(event_body()), actor=reader)
    assert "This key may not do this: it lacks events:write" in refused.value.message


def test_an_unknown_role_is_refused(factory):
    from tp_api.services.credentials import staff_auth
    from tp_api.services.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        staff_auth.create_staff(
            factory.seller().id, "x@example.com", "a long enough password", role="boss"
        )
    assert refused.value.code == "unknown_role"

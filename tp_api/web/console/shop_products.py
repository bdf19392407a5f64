"""A shop's products in the console, read from the shop: search them, page through them,
open a variable product's variations, and map each to a ticket type (or unmap it) in two
clicks, with the shop's stock beside what we can still sell. The ticket types offered are
narrowed by a few typed words (``find``), so every one of thousands can be reached."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for

from bridge.adapters.base import ShopError, ShopProduct
from bridge.adapters.factory import adapter_for
from bridge.adapters.mapping import SKU_PREFIX
from tp_api.services.errors import TicketingError
from tp_api.services.shops import connections
from tp_api.web.console import MAX_ID, account_id, actor, bp, type_picker
from tp_api.web.languages import _, translated
from tp_api.web.parts import parts

PER_PAGE = 20


@bp.get("/shops/<int:shop_id>/products")
def shop_products(shop_id: int) -> str:
    """One page of the shop's products (or one product's variations) with their mapping."""
    shop = connections.shop_of(account_id(), shop_id)
    where = _where()
    products: list[ShopProduct] = []
    problem = None
    adapter = adapter_for(connections.connection(parts().secret_box, shop), interactive=True)
    try:
        if where["product"]:
            products = adapter.list_variations(where["product"])
        else:
            products = adapter.list_products(
                search=where["search"], page=where["page"], per_page=PER_PAGE
            )
    except ShopError as error:
        problem = str(error)
    mapped = connections.mappings(shop.id)
    return render_template(
        "console/shop_products.html",
        shop=shop,
        products=products,
        problem=problem,
        mapped=mapped,
        picker=type_picker.find_ticket_types(account_id(), where["find"]),
        choice_of=type_picker.ticket_types_by_id(account_id(), mapped.values()),
        where=where,
        more=len(products) == PER_PAGE and not where["product"],
    )


@bp.post("/shops/<int:shop_id>/products/map")
def shop_product_map(shop_id: int) -> Response:
    """Sell a ticket type through a shop product (or one variation)."""
    shop = connections.shop_of(account_id(), shop_id)
    product_id, variation_id = _item()
    type_id = request.form.get("ticket_type_id", type=int)
    try:
        if type_id is None:
            raise TicketingError("Choose the ticket type it sells")
        connections.map_product(
            shop, product_id=product_id, variation_id=variation_id, ticket_type_id=type_id,
            actor=actor(), sync_now=True,
        )  # fmt: skip
    except TicketingError as error:
        flash(translated(error.message), "problem")
    else:
        flash(_("Mapped. A sync of the shop is queued: it sets the product's stock to ours."))
    return _back(shop_id)


@bp.post("/shops/<int:shop_id>/products/create")
def shop_product_create(shop_id: int) -> Response:
    """Make a product in the shop for a ticket type (virtual, stock managed, SKU
    ``tp-<id>``) and map it: its stock is then ours."""
    shop = connections.shop_of(account_id(), shop_id)
    type_id = request.form.get("ticket_type_id", type=int)
    found = type_picker.ticket_type_choice(account_id(), type_id) if type_id else None
    if found is None:
        flash(_("Choose the ticket type the new product sells."), "problem")
        return _back(shop_id)
    actor().require("shops:write")
    choice, ticket_type = found
    adapter = adapter_for(connections.connection(parts().secret_box, shop), interactive=True)
    try:
        made = adapter.create_product(
            choice.label, f"{SKU_PREFIX}{choice.id}", ticket_type.price_cents, choice.left
        )
    except ShopError as error:
        flash(_("The shop did not make the product: %(problem)s", problem=str(error)), "problem")
        return _back(shop_id)
    connections.map_product(shop, product_id=made.id, ticket_type_id=choice.id, actor=actor())
    flash(
        _(
            "Made “%(name)s” in the shop (product %(id)s) and mapped it.",
            name=made.name,
            id=made.id,
        )
    )
    return _back(shop_id)


@bp.post("/shops/<int:shop_id>/products/unmap")
def shop_product_unmap(shop_id: int) -> Response:
    """Stop selling our tickets through a shop product."""
    shop = connections.shop_of(account_id(), shop_id)
    product_id, variation_id = _item()
    connections.unmap_product(shop, product_id=product_id, variation_id=variation_id, actor=actor())
    flash(_("Unmapped: its stock is no longer set by us, and its orders arrive unmapped."))
    return _back(shop_id)


def _where() -> dict[str, Any]:
    args = request.values
    page = args.get("page", type=int) or 1
    product = args.get("product", type=int) or 0
    return {
        "search": args.get("search", "").strip()[:100],
        "page": min(max(page, 1), 10_000),
        "product": product if 0 < product <= MAX_ID else 0,
        # Words that narrow the ticket types offered (kept while mapping, paging, searching).
        "find": args.get("find", "").strip()[:100],
    }


def _item() -> tuple[int, int]:
    product_id = request.form.get("product_id", type=int) or 0
    variation_id = request.form.get("variation_id", type=int) or 0
    if not 0 < product_id <= MAX_ID or not 0 <= variation_id <= MAX_ID:
        raise TicketingError("Not a shop product", code="invalid_product")
    return product_id, variation_id


def _back(shop_id: int) -> Response:
    where = {k: v for k, v in _where().items() if v and not (k == "page" and v == 1)}
    target = url_for("console.shop_products", shop_id=shop_id, **where)
    return redirect(target)  # type: ignore[return-value]

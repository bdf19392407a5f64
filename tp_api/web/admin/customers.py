"""Customers: ``/api/v1/customers`` and the streamed CSV export."""

from __future__ import annotations

from flask import Response, g, stream_with_context

from tp_api.schemas.orders import CustomerList, CustomerListQuery
from tp_api.services.admin_render import customer_out
from tp_api.services.customers import listing
from tp_api.web.admin import bp
from tp_api.web.api_routes import operation

READ = ("customers:read",)


@operation(
    bp,
    "/customers",
    "GET",
    summary="List customers",
    tag="Customers",
    scopes=READ,
    query=CustomerListQuery,
    response=CustomerList,
    errors=(400,),
)
def list_customers(query: CustomerListQuery) -> CustomerList:
    """People who ordered, by e-mail, with their latest orders."""
    page = listing.list_customers(
        g.caller.account_id, search=query.search, limit=query.limit, cursor=query.cursor
    )
    return CustomerList(
        items=[customer_out(c) for c in page.customers], next_cursor=page.next_cursor
    )


@operation(
    bp,
    "/customers/export",
    "GET",
    summary="Export customers as CSV",
    tag="Customers",
    scopes=READ,
    response_media="text/csv",
)
def export_customers() -> Response:
    """Every customer as CSV, streamed in batches (flat memory for any size)."""
    chunks = listing.export_customers_csv(g.caller.account_id)
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="customers.csv"'},
    )

"""The admin API's request and response schemas (pydantic).

The same classes validate requests (tp_api.web.api_routes) and generate the OpenAPI
document (tp_api.web.openapi), so the two cannot drift apart. Nothing here imports the
rest of the project.
"""

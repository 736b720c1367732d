"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``."""

from __future__ import annotations

MAX_LIMIT = 500


def _query(name, description, schema=None, explode=None):
    param = {"name": name, "in": "query", "required": False, "description": description,
             "schema": schema or {"type": "string"}}
    if explode is not None:
        param["explode"] = explode
    return param


FILTERS = [
    _query("category", "Category slugs, comma-separated (a report in any of them matches). "
           "An unknown slug is a 400."),
    _query("since", "Reports that happened on or after this date.", {"type": "string", "format": "date"}),
    _query("until", "Reports that happened on or before this date.", {"type": "string", "format": "date"}),
    _query("bbox", "west,south,east,north in degrees (WGS 84); reports whose public (blurred) "
           "point lies inside.", {"type": "string", "pattern": r"^-?[\d.]+,-?[\d.]+,-?[\d.]+,-?[\d.]+$"}),
    _query("region", "A region id of the gazetteer, e.g. baku."),
    _query("verified", "Only verified (true) or unverified (false) reports.",
           {"type": "string", "enum": ["true", "false", "1", "0"]}),
]
LANG = _query("lang", "Language of category, place and region names.",
              {"type": "string", "enum": ["az", "ru", "en"], "default": "en"})

ERROR = {"$ref": "#/components/responses/BadRequest"}
NOT_MODIFIED = {"description": "Not modified since the ETag / date the client sent."}
CONDITIONAL = [
    {"name": "If-None-Match", "in": "header", "required": False, "schema": {"type": "string"}},
    {"name": "If-Modified-Since", "in": "header", "required": False, "schema": {"type": "string"}},
]
HEADERS = {
    "ETag": {"schema": {"type": "string"}},
    "Last-Modified": {"schema": {"type": "string"}},
    "Access-Control-Allow-Origin": {"schema": {"type": "string", "const": "*"}},
}

# A count below ``min_count`` is null with ``suppressed: true`` (it could point at one woman).
COUNT_LIST = {"type": "array", "items": {"type": "object",
              "required": ["key", "label", "count", "suppressed"],
              "properties": {"key": {"type": ["string", "null"]}, "label": {"type": ["string", "null"]},
                             "count": {"type": ["integer", "null"]},
                             "suppressed": {"type": "boolean"}}}}

SCHEMAS = {
    "Report": {
        "type": "object",
        "description": "The public fields of a published report. Exact coordinates, contact details, "
                       "the original story and moderators' notes are never published.",
        "required": ["id", "title", "occurred_on", "categories", "verified"],
        "properties": {
            "id": {"type": "string", "description": "Random public id (also in /reports/{id})."},
            "title": {"type": "string"},
            "story": {"type": ["string", "null"],
                      "description": "The moderator-redacted story, only when the reporter consented."},
            "occurred_on": {"type": "string", "format": "date"},
            "published_at": {"type": ["string", "null"], "format": "date-time"},
            "categories": {"type": "array", "items": {"type": "string"}},
            "category_names": {"type": "array", "items": {"type": "string"}},
            "verified": {"type": "boolean"},
            "place": {"type": ["string", "null"]},
            "region": {"type": ["string", "null"]},
            "region_id": {"type": ["string", "null"]},
            "lat": {"type": ["number", "null"], "description": "Blurred public latitude."},
            "lon": {"type": ["number", "null"], "description": "Blurred public longitude."},
            "source_channel": {"type": "string"},
        },
    },
    "ReportPage": {
        "type": "object",
        "required": ["reports", "count", "next_cursor", "next"],
        "properties": {
            "reports": {"type": "array", "items": {"$ref": "#/components/schemas/Report"}},
            "count": {"type": "integer"},
            "next_cursor": {"type": ["string", "null"],
                            "description": "Pass as cursor= for the next page; null on the last page."},
            "next": {"type": ["string", "null"], "format": "uri"},
        },
    },
    "Category": {
        "type": "object",
        "required": ["slug", "name", "colour"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "object", "properties": {"az": {"type": "string"}, "ru": {"type": "string"},
                                                      "en": {"type": "string"}}},
            "colour": {"type": "string"},
            "parent": {"type": ["string", "null"]},
        },
    },
    "Statistics": {
        "type": "object",
        "required": ["min_count", "total", "verified", "verified_share"],
        "properties": {
            "min_count": {"type": "integer", "description": "counts below it are null (suppressed)"},
            "total": {"type": ["integer", "null"]},
            "verified": {"type": ["integer", "null"]},
            "verified_share": {"type": ["number", "null"]},
            "by_category": COUNT_LIST,
            "by_region": COUNT_LIST,
            "by_month": COUNT_LIST,
            "by_channel": COUNT_LIST,
        },
    },
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
    },
}


def _ok(description, schema_ref):
    return {"description": description, "headers": HEADERS,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


def document(server_url: str = "") -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sesim public API",
            "version": "1.0.0",
            "description": "Read-only access to published reports of harassment (public fields only), "
                           "their categories and statistics. Open to any origin (CORS). Responses carry "
                           "an ETag and, where known, Last-Modified; send If-None-Match or "
                           "If-Modified-Since to get 304 Not Modified.",
        },
        "servers": [{"url": f"{server_url}/api/v1"}],
        "paths": {
            "/reports": {"get": {
                "summary": "Published reports, newest first, cursor-paged.",
                "operationId": "listReports",
                "parameters": [
                    *FILTERS, LANG,
                    _query("limit", f"Page size, 1 to {MAX_LIMIT} (default 50). A larger value is a 400.",
                           {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50}),
                    _query("cursor", "Opaque cursor from next_cursor of the previous page (valid one week "
                           "and only with the same filters)."),
                    *CONDITIONAL,
                ],
                "responses": {"200": _ok("One page of reports.", "ReportPage"), "304": NOT_MODIFIED,
                              "400": ERROR},
            }},
            "/categories": {"get": {
                "summary": "Active categories with their names in every language.",
                "operationId": "listCategories",
                "parameters": CONDITIONAL,
                "responses": {"200": {"description": "Categories.", "headers": HEADERS, "content": {
                    "application/json": {"schema": {"type": "object", "properties": {"categories": {
                        "type": "array", "items": {"$ref": "#/components/schemas/Category"}}}}}}},
                    "304": NOT_MODIFIED},
            }},
            "/stats": {"get": {
                "summary": "Counts of published reports by category, region, month and channel.",
                "operationId": "getStatistics",
                "parameters": [*FILTERS, LANG, *CONDITIONAL],
                "responses": {"200": _ok("Statistics.", "Statistics"), "304": NOT_MODIFIED, "400": ERROR},
            }},
            "/openapi.json": {"get": {
                "summary": "This document.",
                "operationId": "getOpenAPI",
                "responses": {"200": {"description": "OpenAPI 3.1 document.",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}},
            }},
        },
        "components": {
            "schemas": SCHEMAS,
            "responses": {"BadRequest": {
                "description": "A malformed filter, cursor or page size; error says which.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }},
        },
    }

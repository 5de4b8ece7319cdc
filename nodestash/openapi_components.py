"""Schema components for the envelope shapes; plain data, so settings can import it."""

OPENAPI_COMPONENTS = {
    "Meta": {
        "type": "object",
        "required": ["request_id"],
        "properties": {"request_id": {"type": "string", "example": "req_6Xv0c4mC8N2tqLrPz1Ya9BfK"}},
    },
    "ListMeta": {
        "type": "object",
        "required": ["request_id", "pagination"],
        "properties": {
            "request_id": {"type": "string"},
            "pagination": {
                "type": "object",
                "required": ["next_cursor", "has_more"],
                "properties": {"next_cursor": {"type": "string", "nullable": True}, "has_more": {"type": "boolean"}},
            },
        },
    },
    "ErrorEnvelope": {
        "type": "object",
        "required": ["error", "meta"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "details": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "field": {"type": "string", "nullable": True},
                                "message": {"type": "string"},
                            },
                        },
                    },
                    "retry_after": {"type": "integer"},
                    "upgrade_url": {"type": "string"},
                    "required_scope": {"type": "string"},
                },
            },
            "meta": {"$ref": "#/components/schemas/Meta"},
        },
    },
}

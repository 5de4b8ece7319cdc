"""Idempotent writes (contract §7): `Idempotency-Key` on POST, PATCH and PUT.

- `models`: the stored key, its request fingerprint and the response to replay.
- `requests`: reading the header and fingerprinting a request.
- `services`: claim a key (before the view runs), complete or release it, purge expired ones.
- `views`: the mixin that hooks this into DRF views after auth, scope and throttles.
- `openapi`: the header's entry in the OpenAPI schema.
See docs/idempotency.md.
"""

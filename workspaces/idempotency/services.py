"""Claim, complete, release and purge idempotency keys.

The claim is a unique-constraint insert in its own committed transaction, made before the view
runs: a parallel duplicate (another thread, process or host) fails that insert and sees the
claim. Nothing here runs inside the view's transaction, so the claim is visible at once and a
failed view cannot roll it back.
"""

import logging
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from nodestash.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from workspaces.idempotency.models import IdempotencyKey

logger = logging.getLogger("nodestash.idempotency")

KEY_TTL = timedelta(hours=24)
# A claim still open after this long belongs to a request that died (worker killed, host lost):
# a retry may take it over instead of getting IDEMPOTENCY_KEY_IN_USE until the key expires.
ABANDONED_CLAIM_AFTER = timedelta(minutes=5)
CLAIM_ATTEMPTS = 3


def response_is_stored(status: int) -> bool:
    """Contract §7: ≥ 500, 401, 403 and 429 are not stored, so a retry can succeed."""
    return status < 500 and status not in (401, 403, 429)


def idempotency_claim(*, workspace, key: str, fingerprint: str) -> IdempotencyKey:
    """Claim `key` for this request, or return the completed entry to replay.

    Raises IdempotencyKeyReused for a different request under the same key and
    IdempotencyKeyInUse while the first request is still running.
    """
    for _ in range(CLAIM_ATTEMPTS):
        now = timezone.now()
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    workspace=workspace, key=key, fingerprint=fingerprint, claimed_at=now, expires_at=now + KEY_TTL
                )
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(workspace=workspace, key=key).first()
        if existing is None:  # released or purged in between: claim again
            continue
        if existing.expires_at <= now:  # an expired entry is no entry
            IdempotencyKey.objects.filter(pk=existing.pk, expires_at__lte=now).delete()
            continue
        if existing.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if existing.is_complete or idempotency_take_over(existing, now):
            return existing
        raise IdempotencyKeyInUse()
    raise IdempotencyKeyInUse()


def idempotency_take_over(entry: IdempotencyKey, now) -> bool:
    """Take over an abandoned claim; the conditional update lets only one retry win it."""
    if entry.claimed_at > now - ABANDONED_CLAIM_AFTER:
        return False
    taken = IdempotencyKey.objects.filter(
        pk=entry.pk, response_status__isnull=True, claimed_at=entry.claimed_at
    ).update(claimed_at=now, expires_at=now + KEY_TTL)
    entry.claimed_at = now
    return taken == 1


def idempotency_complete(*, entry: IdempotencyKey, status: int, body, headers: dict[str, str]) -> None:
    """Store the response for replays, or release the claim when the contract says not to."""
    try:
        if not response_is_stored(status):
            entry.delete()
            return
        entry.response_status = status
        entry.response_body = body
        entry.response_headers = headers
        entry.save(update_fields=["response_status", "response_body", "response_headers", "updated_at"])
    except DatabaseError:
        # The response still goes out; the open claim is taken over after ABANDONED_CLAIM_AFTER.
        logger.exception("could not record the response for idempotency key %s", entry.pk)


def idempotency_purge_expired(*, now=None) -> int:
    """Delete expired entries of every workspace (a maintenance job, deliberately unscoped)."""
    deleted, _ = IdempotencyKey.unscoped.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted

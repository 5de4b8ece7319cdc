"""Writes for activities: `completed_at` follows `is_done`, and `metadata` merges on update.

Invariant: an activity is done exactly when it has a `completed_at`. Turning `is_done` on
sets it to now unless the client gives one; turning it off clears it.
"""

import json

from django.db import transaction
from django.utils import timezone

from crm.models import Activity
from crm.models.activities import METADATA_MAX_BYTES
from nodestash.errors import validation_error

UNSET = object()


def metadata_size(metadata: dict) -> int:
    """Bytes of the compact UTF-8 JSON text: what the limit of 16 KiB applies to."""
    return len(json.dumps(metadata, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def metadata_merge(current: dict, changes: dict | None) -> dict:
    """One level deep: given keys replace, `null` removes a key, `metadata: null` clears all."""
    if changes is None:
        return {}
    merged = {**current, **changes}
    merged = {key: value for key, value in merged.items() if value is not None}
    if metadata_size(merged) > METADATA_MAX_BYTES:
        raise validation_error("metadata", f"metadata must be at most {METADATA_MAX_BYTES} bytes as JSON.")
    return merged


def _completed_at(*, was_done: bool, is_done: bool, current, given=UNSET):
    if not is_done:
        if given not in (UNSET, None):
            raise validation_error("completed_at", "completed_at can only be set on an activity that is done.")
        return None
    if given is None:
        raise validation_error("completed_at", "A done activity keeps its completed_at; set is_done false instead.")
    if given is not UNSET:
        return given
    return current if was_done else timezone.now()


@transaction.atomic
def activity_create(*, workspace, is_done: bool = False, metadata: dict | None = None, **fields) -> Activity:
    given = fields.pop("completed_at", UNSET)
    completed_at = _completed_at(was_done=False, is_done=is_done, current=None, given=given)
    return Activity.unscoped.create(
        workspace=workspace,
        is_done=is_done,
        completed_at=completed_at,
        metadata=metadata_merge({}, metadata or {}),
        **fields,
    )


STATEFUL_FIELDS = ("metadata", "is_done", "completed_at")


def _refresh_locked(activity: Activity) -> None:
    """Re-read the fields an update derives from under a row lock, so two concurrent metadata
    merges (or done/undone flips) apply one after the other instead of losing a change."""
    locked = Activity.unscoped.select_for_update().filter(pk=activity.pk).values(*STATEFUL_FIELDS).first()
    if locked is not None:  # deleted meanwhile: the save below answers 404
        for name, value in locked.items():
            setattr(activity, name, value)


@transaction.atomic
def activity_update(*, activity: Activity, **changes) -> Activity:
    if any(name in changes for name in STATEFUL_FIELDS):
        _refresh_locked(activity)
    if "metadata" in changes:
        changes["metadata"] = metadata_merge(activity.metadata, changes["metadata"])
    if "is_done" in changes or "completed_at" in changes:
        changes["completed_at"] = _completed_at(
            was_done=activity.is_done,
            is_done=changes.get("is_done", activity.is_done),
            current=activity.completed_at,
            given=changes.get("completed_at", UNSET),
        )
    activity.save(update_fields=activity.assign(changes))
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity) -> None:
    activity.delete()

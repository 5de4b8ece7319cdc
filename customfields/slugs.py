"""Definition slugs: the rule (`^[a-z][a-z0-9_]*$`, ≤ 100) and generation from a name."""

import re

from django.utils.text import slugify

SLUG_MAX = 100
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]*\Z")
DIGIT_PREFIX = "f_"


def slug_from_name(name: str) -> str:
    """ "Lead score (0-100)" → "lead_score_0_100", "2nd phone" → "f_2nd_phone";
    "" when the name has no letters or digits to build one from."""
    slug = re.sub(r"[-_]+", "_", slugify(name)).strip("_")
    if slug[:1].isdigit():
        slug = DIGIT_PREFIX + slug
    slug = slug[:SLUG_MAX].rstrip("_")
    return slug if SLUG_PATTERN.fullmatch(slug) else ""

"""Normalized forms of emails and company domains (contract §8).

Stored values are always normalized, so the per-workspace unique constraints on `email`
and `domain` hold on the normalized form and filters compare like with like.
"""

import re

EMAIL_MAX_LENGTH = 254
DOMAIN_MAX_LENGTH = 255
HOSTNAME_MAX_LENGTH = 253  # the DNS limit for a name without its trailing dot

SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://")
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class InvalidDomain(ValueError):
    """The value cannot be read as a domain name; the message is fit for a client."""


def normalize_email(value: str) -> str:
    return value.strip().lower()


def normalize_domain(value: str) -> str:
    """`HTTPS://www.Acme.com/about?x` → `acme.com`: lower-cased; scheme, `www.`, path,
    query, fragment and trailing dot removed; internationalized names as punycode."""
    domain = SCHEME.sub("", value.strip().lower())
    domain = re.split(r"[/?#]", domain, maxsplit=1)[0].rstrip(".")
    if domain.startswith("www.") and "." in domain[4:]:
        domain = domain[4:]
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InvalidDomain("Enter a valid domain name, e.g. 'acme.com'.") from None
    labels = domain.split(".")
    if (
        len(domain) > HOSTNAME_MAX_LENGTH
        or len(labels) < 2
        or not all(LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidDomain("Enter a valid domain name, e.g. 'acme.com'.")
    return domain

"""Body field types shared by CRM serializers."""

from rest_framework import serializers

from crm.normalization import DOMAIN_MAX_LENGTH, EMAIL_MAX_LENGTH, InvalidDomain, normalize_domain, normalize_email


class OptionalTextField(serializers.CharField):
    """Optional text: trimmed, `null` clears it, and blank text is stored as null (never '')."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        return super().run_validation(data) or None


class OptionalEmailField(OptionalTextField, serializers.EmailField):
    """Validated, then trimmed and lower-cased (the form the uniqueness rule applies to)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return normalize_email(super().to_internal_value(data))


class OptionalDomainField(OptionalTextField):
    """A domain or URL, stored as the bare lower-cased domain (`https://www.Acme.com/x` → `acme.com`)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", DOMAIN_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        # DRF checks max_length on the returned (normalized) value; the limit is on what was sent.
        if len(value) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        try:
            return normalize_domain(value)
        except InvalidDomain as error:
            raise serializers.ValidationError(str(error)) from None

"""Accounts serializers: every field named; input and output kept apart."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db.models import Q

from ngo_cases.api import serializers

from .models import ApiToken, Language, Organisation, Team, User, validate_time_zone


class LoginInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    device = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", help_text="A name for this device or client."
    )


class LoginOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()
    scope = serializers.ChoiceField(choices=["full", "mfa_enrolment"])


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "slug", "org_type", "region", "is_home"]
        read_only_fields = fields


class TeamBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]
        read_only_fields = fields


class MeOutputSerializer(serializers.ModelSerializer):
    organisation = OrganisationBriefSerializer(read_only=True)
    teams = TeamBriefSerializer(many=True, read_only=True)
    mfa_enrolled = serializers.SerializerMethodField()
    email = serializers.CharField(read_only=True, help_text="May be empty.")  # not format=email: "" is allowed
    can_break_glass = serializers.SerializerMethodField(
        help_text="You may open a case outside your assignments for a limited time (POST /cases/break-glass)."
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "organisation",
            "teams",
            "language",
            "time_zone",
            "email_digest",
            "mfa_enrolled",
            "can_break_glass",
        ]
        read_only_fields = fields

    def get_can_break_glass(self, user: User) -> bool:
        """The break-glass model permission, held directly or through a group (one query)."""
        held = Q(user=user.pk) | Q(group__user=user.pk)
        return Permission.objects.filter(held, content_type__app_label="cases", codename="break_glass_case").exists()

    def get_mfa_enrolled(self, user: User) -> bool:
        from .services import user_has_mfa

        return user_has_mfa(user)


class MeUpdateSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    time_zone = serializers.CharField(max_length=64, required=False, validators=[validate_time_zone])
    email_digest = serializers.BooleanField(required=False)


class TokenOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    current = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "device", "created", "expiry", "current"]
        read_only_fields = fields

    def get_current(self, token: ApiToken) -> bool:
        request = self.context.get("request")
        auth = getattr(request, "auth", None)
        return isinstance(auth, ApiToken) and auth.digest == token.digest


class OtpInputSerializer(serializers.Serializer):
    otp = serializers.CharField(max_length=32)


class TotpEnrolmentOutputSerializer(serializers.Serializer):
    otpauth_uri = serializers.CharField()
    secret = serializers.CharField()
    qr_code = serializers.CharField(help_text="The otpauth URI as a QR code: an SVG image as a data: URI.")


class RecoveryCodesOutputSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(child=serializers.CharField())


class MfaStatusOutputSerializer(serializers.Serializer):
    enrolled = serializers.BooleanField()
    # Not "required": that name is an attribute of every DRF field.
    enforced = serializers.BooleanField(help_text="MFA is required for every account (NGO_MFA_REQUIRED).")
    recovery_codes_left = serializers.IntegerField()

from __future__ import annotations

from typing import Any

from cases.serializers import SealedTextField, TextField
from ngo_cases.api import serializers
from ngo_cases.uploads import FileKind

from .models import Category


class AttachmentUploadSerializer(serializers.Serializer):
    """The multipart form of an upload: the file in the part named ``file``."""

    file = serializers.FileField(
        help_text="PDF, JPEG, PNG or WebP; the kind is decided from the content. Images are re-encoded "
        "without their metadata (EXIF, GPS)."
    )
    category = serializers.ChoiceField(choices=Category.choices)
    description = TextField(max_length=2000, required=False, allow_blank=True, default="")


class CaseAttachmentUploadSerializer(AttachmentUploadSerializer):
    note = serializers.UUIDField(required=False, allow_null=True, help_text="A note of this case it belongs to.")
    milestone = serializers.UUIDField(required=False, allow_null=True)
    follow_up = serializers.UUIDField(required=False, allow_null=True)


class AttachmentSerializer(serializers.Serializer):
    """An attachment's metadata; its content is at ``download_url``."""

    id = serializers.UUIDField()
    survivor = serializers.UUIDField(source="survivor_id")
    case = serializers.UUIDField(source="case_id", allow_null=True)
    note = serializers.UUIDField(source="note_id", allow_null=True)
    milestone = serializers.UUIDField(source="milestone_id", allow_null=True)
    follow_up = serializers.UUIDField(source="follow_up_id", allow_null=True)
    category = serializers.ChoiceField(choices=Category.choices)
    file_kind = serializers.ChoiceField(choices=FileKind.choices)
    size = serializers.IntegerField(help_text="Bytes, as stored (an image after re-encoding).")
    name = SealedTextField(help_text="The file name; null once the survivor was erased.")
    content_type = SealedTextField()
    description = SealedTextField()
    created_by = serializers.UUIDField(source="created_by_id")
    created_at = serializers.DateTimeField()
    version = serializers.IntegerField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, attachment: Any) -> str:
        return str(self.context["view"].download_url(attachment))

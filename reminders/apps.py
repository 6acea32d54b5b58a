from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    """Reminders and escalations: planned from the data, dispatched by beat,
    delivered in the app and by email (case reference and a link only)."""

    name = "reminders"
    verbose_name = _("Reminders")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from notifications import texts as notification_texts

        from . import signals, texts

        post_migrate.connect(signals.install_schedule, sender=self)
        notification_texts.register("reminder", texts.reminder)

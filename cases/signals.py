"""Events of the cases domain that other apps act on, sent inside the
writing transaction so that what they do commits or rolls back with it.

The referrals app withdraws a recipient's access when the consent behind it
is revoked or the survivor is erased; cases does not import referrals.
"""

from __future__ import annotations

from django.dispatch import Signal

# consent_revoked.send(sender=Consent, consent=<Consent>, acting_user=<User>)
consent_revoked = Signal()
# survivor_erased.send(sender=Survivor, survivor=<Survivor>, acting_user=<User>)
survivor_erased = Signal()

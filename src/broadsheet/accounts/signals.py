"""What an account's owner may ask of every app that stores something about them.

The reader-facing pages send these; apps above them (notifications, for one) answer, so the
pages need not know every app that keeps personal data.
"""

from django.dispatch import Signal

# Sent with ``user``; a receiver returns ``(name, data)`` to add a JSON-ready section to the
# reader's data download.
personal_data_requested = Signal()

# Sent with ``user`` and ``addresses`` (every address of the account) inside the deletion's
# transaction, before the account row goes: a receiver erases what it keeps of them.
account_erasing = Signal()

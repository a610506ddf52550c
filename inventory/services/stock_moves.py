"""Stock history: why stock on hand changed, for the `StockMove` rows.

Every change of stock on hand writes one `StockMove` per product and outlet it
changes, in the statement that changes it (`inventory.sql.stock_apply`) or, for
a count set by hand, next to it (`stock_set`). A service says why with a
`MoveCause`, which it gives to `UnitEffects` (reason required) or builds here:

    effects = UnitEffects(reason=StockMoveReason.SOLD, user=clerk, document=sale)

No move is written where on hand does not change.
"""

import unicodedata

from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models

from inventory.models import StockMove, StockMoveReason
from inventory.sql import MoveCause

NOTE_LENGTH = StockMove._meta.get_field("note").max_length or 200


def move_cause(
    *,
    reason: StockMoveReason,
    user: User | None,
    document: models.Model | None = None,
    note: str = "",
) -> MoveCause:
    """The cause of a stock move: the reason, who, the document behind it and a note.

    The note is one line without control characters, trimmed to what the row holds.
    """
    if reason not in StockMoveReason.values:
        raise ValueError(f"Unknown stock move reason: {reason!r}")
    document_type_id = document_id = None
    if document is not None:
        document_type_id = ContentType.objects.get_for_model(document).pk
        document_id = document.pk
    return MoveCause(
        reason=str(reason),
        user_id=user.pk if user is not None else None,
        document_type_id=document_type_id,
        document_id=document_id,
        note=_one_line(note)[:NOTE_LENGTH],
    )


def _one_line(text: str) -> str:
    visible = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(visible.split())

"""UnitEffects: what the units a service changes do to stock and to the unit counts.

A service that changes units makes one collector, hands it to every change it
makes (`serials_change(..., effects=effects)`, `serials_record_sold`, a nested
`sale_create`), and calls `effects.apply()` once, last, in its transaction:

    effects = UnitEffects(reason=StockMoveReason.SOLD, user=clerk, document=sale)
    serials_change(serials=locked, ..., effects=effects)
    effects.apply()

`reason`, `user` (None for the system), `document` (the sale, return, claim
or order behind it, optional) and `note` are the stock history: each product
and outlet whose on hand the units change gets one `StockMove` row saying so,
written with the change (`inventory.sql.stock_apply`); none where on hand stays
the same. A nested collector keeps its own cause for the stock it changes (a
claim's replacement sale is Sold, on that sale).

Each change of a unit is noted once, as where it was and where it is now
((outlet, status), or None for a unit that is new or gone), and both of its
effects come from that one note:

- stock on hand (the stock policy, docs/architecture.md): a unit leaving In
  stock takes one off its outlet's count, a unit arriving In stock adds one
  where it arrives, a unit first recorded as it left (Sold at a sale) comes off
  only units counted without a serial; products without serial numbers note
  their quantity sold;
- SerialTally: one off the count it was in, one on the count it is in.

`apply` takes its locks in the one order every path takes them, after the
units the caller has locked: stock rows in (product, outlet) order
(`inventory.sql.stock_apply`), then tally rows in (product, outlet, status)
order (`inventory.sql.serial_tally_apply`); so two services changing units
cannot deadlock. The In stock count that Record as new reads is the tally row
plus what this collector still holds for it. Inserts of new In stock units
apply theirs in `inventory.sql.serial_records_insert`, in the same order
through the same statements, being all their transaction changes.
"""

from collections import Counter

from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

from inventory import sql
from inventory.models import SerialStatus, StockMoveReason
from inventory.services.stock_moves import move_cause

IN_STOCK, SOLD = SerialStatus.IN_STOCK, SerialStatus.SOLD

# Where a unit is: (outlet_id, status).
Place = tuple[int, str]


class UnitEffects:
    """The stock and tally changes of one service's units, applied once with `apply`.

    `reason` (required), `user`, `document` and `note`: why stock on hand
    changes, written as the stock history of each product and outlet it
    changes. A nested service (a claim's replacement sale) collects its own and
    its caller takes them with `include` only when it succeeds.
    """

    def __init__(
        self,
        *,
        reason: StockMoveReason,
        user: User | None,
        document: models.Model | None = None,
        note: str = "",
    ) -> None:
        self._cause = move_cause(reason=reason, user=user, document=document, note=note)
        self._shelf: Counter[tuple[int, int]] = Counter()  # counted as they go
        self._leaving: Counter[tuple[int, int]] = Counter()  # recorded as they left
        self._tally: Counter[sql.TallyKey] = Counter()
        # The cause of each (product, outlet) whose stock changes: this
        # collector's, or an included one's for the stock only it changed.
        self._causes: dict[tuple[int, int], sql.MoveCause] = {}
        self._done = False

    def units_changed(
        self, *, product_id: int, before: Place | None, after: Place | None, count: int = 1
    ) -> None:
        """Note `count` units of a product that were at `before` and are at `after` now."""
        self._open()
        if before == after:
            return
        if before is None and (after is None or after[1] != SOLD):
            # Units added In stock are counted by inventory.sql.serial_records_insert.
            raise ValueError("New units are noted here only as sold as they are recorded.")
        if before is not None:
            self._tally[(product_id, *before)] -= count
            if before[1] == IN_STOCK:
                self._shelf[(product_id, before[0])] -= count
        if after is not None:
            self._tally[(product_id, *after)] += count
            if before is not None and after[1] == IN_STOCK:
                self._shelf[(product_id, after[0])] += count
            elif before is None:
                self._leaving[(product_id, after[0])] += count

    def quantity_sold(self, *, product_id: int, outlet_id: int, quantity: int) -> None:
        """Note units of a product without serial numbers sold from an outlet."""
        self.quantity_moved(product_id=product_id, outlet_id=outlet_id, change=-quantity)

    def quantity_moved(self, *, product_id: int, outlet_id: int, change: int) -> None:
        """Note units of a product without serial numbers leaving (negative) or arriving."""
        self._open()
        self._shelf[(product_id, outlet_id)] += change

    def include(self, other: "UnitEffects") -> None:
        """Take over what `other` collected (a nested service that succeeded)."""
        self._open()
        other._open()
        for key in other._shelf.keys() | other._leaving.keys():
            if key not in self._shelf and key not in self._leaving:
                self._causes.setdefault(key, other._causes.get(key, other._cause))
        self._shelf.update(other._shelf)
        self._leaving.update(other._leaving)
        self._tally.update(other._tally)
        other._done = True

    def apply(self) -> None:
        """Apply every change: stock rows in (product, outlet) order, then tally rows."""
        self._open()
        self._done = True
        stock = {
            (product_id, outlet_id): sql.StockChange(
                delta=self._shelf[(product_id, outlet_id)],
                leaving=self._leaving[(product_id, outlet_id)],
                uncounted=self._tally[(product_id, outlet_id, IN_STOCK)],
            )
            for product_id, outlet_id in self._shelf.keys() | self._leaving.keys()
        }
        sql.stock_apply(changes=stock, cause=self._cause, causes=self._causes, at=timezone.now())
        sql.serial_tally_apply(deltas=self._tally)

    def _open(self) -> None:
        if self._done:
            raise RuntimeError("These unit effects were applied already.")

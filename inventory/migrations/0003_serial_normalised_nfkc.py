"""Recompute every serial's key with NFKC and case folding (issue 7).

The old key was `text.strip().upper()`, so `ＦＵＬＬ－１` and `FULL-1` could be
two units of one product. Under the new key they are one, and the unique
(product, key) constraint cannot hold both: when two records of a product would
get the same key, the first (lowest id) gets it, or the one that has it already,
and the others keep their old key. Nothing is deleted; each collision is printed
and logged, with the product, the serial texts and their ids, so the person
migrating can correct them (edit the text, or delete or write off the duplicate).

Both key rules are copied here, frozen: a migration must do tomorrow what it
did today, whatever `SerialRecord.normalise` becomes.
"""

import logging
import sys
import unicodedata
from dataclasses import dataclass

from django.db import migrations

logger = logging.getLogger("inventory.migrations")

# Rows read and written per round trip: memory stays flat at a million rows,
# and every IN list stays under SQLite's 999 parameters.
BATCH_SIZE = 500


def nfkc_casefold_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def upper_key(text: str) -> str:
    return text.strip().upper()


@dataclass(frozen=True)
class Collision:
    """`record` would get the key `holder` has, so `record` keeps its old key."""

    product: str
    key: str
    holder_id: int
    holder_serial: str
    record_id: int
    record_serial: str

    def __str__(self) -> str:
        return (
            f"{self.product}: serial {self.record_serial!r} (id {self.record_id}) keeps its "
            f"old key; its new key {self.key!r} is taken by serial {self.holder_serial!r} "
            f"(id {self.holder_id})."
        )


def recompute_serial_keys(*, serial_model, product_model, key, batch_size=BATCH_SIZE, out=None):
    """Set every record's key to `key(serial)`, batch by batch in id order.

    Returns the collisions, after printing each on `out` (stdout) and logging it.
    A record takes its new key only when no other record of its product holds
    it at that moment, so the unique constraint holds after every statement:
    the first record (by id) to claim a key gets it, and a record whose key is
    already right keeps it. A record waiting for a key that another record is
    about to give up (its own key changes too) is retried at the end.
    """
    out = out or sys.stdout
    # (product_id, key, holder_id, holder_serial, record_id, record_serial)
    found: list[tuple[int, str, int, str, int, str]] = []
    waiting: list[tuple[int, int, str, str]] = []
    last_pk = 0
    while True:
        rows = list(
            serial_model.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", "product_id", "serial", "serial_normalised")[:batch_size]
        )
        if not rows:
            break
        last_pk = rows[-1][0]
        changing = [
            (pk, product_id, serial, key(serial))
            for pk, product_id, serial, old in rows
            if key(serial) != old
        ]
        waiting += _take_keys(serial_model, changing, key, found)

    # Each round settles at least one waiting record, or none ever will.
    while waiting:
        still = _take_keys(serial_model, waiting, key, found)
        if len(still) == len(waiting):
            holders = _holders(serial_model, still)
            found += [
                (product, new, *holders[(product, new)], pk, serial)
                for pk, product, serial, new in still
            ]
            break
        waiting = still

    names = dict(
        product_model.objects.filter(pk__in={row[0] for row in found}).values_list("pk", "name")
    )
    collisions = [
        Collision(f"Product {names.get(product)!r} (id {product})", *rest)
        for product, *rest in found
    ]
    if collisions:
        out.write(
            f"\n  {len(collisions)} serial number(s) would be the same unit as another of "
            "their product under the new comparison (NFKC and case folding). Nothing was "
            "deleted; correct the text of one of each pair, or delete or write off the "
            "duplicate:\n"
        )
        for collision in collisions:
            out.write(f"    {collision}\n")
            logger.warning("Serial key collision: %s", collision)
    return collisions


def _holders(serial_model, wanted):
    """{(product_id, key): (pk, serial)} of records holding the wanted keys now."""
    keys = {new for _pk, _product, _serial, new in wanted}
    products = {product for _pk, product, _serial, _new in wanted}
    found = serial_model.objects.filter(serial_normalised__in=keys, product_id__in=products)
    return {
        (product, held): (pk, serial)
        for pk, product, serial, held in found.values_list(
            "pk", "product_id", "serial", "serial_normalised"
        )
    }


def _take_keys(serial_model, changing, key, found):
    """Give each record its new key where that is free; returns those that must wait."""
    holders = _holders(serial_model, changing) if changing else {}
    taken: dict[tuple[int, str], tuple[int, str]] = {}
    updates, waiting = [], []
    for pk, product, serial, new in changing:
        wanted = (product, new)
        winner = taken.get(wanted)
        holder = holders.get(wanted)
        if winner is None and holder is not None:
            if key(holder[1]) != new:
                # Its holder gives it up later in this run: try again then.
                waiting.append((pk, product, serial, new))
                continue
            winner = holder
        if winner is not None:
            found.append((product, new, *winner, pk, serial))
            continue
        taken[wanted] = (pk, serial)
        updates.append(serial_model(pk=pk, serial_normalised=new))
    serial_model.objects.bulk_update(updates, ["serial_normalised"], batch_size=100)
    return waiting


def _recompute(key):
    def run(apps, schema_editor):
        recompute_serial_keys(
            serial_model=apps.get_model("inventory", "SerialRecord"),
            product_model=apps.get_model("catalog", "Product"),
            key=key,
        )

    return run


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_groups")]

    operations = [
        # Backwards recomputes the old upper-case keys, by the same rules.
        migrations.RunPython(_recompute(nfkc_casefold_key), _recompute(upper_key)),
    ]

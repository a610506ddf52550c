"""The Dashboard's charts: what each figure is called and which filtered list it opens.

The view asks the selectors for figures and this module for the charts; the
drawing is `reports.charts`. Every figure links to the list whose rows make it:
the Serial numbers list (outlet, status, days added), the Sales list (days,
outlet), Warranty claims (status, days opened) or a section of Serial coverage.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from catalog.templatetags.money import money
from inventory.models import SerialStatus
from lib.dates import datetime_display
from reports import charts
from reports.charts import Bar, Column, Figure
from reports.selectors import CoverageCounts
from reports.selectors_dashboard import (
    OPEN_CLAIM_STATUSES,
    SOLD_WEEKS,
    AgeBand,
    DashboardTrends,
    OpenClaims,
    OutletInStock,
)
from sales.filters import OPEN_ANY
from sales.models import ClaimStatus

# "6 Oct": a week by its Monday.
WEEK_FORMAT = "j M"


@dataclass(frozen=True)
class TableRow:
    label: str
    cells: Sequence[Figure | None]


@dataclass(frozen=True)
class SparkRow:
    """One outlet's weeks as small columns, with its total."""

    label: str
    svg: SafeString
    total: Figure


@dataclass(frozen=True)
class Chart:
    """A chart and its figures as a table (the text alternative), for the template."""

    chart_id: str
    heading: str
    lead: str  # the headline figure in words
    svg: SafeString
    table_caption: str
    table_headers: Sequence[str]  # the first is the rows' heading
    table_rows: Sequence[TableRow]
    legend: SafeString | None = None
    note: str = ""
    spark_heading: str = ""
    spark_rows: Sequence[SparkRow] = field(default_factory=list)
    more: tuple[str, str] | None = None  # a link under the chart: its text and address


def _url(path: str, **query: object) -> str:
    """`path` (a reversed URL) with the filters that have a value."""
    present = {key: value for key, value in query.items() if value not in (None, "")}
    return f"{path}?{urlencode(present)}"


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _number(value: int) -> str:
    # Below 1,000 no locale groups digits: the common case skips the format lookups.
    if 0 <= value < 1000:
        return str(value)
    return formats.number_format(value, force_grouping=True)


def _week(start: date) -> str:
    return formats.date_format(start, WEEK_FORMAT)


# What needs doing ----------------------------------------------------------------


def _claim_band_label(band: AgeBand) -> str:
    if band.newest == 0:
        return _("Opened in the last %(days)s days") % {"days": (band.oldest or 0) + 1}
    if band.oldest is None:
        return _("Opened over %(days)s days ago") % {"days": band.newest - 1}
    return _("Opened %(newest)s to %(oldest)s days ago") % {
        "newest": band.newest,
        "oldest": band.oldest,
    }


def open_claims_chart(claims: OpenClaims) -> Chart:
    """Open claims: a bar per status, stacked by how long ago they were opened."""
    labels = [_claim_band_label(band) for band in claims.bands]
    claim_list = reverse("sales:claim_list")
    bars, rows = [], []
    for status in OPEN_CLAIM_STATUSES:
        status_label = ClaimStatus(status).label
        figures = []
        for index, band in enumerate(claims.bands):
            count = claims.count(status, index)
            name = ngettext(
                "%(count)s claim with status %(status)s, %(when)s",
                "%(count)s claims with status %(status)s, %(when)s",
                count,
            ) % {"count": _number(count), "status": status_label, "when": labels[index].lower()}
            figures.append(
                Figure(
                    value=count,
                    text=_number(count),
                    name=name,
                    href=_url(
                        claim_list,
                        status=status,
                        opened_from=_day(band.first_day),
                        opened_to=_day(band.last_day),
                    ),
                )
            )
        total = sum(f.value for f in figures)
        bars.append(Bar(label=str(status_label), figures=figures, text=_number(int(total))))
        rows.append(TableRow(label=str(status_label), cells=figures))
    oldest = sum(claims.count(status, len(claims.bands) - 1) for status in OPEN_CLAIM_STATUSES)
    lead = ngettext("%(count)s open claim", "%(count)s open claims", claims.total) % {
        "count": _number(claims.total)
    }
    if claims.total:
        lead += ", " + _("%(count)s of them %(when)s") % {
            "count": _number(oldest),
            "when": labels[-1].lower(),
        }
    return Chart(
        chart_id="chart-claims",
        heading=_("Open warranty claims"),
        lead=lead,
        svg=charts.bars_svg(
            chart_id="chart-claims",
            title=_("Open warranty claims by status and age"),
            description=lead,
            bars=bars,
        ),
        legend=charts.legend_html(labels),
        table_caption=_("Open warranty claims by status and age"),
        table_headers=[_("Status"), *labels],
        table_rows=rows,
        more=(_("All open claims"), _url(claim_list, status=OPEN_ANY)),
    )


def coverage_chart(counts: CoverageCounts) -> Chart:
    """The Serial coverage report's three kinds of problem, each opening its section."""
    report = reverse("reports:coverage")
    kinds = [
        (
            _("High-value items without serial tracking"),
            counts.high_value_without_serials,
            ngettext(
                "%(count)s high-value item without serial tracking",
                "%(count)s high-value items without serial tracking",
                counts.high_value_without_serials,
            ),
            "high-value",
        ),
        (
            _("More units on hand than serials recorded"),
            counts.stock_without_serials,
            ngettext(
                "%(count)s item with more units on hand than serials recorded",
                "%(count)s items with more units on hand than serials recorded",
                counts.stock_without_serials,
            ),
            "stock-without-serials",
        ),
        (
            _("More serials In stock than units on hand"),
            counts.serials_without_stock,
            ngettext(
                "%(count)s item with more serials In stock than units on hand",
                "%(count)s items with more serials In stock than units on hand",
                counts.serials_without_stock,
            ),
            "serials-without-stock",
        ),
    ]
    bars, rows = [], []
    for label, count, name, section in kinds:
        figure = Figure(
            value=count,
            text=_number(count),
            name=name % {"count": _number(count)},
            href=f"{report}#{section}",
        )
        bars.append(Bar(label=label, figures=[figure], text=figure.text))
        rows.append(TableRow(label=label, cells=[figure]))
    total = sum(count for _label, count, _name, _section in kinds)
    lead = (
        ngettext("%(count)s problem to look at", "%(count)s problems to look at", total)
        % {"count": _number(total)}
        if total
        else _("Nothing to look at: every high-value item is tracked and counts agree.")
    )
    return Chart(
        chart_id="chart-coverage",
        heading=_("Coverage problems"),
        lead=lead,
        svg=charts.bars_svg(
            chart_id="chart-coverage",
            title=_("Coverage problems by kind"),
            description=_("%(lead)s. An item is a product at one outlet.") % {"lead": lead},
            bars=bars,
        ),
        table_caption=_("Coverage problems by kind"),
        table_headers=[_("Problem"), _("Count")],
        table_rows=rows,
        note=_("An item is a product at one outlet."),
        more=(_("The whole report"), report),
    )


def _stock_band_label(band: AgeBand) -> str:
    if band.newest == 0:
        return _("Up to %(days)s days") % {"days": band.oldest}
    if band.oldest is None:
        return _("Over %(days)s days") % {"days": band.newest - 1}
    return _("%(newest)s to %(oldest)s days") % {"newest": band.newest, "oldest": band.oldest}


def stock_age_chart(trends: DashboardTrends) -> Chart:
    """The retail value of the units In stock by how long ago they were added."""
    bars, rows = [], []
    serial_list = reverse("inventory:serial_list")
    for age in trends.stock_age:
        label = _stock_band_label(age.band)
        href = _url(
            serial_list,
            status=SerialStatus.IN_STOCK,
            added_from=_day(age.band.first_day),
            added_to=_day(age.band.last_day),
        )
        name = ngettext(
            "%(value)s in stock for %(age)s (%(count)s unit)",
            "%(value)s in stock for %(age)s (%(count)s units)",
            age.units,
        ) % {"value": money(age.value), "age": label.lower(), "count": _number(age.units)}
        value = Figure(value=age.value, text=money(age.value), name=name, href=href)
        units = Figure(value=age.units, text=_number(age.units), name=name, href=href)
        bars.append(Bar(label=label, figures=[value], text=value.text))
        rows.append(TableRow(label=label, cells=[value, units]))
    oldest = trends.stock_age[-1]
    lead = _("%(value)s of stock in hand was added over a year ago") % {
        "value": money(oldest.value)
    }
    return Chart(
        chart_id="chart-stock-age",
        heading=_("Age of stock in hand"),
        lead=lead,
        svg=charts.bars_svg(
            chart_id="chart-stock-age",
            title=_("Retail value of the units In stock by days since they were added"),
            description=lead,
            bars=bars,
        ),
        table_caption=_("Units In stock by days since they were added"),
        table_headers=[_("Added"), _("Retail value"), _("Units")],
        table_rows=rows,
        note=_worked_out(trends),
    )


# How the shop is going -----------------------------------------------------------


def units_sold_chart(trends: DashboardTrends) -> Chart:
    """Units sold per week: the shop's weeks as columns, then each outlet's as small ones."""
    weeks = [(start, start + timedelta(days=6)) for start in trends.weeks]
    labels = [_week(start) for start, _end in weeks]
    sale_list = reverse("sales:sale_list")

    # 20 outlets make 240 figures: each translation looked up once per count, each
    # week's filter written once.
    names: dict[tuple[bool, int], str] = {}
    week_query = [f"date_from={_day(start)}&date_to={_day(end)}" for start, end in weeks]

    def week_figure(index: int, units: int, outlet_id: int | None, outlet: str) -> Figure:
        key = (outlet_id is None, units)
        if key not in names:
            names[key] = (
                ngettext(
                    "%(count)s unit sold in the week of %(week)s",
                    "%(count)s units sold in the week of %(week)s",
                    units,
                )
                if outlet_id is None
                else ngettext(
                    "%(count)s unit sold at %(outlet)s in the week of %(week)s",
                    "%(count)s units sold at %(outlet)s in the week of %(week)s",
                    units,
                )
            )
        text = _number(units)
        name = names[key] % {"count": text, "outlet": outlet, "week": labels[index]}
        href = f"{sale_list}?{week_query[index]}"
        if outlet_id is not None:
            href += f"&outlet={outlet_id}"
        return Figure(value=units, text=text, name=name, href=href)

    week_units = [trends.week_total(i) for i in range(len(weeks))]
    totals = [week_figure(i, units, None, "") for i, units in enumerate(week_units)]
    top = max((max(outlet.units, default=0) for outlet in trends.outlets), default=0)
    spark_rows, rows = [], []
    first_day, last_day = weeks[0][0], weeks[-1][1]
    for outlet in trends.outlets:
        figures = [
            week_figure(i, units, outlet.outlet_id, outlet.name)
            for i, units in enumerate(outlet.units)
        ]
        total = Figure(
            value=outlet.total,
            text=_number(outlet.total),
            name=ngettext(
                "%(count)s unit sold at %(outlet)s in the last %(weeks)s weeks",
                "%(count)s units sold at %(outlet)s in the last %(weeks)s weeks",
                outlet.total,
            )
            % {"count": _number(outlet.total), "outlet": outlet.name, "weeks": SOLD_WEEKS},
            href=_url(
                sale_list,
                date_from=_day(first_day),
                date_to=_day(last_day),
                outlet=outlet.outlet_id,
            ),
        )
        spark_rows.append(
            SparkRow(
                label=outlet.name,
                svg=charts.spark_svg(
                    chart_id=f"chart-sold-outlet-{outlet.outlet_id}",
                    title=_("Units sold per week at %(outlet)s") % {"outlet": outlet.name},
                    figures=figures,
                    top=top,
                ),
                total=total,
            )
        )
        rows.append(TableRow(label=outlet.name, cells=[*figures, total]))
    this_week = week_units[-1]
    last_week = week_units[-2] if len(week_units) > 1 else 0
    all_weeks = sum(week_units)
    lead = _("%(this)s this week so far, %(last)s last week") % {
        "this": ngettext("%(count)s unit", "%(count)s units", this_week)
        % {"count": _number(this_week)},
        "last": _number(last_week),
    }
    rows.append(
        TableRow(
            label=_("All outlets"),
            cells=[
                *totals,
                Figure(
                    value=all_weeks,
                    text=_number(all_weeks),
                    name=_("Units sold in the last %(weeks)s weeks") % {"weeks": SOLD_WEEKS},
                    href=_url(sale_list, date_from=_day(first_day), date_to=_day(last_day)),
                ),
            ],
        )
    )
    return Chart(
        chart_id="chart-sold",
        heading=_("Units sold per week"),
        lead=lead,
        svg=charts.columns_svg(
            chart_id="chart-sold",
            title=_("Units sold per week, the last %(weeks)s weeks") % {"weeks": SOLD_WEEKS},
            description=lead,
            columns=[Column(label=labels[i], figure=totals[i]) for i in range(len(weeks))],
        ),
        table_caption=_("Units sold per week by outlet (weeks from Monday)"),
        table_headers=[_("Outlet"), *labels, _("Total")],
        table_rows=rows,
        note=_worked_out(trends),
        spark_heading=_("By outlet"),
        spark_rows=spark_rows,
    )


def in_stock_chart(rows_in_stock: Sequence[OutletInStock]) -> Chart:
    """Serials In stock at each outlet, each opening the Serial numbers list filtered to it."""
    bars, rows = [], []
    serial_list = reverse("inventory:serial_list")
    for row in rows_in_stock:
        figure = Figure(
            value=row.in_stock,
            text=_number(row.in_stock),
            name=_("%(count)s In stock at %(outlet)s")
            % {"count": _number(row.in_stock), "outlet": row.outlet.name},
            href=_url(serial_list, outlet=row.outlet.pk, status=SerialStatus.IN_STOCK),
        )
        bars.append(Bar(label=row.outlet.name, figures=[figure], text=figure.text))
        rows.append(TableRow(label=row.outlet.name, cells=[figure]))
    total = sum(row.in_stock for row in rows_in_stock)
    lead = ngettext("%(count)s serial In stock", "%(count)s serials In stock", total) % {
        "count": _number(total)
    }
    return Chart(
        chart_id="chart-in-stock",
        heading=_("In stock by outlet"),
        lead=lead,
        svg=charts.bars_svg(
            chart_id="chart-in-stock",
            title=_("Serials In stock at each outlet"),
            description=lead,
            bars=bars,
        ),
        table_caption=_("Serials In stock at each outlet"),
        table_headers=[_("Outlet"), _("In stock")],
        table_rows=rows,
    )


def _worked_out(trends: DashboardTrends) -> str:
    when = datetime_display(trends.taken_at)
    return _("As of %(when)s; updated every few minutes.") % {"when": when}


def overdue_transfers_chart(count: int) -> Chart:
    """Transfers not fully received SERIALDESK_TRANSFER_OVERDUE_DAYS after they were sent,
    opening the Stock control list filtered to them."""
    days = settings.SERIALDESK_TRANSFER_OVERDUE_DAYS
    href = reverse("inventory:stock_control") + "?type=transfer&overdue=1"
    label = ngettext(
        "Not fully received %(days)s day after sending",
        "Not fully received %(days)s days after sending",
        days,
    ) % {"days": days}
    name = ngettext(
        "%(count)s transfer overdue, not fully received %(days)s days after sending",
        "%(count)s transfers overdue, not fully received %(days)s days after sending",
        count,
    ) % {"count": _number(count), "days": days}
    figure = Figure(value=count, text=_number(count), name=name, href=href)
    lead = (
        ngettext("%(count)s overdue transfer", "%(count)s overdue transfers", count)
        % {"count": _number(count)}
        if count
        else _("No transfer is overdue.")
    )
    return Chart(
        chart_id="chart-transfers",
        heading=_("Overdue transfers"),
        lead=lead,
        svg=charts.bars_svg(
            chart_id="chart-transfers",
            title=_("Overdue transfers"),
            description=lead,
            bars=[Bar(label=label, figures=[figure], text=figure.text)],
        ),
        table_caption=_("Overdue transfers"),
        table_headers=[_("Transfers"), _("Count")],
        table_rows=[TableRow(label=label, cells=[figure])],
        more=(_("All overdue transfers"), href),
    )


# Cards --------------------------------------------------------------------------------


def card_html(chart: Chart) -> SafeString:
    """A chart's card: heading, headline, SVG, and its figures as a table."""
    return render_to_string("reports/includes/_chart.html", {"chart": chart})


# The trends' cards, drawn once per snapshot in each process: a snapshot never
# changes (a refresh writes another `taken_at`), and drawing 20 outlets' weeks is
# a third of the page's time. Keyed by what else the drawing reads.
_drawn: dict[tuple[object, ...], SafeString] = {}
DRAWN_KEPT = 16


def trend_card(*, kind: str, trends: DashboardTrends) -> SafeString:
    """The card of "sold" (units sold per week) or "stock_age" for this snapshot."""
    key = (
        kind,
        trends.taken_at,
        trends.day,
        get_language(),
        timezone.get_current_timezone_name(),
        get_script_prefix(),
        settings.SERIALDESK_CURRENCY,
    )
    card = _drawn.get(key)
    if card is None:
        chart = units_sold_chart(trends) if kind == "sold" else stock_age_chart(trends)
        card = card_html(chart)
        if len(_drawn) >= DRAWN_KEPT:
            _drawn.clear()
        _drawn[key] = card
    return card

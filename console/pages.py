"""The console's pages: overview, orders, one record, runs, one run, stock and alerts (all reads)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from cartsync.console.context import Console
from cartsync.engine.state.browse import (
    AlertFilter,
    LedgerFilter,
    PageRequest,
    PipelineSummary,
    RunFilter,
    StockFilter,
)
from cartsync.engine.state.monitoring import EVENTS

# The order statuses offered as filters, in the order of an order's life (Integration Manager's tabs).
ORDER_STATUSES = ("new", "at_wms", "shipped", "confirmed", "error", "canceled", "skipped")
# Filters offered beside the statuses: rows a person put on hold, and rows sent with no reliable
# reply yet (the next run asks the destination before anything is sent again).
FLAGS = {"held": "On hold", "unknown": "Unknown"}
# A pipeline's held rows (the overview's Held column links here): in error, or on hold.
ATTENTION = "attention"
ORDER_ENTITY = "order"
STOCK_ENTITY = "stock"
# Where each entity's rows are listed, filtered to a pipeline's held rows.
HELD_PAGES = {ORDER_ENTITY: "/orders", STOCK_ENTITY: "/stock"}
ALERT_STATUSES = ("sending", "sent", "failed")
MAX_TEXT = 200


async def overview(console: Console, request: Request) -> Response:
    summaries, counts = await console.read(
        lambda browser: (browser.pipeline_summaries(console.client), browser.status_counts(ORDER_ENTITY))
    )
    rows = [
        {
            "summary": summary,
            "health": health(summary),
            "held": held_links(summary),
            "next_run": console.next_run(summary.pipeline) if console.next_run else None,
        }
        for summary in summaries
    ]
    return console.render(
        request,
        "overview.html",
        title="Overview",
        nav="overview",
        rows=rows,
        counts=counts,
        statuses=ORDER_STATUSES,
        flags=FLAGS,
        scheduled=console.next_run is not None,
    )


def health(summary: PipelineSummary) -> tuple[str, str, str]:
    """(label, tone, explanation) of a pipeline: serve's failure streak first, else its last run."""
    recorded = summary.health
    if recorded and recorded.consecutive_failures:
        streak = recorded.consecutive_failures
        return (
            "failing",
            "bad",
            f"{streak} run(s) in a row could not connect or sign in"
            + (f", since {recorded.failing_since}" if recorded.failing_since else "")
            + (f": {recorded.last_error}" if recorded.last_error else ""),
        )
    run = summary.last_run
    if run is None:
        return "never run", "muted", "no run recorded yet"
    label, tone = {
        "ok": ("healthy", "good"),
        "running": ("running", "info"),
        "failed": ("records held", "warn"),
    }.get(run.status, ("failing", "bad"))
    return label, tone, f"its last run: {run.status}" + (f", {run.message}" if run.message else "")


def held_links(summary: PipelineSummary) -> list[tuple[int, str | None]]:
    """The pipeline's held rows per entity, each with the list of exactly those rows (None: the
    console lists no rows of that entity)."""
    return [
        (
            count,
            f"{HELD_PAGES[entity]}?{urlencode({'status': ATTENTION, 'pipeline': summary.pipeline})}"
            if entity in HELD_PAGES
            else None,
        )
        for entity, count in sorted(summary.held_by_entity.items())
    ]


async def orders(console: Console, request: Request) -> Response:
    query = request.query_params
    problems: list[str] = []
    status = _text(query.get("status"))
    pipeline = _text(query.get("pipeline"))
    filters = LedgerFilter(
        entity=ORDER_ENTITY,
        status=None if status in (None, *FLAGS, ATTENTION) else status,
        held=status == "held",
        unknown=status == "unknown",
        attention=status == ATTENTION,
        pipeline=pipeline,
        text=_text(query.get("q")),
        changed_from=_date(query.get("from"), "from", problems),
        changed_to=_date(query.get("to"), "to", problems),
    )
    page, counts = await console.read(
        lambda browser: (browser.ledger_page(filters, _page(request)), browser.status_counts(ORDER_ENTITY))
    )
    return console.render(
        request,
        "orders.html",
        title="Orders",
        nav="orders",
        page=page,
        counts=counts,
        statuses=ORDER_STATUSES,
        flags=FLAGS,
        status=status,
        pipeline=pipeline,
        attention=status == ATTENTION,
        query=_query(request),
        problems=problems,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    )


async def order(console: Console, request: Request) -> Response:
    return await _record(console, request, ORDER_ENTITY)


async def stock_item(console: Console, request: Request) -> Response:
    return await _record(console, request, STOCK_ENTITY)


async def _record(console: Console, request: Request, entity: str) -> Response:
    key = request.path_params["key"]
    detail = await console.read(lambda browser: browser.ledger_detail(entity, key))
    if detail is None:
        return console.error(request, 404, f"The ledger has no {entity} '{key}'.")
    return console.render(
        request,
        "record.html",
        title=f"{'Order' if entity == ORDER_ENTITY else 'SKU'} {key}",
        nav="orders" if entity == ORDER_ENTITY else "stock",
        detail=detail,
        row=detail.row,
        entity=entity,
        actions=entity == ORDER_ENTITY,
        here=request.url.path,
    )


async def runs(console: Console, request: Request) -> Response:
    filters = RunFilter(
        pipeline=_text(request.query_params.get("pipeline")), status=_text(request.query_params.get("status"))
    )
    page, pipelines = await console.read(
        lambda browser: (browser.runs_page(filters, _page(request)), browser.pipelines())
    )
    return console.render(
        request,
        "runs.html",
        title="Runs",
        nav="runs",
        page=page,
        pipelines=pipelines,
        filters=filters,
        query=_query(request),
    )


async def run(console: Console, request: Request) -> Response:
    run_id = request.path_params["run_id"]
    found, problems = await console.read(
        lambda browser: (browser.run(run_id), browser.run_problems(run_id, _page(request)))
    )
    if found is None:
        return console.error(request, 404, f"There is no run {run_id}.")
    return console.render(
        request,
        "run.html",
        title=f"Run {run_id}",
        nav="runs",
        run=found,
        page=problems,
        query=_query(request),
    )


async def stock(console: Console, request: Request) -> Response:
    query = request.query_params
    filters = StockFilter(
        text=_text(query.get("q")),
        not_found=query.get("not_found") == "1",
        attention=query.get("status") == ATTENTION,
        pipeline=_text(query.get("pipeline")),
    )
    page, counts = await console.read(
        lambda browser: (browser.stock_page(filters, _page(request)), browser.status_counts(STOCK_ENTITY))
    )
    return console.render(
        request,
        "stock.html",
        title="Stock",
        nav="stock",
        page=page,
        counts=counts,
        filters=filters,
        query=_query(request),
    )


async def alerts(console: Console, request: Request) -> Response:
    query = request.query_params
    filters = AlertFilter(
        pipeline=_text(query.get("pipeline")),
        event=_text(query.get("event")),
        status=_text(query.get("status")),
    )
    page = await console.read(lambda browser: browser.alerts_page(filters, _page(request)))
    return console.render(
        request,
        "alerts.html",
        title="Alerts",
        nav="alerts",
        page=page,
        filters=filters,
        events=EVENTS,
        statuses=ALERT_STATUSES,
        query=_query(request),
    )


def _page(request: Request) -> PageRequest:
    try:
        number = int(request.query_params.get("page", "1"))
    except ValueError:
        number = 1
    return PageRequest(number=number)


def _query(request: Request) -> dict[str, Any]:
    """The filters of the current URL, without the page (the pager adds it)."""
    return {name: value for name, value in request.query_params.items() if name != "page" and value}


def _text(value: str | None) -> str | None:
    value = (value or "").strip()[:MAX_TEXT]
    return value or None


def _date(value: str | None, name: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"'{value}' is not a date ({name}): use YYYY-MM-DD. The filter was left out.")
        return None

"""What each page shows, its filters and paging, and bulk actions, over real HTTP and in the browser."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import requests
from console_helpers import PASSWORDS, browser_sign_in, form_token, sign_in

from cartsync.console.templating import ago
from cartsync.engine.state import RowChange, StateStore
from cartsync.engine.state.monitoring import Alert, Monitoring


def cells(html: str) -> list[str]:
    """The first link text of each table row (the order or SKU), in page order."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>.*?<a href=\"[^\"]+\">([^<]+)</a>", body, flags=re.S)


def test_orders_filter_by_status_text_and_date_with_counts(ledger, start_console):
    session = sign_in(start_console(ledger).url, "olivia")
    page = session.get(session.console_url + "/orders").text
    assert len(cells(page)) == 11 and "1–11 of 11" in page
    assert cells(session.get(session.console_url + "/orders?status=error").text) == ["1043"]
    assert re.search(r"At WMS <b>6</b>", page)
    assert cells(session.get(session.console_url + "/orders?q=WMS-1004").text) == ["1004"]
    assert cells(session.get(session.console_url + "/orders?q=unmapped").text) == ["1043"]
    today = datetime.now(UTC).date()
    assert len(cells(session.get(f"{session.console_url}/orders?from={today}&to={today}").text)) == 11
    future = session.get(f"{session.console_url}/orders?from={today + timedelta(days=1)}").text
    assert "No order matches these filters" in future
    bad = session.get(session.console_url + "/orders?from=yesterday").text
    assert "is not a date" in bad and len(cells(bad)) == 11


def test_orders_are_paged(tmp_path, start_console):
    state = tmp_path / "many.db"
    store = StateStore.open(state)
    with store.transaction() as tx:
        for key in range(1, 121):
            tx.change(RowChange("order", f"{key:04}", "p", "ok", status="at_wms"))
    store.close()
    session = sign_in(start_console(state).url, "olivia")
    first = session.get(session.console_url + "/orders").text
    assert "1–50 of 120" in first and 'rel="next"' in first and 'rel="prev"' not in first
    last = session.get(session.console_url + "/orders?page=3").text
    assert "101–120 of 120" in last and len(cells(last)) == 20 and 'rel="next"' not in last
    pages = [session.get(f"{session.console_url}/orders?page={n}").text for n in (1, 2, 3)]
    seen = {key for html in pages for key in cells(html)}
    assert len(seen) == 120


def test_order_detail_shows_record_payload_events_and_wms_id(ledger, start_console):
    session = sign_in(start_console(ledger).url, "victor")
    html = session.get(session.console_url + "/orders/1001").text
    assert "WMS-1001" in html and "ada1001@example.com" in html and "OC-1001" in html
    assert html.count("<tr>") >= 2  # header, ok (one event per outcome)
    assert session.get(session.console_url + "/orders/9999").status_code == 404


def test_runs_show_counts_duration_and_the_problems_of_a_run(ledger, start_console):
    session = sign_in(start_console(ledger).url, "victor")
    runs = session.get(session.console_url + "/runs").text
    assert "1 rejected, 10 sent" in runs and "1 not found, 2 sent" in runs
    run_id = re.search(r'href="/runs/(\d+)">\1</a></td>\s*<td>order_download', runs).group(1)
    detail = session.get(f"{session.console_url}/runs/{run_id}").text
    assert "routingInfo: Unmapped Ship Method: ups.2DA" in detail and "/orders/1043" in detail
    only = session.get(session.console_url + "/runs?pipeline=inventory_sync").text
    assert "inventory_sync" in only and "10 sent" not in only


def test_stock_shows_last_quantities_the_not_found_skus_and_a_search(ledger, start_console):
    session = sign_in(start_console(ledger).url, "victor")
    html = session.get(session.console_url + "/stock").text
    assert cells(html) == ["LAMP-9", "STOVE-100", "TENT-002"]
    assert re.search(r"TENT-002</a></td>\s*<td class=\"num\">24</td>", html)
    assert cells(session.get(session.console_url + "/stock?not_found=1").text) == ["LAMP-9"]
    assert cells(session.get(session.console_url + "/stock?q=stove").text) == ["STOVE-100"]


def test_alerts_show_an_empty_state_then_what_serve_sent_when_and_to_whom(ledger, start_console):
    session = sign_in(start_console(ledger).url, "victor")
    assert "No alert has been sent" in session.get(session.console_url + "/alerts").text
    store = StateStore.open(ledger)
    monitoring = Monitoring(store)
    for channel, recipient in (("email", "ops@example.com, lead@example.com"), ("webhook", "https://hooks.example")):
        alert = Alert("acme", "order_download", "held_records", "held_records:order_download:run-1", channel,
                      recipient, "1 order held in error", "1043: Unmapped Ship Method")  # fmt: skip
        alert_id = monitoring.claim(alert)
        if channel == "email":
            monitoring.sent(alert_id)
        else:
            monitoring.failed(alert_id, "HTTP 502 from the webhook")
    store.close()
    html = session.get(session.console_url + "/alerts").text
    assert html.count("1 order held in error") == 2 and "email: ops@example.com, lead@example.com" in html
    assert "webhook: https://hooks.example" in html and "HTTP 502 from the webhook" in html
    assert "just now" in html and "Held records" in html
    failed = session.get(session.console_url + "/alerts?status=failed").text
    assert "webhook: https://hooks.example" in failed and "email: ops@" not in failed
    assert "No alert matches" in session.get(session.console_url + "/alerts?event=daily_digest").text


def test_bulk_hold_then_release_from_the_list_names_the_user(ledger, start_console, page):
    console = start_console(ledger)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    browser_sign_in(page, console.url, "olivia")
    page.goto(f"{console.url}/orders?status=at_wms")
    page.on("dialog", lambda dialog: dialog.accept())
    page.check("input[data-select-all]")
    page.click(".bulk button:has-text('Hold')")
    page.wait_for_selector(".flash:has-text('Hold: done for 6 order(s).')")
    page.goto(f"{console.url}/orders?status=held")
    assert page.locator("table.ledger tbody tr").count() == 6
    page.check("input[name=key][value='1001']")
    page.click(".bulk button:has-text('Release')")
    page.wait_for_selector(".flash:has-text('order 1001 is released')")
    store = StateStore.open(ledger)
    assert [e["message"] for e in store.events("order", "1001")][-2:] == [
        "held by olivia (console)",
        "released by olivia (console)",
    ]
    assert store.row("order", "1002").held and not store.row("order", "1001").held
    store.close()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page itself does not scroll sideways on a phone (tables scroll in their box)"


def test_resend_of_an_order_without_a_stored_record_says_why(tmp_path, start_console):
    state = tmp_path / "bare.db"
    store = StateStore.open(state)
    with store.transaction() as tx:
        tx.change(RowChange("order", "77", "p", "rejected", status="error"))
    store.close()
    session = sign_in(start_console(state).url, "olivia")
    token = form_token(session.get(session.console_url + "/orders/77").text)
    reply = session.post(
        session.console_url + "/orders/actions",
        data={"action": "resend", "key": "77", "csrf_token": token, "next": "/orders/77"},
    )
    assert reply.url.endswith("/orders/77") and "has no stored source record to resend" in reply.text


def test_overview_shows_each_pipeline_with_health_held_and_lag(ledger, start_console):
    next_runs = {"order_download": datetime.now(UTC) + timedelta(minutes=5, seconds=30)}
    session = sign_in(start_console(ledger, next_run=next_runs.get).url, "victor")
    html = session.get(session.console_url + "/").text
    row = html.split(">order_download</a>", 1)[1].split("</tr>", 1)[0]
    assert "records held" in row and "in 5 min" in row
    other = html.split(">inventory_sync</a>", 1)[1].split("</tr>", 1)[0]
    assert "healthy" in other and "not scheduled" in other and "up to date" in other


def test_times_read_as_relative_and_a_next_run_soon_is_not_just_now():
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert [ago(now + timedelta(seconds=delta), now) for delta in (-10, -300, 15, 240, 0)] == [
        "just now", "5 min ago", "in 15 s", "in 4 min", "just now",
    ]  # fmt: skip


def test_the_held_count_links_to_exactly_the_rows_it_counts(ledger, start_console):
    store = StateStore.open(ledger)
    with store.transaction() as tx:  # on hold though delivered; and a SKU the store refused
        tx.change(RowChange("order", "1001", "order_download", "held", "held by a person", held=True))
        tx.change(RowChange("stock", "TENT-002", "inventory_sync", "rejected", "quantity refused",
                            status="error", last_error="quantity refused"))  # fmt: skip
    store.close()
    session = sign_in(start_console(ledger).url, "victor")
    html = session.get(session.console_url + "/").text
    for pipeline, page, expected in (
        ("order_download", "/orders", ["1043", "1001"]),
        ("inventory_sync", "/stock", ["TENT-002"]),
    ):
        row = html.split(f">{pipeline}</a>", 1)[1].split("</tr>", 1)[0]
        link, count = re.search(r'<td class="num"><a href="([^"]+)"[^>]*>(\d+)</a></td>', row).groups()
        assert link.startswith(page + "?") and int(count) == len(expected)
        listed = session.get(session.console_url + link.replace("&amp;", "&")).text
        assert sorted(cells(listed)) == sorted(expected) and "held: in error or on hold" in listed


def test_the_overview_shows_serves_failure_streak_and_last_success(ledger, start_console):
    store = StateStore.open(ledger)
    monitoring = Monitoring(store)
    monitoring.record_run("acme", "order_download", "ok", connected=True, now="2024-05-01T10:00:00+00:00")
    for _ in range(3):
        monitoring.record_run("acme", "order_download", "connect_error", connected=False,
                              error="OpenCart refused the API key")  # fmt: skip
    store.close()
    session = sign_in(start_console(ledger, client="acme").url, "victor")
    row = session.get(session.console_url + "/").text.split(">order_download</a>", 1)[1].split("</tr>", 1)[0]
    assert "failing" in row and "3 in a row" in row and "OpenCart refused the API key" in row
    assert 'datetime="2024-05-01T10:00:00+00:00"' in row  # last success: serve's record


def test_mounted_under_a_path_inside_another_app_every_link_follows_the_mount(ledger, users):
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from cartsync.console.app import create_app
    from cartsync.engine.serve.http import HttpServer

    host = Starlette(routes=[Mount("/console", app=create_app(ledger, users, secret="s" * 40))])
    with HttpServer(host, "127.0.0.1", 0) as server:
        session = requests.Session()
        login = session.get(server.url + "/console/orders/1043")
        assert login.url == server.url + "/console/login?next=%2Fconsole%2Forders%2F1043"
        reply = session.post(
            server.url + "/console/login",
            data={"username": "olivia", "password": PASSWORDS["olivia"], "csrf_token": form_token(login.text),
                  "next": "/console/orders/1043"},
        )  # fmt: skip
        assert reply.url == server.url + "/console/orders/1043" and "Unmapped Ship Method" in reply.text
        links = re.findall(r'(?:href|action|src)="(/[^"]*)"', reply.text)
        assert links and all(link.startswith("/console/") for link in links), links
        assert session.get(server.url + "/console/static/console.css").status_code == 200

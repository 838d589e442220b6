"""The seed's procedure in the real Saleor dashboard, from installing the app to retrying on the order page.

One shop owner's session, step by step (the tests run in order and share the browser tab):
log in, switch events on in the plugin's page, install the app from its manifest URL through
the dashboard's own install screen, open System notifications from the menu, enable / attach /
edit / delete, the Channels page, a failed delivery retried from the order page, then what an
operator needs after day one: the event catalog, an attachment limited to a store, each
attempt's exchange (and its curl command), recovering a channel's failures since a time, and a
failing channel that alerts (an e-mail through the shop's SMTP server, a banner), pauses and is
resumed. Each step
is photographed in the light and the dark theme into build/screens/dashboard/
(``make screens`` publishes them to docs/screens/).
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Frame, FrameLocator, Page, expect

from tests.browser.conftest import CHROMIUM, CONTRAST
from tests.support.receiver import Reply
from tests.support.waiting import wait_for

from .conftest import SCREENS
from .live import RUN_DB, SUPERUSER, DashboardServer, LiveSaleor, _psql

#: The first run makes the template shop (migrate, populatedb): far longer than a step.
pytestmark = pytest.mark.timeout(3600)

PLUGIN = "saleor.notify"
WIDGET_COLUMN_MAX_PX = 400  # the order page's right column (344 px at a 1280 px window)


@dataclass
class Session:
    page: Page
    saleor: LiveSaleor
    dashboard: DashboardServer
    state: dict[str, Any] = field(default_factory=dict)

    def go(self, path: str) -> None:
        self.page.goto(self.dashboard.url + path.lstrip("/"))

    def app_frame(self) -> FrameLocator:
        return self.page.frame_locator('iframe[data-test-id="app-frame"]').first

    def app_frame_object(self, path_part: str) -> Frame:
        for frame in self.page.frames:
            if f"/plugins/global/{PLUGIN}/app/{path_part}" in frame.url:
                return frame
        raise AssertionError(f"no app frame at .../app/{path_part}: {[f.url for f in self.page.frames]}")

    def wait_app_ready(self, frame: FrameLocator | None = None) -> FrameLocator:
        frame = frame or self.app_frame()
        frame.locator('[data-testid="app"][data-bridge="ready"]').wait_for(timeout=30_000)
        return frame


def graphql(url: str, query: str, variables: dict | None = None, token: str | None = None) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": query, "variables": variables or {}}).encode(),
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        body = json.loads(answer.read())
    assert not body.get("errors"), body
    return body["data"]


def staff_token(saleor: LiveSaleor) -> str:
    data = graphql(
        saleor.api_url,
        "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { token errors { message } } }",
        {"e": SUPERUSER[0], "p": SUPERUSER[1]},
    )
    return data["tokenCreate"]["token"]


def set_theme(page: Page, theme: str) -> None:
    """Switch the dashboard's theme as its own cross-tab sync does (it tells the app frames through AppBridge)."""
    value = json.dumps("defaultDark" if theme == "dark" else "defaultLight")
    page.evaluate(
        """(v) => { localStorage.setItem('activeMacawUITheme', v);
                    window.dispatchEvent(new StorageEvent('storage', {key: 'activeMacawUITheme', newValue: v})); }""",
        value,
    )


def shots(session: Session, name: str) -> None:
    """The page now, in the light theme and in the dark one."""
    page = session.page
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(600)
    page.screenshot(path=str(SCREENS / f"{name}-light.png"))
    set_theme(page, "dark")
    page.wait_for_timeout(900)
    page.screenshot(path=str(SCREENS / f"{name}-dark.png"))
    set_theme(page, "light")
    page.wait_for_timeout(600)


@pytest.fixture(scope="module")
def session(saleor, dashboard) -> Iterator[Session]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US", timezone_id="UTC")
        context.set_default_timeout(20_000)
        # The dashboard's own page may read the clipboard (to check what Copy put there).
        context.grant_permissions(["clipboard-read"], origin=dashboard.url.split("/dashboard/")[0])
        page = context.new_page()
        yield Session(page, saleor, dashboard)
        context.close()
        browser.close()


@pytest.fixture(autouse=True)
def _in_order(request, session):
    """A step runs only after the steps before it passed (they share one session)."""
    failed = session.state.get("failed")
    if failed:
        pytest.skip(f"an earlier step failed: {failed}")
    yield
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        session.state["failed"] = request.node.name


def test_01_staff_member_logs_in(session):
    page = session.page
    session.go("")
    page.locator('[data-test-id="email"]').fill(SUPERUSER[0])
    page.locator('[data-test-id="password"]').fill(SUPERUSER[1])
    page.locator('[data-test-id="submit"]').click()
    expect(page.locator('[data-test-id="userMenu"]')).to_be_visible(timeout=60_000)
    pulse = page.get_by_role("button", name="Dismiss Pulse announcement")
    if pulse.is_visible():
        pulse.click()
    shots(session, "00-dashboard-home")


def test_02_the_plugin_page_switches_events_on(session, hooks):
    page = session.page
    # Extensions → Installed lists active plugins only: the first time, the plugin's page is
    # opened by its address (docs/dashboard.md says so).
    session.go("extensions/installed")
    expect(page.get_by_text("No extensions found")).to_be_visible(timeout=30_000)
    session.go(f"extensions/plugin/{PLUGIN}")
    expect(page.get_by_text("Notifications settings details")).to_be_visible(timeout=30_000)
    for label in ("Active", "Order completed"):
        box = page.get_by_role("checkbox", name=label)
        if box.get_attribute("data-state") != "checked":
            box.click()
        expect(box).to_have_attribute("data-state", "checked")
    # Private targets are the deployment's word (here its environment): shown, never a switch.
    expect(page.get_by_role("checkbox", name=re.compile("private", re.I))).to_have_count(0)
    expect(page.locator("label", has_text="Private postback targets (deployment setting)")).to_be_visible()
    expect(page.locator('input[name="allow_private_targets"]')).to_have_value("allowed")
    shots(session, "01-plugin-page")
    page.locator('[data-test-id="button-bar-confirm"]').click()
    expect(page.get_by_text("Plugin settings updated")).to_be_visible(timeout=30_000)
    # Active now: listed under Extensions → Installed with its own name.
    session.go("extensions/installed")
    expect(page.get_by_text("Notifications settings", exact=True)).to_be_visible(timeout=30_000)
    shots(session, "02-installed-plugin")
    # Saleor answers the plugin's URLs only for an active plugin: the manifest is there now.
    manifest_url = f"{session.saleor.base_url}/plugins/global/{PLUGIN}/app/manifest/"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(manifest_url, timeout=5) as answer:
                manifest = json.loads(answer.read())
                break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    assert manifest["id"] == PLUGIN
    session.state["manifest_url"] = manifest_url
    token = staff_token(session.saleor)
    events = graphql(
        f"{session.saleor.base_url}/plugins/global/{PLUGIN}/graphql/",
        "{ notificationEvents { type isEnabled } }",
        token=token,
    )["notificationEvents"]
    assert {e["type"]: e["isEnabled"] for e in events}["ORDER_COMPLETED"] is True


def test_03_the_app_installs_from_its_manifest_url_on_the_dashboards_install_screen(session):
    page = session.page
    session.go("extensions/installed")
    page.get_by_role("button", name="Add extension").click()
    page.get_by_text("Install from manifest").click()
    url_input = page.get_by_role("textbox").first
    url_input.fill(session.state["manifest_url"])
    url_input.press("Enter")
    # The dashboard shows what the app asks for; no issue, so Install is enabled.
    expect(page.get_by_text("Notifications").first).to_be_visible(timeout=30_000)
    install = page.locator('[data-test-id="button-bar-confirm"]')
    expect(install).to_be_enabled(timeout=30_000)
    expect(page.get_by_text("must start with")).to_have_count(0)
    shots(session, "03-install-from-manifest")
    install.click()
    # Installed: the app and the plugin, each under its own name.
    expect(page).to_have_url(re.compile(r"/extensions/installed"), timeout=30_000)
    # Saleor's worker runs the installation (fetch, token POST to the plugin); the list follows it.
    token = staff_token(session.saleor)
    query = (
        "{ apps(first: 10) { edges { node { id name identifier isActive extensions { mountName targetName url } } } }"
        " appsInstallations { status message } }"
    )
    deadline = time.monotonic() + 300
    while True:
        data = graphql(session.saleor.api_url, query, token=token)
        app = next((e["node"] for e in data["apps"]["edges"] if e["node"]["identifier"] == PLUGIN), None)
        if app:
            break
        assert all(i["status"] != "FAILED" for i in data["appsInstallations"]), data["appsInstallations"]
        assert time.monotonic() < deadline, f"not installed in 300 s\n{session.saleor.log_tail('worker')}"
        time.sleep(1)
    page.reload()
    expect(page.get_by_text("Installation is pending")).to_have_count(0, timeout=60_000)
    expect(page.get_by_text("Notifications", exact=True).first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Notifications settings", exact=True)).to_be_visible()
    expect(page.get_by_text("Installation failed")).to_have_count(0)
    shots(session, "04-installed-app-and-plugin")
    assert app["isActive"]
    session.state["app_id"] = app["id"]
    # The plugin checked the token Saleor posted to it and recorded the installation.
    registered = _psql("SELECT app_identifier FROM saleor_notify_dashboardapp", db=RUN_DB)
    assert registered == PLUGIN, registered


def test_04_the_menu_entry_opens_system_notifications_with_its_tab_marked(session):
    page = session.page
    session.go("orders")
    entry = page.get_by_role("link", name="System notifications")
    expect(entry.first).to_be_visible(timeout=30_000)
    entry.first.click()
    expect(page).to_have_url(re.compile(r"/extensions/app/[^/]+/events"), timeout=30_000)
    app = session.wait_app_ready()
    frame = session.app_frame_object("events")
    assert re.search(rf"/plugins/global/{re.escape(PLUGIN)}/app/events\?", frame.url), frame.url
    expect(app.get_by_role("button", name="System notifications", exact=True)).to_have_attribute("aria-current", "page")
    expect(app.locator('[data-testid^="event-row-"]')).to_have_count(10)
    expect(app.get_by_test_id("event-row-ORDER_COMPLETED").get_by_role("switch")).to_have_attribute(
        "aria-checked", "true"
    )
    shots(session, "05-system-notifications")
    # The dashboard's theme reaches the page (AppBridge): in the dark one the marks stay readable.
    set_theme(session.page, "dark")
    expect(app.get_by_test_id("app")).to_have_css("background-color", re.compile(r"rgb\((\d|[1-5]\d),"))
    for mark in app.get_by_test_id("mark").all():
        ratio = mark.evaluate(CONTRAST)
        assert ratio >= 4.5, f"{mark.inner_text()!r} in the dark theme: contrast {ratio:.2f}"
    set_theme(session.page, "light")


def test_05_the_seed_procedure_click_by_click(session, hooks):
    app = session.app_frame()
    order = app.get_by_test_id("event-row-ORDER_COMPLETED")
    order.get_by_role("button", name="Order completed").click()
    expect(app.get_by_role("heading", name="Order completed")).to_be_visible()
    expect(app.get_by_test_id("no-attachments")).to_be_visible()
    expect(app.get_by_role("button", name="System notifications", exact=True)).to_have_attribute("aria-current", "page")
    shots(session, "06-event-empty")

    app.get_by_role("button", name="Attach channel").click()
    dialog = app.get_by_test_id("attach-dialog")
    expect(dialog.get_by_text("You have no channels yet")).to_be_visible()
    shots(session, "07-attach-form-no-channel")
    dialog.get_by_role("button", name="Add").click()
    create = app.get_by_test_id("create-channel-dialog")
    create.get_by_label("Name").fill("CRM postback")
    create.get_by_label("Postback URL").fill(hooks.url("/crm"))
    shots(session, "08-add-channel")
    create.get_by_role("button", name="Add channel").click()
    secret_box = app.get_by_test_id("secret-dialog")
    secret = secret_box.get_by_test_id("secret-value").inner_text()
    assert secret.startswith("whsec_")
    # Copy in the dashboard's iframe: copied, or selected with a message saying to press Ctrl+C.
    secret_box.get_by_role("button", name="Copy").click()
    result = secret_box.get_by_test_id("copy-result")
    expect(result).to_be_visible()
    copied = result.get_attribute("data-copied")
    session.state["copy_result"] = f"{copied}: {result.inner_text()}"
    frame = next(f for f in session.page.frames if f"/plugins/global/{PLUGIN}/app/" in f.url)
    assert frame.evaluate("() => window.getSelection().toString()") == secret
    if copied == "true":  # then the clipboard holds it (read from the dashboard's own page)
        assert session.page.evaluate("() => navigator.clipboard.readText()") == secret
    else:
        expect(result).to_contain_text("The secret is selected: press")
    shots(session, "09-channel-secret-copy")
    secret_box.get_by_role("button", name="I have stored it").click()

    dialog = app.get_by_test_id("attach-dialog")
    expect(dialog.get_by_test_id("channel-select")).to_contain_text("CRM postback (Postback)")
    dialog.get_by_role("checkbox", name="Admin").click()
    expect(dialog.get_by_role("checkbox", name="Admin")).to_have_attribute("aria-checked", "false")
    shots(session, "10-attach-form-shop-funnel")
    dialog.get_by_role("button", name="Save").click()
    attachment = app.get_by_test_id("attachment")
    expect(attachment).to_have_count(1)
    expect(attachment.get_by_test_id("attachment-sources")).to_have_text("ShopFunnel")
    shots(session, "11-event-attached")

    attachment.get_by_role("button", name="Actions for CRM postback").click()
    expect(app.get_by_role("menuitem", name="Edit")).to_be_visible()
    shots(session, "12-three-dots-menu")
    app.get_by_role("menuitem", name="Edit").click()
    edit = app.get_by_test_id("edit-dialog")
    edit.get_by_role("checkbox", name="Shop").click()
    edit.get_by_role("button", name="Save").click()
    expect(attachment.get_by_test_id("attachment-sources")).to_have_text("Funnel")
    shots(session, "13-event-funnel-only")

    attachment.get_by_role("button", name="Actions for CRM postback").click()
    app.get_by_role("menuitem", name="Delete").click()
    confirm = app.get_by_test_id("confirm-dialog")
    shots(session, "14-delete-confirm")
    confirm.get_by_role("button", name="Delete").click()
    expect(app.get_by_test_id("no-attachments")).to_be_visible()
    shots(session, "15-event-detached")


def test_06_the_channels_page(session):
    app = session.app_frame()
    app.get_by_role("button", name="Channels", exact=True).click()
    expect(app.get_by_role("button", name="Channels", exact=True)).to_have_attribute("aria-current", "page")
    expect(app.get_by_test_id("channel-row")).to_have_count(1)
    expect(app.get_by_test_id("channel-row")).to_contain_text("CRM postback")
    # The dashboard follows the app's route.
    expect(session.page).to_have_url(re.compile(r"/extensions/app/[^/]+/channels"))
    shots(session, "16-channels")


ORDER_SETUP = """
query { channels { id slug isActive } }
"""


def _admin_order(saleor: LiveSaleor) -> tuple[str, str]:
    """A staff order through Saleor's API (draft, completed, marked as paid): Order completed, source Admin."""
    token = staff_token(saleor)
    api = saleor.api_url
    channel = next(c for c in graphql(api, ORDER_SETUP, token=token)["channels"] if c["isActive"])
    variants = graphql(
        api,
        """query($c: String!) { productVariants(first: 20, channel: $c) { edges { node { id
             quantityAvailable product { productType { isShippingRequired } } } } } }""",
        {"c": channel["slug"]},
        token=token,
    )["productVariants"]["edges"]
    variant = next(v["node"] for v in variants if (v["node"]["quantityAvailable"] or 0) > 0)
    address = {
        "firstName": "Ann",
        "lastName": "Lee",
        "streetAddress1": "1600 Amphitheatre Pkwy",
        "city": "Mountain View",
        "postalCode": "94043",
        "country": "US",
        "countryArea": "CA",
    }
    draft = graphql(
        api,
        """mutation($input: DraftOrderCreateInput!) { draftOrderCreate(input: $input) {
             order { id shippingMethods { id active } } errors { field code message } } }""",
        {
            "input": {
                "channelId": channel["id"],
                "userEmail": "ann.lee@example.com",
                "lines": [{"variantId": variant["id"], "quantity": 1}],
                "shippingAddress": address,
                "billingAddress": address,
            }
        },
        token=token,
    )["draftOrderCreate"]
    assert not draft["errors"], draft
    order = draft["order"]
    methods = [m["id"] for m in order["shippingMethods"] if m["active"]]
    if variant["product"]["productType"]["isShippingRequired"]:
        assert methods, "no shipping method for the draft order's address"
        updated = graphql(
            api,
            """mutation($id: ID!, $m: ID!) { draftOrderUpdate(id: $id, input: {shippingMethod: $m}) {
                 errors { field code message } } }""",
            {"id": order["id"], "m": methods[0]},
            token=token,
        )["draftOrderUpdate"]
        assert not updated["errors"], updated
    completed = graphql(
        api,
        "mutation($id: ID!) { draftOrderComplete(id: $id) { order { id number } errors { field code message } } }",
        {"id": order["id"]},
        token=token,
    )["draftOrderComplete"]
    assert not completed["errors"], completed
    paid = graphql(
        api,
        "mutation($id: ID!) { orderMarkAsPaid(id: $id) { errors { field code message } } }",
        {"id": order["id"]},
        token=token,
    )["orderMarkAsPaid"]
    assert not paid["errors"], paid
    return order["id"], completed["order"]["number"]


def test_07_a_failed_delivery_is_retried_from_the_order_page(session, hooks):
    page, saleor = session.page, session.saleor
    # An order desk that refuses the first postback (404: failed, no automatic retry).
    hooks.script("/order-desk", Reply(404, body=b"unknown order"))
    app = session.app_frame()
    app.get_by_role("button", name="Create channel").click()
    create = app.get_by_test_id("create-channel-dialog")
    create.get_by_label("Name").fill("Order desk")
    create.get_by_label("Postback URL").fill(hooks.url("/order-desk"))
    create.get_by_role("button", name="Create channel").click()
    app.get_by_role("button", name="I have stored it").click()
    app.get_by_role("button", name="System notifications", exact=True).click()
    app.get_by_test_id("event-row-ORDER_COMPLETED").get_by_role("button", name="Order completed").click()
    app.get_by_role("button", name="Attach channel").click()
    dialog = app.get_by_test_id("attach-dialog")
    dialog.get_by_test_id("channel-select").get_by_label("Channel").click()
    app.get_by_role("option", name=re.compile("Order desk")).click()
    dialog.get_by_role("button", name="Save").click()
    expect(app.get_by_test_id("attachment")).to_have_count(1)

    order_id, number = _admin_order(saleor)
    deadline = time.monotonic() + 60
    while not hooks.received("/order-desk"):
        assert time.monotonic() < deadline, f"no postback reached the order desk\n{saleor.log_tail('worker')}"
        time.sleep(0.5)
    assert hooks.received("/order-desk")[0].verified is None

    session.go(f"orders/{order_id}")
    widget_frame = page.frame_locator('iframe[data-test-id="app-frame"]').first
    session.wait_app_ready(widget_frame)
    row = widget_frame.get_by_test_id("delivery-row")
    expect(row).to_have_count(1, timeout=30_000)
    expect(row.get_by_test_id("delivery-status")).to_have_attribute("data-status", "FAILED")
    expect(row).to_contain_text("HTTP 404")
    # The widget fits its column: Retry is in reach without scrolling sideways.
    frame = session.app_frame_object("order")
    size = frame.evaluate(
        "() => ({w: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth,"
        " h: document.documentElement.scrollHeight, ch: document.documentElement.clientHeight})"
    )
    assert size["cw"] <= WIDGET_COLUMN_MAX_PX and size["w"] <= size["cw"], size
    assert size["h"] <= size["ch"] + 1, size
    retry = row.get_by_role("button", name="Retry")
    box, frame_box = retry.bounding_box(), page.locator('iframe[data-test-id="app-frame"]').first.bounding_box()
    assert box and frame_box and box["x"] + box["width"] <= frame_box["x"] + frame_box["width"], (box, frame_box)
    widget = page.locator('iframe[data-test-id="app-frame"]').first
    widget.evaluate("el => el.scrollIntoView({block: 'center'})")
    shots(session, "17-order-widget-failed")

    retry.click()
    expect(row.get_by_test_id("delivery-status")).to_have_attribute("data-status", "SUCCESS", timeout=30_000)
    expect(row.get_by_test_id("attempt-count")).to_have_text("2")
    assert len(hooks.received("/order-desk")) == 2
    bodies = [json.loads(r.body) for r in hooks.received("/order-desk")]
    assert bodies[0]["id"] == bodies[1]["id"] and bodies[0]["source"] == "admin"
    widget.evaluate("el => el.scrollIntoView({block: 'center'})")
    shots(session, "18-order-widget-retried")

    # The order page's More actions (the gear at the top) opens the same log in the dashboard's popup.
    page.locator('[data-test-id="show-more-button"]').first.click()
    page.get_by_text("Notification deliveries").click()
    popup = page.frame_locator('iframe[data-test-id="app-frame"]').last
    session.wait_app_ready(popup)
    expect(popup.get_by_test_id("delivery-row")).to_have_count(1)
    shots(session, "19-order-popup")
    session.state["order_number"] = number
    session.state["order_id"] = order_id


# --- After day one ---------------------------------------------------------------------------


def open_system_notifications(session: Session) -> FrameLocator:
    """The app's System notifications page, through the dashboard's menu entry."""
    session.go("orders")
    session.page.get_by_role("link", name="System notifications").first.click()
    expect(session.page).to_have_url(re.compile(r"/extensions/app/[^/]+/events"), timeout=30_000)
    return session.wait_app_ready()


def open_channel(session: Session, name: str) -> FrameLocator:
    app = open_system_notifications(session)
    app.get_by_role("button", name="Channels", exact=True).click()
    app.get_by_test_id("channel-row").filter(has_text=name).click()
    expect(app.get_by_role("heading", name=name)).to_be_visible()
    return app


def create_channel(app: FrameLocator, name: str, url: str, *, pause_on_alert: bool = False) -> None:
    """On the Channels page: a postback channel (its signing secret acknowledged)."""
    app.get_by_role("button", name="Create channel").click()
    create = app.get_by_test_id("create-channel-dialog")
    create.get_by_label("Name").fill(name)
    create.get_by_label("Postback URL").fill(url)
    if pause_on_alert:
        create.get_by_text("Pause when it alerts").click()
    create.get_by_role("button", name="Create channel").click()
    app.get_by_role("button", name="I have stored it").click()


def attach_to_order_completed(app: FrameLocator, channel_name: str, count_after: int) -> None:
    app.get_by_role("button", name="System notifications", exact=True).click()
    app.get_by_test_id("event-row-ORDER_COMPLETED").get_by_role("button", name="Order completed").click()
    app.get_by_role("button", name="Attach channel").click()
    dialog = app.get_by_test_id("attach-dialog")
    dialog.get_by_test_id("channel-select").get_by_label("Channel").click()
    app.get_by_role("option", name=re.compile(re.escape(channel_name))).click()
    dialog.get_by_role("button", name="Save").click()
    expect(app.get_by_test_id("attachment")).to_have_count(count_after)


def deliveries(channel_name: str, status: str) -> int:
    return int(_psql(
        "SELECT count(*) FROM saleor_notify_delivery d JOIN saleor_notify_notificationchannel c"
        f" ON c.id = d.channel_id WHERE c.name = '{channel_name}' AND d.status = '{status}'",
        db=RUN_DB,
    ))


def test_08_system_notifications_links_the_event_catalog(session):
    app = open_system_notifications(session)
    link = app.get_by_role("link", name="event catalog (AsyncAPI 3.0)")
    expect(link).to_be_visible()
    link.scroll_into_view_if_needed()
    shots(session, "20-event-catalog-link")
    with session.page.context.expect_page() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url == f"{session.saleor.base_url}/plugins/global/{PLUGIN}/app/asyncapi.json", tab.url
    catalog = json.loads(tab.locator("body").inner_text())
    assert catalog["asyncapi"] == "3.0.0" and len(catalog["operations"]) == 10, sorted(catalog)
    tab.close()


def test_09_an_attachment_is_limited_to_one_of_the_shops_stores(session):
    token = staff_token(session.saleor)
    stores = graphql(session.saleor.api_url, "{ channels { slug name isActive } }", token=token)["channels"]
    assert len(stores) >= 2, stores  # the populated shop has a store per currency
    ordering = next(c for c in stores if c["isActive"])  # where _admin_order places its orders
    other = next(c for c in stores if c["slug"] != ordering["slug"])
    app = open_system_notifications(session)
    app.get_by_test_id("event-row-ORDER_COMPLETED").get_by_role("button", name="Order completed").click()
    attachment = app.get_by_test_id("attachment").filter(has_text="Order desk")
    expect(attachment.get_by_test_id("attachment-stores")).to_have_count(0)  # every store: nothing to say
    attachment.get_by_role("button", name="Actions for Order desk").click()
    app.get_by_role("menuitem", name="Edit").click()
    edit = app.get_by_test_id("edit-dialog")
    expect(edit.get_by_test_id("stores").get_by_role("checkbox")).to_have_count(len(stores))
    edit.get_by_role("checkbox", name=other["name"], exact=True).click()
    shots(session, "21-attachment-stores")
    edit.get_by_role("button", name="Save").click()
    expect(edit).to_be_hidden()
    expect(attachment.get_by_test_id("attachment-stores")).to_have_text(other["name"])
    shots(session, "22-attachment-limited-to-a-store")
    session.state["order_store"], session.state["other_store"] = ordering, other


def test_10_each_attempts_exchange_on_the_channel_page_and_in_the_order_widget(session, hooks):
    sent = hooks.received("/order-desk")
    app = open_channel(session, "Order desk")
    health = app.get_by_test_id("health")
    expect(health).to_contain_text("Last 24 h: 2 attempts, 50% succeeded.")
    expect(health).to_contain_text("Consecutive failures: 0")
    shots(session, "23-channel-health")
    row = app.get_by_test_id("channel-deliveries").get_by_test_id("delivery-row")
    expect(row).to_have_count(1)
    row.get_by_role("button", name="View attempts").click()
    first = app.get_by_role("region", name="Attempt 1")
    expect(first.get_by_test_id("request-headers")).to_contain_text("webhook-signature: v1,[masked]")
    expect(first.get_by_test_id("request-headers")).to_contain_text(f"webhook-id: {sent[0].headers['webhook-id']}")
    assert first.get_by_test_id("request-body").inner_text() == sent[0].body.decode()
    expect(first.get_by_test_id("response-headers")).to_contain_text("Status 404")
    expect(first.get_by_test_id("response-excerpt")).to_have_text("unknown order")
    command = first.get_by_test_id("curl-command").inner_text()
    assert '"webhook-signature: $WEBHOOK_SIGNATURE"' in command and hooks.url("/order-desk") in command, command
    html = session.app_frame_object("channels").content()
    assert sent[0].headers["webhook-signature"][3:] not in html  # the signature is never shown
    first.get_by_role("button", name="Copy curl command").click()
    expect(first.get_by_test_id("copy-result")).to_be_visible()
    first.scroll_into_view_if_needed()
    shots(session, "24-channel-attempt-exchange")

    # The order page's widget: the same behind "View payload".
    session.go(f"orders/{session.state['order_id']}")
    widget = session.page.frame_locator('iframe[data-test-id="app-frame"]').first
    session.wait_app_ready(widget)
    widget.get_by_test_id("delivery-row").get_by_role("button", name="View payload").click()
    latest = widget.get_by_role("region", name="Attempt 2")
    assert latest.get_by_test_id("request-body").inner_text() == sent[1].body.decode()
    expect(latest.get_by_test_id("response-headers")).to_contain_text("Status 200")
    frame = session.app_frame_object("order")
    size = frame.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert size[0] <= size[1] <= WIDGET_COLUMN_MAX_PX, size  # long lines wrap: nothing to scroll sideways
    session.page.locator('iframe[data-test-id="app-frame"]').first.evaluate(
        "el => el.scrollIntoView({block: 'center'})")
    shots(session, "25-order-widget-payload")


def test_11_recover_since_sends_a_channels_failures_again_after_a_dry_run(session, hooks):
    hooks.script("/warehouse", Reply(400, body=b"bad request"), Reply(400, body=b"bad request"))
    app = open_system_notifications(session)
    app.get_by_role("button", name="Channels", exact=True).click()
    create_channel(app, "Warehouse", hooks.url("/warehouse"))
    attach_to_order_completed(app, "Warehouse", count_after=2)
    desk_before = len(hooks.received("/order-desk"))
    for _ in range(2):
        _admin_order(session.saleor)
    wait_for(lambda: deliveries("Warehouse", "FAILED") == 2, 90, 0.5,
             what=lambda: f"the warehouse's two deliveries did not fail\n{session.saleor.log_tail('worker')}")
    first_two = hooks.received("/warehouse")
    assert len(first_two) == 2
    store = session.state["order_store"]
    assert {json.loads(r.body)["data"]["saleor_channel"]["slug"] for r in first_two} == {store["slug"]}
    # The order desk is limited to the other store: none of these orders reached it.
    assert len(hooks.received("/order-desk")) == desk_before

    app = open_channel(session, "Warehouse")
    app.get_by_role("button", name="Recover since…").click()
    dialog = app.get_by_test_id("recover-dialog")
    since = time.strftime("%Y-%m-%dT%H:%M", time.gmtime(time.time() - 3600))  # the browser runs in UTC
    dialog.get_by_label("Failed since").fill(since)
    dialog.get_by_role("button", name="Preview").click()
    expect(dialog.get_by_test_id("recover-preview")).to_contain_text("2 failed deliveries will be sent again")
    expect(dialog.get_by_test_id("recover-row")).to_have_count(2)
    expect(dialog.get_by_test_id("recover-row").first).to_contain_text("HTTP 400")
    shots(session, "26-recover-since-preview")
    assert len(hooks.received("/warehouse")) == 2  # the dry run sent nothing
    dialog.get_by_role("button", name="Send 2 again").click()
    expect(app.get_by_test_id("recover-result")).to_contain_text("2 deliveries queued to be sent again")
    wait_for(lambda: deliveries("Warehouse", "SUCCESS") == 2, 60, 0.5,
             what=lambda: f"not sent again\n{session.saleor.log_tail('worker')}")
    again = hooks.received("/warehouse")
    assert len(again) == 4
    assert sorted(r.headers["webhook-id"] for r in again[2:]) == sorted(r.headers["webhook-id"] for r in first_two)
    shots(session, "27-recover-since-queued")


def test_12_a_failing_channel_alerts_staff_pauses_and_releases_its_deliveries_on_resume(session, hooks, mail):
    page = session.page
    # The plugin's page: alert at the first failure without a success, to the shop's operator.
    session.go(f"extensions/plugin/{PLUGIN}")
    expect(page.get_by_text("Notifications settings details")).to_be_visible(timeout=30_000)
    page.locator('input[name="alert_after_minutes"]').fill("0")
    page.locator('input[name="alert_emails"]').fill("ops@example.com")
    page.locator('[data-test-id="button-bar-confirm"]').click()
    expect(page.get_by_text("Plugin settings updated")).to_be_visible(timeout=30_000)

    hooks.script("/returns", Reply(410, body=b"gone"))  # then 200
    app = open_system_notifications(session)
    app.get_by_role("button", name="Channels", exact=True).click()
    create_channel(app, "Returns desk", hooks.url("/returns"), pause_on_alert=True)
    attach_to_order_completed(app, "Returns desk", count_after=3)
    _admin_order(session.saleor)
    wait_for(lambda: deliveries("Returns desk", "FAILED") == 1, 60, 0.5,
             what=lambda: f"no failed delivery\n{session.saleor.log_tail('worker')}")
    # The sweep (every 5 s here) alerts: one e-mail through Saleor's e-mail settings, and the pause.
    wait_for(lambda: any("Returns desk" in m[2].decode(errors="replace") for m in mail.messages), 60, 0.5,
             what=lambda: f"no alert e-mail: {mail.messages}\n{session.saleor.log_tail('worker')}")
    alert = [m for m in mail.messages if "Returns desk" in m[2].decode(errors="replace")]
    assert len(alert) == 1 and alert[0][1] == ["ops@example.com"], alert

    # Held while paused: the next order's delivery waits.
    _admin_order(session.saleor)
    wait_for(lambda: deliveries("Returns desk", "PENDING") == 1, 60, 0.5,
             what=lambda: f"not held\n{session.saleor.log_tail('worker')}")
    time.sleep(2)
    assert len(hooks.received("/returns")) == 1

    app = open_system_notifications(session)
    banner = app.get_by_role("alert", name="Failing channels")
    expect(banner.get_by_role("button", name="Returns desk")).to_be_visible(timeout=30_000)
    expect(banner).to_contain_text("paused: deliveries held until you resume it")
    shots(session, "28-failing-channel-banner")
    banner.get_by_role("button", name="Returns desk").click()
    health = app.get_by_test_id("health")
    expect(health).to_contain_text("Paused")
    expect(health).to_contain_text("1 delivery is held")
    shots(session, "29-channel-paused")
    health.get_by_role("button", name="Resume").click()
    expect(health).not_to_contain_text("Paused")
    wait_for(lambda: len(hooks.received("/returns")) == 2, 60, 0.5,
             what=lambda: f"the held delivery was not released\n{session.saleor.log_tail('worker')}")
    app = open_channel(session, "Returns desk")
    expect(app.get_by_test_id("health")).to_contain_text("Recovering")
    expect(app.get_by_test_id("health")).to_contain_text("Last 24 h: 2 attempts, 50% succeeded.")
    shots(session, "30-channel-resumed")

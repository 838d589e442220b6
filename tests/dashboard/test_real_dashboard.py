"""The seed's procedure in the real Saleor dashboard, from installing the app to retrying on the order page.

One shop owner's session, step by step (the tests run in order and share the browser tab):
log in, switch events on in the plugin's page, install the app from its manifest URL through
the dashboard's own install screen, open System notifications from the menu, enable / attach /
edit / delete, the Channels page, and a failed delivery retried from the order page. Each step
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

"""The workbench on an intranet, in a real browser (issue 23): each role signs in and sees only
what it may; a page on another origin cannot post to it; a name that is not on the Host
allow-list (DNS rebinding) is refused; the audit log lists what this test did.

Screenshots (the sign-in page, a reader's home page and a refused page) go to
$LANDRULES_SCREENSHOTS (default: the test's tmp dir).
"""

from __future__ import annotations

import http.server
import threading

import pytest

from browser_helpers import free_port, launched, require_chromium, start_server, stop
from landrules.record import accounts
from landrules.record.store import Store
from web_helpers import SAMPLE

require_chromium()

pytestmark = pytest.mark.slow  # long: see `slow` in pyproject.toml

PASSWORD = "correct horse battery"
ACCOUNTS = {"读者": "查看", "填报员": "填报", "审核员": "审核", "管理员": "管理"}
# what each role's menu shows, and a page each role is refused
MENU = {"查看": {"首页", "各期记录", "政策条款", "规则与参数", "接口文档"},
        "填报": {"上传台账", "各期记录", "政策条款", "规则与参数", "参数试算", "接口文档"},
        "审核": {"上传台账", "各期记录", "政策条款", "规则与参数", "参数试算", "接口文档"},
        "管理": {"上传台账", "各期记录", "政策条款", "规则与参数", "参数试算", "接口文档", "账户与审计"}}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "store.duckdb"
    with Store.open(path) as opened:
        for name, role in ACCOUNTS.items():
            accounts.add(opened.con, name, role, PASSWORD)
    return path


@pytest.fixture(scope="module")
def server(store, tmp_path_factory):
    url, proc = start_server(tmp_path_factory.mktemp("server") / "serve.log", "--store", str(store))
    try:
        yield url
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def attacker(server, tmp_path_factory):
    """Another site on this machine (127.0.0.1, another port): its page posts a form to the
    workbench as soon as it opens (sign the officer out), and a fetch to the API."""
    folder = tmp_path_factory.mktemp("attacker")
    (folder / "evil.html").write_text(f"""<!doctype html><meta charset="utf-8"><body>
<form id="f" method="post" action="{server}/logout"><input name="csrf_token" value="guessed"></form>
<script>document.getElementById('f').submit();</script></body>""", encoding="utf-8")
    (folder / "quiet.html").write_text("<!doctype html><title>另一个网站</title>", encoding="utf-8")
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    with launched("--host-resolver-rules=MAP rebind.test 127.0.0.1") as chromium:  # rebind.test: this machine,
        yield chromium  # as a DNS-rebinding name would resolve


SLOW = 120_000  # ms: a sign-in checks an argon2 hash, slow on purpose (and slower on a busy machine)


def new_context(browser, height: int = 800):
    context = browser.new_context(viewport={"width": 1280, "height": height})
    context.set_default_timeout(SLOW)
    context.set_default_navigation_timeout(SLOW)
    return context


def sign_in(context, server: str, name: str, password: str = PASSWORD):
    page = context.new_page()
    page.goto(server + "/")
    page.wait_for_url("**/login?next=*")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button:has-text('登录')")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def menu(page) -> set[str]:
    return set(page.locator("header.top nav a").all_inner_texts())


def test_each_role_signs_in_and_sees_only_what_it_may(server, browser, shots):
    context = new_context(browser)
    page = context.new_page()
    page.goto(server + "/whatif")
    page.wait_for_url("**/login?next=%2Fwhatif")
    shots(page, "20-login")
    assert menu(page) == set()  # nothing before signing in
    page.fill("input[name=name]", "读者")
    page.fill("input[name=password]", "not the password")
    page.click("button:has-text('登录')")
    assert "账户名或密码不对" in page.inner_text("#login-error")  # waits for the answer
    shots(page, "21-login-failed")
    context.close()

    for name, role in ACCOUNTS.items():
        context = new_context(browser)
        page = sign_in(context, server, name)
        assert page.inner_text("#whoami") == f"{name} · {role}"
        assert menu(page) == MENU[role], name
        page.goto(server + "/accounts")
        if role == "管理":
            assert sorted(page.locator("#accounts tr[data-name]").evaluate_all("rs => rs.map(r => r.dataset.name)")) \
                == sorted(ACCOUNTS)
        else:
            assert "无权进行此操作" in page.inner_text("main") and "需要「管理」" in page.inner_text("main")
        page.goto(server + "/whatif")
        if role == "查看":
            assert f"账户 {name}（查看）无权进行此操作：需要「填报」" in page.inner_text("main")
            assert "状态码 403" in page.inner_text("main") and menu(page) == MENU["查看"]  # the menu stays
            shots(page, "22-reader-refused")
            page.goto(server + "/")
            assert page.locator("input[name=ledger]").count() == 0 and "不能上传或决策台账" in page.inner_text("#read-only")
            shots(page, "23-reader-home")
        else:
            assert page.locator("#param").count() == 1
        if role == "填报":  # uploads and decides, as before accounts
            page.goto(server + "/")
            page.set_input_files("input[name=ledger]", str(SAMPLE))
            page.fill("input[name=as_of]", "2021-10-01")
            page.click("button:has-text('上传并查看列识别结果')")
            page.wait_for_url("**/columns")
            page.click("text=开始逐宗决策")
            page.wait_for_url("**/summary")
            assert page.inner_text("#rows") == "40"
            shots(page, "24-uploader-summary")
        page.click("header.top form.whoami button")  # sign out
        page.wait_for_url("**/login")
        page.goto(server + "/rules")
        page.wait_for_url("**/login?next=%2Frules")
        context.close()


def test_another_origin_cannot_post_and_a_foreign_host_is_refused(server, attacker, browser, shots):
    context = new_context(browser)
    page = sign_in(context, server, "填报员")
    assert page.inner_text("#whoami") == "填报员 · 填报"
    page.goto(attacker + "/evil.html")  # its form posts to the workbench on arrival
    page.wait_for_url(server + "/logout")
    assert "拒绝跨站请求：它来自 " + attacker in page.inner_text("main")
    shots(page, "25-cross-origin-refused")
    page.goto(attacker + "/quiet.html")  # a script of the other site posts with the officer's cookie
    sent = page.evaluate("""async (url) => {
        const r = await fetch(url + '/logout', {method: 'POST', mode: 'no-cors', credentials: 'include',
                                                body: new URLSearchParams({csrf_token: 'guessed'})});
        return r.type; }""", server)
    assert sent == "opaque"  # the browser sent it; what came back is hidden from the other site
    page.goto(server + "/rules")  # still signed in: neither post signed the officer out
    assert page.inner_text("#whoami") == "填报员 · 填报"
    port = server.rsplit(":", 1)[1]
    page.goto(f"http://rebind.test:{port}/login")
    assert f"主机名 rebind.test:{port} 不在本工作台允许的名称之列" in page.inner_text("main")
    shots(page, "26-foreign-host-refused")
    context.close()


def test_the_audit_log_lists_this_tests_actions(server, browser, shots):
    context = new_context(browser, 900)
    page = sign_in(context, server, "管理员")
    page.goto(server + "/accounts")
    rows = page.locator("#audit tr[data-action]").evaluate_all(
        "rs => rs.map(r => [r.dataset.action, ...Array.from(r.cells).map(c => c.innerText)])")
    seen = {(r[0], r[2], r[4]) for r in rows}  # action, 操作人, 对象
    for name in ACCOUNTS:
        assert ("login", name, name) in seen, name
    assert ("login_failed", "（未登录）", "读者") in seen
    assert ("logout", "填报员", "填报员") in seen
    assert all(r[6] == "127.0.0.1" for r in rows if r[0] in ("login", "login_failed", "logout"))
    shots(page, "27-accounts-and-audit")
    context.close()

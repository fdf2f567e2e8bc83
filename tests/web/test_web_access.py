"""The workbench on an intranet (issue 23): the Host allow-list, the Origin and anti-forgery
checks, sign-in, roles, sessions bound to an account, API tokens, cookie flags, the audit log
— through FastAPI's TestClient (the browser test is test_web_browser_roles.py)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from landrules.record import accounts, audit
from landrules.record.store import Store
from web_helpers import SAMPLE, Officer, make_app, upload

PASSWORD = "correct horse battery"
pytestmark = pytest.mark.long_file  # its first rulebook page waits for the scenarios' coverage (web/coverage.py, a child process)
ROLES = {"读者": "查看", "填报员": "填报", "审核员": "审核", "管理员": "管理"}


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("store") / "s.duckdb"
    with Store.open(path) as store:
        for name, role in ROLES.items():
            accounts.add(store.con, name, role, PASSWORD)
    return path


@pytest.fixture(scope="module")
def guarded(rulebook, store_path):
    return make_app(rulebook, store=store_path)


def token_of(page_text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_text).group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD, next_url: str = "/"):
    form = client.get("/login")
    return client.post("/login", data={"name": name, "password": password, "next": next_url,
                                       "csrf_token": token_of(form.text)})


def entries(store_path):
    with Store.open(store_path) as store:
        return audit.entries(store.con, 1000)


# -- without accounts: one officer at this machine, as before ------------------------------------

def test_a_foreign_host_is_refused_before_anything(app):
    with TestClient(app) as c:
        page = c.get("/", headers={"Host": "attacker.example"})
        assert page.status_code == 400 and "主机名 attacker.example 不在本工作台允许的名称之列" in page.text
        api = c.post("/api/decide", json={"parcels": []}, headers={"Host": "attacker.example:8000"})
        assert api.status_code == 400 and "--allowed-host" in api.json()["error"]
        assert c.get("/", headers={"Host": "localhost:8000"}).status_code == 200
        assert c.get("/", headers={"Host": "127.0.0.1"}).status_code == 200


@pytest.mark.parametrize("header", ["Origin", "Referer"])
def test_a_cross_origin_post_is_refused_and_changes_nothing(app, header):
    source = "http://127.0.0.1:9999" + ("/evil.html" if header == "Referer" else "")
    with Officer(app) as c:
        before = set(app.state.store.sessions)
        with open(SAMPLE, "rb") as handle:
            page = c.post("/upload", files={"ledger": ("a.csv", handle)}, data={"as_of": "2021-10-01"},
                          headers={header: source})
        assert page.status_code == 403 and "拒绝跨站请求：它来自 http://127.0.0.1:9999" in page.text
        assert "evil.html" not in page.text and set(app.state.store.sessions) == before
        api = c.post("/api/decide", json={"parcels": [{"parcel_id": "A"}]}, headers={header: source})
        assert api.status_code == 403 and "拒绝跨站请求" in api.json()["error"]
        assert c.post("/api/decide", json={"parcels": []}, headers={"Origin": "null"}).status_code == 403
        # the same page, same host and port: accepted
        ok = c.post("/api/decide", json={"parcels": []}, headers={header: "http://testserver/"})
        assert ok.status_code == 200


def test_a_form_without_the_pages_token_is_refused(app):
    with TestClient(app) as c:
        home = c.get("/")
        assert "httponly" in home.headers["set-cookie"].lower() and "samesite=strict" in home.headers["set-cookie"].lower()
        with open(SAMPLE, "rb") as handle:
            page = c.post("/upload", files={"ledger": ("a.csv", handle)}, data={"as_of": "2021-10-01"})
        assert page.status_code == 403 and "防伪令牌" in page.text
        with open(SAMPLE, "rb") as handle:
            wrong = c.post("/upload", files={"ledger": ("a.csv", handle)},
                           data={"as_of": "2021-10-01", "csrf_token": "x" * 43})
        assert wrong.status_code == 403
        with open(SAMPLE, "rb") as handle:
            right = c.post("/upload", files={"ledger": ("a.csv", handle)},
                           data={"as_of": "2021-10-01", "csrf_token": token_of(home.text)})
        assert right.status_code == 200 and right.url.path == "/columns"
        # now the session's own token: the pre-session one no longer serves
        assert c.post("/decide", data={"csrf_token": token_of(home.text)}).status_code == 403
        assert c.post("/decide", data={"csrf_token": token_of(right.text)}, follow_redirects=False).status_code == 303


def test_scripts_post_to_the_api_without_a_token_when_there_are_no_accounts(app):
    with TestClient(app) as c:
        answer = c.post("/api/decide", json={"as_of": "2021-10-01", "parcels": [{"parcel_id": "A"}]})
        assert answer.status_code == 200 and answer.json()["decisions"][0]["parcel_id"] == "A"


def test_without_accounts_a_proxied_request_is_refused(app):
    with Officer(app) as c:
        page = c.get("/", headers={"X-Forwarded-For": "10.1.2.3"})
        assert page.status_code == 403 and "经反向代理访问工作台需要账户" in page.text


# -- with accounts ---------------------------------------------------------------------------------

def test_every_page_needs_a_sign_in(guarded):
    with TestClient(guarded) as c:
        for url in ("/", "/rulebook", "/rules", "/whatif", "/docs", "/openapi.json", "/accounts", "/summary"):
            page = c.get(url, follow_redirects=False)
            assert page.status_code == 303 and page.headers["location"].startswith("/login?next="), url
        assert c.get("/api/rulebook").status_code == 401
        assert c.get("/api/rulebook").headers["www-authenticate"] == "Bearer"
        assert c.post("/api/decide", json={"parcels": []}).status_code == 401
        assert c.get("/static/style.css").status_code == 200  # assets are not secret
        assert "登录决策工作台" in c.get("/login").text


def test_a_sign_in_binds_a_new_session_to_the_account(guarded, store_path):
    with TestClient(guarded) as c:
        c.cookies.set("landrules_session", "planted-by-someone-else", domain="testserver.local")
        page = sign_in(c, "填报员", next_url="/rules")
        assert page.status_code == 200 and page.url.path == "/rules"
        sid = c.cookies["landrules_session"]
        assert sid != "planted-by-someone-else" and guarded.state.store.sessions[sid].user == "填报员"
        cookie = next(v for k, v in page.history[0].headers.multi_items() if k == "set-cookie" and "landrules_session=" in v)
        cookie = cookie.lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
        assert '<span id="whoami">填报员 · 填报</span>' in page.text
    got = entries(store_path)
    assert any(e.action == "login" and e.actor == "填报员" and e.origin == "testclient" for e in got)


def test_a_wrong_password_is_refused_and_logged(guarded, store_path):
    with TestClient(guarded) as c:
        page = sign_in(c, "读者", "wrong password!")
        assert page.status_code == 401 and "账户名或密码不对" in page.text and "landrules_session" not in c.cookies
        nobody = sign_in(c, "没有此人", PASSWORD)
        assert nobody.status_code == 401 and nobody.text.count("账户名或密码不对") == page.text.count("账户名或密码不对")
    failed = [(e.actor, e.target) for e in entries(store_path) if e.action == "login_failed"]
    assert ("（未登录）", "读者") in failed and ("（未登录）", "没有此人") in failed


def test_the_sign_in_form_needs_its_token(guarded):
    with TestClient(guarded) as c:
        c.get("/login")
        page = c.post("/login", data={"name": "管理员", "password": PASSWORD})
        assert page.status_code == 403 and "landrules_session" not in c.cookies


def test_repeated_failures_hold_the_name(rulebook, store_path, monkeypatch):
    from landrules.web.access import signin

    monkeypatch.setattr(signin, "_failures", {})
    with TestClient(make_app(rulebook, store=store_path)) as c:
        for _ in range(signin.TRIES):
            assert sign_in(c, "审核员", "not the password").status_code == 401
        held = sign_in(c, "审核员", PASSWORD)  # the right password, too late
        assert held.status_code == 429 and "暂停 5 分钟" in held.text


@pytest.mark.parametrize("name, allowed, refused", [
    ("读者", ["/", "/rulebook", "/rules", "/docs", "/openapi.json"], ["/whatif", "/columns", "/accounts"]),
    ("填报员", ["/", "/whatif", "/rules"], ["/accounts"]),
    ("审核员", ["/", "/whatif"], ["/accounts"]),
    ("管理员", ["/", "/whatif", "/accounts"], []),
])
def test_each_role_sees_only_what_it_may(guarded, name, allowed, refused):
    with Officer(guarded) as c:
        sign_in(c, name)
        for url in allowed:
            page = c.get(url)
            assert page.status_code in (200, 400), (url, page.status_code)  # 400: /columns before an upload
            assert "无权进行此操作" not in page.text, url
        for url in refused:
            page = c.get(url)
            assert page.status_code == 403 and f"账户 {name}（{ROLES[name]}）无权进行此操作" in page.text, url
        home = c.get("/").text
        assert ('action="/upload"' in home) == (name != "读者")
        assert ('href="/whatif"' in home) == (name != "读者")
        assert ('href="/accounts"' in home) == (name == "管理员")


def test_a_reader_cannot_upload_decide_or_call_the_deciding_api(guarded):
    with Officer(guarded) as c:
        sign_in(c, "读者")
        with open(SAMPLE, "rb") as handle:
            page = c.post("/upload", files={"ledger": ("a.csv", handle)}, data={"as_of": "2021-10-01"})
        assert page.status_code == 403 and "需要「填报」" in page.text
        assert c.post("/api/decide", json={"parcels": []}).status_code == 403
        assert c.get("/api/rulebook").status_code == 200


def test_the_api_signed_in_by_cookie_needs_the_token_header(guarded):
    with Officer(guarded) as c:
        sign_in(c, "填报员")
        plain = c.post("/api/decide", json={"parcels": []}, headers={"X-CSRF-Token": ""})
        assert plain.status_code == 403 and "防伪令牌" in plain.json()["error"]
        assert c.post("/api/decide", json={"parcels": []}).status_code == 200  # Officer sends the header


def test_an_api_token_works_without_a_session_and_only_for_its_role(guarded, store_path):
    with Store.open(store_path) as store:
        token = accounts.issue_token(store.con, "填报员")
        reader = accounts.issue_token(store.con, "读者")
    with TestClient(guarded) as c:
        answer = c.post("/api/decide", json={"as_of": "2021-10-01", "parcels": [{"parcel_id": "A"}]},
                        headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200 and answer.json()["decisions"][0]["parcel_id"] == "A"
        assert c.post("/api/decide", json={"parcels": []}, headers={"Authorization": f"Bearer {reader}"}).status_code == 403
        assert c.get("/api/rulebook", headers={"Authorization": f"Bearer {reader}"}).status_code == 200
        bad = c.get("/api/rulebook", headers={"Authorization": "Bearer lr_not-a-token"})
        assert bad.status_code == 401 and "接口令牌无效" in bad.json()["error"]
        assert c.get("/api/rulebook", headers={"Authorization": f"Basic {token}"}).status_code == 401
        assert c.get("/rules", headers={"Authorization": f"Bearer {token}"}, follow_redirects=False).status_code == 303


def test_a_disabled_account_is_signed_out(rulebook, tmp_path):
    path = tmp_path / "s.duckdb"
    with Store.open(path) as store:
        accounts.add(store.con, "管理员", "管理", PASSWORD)
        accounts.add(store.con, "临时", "填报", PASSWORD)
    app = make_app(rulebook, store=path)
    with Officer(app) as admin, Officer(app) as temp:
        sign_in(admin, "管理员")
        sign_in(temp, "临时")
        assert temp.get("/whatif").status_code == 200
        page = admin.post("/accounts/disable", data={"name": "临时"})
        assert page.status_code == 200 and "已停用账户 临时" in page.text
        assert temp.get("/whatif", follow_redirects=False).status_code == 303  # back to the sign-in
        assert sign_in(temp, "临时").status_code == 401
        mine = admin.post("/accounts/disable", data={"name": "管理员"})
        assert mine.status_code == 400 and "不能停用自己" in mine.text
        added = admin.post("/accounts", data={"name": "新人", "role": "查看", "password": PASSWORD})
        assert added.status_code == 200 and "已建立账户 新人（查看）" in added.text
        refused = admin.post("/accounts", data={"name": "新人2", "role": "查看", "password": "short"})
        assert refused.status_code == 400 and "密码太短" in refused.text
    got = [(e.actor, e.action, e.target) for e in entries(path)]
    assert ("管理员", "account_disabled", "临时") in got and ("管理员", "account_added", "新人") in got


def test_signing_out_ends_the_session_and_its_files(guarded, store_path):
    with Officer(guarded) as c:
        sign_in(c, "填报员")
        assert upload(c).url.path == "/columns"
        session = guarded.state.store.sessions[c.cookies["landrules_session"]]
        page = c.post("/logout")
        assert page.url.path == "/login" and not session.folder.exists()
        assert session.id not in guarded.state.store.sessions
        assert c.get("/columns", follow_redirects=False).status_code == 303
    assert any(e.action == "logout" and e.actor == "填报员" for e in entries(store_path))


def test_cookies_are_secure_behind_https(rulebook, store_path):
    secure = make_app(rulebook, store=store_path, secure_cookies=True)
    with TestClient(secure) as c:
        assert "secure" in c.get("/login").headers["set-cookie"].lower()
    proxied = make_app(rulebook, store=store_path, trusted_proxies=("127.0.0.1",))
    with TestClient(proxied, client=("127.0.0.1", 50000)) as c:
        page = c.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.9.8.7"})
        assert "secure" in page.headers["set-cookie"].lower()
    with TestClient(proxied, client=("10.0.0.5", 50000)) as c:  # not the trusted proxy: not believed
        page = c.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "secure" not in page.headers["set-cookie"].lower()


def test_the_audit_names_the_client_behind_a_trusted_proxy(rulebook, store_path):
    proxied = make_app(rulebook, store=store_path, trusted_proxies=("127.0.0.1",))
    with TestClient(proxied, base_url="https://testserver", client=("127.0.0.1", 50000)) as c:
        form = c.get("/login", headers={"X-Forwarded-For": "10.9.8.7", "X-Forwarded-Proto": "https"})
        c.post("/login", data={"name": "审核员", "password": PASSWORD, "csrf_token": token_of(form.text)},
               headers={"X-Forwarded-For": "10.9.8.7", "X-Forwarded-Proto": "https", "Origin": "https://testserver"})
    assert any(e.action == "login" and e.actor == "审核员" and e.origin == "10.9.8.7" for e in entries(store_path))


@pytest.mark.parametrize("next_url", ["//evil.example/x", "/\t/evil.example", "/\\evil.example", "https://evil.example/"])
def test_a_sign_in_never_sends_the_browser_to_another_site(guarded, next_url):
    with TestClient(guarded) as c:
        page = sign_in(c, "读者", next_url=next_url)
        assert page.history[0].headers["location"] == "/" and page.url.path == "/"


def test_recording_a_run_needs_审核_and_is_audited_with_the_account(rulebook, tmp_path, monkeypatch):
    from landrules.record.runs import list_runs
    from web_helpers import decided

    path = tmp_path / "s.duckdb"
    with Store.open(path) as store:
        accounts.add(store.con, "填报员", "填报", PASSWORD)
        accounts.add(store.con, "审核员", "审核", PASSWORD)
    monkeypatch.setenv("LANDRULES_STORE", str(path))  # where the record's pages find the runs
    app = make_app(rulebook, store=path)
    with Officer(app) as c:
        sign_in(c, "填报员")
        summary = decided(c)
        assert 'id="record-form"' not in summary.text
        page = c.post("/runs/record", data={"label": ""})
        assert page.status_code == 403 and "需要「审核」" in page.text
        assert c.get("/runs").status_code == 200 and c.get("/runs/progress").status_code == 403
    with Officer(app) as c:
        sign_in(c, "审核员")
        assert 'id="record-form"' in decided(c).text
        page = c.post("/runs/record", data={"label": "2021Q4"})
        assert page.url.path == "/runs/1"
    with Store.open(path) as store:
        assert [(r.label, r.recorded_by) for r in list_runs(store)] == [("2021Q4", "审核员")]
    got = [(e.actor, e.action, e.target, e.origin) for e in entries(path)]
    assert ("审核员", "run_recorded", "第 1 期 2021Q4", "testclient") in got

"""Who may use the workbench, and from where (issue 23: the workbench on a bureau's intranet).

- `hosts`      the Host allow-list and the same-origin test (DNS rebinding, cross-site posts)
- `guard`      ASGI middleware: a foreign Host → 400, a cross-origin state change → 403
- `directory`  the accounts and the audit log in the store, as the server uses them (cached)
- `identity`   who a request is: a signed-in account, an API token, or the single local officer
- `csrf`       the per-session token every state-changing form and fetch carries
- `cookies`    the session cookie's flags (HttpOnly, SameSite=Strict, Secure behind HTTPS)
- `signin`     /login, /logout, and /accounts (the accounts and the audit log, for 管理)

Without accounts in the store, and bound to loopback, the workbench is one officer's, as
before: no sign-in (`landrules serve` refuses any other address without accounts).
"""

"""The workbench on issue 22's officer ledger: rows without id are listed by their row, and each
link opens its own row (the second `/` row used to open the first)."""

from __future__ import annotations

import officer_ledger as O
import pytest
from web_helpers import Officer as TestClient  # its posts carry the page's anti-forgery token
from web_helpers import decided, make_app


@pytest.fixture(scope="module")
def client(rulebook, tmp_path_factory):
    ledger = O.write(tmp_path_factory.mktemp("officer") / "台账.xlsx")
    with TestClient(make_app(rulebook)) as c:
        decided(c, ledger, O.AS_OF)
        yield c


def test_rows_without_id_link_to_their_own_row(client):
    page = client.get("/parcels").text
    for row in (4, 5, 9, 11):
        assert f'href="/parcel?row={row}"' in page and f"（无编号）第{row}行" in page
    assert 'href="/parcel?id=%2F"' not in page  # no link by the placeholder `/`
    first, second = client.get("/parcel?row=4"), client.get("/parcel?row=5")
    assert first.status_code == second.status_code == 200
    assert "（无编号）第4行" in first.text and "2019-07-01" in first.text  # its 批准时间 2019年7月
    assert "（无编号）第5行" in second.text and "2020-03-15" in second.text and "2019-07-01" not in second.text
    assert client.get("/parcel?row=99").status_code == 404

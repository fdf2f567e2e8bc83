"""The record of runs in the JSON API (contract §7): GET /api/runs, GET /api/runs/{id}/decisions,
GET /api/progress. Each request opens the store read-only for its own duration (a recorder in
another process makes it wait up to a few seconds, then answers 503)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any, Optional

from fastapi import APIRouter, HTTPException, Query

from landrules.web.access.roles import need

router = APIRouter(prefix="/api", tags=["记录与进展 API"])
WAIT = 5.0


@contextlib.contextmanager
def _store() -> Iterator[Any]:
    from landrules.record.locate import store_path
    from landrules.record.store import Store, StoreBusy, StoreError, StoreMissing

    try:
        store = Store.open(store_path(None), readonly=True, wait=WAIT, say=lambda _: None)
    except StoreMissing as exc:
        raise HTTPException(404, str(exc)) from None
    except StoreBusy as exc:
        raise HTTPException(503, str(exc)) from None
    except StoreError as exc:
        raise HTTPException(500, str(exc)) from None
    try:
        yield store
    finally:
        store.close()


def _run(store, spec: str):
    from landrules.record.runs import RunNotFound, resolve_run

    try:
        return resolve_run(store, spec)
    except RunNotFound as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/runs", summary="已记录的各期台账", dependencies=[need("查看")])
def runs() -> list[dict]:
    from landrules.record.runs import list_runs

    with _store() as store:
        return [r.to_json() for r in list_runs(store)]


@router.get("/runs/{run}/decisions", summary="一期记录的决策（契约 §4 的记录）", dependencies=[need("查看")])
def run_decisions(run: str, parcel: Optional[str] = Query(None, description="只要这一宗"),
                  offset: int = Query(0, ge=0), limit: int = Query(1000, ge=1, le=100_000)) -> dict:
    with _store() as store:
        found = _run(store, run)
        where, params = "run_id = ?", [found.id]
        if parcel is not None:
            where, params = where + " AND parcel_id = ?", [*params, parcel]
        total = store.con.execute(f"SELECT count(*) FROM decisions WHERE {where}", params).fetchall()[0][0]
        if parcel is not None and not total:
            raise HTTPException(404, f"{found.name} 中没有宗地 {parcel}")
        rows = store.con.execute(f"SELECT record FROM decision_records WHERE {where} ORDER BY row LIMIT {limit} OFFSET {offset}",
                                 params).fetchall()
        return {"run": found.to_json(), "total": total, "offset": offset, "decisions": [json.loads(r[0]) for r in rows]}


@router.get("/progress", summary="两期之间的进展（新增、销号、移出、措施变化、新逾期、未变）", dependencies=[need("审核")])
def progress(from_: Optional[str] = Query(None, alias="from", description="上期：编号或标签（默认倒数第二期）"),
             to: Optional[str] = Query(None, description="本期：编号或标签（默认最近一期）"),
             limit: int = Query(1000, ge=0, le=100_000, description="逐宗列出的最多宗数")) -> dict:
    from landrules.record.progress import compare
    from landrules.record.runs import list_runs

    with _store() as store:
        after = _run(store, to) if to is not None else None
        if after is None:
            listed = list_runs(store)
            if not listed:
                raise HTTPException(404, "记录库中还没有记录")
            after = listed[-1]
        if from_ is not None:
            before = _run(store, from_)
        else:
            earlier = [r for r in list_runs(store) if r.id < after.id]
            if not earlier:
                raise HTTPException(404, f"{after.name} 之前没有记录，无可比较")
            before = earlier[-1]
        if before.id == after.id:
            raise HTTPException(422, "上期与本期是同一期记录")
        result = compare(store, before, after)
        parcels = store.con.execute(
            f"SELECT parcel_id, class, class_label, reason, area_mu, note, t_deadline FROM progress "
            f"ORDER BY class <> 'removed', coalesce(t_row, f_row + 1e12) LIMIT {limit}").fetchall()
        return {
            "from": before.to_json(), "to": after.to_json(),
            "classes": [{"class": c.code, "class_label": c.label, "parcels": c.parcels,
                         "from_area_mu": c.from_area_mu, "to_area_mu": c.to_area_mu} for c in result.classes],
            "rates": {key: [{"key": r.key, "parcels": r.parcels, "with_measures_area_mu": r.with_measures_area_mu,
                             "resolved": r.resolved, "resolved_area_mu": r.resolved_area_mu, "rate": r.rate} for r in rates]
                      for key, rates in result.rates.items()},
            "tax": result.tax,
            "parcels": [dict(zip(("parcel_id", "class", "class_label", "reason", "area_mu", "note", "deadline"), p)) for p in parcels],
        }

"""Shipment plans from warehouses to demand points: an exact transportation LP on HiGHS and a
greedy nearest-first plan for comparison; the largest relief population a stock can serve in time.

Units: quantities in whole or fractional units of each item (the caller's unit of measure),
times in seconds, people in persons. ``times[w, p]`` is the travel time from warehouse ``w`` to
demand point ``p`` (``inf`` = unreachable). A pair with ``times > deadline_s`` may not carry goods.

The model (per item ``k``; items share nothing, so each is its own transportation problem):

    minimise   Σ_{w,p} c[p,k] · t[w,p] · x[w,p,k]  +  Σ_p c[p,k] · M_k · u[p,k]
    subject to Σ_w x[w,p,k] + u[p,k] = D[p,k]            (every need is delivered or unmet)
               Σ_p x[w,p,k] ≤ S[w,k]                      (stock)
               x[w,p,k] = 0 where t[w,p] > deadline_s      (deadline)
               x ≥ 0,  0 ≤ u ≤ D

``c[p,k] = people[p] / D[p,k]`` (persons per unit: the objective is person-seconds of waiting,
"people-weighted delivery time"), or 1 without ``people`` (unit-seconds). ``u`` is the unmet demand;
an unserved person-unit counts as waiting ``M_k`` seconds, with

    M_k = (min(W_k, P_k) · T_k + 1) · ρ_k,     ρ_k = max_p c[p,k] / min_p c[p,k]

and ``T_k`` the longest allowed time. An augmenting path in the transportation network crosses at
most ``min(W_k, P_k)`` shipping arcs of at most ``T_k`` seconds each, so with this ``M_k`` every
plan that could deliver more of item ``k`` in time costs less: the optimum delivers the *most*
that can be delivered in time. When ``c[·,k]`` is the same at every point (needs-profile demand,
or no people: ``ρ_k = 1``) it is then the plan with the least person-seconds among those — the
lexicographic optimum, max flow at minimum cost (Ahuja, Magnanti & Orlin, *Network Flows*, 1993,
ch. 9). With explicit quantities and people, points with more persons per unit are served first
when stock is short. The LP is solved with HiGHS dual simplex
(``scipy.optimize.linprog(method="highs-ds")``); its basic solutions of a transportation problem are
integral when stock and demand are (total unimodularity), and we then round away solver noise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import linprog

from .errors import AllocationError, SolverFailed

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_HIGHS_OPTIONS = {"simplex_dual_edge_weight_strategy": "devex"}
"""Devex pricing: about twice as fast as the default on these transportation LPs (benchmark)."""

DEFAULT_DEADLINE_S = 12 * 3600.0
"""Default delivery deadline: 12 hours (the seed's 12-hour relief target); callers pass their own."""


@dataclass(frozen=True)
class Plan:
    """A shipment plan. Shipments are parallel arrays (one entry per warehouse, point, item).

    ``objective``: Σ c·t·x — person-seconds with ``people`` (unit-seconds without);
    ``unmet_weight``: Σ c·u — unmet person-equivalents (units without people);
    ``mean_delivery_s``: ``objective`` over the delivered person-equivalents.
    """

    method: str
    warehouse: IntArray
    point: IntArray
    item: IntArray
    quantity: FloatArray
    time_s: FloatArray
    demand: FloatArray
    delivered: FloatArray
    unmet: FloatArray
    objective: float
    delivered_weight: float
    unmet_weight: float
    solve_s: float
    lp_objective: float | None = None
    per_item: list[dict[str, float]] = field(default_factory=list)

    @property
    def mean_delivery_s(self) -> float | None:
        return self.objective / self.delivered_weight if self.delivered_weight > 0 else None

    @property
    def served_share(self) -> float:
        total = float(self.demand.sum())
        return float(self.delivered.sum()) / total if total > 0 else 1.0


# ---- inputs ----------------------------------------------------------------------------------------


def _matrix(value: npt.ArrayLike, name: str, *, ndim: int = 2) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim != ndim:
        raise AllocationError(f"must be {ndim}-dimensional, got shape {arr.shape}", field=name)
    return arr


def _inputs(
    supply: npt.ArrayLike, demand: npt.ArrayLike, times: npt.ArrayLike, people: npt.ArrayLike | None, deadline_s: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    s = _matrix(supply, "supply")
    d = _matrix(demand, "demand")
    t = _matrix(times, "times")
    n_w, n_k = s.shape
    n_p = d.shape[0]
    if d.shape[1] != n_k:
        raise AllocationError(f"has {d.shape[1]} items, supply has {n_k}", field="demand")
    if t.shape != (n_w, n_p):
        raise AllocationError(f"must have shape (warehouses, points) = {(n_w, n_p)}, got {t.shape}", field="times")
    for arr, name in ((s, "supply"), (d, "demand")):
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise AllocationError("must be finite and >= 0", field=name)
    if np.any(np.isnan(t)) or np.any(t < 0):
        raise AllocationError("must be >= 0 seconds (inf = unreachable), not NaN", field="times")
    if not (deadline_s > 0):
        raise AllocationError("must be > 0 seconds", field="deadline_s")
    if people is None:
        weight = np.ones_like(d)
    else:
        pe = _matrix(people, "people", ndim=1)
        if pe.shape != (n_p,):
            raise AllocationError(f"must have one value per point ({n_p})", field="people")
        if not np.all(np.isfinite(pe)) or np.any(pe < 0):
            raise AllocationError("must be finite and >= 0", field="people")
        # persons per unit; a point without people counts as one person
        weight = np.divide(np.maximum(pe, 1.0)[:, None], d, out=np.zeros_like(d), where=d > 0)
    return s, d, t, weight


def _is_integral(*arrays: FloatArray) -> bool:
    return all(bool(np.all(a == np.round(a))) for a in arrays)


def _assemble(
    method: str, n_p: int, n_k: int, rows: list[tuple[IntArray, IntArray, int, FloatArray, FloatArray]],
    demand: FloatArray, weight: FloatArray, integral: bool, started: float, lp_objective: float | None,
    per_item: list[dict[str, float]] | None = None,
) -> Plan:
    ws, ps, ks, qs, ts = [], [], [], [], []
    for w_idx, p_idx, k, q, t in rows:
        if integral:
            q = np.round(q)
        keep = q > (0.5 if integral else 1e-9)
        ws.append(w_idx[keep])
        ps.append(p_idx[keep])
        ks.append(np.full(int(keep.sum()), k, dtype=np.int64))
        qs.append(q[keep])
        ts.append(t[keep])
    def ints(parts: list[IntArray]) -> IntArray:
        return np.concatenate(parts).astype(np.int64) if parts else np.empty(0, dtype=np.int64)

    def floats(parts: list[FloatArray]) -> FloatArray:
        return np.concatenate(parts).astype(np.float64) if parts else np.empty(0)

    w_a, p_a, k_a, q_a, t_a = ints(ws), ints(ps), ints(ks), floats(qs), floats(ts)
    delivered = np.zeros((n_p, n_k))
    np.add.at(delivered, (p_a, k_a), q_a)
    delivered = np.minimum(delivered, demand)
    unmet = np.maximum(demand - delivered, 0.0)
    if not integral:
        unmet[unmet < 1e-9 * np.maximum(demand, 1.0)] = 0.0
    c = weight[p_a, k_a]
    return Plan(
        method=method, warehouse=w_a, point=p_a, item=k_a, quantity=q_a, time_s=t_a, demand=demand,
        delivered=delivered, unmet=unmet, objective=float(np.sum(c * t_a * q_a)),
        delivered_weight=float(np.sum(weight * delivered)), unmet_weight=float(np.sum(weight * unmet)),
        solve_s=time.perf_counter() - started, lp_objective=lp_objective, per_item=per_item or [],
    )


# ---- the exact plan --------------------------------------------------------------------------------


def unmet_penalty(times_allowed: FloatArray, n_warehouses: int, n_points: int, spread: float = 1.0) -> float:
    """``M = (min(W, P) · T + 1) · ρ`` seconds: above the cost of any augmenting path (module doc);
    ``spread`` is ρ, the largest over the smallest persons-per-unit weight of the item."""
    longest = float(times_allowed.max()) if times_allowed.size else 0.0
    return (min(n_warehouses, n_points) * max(longest, 1.0) + 1.0) * max(spread, 1.0)


def _solve_item(
    c_p: FloatArray, t_sub: FloatArray, allowed: npt.NDArray[np.bool_], supply: FloatArray, demand: FloatArray,
    candidates: int | None,
) -> tuple[IntArray, IntArray, FloatArray, float, float, int]:
    """One item's transportation LP over its warehouses (rows of ``t_sub``) and points (columns).

    With ``candidates``, column generation: start from each point's ``candidates`` nearest allowed
    warehouses, solve, price every other allowed pair with the duals (reduced cost
    ``c·t − v_p − u_w``) and add those that would lower the cost, until none does — the full LP's
    optimum, certified by the duals, on a fraction of its columns. Returns (edge warehouse, edge
    point, flow, LP objective, penalty M, rounds)."""
    n_w, n_p = t_sub.shape
    big = unmet_penalty(t_sub[allowed], n_w, n_p, float(c_p.max() / c_p.min()))
    cost_full = c_p[None, :] * np.where(allowed, t_sub, 0.0)
    if candidates is None or candidates >= n_w:
        active = allowed.copy()
    else:
        rank = np.argsort(np.where(allowed, t_sub, np.inf), axis=0, kind="stable")[:candidates]
        active = np.zeros_like(allowed)
        active[rank, np.arange(n_p)[None, :]] = True
        active &= allowed
    rounds = 0
    while True:
        rounds += 1
        e_w, e_p = np.nonzero(active)
        n_e = e_w.size
        cost = np.concatenate([cost_full[e_w, e_p], c_p * big])
        a_eq = sp.csr_matrix(
            (np.ones(n_e + n_p), (np.concatenate([e_p, np.arange(n_p)]), np.arange(n_e + n_p))),
            shape=(n_p, n_e + n_p),
        )
        a_ub = sp.csr_matrix((np.ones(n_e), (e_w, np.arange(n_e))), shape=(n_w, n_e + n_p))
        bounds = np.zeros((n_e + n_p, 2))
        bounds[:n_e, 1] = np.inf
        bounds[n_e:, 1] = demand
        res = linprog(cost, A_ub=a_ub, b_ub=supply, A_eq=a_eq, b_eq=demand, bounds=bounds, method="highs-ds",
                      options=_HIGHS_OPTIONS)
        if res.status != 0:
            raise SolverFailed(f"HiGHS: {res.message}")
        if active.sum() == allowed.sum():
            break
        v = np.asarray(res.eqlin.marginals)  # point potentials
        u = np.asarray(res.ineqlin.marginals)  # warehouse prices (<= 0)
        reduced = cost_full - v[None, :] - u[:, None]
        tol = 1e-9 * max(1.0, float(np.abs(cost).max()))
        enter = allowed & ~active & (reduced < -tol)
        if not enter.any():
            break
        active |= enter
    return e_w, e_p, np.asarray(res.x[:n_e]), float(res.fun), big, rounds


def optimal_plan(
    *,
    supply: npt.ArrayLike,
    demand: npt.ArrayLike,
    times: npt.ArrayLike,
    people: npt.ArrayLike | None = None,
    deadline_s: float = DEFAULT_DEADLINE_S,
    candidates: int | None = 16,
) -> Plan:
    """The exact plan (module doc): least person-seconds among the plans delivering the most in time.

    ``supply``: (warehouses, items) stock; ``demand``: (points, items) needs; ``times``:
    (warehouses, points) seconds, ``inf`` unreachable; ``people``: (points,) persons or ``None``.
    ``candidates``: nearest warehouses per point in the first LP of the column generation
    (``None``: one LP over every allowed pair; the optimum is the same). Returns a :class:`Plan`
    with the unmet demand per point and item.
    """
    started = time.perf_counter()
    s, d, t, weight = _inputs(supply, demand, times, people, deadline_s)
    if candidates is not None and candidates < 1:
        raise AllocationError("must be >= 1 (or None)", field="candidates")
    n_w, n_k = s.shape
    n_p = d.shape[0]
    integral = _is_integral(s, d)
    allowed = t <= deadline_s
    rows: list[tuple[IntArray, IntArray, int, FloatArray, FloatArray]] = []
    lp_total = 0.0
    per_item = []
    for k in range(n_k):
        wk = np.flatnonzero(s[:, k] > 0)
        pk = np.flatnonzero(d[:, k] > 0)
        if pk.size == 0:
            continue
        sub = allowed[np.ix_(wk, pk)]
        if not sub.any():
            continue
        t_sub = t[np.ix_(wk, pk)]
        e_w, e_p, x, fun, big, rounds = _solve_item(weight[pk, k], t_sub, sub, s[wk, k], d[pk, k], candidates)
        lp_total += fun
        per_item.append({"item": float(k), "columns": float(e_w.size), "rounds": float(rounds),
                         "penalty_s": big, "lp_objective": fun})
        rows.append((wk[e_w], pk[e_p], k, x, t_sub[e_w, e_p]))
    return _assemble("optimal", n_p, n_k, rows, d, weight, integral, started, lp_total, per_item)


# ---- greedy ----------------------------------------------------------------------------------------


def greedy_plan(
    *,
    supply: npt.ArrayLike,
    demand: npt.ArrayLike,
    times: npt.ArrayLike,
    people: npt.ArrayLike | None = None,
    deadline_s: float = DEFAULT_DEADLINE_S,
) -> Plan:
    """Nearest-first, as a dispatcher without a solver would: points in order of people (most first;
    without people, of total demand), each taking every item from its nearest warehouse that holds
    it within the deadline, then the next nearest. Same inputs and outputs as :func:`optimal_plan`."""
    started = time.perf_counter()
    s, d, t, weight = _inputs(supply, demand, times, people, deadline_s)
    n_w, n_k = s.shape
    n_p = d.shape[0]
    left = s.copy()
    size = np.asarray(people, dtype=np.float64) if people is not None else d.sum(axis=1)
    order = np.lexsort((np.arange(n_p), -size))
    ws: list[int] = []
    ps: list[int] = []
    ks: list[int] = []
    qs: list[float] = []
    ts: list[float] = []
    for p in order:
        need = d[p].copy()
        if not need.any():
            continue
        col = t[:, p]
        near = np.flatnonzero(col <= deadline_s)
        near = near[np.lexsort((near, col[near]))]
        for w in near:
            take = np.minimum(left[w], need)
            hit = np.flatnonzero(take > 0)
            if hit.size == 0:
                continue
            left[w, hit] -= take[hit]
            need[hit] -= take[hit]
            ws.extend([int(w)] * hit.size)
            ps.extend([int(p)] * hit.size)
            ks.extend(hit.tolist())
            qs.extend(take[hit].tolist())
            ts.extend([float(col[w])] * hit.size)
            if not need.any():
                break
    rows: list[tuple[IntArray, IntArray, int, FloatArray, FloatArray]] = []
    if ws:
        w_a, p_a, k_a = (np.asarray(v, dtype=np.int64) for v in (ws, ps, ks))
        q_a, t_a = np.asarray(qs), np.asarray(ts)
        for k in np.unique(k_a):
            m = k_a == k
            rows.append((w_a[m], p_a[m], int(k), q_a[m], t_a[m]))
    return _assemble("greedy", n_p, n_k, rows, d, weight, _is_integral(s, d), started, None)


# ---- relief capacity -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReliefCapacity:
    """The largest number of people, spread over the points as ``shares``, whose needs the stock can
    meet in time: ``people = min_k per_item[k]``; ``binding_item`` is the item that sets it (-1 when
    no item is needed)."""

    people: float
    per_item: FloatArray
    binding_item: int
    groups: int


def max_relief_population(
    *,
    supply: npt.ArrayLike,
    need_per_person: npt.ArrayLike,
    shares: npt.ArrayLike,
    times: npt.ArrayLike,
    deadline_s: float = DEFAULT_DEADLINE_S,
) -> ReliefCapacity:
    """Largest ``N`` such that ``N · shares[p] · need_per_person[k]`` can reach every point ``p`` for
    every item ``k`` within ``deadline_s`` from ``supply`` (warehouses × items).

    Demand grows linearly in ``N`` and items share nothing, so ``N = min_k λ_k`` where ``λ_k`` is the
    *maximum concurrent flow* of item ``k`` (an LP: maximise λ subject to Σ_w x[w,p] ≥ λ·a_p·r_k and
    Σ_p x[w,p] ≤ S[w,k]) — exact, no bisection. Points that the same set of warehouses reach in time
    are interchangeable in that LP, so they are merged first (exact, and it makes the LP tiny).
    A point with a share and no warehouse in reach gives ``N = 0``: drop such points first if that is
    not the question.
    """
    s = _matrix(supply, "supply")
    r = _matrix(need_per_person, "need_per_person", ndim=1)
    a = _matrix(shares, "shares", ndim=1)
    t = _matrix(times, "times")
    n_w, n_k = s.shape
    if r.shape != (n_k,):
        raise AllocationError(f"must have one value per item ({n_k})", field="need_per_person")
    if t.shape != (n_w, a.size):
        raise AllocationError(f"must have shape (warehouses, points) = {(n_w, a.size)}", field="times")
    for arr, name in ((s, "supply"), (r, "need_per_person"), (a, "shares")):
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            raise AllocationError("must be finite and >= 0", field=name)
    if np.any(np.isnan(t)) or np.any(t < 0):
        raise AllocationError("must be >= 0 seconds (inf = unreachable), not NaN", field="times")
    if not (deadline_s > 0):
        raise AllocationError("must be > 0 seconds", field="deadline_s")
    if a.sum() <= 0:
        raise AllocationError("must not all be zero", field="shares")
    a = a / a.sum()
    live = a > 0
    allowed = (t <= deadline_s)[:, live]
    a_live = a[live]
    # merge points with the same reachable warehouse set
    keys, inverse = np.unique(np.packbits(allowed, axis=0).T, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    n_g = keys.shape[0]
    a_g = np.bincount(inverse, weights=a_live, minlength=n_g)
    first = np.zeros(n_g, dtype=np.int64)
    first[inverse[::-1]] = np.arange(inverse.size)[::-1]
    reach = allowed[:, first]  # (W, G)
    lam = np.full(n_k, np.inf)
    for k in range(n_k):
        if r[k] <= 0:
            continue
        wk = np.flatnonzero(s[:, k] > 0)
        sub = reach[wk]
        if wk.size == 0 or not np.all(sub.any(axis=0)):
            lam[k] = 0.0
            continue
        e_w, e_g = np.nonzero(sub)
        n_e = e_w.size
        # variables: x_e (n_e), λ ; minimise -λ
        cost = np.zeros(n_e + 1)
        cost[-1] = -1.0
        # λ·a_g·r - Σ_{e into g} x_e <= 0
        rows_g = sp.csr_matrix(
            (np.concatenate([-np.ones(n_e), a_g * r[k]]),
             (np.concatenate([e_g, np.arange(n_g)]), np.concatenate([np.arange(n_e), np.full(n_g, n_e)]))),
            shape=(n_g, n_e + 1),
        )
        rows_w = sp.csr_matrix((np.ones(n_e), (e_w, np.arange(n_e))), shape=(wk.size, n_e + 1))
        a_ub = sp.vstack([rows_g, rows_w]).tocsr()
        b_ub = np.concatenate([np.zeros(n_g), s[wk, k]])
        res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs-ds")
        if res.status != 0:
            raise SolverFailed(f"HiGHS: {res.message} (item {k})")
        lam[k] = float(res.x[-1])
    if np.all(np.isinf(lam)):
        return ReliefCapacity(people=float("inf"), per_item=lam, binding_item=-1, groups=n_g)
    k_min = int(np.argmin(lam))
    return ReliefCapacity(people=float(lam[k_min]), per_item=lam, binding_item=k_min, groups=n_g)

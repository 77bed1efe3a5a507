"""Secondary suppression for the disclosure engine (data_access.disclosure),
called by `apply_disclosure` only: after the primary rule hides small counts, more
figures are hidden until every hidden figure lies on a movable cycle, so that none
can be recovered from the totals it belongs to. Each table with its totals (along
one or two dimensions) is a flow network: rows and columns are nodes, each figure
an arc; moving hidden figures by +d, -d around a directed cycle keeps every sum
(`_protect_slice`, `_Graph.cycle_through`, the cheapest cycle by shown counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

TOTAL_OVER = "total_over"  # "" for a cell; "area_code+period" for a total row
# Totals are hidden only when nothing else can protect a figure: this cost puts any
# path through a total behind every path through cells.
_TOTAL_PENALTY = 1e9


def _key_tuples(frame: pd.DataFrame, columns: Sequence[str]) -> list[tuple]:
    """Row keys with every kind of NA as None, so NaN and NaT keys compare equal."""
    if not columns:
        return [()] * len(frame)
    part = frame[list(columns)].astype(object)
    part = part.where(part.notna(), None)
    return list(part.itertuples(index=False, name=None))


# --- secondary suppression


def _secondary(
    work: pd.DataFrame,
    *,
    counts: pd.Series,
    hidden: np.ndarray,
    group_cols: list[str],
    totals_over: list[str],
) -> np.ndarray:
    """Hide more figures until every hidden figure lies on a movable cycle."""
    hidden = hidden.copy()
    values = counts.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    kinds = [frozenset(k.split("+")) if k else frozenset() for k in work[TOTAL_OVER]]
    others = [g for g in group_cols if g not in totals_over]
    slices: dict[tuple, list[int]] = {}
    for pos, key in enumerate(_key_tuples(work, others)):
        slices.setdefault(key, []).append(pos)
    dims = _key_tuples(work, totals_over)
    for positions in slices.values():
        if not hidden[positions].any():
            continue
        _protect_slice(
            positions=positions,
            dims=dims,
            kinds=kinds,
            values=values,
            hidden=hidden,
            totals_over=totals_over,
        )
    return hidden


def _protect_slice(
    *,
    positions: list[int],
    dims: list[tuple],
    kinds: list[frozenset],
    values: np.ndarray,
    hidden: np.ndarray,
    totals_over: list[str],
) -> None:
    """Secondary suppression within one table; updates `hidden` in place.

    The table with its totals is a flow network. Rows and columns are nodes; each
    figure is an edge. Cells carry +x, single totals -T, the grand total +G, so
    every row and column of the augmented table adds up to 0. Moving hidden figures
    by +d, -d alternately around a directed cycle keeps every sum; a figure can
    take +d if below its upper bound and -d if above its lower bound (cells and the
    grand total >= 1; a single total T >= 1 means -T <= -1). Along one dimension
    only, the other side has no totals, so all its nodes merge into one free node.
    """
    two_way = len(totals_over) == 2
    entries = [p for p in positions if not np.isnan(values[p])]
    if two_way:
        t0, t1 = totals_over
        row_of: dict = {}
        col_of: dict = {}
        for p in entries:
            if t0 not in kinds[p]:
                row_of.setdefault(dims[p][0], len(row_of))
            if t1 not in kinds[p]:
                col_of.setdefault(dims[p][1], len(col_of))
        r_star, c_star = len(row_of), len(col_of)
        offset = r_star + 1
        n_nodes = offset + c_star + 1
    else:
        offset, n_nodes = 1, 2  # node 0: every row (free); node 1: the one line

    tail, head, aug, lower, upper, cost = [], [], [], [], [], []
    for p in entries:
        kind, value = kinds[p], values[p]
        if two_way:
            i = r_star if t0 in kind else row_of[dims[p][0]]
            j = c_star if t1 in kind else col_of[dims[p][1]]
            tail.append(i)
            head.append(offset + j)
        else:
            tail.append(0)
            head.append(1)
        single_total = len(kind) == 1
        aug.append(-value if single_total else value)
        lower.append(-np.inf if single_total else 1.0)
        upper.append(-1.0 if single_total else np.inf)
        penalty = _TOTAL_PENALTY if kind else 0.0
        # A hidden 0 would protect nothing (it cannot go down), so 0 is never hidden.
        cost.append(value + penalty if value > 0 else np.inf)

    aug_a = np.asarray(aug, dtype=float)
    graph = _Graph(
        n_nodes=n_nodes,
        tail=np.asarray(tail, dtype=np.intp),
        head=np.asarray(head, dtype=np.intp),
        can_up=aug_a < np.asarray(upper),
        can_down=aug_a > np.asarray(lower),
        cost=np.asarray(cost, dtype=float),
    )
    where = np.asarray(entries, dtype=np.intp)
    protected = np.zeros(len(entries), dtype=bool)
    while True:
        changed = False
        for e in np.flatnonzero(hidden[where] & ~protected):
            local_hidden = hidden[where]
            cycle = graph.cycle_through(e, hidden=local_hidden, candidates=False)
            if cycle is None:
                cycle = graph.cycle_through(e, hidden=local_hidden, candidates=True)
            if cycle is None:
                # Cannot happen while totals may be hidden (a hidden total frees
                # its line); fail closed all the same by hiding the whole table.
                hidden[where[np.isfinite(graph.cost)]] = True
                protected[:] = True
                changed = True
                break
            hidden[where[cycle]] = True
            protected[cycle] = True
            changed = True
        if not changed:
            return


@dataclass(frozen=True)
class _Graph:
    """Figures of one table as arcs: tail -> head to add d, head -> tail to take d."""

    n_nodes: int
    tail: np.ndarray
    head: np.ndarray
    can_up: np.ndarray
    can_down: np.ndarray
    cost: np.ndarray

    def cycle_through(
        self, e: int, *, hidden: np.ndarray, candidates: bool
    ) -> np.ndarray | None:
        """Entries of the cheapest cycle that moves entry `e`, or None.

        Hidden figures cost nothing; with `candidates`, shown figures may be used at
        their cost (they are then hidden by the caller).
        """
        usable = hidden | (candidates & np.isfinite(self.cost))
        usable[e] = False  # e's own reverse arc would be a 2-cycle that moves nothing
        weight = np.where(hidden, 0.0, self.cost)
        best: tuple[float, np.ndarray] | None = None
        # +d on e: go tail -> head on e, come back head ~> tail.
        # -d on e: go head -> tail on e, come back tail ~> head.
        directions = (
            (self.can_up[e], self.head[e], self.tail[e]),
            (self.can_down[e], self.tail[e], self.head[e]),
        )
        for allowed, start, goal in directions:
            if not allowed:
                continue
            # Hidden figures alone cost nothing: any path will do, and a
            # breadth-first search finds one far faster than Dijkstra.
            search = self._cheapest_path if candidates else self._any_path
            found = search(
                start=int(start), goal=int(goal), usable=usable, weight=weight
            )
            if found is not None and not candidates:
                return np.append(found[1], e)
            if found is not None and (best is None or found[0] < best[0]):
                best = found
        if best is None:
            return None
        return np.append(best[1], e)

    def _arc_list(
        self, *, usable: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(from, to, entry) of every usable arc."""
        up = usable & self.can_up
        down = usable & self.can_down
        src = np.concatenate([self.tail[up], self.head[down]])
        dst = np.concatenate([self.head[up], self.tail[down]])
        ids = np.concatenate([np.flatnonzero(up), np.flatnonzero(down)])
        return src, dst, ids

    def _any_path(
        self, *, start: int, goal: int, usable: np.ndarray, weight: np.ndarray
    ) -> tuple[float, np.ndarray] | None:
        """Breadth-first search, one frontier at a time on a boolean matrix."""
        src, dst, ids = self._arc_list(usable=usable)
        n = self.n_nodes
        adjacent = np.zeros((n, n), dtype=bool)
        adjacent[src, dst] = True
        # Only read where `adjacent` is True, so it needs no filling; any arc will
        # do between two nodes because hidden figures all cost nothing.
        arc = np.empty((n, n), dtype=np.intp)
        arc[src, dst] = ids
        seen = np.zeros(self.n_nodes, dtype=bool)
        seen[start] = True
        prev = np.full(self.n_nodes, -1, dtype=np.intp)
        frontier = np.array([start], dtype=np.intp)
        while len(frontier) and not seen[goal]:
            reach = adjacent[frontier]
            new = np.flatnonzero(reach.any(axis=0) & ~seen)
            prev[new] = frontier[np.argmax(reach[:, new], axis=0)]
            seen[new] = True
            frontier = new
        if not seen[goal]:
            return None
        return 0.0, self._walk_back(arc=arc, prev=prev, start=start, goal=goal)

    @staticmethod
    def _walk_back(
        *, arc: np.ndarray, prev: np.ndarray, start: int, goal: int
    ) -> np.ndarray:
        path = []
        node = goal
        while node != start:
            path.append(arc[prev[node], node])
            node = prev[node]
        return np.asarray(path[::-1], dtype=np.intp)

    def _cheapest_path(
        self, *, start: int, goal: int, usable: np.ndarray, weight: np.ndarray
    ) -> tuple[float, np.ndarray] | None:
        """Dijkstra on a dense matrix: tables are small, numpy does the inner loop."""
        src, dst, ids = self._arc_list(usable=usable)
        w = weight[ids]
        # Keep the cheapest arc between two nodes; ties go to the lowest entry, so
        # the result does not depend on chance.
        order = np.lexsort((ids, w, dst, src))
        src, dst, ids, w = src[order], dst[order], ids[order], w[order]
        first = np.ones(len(src), dtype=bool)
        first[1:] = (src[1:] != src[:-1]) | (dst[1:] != dst[:-1])
        n = self.n_nodes
        matrix = np.full((n, n), np.inf)
        matrix[src[first], dst[first]] = w[first]
        arc = np.full((n, n), -1, dtype=np.intp)
        arc[src[first], dst[first]] = ids[first]
        dist = np.full(n, np.inf)
        dist[start] = 0.0
        prev = np.full(n, -1, dtype=np.intp)
        done = np.zeros(n, dtype=bool)
        for _ in range(n):
            open_dist = np.where(done, np.inf, dist)
            u = int(np.argmin(open_dist))
            if not np.isfinite(open_dist[u]) or u == goal:
                break
            done[u] = True
            through = dist[u] + matrix[u]
            better = (through < dist) & ~done
            dist[better] = through[better]
            prev[better] = u
        if not np.isfinite(dist[goal]):
            return None
        path = self._walk_back(arc=arc, prev=prev, start=start, goal=goal)
        return float(dist[goal]), path

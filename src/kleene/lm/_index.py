"""Row look-up in the sorted n-gram tables shared by counts and models.

Every table ``ngrams[k-1]`` (shape (n_k, k), rows sorted lexicographically and
unique) gets a 1-D sorted int64 key per row: ``key = parent_row * V + last``
where ``parent_row`` is the row of the row's first k-1 words in table k-1
(for k = 1 the key is the word id itself). Since rows are sorted and parent
rows are their ranks, the keys are strictly increasing, so a k-gram is found
with k-1 ``searchsorted`` calls. ``V`` is the vocabulary size; keys stay well
inside int64 (n_{k-1} * V < 2**63 for any table that fits in memory).
"""

from __future__ import annotations

import numpy as np


def find_rows(keys: list[np.ndarray], vocab_size: int,
              queries: np.ndarray) -> np.ndarray:
    """Rows (int64, -1 when absent) of the k-grams ``queries`` (shape (m, k))
    given ``keys[j]`` for tables j+1 = 1..k. O(m k log n)."""
    queries = np.asarray(queries)
    m, k = queries.shape
    if k == 0:
        return np.zeros(m, dtype=np.int64)
    v = np.int64(vocab_size)
    rows = np.full(m, -1, dtype=np.int64)
    if m == 0:
        return rows
    key = queries[:, 0].astype(np.int64)
    for j in range(k):
        if j > 0:
            key = rows * v + queries[:, j]
        table = keys[j]
        pos = np.searchsorted(table, key)
        ok = pos < len(table)
        ok[ok] = table[pos[ok]] == key[ok]
        if j > 0:
            ok &= rows >= 0
        rows = np.where(ok, pos, -1)
    return rows


def build_keys(ngrams: tuple[np.ndarray, ...], vocab_size: int
               ) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(keys, parents): per order the sorted keys and the parent row of every
    row (-1 where the prefix is missing: the caller reports it; such rows get
    a key that keeps the array sorted only if the table is consistent)."""
    keys: list[np.ndarray] = []
    parents: list[np.ndarray] = []
    v = np.int64(vocab_size)
    for k, table in enumerate(ngrams, start=1):
        if k == 1:
            keys.append(table[:, 0].astype(np.int64))
            parents.append(np.full(len(table), -1, dtype=np.int64))
            continue
        parent = find_rows(keys, vocab_size, table[:, :-1])
        parents.append(parent)
        keys.append(parent * v + table[:, -1])
    return keys, parents

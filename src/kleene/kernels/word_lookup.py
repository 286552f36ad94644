"""Whitespace tokenisation and word look-up over bytes (the fast path of
sentence encoding in :mod:`kleene.lm`).

A word table is an open-addressing hash table over the utf-8 bytes of a
list of words: ``slots[h]`` holds the index of the word stored there or -1;
word ``k`` is ``data[offsets[k]:offsets[k+1]]``. :func:`encode_text` splits
a byte buffer of sentences (separated by one separator byte) on ASCII
whitespace exactly as Python's ``str.split()`` does on ASCII text and maps
every word through the table in one pass.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


@njit(cache=True, inline="always")
def _hash(buf, a, b):
    """FNV-1a 64 of ``buf[a:b]``."""
    h = _FNV_OFFSET
    for i in range(a, b):
        h = (h ^ np.uint64(buf[i])) * _FNV_PRIME
    return h


@njit(cache=True, inline="always")
def _is_space(c):
    """``str.split()``'s ASCII whitespace: \\t \\n \\v \\f \\r, \\x1c-\\x1f, space."""
    return (9 <= c <= 13) or (28 <= c <= 32)


@njit(cache=True)
def build_word_table(data, offsets, num_slots):
    """Hash table (int64 ``slots``, length ``num_slots``, a power of two larger
    than the number of words) of the words ``data[offsets[k]:offsets[k+1]]``;
    a word given twice keeps its last index (as a dict built in order).
    O(total bytes)."""
    slots = np.full(num_slots, -1, np.int64)
    mask = np.uint64(num_slots - 1)
    for k in range(offsets.shape[0] - 1):
        a = offsets[k]
        b = offsets[k + 1]
        j = _hash(data, a, b) & mask
        while True:
            other = slots[j]
            if other < 0:
                slots[j] = k
                break
            oa = offsets[other]
            ob = offsets[other + 1]
            same = ob - oa == b - a
            if same:
                for t in range(b - a):
                    if data[oa + t] != data[a + t]:
                        same = False
                        break
            if same:
                slots[j] = k
                break
            j = (j + np.uint64(1)) & mask
    return slots


@njit(cache=True)
def encode_text(buf, sep, num_sentences, slots, data, offsets, values, miss, bos, eos):
    """Splits ``buf`` (uint8) into ``num_sentences`` sentences at the byte
    ``sep`` and each sentence into words at ASCII whitespace, and maps word
    ``k`` of the table to ``values[k]``, a word not in it to ``miss``.
    ``bos``/``eos`` >= 0 are put before/after every sentence's words.

    Returns ``(ids, ptr)``: int64 ids, sentence ``s`` being
    ``ids[ptr[s]:ptr[s+1]]``. ``buf`` must hold exactly ``num_sentences - 1``
    separators (the caller checks the text has none of its own). O(bytes)."""
    n = buf.shape[0]
    extra = (1 if bos >= 0 else 0) + (1 if eos >= 0 else 0)
    ids = np.empty(n // 2 + 1 + num_sentences * extra, np.int64)
    ptr = np.zeros(num_sentences + 1, np.int64)
    mask = np.uint64(slots.shape[0] - 1)
    t = 0
    s = 0
    i = 0
    if bos >= 0:
        ids[t] = bos
        t += 1
    while True:
        # skip whitespace, stop at a separator or the end
        while i < n and buf[i] != sep and _is_space(buf[i]):
            i += 1
        if i >= n or buf[i] == sep:
            if eos >= 0:
                ids[t] = eos
                t += 1
            s += 1
            ptr[s] = t
            if i >= n or s == num_sentences:
                break
            i += 1
            if bos >= 0:
                ids[t] = bos
                t += 1
            continue
        a = i
        h = _FNV_OFFSET
        while i < n and buf[i] != sep and not _is_space(buf[i]):
            h = (h ^ np.uint64(buf[i])) * _FNV_PRIME
            i += 1
        length = i - a
        value = miss
        j = h & mask
        while True:
            k = slots[j]
            if k < 0:
                break
            ka = offsets[k]
            if offsets[k + 1] - ka == length:
                same = True
                for q in range(length):
                    if data[ka + q] != buf[a + q]:
                        same = False
                        break
                if same:
                    value = values[k]
                    break
            j = (j + np.uint64(1)) & mask
        ids[t] = value
        t += 1
    return ids[:t], ptr

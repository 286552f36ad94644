"""Whitespace tokenisation and word look-up over bytes (the fast path of
sentence encoding in :mod:`kleene.lm`).

Words of up to 8 bytes are looked up by their bytes packed into one
integer (no byte compare, no indirection); longer ones in an
open-addressing hash table over their bytes (``slots[h]`` holds the index
of the word stored there or -1; word ``k`` is
``data[offsets[k]:offsets[k+1]]``); :func:`build_word_tables` builds both.
:func:`encode_text` splits a byte buffer of sentences (separated by one
separator byte) on ASCII whitespace exactly as Python's ``str.split()``
does on ASCII text and maps every word in one pass.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True, inline="always")
def _shift_for(num_slots):
    """64 - log2(num_slots) (a power of two): the shift that leaves the top
    bits of a 64-bit hash as a slot."""
    bits = 0
    while (1 << bits) < num_slots:
        bits += 1
    return np.uint64(64 - bits)


@njit(cache=True, inline="always")
def _hash(buf, a, b):
    """FNV-1a 64 of ``buf[a:b]``."""
    h = _FNV_OFFSET
    for i in range(a, b):
        h = (h ^ np.uint64(buf[i])) * _FNV_PRIME
    return h


@njit(cache=True)
def build_word_tables(packed, num_short_slots, data, offsets, num_slots):
    """The two tables of a word list (``num_short_slots`` and ``num_slots``
    powers of two larger than their word counts; a word given twice keeps
    its last index, as a dict built in order). O(words + their bytes).

    - short words, packed: up to 8 non-NUL bytes as a big-endian integer
      (never 0, the empty key): ``(keys, index)``, uint64 and int64 per slot,
      ``index[j]`` the position in ``packed`` (-1: empty);
    - longer words, ``data[offsets[k]:offsets[k+1]]``: ``slots`` (int64 per
      slot: the word's ``k``, -1: empty), hashed by FNV-1a.

    Returns ``(keys, index, slots)``."""
    keys = np.zeros(num_short_slots, np.uint64)
    index = np.full(num_short_slots, -1, np.int64)
    shift = _shift_for(num_short_slots)
    short_mask = np.uint64(num_short_slots - 1)
    for k in range(packed.shape[0]):
        j = (packed[k] * _GOLDEN) >> shift
        while keys[j] != 0 and keys[j] != packed[k]:
            j = (j + np.uint64(1)) & short_mask
        keys[j] = packed[k]
        index[j] = k
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
    return keys, index, slots


#: byte classes of :func:`encode_text`
WORD, SPACE, SEPARATOR = 0, 1, 2


def byte_classes(sep: int) -> np.ndarray:
    """uint8 class of every byte: SPACE for ``str.split()``'s ASCII
    whitespace, SEPARATOR for ``sep``, WORD for the rest."""
    cls = np.full(256, WORD, np.uint8)
    cls[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = SPACE
    cls[sep] = SEPARATOR
    return cls


@njit(cache=True)
def encode_text(buf, classes, num_sentences, short_keys, short_values, slots, data,
                offsets, values, miss, bos, eos):
    """Splits ``buf`` (uint8) into ``num_sentences`` sentences at SEPARATOR
    bytes and each sentence into words at SPACE bytes (``classes``, from
    :func:`byte_classes`), and maps every word to its value: a word of up to
    8 bytes through the short table (``short_values`` indexed by slot), a
    longer one through ``slots`` over ``data``/``offsets`` to ``values``
    (:func:`build_word_tables`); a word in
    neither gets ``miss``. ``bos``/``eos`` >= 0 are put before/after every
    sentence's words.

    Returns ``(ids, ptr, ok)``: int64 ids, sentence ``s`` being
    ``ids[ptr[s]:ptr[s+1]]``; ``ok`` is False (and the rest meaningless) when
    ``buf`` holds more than ``num_sentences - 1`` separators. O(bytes)."""
    n = buf.shape[0]
    extra = (1 if bos >= 0 else 0) + (1 if eos >= 0 else 0)
    ids = np.empty(n // 2 + 1 + num_sentences * extra, np.int64)
    ptr = np.zeros(num_sentences + 1, np.int64)
    short_mask = np.uint64(short_keys.shape[0] - 1)
    short_shift = _shift_for(short_keys.shape[0])
    mask = np.uint64(slots.shape[0] - 1)
    t = 0
    s = 0
    i = 0
    if bos >= 0:
        ids[t] = bos
        t += 1
    while True:
        # skip whitespace, stop at a separator or the end
        while i < n and classes[buf[i]] == SPACE:
            i += 1
        if i >= n or classes[buf[i]] == SEPARATOR:
            if eos >= 0:
                ids[t] = eos
                t += 1
            s += 1
            ptr[s] = t
            if i >= n:
                break
            if s == num_sentences:  # a separator inside a sentence
                return ids[:t], ptr, False
            i += 1
            if bos >= 0:
                ids[t] = bos
                t += 1
            continue
        a = i
        packed = np.uint64(0)
        while i < n and classes[buf[i]] == WORD:
            packed = (packed << np.uint64(8)) | np.uint64(buf[i])
            i += 1
        length = i - a
        value = miss
        if length <= 8:
            j = (packed * _GOLDEN) >> short_shift
            while True:
                k = short_keys[j]
                if k == packed:
                    value = short_values[j]
                    break
                if k == 0:
                    break
                j = (j + np.uint64(1)) & short_mask
        else:
            j = _hash(buf, a, i) & mask
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
    return ids[:t], ptr, s == num_sentences

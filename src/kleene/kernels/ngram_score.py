"""Backoff n-gram scoring over a flat trie (see ``kleene.lm.model``).

Nodes are the model's n-grams of every order in one numbering: the children
of node ``g`` (its one-word extensions) are nodes ``child_start[g] ..
child_end[g]``, sorted by their last word, so each step of a walk is a binary
search. ``unigram_node[w]`` is the node of unigram ``w`` (-1 if absent).
"""

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _child(child_start, child_end, last_word, node, word):
    lo = child_start[node]
    hi = child_end[node]
    while lo < hi:
        mid = (lo + hi) >> 1
        w = last_word[mid]
        if w < word:
            lo = mid + 1
        elif w > word:
            hi = mid
        else:
            return mid
    return -1


@njit(cache=True)
def _walk(tokens, begin, end, unigram_node, child_start, child_end, last_word):
    """Node of the n-gram ``tokens[begin:end]`` (non-empty), -1 if absent."""
    w = tokens[begin]
    if w < 0 or w >= unigram_node.shape[0]:
        return -1
    node = unigram_node[w]
    i = begin + 1
    while node >= 0 and i < end:
        node = _child(child_start, child_end, last_word, node, tokens[i])
        i += 1
    return node


@njit(cache=True)
def score_tokens(tokens, sent_ptr, first_scored, order, unigram_node, child_start,
                 child_end, last_word, logprob, backoff, oov_logprob, out_logprob,
                 out_length):
    """For each sentence ``tokens[sent_ptr[s]:sent_ptr[s+1]]`` scores the
    tokens from offset ``first_scored`` on (1 skips a leading ``<s>``):
    ``out_logprob[i]`` = log10 P(token i | up to order-1 previous tokens of its
    sentence) by standard backoff, ``out_length[i]`` the length of the n-gram
    whose probability was used (0: the word is not even a unigram and got
    ``oov_logprob``). Unscored positions are left untouched."""
    for s in range(sent_ptr.shape[0] - 1):
        a = sent_ptr[s]
        b = sent_ptr[s + 1]
        for i in range(a + first_scored, b):
            w = tokens[i]
            hist = i - a
            if hist > order - 1:
                hist = order - 1
            total = 0.0
            matched = 0
            for j in range(hist, -1, -1):
                if j == 0:
                    node = -1
                    if 0 <= w < unigram_node.shape[0]:
                        node = unigram_node[w]
                    if node >= 0:
                        total += logprob[node]
                        matched = 1
                    else:
                        total += oov_logprob
                    break
                ctx = _walk(tokens, i - j, i, unigram_node, child_start, child_end,
                            last_word)
                if ctx < 0:
                    continue  # a missing context has backoff weight 1
                node = _child(child_start, child_end, last_word, ctx, w)
                if node >= 0:
                    total += logprob[node]
                    matched = j + 1
                    break
                total += backoff[ctx]
            out_logprob[i] = total
            out_length[i] = matched


@njit(cache=True)
def nodes_of(tokens, sent_ptr, unigram_node, child_start, child_end, last_word, out):
    """``out[s]``: node of the whole n-gram ``tokens[sent_ptr[s]:sent_ptr[s+1]]``."""
    for s in range(sent_ptr.shape[0] - 1):
        a = sent_ptr[s]
        b = sent_ptr[s + 1]
        out[s] = _walk(tokens, a, b, unigram_node, child_start, child_end, last_word) \
            if b > a else -1

"""Backoff n-gram scoring over a reversed-context trie (see ``kleene.lm.model``).

Nodes are the model's n-grams of every order in one numbering. The children
of node ``g`` (an n-gram ``u``) are the n-grams ``x u`` one word longer to the
LEFT, nodes ``child_start[g] .. child_end[g]``, sorted by that new first word
``first_word``, so each step of a walk is a binary search. ``unigram_node[w]``
is the node of unigram ``w`` (-1 if absent). Walking from a word leftwards
over its history finds every n-gram of the model that ends at that word (the
suffix invariant makes them a chain), which is both the probability to use
and the backoff weights the next word may need: the KenLM state idea, one
walk of at most ``order`` binary searches per token.
"""

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def find_sorted(keys, lo, hi, key):
    """Index of ``key`` among ``keys[lo:hi]`` (sorted ascending), or -1
    (binary search; any index when ``key`` occurs more than once)."""
    while lo < hi:
        mid = (lo + hi) >> 1
        x = keys[mid]
        if x < key:
            lo = mid + 1
        elif x > key:
            hi = mid
        else:
            return mid
    return -1


@njit(cache=True, inline="always")
def _child(child_start, child_end, first_word, node, word):
    """The child of ``node`` whose first word is ``word``, or -1."""
    return find_sorted(first_word, child_start[node], child_end[node], word)


@njit(cache=True)
def score_tokens(tokens, sent_ptr, first_scored, order, unigram_node, child_start,
                 child_end, first_word, logprob, backoff, oov_logprob, out_logprob,
                 out_length):
    """For each sentence ``tokens[sent_ptr[s]:sent_ptr[s+1]]`` scores the
    tokens from offset ``first_scored`` on (1 skips a leading ``<s>``, whose
    n-grams still serve as context): ``out_logprob[i]`` = log10 P(token i | up
    to order-1 previous tokens of its sentence) by standard backoff,
    ``out_length[i]`` the length of the n-gram whose probability was used (0:
    the word is not even a unigram and got ``oov_logprob``). Unscored
    positions are left untouched."""
    n_words = unigram_node.shape[0]
    # ctx_bow[m]: backoff of the n-gram of length m ending at the previous
    # token (m <= ctx_len); cur_bow collects the same for the current token
    ctx_bow = np.zeros(order + 1, dtype=np.float64)
    cur_bow = np.zeros(order + 1, dtype=np.float64)
    for s in range(sent_ptr.shape[0] - 1):
        a = sent_ptr[s]
        b = sent_ptr[s + 1]
        ctx_len = 0
        for i in range(a, b):
            w = tokens[i]
            node = -1
            if 0 <= w < n_words:
                node = unigram_node[w]
            if node < 0:
                matched = 0
                lp = oov_logprob
            else:
                matched = 1
                lp = logprob[node]
                cur_bow[1] = backoff[node]
                limit = i - a + 1  # the n-gram may not reach left of the sentence
                limit = min(limit, order)
                while matched < limit:
                    nxt = _child(child_start, child_end, first_word, node,
                                 tokens[i - matched])
                    if nxt < 0:
                        break
                    node = nxt
                    matched += 1
                    lp = logprob[node]
                    cur_bow[matched] = backoff[node]
            # back off through the existing contexts longer than the match's
            total = lp
            for m in range(max(matched, 1), ctx_len + 1):
                total += ctx_bow[m]
            if i - a >= first_scored:
                out_logprob[i] = total
                out_length[i] = matched
            # the n-grams ending here are the next token's contexts
            ctx_len = matched if matched < order else order - 1
            tmp = ctx_bow
            ctx_bow = cur_bow
            cur_bow = tmp


@njit(cache=True)
def nodes_of(tokens, sent_ptr, unigram_node, child_start, child_end, first_word, out):
    """``out[s]``: node of the whole n-gram ``tokens[sent_ptr[s]:sent_ptr[s+1]]``
    (-1 if absent), walked from its last word leftwards."""
    n_words = unigram_node.shape[0]
    for s in range(sent_ptr.shape[0] - 1):
        a = sent_ptr[s]
        b = sent_ptr[s + 1]
        node = -1
        if b > a and 0 <= tokens[b - 1] < n_words:
            node = unigram_node[tokens[b - 1]]
            i = b - 2
            while node >= 0 and i >= a:
                node = _child(child_start, child_end, first_word, node, tokens[i])
                i -= 1
        out[s] = node

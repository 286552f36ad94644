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
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic


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


# -- hashed layout -----------------------------------------------------------------
# The same walk over an open-addressing hash table instead of binary searches
# (one probe per order instead of log2(children) scattered reads). Unigram ``w``
# is node ``w``; every longer n-gram is node ``n_words + slot``. The child of node
# ``p`` with first word ``x`` is stored under the key ``p * n_words + x`` in
# ``keys[slot]`` (int64, with the HAS_CHILDREN bit; ABSENT where empty), its
# log10 probability and backoff in ``values[slot]`` (float64, shape (slots, 2)).
# Keys apart from values keep a probe run short in bytes (8 keys per cache
# line), and the value row of a hit is usually the prefetched home row.
# ``unigrams`` (int64, shape (n_words, 3)) is ``[flag, log10 prob bits,
# backoff bits]`` per word (flag: ABSENT, 0 or HAS_CHILDREN; the floats read
# through a float64 view).
#: key flag (bit 62): the n-gram has extensions to the left
HAS_CHILDREN = np.int64(1) << np.int64(62)
_KEY_MASK = HAS_CHILDREN - np.int64(1)
#: an empty slot's key, and the flag of a word that is not a unigram
ABSENT = np.int64(-1)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@intrinsic
def prefetch(typingctx, array, index):
    """Asks the CPU to bring ``array[index]`` (1-d) or row ``index`` (2-d)
    into cache (``llvm.prefetch``: a hint, never a fault; nothing is read)."""
    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        idx = context.cast(builder, args[1], signature.args[1], types.intp)
        zero = context.get_constant(types.intp, 0)
        inds = [idx] + [zero] * (aryty.ndim - 1)
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, inds)
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]),
            # the unmangled name: LLVM's auto-upgrade gives it the pointer
            # suffix its version uses ("p0i8" typed, "p0" opaque pointers)
            "llvm.prefetch")
        # read access, high temporal locality, data cache
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()
    return types.void(array, index), codegen


@njit(cache=True, inline="always")
def hashed_slot(key, num_slots):
    """Home slot of ``key`` (>= 0) in a table of ``num_slots`` (< 2**32) rows:
    the high bits of a multiplicative hash scaled to the table size."""
    h = (np.uint64(key) * _GOLDEN) >> np.uint64(32)
    return np.int64((h * np.uint64(num_slots)) >> np.uint64(32))


@njit(cache=True, inline="always")
def hashed_find(keys, key):
    """Slot of ``key`` among ``keys`` (linear probing from its home slot;
    flag bits ignored), or -1."""
    m = keys.shape[0]
    j = hashed_slot(key, m)
    while True:
        k = keys[j]
        if k == ABSENT:
            return -1
        if (k & _KEY_MASK) == key:
            return j
        j += 1
        if j == m:
            j = 0


@njit(cache=True, inline="always")
def hashed_insert(keys, key):
    """A free slot for ``key`` (linear probing; the table has one)."""
    m = keys.shape[0]
    j = hashed_slot(key, m)
    while keys[j] != ABSENT:
        j += 1
        if j == m:
            j = 0
    return j


@njit(cache=True)
def build_hashed(child_start, child_end, first_word, logprob, backoff, num_unigrams,
                 unigrams, keys, values):
    """Fills the hashed layout (``unigrams`` (n_words, 3) int64, ``keys``
    int64 and ``values`` (slots, 2) float64, ``slots`` > the number of
    longer n-grams) from the reversed-context trie (nodes ``0 ..
    num_unigrams-1`` are the unigrams; a node's children come after it in
    node order). Returns whether every n-gram's prefix (all words but the
    last) is an n-gram too (the ARPA invariant; :func:`score_tokens_hashed`
    then skips searches that cannot succeed). O(n-grams) expected."""
    n_words = unigrams.shape[0]
    unigrams[:, 0] = ABSENT
    unigrams[:, 1:] = 0
    uf = unigrams.view(np.float64)
    keys[:] = ABSENT
    total = first_word.shape[0]
    node_id = np.empty(total, np.int64)
    for g in range(num_unigrams):
        w = first_word[g]
        node_id[g] = w
        unigrams[w, 0] = HAS_CHILDREN if child_end[g] > child_start[g] else np.int64(0)
        uf[w, 1] = logprob[g]
        uf[w, 2] = backoff[g]
    for p in range(total):
        for c in range(child_start[p], child_end[p]):
            key = node_id[p] * n_words + first_word[c]
            j = hashed_insert(keys, key)
            flag = HAS_CHILDREN if child_end[c] > child_start[c] else np.int64(0)
            keys[j] = key | flag
            values[j, 0] = logprob[c]
            values[j, 1] = backoff[c]
            node_id[c] = n_words + j
    # the prefix of x u1..um is x u1..u(m-1), the child by x of the prefix of
    # u1..um: one search per n-gram, parents first
    prefix = np.full(total, -1, np.int64)
    for p in range(total):
        for c in range(child_start[p], child_end[p]):
            x = first_word[c]
            if p < num_unigrams:
                if unigrams[x, 0] == ABSENT:
                    return False
                prefix[c] = x
            else:
                if prefix[p] < 0:
                    return False
                j = hashed_find(keys, prefix[p] * n_words + x)
                if j < 0:
                    return False
                prefix[c] = n_words + j
    return True


#: how many probes ahead :func:`score_tokens_hashed` prefetches
_AHEAD = 12


@njit(cache=True)
def score_tokens_hashed(tokens, sent_ptr, first_scored, order, unigrams, unigrams_f,
                        keys, values, prefix_closed, oov_logprob, out_logprob,
                        out_length):
    """:func:`score_tokens` over the hashed layout (``unigrams_f``: a float64
    view of ``unigrams``), with the same results.

    The walks of different tokens are independent, so they run in rounds:
    round ``k`` extends every walk still going from length ``k-1`` to ``k``,
    prefetching the key and value rows ``_AHEAD`` walks ahead, so that the
    table's cache misses overlap instead of coming one after another; a last
    sequential pass adds the backoff weights of the previous token's
    contexts. With ``prefix_closed`` (every n-gram's prefix is one; see
    :func:`build_hashed`) a k-gram can end at token ``i`` only if a
    (k-1)-gram ends at ``i-1``, so walks whose previous token matched less
    stop without a search. O(tokens * order) expected probes and memory."""
    n_words = unigrams.shape[0]
    n = tokens.shape[0]
    m = keys.shape[0]
    lp = np.empty(n, np.float64)
    matched = np.zeros(n, np.int64)
    node = np.empty(n, np.int64)
    limit = np.empty(n, np.int64)
    bow = np.empty((n, order + 1), np.float64)
    walking = np.empty(n, np.int64)  # tokens whose walk goes on
    key_of = np.empty(n, np.int64)
    n_walking = 0
    for s in range(sent_ptr.shape[0] - 1):
        a = sent_ptr[s]
        for i in range(a, sent_ptr[s + 1]):
            limit[i] = min(i - a + 1, order)  # the n-gram stays inside the sentence
            w = tokens[i]
            flag = ABSENT
            if 0 <= w < n_words:
                flag = unigrams[w, 0]
            if flag == ABSENT:
                lp[i] = oov_logprob
                continue
            matched[i] = 1
            lp[i] = unigrams_f[w, 1]
            bow[i, 1] = unigrams_f[w, 2]
            node[i] = w
            if flag != 0 and limit[i] > 1:
                walking[n_walking] = i
                n_walking += 1
    for k in range(2, order + 1):
        # the key of every walk's next step (-1: a word outside the vocabulary)
        for q in range(n_walking):
            i = walking[q]
            x = tokens[i - k + 1]
            if 0 <= x < n_words and (not prefix_closed or matched[i - 1] >= k - 1):
                key_of[q] = node[i] * n_words + x
            else:
                key_of[q] = -1
        for q in range(min(_AHEAD, n_walking)):
            if key_of[q] >= 0:
                j = hashed_slot(key_of[q], m)
                prefetch(keys, j)
                prefetch(values, j)
        kept = 0
        for q in range(n_walking):
            ahead = q + _AHEAD
            if ahead < n_walking and key_of[ahead] >= 0:
                j = hashed_slot(key_of[ahead], m)
                prefetch(keys, j)
                prefetch(values, j)
            if key_of[q] < 0:
                continue
            j = hashed_find(keys, key_of[q])
            if j < 0:
                continue
            i = walking[q]
            matched[i] = k
            lp[i] = values[j, 0]
            bow[i, k] = values[j, 1]
            node[i] = n_words + j
            if (keys[j] & HAS_CHILDREN) != 0 and limit[i] > k:
                walking[kept] = i
                kept += 1
        n_walking = kept
    for s in range(sent_ptr.shape[0] - 1):
        a = sent_ptr[s]
        ctx_len = 0
        for i in range(a, sent_ptr[s + 1]):
            # back off through the previous token's contexts longer than the match
            total = lp[i]
            for mm in range(max(matched[i], 1), ctx_len + 1):
                total += bow[i - 1, mm]
            if i - a >= first_scored:
                out_logprob[i] = total
                out_length[i] = matched[i]
            ctx_len = matched[i] if matched[i] < order else order - 1

"""Priority union: ``q``, and ``r`` only where ``q`` has nothing to say."""

from __future__ import annotations

import numpy as np

from ..algorithms.compose import compose
from ..algorithms.difference import difference
from ..algorithms.project import project
from ..algorithms.union import union
from ..core.fst import Fst
from ..core.properties import Prop
from ..errors import FstArgError
from .coerce import FstLike, to_fst


def _domain(fst: Fst) -> Fst:
    """The input strings of ``fst`` as an unweighted acceptor: its input
    projection with every weight set to one (zero stays zero, as OpenFst's
    ``rmweight`` mapper does)."""
    sr = fst.semiring
    accepted = project(fst, project_type="input")
    weight = np.where(accepted.weight == sr.zero, sr.zero, sr.one).astype(sr.dtype)
    final = np.where(accepted.final == sr.zero, sr.zero, sr.one).astype(sr.dtype)
    props = accepted.props.set(Prop.UNWEIGHTED, bool((weight == sr.one).all()))
    return accepted.replace(weight=weight, final=final, props=props)


def priority_union(q: FstLike, r: FstLike, sigma_star: FstLike) -> Fst:
    """The priority union of ``q`` over ``r``:
    ``q | ((sigma_star - project(q, "input")) @ r)``.

    Every input ``q`` accepts is mapped as ``q`` maps it (with ``q``'s
    weights); every other input in ``sigma_star`` is mapped as ``r`` maps
    it. This is the usual way to give exceptions precedence over a general
    rule (e.g. ``priority_union(irregular_plurals, regular_plural, sigma_star)``).

    Arguments are machines or strings (byte acceptors). ``sigma_star`` must be
    an acceptor (normally the closure of the alphabet) in the same semiring;
    ``q``'s domain is subtracted with its weights dropped, so a weighted
    ``q`` is fine (pynini's literal expression refuses it, since its
    difference needs an unweighted right-hand side; an unweighted ``q`` gives
    the same machine as that expression).

    Complexity: ``q``'s domain is determinized for the difference
    (exponential in ``q``'s states in the worst case, linear for the usual
    string maps), then one difference (O(V_σ V_d) states for the V_d states of
    the deterministic domain) and one composition with ``r``.
    """
    q_fst = to_fst(q)
    r_fst = to_fst(r, semiring=q_fst.semiring)
    sigma = to_fst(sigma_star, semiring=q_fst.semiring)
    if not sigma.has(Prop.ACCEPTOR):
        raise FstArgError("priority_union: sigma_star must be an acceptor (the strings "
                          "r may apply to, normally the closure of the alphabet)")
    elsewhere = difference(sigma, _domain(q_fst))
    return union(q_fst, compose(elsewhere, r_fst))


__all__ = ["priority_union"]

"""Intersection of weighted acceptors (OpenFst's ``Intersect``,
``pynini.intersect``)."""

from __future__ import annotations

from ..core.fst import Fst
from ..core.properties import Prop
from ..errors import FstArgError
from .compose import ComposeFilter, compose


def intersect(a: Fst, b: Fst, *, compose_filter: ComposeFilter = "auto",
              connect: bool = True, return_arc_map: bool = False):
    """The acceptor of the strings both ``a`` and ``b`` accept, each weighted
    by the ⊗-product of its weights in ``a`` and ``b`` (⊕-summed over path
    pairs). This is composition restricted to acceptors, so states, arcs
    and numbering are :func:`~kleene.algorithms.compose.compose`'s (and
    ``pynini.intersect``'s) for the same ``compose_filter`` and ``connect``.

    Preconditions: both machines acceptors (:class:`FstArgError` otherwise)
    in the same semiring. Complexity: as composition, O(V1 V2) states and
    O(E1 E2) arcs in the worst case.

    With ``return_arc_map=True`` returns ``(fst, (map_a, map_b))`` as
    :func:`compose` does.
    """
    if not isinstance(a, Fst) or not isinstance(b, Fst):
        raise FstArgError(f"intersect: both arguments must be kleene.Fst, got "
                          f"{type(a).__name__} and {type(b).__name__}")
    for name, fst in (("first", a), ("second", b)):
        if not fst.has(Prop.ACCEPTOR):
            raise FstArgError(f"intersect: the {name} machine is not an acceptor; "
                              "use compose for transducers (or project it first)")
    out = compose(a, b, compose_filter=compose_filter, connect=connect,
                  return_arc_map=return_arc_map)
    if return_arc_map:
        fst, maps = out
        return fst.replace(props=fst.props.set(Prop.ACCEPTOR, True)), maps
    return out.replace(props=out.props.set(Prop.ACCEPTOR, True))

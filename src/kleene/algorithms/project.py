"""Projection onto the input or output labels (OpenFst's ``Project``)."""

from __future__ import annotations

from typing import Literal

from ..core.fst import Fst
from ..core.properties import Prop, Props
from ..errors import FstArgError

_PROJECT_TYPES = ("input", "output")

# Properties that do not depend on labels at all.
_LABEL_FREE = Prop.ACYCLIC | Prop.TOP_SORTED | Prop.ACCESSIBLE | Prop.COACCESSIBLE \
    | Prop.UNWEIGHTED


def _projected_props(props: Props, keep_input: bool) -> Props:
    """Properties of the acceptor that copies one side onto the other."""
    out = props.keep(int(_LABEL_FREE)).set(Prop.ACCEPTOR, True)
    if keep_input:
        eps, srt, det = Prop.NO_IEPSILONS, Prop.ILABEL_SORTED, Prop.I_DETERMINISTIC
    else:
        eps, srt, det = Prop.NO_OEPSILONS, Prop.OLABEL_SORTED, Prop.O_DETERMINISTIC
    for src, targets in ((eps, (Prop.NO_EPSILONS, Prop.NO_IEPSILONS, Prop.NO_OEPSILONS)),
                         (srt, (Prop.ILABEL_SORTED, Prop.OLABEL_SORTED)),
                         (det, (Prop.I_DETERMINISTIC, Prop.O_DETERMINISTIC))):
        value = props.get(src)
        if value is not None:
            for t in targets:
                out = out.set(t, value)
    return out


def project(fst: Fst, *, project_type: Literal["input", "output"] = "input") -> Fst:
    """The acceptor of one side: ``"input"`` copies every arc's input label
    onto its output label (and the input symbol table onto the output one);
    ``"output"`` does the converse. These are ``pynini.project``'s types.

    States and arc order are unchanged, so the arc map would be the
    identity: none is returned.

    Preconditions: none.

    Complexity: O(V + E).
    """
    if project_type not in _PROJECT_TYPES:
        raise FstArgError(f"project: project_type must be one of {_PROJECT_TYPES}, "
                          f"got {project_type!r}")
    keep_input = project_type == "input"
    labels = fst.ilabel if keep_input else fst.olabel
    table = fst.isymbols if keep_input else fst.osymbols
    return Fst(fst.indptr.copy(), labels.copy(), labels.copy(), fst.nextstate.copy(),
               fst.weight.copy(), fst.final.copy(), fst.start, fst.semiring,
               table, table, _projected_props(fst.props, keep_input), check=False)

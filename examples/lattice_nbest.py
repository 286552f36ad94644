"""n-best sentences of a weighted word lattice, with the library API.

Uses the example lattice shipped with kleene (``kleene/data``)::

    python examples/lattice_nbest.py [n]
"""

import sys
from importlib import resources

import kleene


def main(n: int = 3) -> None:
    data = resources.files("kleene").joinpath("data")
    words = kleene.SymbolTable.from_text(data.joinpath("words.syms").read_text(),
                                         name="words")
    lattice = kleene.compile_text(data.joinpath("lattice.txt").read_text(),
                                  acceptor=True, isymbols=words)
    best = kleene.shortest_distance(lattice, reverse=True)[lattice.start]
    print(f"{lattice.num_states} states, {lattice.num_arcs} arcs, best cost {best:g}")
    nbest = kleene.shortest_path(lattice, nshortest=n)
    paths = sorted(kleene.paths(nbest, input_token_type=words, output_token_type=words),
                   key=lambda path: path[2])
    for rank, (sentence, _, weight) in enumerate(paths, 1):
        print(f"{rank}. {sentence}  ({weight:g})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

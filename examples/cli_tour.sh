#!/usr/bin/env bash
# A tour of the kleene command line on the example data shipped with kleene:
# compile a word lattice, inspect it, take the 3 best paths, push and prune.
# Run from anywhere: bash examples/cli_tour.sh [workdir]
set -euo pipefail
work=${1:-$(mktemp -d)}
data=$(python -c 'import kleene, os; print(os.path.join(os.path.dirname(kleene.__file__), "data"))')
mkdir -p "$work" && cd "$work"

kleene compile --acceptor --isymbols="$data/words.syms" --keep_isymbols \
    "$data/lattice.txt" lattice.fst
kleene info lattice.fst | grep -E '^(# of states|# of arcs|cyclic|weighted) {2,}'
echo "-- distance from the start state to every state:"
kleene shortestdistance lattice.fst
echo "-- the 3 best paths, as a machine:"
kleene shortestpath --nshortest=3 lattice.fst | kleene print --acceptor
echo "-- weights pushed toward the start state:"
kleene push --push_weights lattice.fst | kleene print --acceptor | head -3
echo "-- arcs left after pruning at best + 0.5:"
kleene prune --weight=0.5 lattice.fst | kleene info | grep '^# of arcs'
kleene draw --acceptor --title=lattice lattice.fst > lattice.dot
echo "wrote $work/lattice.fst and lattice.dot (render: dot -Tsvg lattice.dot > lattice.svg)"

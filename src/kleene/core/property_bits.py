"""Bit positions of the structural properties (shared by core and kernels;
kept free of numba so that ``import kleene`` does not load the compiler)."""

ACCEPTOR = 1 << 0
NO_EPSILONS = 1 << 1
NO_IEPSILONS = 1 << 2
NO_OEPSILONS = 1 << 3
ILABEL_SORTED = 1 << 4
OLABEL_SORTED = 1 << 5
I_DETERMINISTIC = 1 << 6
O_DETERMINISTIC = 1 << 7
ACYCLIC = 1 << 8
TOP_SORTED = 1 << 9
ACCESSIBLE = 1 << 10
COACCESSIBLE = 1 << 11
UNWEIGHTED = 1 << 12
ALL = (1 << 13) - 1

"""``kleene demo``: kleene's main job on the example data shipped in
``kleene/data``.

It compiles a small weighted word lattice and a word -> phone lexicon from
OpenFst text files (with symbol tables), prints ``kleene info``, and runs the
everyday operations: shortest distance, n-best paths, weight pushing, pruning,
arc sorting, union, closure and random generation; paths are printed as
strings with their weights. Finally it writes machines in OpenFst's binary
format to a temporary directory, reads them back and checks that they
round-trip exactly. A last step builds the English number-name grammar of
:mod:`kleene.examples.cardinals`, rewrites numbers with it and through an
OpenFst FAR archive with ``kleene rewrite``. Every step uses the real library
operation.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from importlib import resources

DATA_FILES = ("lattice.txt", "lexicon.txt", "words.syms", "phones.syms")


def register(sub) -> None:
    p = sub.add_parser(
        "demo", allow_abbrev=False,
        help="run kleene on the shipped example data",
        description="Compiles the example word lattice and lexicon shipped "
                    "with kleene, runs the main operations on them, prints "
                    "the results and checks a binary write/read round trip.")
    p.add_argument("--outdir", metavar="DIR", default=None,
                   help="keep the files the demo writes here (default: a "
                        "temporary directory, removed afterwards)")
    p.add_argument("--seed", type=int, default=7,
                   help="seed for random generation (default: %(default)s)")
    p.set_defaults(func=cmd_demo)


def data_text(name: str) -> str:
    """The text of a shipped example file (works from an installed wheel)."""
    return resources.files("kleene").joinpath("data", name).read_text(encoding="utf-8")


class _Demo:
    def __init__(self, out, outdir: str, seed: int):
        self.out = out
        self.outdir = outdir
        self.seed = seed
        self.step_no = 0

    def say(self, text: str = "") -> None:
        print(text, file=self.out)

    def step(self, title: str) -> None:
        self.step_no += 1
        self.say()
        self.say(f"== {self.step_no}. {title}")

    def cli(self, *argv: str) -> None:
        """Runs a kleene subcommand in-process and shows it as a shell line."""
        from .main import main
        shown = " ".join(_short(a) for a in argv)
        self.say(f"$ kleene {shown}")
        self.out.flush()
        with contextlib.redirect_stdout(self.out):
            status = main(list(argv))
        if status != 0:
            raise RuntimeError(f"'kleene {shown}' exited with status {status}")

    def show_paths(self, fst, itable, otable=None, limit: int = 10,
                   by_weight: bool = False, weights: bool = True) -> None:
        import kleene
        rows = list(kleene.paths(fst, input_token_type=itable,
                                 output_token_type=otable or itable, max_paths=limit))
        if by_weight:
            rows.sort(key=lambda row: row[2])
        if not rows:
            self.say("   (no paths)")
        iwidth = max((len(i) for i, _, _ in rows), default=0)
        owidth = max((len(o) for _, o, _ in rows), default=0)
        for istring, ostring, weight in rows:
            arrow = f"  ->  {ostring:<{owidth}}" if otable is not None else ""
            shown = f"   weight {_fmt(weight)}" if weights else ""
            self.say(f"   {istring:<{iwidth}}{arrow}{shown}".rstrip())


def _short(arg: str) -> str:
    """An argument with its directory dropped (``--isymbols=/tmp/x/w.syms``
    shows as ``--isymbols=w.syms``)."""
    flag, eq, value = arg.partition("=") if arg.startswith("--") else ("", "", arg)
    return f"{flag}{eq}{os.path.basename(value) if os.sep in value else value}"


def _fmt(weight: float) -> str:
    from .common import format_weight
    return format_weight(weight)


def cmd_demo(args: argparse.Namespace) -> int:
    began = time.perf_counter()
    if args.outdir:
        os.makedirs(args.outdir, exist_ok=True)
        status = run_demo(args.outdir, args.seed, sys.stdout)
    else:
        with tempfile.TemporaryDirectory(prefix="kleene-demo-") as tmp:
            status = run_demo(tmp, args.seed, sys.stdout)
    print(f"\ndemo finished in {time.perf_counter() - began:.2f} s", file=sys.stdout)
    return status


def run_demo(outdir: str, seed: int, out) -> int:
    import kleene
    from ..core.symbols import SymbolTable

    demo = _Demo(out, outdir, seed)
    demo.say("kleene demo: weighted finite-state transducers on the example data "
             "shipped in kleene/data")
    # The shipped files are copied next to the outputs so the CLI can read them.
    for name in DATA_FILES:
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as fh:
            fh.write(data_text(name))
    path = {name: os.path.join(outdir, name) for name in DATA_FILES}
    lattice_fst = os.path.join(outdir, "lattice.fst")
    words = SymbolTable.from_text(data_text("words.syms"), name="words.syms")
    phones = SymbolTable.from_text(data_text("phones.syms"), name="phones.syms")

    demo.step("compile a weighted word lattice (an acceptor) and summarize it")
    demo.cli("compile", "--acceptor", f"--isymbols={path['words.syms']}",
             "--keep_isymbols", path["lattice.txt"], lattice_fst)
    demo.cli("info", lattice_fst)
    lattice = kleene.read(lattice_fst)

    demo.step("shortest distance from the start state to every state (tropical: min cost)")
    demo.cli("shortestdistance", lattice_fst)
    total = kleene.shortest_distance(lattice, reverse=True)[lattice.start]
    demo.say(f"   cost of the best path (reverse distance of the start state): {_fmt(total)}")

    demo.step("the 3 best sentences (shortest_path, nshortest=3)")
    nbest = kleene.shortest_path(lattice, nshortest=3)
    demo.show_paths(nbest, words, by_weight=True)

    demo.step("push weights toward the start state; the best path keeps its cost")
    pushed = kleene.push(lattice, push_weights=True)
    demo.show_paths(kleene.shortest_path(pushed), words)
    start_arcs = ", ".join(f"{words.find(a.ilabel)}/{_fmt(a.weight)}"
                           for a in pushed.arcs(pushed.start))
    demo.say(f"   arcs leaving the start state after pushing: {start_arcs}")

    demo.step("prune: keep the arcs on paths costing at most the best + 0.5")
    pruned = kleene.prune(lattice, weight=0.5)
    demo.say(f"   {lattice.num_arcs} arcs -> {pruned.num_arcs} arcs; surviving sentences:")
    demo.show_paths(pruned, words, by_weight=True)

    demo.step("compile the word -> phone lexicon (a transducer) and sort its arcs")
    lexicon = kleene.compile_text(data_text("lexicon.txt"), isymbols=words,
                                  osymbols=phones, source="lexicon.txt")
    lexicon = kleene.arcsort(lexicon, sort_type="ilabel")
    demo.say(f"   {lexicon.num_states} states, {lexicon.num_arcs} arcs, input label "
             f"sorted: {'yes' if lexicon.has(kleene.Prop.ILABEL_SORTED) else 'no'}")
    demo.say("   pronunciations of every word (paths of the lexicon):")
    demo.show_paths(lexicon, words, phones, limit=20)

    demo.step("union with a new pronunciation, then closure: word sequences")
    extra = kleene.compile_text("0 1 the dh\n1 2 <eps> ah 0.5\n2\n", isymbols=words,
                                osymbols=phones, source="extra entry")
    lexicon2 = kleene.union(lexicon, extra)
    sentences = kleene.closure(lexicon2, closure_type="plus")
    demo.say(f"   union: {lexicon2.num_states} states, {lexicon2.num_arcs} arcs; "
             f"closure (plus): {sentences.num_states} states, "
             f"{'cyclic' if not sentences.has(kleene.Prop.ACYCLIC) else 'acyclic'}")
    demo.say(f"   3 random word sequences from the closure (randgen, seed {seed}; "
             "sampled paths are unweighted, as in fstrandgen):")
    samples = kleene.randgen(sentences, npath=3, seed=seed, max_length=12)
    demo.show_paths(samples, words, phones, weights=False)

    demo.step("compose the pruned lattice with the lexicon: sentences -> phones")
    words_to_phones = kleene.closure(lexicon, closure_type="plus")
    files = {name: os.path.join(outdir, name) for name in
             ("pruned.fst", "lexicon_plus.fst", "pron.fst", "lexicon_opt.fst")}
    kleene.write(pruned, files["pruned.fst"], format="binary")
    kleene.write(words_to_phones, files["lexicon_plus.fst"], format="binary")
    demo.cli("compose", files["pruned.fst"], files["lexicon_plus.fst"], files["pron.fst"])
    pron = kleene.read(files["pron.fst"])
    demo.say(f"   {pron.num_states} states, {pron.num_arcs} arcs; the best "
             "sentence with its pronunciation:")
    demo.show_paths(kleene.shortest_path(pron), words, phones)
    demo.say("   optimize the lexicon (rmepsilon, determinize, minimize):")
    lexicon_in = os.path.join(outdir, "lexicon_in.fst")
    kleene.write(lexicon, lexicon_in, format="binary")
    demo.cli("optimize", "--compute_props", lexicon_in, files["lexicon_opt.fst"])
    small = kleene.read(files["lexicon_opt.fst"])
    demo.say(f"   {lexicon.num_states} states, {lexicon.num_arcs} arcs -> "
             f"{small.num_states} states, {small.num_arcs} arcs; same "
             f"pronunciations: {_same_paths(lexicon, small, words, phones)}")

    demo.step("a grammar: English number names (kleene.examples.cardinals)")
    from ..examples import cardinals
    from ..grammar.rewrite import one_top_rewrite
    from ..io.far import read_far, write_far
    numbers = cardinals.grammar()
    demo.say(f"   built from string_map, insert/delete and the + | operators, "
             f"optimized: {numbers.num_states} states, {numbers.num_arcs} arcs")
    for digits in ("7", "40", "1203", "90017", "1000000"):
        demo.say(f"   {digits:>8} -> {one_top_rewrite(digits, numbers)}")
    far_path = os.path.join(outdir, "grammars.far")
    write_far(far_path, {"cardinals": numbers})
    demo.cli("rewrite", "--far", far_path, "--rule", "cardinals",
             "--input", _write_lines(outdir, "numbers.txt", ["31", "512"]))

    demo.step("write OpenFst binary files and read them back")
    for name, fst in (("lexicon.fst", lexicon), ("nbest.fst", nbest)):
        target = os.path.join(outdir, name)
        kleene.write(fst, target, format="binary")
        back = kleene.read(target)
        same = (back.equal(fst) and back.isymbols == fst.isymbols
                and back.osymbols == fst.osymbols)
        demo.say(f"   {name}: {os.path.getsize(target)} bytes, "
                 f"round trip {'exact' if same else 'DIFFERS'}")
        if not same:
            raise RuntimeError(f"{name} did not round-trip through the binary format")
    return 0


def _write_lines(outdir: str, name: str, lines) -> str:
    path = os.path.join(outdir, name)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("".join(line + "\n" for line in lines))
    return path


def _same_paths(first, second, itable, otable) -> str:
    """'yes' when both machines list the same (input, output, weight) paths."""
    import kleene

    def rows(fst):
        return sorted((i, o, float(w)) for i, o, w in kleene.paths(
            fst, input_token_type=itable, output_token_type=otable, max_paths=1000))
    a, b = rows(first), rows(second)
    same = len(a) == len(b) and all(
        x[:2] == y[:2] and abs(x[2] - y[2]) <= 1e-3 for x, y in zip(a, b))
    return "yes" if same else "NO"

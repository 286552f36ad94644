"""``kleene lm``: n-gram language models from the command line.

::

    kleene lm count corpus.txt --order 3 -o counts.tsv     # or counts.fst
    kleene lm make counts.tsv --method mkn -o model.arpa    # or from corpus text
    kleene lm prune model.arpa --target-size 100000 -o small.arpa
    kleene lm arpa2fst model.arpa -o G.fst --disambig '#0' --write-symbols words.txt
    kleene lm perplexity model.arpa test.txt

Counts files (``.tsv``/``.counts``, or anything that is not ``.fst``) hold one
n-gram per line, ``w1 w2 ... wk<TAB>count`` (SRILM's ``ngram-count -write``
layout); ``.fst`` writes OpenGrm's count machine instead (not read back).
Long jobs show a tqdm progress bar on standard error when tqdm is installed
and standard error is a terminal (``--progress``/``--noprogress``).
"""

from __future__ import annotations

import argparse
import sys

from .common import STDIO, CliUsageError, add_bool_flag, open_text_output, save_fst

METHODS = ("mkn", "kn", "wb", "absolute", "katz", "ml")
COUNT_SUFFIXES = (".tsv", ".counts")


def register(sub) -> None:
    p = sub.add_parser(
        "lm", allow_abbrev=False, help="n-gram language models (count, make, prune, "
        "arpa2fst, perplexity)",
        description="N-gram language models: count a corpus, estimate a smoothed "
                    "model (ARPA), prune it, compile it to a backoff WFST G, and "
                    "measure perplexity.")
    lm_sub = p.add_subparsers(dest="lm_command", metavar="<lm command>")
    lm_sub.required = True
    _register_count(lm_sub)
    _register_make(lm_sub)
    _register_prune(lm_sub)
    _register_arpa2fst(lm_sub)
    _register_perplexity(lm_sub)


def _progress_default() -> bool:
    return sys.stderr.isatty()


def _add_progress(p) -> None:
    add_bool_flag(p, "progress", "show a progress bar (needs tqdm)",
                  default=_progress_default())


def _add_command(sub, name: str, func, *, help: str, description: str,
                 example: str) -> argparse.ArgumentParser:
    """The parser of ``kleene lm <name>``, which runs ``func``."""
    p = sub.add_parser(name, allow_abbrev=False, help=help, description=description,
                       epilog=f"example: {example}")
    p.set_defaults(func=func)
    return p


def _add_model_input(p) -> None:
    p.add_argument("model", help="ARPA file")


def _add_arpa_output(p) -> None:
    p.add_argument("-o", "--output", required=True, help="ARPA file ('-': standard output)")


def _write_model(model, output: str) -> None:
    """Writes ``model`` as ARPA to the file ``output`` ('-': standard output)."""
    from ..lm.arpa import write_arpa
    write_arpa(model, sys.stdout if output == STDIO else output)


def _add_corpus_options(p) -> None:
    p.add_argument("--order", type=int, default=3, help="n-gram order (default 3)")
    p.add_argument("--unit", choices=("word", "char"), default="word",
                   help="count words (split on whitespace) or utf8 characters")
    p.add_argument("--min-count", type=int, default=1, dest="min_count",
                   help="vocabulary: words seen at least this often (others -> <unk>)")
    p.add_argument("--max-vocab", type=int, default=None, dest="max_vocab",
                   help="vocabulary: at most this many most frequent words")


def _count(paths: list[str], args) -> object:
    from ..lm.counts import count_ngrams, read_text_files
    for path in paths:
        if path == STDIO:
            raise CliUsageError("read the corpus from files, not standard input")
    return count_ngrams(read_text_files(paths), args.order, unit=args.unit,
                        min_count=args.min_count, max_vocab=args.max_vocab,
                        progress=args.progress)


# -- count --------------------------------------------------------------------------
def _register_count(sub) -> None:
    p = _add_command(
        sub, "count", cmd_count, help="corpus -> n-gram counts",
        description="Counts the n-grams of text files (one sentence per non-empty "
                    "line; each counted as <s> w1 .. wn </s>).",
        example="kleene lm count train.txt --order 3 -o counts.tsv")
    p.add_argument("corpus", nargs="+", help="text files")
    p.add_argument("-o", "--output", required=True,
                   help="counts file: .fst (OpenGrm-style count machine) or text "
                        "(w1 .. wk<TAB>count lines; '-' standard output)")
    _add_corpus_options(p)
    _add_progress(p)


def cmd_count(args: argparse.Namespace) -> int:
    counts = _count(args.corpus, args)
    if args.output.endswith(".fst"):
        from ..lm.counts import counts_to_fst
        save_fst(counts_to_fst(counts), args.output)
    else:
        write_counts_text(counts, args.output)
    return 0


def write_counts_text(counts, path: str) -> None:
    """Writes ``w1 .. wk<TAB>count`` lines, order by order."""
    words = counts.vocab.words
    out = open_text_output(path)
    try:
        for table, values in zip(counts.ngrams, counts.counts):
            for row, c in zip(table.tolist(), values.tolist()):
                text = repr(c) if c != int(c) else str(int(c))
                out.write(" ".join(words[i] for i in row) + "\t" + text + "\n")
    finally:
        if out is not sys.stdout:
            out.close()


def read_counts_text(path: str):
    """Reads :func:`write_counts_text`'s format back into ``NgramCounts``."""
    import numpy as np

    from ..errors import FstIOError
    from ..lm.counts import NgramCounts
    from ..lm.vocab import SPECIAL_WORDS, Vocabulary
    vocab = Vocabulary()
    by_order: dict[int, tuple[list, list]] = {}
    try:
        fh = open(path, encoding="utf-8")  # noqa: SIM115 (closed by the `with` below)
    except OSError as exc:
        raise FstIOError(f"cannot read counts: {exc.strerror}", path=path) from exc
    with fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            words, sep, value = line.rpartition("\t")
            try:
                count = float(value)
            except ValueError:
                count = None
            if not sep or count is None or not words.split():
                raise FstIOError(f"expected 'w1 .. wk<TAB>count', got {line!r}",
                                 path=path, line=lineno)
            ids = [vocab.add(w) if w not in SPECIAL_WORDS else SPECIAL_WORDS.index(w)
                   for w in words.split()]
            rows, values = by_order.setdefault(len(ids), ([], []))
            rows.append(ids)
            values.append(count)
    if not by_order:
        raise FstIOError("the counts file is empty", path=path)
    order = max(by_order)
    ngrams, counts = [], []
    for k in range(1, order + 1):
        rows, values = by_order.get(k, ([], []))
        table = np.array(rows, dtype=np.int32).reshape(-1, k)
        perm = np.lexsort(table.T[::-1]) if len(table) else np.zeros(0, int)
        ngrams.append(table[perm])
        counts.append(np.array(values, dtype=np.float64)[perm])
    result = NgramCounts(order, vocab, tuple(ngrams), tuple(counts))
    result.validate()
    return result


# -- make ---------------------------------------------------------------------------
def _register_make(sub) -> None:
    p = _add_command(
        sub, "make", cmd_make, help="counts or corpus -> smoothed model (ARPA)",
        description="Estimates a smoothed backoff model and writes it as ARPA. The "
                    "input is a counts file written by 'kleene lm count' (.tsv or "
                    ".counts) or text files to count first (with --order etc.).",
        example="kleene lm make counts.tsv --method mkn -o model.arpa")
    p.add_argument("inputs", nargs="+", help="counts file, or corpus text files")
    _add_arpa_output(p)
    p.add_argument("--method", choices=METHODS, default="mkn",
                   help="smoothing (default mkn: interpolated modified Kneser-Ney)")
    p.add_argument("--interpolate", choices=("auto", "yes", "no"), default="auto",
                   help="interpolated or backoff form where the method has both")
    _add_corpus_options(p)
    _add_progress(p)


def cmd_make(args: argparse.Namespace) -> int:
    from ..lm.smoothing import make_model
    if len(args.inputs) == 1 and args.inputs[0].endswith(COUNT_SUFFIXES):
        counts = read_counts_text(args.inputs[0])
    else:
        counts = _count(args.inputs, args)
    interpolate = {"auto": None, "yes": True, "no": False}[args.interpolate]
    _write_model(make_model(counts, args.method, interpolate=interpolate), args.output)
    return 0


# -- prune --------------------------------------------------------------------------
def _register_prune(sub) -> None:
    p = _add_command(
        sub, "prune", cmd_prune, help="relative-entropy (Stolcke) pruning",
        description="Prunes an ARPA model by relative entropy (Stolcke), by threshold "
                    "or to a total number of n-grams, recomputing backoff weights.",
        example="kleene lm prune model.arpa --threshold 1e-7 -o small.arpa")
    _add_model_input(p)
    _add_arpa_output(p)
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--threshold", type=float,
                       help="prune n-grams raising perplexity by less than this (relative)")
    group.add_argument("--target-size", type=int, dest="target_size",
                       help="keep at most this many n-grams (all orders)")


def cmd_prune(args: argparse.Namespace) -> int:
    from ..lm.arpa import read_arpa
    from ..lm.prune import prune_model
    model = read_arpa(args.model)
    pruned = prune_model(model, threshold=args.threshold, target_size=args.target_size)
    _write_model(pruned, args.output)
    return 0


# -- arpa2fst -----------------------------------------------------------------------
def _register_arpa2fst(sub) -> None:
    p = _add_command(
        sub, "arpa2fst", cmd_arpa2fst, help="ARPA model -> backoff WFST G",
        description="Compiles an ARPA model into the grammar G (Kaldi's arpa2fst "
                    "layout). Default: backoff arcs '#0:<eps>' as 'arpa2fst "
                    "--disambig-symbol=#0'; --disambig '' makes them <eps>:<eps>; "
                    "--phi makes them exact failure arcs '#phi'.",
        example="kleene lm arpa2fst model.arpa -o G.fst --write-symbols words.txt")
    _add_model_input(p)
    p.add_argument("-o", "--output", required=True, help="G in OpenFst binary ('-': stdout)")
    p.add_argument("--disambig", default="#0",
                   help="symbol on the input side of ε backoff arcs ('' for <eps>)")
    add_bool_flag(p, "phi", "failure (φ) backoff arcs: exact model probabilities")
    add_bool_flag(p, "remove-redundant", "drop states that only back off (Kaldi C++ "
                  "arpa2fst does; kaldilm does not)")
    p.add_argument("--read-symbols", dest="read_symbols",
                   help="symbol table to take labels from (e.g. a Kaldi words.txt)")
    p.add_argument("--write-symbols", dest="write_symbols",
                   help="write G's symbol table (words + backoff symbol) here")
    p.add_argument("--arc_type", choices=("standard", "tropical64"), default="standard",
                   help="standard: float32 costs, what OpenFst/Kaldi read; tropical64: "
                        "float64 (exact to ~1e-12)")


def cmd_arpa2fst(args: argparse.Namespace) -> int:
    from ..core.symbols import SymbolTable
    from ..lm.arpa import read_arpa
    from ..lm.fst import model_to_fst
    model = read_arpa(args.model)
    symbols = SymbolTable.read_text(args.read_symbols) if args.read_symbols else None
    semiring = "tropical" if args.arc_type == "standard" else "tropical64"
    G = model_to_fst(model, backoff="phi" if args.phi else "epsilon",
                     disambig=args.disambig or None, symbols=symbols,
                     remove_redundant=getattr(args, "remove-redundant"), semiring=semiring)
    if args.write_symbols:
        G.isymbols.write_text(args.write_symbols)
    save_fst(G, args.output)
    return 0


# -- perplexity ---------------------------------------------------------------------
def _register_perplexity(sub) -> None:
    p = _add_command(
        sub, "perplexity", cmd_perplexity, help="perplexity of text under a model",
        description="Scores text files (one sentence per non-empty line) with an "
                    "ARPA model, kenlm/SRILM style: tokens include </s>, OOV words "
                    "(read as <unk>, or -100 without it) are included.",
        example="kleene lm perplexity model.arpa test.txt")
    _add_model_input(p)
    p.add_argument("text", nargs="+", help="text files")
    add_bool_flag(p, "sentences", "also print every sentence's log10 probability")
    _add_progress(p)


def cmd_perplexity(args: argparse.Namespace) -> int:
    from ..lm.arpa import read_arpa
    from ..lm.counts import read_text_files
    model = read_arpa(args.model)
    sentences = list(read_text_files(args.text))
    if not sentences:
        raise CliUsageError("the text files hold no sentences")
    total, tokens, oov = 0.0, 0, 0
    chunk = 2000
    starts = range(0, len(sentences), chunk)
    if args.progress:
        try:
            from tqdm.auto import tqdm
            starts = tqdm(starts, desc="scoring", unit=" chunks", file=sys.stderr)
        except ImportError:
            pass
    for first in starts:
        part = sentences[first:first + chunk]
        if args.sentences:
            for s in part:
                print(f"{model.score_sentence(s):.6f}\t{s}")
        t, n, o = model.score_corpus(part)
        total += t
        tokens += n
        oov += o
    ppl = 10 ** (-total / tokens)
    print(f"sentences={len(sentences)} tokens={tokens} oov={oov} "
          f"logprob={total:.6f} ppl={ppl:.6f}")
    return 0

"""Example grammars written with :mod:`kleene.grammar`.

* :mod:`.cardinals`: English number names for 0 .. 1,000,000 ("1203" ->
  "one thousand two hundred three").
* :mod:`.dates`: a date normalizer ("2024-03-05" -> "march fifth twenty
  twenty four"), also applied inside running text with ``cdrewrite``.
* :mod:`.spanish_g2p`: rule-based grapheme-to-phoneme conversion of Spanish
  spelling into IPA, an ordered cascade of context-dependent rewrite rules.

Each module builds its grammar once (``grammar()``, cached) and has a
``main()`` so ``python -m kleene.examples.<name> TEXT ...`` prints rewrites.
"""

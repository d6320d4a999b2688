"""Task helpers for the book's experiments: data, vocabularies, model builders and scores.

Hand-kept, like the package's own `__init__.py`; the modules are generated from the chapters. The modules
that need the `tasks` extra (num2words, sacrebleu) are not imported here, so `import lstm_attention.tasks`
works without it: `from lstm_attention.tasks.numbers import ...` (chapter 10) needs
`pip install "lstm-attention[tasks]"`.
"""

"""Benchmarks of Agora on a large generated forum (run with `python -m tests.bench`).

Not part of the test suite: pytest does not collect this folder (pyproject's norecursedirs), and
no file here is named test_*. See tests/bench/README.md.
"""

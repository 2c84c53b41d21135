"""Benchmark data at city scale (`flask seed bench`) and its search index; measured by `python -m tests.bench`.

Bench accounts have e-mail addresses ending in ``BENCH_EMAIL_DOMAIN``; that is how the benchmark
recognises that bench data is present."""

BENCH_EMAIL_DOMAIN = "bench.maeul.invalid"

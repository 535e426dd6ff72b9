//! Benchmarks for `wsframe` live in `benches/`; this library is empty.

"""Zukunftskonferenz: run participation workshops live and export their results."""

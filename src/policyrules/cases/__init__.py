"""The YAML cases beside each pack: loading them and checking a pack's decisions against them."""

from .runner import run_cases

__all__ = [
    "run_cases",
]

"""The registers' error: a batch that cannot run as asked."""

from __future__ import annotations

from ..errors import PolicyRulesError


class BatchError(PolicyRulesError):
    """The batch cannot run as asked: unreadable input, unknown columns, an unsupported file type."""

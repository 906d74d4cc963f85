"""The one retry schedule the platform's workers share: doubling from a base, capped. Each
caller adds what is its own (jitter for webhooks, a platform's Retry-After)."""

from __future__ import annotations

# 2**40 times any base is past every cap; a larger exponent would only overflow a float.
MAX_EXPONENT = 40


def doubling(attempts: int, base: float, cap: float) -> float:
    """Seconds before the next try after `attempts` failed ones: `base` after the first,
    twice that after the second, ... never more than `cap`."""
    exponent = max(attempts - 1, 0)
    return cap if exponent > MAX_EXPONENT else min(base * 2 ** exponent, cap)

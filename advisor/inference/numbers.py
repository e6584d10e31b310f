"""The one form of a number every inference engine is given.

Advice must not depend on the engine, so facts, thresholds and derived values are normalised once, before
any engine sees them, rather than by each backend: were only one engine to move a value, a comparison at
a threshold (or a binding shown in the advice) could differ between engines.
"""

from __future__ import annotations

import math
from typing import Any


def shared_number(value: Any) -> Any:
    """Numbers every engine reads exactly as Python does; other values unchanged.

    Whole floats become ints (2.0 and 2 are one value, shown alike). Floats whose shortest form has an
    exponent but no decimal point (1e-05) move away from zero, one ulp at a time, to the nearest
    neighbour that prints with a point: the durable-rules engine's JSON reader rejects the former, and
    the reference engine compares the same moved value so both give identical results.
    """
    if isinstance(value, bool) or not isinstance(value, float):
        return value
    if value.is_integer() and abs(value) < 2**53:
        return int(value)
    # One ulp is not always enough: the neighbours of the smallest subnormals print without a point too
    # (5e-324 -> 1e-323 -> 1.5e-323), and the engine crashed (SIGSEGV) on an answer of 5e-324.
    while "e" in repr(value) and "." not in repr(value):
        value = math.nextafter(value, math.copysign(math.inf, value))  # away from 0: the sign stays
    return value

"""The attempt's risk score, 0-100, from its flags.

For each kind of flag k, add up the evidence behind its flags (`Flag.units`: frames,
events, or 5-s slices of time) into U_k. That kind's share is

    s_k = w_k * (1 - exp(-U_k / S_k))

where w_k (`RuleConfig.score_weights`) is the most that kind can say on its own and
S_k (`RuleConfig.score_saturation`) how much evidence makes it about 63% sure. The
kinds are combined like independent pieces of evidence:

    risk = round(100 * (1 - prod_k (1 - s_k)))

Properties (tested): 0 with no flags; below 100 unless a weight is 1; never lower
when a flag is added or a flag's evidence grows, since each s_k rises with U_k and
each factor (1 - s_k) lies in [0, 1]. With the rules' own monotonicity (see
`proctoring.rules`), more evidence of misconduct never lowers the score.
"""
import math
from collections import defaultdict
from collections.abc import Iterable

from proctoring.rule_config import DEFAULT_RULES, RuleConfig
from proctoring.rules import Flag


def evidence_by_kind(flags: Iterable[Flag]) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for flag in flags:
        totals[flag.kind] += flag.units
    return dict(totals)


def risk_score(flags: Iterable[Flag], config: RuleConfig = DEFAULT_RULES) -> int:
    """0-100; see the module docstring for the formula."""
    logs = []
    for kind, units in evidence_by_kind(flags).items():
        share = config.score_weights.get(kind, 0.0) * -math.expm1(-units / config.score_saturation.get(kind, 1.0))
        if share >= 1.0:
            return 100
        logs.append(math.log1p(-share))
    # fsum is exact, so the result does not depend on the order in which kinds are met.
    return max(0, min(100, round(-100 * math.expm1(math.fsum(logs)))))

"""SLA compliance targets: the one place the service's default lives, a contract may override it.

Compliance is the share of decided clocks that were met (docs/SLA.md). At or
above the target it is good; below `warn_below` it is bad; in between it
warns. A contract sets its own figures where it promises them
(`Contract.compliance_target_percent`, `compliance_warn_below_percent`).
"""

from dataclasses import dataclass

# The Contract fields that override the defaults (read them with `.only(*TARGET_FIELDS)`).
TARGET_FIELDS = ("compliance_target_percent", "compliance_warn_below_percent")

DEFAULT_TARGET_PERCENT = 95.0
DEFAULT_WARN_BELOW_PERCENT = 80.0


@dataclass(frozen=True)
class ComplianceTarget:
    target: float = DEFAULT_TARGET_PERCENT
    warn_below: float = DEFAULT_WARN_BELOW_PERCENT

    def level(self, percent: float | None) -> str:
        """The badge for a percentage: ok, warn, bad, or '' when nothing is decided."""
        if percent is None:
            return ""
        if percent >= self.target:
            return "ok"
        return "warn" if percent >= self.warn_below else "bad"


DEFAULT_TARGET = ComplianceTarget()


def compliance_target(contract=None) -> ComplianceTarget:
    """The contract's own target where it sets one, else the default.

    A contract that sets only its target keeps the default alarm threshold,
    lowered to the target if the target is below it.
    """
    if contract is None:
        return DEFAULT_TARGET
    target = contract.compliance_target_percent
    warn = contract.compliance_warn_below_percent
    target = DEFAULT_TARGET_PERCENT if target is None else float(target)
    warn = min(DEFAULT_WARN_BELOW_PERCENT, target) if warn is None else float(warn)
    return ComplianceTarget(target=target, warn_below=min(warn, target))

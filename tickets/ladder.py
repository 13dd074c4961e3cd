"""The default escalation ladder, installed by a data migration and restorable by tests."""

# (kind, percent of the time used, extra minutes, tier notified): warn the
# implementation group at 50 % and 75 %, escalate to the management group at
# the breach and to the leadership group two hours after it.
DEFAULT_LADDER = [
    ("warning", 50, 0, "implementation"),
    ("warning", 75, 0, "implementation"),
    ("breach", 100, 0, "management"),
    ("escalation", 100, 120, "leadership"),
]


def ladder_install_defaults(rule_model) -> None:
    """Create the default rungs that are missing; edited or extra rungs are left alone."""
    for kind, percent, extra, tier in DEFAULT_LADDER:
        rule_model.objects.get_or_create(
            clock_kind="",
            percent=percent,
            extra_minutes=extra,
            defaults={"kind": kind, "tier": tier},
        )

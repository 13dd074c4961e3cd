"""Demo satisfaction data (being written)."""


def demo_satisfaction(*, now) -> None:
    return None

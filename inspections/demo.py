"""Demo inspections (being written)."""


def demo_inspections(*, now) -> None:
    return None

"""Writes on inspections, by what they do: the schedule and its alerts (scheduling), carrying
an inspection out to its signed report (visits), rectifications; every status change taken
as workflow says, and the notices people get (notices). Who may act is
inspections.permissions."""

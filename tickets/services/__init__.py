"""Writes on tickets with their rules, by subject: creation, transitions, priority, files."""

"""Shared plumbing: extensions, configuration, clock, errors and access rules."""

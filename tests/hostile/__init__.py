"""Hostile inputs and careless operators: each reproduction of issue 14 as a test, with real processes."""

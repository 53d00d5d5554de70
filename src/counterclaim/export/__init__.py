"""Exports of claim dossiers: versioned JSON (with a JSON Schema), CSV of accounts, HTML reports, JSON-LD.

Each format is one module with a pure function from dossiers to text; the CLI and web app only call them.
"""

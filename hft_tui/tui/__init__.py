"""The Textual workstation (the only package that imports textual)."""

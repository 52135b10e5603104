"""The modal screens and views, one module each."""

"""Configuration: pydantic settings models, the TOML loader, credentials from the environment, paths."""

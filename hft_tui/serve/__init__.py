"""The served engine: a headless engine with a control socket, and what talks to it."""

"""Energize Desktop: local-first building energy monitoring, analytics and audits."""


def __getattr__(name: str):
    # looked up when asked for: importlib.metadata costs 50 ms of every CLI command
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("energize-desktop")
        except PackageNotFoundError:  # running from a source tree that was never installed
            return "0.0.0+src"
    raise AttributeError(f"module 'energize_desktop' has no attribute {name!r}")

"""Qt adapters (QtCore only): any job run on the thread pool with its progress, result and error
as signals; the open workspace as a service; the live session; PDF through Qt's own engine."""

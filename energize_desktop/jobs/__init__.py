"""Use cases on a workspace, shared by the CLI and the window: import files, detect anomalies,
fit a baseline, the energy of a meter or site with its cost and carbon, the overview, the
evidence behind recommendations.

A long operation is a job (jobs/base.Job): `prepare()` checks its inputs, `run(progress,
cancelled)` does the work on a worker thread, and its result is plain data. The CLI runs a job
on its own thread; the window runs it through runtime/jobs, which turns progress, result and
error into signals.
"""

"""`energize --selftest` from the source tree (CI runs it in the frozen app too: make
dist-check): every step passes here, and a failing step is named and stops the run."""

from energize_desktop import selftest
from energize_desktop.cli import main


def test_selftest_passes_every_step(capsys):
    assert main(["--selftest"]) == 0
    out = capsys.readouterr().out
    for name, _ in selftest.STEPS:
        assert f"ok      {name}" in out
    assert "self-test passed" in out and "import energy 12,345" in out


def test_a_failing_step_is_named_and_the_rest_not_run(capsys, monkeypatch):
    def broken(context):
        raise RuntimeError("no fonts found")

    steps = [(n, broken if n == "chart" else s) for n, s in selftest.STEPS]
    monkeypatch.setattr(selftest, "STEPS", steps)
    assert main(["--selftest"]) == 1
    out = capsys.readouterr().out
    assert "FAILED  chart: RuntimeError: no fonts found" in out
    assert "ok      baseline" in out and "PDF report" not in out
    assert "self-test FAILED" in out

"""Test-wide set-up. Qt must be offscreen before anything imports it: with no display, a Qt
abort would end pytest with no summary at all."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

# A new site takes this computer's zone: the same zone on every machine the tests run on.
os.environ["TZ"] = "UTC"

# Never the developer's real data folder.
os.environ["ENERGIZE_DATA_DIR"] = tempfile.mkdtemp(prefix="energize-test-data-")


@pytest.fixture(autouse=True, scope="session")
def _memory_keyring():
    """No test reads or writes the real OS keyring."""
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1

        def __init__(self):
            super().__init__()
            self.store = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def ws(tmp_path):
    from energize_desktop.storage import Workspace

    workspace = Workspace.create(tmp_path / "test.energize")
    yield workspace
    workspace.close()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """The demo workspace, built once per session. Copy it before changing it."""
    from energize_desktop.demo.build import build_demo

    return build_demo(tmp_path_factory.mktemp("demo") / "demo.energize")


@pytest.fixture
def demo_copy(demo_file, tmp_path) -> Path:
    target = tmp_path / "demo.energize"
    shutil.copy2(demo_file, target)
    return target

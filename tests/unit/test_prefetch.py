"""The read-ahead helper stops cleanly whenever its consumer stops: an error raised while any
block is being stored (the second-to-last hung the import forever before), or in the reader."""

import threading

import pytest

from energize_desktop.core.prefetch import prefetch

BLOCKS = 6


class Stored(Exception):
    pass


def _consume(fail_at: int, depth: int) -> list:
    seen = []
    try:
        for i in prefetch(range(BLOCKS), depth=depth):
            seen.append(i)
            if i == fail_at:
                raise Stored(i)
    except Stored:
        pass
    return seen


@pytest.mark.parametrize("depth", [1, 2])
@pytest.mark.parametrize("fail_at", range(BLOCKS))
def test_an_error_at_any_block_stops_the_helper(fail_at, depth):
    result = []
    consumer = threading.Thread(target=lambda: result.append(_consume(fail_at, depth)))
    consumer.start()
    consumer.join(10)  # a bound, not a wait: it returns at once unless it deadlocked
    assert not consumer.is_alive(), f"read-ahead deadlocked after block {fail_at}"
    assert result == [list(range(fail_at + 1))]
    assert not [t for t in threading.enumerate() if t.name == "energize-read-ahead"]


def test_an_error_in_the_reader_reaches_the_consumer():
    def reader():
        yield 1
        raise ValueError("block 2 is damaged")

    with pytest.raises(ValueError, match="block 2"):
        list(prefetch(reader()))


def test_everything_arrives_in_order():
    assert list(prefetch(iter(range(1000)), depth=3)) == list(range(1000))

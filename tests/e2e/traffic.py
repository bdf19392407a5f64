"""Requests kept going in the background while a test does something to the service (backs
it up, migrates it, restarts it), with every failure kept for the test to show."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import requests


@dataclass
class Traffic:
    """What the background requests met: how many went through, and every failure."""

    done: int = 0
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, failure: str | None) -> None:
        with self.lock:
            if failure is None:
                self.done += 1
            else:
                self.failures.append(failure)


@contextmanager
def background(request: Callable[[int], str | None], *, threads: int = 2) -> Iterator[Traffic]:
    """Call ``request(n)`` over and over in ``threads`` threads until the block ends; each
    call returns None when it went well, else what went wrong. An exception is a failure."""
    traffic = Traffic()
    stop = threading.Event()

    def loop(thread: int) -> None:
        n = thread
        while not stop.is_set():
            try:
                traffic.record(request(n))
            except requests.RequestException as error:
                traffic.record(f"{type(error).__name__}: {error}")
            n += threads

    workers = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    try:
        yield traffic
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=60)

"""Run HTTP calls at the same moment from several threads (PostgreSQL race tests)."""

import threading

from django.db import connection


def run_in_parallel(*calls) -> list:
    """Starts every call together (a barrier) in its own thread and database connection;
    returns their results in the order given."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
